"""2048's rules by hand (slides, merges, points, the new tile's probabilities), its copies that wait for the
new tile, its Gymnasium env, and the greedy baseline that scores more than random moves."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import envs
from envs.game2048 import rules
from envs.game2048.env import Env2048
from envs.game2048.players import greedy_action


@pytest.mark.parametrize(
    ("line", "slid", "points"),
    [
        ((1, 1, 1, 1), (2, 2, 0, 0), 8),  # 2 2 2 2 -> 4 4: each tile merges once
        ((1, 1, 2, 0), (2, 2, 0, 0), 4),  # 2 2 4 -> 4 4: the new 4 does not merge again
        ((0, 3, 0, 3), (4, 0, 0, 0), 16),  # 8 . 8 -> 16 across the gap
        ((2, 1, 1, 0), (2, 2, 0, 0), 4),  # 4 2 2 -> 4 4
        ((1, 2, 3, 4), (1, 2, 3, 4), 0),  # nothing moves
    ],
)
def test_a_line_slides_and_merges_as_the_game_does(line, slid, points) -> None:
    assert rules.slide_line(line) == (slid, points)


def test_each_move_slides_toward_its_edge_and_a_move_that_changes_nothing_is_no_move() -> None:
    board = (1, 0, 0, 1) + (0,) * 12  # two 2s on the top row
    assert rules.slide(board, rules.LEFT) == ((2,) + (0,) * 15, 4)
    assert rules.slide(board, rules.RIGHT) == ((0, 0, 0, 2) + (0,) * 12, 4)
    assert rules.slide(board, rules.DOWN)[0] == (0,) * 12 + (1, 0, 0, 1)
    assert rules.legal_moves(board).tolist() == [False, True, True, True]  # up changes nothing


def test_the_new_tile_is_a_two_or_a_four_on_an_empty_cell() -> None:
    board = (1,) * 14 + (0, 0)
    probabilities = rules.spawn_probabilities(board)
    assert probabilities.sum() == pytest.approx(1.0)
    assert probabilities[28:].tolist() == pytest.approx([0.45, 0.05, 0.45, 0.05])  # cells 14 and 15
    assert rules.place(board, 29)[14] == 2  # outcome 2 * 14 + 1: a 4 on cell 14


def test_a_copy_waits_for_the_new_tile_and_the_game_ends_when_no_move_is_left() -> None:
    game = envs.make("2048")
    game.reset(seed=5)
    copy = game.clone()
    move = int(np.flatnonzero(copy.current_decision().legal_mask)[0])
    step = copy.step(move)
    assert not step.legal_mask.any() and not step.terminal  # the afterstate: the tile not placed
    empty = [cell for cell in range(16) if copy.state.board[cell] == 0]
    assert np.flatnonzero(copy.chance_probabilities()).tolist() == sorted(
        [2 * c for c in empty] + [2 * c + 1 for c in empty]
    )
    stuck = rules.Spawn((1, 2, 1, 2, 2, 1, 2, 1, 1, 2, 1, 2, 2, 1, 2, 0), 0)
    assert rules.after_spawn(stuck, 2 * 15).over  # a 2 on the last cell: no two equal neighbours
    assert not rules.after_spawn(stuck, 2 * 15 + 1).over  # a 4 there merges with its neighbours


def test_the_gymnasium_env_follows_gymnasiums_api_and_reports_the_largest_tile() -> None:
    env = Env2048()
    check_env(env, skip_render_check=True)
    observation, info = env.reset(seed=0)
    assert observation.shape == (4, 4, 16) and info["largest_tile"] in (2, 4)
    action = int(np.flatnonzero(info["action_mask"])[0])
    _, reward, terminated, truncated, info = env.step(action)
    assert not terminated  # the first move of a game never ends it
    assert reward >= 0 and not truncated and info["score"] == reward


def play(choose, seed: int) -> int:
    env = envs.game_definition("2048").make_env()
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    while not env.unwrapped.state.over:
        env.step(choose(env.unwrapped.state, rng))
    return env.unwrapped.state.score


def test_the_greedy_baseline_scores_more_than_random_moves() -> None:
    def random_move(state, rng):
        return int(rng.choice(np.flatnonzero(rules.legal_moves(state.board))))

    greedy = [play(lambda state, rng: greedy_action(state), seed) for seed in range(10)]
    randomly = [play(random_move, seed) for seed in range(10)]
    assert np.mean(greedy) > 1.5 * np.mean(randomly)


def board_of(planes: np.ndarray) -> rules.Board:
    """The board whose one-hot planes (16, 4, 4) these are."""
    return tuple(int(k) for k in planes.argmax(axis=0).reshape(-1))


def test_the_eight_symmetries_map_every_slide_onto_the_turned_slide() -> None:
    """Turning a board and its move gives the turned result with the same points, on positions of real games."""
    game = envs.make("2048")
    symmetries = game.symmetries
    assert len(symmetries) == 8
    rng = np.random.default_rng(0)
    step, checked = game.reset(seed=4), 0
    while not step.terminal:
        board = board_of(step.observation)
        for symmetry in symmetries:
            turned = board_of(symmetry.observations(step.observation, game.observation_shape))
            legal = rules.legal_moves(board)
            np.testing.assert_array_equal(rules.legal_moves(turned), symmetry.action_vectors(legal))
            for action in np.flatnonzero(legal):
                slid, points = rules.slide(board, int(action))
                turned_slid, turned_points = rules.slide(turned, int(symmetry.actions(action)))
                slid_planes = rules.observation_planes(slid).transpose(2, 0, 1)
                assert turned_slid == board_of(symmetry.observations(slid_planes, game.observation_shape))
                assert turned_points == points
                checked += 1
        step = game.step(int(rng.choice(np.flatnonzero(step.legal_mask))))
    assert checked > 500
