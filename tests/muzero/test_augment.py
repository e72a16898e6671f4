"""Replay under symmetries: each sampled row is one symmetry applied to observations, unroll actions and
policy targets alike; values, rewards and players are untouched; every symmetry is drawn."""

import numpy as np

from envs.tictactoe import symmetries as tictactoe_symmetries
from muzero.core.config import ReplayConfig
from muzero.core.game_kit import GameSpec
from muzero.replay import ReplayBuffer
from tests.muzero.test_replay import make_trajectory

SHAPE = (2, 3, 3)


def filled_buffers(symmetries) -> tuple[ReplayBuffer, ReplayBuffer]:
    plain, augmented = (
        ReplayBuffer(ReplayConfig(capacity=500, unroll_steps=3, td_steps=5), GameSpec(2, 9, SHAPE, s))
        for s in ((), symmetries)
    )
    for seed in range(20):
        observations = np.random.default_rng(seed).random((7, *SHAPE)).astype(np.float32)  # not 0/1: float32
        game = make_trajectory(np.arange(7) % 2, observations=observations, num_players=2, num_actions=9, seed=seed)
        plain.add(game)
        augmented.add(game)
    return plain, augmented


def test_each_row_is_one_symmetry_of_the_plain_sample():
    symmetries = tictactoe_symmetries()
    plain, augmented = filled_buffers(symmetries)
    base = plain.sample(256, np.random.default_rng(3))
    batch = augmented.sample(256, np.random.default_rng(3))  # same positions, then one draw per row
    drawn = set()
    for row in range(256):
        matches = [
            index
            for index, s in enumerate(symmetries)
            if np.array_equal(batch.observations[row], s.observations(base.observations[row], SHAPE))
            and np.array_equal(batch.actions[row], s.actions(base.actions[row]))
            and np.array_equal(batch.target_policies[row], s.action_vectors(base.target_policies[row]))
        ]
        assert len(matches) == 1, f"row {row} is not exactly one symmetry of its position"
        drawn.add(matches[0])
    assert drawn == set(range(8))
    for field in ("to_play", "target_values", "target_rewards", "policy_mask", "target_next_players", "indices"):
        assert np.array_equal(getattr(batch, field), getattr(base, field)), field


def test_the_config_switch_and_a_game_without_symmetries():
    spec = GameSpec(2, 9, SHAPE, tictactoe_symmetries())
    assert len(ReplayBuffer(ReplayConfig(), spec).symmetries) == 8
    assert ReplayBuffer(ReplayConfig(augment_symmetries=False), spec).symmetries == ()
    plain, unaugmented = filled_buffers(())
    base, batch = plain.sample(64, np.random.default_rng(5)), unaugmented.sample(64, np.random.default_rng(5))
    assert np.array_equal(base.observations, batch.observations) and np.array_equal(base.actions, batch.actions)
