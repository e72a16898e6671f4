"""A board as a picture, in plain data: what a game's `draw_board(env, last_action)` returns and the arena draws
as SVG (the game never imports Streamlit or writes SVG itself).

Geometry is in board units (one square of the board is about 1 x 1), y growing downwards. A picture holds the
`marks` to draw (pieces, the board, coordinates), one `MoveSpot` per legal move (where a click plays it, and the
piece shown under the pointer there), and each player's piece for the legend. Colours name roles, not CSS:
`player(p)` for player p's colour (the picture's `colours`), or one of the roles below, which the arena's
stylesheet paints.
"""

from __future__ import annotations

from dataclasses import dataclass

# shapes
DISC = "disc"  # a filled circle in its box
CROSS = "cross"  # an X in its box (tic-tac-toe's first player)
RING = "ring"  # an O in its box
RECT = "rect"  # a filled rectangle (a board, a taken box), corners rounded by `Mark.round`
LINE = "line"  # from (x, y) to (x + width, y + height)
TEXT = "text"  # `Mark.text`, centred in its box
SHAPES = (DISC, CROSS, RING, RECT, LINE, TEXT)

# colour roles besides the players'
BOARD, HOLE, GRID, LABEL, OPEN, DRAWN = "board", "hole", "grid", "label", "open", "drawn"
ROLES = (BOARD, HOLE, GRID, LABEL, OPEN, DRAWN)

# notes: what a mark means besides its shape
LAST = "last"  # the last move played
WIN = "win"  # part of the line that won the game

Box = tuple[float, float, float, float]  # x, y, width, height in board units


def player(index: int) -> str:
    """The colour role of player `index`."""
    return f"player-{index}"


def tone(index: int) -> str:
    """The colour role of the picture's own colour `index` (its `tones`: a tile's value, say)."""
    return f"tone-{index}"


@dataclass(frozen=True)
class Mark:
    """One thing drawn: a shape in a box, in a colour role, with an optional note (LAST, WIN)."""

    shape: str
    box: Box
    colour: str
    text: str = ""  # a TEXT mark's words
    note: str = ""
    round: float = 0.0  # a RECT's corner radius, board units


@dataclass(frozen=True)
class MoveSpot:
    """A legal move on the board: a click in `box` plays `action`; `ghost`, drawn under the pointer, is the piece
    the move would put down (its centre is where the search's numbers for the move go)."""

    action: int
    box: Box
    ghost: Mark | None = None

    @property
    def anchor(self) -> tuple[float, float]:
        x, y, width, height = self.ghost.box if self.ghost is not None else self.box
        return x + width / 2, y + height / 2


@dataclass(frozen=True)
class BoardPicture:
    """A position as a picture: its size, what is drawn, where each legal move is, each player's piece."""

    width: float
    height: float
    marks: tuple[Mark, ...]
    spots: tuple[MoveSpot, ...]  # the legal moves (none once the game is over)
    pieces: tuple[Mark, ...]  # each player's piece for the legend, in a 1 x 1 box at (0, 0)
    colours: tuple[str, ...]  # each player's CSS colour
    tones: tuple[str, ...] = ()  # CSS colours of the roles tone(0), tone(1), ... (the game's own, e.g. tiles)

    def __post_init__(self) -> None:
        for mark in (*self.marks, *self.pieces, *(spot.ghost for spot in self.spots if spot.ghost)):
            if mark.shape not in SHAPES:
                raise ValueError(f"unknown shape {mark.shape!r}: one of {', '.join(SHAPES)}")


def coordinate(text: str, x: float, y: float, width: float = 1.0) -> Mark:
    """A coordinate label centred at (x, y), in a box `width` wide and half a unit high."""
    return Mark(TEXT, (x - width / 2, y - 0.25, width, 0.5), LABEL, text=text)
