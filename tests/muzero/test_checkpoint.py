"""Checkpoints: atomic round trip, and one-line errors for corrupt or foreign files."""

from pathlib import Path

import pytest
import torch

from muzero.checkpoint import Checkpoint, Counters, load_checkpoint, save_checkpoint
from muzero.config import ExperimentConfig
from muzero.errors import UserError


def make_checkpoint() -> Checkpoint:
    return Checkpoint(
        config=ExperimentConfig(),
        counters=Counters(training_step=7, games_played=3, positions_played=21, seconds=1.5),
        network_state={"weight": torch.arange(6.0).reshape(2, 3)},
        learner_state={"step": 7, "optimizer": {"state": {}, "param_groups": [{"lr": 0.1}]}},
    )


def test_round_trip_leaves_no_temporary_file(tmp_path):
    path = save_checkpoint(make_checkpoint(), tmp_path / "a.pt")
    loaded = load_checkpoint(path)
    assert loaded.counters == make_checkpoint().counters and loaded.config == ExperimentConfig()
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


class _Exploit:
    """Unpickled freely, this would create the file `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))
