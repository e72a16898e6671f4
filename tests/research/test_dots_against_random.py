"""The exact tables against random opponents agree with a plain recursion over the real rules."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from envs.dots_and_boxes.greedy import greedy_edges
from envs.dots_and_boxes.rules import DotsAndBoxesState, apply, initial_state, is_over, legal_mask

# the oracle is a research benchmark's, kept beside its script
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks/research/dots_and_boxes"))
from against_random import mask_of, solve


def expected_boxes(state: DotsAndBoxesState, seat: int, policy: str) -> float:
    """Expected boxes `seat` still takes: it plays `policy` ("best" or "greedy"), the others uniformly."""

    @cache
    def value(edges: tuple[bool, ...], to_play: int) -> float:
        position = DotsAndBoxesState(
            np.array(edges), state.owners.copy(), state.scores.copy(), to_play, state.players, state.rows, state.cols
        )
        if is_over(position):
            return 0.0
        if to_play != seat:
            choices = np.flatnonzero(legal_mask(position)).tolist()
        elif policy == "greedy":
            choices = greedy_edges(position)
        else:
            choices = np.flatnonzero(legal_mask(position)).tolist()
        outcomes = []
        for edge in choices:
            after, captured = apply(position, edge)
            gained = captured if to_play == seat else 0
            outcomes.append(gained + value(tuple(after.edges.tolist()), after.to_play))
        if to_play == seat and policy == "best":
            return max(outcomes)
        return sum(outcomes) / len(outcomes)

    return value(tuple(state.edges.tolist()), state.to_play)


@pytest.mark.parametrize(("rows", "cols", "players"), [(1, 2, 2), (1, 2, 3), (2, 2, 3)])
def test_start_values_match_a_recursion_over_the_rules(rows: int, cols: int, players: int) -> None:
    tables = solve(rows, cols, players)
    start = initial_state(players, rows, cols)
    for seat in range(players):
        for policy, table in (("best", tables.best), ("greedy", tables.greedy)):
            expected = expected_boxes(start, seat, policy)
            assert tables.start_value(table, seat) == pytest.approx(expected, abs=1e-5), (seat, policy)


def test_best_play_is_never_worse_than_greedy_and_the_boxes_add_up() -> None:
    tables = solve(2, 2, 3)
    assert np.all(tables.best >= tables.greedy - 1e-5)
    assert np.all(tables.best <= 4 + 1e-5)
    one_box = solve(1, 1, 2)  # four edges, drawn in turn: the second player always draws the last one
    assert one_box.start_value(one_box.best, 0) == 0.0
    assert one_box.start_value(one_box.best, 1) == 1.0


def test_best_action_values_of_a_mid_game_position() -> None:
    tables = solve(2, 2, 3)
    state = initial_state(3, 2, 2)
    for edge in (0, 6, 7):  # box (0, 0) gets its top, left and right: edge 2 (its bottom) takes it
        state, _ = apply(state, edge)
    mask = mask_of(state.edges)
    mover_is_seat = state.to_play
    values = tables.best_action_values(mask)
    assert max(values, key=values.get) == 2
    assert set(values) == set(np.flatnonzero(legal_mask(state)).tolist())
    for edge, value in values.items():
        after, captured = apply(state, edge)
        recursion = captured + expected_boxes(after, mover_is_seat, "best")
        assert value == pytest.approx(recursion, abs=1e-5), edge
