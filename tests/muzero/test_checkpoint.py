"""Checkpoints: atomic round trip, and one-line errors for corrupt or foreign files."""

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from muzero.core.config import ExperimentConfig, GameConfig
from muzero.core.errors import UserError
from muzero.core.game_kit import GameSpec
from muzero.core.symmetry import Symmetry
from muzero.faces.games import game_kit, spec_of
from muzero.training import components
from muzero.training.checkpoint import Checkpoint, Counters, load_checkpoint, save_checkpoint

SHIPPED_RUN = Path(__file__).resolve().parents[2] / "models" / "connect4" / "run"


def make_checkpoint() -> Checkpoint:
    return Checkpoint(
        config=ExperimentConfig(game=GameConfig("tictactoe")),
        counters=Counters(training_step=7, games_played=3, positions_played=21, seconds=1.5),
        network_state={"weight": torch.arange(6.0).reshape(2, 3)},
        learner_state={"step": 7, "optimizer": {"state": {}, "param_groups": [{"lr": 0.1}]}},
    )


def test_round_trip_leaves_no_temporary_file(tmp_path):
    path = save_checkpoint(make_checkpoint(), tmp_path / "a.pt")
    loaded = load_checkpoint(path)
    assert loaded.counters == make_checkpoint().counters and loaded.config == ExperimentConfig(
        game=GameConfig("tictactoe")
    )
    assert torch.equal(loaded.network_state["weight"], torch.arange(6.0).reshape(2, 3))
    assert [p.name for p in tmp_path.iterdir()] == ["a.pt"]


def test_a_run_folder_resolves_to_its_latest_checkpoint(tmp_path):
    save_checkpoint(make_checkpoint(), tmp_path / "checkpoints" / "latest.pt")
    assert load_checkpoint(tmp_path).counters.training_step == 7
    with pytest.raises(UserError, match="not a run folder"):
        load_checkpoint(tmp_path / "checkpoints")


def test_truncated_file_is_a_one_line_error(tmp_path):
    path = save_checkpoint(make_checkpoint(), tmp_path / "a.pt")
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(UserError, match="not a checkpoint of this project") as error:
        load_checkpoint(path)
    assert "\n" not in str(error.value)


def test_foreign_and_pickled_files_are_refused_without_unpickling(tmp_path):
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(UserError, match="no 'muzero-nplayer-checkpoint' marker"):
        load_checkpoint(foreign)
    hostile = tmp_path / "hostile.pt"
    torch.save({"format": "muzero-nplayer-checkpoint", "payload": _Exploit(tmp_path / "exploited")}, hostile)
    with pytest.raises(UserError, match="not a checkpoint of this project"):
        load_checkpoint(hostile)
    assert not (tmp_path / "exploited").exists()
    missing = tmp_path / "missing.pt"
    with pytest.raises(UserError, match="does not exist"):
        load_checkpoint(missing)


def test_a_checkpoint_records_its_games_sizes_as_plain_data(tmp_path):
    spec = GameSpec(3, 4, (2, 3, 3), (Symmetry(np.arange(18), np.arange(4)),))
    path = save_checkpoint(dataclasses.replace(make_checkpoint(), spec=spec), tmp_path / "a.pt")
    stored = torch.load(path, map_location="cpu", weights_only=True)["game_spec"]
    assert stored == {"num_players": 3, "num_actions": 4, "observation_shape": [2, 3, 3]}
    assert load_checkpoint(path).spec == GameSpec(3, 4, (2, 3, 3))  # the sizes; symmetries come from the game
    assert load_checkpoint(save_checkpoint(make_checkpoint(), tmp_path / "b.pt")).spec is None


def run_from_before_game_sizes(folder: Path) -> Path:
    """The shipped run as checkpoints were written before they recorded their game's sizes."""
    shutil.copytree(SHIPPED_RUN, folder)
    latest = folder / "checkpoints" / "latest.pt"
    payload = torch.load(latest, map_location="cpu", weights_only=True)
    payload.pop("game_spec", None)
    torch.save(payload, latest)
    return folder


def test_a_checkpoint_from_before_game_sizes_loads_its_network_through_spec_of(tmp_path):
    old_run = run_from_before_game_sizes(tmp_path / "run")
    assert load_checkpoint(SHIPPED_RUN).spec is not None
    checkpoint = load_checkpoint(old_run)
    assert checkpoint.spec is None and checkpoint.config.game.name == "connect4"
    model, loaded = components.load_checkpoint_model(old_run, spec_of)
    assert loaded.counters == checkpoint.counters
    spec = game_kit(checkpoint.config.game).spec
    assert model.network.observation_shape == spec.observation_shape and model.network.num_actions == 7
    with pytest.raises(UserError, match="predates checkpoints that record their game's sizes") as error:
        components.load_checkpoint_model(old_run)
    assert "\n" not in str(error.value)


class _Exploit:
    """Unpickled freely, this would create the file `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))
