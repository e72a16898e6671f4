"""One-player Gymnasium games: truncation bootstraps, returns are reported, agents run on Gymnasium envs."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

import envs
from muzero import Agent
from muzero.core.errors import UserError
from muzero.distributed.evaluator import Evaluator
from muzero.distributed.messages import WeightsSnapshot, numpy_weights
from muzero.evaluation.evaluate import play_episodes
from muzero.evaluation.evaluations import EvaluationLog, EvaluationResult
from muzero.evaluation.returns import ReturnStats, ReturnWindow, episode_returns
from muzero.faces.cli import eval_main, export_main, train_main
from muzero.faces.diagnose_cli import diagnose_main
from muzero.faces.games import experiment_config, game_kit
from muzero.model.torch_model import TorchModel
from muzero.networks.support import scalar_to_support, support_to_scalar
from muzero.replay.targets import value_targets
from muzero.training.components import build_network
from muzero.training.selfplay import SelfPlay
from muzero.training.train import train
from tests.muzero.test_training import TINY, setup, tiny_config

CARTPOLE = "gym:CartPole-v1"
MODELS = Path(__file__).resolve().parents[2] / "models"


def test_a_truncated_return_bootstraps_from_the_final_value_and_an_ended_one_does_not():
    rewards = np.ones((4, 1), dtype=np.float32)
    root_values = np.full((4, 1), 7.0, dtype=np.float32)
    ended = value_targets(rewards, root_values, td_steps=3, discount=0.5)
    truncated = value_targets(rewards, root_values, td_steps=3, discount=0.5, final_value=np.array([8.0]))
    # t=0: 1 + 0.5 + 0.25 + 0.125 * root value 7 inside the game, whether or not it was truncated
    assert ended[0, 0] == pytest.approx(1.75 + 0.125 * 7) and truncated[0, 0] == ended[0, 0]
    # t=1: the horizon reaches T=4, where the truncated game is worth its final value 8, the ended one 0
    assert ended[1, 0] == pytest.approx(1.75)
    assert truncated[1, 0] == pytest.approx(1.75 + 0.125 * 8)
    assert truncated[3, 0] == pytest.approx(1 + 0.5 * 8)  # the last decision: one reward, then the final value


def test_gymnasium_truncation_is_not_an_ending_and_termination_is():
    game = envs.make(CARTPOLE, max_episode_steps=3)
    game.reset(seed=0)
    steps = [game.step(0) for _ in range(3)]
    assert [s.terminal for s in steps] == [False, False, True] and steps[-1].truncated
    game = envs.make(CARTPOLE)
    game.reset(seed=0)
    timestep = game.step(0)
    while not timestep.terminal:  # pushing left always: the pole falls within a few dozen steps
        timestep = game.step(0)
    assert not timestep.truncated


def test_selfplay_marks_truncated_episodes_and_gives_them_a_final_value():
    config = tiny_config(CARTPOLE, "game.max_episode_steps=6", "selfplay.parallel_games=4")
    kit = game_kit(config.game)
    model = TorchModel(build_network(config.network, kit.spec))
    selfplay = SelfPlay(kit.make_game, model, config.search, config.selfplay, np.random.default_rng(0))
    finished = []
    while len(finished) < 8:
        finished += selfplay.play_move(0).finished
    for trajectory in finished:
        if trajectory.length == 6:  # reached the time limit
            assert not trajectory.terminal and trajectory.final_value.shape == (1,)
        else:  # the pole fell: a real ending, nothing after it
            assert trajectory.terminal and trajectory.final_value is None
    assert any(t.length == 6 for t in finished)
    assert episode_returns(finished) == tuple(float(t.length) for t in finished)  # CartPole: 1 per step


def test_return_window_reports_the_mean_since_the_last_line_and_over_recent_episodes():
    window = ReturnWindow(recent=3)
    assert window.metrics() == {} and window.summary() is None
    window.add([10.0, 20.0])
    assert window.metrics() == {"return/recent_mean": 15.0, "return/episodes": 2, "return/mean": 15.0}
    window.add([30.0, 40.0])
    assert window.metrics() == {"return/recent_mean": 30.0, "return/episodes": 4, "return/mean": 35.0}
    assert window.summary() == "return 30.0 (last 3 episodes)"
    stats = ReturnStats.of([10.0, 20.0, 30.0])
    assert (stats.mean, stats.std) == (20.0, 10.0)
    assert stats.half_interval == pytest.approx(1.96 * 10 / np.sqrt(3))


def test_a_sync_run_on_cartpole_logs_selfplay_returns(tmp_path):
    config = tiny_config(CARTPOLE, "run.log_interval=2", "run.training_steps=8")
    train(setup(config, tmp_path / "run"))
    lines = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    with_returns = [line for line in lines if "return/recent_mean" in line]
    assert with_returns and all(line["return/recent_mean"] >= 8 for line in with_returns)  # CartPole lasts 8+ steps
    assert with_returns[-1]["return/episodes"] >= 1


def test_the_evaluator_plays_greedy_episodes_of_a_one_player_game_and_logs_their_returns(tmp_path):
    config = tiny_config(CARTPOLE, "game.max_episode_steps=20")
    evaluator = Evaluator(config, game_kit(config.game), games_per_seat=3)
    result = evaluator.evaluate(WeightsSnapshot(4, numpy_weights(evaluator.network.state_dict())))
    assert result.results == () and result.returns.episodes == 3
    assert 8 <= result.returns.minimum <= result.returns.mean <= result.returns.maximum <= 20
    assert "greedy return" in result.summary()
    log = EvaluationLog(tmp_path)
    log.append(result)
    log.append(EvaluationResult(8, (), ReturnStats.of([20.0])))
    assert log.history() == [result, EvaluationResult(8, (), ReturnStats.of([20.0]))]


@pytest.fixture(scope="module")
def cartpole_bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cartpole")
    settings = [arg for setting in [*TINY, "run.training_steps=6"] for arg in ("--set", setting)]
    assert train_main([CARTPOLE, *settings, "--sync", "--quiet", "--out", str(folder / "run")]) == 0
    assert export_main([str(folder / "run"), "--out", str(folder / "bundle")]) == 0
    return folder / "bundle"


def test_an_agent_acts_on_gymnasium_observations_and_plays_episodes(cartpole_bundle):
    agent = Agent.load(cartpole_bundle)
    env = gym.make("CartPole-v1")
    observation, info = env.reset(seed=1)
    assert agent.act(observation, info) in (0, 1)
    assert agent.act(observation, {"action_mask": np.array([0, 1], dtype=np.int8)}) == 1  # the mask is honoured
    assert agent.search(observation).visit_counts.sum() > 0
    assert agent.play_episode(env, seed=2) >= 8  # CartPole lasts at least 8 steps
    assert play_episodes(agent, agent.game.make_game, episodes=2, seed=3, max_steps=5) == [5.0, 5.0]
    with pytest.raises(UserError, match="give act\\(\\) the observation"):
        agent.act(env)
    with pytest.raises(UserError, match="observations of shape \\(4,\\)"):
        agent.act(np.zeros(3))


def test_muzero_eval_prints_the_return_of_episodes_and_records_a_video(cartpole_bundle, tmp_path, capsys):
    video = tmp_path / "video"
    assert eval_main([str(cartpole_bundle), "--episodes", "3", "--video", str(video), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["episodes"] == 3 and len(report["returns"]) == 3
    low, high = report["return_interval"]
    assert report["return_mean"] == pytest.approx(np.mean(report["returns"]))
    assert low <= report["return_mean"] <= high
    assert report["video"]["files"] and all(path.endswith(".mp4") for path in report["video"]["files"])
    assert (video / report["video"]["files"][0].split("/")[-1]).stat().st_size > 0
    assert eval_main([str(cartpole_bundle), "--episodes", "2"]) == 0
    assert "95% interval" in capsys.readouterr().out


def test_episodes_are_refused_for_a_board_game_model(capsys):
    assert eval_main([str(MODELS / "tictactoe"), "--episodes", "3"]) == 2
    assert "--episodes and --video are for one-player" in capsys.readouterr().err


class BoxGridEnv(gym.Env):
    """Observations of shape (2, 3), three actions of which info's mask allows two; ends after 4 steps."""

    observation_space = spaces.Box(-1.0, 1.0, shape=(2, 3), dtype=np.float32)
    action_space = spaces.Discrete(3)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.steps = 0
        return np.zeros((2, 3), np.float32), {"action_mask": np.array([1, 0, 1], np.int8)}

    def step(self, action):
        assert action != 1, "the mask forbids action 1"
        self.steps += 1
        return (
            np.full((2, 3), 0.1 * self.steps, np.float32),
            float(action),
            self.steps >= 4,
            False,
            {"action_mask": np.array([1, 0, 1], np.int8)},
        )


gym.register("BoxGrid-v0", entry_point=BoxGridEnv)


def test_box_observations_of_any_shape_train_with_masks_and_continuous_actions_are_refused(tmp_path, capsys):
    game = envs.make("gym:BoxGrid-v0")
    assert game.observation_shape == (2, 3) and game.reset(seed=0).legal_mask.tolist() == [True, False, True]
    settings = [arg for setting in [*TINY, "run.training_steps=4"] for arg in ("--set", setting)]
    assert train_main(["gym:BoxGrid-v0", *settings, "--sync", "--quiet", "--out", str(tmp_path / "run")]) == 0
    capsys.readouterr()
    assert train_main(["gym:Pendulum-v1", "--steps", "1", "--quiet", "--out", str(tmp_path / "p")]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "only discrete action spaces are supported" in error[0]


def test_the_shipped_cartpole_model_balances_the_pole_for_whole_episodes():
    agent = Agent.load(MODELS / "cartpole")  # onnxruntime alone
    returns = play_episodes(agent, agent.game.make_game, episodes=4, seed=100, max_steps=500)
    assert np.mean(returns) >= 475  # Gymnasium's threshold for CartPole-v1 (500 is the time limit)


@pytest.mark.parametrize(("env_id", "largest_value"), [("CartPole-v1", 1 / (1 - 0.97)), ("LunarLander-v3", 300.0)])
def test_the_gymnasium_presets_apply_and_their_supports_hold_their_values(env_id, largest_value):
    config = experiment_config(f"gym:{env_id}", None, [])
    assert config.game.name == f"gym:{env_id}" and config.search.discount < 1
    network = config.network
    values = torch.tensor([-largest_value, largest_value])
    probabilities = scalar_to_support(values, network.value_support, network.scale_transform)
    decoded = support_to_scalar(torch.log(probabilities + 1e-12), network.value_support, network.scale_transform)
    torch.testing.assert_close(decoded, values, rtol=1e-3, atol=1e-2)  # inside the support: not clipped


def test_discrete_observations_are_one_hot_for_training_and_for_the_agent():
    game = envs.make("gym:FrozenLake-v1")
    assert game.observation_shape == (16,)
    assert game.reset(seed=0).observation.tolist() == [1.0] + [0.0] * 15  # state 0, one-hot
    config = tiny_config("gym:FrozenLake-v1")
    kit = game_kit(config.game)
    agent = Agent(TorchModel(build_network(config.network, kit.spec)), config, game=kit)
    observation, info = gym.make("FrozenLake-v1").reset(seed=0)
    assert isinstance(observation, int) and agent.act(observation, info) in range(4)


def test_a_one_player_model_has_no_opponent_and_no_diagnosis(capsys):
    assert eval_main([str(MODELS / "cartpole"), "--against", "random"]) == 2
    assert "has no opponent: it plays --episodes N" in capsys.readouterr().err
    assert diagnose_main([str(MODELS / "cartpole"), "--games", "1"]) == 2
    assert "use muzero-eval --episodes" in capsys.readouterr().err
