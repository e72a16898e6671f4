"""Pure rules of 2048, one player (numpy only).

The board is 4 x 4 cells, each empty (0) or a tile 2**k (stored as k). A move slides every tile up, right,
down or left as far as it goes; two equal tiles that meet merge into one of twice the value, once per move
and tile, and the move scores the merged tiles' values. A move that changes nothing is no move. After each
move chance places a new tile on an empty cell, a 2 with probability 0.9 or a 4 with 0.1: outcome
2 * cell + k (k = 0: a 2, k = 1: a 4) of `CHANCE_OUTCOMES`, each empty cell equally likely. The game ends
when no move is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from muzero.core.errors import IllegalActionError
from muzero.core.types import Decision

SIDE, CELLS = 4, 16
UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
ACTION_NAMES = ("up", "right", "down", "left")
CHANCE_OUTCOMES = 2 * CELLS  # a 2 or a 4 on each cell
FOUR_PROBABILITY = 0.1
PLANES = 16  # observation planes: empty, then tiles 2 ... 2**15, one-hot per cell
# the cells of each line a move slides along, from the edge the tiles move to
LINES = {
    UP: tuple(tuple(column + SIDE * row for row in range(SIDE)) for column in range(SIDE)),
    DOWN: tuple(tuple(column + SIDE * row for row in reversed(range(SIDE))) for column in range(SIDE)),
    LEFT: tuple(tuple(SIDE * row + column for column in range(SIDE)) for row in range(SIDE)),
    RIGHT: tuple(tuple(SIDE * row + column for column in reversed(range(SIDE))) for row in range(SIDE)),
}

Board = tuple[int, ...]  # 16 exponents, row by row (0: empty)


@dataclass(frozen=True)
class State2048:
    """A position where the player moves: the board, the score so far, whether the game is over."""

    board: Board
    score: int = 0
    over: bool = False
    to_play: int = 0  # the only player

    @property
    def largest_tile(self) -> int:
        return 1 << max(self.board) if any(self.board) else 0


@dataclass(frozen=True)
class Spawn:
    """The afterstate of a move: the tiles slid and merged, the new tile not placed yet (a chance node)."""

    board: Board
    score: int


@cache
def slide_line(line: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """One line of exponents slid toward its start: (the new line, the points its merges score)."""
    tiles = [tile for tile in line if tile]
    merged, points, index = [], 0, 0
    while index < len(tiles):
        if index + 1 < len(tiles) and tiles[index] == tiles[index + 1]:
            merged.append(tiles[index] + 1)
            points += 1 << (tiles[index] + 1)
            index += 2
        else:
            merged.append(tiles[index])
            index += 1
    return tuple(merged + [0] * (len(line) - len(merged))), points


def slide(board: Board, action: int) -> tuple[Board, int]:
    """The board after move `action` (tiles slid and merged) and the points it scores."""
    cells, points = list(board), 0
    for line in LINES[action]:
        new_line, gained = slide_line(tuple(board[cell] for cell in line))
        points += gained
        for cell, tile in zip(line, new_line, strict=True):
            cells[cell] = tile
    return tuple(cells), points


@cache
def legal_moves(board: Board) -> np.ndarray:
    """bool[4]: the moves that change the board (read-only)."""
    mask = np.array([slide(board, action)[0] != board for action in range(4)])
    mask.flags.writeable = False
    return mask


@lru_cache(maxsize=1 << 16)
def spawn_probabilities(board: Board) -> np.ndarray:
    """float64[32]: the probability of each outcome (a 2 or a 4 on each empty cell) after a move (read-only)."""
    empty = np.array(board) == 0  # bool[16]
    probabilities = np.zeros((CELLS, 2))
    probabilities[empty] = np.array([1 - FOUR_PROBABILITY, FOUR_PROBABILITY]) / empty.sum()
    probabilities = probabilities.ravel()
    probabilities.flags.writeable = False
    return probabilities


def place(board: Board, outcome: int) -> Board:
    """The board with outcome `outcome`'s tile placed (2 * cell + k: a 2 for k = 0, a 4 for k = 1)."""
    cell, four = divmod(outcome, 2)
    if not 0 <= cell < CELLS or board[cell]:
        raise IllegalActionError(f"2048: no tile can be placed on cell {cell}")
    cells = list(board)
    cells[cell] = 2 if four else 1
    return tuple(cells)


def after_spawn(spawn: Spawn, outcome: int) -> State2048:
    board = place(spawn.board, outcome)
    return State2048(board, spawn.score, not legal_moves(board).any())


def draw_outcome(board: Board, rng: np.random.Generator) -> int:
    """An outcome drawn by `rng` with the game's probabilities."""
    return int(rng.choice(CHANCE_OUTCOMES, p=spawn_probabilities(board)))


def initial_state(rng: np.random.Generator) -> State2048:
    """Two tiles placed by chance on the empty board."""
    board: Board = (0,) * CELLS
    for _ in range(2):
        board = place(board, draw_outcome(board, rng))
    return State2048(board)


def move(state: State2048, action: int) -> tuple[Spawn, int]:
    """The afterstate of a legal move and the points it scores."""
    if state.over or not 0 <= action < 4 or not legal_moves(state.board)[action]:
        name = f" ({ACTION_NAMES[action]})" if 0 <= action < 4 else ""
        raise IllegalActionError(f"2048: action {action}{name} is no move here")
    board, points = slide(state.board, action)
    return Spawn(board, state.score + points), points


ONE_HOT = np.eye(PLANES, dtype=np.int8)  # row k: plane k marked
ONE_HOT_FIRST = np.eye(PLANES, dtype=np.float32)  # column k: plane k marked (channels first)


def observation_planes(board: Board) -> np.ndarray:
    """int8[4, 4, 16]: plane 0 marks the empty cells, plane k the tiles 2**k (capped at the last plane)."""
    return ONE_HOT[np.minimum(np.array(board), PLANES - 1).reshape(SIDE, SIDE)]


class Rules2048:
    """The pure rules behind `envs.rules_game.RulesGame`, with the new tile as a chance outcome. A copy's
    reset starts from a fixed position (two 2s in the top corners); copies of a live game start where it is."""

    name = "2048"
    num_players = 1
    num_actions = 4
    observation_shape = (PLANES, SIDE, SIDE)
    chance_outcomes = CHANCE_OUTCOMES

    def initial(self) -> State2048:
        return State2048((1, 0, 0, 1) + (0,) * 12)

    def decision(self, state: State2048) -> Decision:
        observation = ONE_HOT_FIRST[:, np.minimum(np.array(state.board), PLANES - 1)].reshape(PLANES, SIDE, SIDE)
        return Decision(observation, 0, legal_moves(state.board).copy())

    def play(self, state: State2048, action: int) -> tuple[Spawn, np.ndarray]:
        spawn, points = move(state, action)
        return spawn, np.array([points], dtype=np.float32)

    def is_over(self, state: State2048 | Spawn) -> bool:
        return isinstance(state, State2048) and state.over

    def chance_probabilities(self, state: State2048 | Spawn) -> np.ndarray | None:
        return spawn_probabilities(state.board) if isinstance(state, Spawn) else None

    def resolve(self, state: Spawn, outcome: int) -> tuple[State2048, np.ndarray]:
        return after_spawn(state, outcome), np.zeros(1, dtype=np.float32)

    def mover(self, state: Spawn) -> int:
        return 0
