"""Training with the search over the game's rules: no unroll, value targets mixed with the root value,
playout-cap randomisation, and the bundle that records its search and plays it without torch."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import envs
from muzero import Agent
from muzero.core.config import ReplayConfig
from muzero.core.errors import UserError
from muzero.core.game_kit import GameSpec
from muzero.evaluation.evaluate import play_games
from muzero.faces.cli import export_main
from muzero.faces.games import game_kit
from muzero.model.torch_model import TorchModel
from muzero.replay.buffer import ReplayBuffer
from muzero.training import components
from muzero.training.selfplay import SelfPlay
from muzero.training.train import train
from tests.muzero.test_training import play_one_game, setup, tiny_config

RULES = ("search.dynamics=rules", "replay.unroll_steps=0")


def test_no_unroll_needs_the_rules_search():
    with pytest.raises(UserError, match="unroll_steps.*needs search.dynamics"):
        tiny_config("tictactoe", "replay.unroll_steps=0")


def selfplay_records(*settings: str, moves: int = 3) -> list:
    config = tiny_config("tictactoe", *RULES, "selfplay.parallel_games=32", *settings)
    kit = game_kit(config.game)
    network = components.build_network(config.network, kit.spec)
    selfplay = SelfPlay(kit.make_game, TorchModel(network), config.search, config.selfplay, np.random.default_rng(0))
    for _ in range(moves):
        selfplay.play_move(0)
    return selfplay.records


def test_playout_cap_randomisation_trains_the_policy_on_full_searches_only():
    full = [policy.sum() for record in selfplay_records() for policy in record.policies]
    np.testing.assert_allclose(full, 1.0, rtol=1e-5)
    fast = selfplay_records("selfplay.full_search_probability=0")
    assert all(policy.sum() == 0 for record in fast for policy in record.policies)  # no policy target
    assert all(np.isfinite(value).all() for record in fast for value in record.root_values)
    mixed = [
        policy.sum() > 0
        for record in selfplay_records("selfplay.full_search_probability=0.5")
        for policy in record.policies
    ]
    assert 0.3 < np.mean(mixed) < 0.7


def test_value_targets_mix_the_outcome_with_the_root_value():
    spec = GameSpec(num_players=2, num_actions=3, observation_shape=(2,))
    rewards = np.array([[0, 0], [0, 0], [1, -1]], np.float32)  # player 0 wins at the last move
    root_values = np.array([[0.2, -0.2], [-0.4, 0.4], [0.6, -0.6]], np.float32)
    from muzero.core.types import Trajectory

    trajectory = Trajectory(
        observations=np.zeros((3, 2), np.float32),
        to_play=np.array([0, 1, 0]),
        actions=np.array([0, 1, 2]),
        rewards=rewards,
        policies=np.full((3, 3), 1 / 3, np.float32),
        root_values=root_values,
        legal_masks=np.ones((3, 3), bool),
        terminal=True,
    )
    buffer = ReplayBuffer(ReplayConfig(td_steps=10, unroll_steps=0, search_value_mix=0.5), spec)
    buffer.add(trajectory)
    batch = buffer.sample(64, np.random.default_rng(0))
    expected = {0: [0.6, -0.6], 1: [0.3, -0.3], 2: [0.8, -0.8]}  # (outcome [1, -1] + root value) / 2
    steps = (batch.indices % buffer.capacity).tolist()
    for row, step in enumerate(steps):
        np.testing.assert_allclose(batch.target_values[row, 0], expected[step], atol=1e-6)
    assert batch.actions.shape == (64, 0)  # no unroll


@pytest.fixture(scope="module")
def rules_bundle(tmp_path_factory):
    """A tiny tic-tac-toe run searched with the rules, exported at 16 simulations."""
    root = tmp_path_factory.mktemp("rules")
    config = tiny_config("tictactoe", *RULES, "replay.search_value_mix=0.5", "selfplay.full_search_probability=0.5")
    result = train(setup(config, root / "run"))
    assert result.stopped_by == "steps"
    assert export_main([str(root / "run"), "--out", str(root / "bundle"), "--simulations", "16"]) == 0
    return root / "bundle"


def test_the_bundle_records_its_search_and_plays_by_it(rules_bundle):
    info = json.loads((rules_bundle / "model.json").read_text())
    assert info["search"]["dynamics"] == "rules"
    agent = Agent.load(rules_bundle)
    assert agent.params.dynamics == "rules" and agent.params.num_simulations == 16
    assert 5 <= len(play_one_game(agent, envs.make_env("tictactoe"))) <= 9


def test_a_network_without_trained_dynamics_refuses_the_learned_search(rules_bundle):
    with pytest.raises(UserError, match="dynamics were not trained"):
        Agent.load(rules_bundle, dynamics="learned")


def test_a_rules_agent_wins_against_random_from_a_tiny_run(rules_bundle):
    from envs.opponents import RandomPlayer

    agent = Agent.load(rules_bundle, num_simulations=64)
    returns = play_games(agent, RandomPlayer, agent.game.make_game, agent_seat=0, games=10, seed=0)
    assert (returns[:, 0] >= 0).all()  # the rules see every win in one and every threat of one: no loss


TORCH_FREE_RULES_GAME = """
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "ray"):
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, Blocked())
import envs
from muzero import Agent

agent = Agent.load(sys.argv[1], num_simulations=16)
assert agent.params.dynamics == "rules"
env = envs.make_env("tictactoe")
env.reset(seed=0)
moves = 0
for name in env.agent_iter():
    observation, _, terminated, truncated, _ = env.last()
    if terminated or truncated:
        env.step(None)
        continue
    action = agent.act(env)
    assert observation["action_mask"][action] == 1
    env.step(action)
    moves += 1
assert not {"torch", "ray"} & set(sys.modules)
print("ok", moves)
"""


def test_a_rules_bundle_plays_where_torch_cannot_be_imported(rules_bundle):
    result = subprocess.run(
        [sys.executable, "-c", TORCH_FREE_RULES_GAME, str(rules_bundle)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok ")


def test_muzero_diagnose_says_in_one_line_that_a_rules_model_has_no_dynamics(rules_bundle, capsys):
    from muzero.faces.diagnose_cli import diagnose_main

    assert diagnose_main([str(rules_bundle), "--games", "1"]) == 2
    error = capsys.readouterr().err.strip()
    assert "dynamics were not trained" in error and len(error.splitlines()) == 1


def test_muzero_eval_plays_a_model_with_either_search(capsys):
    from muzero.faces.cli import eval_main

    # the shipped tic-tac-toe model searches with the rules and trained its dynamics too
    argv = ["models/tictactoe", "--against", "random", "--games", "2", "--simulations", "16", "--json"]
    assert eval_main([*argv, "--dynamics", "learned"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dynamics"] == "learned" and report["total"]["games"] == 4
    assert eval_main(argv) == 0
    assert json.loads(capsys.readouterr().out)["dynamics"] == "rules"  # the bundle's own
