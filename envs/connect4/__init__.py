"""Connect four: PettingZoo's `connect_four_v3`, its reference players, its board and its bitboard rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.connect4.players import MAX_ALPHABETA_DEPTH, PerfectConnectFourPlayer, alphabeta_player, board_of, copy_state
from envs.connect4.solver import COLUMNS, ROWS
from envs.definition import ActionLayout, BoardView, GameArgs, GameDefinition, OpponentKind, Square
from envs.symmetries import flip_left_right, grid_symmetries, identity
from muzero.core.symmetry import Symmetry

DISCS = ("🔴", "🟡")
EMPTY_CELL = "⚪"


def env(**kwargs: Any) -> Any:
    from pettingzoo.classic import connect_four_v3  # here: PettingZoo's classic games load only when played

    return connect_four_v3.env(**kwargs)


def symmetries(**game_args: Any) -> tuple[Symmetry, ...]:
    """Observations (2, 6, 7): action c is column c; the mirror image."""
    return grid_symmetries((2, ROWS, COLUMNS), np.arange(COLUMNS).reshape(1, COLUMNS), (identity, flip_left_right))


def describe_action(action: int, game_args: GameArgs) -> str:
    return f"column {action + 1}"


def action_layout(game_args: GameArgs) -> ActionLayout:
    return (tuple(range(COLUMNS)),)


def read_board(env: Any) -> BoardView:
    """Every cell of a column drops a disc into that column."""
    board = board_of(env)

    def square(row: int, col: int) -> Square:
        label = DISCS[board[row, col] - 1] if board[row, col] else EMPTY_CELL
        return Square(label, f"cell-{row}-{col}", col)

    return BoardView(tuple(tuple(square(row, col) for col in range(COLUMNS)) for row in range(ROWS)))


GAME = GameDefinition(
    name="connect4",
    title="connect four",
    make_env=env,
    symmetries=symmetries,
    opponents=(
        OpponentKind("perfect", PerfectConnectFourPlayer),  # needs the optional solver extra
        OpponentKind(
            "alphabeta",
            alphabeta_player,
            level="DEPTH",
            levels=(1, MAX_ALPHABETA_DEPTH),
            level_note="each ply more about doubles the time a move takes",
            title="alpha-beta",
        ),
    ),
    evaluation_opponents=("random", "alphabeta:4"),
    opening_plies=2,  # 2 plies: 49 openings; alpha-beta's heuristic scores seldom tie
    describe_action=describe_action,
    action_layout=action_layout,
    read_board=read_board,
    copy_state=copy_state,
)
