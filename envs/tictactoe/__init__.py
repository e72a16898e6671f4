"""Tic-tac-toe: PettingZoo's `tictactoe_v3`, its perfect player, its board and its bitboard rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.definition import ActionLayout, BoardView, GameArgs, GameDefinition, OpponentKind, Square
from envs.symmetries import SQUARE_TRANSFORMS, grid_symmetries
from envs.tictactoe.players import PerfectTicTacToePlayer, copy_state, squares_of
from muzero.core.symmetry import Symmetry

MARKS = ("X", "O")
EMPTY = "\u2003"  # an em space: a square needs a label


def env(**kwargs: Any) -> Any:
    from pettingzoo.classic import tictactoe_v3  # here: PettingZoo's classic games load only when played

    return tictactoe_v3.env(**kwargs)


def symmetries(**game_args: Any) -> tuple[Symmetry, ...]:
    """Observations (2, 3, 3): action a is cell (a // 3, a % 3); the square's 8."""
    return grid_symmetries((2, 3, 3), np.arange(9).reshape(3, 3), SQUARE_TRANSFORMS)


def describe_action(action: int, game_args: GameArgs) -> str:
    return f"cell {'abc'[action // 3]}{action % 3 + 1}"  # column letter, row number, as the board shows it


def action_layout(game_args: GameArgs) -> ActionLayout:
    return tuple(tuple(col * 3 + row for col in range(3)) for row in range(3))


def read_board(env: Any) -> BoardView:
    """The board with cell = col * 3 + row, as PettingZoo lays it out."""
    squares = squares_of(env)

    def square(action: int) -> Square:
        label = MARKS[squares[action] - 1] if squares[action] else EMPTY
        return Square(label, f"cell-{action}", action)

    return BoardView(tuple(tuple(square(action) for action in row) for row in action_layout({})))


GAME = GameDefinition(
    name="tictactoe",
    title="tic-tac-toe",
    make_env=env,
    symmetries=symmetries,
    opponents=(OpponentKind("perfect", PerfectTicTacToePlayer),),
    evaluation_opponents=("random", "perfect"),
    describe_action=describe_action,
    action_layout=action_layout,
    read_board=read_board,
    copy_state=copy_state,
)
