"""Connect four: PettingZoo's `connect_four_v3`, its reference players, its board and its bitboard rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs import picture as pic
from envs.connect4.players import MAX_ALPHABETA_DEPTH, PerfectConnectFourPlayer, alphabeta_player, board_of, copy_state
from envs.connect4.solver import COLUMNS, ROWS
from envs.definition import GameArgs, GameDefinition, OpponentKind
from envs.opponents import legal_actions
from envs.pettingzoo_game import game_over
from envs.symmetries import flip_left_right, grid_symmetries, identity
from muzero.core.symmetry import Symmetry

TOP = 0.6  # board units above the board, for the column numbers
COLOURS = ("#e0302a", "#f2c618")  # the first player's discs, the second's
DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


def env(**kwargs: Any) -> Any:
    from pettingzoo.classic import connect_four_v3  # here: PettingZoo's classic games load only when played

    return connect_four_v3.env(**kwargs)


def symmetries(**game_args: Any) -> tuple[Symmetry, ...]:
    """Observations (2, 6, 7): action c is column c; the mirror image."""
    return grid_symmetries((2, ROWS, COLUMNS), np.arange(COLUMNS).reshape(1, COLUMNS), (identity, flip_left_right))


def describe_action(action: int, game_args: GameArgs) -> str:
    return f"column {action + 1}"


def winning_cells(board: np.ndarray) -> set[tuple[int, int]]:
    """The cells of every four (or more) in a row of one player's discs."""
    cells: set[tuple[int, int]] = set()
    for row in range(ROWS):
        for col in range(COLUMNS):
            for dr, dc in DIRECTIONS:
                line = [(row + k * dr, col + k * dc) for k in range(4)]
                inside = all(0 <= r < ROWS and 0 <= c < COLUMNS for r, c in line)
                if inside and board[row, col] and all(board[r, c] == board[row, col] for r, c in line):
                    cells.update(line)
    return cells


def _cell_box(row: int, col: int) -> pic.Box:
    """The disc of a cell, row 0 at the top."""
    return (0.1 + col + 0.08, TOP + 0.1 + row + 0.08, 0.84, 0.84)


def _top_row(board: np.ndarray, col: int | None) -> int | None:
    """The row of the top disc of column `col` (None: no column, or an empty one)."""
    if col is None:
        return None
    filled = np.flatnonzero(board[:, col])
    return int(filled[0]) if filled.size else None


def _discs(board: np.ndarray, last_action: int | None) -> list[pic.Mark]:
    """A hole per empty cell, a disc per full one: those of a four noted WIN, else the last one noted LAST."""
    wins, last = winning_cells(board), (_top_row(board, last_action), last_action)
    marks = []
    for row in range(ROWS):
        for col in range(COLUMNS):
            owner = int(board[row, col])
            if not owner:
                marks.append(pic.Mark(pic.DISC, _cell_box(row, col), pic.HOLE))
                continue
            note = pic.WIN if (row, col) in wins else (pic.LAST if (row, col) == last else "")
            marks.append(pic.Mark(pic.DISC, _cell_box(row, col), pic.player(owner - 1), note=note))
    return marks


def _spots(env: Any, board: np.ndarray) -> tuple[pic.MoveSpot, ...]:
    """Each legal column as a move, the whole column its box, the mover's disc where it would land its ghost."""
    if not env.agents or game_over(env):
        return ()
    mover = env.possible_agents.index(env.agent_selection)
    spots = []
    for col in map(int, legal_actions(env)):
        landing = int(np.flatnonzero(board[:, col] == 0)[-1])
        ghost = pic.Mark(pic.DISC, _cell_box(landing, col), pic.player(mover))
        spots.append(pic.MoveSpot(col, (0.1 + col, TOP, 1.0, ROWS + 0.2), ghost))
    return tuple(spots)


def draw_board(env: Any, last_action: int | None) -> pic.BoardPicture:
    """The board with its column numbers, the discs (the last one and a winning four marked), each legal column
    as a move."""
    board = board_of(env)
    marks = [pic.coordinate(str(col + 1), 0.6 + col, TOP / 2) for col in range(COLUMNS)]
    marks.append(pic.Mark(pic.RECT, (0.0, TOP, COLUMNS + 0.2, ROWS + 0.2), pic.BOARD, round=0.25))
    marks += _discs(board, last_action)
    pieces = tuple(pic.Mark(pic.DISC, (0, 0, 1, 1), pic.player(p)) for p in range(2))
    return pic.BoardPicture(COLUMNS + 0.2, TOP + ROWS + 0.2, tuple(marks), _spots(env, board), pieces, COLOURS)


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
    draw_board=draw_board,
    copy_state=copy_state,
)
