"""Gumbel search with opponents who err: `opponent_random_probability` averages over their random moves."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from muzero.core.config import SearchConfig
from muzero.search import RecurrentOutput, RootBatch, search
from muzero.search.reference import reference_search

SAFE, RISKY, DONE = 1.0, 2.0, 3.0  # latent of the node after the root's action 0, action 1, and any later one
NUM_ACTIONS = 4
# the opponent's (player 1's) rewards at RISKY: action 0 punishes player 0, the other three let it win
RISKY_REWARDS = np.array([[-1.0, 1.0], [1.0, -1.0], [1.0, -1.0], [1.0, -1.0]], dtype=np.float32)


def gamble_model(latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
    """2 players. At the root player 0 takes 0.1 for sure (action 0) or hands the move to player 1
    (action 1), whose action 0 costs player 0 a point and whose other three give it one; then nothing
    more happens. Priors are uniform, values 0."""
    batch_size = actions.shape[0]
    rewards = np.zeros((batch_size, 2), dtype=np.float32)
    next_latents = np.full((batch_size, 1), DONE, dtype=np.float32)
    for i in range(batch_size):
        if latents[i, 0] == 0.0:
            rewards[i] = (0.1, -0.1) if actions[i] == 0 else (0.0, 0.0)
            next_latents[i, 0] = SAFE if actions[i] == 0 else RISKY
        elif latents[i, 0] == RISKY:
            rewards[i] = RISKY_REWARDS[actions[i]]
    next_player = (next_latents[:, 0] == RISKY).astype(np.int64)  # player 1 moves at RISKY only
    return RecurrentOutput(
        latents=next_latents,
        rewards=rewards,
        next_player_logits=np.eye(2, dtype=np.float32)[next_player] * 10,
        policy_logits=np.zeros((batch_size, NUM_ACTIONS), dtype=np.float32),
        values=np.zeros((batch_size, 2), dtype=np.float32),
    )


def gamble_root() -> RootBatch:
    legal_mask = np.zeros((1, NUM_ACTIONS), dtype=bool)
    legal_mask[0, :2] = True
    return RootBatch(
        latents=np.zeros((1, 1), dtype=np.float32),
        policy_logits=np.zeros((1, NUM_ACTIONS), dtype=np.float32),
        values=np.zeros((1, 2), dtype=np.float32),
        to_play=np.array([0]),
        legal_mask=legal_mask,
    )


def gamble_params(opponent_random_probability: float) -> SearchConfig:
    return SearchConfig(
        num_simulations=200,
        algorithm="gumbel",
        gumbel_scale=0.0,
        opponent_random_probability=opponent_random_probability,
    )


# The gamble is worth (1 - p) * -1 + p * (3 - 1) / 4 to player 0: -1 against a player who never errs
# (max^n), -0.25 at p = 0.5 (the sure 0.1 is better), 0.125 at p = 0.75 and 0.5 at p = 1 (the gamble is).
@pytest.mark.parametrize(("probability", "expected_action"), [(0.0, 0), (0.5, 0), (0.75, 1), (1.0, 1)])
def test_the_root_gambles_only_against_players_who_err_enough(probability: float, expected_action: int) -> None:
    output = search(gamble_root(), gamble_model, gamble_params(probability), np.random.default_rng(0))
    assert output.action[0] == expected_action
    gamble_value = (1 - probability) * -1.0 + probability * 0.5
    # RISKY's own expansion adds a value of 0 to its mean, and visit shares only approach the policy
    assert output.q_values[0, 1, 0] == pytest.approx(gamble_value, abs=0.1)
    assert output.q_values[0, 0, 0] == pytest.approx(0.1)


@pytest.mark.parametrize("probability", [0.0, 0.5, 1.0])
def test_the_opponent_model_matches_the_reference(probability: float) -> None:
    params = gamble_params(probability)
    batched = search(gamble_root(), gamble_model, params, np.random.default_rng(0))
    reference = reference_search(gamble_root(), gamble_model, params, np.random.default_rng(0))
    np.testing.assert_array_equal(batched.visit_counts, reference.visit_counts)
    np.testing.assert_allclose(batched.q_values, reference.q_values, atol=1e-5)
    np.testing.assert_array_equal(batched.action, reference.action)


def test_the_root_players_own_nodes_still_maximise() -> None:
    # player 0 moves again after its own move: with every opponent erring, its own choice stays greedy
    def own_move_model(latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        next_player_logits = np.tile(np.array([10.0, 0.0], dtype=np.float32), (actions.shape[0], 1))
        return dataclasses.replace(gamble_model(latents, actions), next_player_logits=next_player_logits)

    output = search(gamble_root(), own_move_model, gamble_params(1.0), np.random.default_rng(0))
    # at RISKY player 0 itself picks among the actions: the best of them is worth 1 to it, not the mean 0.5
    assert output.q_values[0, 1, 0] > 0.8
    assert output.action[0] == 1


def test_opponent_random_probability_needs_the_gumbel_search() -> None:
    with pytest.raises(ValueError, match="gumbel"):
        SearchConfig(opponent_random_probability=0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SearchConfig(algorithm="gumbel", opponent_random_probability=1.5)
