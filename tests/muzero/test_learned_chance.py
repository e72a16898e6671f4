"""The learned model with chance codes (Stochastic MuZero): its search against the reference oracle, its
bundle against the torch network, its replay's next observations, and codes learned from data alone: a coin
whose side only the next observation shows, predicted at its real odds."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import torch

from muzero.core.config import (
    ExperimentConfig,
    GameConfig,
    LearnerConfig,
    NetworkConfig,
    ReplayConfig,
    SearchConfig,
    config_from_dict,
)
from muzero.core.errors import UserError
from muzero.core.game_kit import GameSpec
from muzero.core.types import Batch, Decision, Trajectory
from muzero.model.dynamics import LearnedDynamics
from muzero.model.inference import OnnxModel
from muzero.model.onnx_mirror import OnnxMirrorModel
from muzero.model.torch_model import TorchModel
from muzero.networks import muzero_net
from muzero.replay import ReplayBuffer
from muzero.search import extract_tree, search
from muzero.search.reference import reference_search
from muzero.training.export import export_network
from muzero.training.learner import Learner

OBSERVATION, ACTIONS, PLAYERS, CODES = (8,), 3, 3, 4
PARAMS = SearchConfig(num_simulations=48, exploration_fraction=0.0)


def chance_network(codes: int = CODES, seed: int = 0, **network) -> torch.nn.Module:
    torch.manual_seed(seed)
    config = NetworkConfig(latent_size=16, hidden_size=32, hidden_layers=1, chance_codes=codes, **network)
    net = muzero_net(config, OBSERVATION, ACTIONS, PLAYERS)
    for parameter in net.parameters():  # a network far from its zero-initialised heads: real choices
        torch.nn.init.normal_(parameter, std=0.4)
    return net


def decisions(count: int = 3) -> list[Decision]:
    rng = np.random.default_rng(1)
    return [
        Decision(rng.uniform(size=OBSERVATION).astype(np.float32), b % PLAYERS, np.ones(ACTIONS, bool))
        for b in range(count)
    ]


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
def test_the_batched_search_over_afterstates_agrees_with_the_reference(algorithm: str) -> None:
    params = dataclasses.replace(PARAMS, algorithm=algorithm, gumbel_scale=0.0)
    dynamics = LearnedDynamics(TorchModel(chance_network()))
    roots = dynamics.roots(decisions())
    assert roots.chance_outcomes == CODES
    batched = search(roots, dynamics.recurrent_inference, params, np.random.default_rng(0))
    reference = reference_search(roots, dynamics.recurrent_inference, params, np.random.default_rng(0))
    np.testing.assert_array_equal(batched.visit_counts, reference.visit_counts)
    np.testing.assert_allclose(batched.q_values, reference.q_values, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(batched.root_values, reference.root_values, rtol=1e-5, atol=1e-5)
    root = extract_tree(batched, 1)
    for afterstate in root.children:  # every move goes into a chance node of the mover, over the codes
        assert afterstate.chance and afterstate.to_play == root.to_play
        assert all(not outcome.chance for outcome in afterstate.children)
        assert sum(outcome.prior for outcome in afterstate.children) <= 1 + 1e-6


def test_a_deterministic_game_is_the_case_of_one_code() -> None:
    dynamics = LearnedDynamics(TorchModel(chance_network(codes=1)))
    output = search(dynamics.roots(decisions(2)), dynamics.recurrent_inference, PARAMS, np.random.default_rng(0))
    root = extract_tree(output, 0)
    for afterstate in root.children:
        assert afterstate.chance and [outcome.prior for outcome in afterstate.children] == pytest.approx([1.0])
    assert output.visit_counts.sum(axis=1).tolist() == [PARAMS.num_simulations] * 2


def test_the_bundle_and_the_mirror_step_as_the_torch_network(tmp_path) -> None:
    net = chance_network()
    config = ExperimentConfig(game=GameConfig("pig"), network=net_config(net))
    export_network(net, config, tmp_path / "bundle")
    assert (tmp_path / "bundle" / "afterstate.onnx").is_file()
    models = [TorchModel(net), OnnxModel.load(tmp_path / "bundle"), OnnxMirrorModel(net)]
    assert [model.chance_codes for model in models] == [CODES] * 3
    observations = np.stack([d.observation for d in decisions(4)])
    latents = models[0].initial_inference(observations, np.arange(4) % PLAYERS).latents
    actions, from_chance = np.array([0, 2, 3, 1]), np.array([False, False, True, True])
    answers = [model.recurrent_inference(latents, actions, from_chance) for model in models]
    for answer in answers[1:]:
        for name in ("latents", "rewards", "values", "policy_logits", "chance_probabilities"):
            np.testing.assert_allclose(getattr(answer, name), getattr(answers[0], name), atol=1e-4, err_msg=name)
    probabilities = answers[0].chance_probabilities
    np.testing.assert_allclose(probabilities[:2].sum(axis=1), 1.0, atol=1e-6)  # afterstates: chance nodes
    assert not probabilities[2:].any() and not answers[0].rewards[:2].any()  # next states: decisions


def net_config(net) -> NetworkConfig:
    return NetworkConfig(latent_size=16, hidden_size=32, hidden_layers=1, chance_codes=net.chance_codes)


def test_the_replay_hands_out_the_observation_after_each_unroll_step() -> None:
    length, steps = 4, 3
    observations = np.arange(length, dtype=np.float32)[:, None].repeat(5, axis=1)  # decision t shows t
    trajectory = Trajectory(
        observations=observations,
        to_play=np.zeros(length, np.int64),
        actions=np.zeros(length, np.int64),
        rewards=np.zeros((length, 1), np.float32),
        policies=np.full((length, 2), 0.5, np.float32),
        root_values=np.zeros((length, 1), np.float32),
        legal_masks=np.ones((length, 2), bool),
        terminal=True,
    )
    spec = GameSpec(observation_shape=(5,), num_actions=2, num_players=1)
    buffer = ReplayBuffer(ReplayConfig(capacity=100, unroll_steps=steps, td_steps=2), spec, next_observations=True)
    buffer.add(trajectory)
    batch = buffer.sample(64, np.random.default_rng(0))
    starts = batch.observations[:, 0].astype(int)
    for start, following in zip(starts, batch.next_observations[:, :, 0], strict=True):
        expected = [start + k + 1 if start + k + 1 < length else 0 for k in range(steps)]
        assert following.tolist() == expected


def coin_batch(rng: np.random.Generator, size: int = 128) -> Batch:
    """A one-player game of one move: chance then tosses a coin, heads (0.7) pays 1, tails 0; only the
    observation after the move shows the side (its first element)."""
    heads = rng.random(size) < 0.7
    after = np.zeros((size, 1, *OBSERVATION), np.float32)
    after[:, 0, 0], after[:, 0, 1] = heads, ~heads
    return Batch(
        observations=np.zeros((size, *OBSERVATION), np.float32),
        to_play=np.zeros(size, np.int64),
        actions=np.zeros((size, 1), np.int64),
        target_values=np.stack([0.7 * np.ones(size), np.zeros(size)], axis=1)[..., None].astype(np.float32),
        value_mask=np.ones((size, 2, 1), np.float32),
        target_rewards=heads[:, None, None].astype(np.float32),
        target_policies=np.stack([np.eye(ACTIONS)[np.zeros(size, int)], np.zeros((size, ACTIONS))], axis=1).astype(
            np.float32
        ),
        policy_mask=np.stack([np.ones(size), np.zeros(size)], axis=1).astype(np.float32),
        target_next_players=np.zeros((size, 1), np.int64),
        next_player_mask=np.zeros((size, 1), np.float32),
        weights=np.ones(size, np.float32),
        indices=np.arange(size),
        next_observations=after,
    )


def test_codes_learned_from_data_alone_follow_the_real_odds() -> None:
    torch.manual_seed(0)
    config = NetworkConfig(
        latent_size=16, hidden_size=32, hidden_layers=1, value_support=0, reward_support=0, chance_codes=2
    )
    net = muzero_net(config, OBSERVATION, ACTIONS, 1)
    learner = Learner.from_config(net, LearnerConfig(batch_size=128, learning_rate=3e-3, weight_decay=0.0), config, 1)
    rng = np.random.default_rng(0)
    for _ in range(400):
        learner.train_step(coin_batch(rng))
    model = TorchModel(net)
    latent = model.initial_inference(np.zeros((1, *OBSERVATION), np.float32), np.zeros(1, np.int64)).latents
    afterstate = model.recurrent_inference(latent, np.zeros(1, np.int64), np.zeros(1, bool))
    probabilities = afterstate.chance_probabilities[0]
    rewards = [
        model.recurrent_inference(afterstate.latents, np.array([code]), np.ones(1, bool)).rewards[0, 0]
        for code in range(2)
    ]
    heads = int(np.argmax(rewards))  # the code the encoder gave heads: the one whose step pays
    assert probabilities[heads] == pytest.approx(0.7, abs=0.05)
    assert rewards[heads] == pytest.approx(1.0, abs=0.1) and rewards[1 - heads] == pytest.approx(0.0, abs=0.1)
    assert afterstate.values[0, 0] == pytest.approx(0.7, abs=0.1)  # the move's value, the expectation


def die_batch(rng: np.random.Generator, size: int = 128) -> Batch:
    """A die of six faces whose face only the next observation shows; the face pays face / 6."""
    face = rng.integers(0, 6, size)
    batch = coin_batch(rng, size)
    after = np.zeros_like(batch.next_observations)
    after[np.arange(size), 0, face] = 1.0
    rewards = (face / 6.0)[:, None, None].astype(np.float32)
    values = np.stack([np.full(size, 2.5 / 6), np.zeros(size)], axis=1)[..., None].astype(np.float32)
    return dataclasses.replace(
        batch,
        next_observations=after,
        target_rewards=rewards,
        target_values=values,
        next_player_mask=np.ones((size, 1), np.float32),
    )


def codes_of_six_faces() -> set[int]:
    """The codes a fresh network's encoder gives the six faces after 600 steps on the die."""
    torch.manual_seed(0)
    config = NetworkConfig(
        latent_size=16, hidden_size=32, hidden_layers=1, value_support=0, reward_support=0, chance_codes=6
    )
    net = muzero_net(config, OBSERVATION, ACTIONS, 1)
    learner = Learner.from_config(net, LearnerConfig(batch_size=128, learning_rate=3e-3, weight_decay=0.0), config, 1)
    rng = np.random.default_rng(0)
    for _ in range(600):
        learner.train_step(die_batch(rng))
    faces = np.eye(6, OBSERVATION[0], dtype=np.float32)
    return set(TorchModel(net).chance_code_probabilities(np.zeros_like(faces), faces).argmax(axis=1).tolist())


def test_the_encoder_tells_the_faces_of_a_die_apart_where_its_commitment_alone_collapses(monkeypatch) -> None:
    told_apart = codes_of_six_faces()
    from muzero.training import chance_unroll

    for name, weight in (("COMMITMENT", 1.0), ("DIVERSITY", 0.0), ("CONSISTENCY", 0.0)):
        monkeypatch.setattr(chance_unroll, name, weight)
    collapsed = codes_of_six_faces()
    assert len(told_apart) >= 4 and len(collapsed) <= 2


def test_averaging_the_views_of_a_model_with_chance_codes_is_refused() -> None:
    with pytest.raises(UserError, match="average_symmetries_at_play"):
        config_from_dict(
            {"game": {"name": "2048"}, "network": {"chance_codes": 8}, "search": {"average_symmetries_at_play": True}}
        )


TORCH_FREE_PIG = """
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "ray"):
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, Blocked())
import envs
from muzero import Agent

agent = Agent.load(sys.argv[1])
assert agent.params.dynamics == "learned"
env = envs.make_env("pig", target=30)
env.reset(seed=0)
moves = chance_nodes = children = 0
for name in env.agent_iter():
    observation, _, terminated, truncated, _ = env.last()
    if terminated or truncated:
        env.step(None)
        continue
    result = agent.search(env)
    chance_nodes += sum(child.chance for child in result.tree.children)
    children += len(result.tree.children)
    assert observation["action_mask"][result.action] == 1
    env.step(result.action)
    moves += 1
assert not {"torch", "ray"} & set(sys.modules)
print("ok", moves, chance_nodes, children)
"""


@pytest.fixture(scope="module")
def pig_chance_bundle(tmp_path_factory):
    from muzero.faces.cli import export_main, train_main

    folder = tmp_path_factory.mktemp("pig-chance")
    run, bundle = folder / "run", folder / "bundle"
    settings = ("search.dynamics=learned", "replay.unroll_steps=3", "network.chance_codes=6")
    settings += ("run.min_replay_positions=100", "search.num_simulations=8", "game.target=30")
    arguments = [argument for setting in settings for argument in ("--set", setting)]
    assert train_main(["pig", "--sync", "--steps", "20", "--out", str(run), "--quiet", *arguments]) == 0
    assert export_main([str(run), "--out", str(bundle)]) == 0
    return bundle


def test_pig_trains_a_learned_model_with_chance_codes_and_plays_it_without_torch(pig_chance_bundle) -> None:
    assert {path.name for path in pig_chance_bundle.iterdir()} >= {"afterstate.onnx", "encoder.onnx"}
    result = subprocess.run(
        [sys.executable, "-c", TORCH_FREE_PIG, str(pig_chance_bundle)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    moves, chance_nodes, children = map(int, result.stdout.split()[1:])
    assert moves > 0 and chance_nodes == children >= moves  # every move searched goes into an afterstate


def test_muzero_diagnose_compares_the_predicted_chance_with_the_real_one(pig_chance_bundle, tmp_path, capsys) -> None:
    import json

    from muzero.faces.diagnose_cli import diagnose_main

    out = tmp_path / "report"
    assert diagnose_main([str(pig_chance_bundle), "--games", "2", "--horizon", "2", "--out", str(out)]) == 0
    assert "chance: predicted vs real code distribution" in capsys.readouterr().out
    chance = json.loads((out / "report.json").read_text())["chance"]
    assert chance["afterstates"] > 0 and chance["codes"] == 6 and 1 <= chance["codes_used"] <= 6
    assert 0.0 <= chance["total_variation_mean"] <= chance["total_variation_max"] <= 1.0
    assert "## Chance" in (out / "report.md").read_text()


class CoinModel:
    """A stub model with two codes: its encoder reads heads (code 1) off the next observation's first element,
    its afterstates predict `predicted`."""

    chance_codes = 2

    def __init__(self, predicted: list[float]) -> None:
        self.predicted = np.array(predicted, np.float32)

    def initial_inference(self, observations, to_play):
        from muzero.model.inference import InitialOutput

        rows = len(observations)
        return InitialOutput(np.zeros((rows, 1), np.float32), np.zeros((rows, 2), np.float32), np.zeros((rows, 1)))

    def recurrent_inference(self, latents, actions, from_chance=None):
        from muzero.search import RecurrentOutput

        rows = len(actions)
        zeros = np.zeros((rows, 1), np.float32)
        probabilities = np.tile(self.predicted, (rows, 1))
        return RecurrentOutput(latents, zeros, zeros, np.zeros((rows, 2)), zeros, chance_probabilities=probabilities)

    def chance_code_probabilities(self, observations, next_observations):
        heads = next_observations[:, 0] > 0
        return np.stack([~heads, heads], axis=1).astype(np.float32)


def test_the_chance_figures_carry_the_real_outcomes_onto_the_codes_by_the_encoder() -> None:
    from muzero.diagnosis.chance import ChanceSample, chance_figures

    heads, tails = np.eye(2, dtype=np.float32)
    sample = ChanceSample(np.zeros(2, np.float32), 0, 0, np.array([0.3, 0.7]), np.stack([tails, heads]))
    exact = chance_figures(CoinModel([0.3, 0.7]), [sample])
    assert exact["total_variation_mean"] == pytest.approx(0.0, abs=1e-6) and exact["codes_used"] == 2
    even = chance_figures(CoinModel([0.5, 0.5]), [sample])
    assert even["total_variation_mean"] == pytest.approx(0.2, abs=1e-6)
    assert even["uniform_total_variation_mean"] == pytest.approx(0.2, abs=1e-6)
