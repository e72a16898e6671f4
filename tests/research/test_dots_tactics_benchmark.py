"""The classes of benchmarks/research/dots_and_boxes/dots_tactics.py, whose figures docs/research/dots_and_boxes.md
reports."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from envs.dots_and_boxes import rules
from envs.dots_and_boxes.greedy import greedy_edges

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks/research/dots_and_boxes/dots_tactics.py"
spec = importlib.util.spec_from_file_location("tactics", SCRIPT)
tactics = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tactics)

# A 1x3 board: top edges 0, 1, 2; bottom edges 3, 4, 5; vertical edges 6 (left) 7, 8 (walls) and 9 (right).


def board_after(*edges: int, players: int = 3) -> rules.DotsAndBoxesState:
    state = rules.initial_state(players, 1, 3)
    for edge in edges:
        state, _ = rules.apply(state, edge)
    return state


def test_a_box_on_offer_is_a_capture_position():
    state = board_after(0, 3, 6)  # box 0 has three sides; edge 7 takes it
    assert tactics.classify(state, 7) == {"capture": 1, "captured": 1}
    assert tactics.classify(state, 2) == {"capture": 1, "captured": 0}


def test_a_safe_edge_available_is_a_safe_position():
    state = board_after(0, 3)  # box 0 has two sides: 6 or 7 would give it a third
    assert tactics.classify(state, 2) == {"safe": 1, "stayed_safe": 1}
    assert tactics.classify(state, 6) == {"safe": 1, "stayed_safe": 0}


def test_when_every_edge_hands_boxes_over_the_whole_chain_is_counted():
    state = board_after(0, 1, 2, 3, 4, 5)  # a chain of three boxes, two sides each
    assert [tactics.boxes_handed_over(state, edge) for edge in (6, 7, 8, 9)] == [3, 3, 3, 3]
    assert tactics.classify(state, 8) == {"forced": 1, "fewest_handed_over": 1}


def test_forced_positions_count_the_chain_behind_a_box_which_greedy_does_not():
    state = board_after(0, 7, 1, 2, 5)  # chains: box 0 alone (sides 0, 7), boxes 1-2 (sides 1, 7 and 2, 5)
    handed = {edge: tactics.boxes_handed_over(state, edge) for edge in (3, 6, 4, 8, 9)}
    assert handed == {3: 1, 6: 1, 4: 2, 8: 2, 9: 2}
    assert tactics.classify(state, 3) == {"forced": 1, "fewest_handed_over": 1}
    assert tactics.classify(state, 4) == {"forced": 1, "fewest_handed_over": 0}
    # greedy leaves one 3-sided box with 3, 6, 4 or 9 and so counts 4 and 9 as good as 3 and 6
    assert sorted(greedy_edges(state)) == [3, 4, 6, 9]


def test_a_single_box_is_handed_over_alone():
    state = board_after(0, 3, 2, 5, 8)  # box 2 has three sides: a capture position, so take it first
    state, captured = rules.apply(state, 9)
    assert captured == 1
    # box 0: top, bottom (two sides); box 1: its right wall 8 (one side); a move on 6 hands over box 0 only
    assert tactics.boxes_handed_over(state, 6) == 1
    assert tactics.boxes_handed_over(state, 1) == 0  # box 1 gets a second side: nothing to take
