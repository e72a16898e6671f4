"""Exact connect-four move scores from the `bitbully` solver, an optional extra (`pip install -e ".[solver]"`).

bitbully (AGPL-3.0) scores every legal column of a position exactly in milliseconds, with an opening book
for the first 12 plies. It is used only to evaluate agents (the `perfect` opponent, the move-quality
benchmark); nothing in training needs it, so the core does not depend on it.

Scores are from the view of the side to move: positive wins, negative loses, 0 draws; a larger positive
score wins sooner and a larger negative one loses later.
"""

from functools import cache
from typing import Any

from envs.connect4.solver import COLUMN_STRIDE, COLUMNS, ROWS
from muzero.core.errors import UserError

SOLVER_MISSING = (
    "the perfect connect-four player needs the solver extra: pip install -e '.[solver]' "
    "(the bitbully package, AGPL-3.0)"
)


@cache
def _solver() -> tuple[Any, Any]:
    """bitbully's board class and a solver with its default opening book (12 plies, with distances)."""
    try:
        import bitbully
    except ImportError:
        raise UserError(SOLVER_MISSING) from None
    return bitbully.Board, bitbully.BitBully()


def require_solver() -> None:
    """Raises the one-line UserError naming the extra when the solver package is missing."""
    _solver()


def solver_available() -> bool:
    """Whether the optional solver package is installed."""
    try:
        require_solver()
    except UserError:
        return False
    return True


def columns_from_bitboards(current: int, mask: int) -> list[list[int]]:
    """bitbully's column-major board (bottom cell first; 1 the first player's stones, 2 the second's)."""
    first_to_move = mask.bit_count() % 2 == 0
    mover, other = (1, 2) if first_to_move else (2, 1)
    columns = []
    for column in range(COLUMNS):
        cells = []
        for height in range(ROWS):
            bit = 1 << (column * COLUMN_STRIDE + height)
            cells.append(0 if not mask & bit else mover if current & bit else other)
        columns.append(cells)
    return columns


def solved_scores(current: int, mask: int) -> dict[int, int]:
    """The exact score of every legal column of the position `(current, mask)` for the side to move."""
    board_class, solver = _solver()
    board = board_class.from_array(columns_from_bitboards(current, mask))
    return {int(column): int(score) for column, score in solver.score_all_moves(board).items()}


def outcome(score: int) -> int:
    """+1 a won, 0 a drawn, -1 a lost position or move, from a solver score."""
    return (score > 0) - (score < 0)
