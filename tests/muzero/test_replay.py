"""Replay: per-player n-step targets by hand, absorbing ends, extra turns, eviction, priorities, snapshots."""

import numpy as np
import pytest

from muzero.core.config import ReplayConfig
from muzero.core.game_kit import GameSpec
from muzero.core.types import Batch, Trajectory
from muzero.replay import PRIORITY_EPSILON, ReplayBuffer, SumTree, unroll_targets, value_targets
from muzero.replay.targets import own_random_moves

# A 3-player game of 4 decisions: player 1 completes a box at t=1 and moves again at t=2 (an extra turn);
# the move at t=2 rewards player 0, who did not move.
TO_PLAY = np.array([0, 1, 1, 2])
REWARDS = np.array([[0, 0, 0], [0, 1, 0], [0.5, 0, 0], [0, 0, 2]], dtype=np.float32)
ROOT_VALUES = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9], [1.0, 1.1, 1.2]], np.float32)


def make_trajectory(
    to_play,
    *,
    observations=None,
    rewards=None,
    root_values=None,
    num_players=3,
    num_actions=4,
    observation_shape=(2,),
    seed=0,
) -> Trajectory:
    """A trajectory with the given players; unspecified fields are seeded random but legal."""
    rng = np.random.default_rng(seed)
    length = len(to_play)
    if observations is None:
        observations = rng.integers(0, 2, size=(length, *observation_shape)).astype(np.float32)
    policies = rng.random((length, num_actions)).astype(np.float32)
    return Trajectory(
        observations=np.asarray(observations, dtype=np.float32),
        to_play=np.asarray(to_play, dtype=np.int64),
        actions=rng.integers(0, num_actions, size=length),
        rewards=rng.random((length, num_players)).astype(np.float32) if rewards is None else rewards,
        policies=policies / policies.sum(axis=1, keepdims=True),
        root_values=rng.random((length, num_players)).astype(np.float32) if root_values is None else root_values,
        legal_masks=np.ones((length, num_actions), dtype=bool),
        terminal=True,
    )


def numbered_game(game_id: int, length: int, num_players: int = 2) -> Trajectory:
    """A game whose observation at t is [game_id, t]: every sampled position says where it came from."""
    observations = np.stack([np.full(length, game_id), np.arange(length)], axis=1)  # [T, 2]
    return make_trajectory(np.arange(length) % num_players, observations=observations, num_players=num_players)


def sampled_origins(batch: Batch) -> set[tuple[int, int]]:
    return {(int(game), int(step)) for game, step in batch.observations}


def test_value_targets_two_steps_by_hand():
    z = value_targets(REWARDS, ROOT_VALUES, td_steps=2, discount=0.9)
    # z[t] = r[t] + 0.9 r[t+1] + 0.81 v[t+2], terms at index >= 4 dropped.
    expected = [
        [0.81 * 0.7, 0.9 * 1 + 0.81 * 0.8, 0.81 * 0.9],  # [0.567, 1.548, 0.729]
        [0.9 * 0.5 + 0.81 * 1.0, 1 + 0.81 * 1.1, 0.81 * 1.2],  # [1.26, 1.891, 0.972]
        [0.5, 0, 0.9 * 2],  # v[4] does not exist: no bootstrap past the end
        [0, 0, 2],
    ]
    assert z.dtype == np.float32 and z.shape == (4, 3)
    np.testing.assert_allclose(z, expected, rtol=1e-6)


def test_value_targets_with_long_horizon_are_discounted_outcomes():
    z = value_targets(REWARDS, ROOT_VALUES, td_steps=100, discount=0.9)
    expected = [[0.405, 0.9, 1.458], [0.45, 1, 1.62], [0.5, 0, 1.8], [0, 0, 2]]  # z[t] = r[t] + 0.9 z[t+1]
    np.testing.assert_allclose(z, expected, rtol=1e-6)


def test_a_players_value_target_ends_at_its_own_random_move_with_the_root_value_there():
    # Player 1's extra turn at t=2 was a random move: its return stops there; the others' go on.
    game = Trajectory(
        **{
            **vars(make_trajectory(TO_PLAY, rewards=REWARDS, root_values=ROOT_VALUES)),
            "random_moves": np.array([False, False, True, False]),
        }
    )
    cuts = own_random_moves(game)
    np.testing.assert_array_equal(cuts, [[0, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 0]])
    z = value_targets(REWARDS, ROOT_VALUES, td_steps=100, discount=0.9, cuts=cuts)
    expected = [
        [0.405, 0.9 * 1 + 0.81 * 0.8, 1.458],  # player 1: r[0] + 0.9 r[1] + 0.81 v[2]
        [0.45, 1 + 0.9 * 0.8, 1.62],
        [0.5, 0.8, 1.8],  # at the random move itself: its root value
        [0, 0, 2],  # after it: the plain return
    ]
    np.testing.assert_allclose(z, expected, rtol=1e-6)
    two_steps = value_targets(REWARDS, ROOT_VALUES, td_steps=2, discount=0.9, cuts=cuts)
    expected_two = value_targets(REWARDS, ROOT_VALUES, td_steps=2, discount=0.9)
    expected_two[1, 1], expected_two[2, 1] = 1 + 0.9 * 0.8, 0.8  # t=0 reaches t=2 with 2 steps anyway
    np.testing.assert_allclose(two_steps, expected_two, rtol=1e-6)
    assert own_random_moves(make_trajectory(TO_PLAY)) is None  # none recorded
    buffers = {
        on: ReplayBuffer(
            ReplayConfig(capacity=4, unroll_steps=1, td_steps=100, bootstrap_at_random_moves=on),
            GameSpec(3, 4, (2,)),
            0.9,
        )
        for on in (True, False)
    }
    numbered = Trajectory(**{**vars(game), "observations": numbered_game(0, 4).observations})
    for on, buffer in buffers.items():
        buffer.add(numbered)
        batch = buffer.sample(64, np.random.default_rng(0))
        plain = value_targets(REWARDS, ROOT_VALUES, td_steps=100, discount=0.9)
        for row, (_, start) in enumerate(batch.observations.astype(int)):
            np.testing.assert_allclose(batch.target_values[row, 0], (z if on else plain)[start], rtol=1e-6)


def test_unroll_at_the_end_of_a_game_is_absorbing():
    to_play = [0, 1, 1, 2, 0]
    trajectory = make_trajectory(to_play)
    z = value_targets(trajectory.rewards, trajectory.root_values, td_steps=3, discount=1.0)
    targets = unroll_targets(trajectory, z, start=3, unroll_steps=3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(targets.target_values, [z[3], z[4], [0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(targets.target_rewards, [trajectory.rewards[3], trajectory.rewards[4], [0, 0, 0]])
    np.testing.assert_array_equal(targets.target_policies[:2], trajectory.policies[3:5])
    np.testing.assert_array_equal(targets.target_policies[2:], 0)
    np.testing.assert_array_equal(targets.policy_mask, [1, 1, 0, 0])
    np.testing.assert_array_equal(targets.target_next_players, [0, 0, 0])  # to_play[4] = 0, then masked
    np.testing.assert_array_equal(targets.next_player_mask, [1, 0, 0])  # nobody decides after the last move
    np.testing.assert_array_equal(targets.actions[:2], trajectory.actions[3:5])
    assert 0 <= targets.actions[2] < 4


def test_actions_past_the_end_are_uniformly_random():
    trajectory = make_trajectory([0, 1])
    z = value_targets(trajectory.rewards, trajectory.root_values, td_steps=5, discount=1.0)
    rng = np.random.default_rng(1)
    padding = np.concatenate([unroll_targets(trajectory, z, 1, 5, rng).actions[1:] for _ in range(500)])
    counts = np.bincount(padding, minlength=4)
    assert counts.sum() == 2000 and np.all(np.abs(counts / 2000 - 0.25) < 0.04)


def test_next_player_targets_follow_to_play_across_an_extra_turn():
    trajectory = make_trajectory([0, 1, 1, 2, 0])
    z = value_targets(trajectory.rewards, trajectory.root_values, td_steps=3, discount=1.0)
    targets = unroll_targets(trajectory, z, start=0, unroll_steps=4, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(targets.target_next_players, [1, 1, 2, 0])  # seat + 1 would say [1, 2, 0, 1]
    np.testing.assert_array_equal(targets.next_player_mask, [1, 1, 1, 1])


def test_buffer_batches_agree_with_unroll_targets_across_the_ring_boundary():
    buffer = ReplayBuffer(ReplayConfig(capacity=7, unroll_steps=3, td_steps=2), GameSpec(3, 4, (2,)), 0.9)
    buffer.add(numbered_game(0, 4, num_players=3))
    game = make_trajectory(TO_PLAY, rewards=REWARDS, root_values=ROOT_VALUES, seed=3)
    game = Trajectory(**{**vars(game), "observations": numbered_game(1, 4).observations})
    buffer.add(game)  # evicts game 0; slots 4, 5, 6, 0: the game wraps around the ring
    batch = buffer.sample(64, np.random.default_rng(2))
    z = value_targets(REWARDS, ROOT_VALUES, td_steps=2, discount=0.9)
    assert sampled_origins(batch) == {(1, 0), (1, 1), (1, 2), (1, 3)}
    for row, (_, start) in enumerate(batch.observations.astype(int)):
        expected = unroll_targets(game, z, start, 3, np.random.default_rng(0))
        real_steps = int(expected.policy_mask[:3].sum())
        np.testing.assert_array_equal(batch.actions[row, :real_steps], expected.actions[:real_steps])
        for name in ("target_values", "target_rewards", "target_policies", "policy_mask"):
            np.testing.assert_array_equal(getattr(batch, name)[row], getattr(expected, name), err_msg=name)
        np.testing.assert_array_equal(batch.target_next_players[row], expected.target_next_players)
        np.testing.assert_array_equal(batch.next_player_mask[row], expected.next_player_mask)
        assert batch.to_play[row] == TO_PLAY[start]


def test_value_targets_of_players_a_game_leaves_out_are_masked_but_past_its_end():
    game = Trajectory(**{**vars(make_trajectory([0, 1, 1, 2])), "value_players": np.array([True, False, True])})
    z = value_targets(game.rewards, game.root_values, td_steps=2, discount=1.0)
    targets = unroll_targets(game, z, start=2, unroll_steps=3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(targets.value_mask, [[1, 0, 1], [1, 0, 1], [1, 1, 1], [1, 1, 1]])
    everyone = unroll_targets(make_trajectory([0, 1, 1, 2]), z, start=2, unroll_steps=3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(everyone.value_mask, 1)  # value_players None: every player trains
    buffer = ReplayBuffer(
        ReplayConfig(capacity=7, unroll_steps=3, td_steps=2, priority_exponent=0.0), GameSpec(3, 4, (2,))
    )
    buffer.add(numbered_game(0, 3, num_players=3))  # no value_players: all trained
    buffer.add(Trajectory(**{**vars(game), "observations": numbered_game(1, 4).observations}))  # wraps the ring
    batch = buffer.sample(200, np.random.default_rng(1))
    for row, (game_id, start) in enumerate(batch.observations.astype(int)):
        if game_id == 1:
            expected = unroll_targets(game, z, start, 3, np.random.default_rng(0)).value_mask
        np.testing.assert_array_equal(batch.value_mask[row], 1 if game_id == 0 else expected)
    assert {0, 1} == set(batch.observations[:, 0].astype(int).tolist())


def test_default_priorities_count_only_the_value_players():
    buffer = ReplayBuffer(ReplayConfig(capacity=8, td_steps=2), GameSpec(3, 4, (2,)), 0.9)
    game = make_trajectory(TO_PLAY, rewards=REWARDS, root_values=ROOT_VALUES)
    buffer.add(Trajectory(**{**vars(game), "value_players": np.array([False, True, False])}))
    z = value_targets(REWARDS, ROOT_VALUES, td_steps=2, discount=0.9)
    expected = np.abs(ROOT_VALUES - z)[:, 1] + PRIORITY_EPSILON
    np.testing.assert_allclose(buffer.state_dict()["priorities"], expected, rtol=1e-6)


def test_a_value_players_vector_of_the_wrong_size_is_refused():
    game = Trajectory(**{**vars(make_trajectory([0, 1])), "value_players": np.array([True, False])})
    with pytest.raises(ValueError, match="value_players"):
        ReplayBuffer(ReplayConfig(capacity=8), GameSpec(3, 4, (2,))).add(game)


def test_eviction_drops_the_oldest_games_first():
    buffer = ReplayBuffer(
        ReplayConfig(capacity=10, unroll_steps=2, priority_exponent=0.0), GameSpec(2, 4, (2,))
    )  # uniform: all show up
    rng = np.random.default_rng(0)
    lengths = [4, 3, 5, 2, 6, 1, 7, 3]
    for game_id, length in enumerate(lengths):
        buffer.add(numbered_game(game_id, length))
        assert buffer.num_positions <= buffer.capacity
        live_games, kept = [], 0  # the newest games that fit, as the buffer should keep them
        for older in range(game_id, -1, -1):
            if kept + lengths[older] > buffer.capacity:
                break
            live_games.append(older)
            kept += lengths[older]
        assert buffer.num_positions == kept and buffer.num_games == len(live_games)
        expected_origins = {(game, t) for game in live_games for t in range(lengths[game])}
        assert sampled_origins(buffer.sample(400, rng)) == expected_origins
    assert buffer.total_games_added == 8 and buffer.total_positions_added == sum(lengths)


def test_a_game_longer_than_the_capacity_is_refused():
    buffer = ReplayBuffer(ReplayConfig(capacity=5), GameSpec(2, 4, (2,)))
    buffer.add(numbered_game(0, 3))
    with pytest.raises(ValueError, match="does not fit"):
        buffer.add(numbered_game(1, 6))
    assert buffer.num_positions == 3 and buffer.num_games == 1 and buffer.total_games_added == 1


def test_sampling_an_empty_buffer_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        ReplayBuffer(ReplayConfig(capacity=5), GameSpec(2, 4, (2,))).sample(1, np.random.default_rng(0))


def two_position_buffer(priority_exponent: float) -> ReplayBuffer:
    buffer = ReplayBuffer(
        ReplayConfig(capacity=2, unroll_steps=1, priority_exponent=priority_exponent), GameSpec(2, 4, (2,))
    )
    buffer.add(numbered_game(0, 2), priorities=np.array([1.0, 9.0]))
    return buffer


def test_prioritised_sampling_frequencies_and_weights():
    batch = two_position_buffer(priority_exponent=1.0).sample(20_000, np.random.default_rng(0))
    steps = batch.observations[:, 1].astype(int)
    assert abs(np.mean(steps == 1) - 0.9) < 0.01  # P(i) = p_i / sum p = 9 / 10
    # w_i = (N P(i))^-1 with N = 2: w_0 = 1 / 0.2 = 5, w_1 = 1 / 1.8 = 5/9; divided by the max, 5.
    np.testing.assert_allclose(batch.weights[steps == 0], 1.0, rtol=1e-5)
    np.testing.assert_allclose(batch.weights[steps == 1], 1 / 9, rtol=1e-5)


def test_priority_exponent_zero_samples_uniformly_with_unit_weights():
    batch = two_position_buffer(priority_exponent=0.0).sample(20_000, np.random.default_rng(0))
    assert abs(np.mean(batch.observations[:, 1] == 1) - 0.5) < 0.01
    np.testing.assert_array_equal(batch.weights, 1.0)


def test_default_priorities_are_value_errors_plus_epsilon():
    buffer = ReplayBuffer(ReplayConfig(capacity=8, td_steps=2), GameSpec(3, 4, (2,)), 0.9)
    buffer.add(make_trajectory(TO_PLAY, rewards=REWARDS, root_values=ROOT_VALUES))
    z = value_targets(REWARDS, ROOT_VALUES, td_steps=2, discount=0.9)
    expected = np.abs(ROOT_VALUES - z).sum(axis=1) + PRIORITY_EPSILON  # e.g. t=3: 1 + 1.1 + 0.8
    np.testing.assert_allclose(buffer.state_dict()["priorities"], expected, rtol=1e-6)


def test_update_priorities_applies_to_live_positions_and_ignores_stale_ones():
    buffer = two_position_buffer(priority_exponent=1.0)
    stale = buffer.sample(4, np.random.default_rng(0)).indices
    buffer.add(numbered_game(1, 2), priorities=np.array([3.0, 5.0]))  # evicts game 0, reuses both slots
    buffer.update_priorities(stale, np.full(stale.shape, 100.0))
    np.testing.assert_allclose(buffer.state_dict()["priorities"], [3 + PRIORITY_EPSILON, 5 + PRIORITY_EPSILON])
    batch = buffer.sample(2, np.random.default_rng(0))
    buffer.update_priorities(batch.indices, [7.0, 7.0])
    assert set(batch.indices.tolist()) <= {2, 3}  # serials: generation 1 of slots 0 and 1
    updated = buffer.state_dict()["priorities"][batch.indices - 2]
    np.testing.assert_allclose(updated, 7 + PRIORITY_EPSILON)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([[0, 1, 1], [1, 0, 0]], np.bool_),
        ([[0, 7, 255], [3, 0, 128]], np.uint8),
        ([[0, 0.5, 1], [2, 3, 4]], np.float32),
        ([[0, -1, 1], [2, 3, 4]], np.float32),
        ([[0, 256, 1], [2, 3, 4]], np.float32),
    ],
)
def test_observations_are_stored_compactly_and_returned_exactly(values, dtype):
    observations = np.array(values, dtype=np.float32)  # [T=2, 3]
    buffer = ReplayBuffer(ReplayConfig(capacity=4, unroll_steps=1), GameSpec(2, 4, (3,)))
    buffer.add(make_trajectory([0, 1], observations=observations, num_players=2))
    assert buffer.observation_dtypes() == [np.dtype(dtype)]
    batch = buffer.sample(50, np.random.default_rng(0))
    assert batch.observations.dtype == np.float32
    for row, serial in enumerate(batch.indices):
        np.testing.assert_array_equal(batch.observations[row], observations[serial])


def filled_buffer() -> ReplayBuffer:
    buffer = ReplayBuffer(ReplayConfig(capacity=40, td_steps=3), GameSpec(3, 5, (2, 3)), 0.95)
    rng = np.random.default_rng(7)
    for game in range(12):  # more than the capacity: the ring wraps and games are evicted
        length = int(rng.integers(2, 9))
        observations = rng.integers(0, 2 + 198 * (game % 3 == 2), size=(length, 2, 3)).astype(np.float32)
        observations += 0.25 * (game % 3 == 1)  # bool, float32 and uint8 games
        trajectory = make_trajectory(
            rng.integers(0, 3, size=length), observations=observations, num_actions=5, observation_shape=(2, 3)
        )
        buffer.add(trajectory)
    batch = buffer.sample(16, rng)
    buffer.update_priorities(batch.indices, rng.random(16))
    return buffer


def assert_same_batches(buffer: ReplayBuffer, restored: ReplayBuffer) -> None:
    first, second = buffer.sample(64, np.random.default_rng(3)), restored.sample(64, np.random.default_rng(3))
    for name in vars(first):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name), err_msg=name)


def test_state_dict_round_trip_gives_identical_samples(tmp_path):
    buffer = filled_buffer()
    restored = ReplayBuffer(ReplayConfig(capacity=40, td_steps=3), GameSpec(3, 5, (2, 3)), 0.95)
    restored.load_state_dict(buffer.state_dict())
    assert_same_batches(buffer, restored)
    counters = ("num_positions", "num_games", "total_games_added", "total_positions_added")
    assert [getattr(restored, name) for name in counters] == [getattr(buffer, name) for name in counters]
    assert restored.observation_dtypes() == buffer.observation_dtypes()
    from_file = ReplayBuffer(ReplayConfig(capacity=40, td_steps=3), GameSpec(3, 5, (2, 3)), 0.95)
    buffer.save(tmp_path / "replay.npz")
    from_file.load(tmp_path / "replay.npz")
    next_game = make_trajectory([0, 1, 2], observation_shape=(2, 3), num_actions=5, seed=9)
    buffer.add(next_game)
    from_file.add(next_game)
    assert_same_batches(buffer, from_file)


def test_a_version_1_snapshot_without_value_masks_trains_every_value():
    buffer = filled_buffer()
    state = buffer.state_dict()
    old = {name: array for name, array in state.items() if name != "value_mask"}
    old["format_version"] = np.array(1)
    restored = ReplayBuffer(ReplayConfig(capacity=40, td_steps=3), GameSpec(3, 5, (2, 3)), 0.95)
    restored.load_state_dict(old)
    assert_same_batches(buffer, restored)  # filled_buffer's games name no value players: all were trained
    np.testing.assert_array_equal(restored.state_dict()["value_mask"], True)


def test_a_snapshot_of_another_game_is_refused():
    other = ReplayBuffer(ReplayConfig(capacity=40, td_steps=3), GameSpec(3, 6, (2, 3)), 0.95)
    with pytest.raises(ValueError, match="replay snapshot"):
        other.load_state_dict(filled_buffer().state_dict())


def test_sum_tree_samples_in_proportion_and_never_picks_a_zero_leaf():
    weights = np.array([0.0, 2.0, 0.0, 1.0, 5.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])  # 11 leaves: not a power of 2
    tree = SumTree(weights.size)
    tree.set(np.arange(weights.size), weights)
    assert tree.total == 10.0
    counts = np.bincount(tree.sample(50_000, np.random.default_rng(0)), minlength=weights.size)
    assert np.all(counts[weights == 0] == 0)
    np.testing.assert_allclose(counts / 50_000, weights / 10, atol=0.01)
    rebuilt = SumTree(weights.size)
    rebuilt.set_all(weights)
    np.testing.assert_array_equal(rebuilt.nodes, tree.nodes)
