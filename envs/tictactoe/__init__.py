"""Tic-tac-toe: PettingZoo's `tictactoe_v3`, its perfect player, its board and its bitboard rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs import picture as pic
from envs.definition import GameArgs, GameDefinition, OpponentKind
from envs.opponents import legal_actions
from envs.pettingzoo_game import game_over
from envs.symmetries import SQUARE_TRANSFORMS, grid_symmetries
from envs.tictactoe.players import PerfectTicTacToePlayer, copy_state, squares_of
from muzero.core.symmetry import Symmetry

MARGIN = 0.6  # board units left of and above the cells, for the coordinates
COLOURS = ("#d62728", "#1f77b4")  # X, O
LINES = (*((0, 1, 2), (3, 4, 5), (6, 7, 8)), *((0, 3, 6), (1, 4, 7), (2, 5, 8)), (0, 4, 8), (2, 4, 6))  # cells


def env(**kwargs: Any) -> Any:
    from pettingzoo.classic import tictactoe_v3  # here: PettingZoo's classic games load only when played

    return tictactoe_v3.env(**kwargs)


def symmetries(**game_args: Any) -> tuple[Symmetry, ...]:
    """Observations (2, 3, 3): action a is cell (a // 3, a % 3); the square's 8."""
    return grid_symmetries((2, 3, 3), np.arange(9).reshape(3, 3), SQUARE_TRANSFORMS)


def describe_action(action: int, game_args: GameArgs) -> str:
    return f"cell {'abc'[action // 3]}{action % 3 + 1}"  # column letter, row number, as the board shows it


def _cell_box(cell: int) -> pic.Box:
    """The square of a cell = col * 3 + row, as PettingZoo lays it out: column a-c from the left, row 1-3 from
    the top."""
    col, row = divmod(cell, 3)
    return (MARGIN + col, MARGIN + row, 1.0, 1.0)


def _piece(player: int, box: pic.Box, note: str = "") -> pic.Mark:
    """Player 0's X or player 1's O in `box`."""
    return pic.Mark(pic.CROSS if player == 0 else pic.RING, box, pic.player(player), note=note)


def winning_line(squares: list[int]) -> tuple[int, ...]:
    """The three cells of a completed line (empty while there is none)."""
    return next((line for line in LINES if squares[line[0]] and len({squares[c] for c in line}) == 1), ())


def _grid() -> list[pic.Mark]:
    """The column letters above the cells, the row numbers left of them, the four grid lines."""
    marks = [pic.coordinate("abc"[i], MARGIN + i + 0.5, MARGIN / 2) for i in range(3)]
    marks += [pic.coordinate(str(i + 1), MARGIN / 2, MARGIN + i + 0.5, width=MARGIN) for i in range(3)]
    for i in (1, 2):
        marks.append(pic.Mark(pic.LINE, (MARGIN + i, MARGIN, 0.0, 3.0), pic.GRID))
        marks.append(pic.Mark(pic.LINE, (MARGIN, MARGIN + i, 3.0, 0.0), pic.GRID))
    return marks


def _pieces(squares: list[int], line: tuple[int, ...], last_action: int | None) -> list[pic.Mark]:
    """The Xs and Os: those of a winning line noted WIN (and struck through in the winner's colour), else the
    last one noted LAST."""
    marks = []
    for cell, mark in enumerate(squares):
        if mark:
            note = pic.WIN if cell in line else (pic.LAST if cell == last_action else "")
            marks.append(_piece(mark - 1, _cell_box(cell), note))
    if line:
        (x0, y0, _, _), (x1, y1, _, _) = _cell_box(line[0]), _cell_box(line[-1])
        winner = pic.player(squares[line[0]] - 1)
        marks.append(pic.Mark(pic.LINE, (x0 + 0.5, y0 + 0.5, x1 - x0, y1 - y0), winner, note=pic.WIN))
    return marks


def _spots(env: Any) -> tuple[pic.MoveSpot, ...]:
    """Each legal cell as a move, the mover's piece as its ghost (none once the game is over)."""
    if not env.agents or game_over(env):
        return ()
    mover = env.possible_agents.index(env.agent_selection)
    boxes = {int(cell): _cell_box(cell) for cell in legal_actions(env)}
    return tuple(pic.MoveSpot(cell, box, _piece(mover, box)) for cell, box in boxes.items())


def draw_board(env: Any, last_action: int | None) -> pic.BoardPicture:
    """The grid with its coordinates, X and O, the last move and a winning line marked, the free cells as moves."""
    squares = squares_of(env)
    marks = _grid() + _pieces(squares, winning_line(squares), last_action)
    pieces = (_piece(0, (0, 0, 1, 1)), _piece(1, (0, 0, 1, 1)))
    return pic.BoardPicture(MARGIN + 3.2, MARGIN + 3.2, tuple(marks), _spots(env), pieces, COLOURS)


GAME = GameDefinition(
    name="tictactoe",
    title="tic-tac-toe",
    make_env=env,
    symmetries=symmetries,
    opponents=(OpponentKind("perfect", PerfectTicTacToePlayer),),
    evaluation_opponents=("random", "perfect"),
    describe_action=describe_action,
    draw_board=draw_board,
    copy_state=copy_state,
)
