"""Pure dots-and-boxes rules for 2 to 4 players (numpy only).

Edges are numbered like the actions: the horizontal edges h[r][c] (r in 0..rows, c in 0..cols-1) come first
at index r*cols + c, then the vertical edges v[r][c] (r in 0..rows-1, c in 0..cols) at index
(rows+1)*cols + r*(cols+1) + c. Completing at least one box earns another move.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from muzero.core.errors import IllegalActionError, UserError
from muzero.core.types import legal_actions_text

MIN_PLAYERS = 2
MAX_PLAYERS = 4
NOBODY = -1


@dataclass(frozen=True, eq=False)
class DotsAndBoxesState:
    """One position; its arrays are read-only, `apply` returns a new state."""

    edges: np.ndarray  # bool[num_edges]: drawn edges
    owners: np.ndarray  # int8[rows, cols]: the player owning each box, NOBODY if open
    scores: np.ndarray  # int64[players]: boxes owned by each player
    to_play: int
    players: int
    rows: int
    cols: int

    def __post_init__(self) -> None:
        for array in (self.edges, self.owners, self.scores):
            array.flags.writeable = False

    def copy(self) -> DotsAndBoxesState:
        """An independent copy (the arrays are copied too)."""
        return DotsAndBoxesState(
            self.edges.copy(),
            self.owners.copy(),
            self.scores.copy(),
            self.to_play,
            self.players,
            self.rows,
            self.cols,
        )

    @property
    def num_edges(self) -> int:
        return num_edges(self.rows, self.cols)


def num_edges(rows: int, cols: int) -> int:
    """The number of edges (= actions) of a board of rows x cols boxes."""
    return (rows + 1) * cols + rows * (cols + 1)


def validate_arguments(players: int, rows: int, cols: int) -> None:
    """Raise a UserError naming the first bad argument."""
    if not isinstance(players, int) or not MIN_PLAYERS <= players <= MAX_PLAYERS:
        raise UserError(f"players must be an integer from {MIN_PLAYERS} to {MAX_PLAYERS}, got {players!r}")
    for name, value in (("rows", rows), ("cols", cols)):
        if not isinstance(value, int) or value < 1:
            raise UserError(f"{name} (number of boxes) must be an integer >= 1, got {value!r}")


def initial_state(players: int = 2, rows: int = 3, cols: int = 3) -> DotsAndBoxesState:
    """The empty board with player 0 to move."""
    validate_arguments(players, rows, cols)
    return DotsAndBoxesState(
        edges=np.zeros(num_edges(rows, cols), dtype=bool),
        owners=np.full((rows, cols), NOBODY, dtype=np.int8),
        scores=np.zeros(players, dtype=np.int64),
        to_play=0,
        players=players,
        rows=rows,
        cols=cols,
    )


def legal_mask(state: DotsAndBoxesState) -> np.ndarray:
    """bool[num_edges]: the edges not drawn yet."""
    return ~state.edges


def is_over(state: DotsAndBoxesState) -> bool:
    """The game ends when every edge is drawn."""
    return bool(state.edges.all())


def sides_drawn(state: DotsAndBoxesState) -> np.ndarray:
    """int[rows, cols]: how many of each box's four sides are drawn."""
    rows, cols = state.rows, state.cols
    horizontal = state.edges[: (rows + 1) * cols].reshape(rows + 1, cols).astype(np.int64)
    vertical = state.edges[(rows + 1) * cols :].reshape(rows, cols + 1).astype(np.int64)
    return horizontal[:-1] + horizontal[1:] + vertical[:, :-1] + vertical[:, 1:]


def adjacent_boxes(rows: int, cols: int, edge: int) -> list[tuple[int, int]]:
    """The one or two boxes (row, col) that have `edge` as a side."""
    horizontal_count = (rows + 1) * cols
    if edge < horizontal_count:
        r, c = divmod(edge, cols)
        candidates = [(r - 1, c), (r, c)]
    else:
        r, c = divmod(edge - horizontal_count, cols + 1)
        candidates = [(r, c - 1), (r, c)]
    return [(br, bc) for br, bc in candidates if 0 <= br < rows and 0 <= bc < cols]


def box_sides(rows: int, cols: int, row: int, col: int) -> tuple[int, int, int, int]:
    """The edges around box (row, col): top, bottom, left, right."""
    vertical_start = (rows + 1) * cols
    left = vertical_start + row * (cols + 1) + col
    return row * cols + col, (row + 1) * cols + col, left, left + 1


def boxes_completed_by(state: DotsAndBoxesState, edge: int) -> int:
    """How many boxes drawing `edge` would complete, without drawing it (0 if it is already drawn)."""
    if state.edges[edge]:
        return 0
    return sum(_sides_of_box(state, r, c) == 3 for r, c in adjacent_boxes(state.rows, state.cols, edge))


def _sides_of_box(state: DotsAndBoxesState, row: int, col: int) -> int:
    return int(sum(state.edges[side] for side in box_sides(state.rows, state.cols, row, col)))


def check_legal(state: DotsAndBoxesState, edge: object) -> int:
    """The edge as an int, or IllegalActionError if it is out of range or already drawn."""
    try:
        index: int | None = operator.index(edge)  # type: ignore[arg-type]
    except TypeError:
        index = None
    if index is None or not 0 <= index < state.num_edges or state.edges[index]:
        shown = edge if index is None else index
        raise IllegalActionError(
            f"action {shown!r} is not legal here; legal actions: {legal_actions_text(legal_mask(state))}"
        )
    return index


def apply(state: DotsAndBoxesState, edge: int) -> tuple[DotsAndBoxesState, int]:
    """Draw `edge` for the player to move: (new state, boxes captured). The input state is not changed."""
    index = check_legal(state, edge)
    edges = state.edges.copy()
    edges[index] = True
    owners = state.owners.copy()
    scores = state.scores.copy()
    captured = 0
    for r, c in adjacent_boxes(state.rows, state.cols, index):
        if owners[r, c] == NOBODY and all(edges[side] for side in box_sides(state.rows, state.cols, r, c)):
            owners[r, c] = state.to_play
            captured += 1
    scores[state.to_play] += captured
    to_play = state.to_play if captured else (state.to_play + 1) % state.players
    new_state = DotsAndBoxesState(edges, owners, scores, to_play, state.players, state.rows, state.cols)
    return new_state, captured
