"""Averaging a model over the game's symmetries: the mean of the views, exactly invariant under every
symmetry through the dynamics too, and an agent that plays with it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import envs
from muzero.faces.agent import Agent
from muzero.faces.games import game_kit
from muzero.model.symmetric_model import SymmetryAveragedModel
from muzero.model.torch_model import TorchModel
from muzero.play.player import PlaySettings, symmetry_averaged
from tests.muzero.test_export import random_network

DOTS = ["game.players=3"]


def dots_positions(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observations, players to move and legal masks of `count` positions of random 3-player games."""
    rng = np.random.default_rng(seed)
    game = envs.make("dots_and_boxes", players=3)
    observations, to_play, legal = [], [], []
    while len(observations) < count:
        timestep = game.reset(seed=int(rng.integers(1 << 30)))
        for _ in range(int(rng.integers(0, 18))):
            timestep = game.step(int(rng.choice(np.flatnonzero(timestep.legal_mask))))
            if timestep.terminal:
                break
        if not timestep.terminal:
            observations.append(timestep.observation)
            to_play.append(timestep.to_play)
            legal.append(timestep.legal_mask)
    return np.stack(observations).astype(np.float32), np.array(to_play), np.stack(legal)


@pytest.fixture(scope="module")
def dots_models():
    config, network = random_network("dots_and_boxes", DOTS, seed=3)
    spec = game_kit(config.game).spec
    plain = TorchModel(network)
    return config, spec, plain, SymmetryAveragedModel(plain, spec.symmetries, spec.observation_shape)


def test_the_averaged_value_is_the_mean_of_the_views(dots_models):
    _, spec, plain, averaged = dots_models
    observations, to_play, _ = dots_positions(5)
    views = [
        plain.initial_inference(s.observations(observations, spec.observation_shape), to_play) for s in spec.symmetries
    ]
    expected = np.mean([view.values for view in views], axis=0)
    np.testing.assert_allclose(averaged.initial_inference(observations, to_play).values, expected, atol=1e-5)
    assert not np.allclose(views[0].values, expected, atol=1e-3)  # the random network is far from invariant


def test_the_averaged_model_is_invariant_under_every_symmetry_through_the_dynamics(dots_models):
    _, spec, _, averaged = dots_models
    assert len(spec.symmetries) == 8
    observations, to_play, legal = dots_positions(6, seed=1)
    actions = np.array([np.flatnonzero(mask)[0] for mask in legal])
    base = averaged.initial_inference(observations, to_play)
    base_next = averaged.recurrent_inference(base.latents, actions)
    base_after = averaged.recurrent_inference(base_next.latents, (actions + 1) % legal.shape[1])
    for symmetry in spec.symmetries[1:]:
        mapped = averaged.initial_inference(symmetry.observations(observations, spec.observation_shape), to_play)
        np.testing.assert_allclose(mapped.values, base.values, atol=1e-5)
        np.testing.assert_allclose(mapped.policy_logits, symmetry.action_vectors(base.policy_logits), atol=1e-4)
        mapped_next = averaged.recurrent_inference(mapped.latents, symmetry.actions(actions))
        for field in ("values", "rewards", "next_player_logits"):
            np.testing.assert_allclose(getattr(mapped_next, field), getattr(base_next, field), atol=1e-4)
        np.testing.assert_allclose(
            mapped_next.policy_logits, symmetry.action_vectors(base_next.policy_logits), atol=1e-4
        )
        mapped_after = averaged.recurrent_inference(
            mapped_next.latents, symmetry.actions((actions + 1) % legal.shape[1])
        )
        np.testing.assert_allclose(mapped_after.values, base_after.values, atol=1e-4)


def test_one_view_is_the_plain_model(dots_models):
    _, spec, plain, _ = dots_models
    identity_only = SymmetryAveragedModel(plain, spec.symmetries[:1], spec.observation_shape)
    observations, to_play, legal = dots_positions(4, seed=2)
    ours, theirs = (
        identity_only.initial_inference(observations, to_play),
        plain.initial_inference(observations, to_play),
    )
    np.testing.assert_allclose(ours.values, theirs.values, atol=1e-6)
    np.testing.assert_allclose(
        ours.policy_logits - ours.policy_logits.max(1, keepdims=True),
        theirs.policy_logits - theirs.policy_logits.max(1, keepdims=True),
        atol=1e-4,
    )
    actions = np.array([np.flatnonzero(mask)[-1] for mask in legal])
    ours_next = identity_only.recurrent_inference(ours.latents, actions)
    np.testing.assert_allclose(ours_next.values, plain.recurrent_inference(theirs.latents, actions).values, atol=1e-6)


def test_an_agent_averaging_symmetries_plays_legal_moves_and_shows_its_tree(dots_models):
    config, _, plain, _ = dots_models
    config = dataclasses.replace(config, search=dataclasses.replace(config.search, average_symmetries_at_play=True))
    agent = Agent(plain, config, PlaySettings(num_simulations=12))
    assert isinstance(agent.model, SymmetryAveragedModel)
    assert type(Agent(plain, config, PlaySettings(average_symmetries=False)).model) is TorchModel
    env = envs.make_env("dots_and_boxes", players=3)
    env.reset(seed=4)
    while not all(env.terminations.values()):
        legal = np.flatnonzero(env.observe(env.agent_selection)["action_mask"])
        result = agent.search(env)
        assert result.action in legal and result.visit_counts.sum() == 12
        assert result.tree.children  # the tree is built on the side-by-side latents of the views
        env.step(result.action)


def test_a_game_without_declared_symmetries_is_played_by_the_plain_model():
    config, network = random_network("connect4", [])
    plain = TorchModel(network)
    assert (
        type(symmetry_averaged(plain, game_kit(config.game).spec)) is SymmetryAveragedModel
    )  # connect four: the mirror
    unregistered = dataclasses.replace(config.game, name="pettingzoo:pettingzoo.classic.connect_four_v3")
    assert symmetry_averaged(plain, game_kit(unregistered).spec) is plain


def test_the_runs_evaluator_plays_the_plain_network_even_where_play_averages(monkeypatch):
    from muzero.distributed.evaluator import Evaluator
    from muzero.distributed.messages import WeightsSnapshot, numpy_weights
    from tests.muzero.test_distributed import tiny_config

    config = tiny_config("tictactoe")
    config = dataclasses.replace(config, search=dataclasses.replace(config.search, average_symmetries_at_play=True))

    def refuse(*_args):
        raise AssertionError("the evaluator averaged over symmetries")

    monkeypatch.setattr(SymmetryAveragedModel, "initial_inference", refuse)
    game = dataclasses.replace(game_kit(config.game), reference_opponents=("random",))
    evaluator = Evaluator(config, game, games_per_seat=1)
    result = evaluator.evaluate(WeightsSnapshot(2, numpy_weights(evaluator.network.state_dict())))
    assert result.results[0].games == 2
