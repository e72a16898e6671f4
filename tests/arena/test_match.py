"""A match without the page: branches and lines, move lists typed by their names, the expected line cut where
the real game ends (a learned model's tree goes on past it), the tree and the board as markup."""

import re

import numpy as np
import pytest

from arena.analysis import Candidate, analyse, replayed_line
from arena.board_svg import board_svg
from arena.boards import picture_of
from arena.markup import node_at, tree_html
from arena.match import Match, Seat, parse_moves
from muzero.core.config import GameConfig
from muzero.core.errors import UserError
from muzero.faces.agent import Agent

HUMANS = [Seat("human"), Seat("human")]


def tictactoe(*moves: int) -> Match:
    return Match(GameConfig("tictactoe"), list(HUMANS), moves=list(moves))


def test_a_different_move_from_an_earlier_position_starts_a_branch_and_the_old_line_comes_back():
    match = tictactoe(4, 0, 8)
    match.play_from(1, 0)  # the move played there: nothing changes
    assert match.moves == [4, 0, 8] and match.branches == []
    match.play_from(1, 2)
    assert match.moves == [4, 2] and match.branches == [[4, 0, 8]] and match.to_play == 0
    match.switch_to(0)
    assert match.moves == [4, 0, 8] and match.branches == [[4, 2]]
    with pytest.raises(UserError, match="not a legal move"):
        match.play_from(1, 4)  # taken: refused before anything changes
    assert match.moves == [4, 0, 8] and match.branches == [[4, 2]]


def test_a_position_is_shown_after_any_number_of_moves():
    match = tictactoe(4, 0, 8)
    earlier = match.at(1)
    assert earlier.moves == [4] and earlier.to_play == 1 and match.moves == [4, 0, 8]


def test_move_lists_are_read_by_the_names_the_board_gives():
    assert parse_moves("tictactoe", {}, "b2 a1, cell c3 #1", 9) == [4, 0, 8, 1]
    assert parse_moves("connect4", {}, "1. 4 2. 4 3. column 3", 7) == [3, 3, 2]
    dots = {"players": 3, "rows": 3, "cols": 3}  # edges are named by their dots, commas inside
    assert parse_moves("dots_and_boxes", dots, "(0,0)-(0,1), edge (0,1)-(1,1)", 24) == [0, 13]
    with pytest.raises(UserError, match="'k7' is no move"):
        parse_moves("tictactoe", {}, "b2 k7", 9)


@pytest.mark.parametrize("dynamics", ["learned", "rules"])
def test_the_expected_line_stops_where_the_game_ends(dynamics):
    """Two moves from the end of a tic-tac-toe game: the line is never longer than the moves left, and a winning
    move's value is the win (the reward), not the empty value after the game."""
    match = tictactoe(0, 4, 1, 8)  # X: a1 a2; O: b2 c3: X wins at a3 (action 2)
    agent = Agent.load("models/tictactoe", num_simulations=200, dynamics=dynamics)
    analysis = analyse(agent.search(match.env), ply=len(match.moves), dynamics=dynamics)
    steps, ended = replayed_line(match.table.clone(), match.timestep, analysis.tree)
    assert len(steps) <= int(match.legal_mask.sum())
    assert steps[0].action == 2 and steps[0].player == 0 and ended and len(steps) == 1
    assert steps[0].value > 0.9


def test_the_tree_is_nested_nodes_whose_paths_lead_back_to_their_moves():
    match = tictactoe(4)
    agent = Agent.load("models/tictactoe", num_simulations=40)
    analysis = analyse(agent.search(match.env), ply=1, dynamics=agent.params.dynamics)
    markup = tree_html(analysis.tree, match.describe)
    paths = re.findall(r'data-click="node:([0-9.]+)"', markup)
    assert len(paths) > len(analysis.tree["children"])  # deeper than the root's children
    deepest = max(paths, key=lambda path: path.count("."))
    actions, node = node_at(analysis.tree, deepest)
    assert len(actions) == deepest.count(".") + 1 and node["action"] == actions[-1]
    assert "P2 cell" in markup and "value for P2" in markup  # who moves at the root's children, their value


def test_the_board_has_one_click_target_per_legal_move_and_the_candidates_on_their_moves():
    match = Match(GameConfig("connect4"), list(HUMANS), moves=[3, 3, 3, 3, 3, 3])  # column 4 full
    svg = board_svg(picture_of(match))
    targets = sorted(int(a) for a in re.findall(r'data-click="move:(\d+)"', svg))
    assert targets == [int(a) for a in np.flatnonzero(match.legal_mask)] == [0, 1, 2, 4, 5, 6]
    candidates = [Candidate(action=2, visits=30, visit_share=0.75, prior=0.5, value=0.25)]
    drawn = board_svg(picture_of(match), candidates, chosen=2)
    assert re.findall(r'class="candidate" data-action="(\d+)"', drawn) == ["2"] and "75%" in drawn and "+0.25" in drawn
