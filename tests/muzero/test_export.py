"""ONNX bundles: torch and onnxruntime agree, metadata round-trips, broken bundles are one-line errors, and an
agent on a bundle searches like the torch agent and plays in a process where torch and ray cannot load."""

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

import envs
from muzero import Agent, UserError
from muzero.core.config import SearchConfig
from muzero.core.types import SearchResult
from muzero.faces.cli import export_main
from muzero.faces.games import experiment_config, game_kit, spec_of
from muzero.model.bundle import INITIAL_FILE, METADATA_KEY, MODEL_JSON, RECURRENT_FILE, read_bundle
from muzero.model.inference import OnnxModel
from muzero.model.onnx_mirror import OnnxMirrorModel
from muzero.model.torch_model import TorchModel
from muzero.training.checkpoint import Checkpoint, Counters, save_checkpoint
from muzero.training.components import build_network
from muzero.training.export import export_checkpoint, export_network
from muzero.training.train import train
from tests.muzero.test_training import TINY, setup

GAMES = {
    "tictactoe-mlp": ("tictactoe", []),
    "connect4-resnet": ("connect4", []),
    "connect4-resnet-no-prediction-tower": ("connect4", ["network.dynamics_blocks=1", "network.prediction_blocks=0"]),
    "dots3-mlp": ("dots_and_boxes", ["game.players=3"]),
}
TINY_TRAINING = [*TINY, "run.training_steps=6", "run.checkpoint_interval=6"]


def random_network(game: str, settings: list[str], seed: int = 0):
    """(config, network) of the game's default network, every weight random (the zero-initialised heads too)."""
    config = experiment_config(game, None, settings)
    torch.manual_seed(seed)
    network = build_network(config.network, game_kit(config.game).spec)
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.add_(0.2 * torch.randn_like(parameter))
    return config, network


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("export") / "run"
    config = experiment_config("tictactoe", None, TINY_TRAINING)
    train(setup(config, run))
    return run


@pytest.fixture(scope="module")
def trained_bundle(trained_run) -> Path:
    return export_checkpoint(trained_run, trained_run.parent / "bundle", spec_of)


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory) -> Path:
    config, network = random_network("tictactoe", ["network.latent_size=8", "network.hidden_size=8"])
    return export_network(network, config, tmp_path_factory.mktemp("small") / "bundle", training_step=7)


def assert_models_agree(ours, theirs, network, seed: int = 0) -> None:
    """Both models give the same outputs (1e-4) at batch 1 and 64 on random observations and actions."""
    rng = np.random.default_rng(seed)
    for batch in (1, 64):
        observations = rng.uniform(0, 1, (batch, *network.observation_shape)).astype(np.float32)
        to_play = rng.integers(0, network.num_players, batch)
        mine, reference = ours.initial_inference(observations, to_play), theirs.initial_inference(observations, to_play)
        for field in ("latents", "policy_logits", "values"):
            np.testing.assert_allclose(getattr(mine, field), getattr(reference, field), atol=1e-4, err_msg=field)
        assert np.ptp(reference.values) > 1e-3  # the comparison is not between constants
        actions = rng.integers(0, network.num_actions, batch)
        mine, reference = (
            ours.recurrent_inference(mine.latents, actions),
            theirs.recurrent_inference(reference.latents, actions),
        )
        for field in ("latents", "rewards", "next_player_logits", "policy_logits", "values"):
            np.testing.assert_allclose(getattr(mine, field), getattr(reference, field), atol=1e-4, err_msg=field)
        assert mine.values.shape == (batch, network.num_players)


@pytest.mark.parametrize("name", GAMES)
def test_onnx_model_matches_torch_model_at_batch_1_and_64(name, tmp_path):
    game, settings = GAMES[name]
    config, network = random_network(game, settings)
    assert_models_agree(OnnxModel.load(export_network(network, config, tmp_path)), TorchModel(network), network)


@pytest.mark.parametrize("name", GAMES)
def test_onnx_mirror_answers_with_the_weights_of_its_last_refresh(name):
    game, settings = GAMES[name]
    _, network = random_network(game, settings)
    mirror = OnnxMirrorModel(network)
    assert_models_agree(mirror, TorchModel(network), network)
    _, retrained = random_network(game, settings, seed=1)
    network.load_state_dict(retrained.state_dict())
    observations = np.ones((2, *network.observation_shape), dtype=np.float32)
    stale = mirror.initial_inference(observations, np.zeros(2, dtype=np.int64)).values
    mirror.refresh()
    assert_models_agree(mirror, TorchModel(network), network, seed=1)
    assert not np.allclose(stale, mirror.initial_inference(observations, np.zeros(2, dtype=np.int64)).values)


def test_model_json_and_onnx_metadata_hold_the_same_facts(small_bundle):
    info = read_bundle(small_bundle).info
    data = json.loads((small_bundle / MODEL_JSON).read_text())
    assert data["format"] == "muzero-nplayer-model" and data["version"] == 1
    assert (info.game, info.num_players, info.num_actions, info.training_step) == ("tictactoe", 2, 9, 7)
    assert info.observation_shape == (2, 3, 3) and info.latent_shape == (8,)
    assert (info.value_support, info.reward_support, info.scale_transform) == (1, 1, False)
    config = experiment_config("tictactoe", None, ["network.latent_size=8", "network.hidden_size=8"])
    assert info.experiment_config() == config
    assert info.search == dataclasses.asdict(config.search)
    for file in (INITIAL_FILE, RECURRENT_FILE):
        model = onnx.load(small_bundle / file)
        metadata = {prop.key: prop.value for prop in model.metadata_props}
        assert json.loads(metadata[METADATA_KEY]) == data
        assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"


def break_missing_json(bundle: Path) -> None:
    (bundle / MODEL_JSON).unlink()


def break_json(bundle: Path) -> None:
    (bundle / MODEL_JSON).write_text('{"format": "muzero-nplayer-model", ')


def break_version(bundle: Path) -> None:
    data = json.loads((bundle / MODEL_JSON).read_text())
    (bundle / MODEL_JSON).write_text(json.dumps({**data, "version": 99}))


def break_field(bundle: Path) -> None:
    data = json.loads((bundle / MODEL_JSON).read_text())
    (bundle / MODEL_JSON).write_text(json.dumps({**data, "num_players": "two"}))


def break_missing_onnx(bundle: Path) -> None:
    (bundle / RECURRENT_FILE).unlink()


def break_onnx(bundle: Path) -> None:
    (bundle / RECURRENT_FILE).write_bytes(b"not an onnx model")


def strip_metadata(bundle: Path) -> None:
    model = onnx.load(bundle / INITIAL_FILE)
    del model.metadata_props[:]
    onnx.save(model, bundle / INITIAL_FILE)


def mix_exports(bundle: Path) -> None:
    data = json.loads((bundle / MODEL_JSON).read_text())
    (bundle / MODEL_JSON).write_text(json.dumps({**data, "training_step": 8}))


@pytest.mark.parametrize(
    "damage, message",
    [
        (break_missing_json, "no model.json"),
        (break_json, "not valid JSON"),
        (break_version, "version 99"),
        (break_field, "num_players"),
        (break_missing_onnx, "lacks recurrent.onnx"),
        (break_onnx, "not a readable ONNX model"),
        (strip_metadata, "no 'muzero' metadata"),
        (mix_exports, "different exports"),
    ],
)
def test_a_broken_bundle_is_a_one_line_user_error(small_bundle, tmp_path, damage, message):
    bundle = Path(shutil.copytree(small_bundle, tmp_path / "bundle"))
    damage(bundle)
    with pytest.raises(UserError, match=message) as error:
        OnnxModel.load(bundle)
    assert "\n" not in str(error.value)


def test_a_missing_folder_or_a_file_is_not_a_bundle(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        OnnxModel.load(tmp_path / "nowhere")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="not a model bundle folder"):
        OnnxModel.load(tmp_path / "file")


def test_observations_of_the_wrong_shape_are_a_user_error(small_bundle):
    wrong = np.zeros((1, 3, 3), dtype=np.float32)
    with pytest.raises(UserError, match=r"shape \(2, 3, 3\)"):
        OnnxModel.load(small_bundle).initial_inference(wrong, np.zeros(1))
    _, network = random_network("tictactoe", [])
    with pytest.raises(UserError, match=r"shape \(2, 3, 3\)"):
        TorchModel(network).initial_inference(wrong, np.zeros(1))


def positions(count: int):
    """tic-tac-toe envs after 0, 1, 2, ... fixed moves."""
    moves = [4, 0, 8, 2, 6]
    for length in range(count):
        env = envs.make_env("tictactoe")
        env.reset(seed=0)
        for move in moves[:length]:
            env.step(move)
        yield env


def test_onnx_and_torch_agents_search_alike_on_the_same_positions(trained_run, trained_bundle):
    onnx_agent = Agent.load(trained_bundle, num_simulations=24)
    torch_agent = Agent.load(trained_run, num_simulations=24)
    assert type(onnx_agent.model) is OnnxModel and type(torch_agent.model) is TorchModel
    assert onnx_agent.config == torch_agent.config and onnx_agent.training_step == torch_agent.training_step == 6
    for env in positions(4):
        ours, theirs = onnx_agent.search(env), torch_agent.search(env)
        np.testing.assert_array_equal(ours.visit_counts, theirs.visit_counts)
        np.testing.assert_allclose(ours.priors, theirs.priors, atol=1e-5)
        np.testing.assert_allclose(ours.q_values, theirs.q_values, atol=1e-4)
        np.testing.assert_allclose(ours.root_value, theirs.root_value, atol=1e-4)
        assert ours.action == theirs.action


def test_search_result_describes_the_root_and_its_tree(trained_bundle):
    agent = Agent.load(trained_bundle, num_simulations=16)
    env = list(positions(3))[2]  # X in the centre, O in a corner, X (player 0) to move
    result = agent.search(env)
    assert isinstance(result, SearchResult)
    assert result.to_play == 0 and result.legal_mask.sum() == 7 and result.legal_mask[result.action]
    assert result.visit_counts.sum() == 16 and result.visit_counts[~result.legal_mask].sum() == 0
    assert result.action == int(np.argmax(result.visit_counts))
    assert result.priors.shape == (9,) and result.q_values.shape == (9, 2) and result.root_value.shape == (2,)
    assert result.tree.visits == 17 and result.tree.to_play == 0
    assert sorted(child.action for child in result.tree.children) == np.flatnonzero(result.visit_counts).tolist()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.action = 0


def test_a_bundle_agent_refuses_an_env_of_another_game(small_bundle):
    env = envs.make_env("connect4")
    env.reset(seed=0)
    with pytest.raises(UserError, match="this model plays tictactoe"):
        Agent.load(small_bundle).act(env)


TORCH_FREE_GAME = """
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "ray"):
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, Blocked())
import envs
from envs.opponents import RandomPlayer
from muzero import Agent

agent, opponent = Agent.load(sys.argv[1], num_simulations=8), RandomPlayer(seed=1)
env = envs.make_env("tictactoe")
env.reset(seed=0)
moves = 0
for name in env.agent_iter():
    observation, _, terminated, truncated, _ = env.last()
    if terminated or truncated:
        env.step(None)
        continue
    action = (agent if name == env.possible_agents[0] else opponent).act(env)
    assert observation["action_mask"][action] == 1, (action, observation["action_mask"])
    env.step(action)
    moves += 1
assert 5 <= moves <= 9 and not {"torch", "ray"} & set(sys.modules)
print("ok", moves)
"""


def test_a_bundle_agent_plays_a_game_where_torch_and_ray_cannot_be_imported(trained_bundle):
    result = subprocess.run(
        [sys.executable, "-c", TORCH_FREE_GAME, str(trained_bundle)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok ")


def test_export_cli_writes_a_bundle_and_refuses_bad_input_in_one_line(trained_run, tmp_path, capsys):
    assert export_main([str(trained_run), "--out", str(tmp_path / "bundle")]) == 0
    assert "step 6" in capsys.readouterr().out and read_bundle(tmp_path / "bundle").info.training_step == 6
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    for argv in (
        [str(tmp_path / "nowhere"), "--out", str(tmp_path / "b")],
        [str(trained_run), "--out", str(tmp_path / "busy")],
    ):
        assert export_main(argv) == 2
        error = capsys.readouterr().err
        assert error.startswith("muzero-export: error: ") and error.count("\n") == 1


def test_export_sets_the_bundles_simulations_at_play_and_keeps_the_training_config(trained_run, tmp_path, capsys):
    assert export_main([str(trained_run), "--out", str(tmp_path / "bundle"), "--simulations", "77"]) == 0
    assert "77 simulations per move" in capsys.readouterr().out
    info = read_bundle(tmp_path / "bundle").info
    trained_with = info.config["search"]["num_simulations"]
    assert info.search["num_simulations"] == 77 != trained_with
    assert Agent.load(tmp_path / "bundle").params.num_simulations == 77
    assert export_main([str(trained_run), "--out", str(tmp_path / "other"), "--simulations", "0"]) == 2
    assert "--simulations must be at least 1" in capsys.readouterr().err


def test_export_reads_the_games_sizes_from_the_checkpoint_without_making_the_game(trained_run, tmp_path):
    def no_game(game):
        raise AssertionError(f"the export asked for the sizes of {game.name}")

    info = read_bundle(export_checkpoint(trained_run, tmp_path / "bundle", no_game)).info
    assert (info.num_players, info.num_actions, info.observation_shape) == (2, 9, (2, 3, 3))
    assert info.training_step == 6


SHIPPED_BUNDLE = Path(__file__).resolve().parents[2] / "models" / "tictactoe"


def shipped_bundle_with(tmp_path: Path, change) -> Path:
    """A copy of the shipped tic-tac-toe bundle whose model.json data `change` edited in place."""
    bundle = Path(shutil.copytree(SHIPPED_BUNDLE, tmp_path / "bundle"))
    data = json.loads((bundle / MODEL_JSON).read_text())
    change(data)
    (bundle / MODEL_JSON).write_text(json.dumps(data))
    return bundle


def test_a_bundle_with_a_learner_setting_of_a_later_muzero_still_loads_and_plays(tmp_path):
    from pettingzoo.classic import tictactoe_v3

    bundle = shipped_bundle_with(tmp_path, lambda data: data["config"]["learner"].update(some_future_field=1))
    agent = Agent.load(bundle, num_simulations=8)
    data = json.loads((bundle / MODEL_JSON).read_text())
    assert agent.config.learner.batch_size == data["config"]["learner"]["batch_size"]  # known settings are kept
    assert agent.config.search == SearchConfig(**data["search"])  # it plays by the bundle's play search
    env = tictactoe_v3.env()
    env.reset(seed=0)
    action = agent.act(env)
    assert env.last()[0]["action_mask"][action] == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("some_future_field", 1, "unknown config field 'search.some_future_field'"), ("num_simulations", 0, "at least 1")],
)
def test_a_bundle_whose_play_search_this_muzero_cannot_read_is_a_one_line_error(tmp_path, field, value, message):
    bundle = shipped_bundle_with(tmp_path, lambda data: data["search"].update({field: value}))
    with pytest.raises(UserError, match=message) as error:
        Agent.load(bundle)
    assert "\n" not in str(error.value) and "model.json" in str(error.value)


def test_export_refuses_weights_that_do_not_fit_the_config(tmp_path):
    config, network = random_network("tictactoe", [])
    state = {key: value for key, value in network.state_dict().items() if "prediction" not in key}
    save_checkpoint(Checkpoint(config, Counters(), state, {}), tmp_path / "bad.pt")
    with pytest.raises(UserError, match="do not fit"):
        export_checkpoint(tmp_path / "bad.pt", tmp_path / "bundle", spec_of)
