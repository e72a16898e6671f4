"""Reference opponents that pick an action for the agent to move in a PettingZoo AEC environment.

Every player has `act(env) -> int`: it reads `env.observe(env.agent_selection)`, returns a legal action and
leaves the environment untouched. The classic games' observation is HWC int8 with channel 0 holding the
observing agent's pieces and channel 1 the opponent's.
"""

from functools import cache
from typing import Protocol

import numpy as np
from pettingzoo import AECEnv

from envs.connect4_perfect import require_solver, solved_scores
from envs.connect4_solver import COLUMN_STRIDE, ROWS, AlphaBetaSearch
from envs.dots_and_boxes.greedy import GreedyDotsAndBoxesPlayer
from muzero.errors import UserError

TICTACTOE_LINES = tuple(
    sum(1 << cell for cell in line)
    for line in (
        (0, 1, 2),
        (3, 4, 5),
        (6, 7, 8),
        (0, 3, 6),
        (1, 4, 7),
        (2, 5, 8),
        (0, 4, 8),
        (2, 4, 6),
    )
)
TICTACTOE_CELLS = 9
MAX_ALPHABETA_DEPTH = 12  # depth 12 takes seconds a move in Python; every ply more about doubles that
# Every reference opponent ("alphabeta" is asked for as alphabeta:DEPTH) and the registered games it plays
# (empty: every game). A game's name outside this table (pettingzoo:MODULE, gym:ID) has only "random".
OPPONENT_GAMES: dict[str, tuple[str, ...]] = {
    "random": (),
    "perfect": ("tictactoe", "connect4"),  # connect four's needs the optional solver extra
    "alphabeta": ("connect4",),
    "greedy": ("dots_and_boxes",),
}


def _shown(kind: str) -> str:
    return f"alphabeta:DEPTH (DEPTH 1 to {MAX_ALPHABETA_DEPTH})" if kind == "alphabeta" else kind


OPPONENT_NAMES = ", ".join(_shown(kind) for kind in OPPONENT_GAMES)


# the reference players a run's evaluator plays each game against (any other game: a random player)
EVALUATION_OPPONENTS: dict[str, tuple[str, ...]] = {
    "tictactoe": ("random", "perfect"),
    "connect4": ("random", "alphabeta:4"),
    "dots_and_boxes": ("random", "greedy"),
}


def evaluation_opponents(game: str) -> tuple[str, ...]:
    """The reference players a run's evaluator plays the game called `game` against."""
    return EVALUATION_OPPONENTS.get(game, ("random",))


# uniformly random moves that open each evaluation game: an agent at temperature 0 against alpha-beta, whose
# heuristic scores seldom tie, would otherwise play a handful of games over and over (2 plies: 49 openings)
EVALUATION_OPENING_PLIES = {"connect4": 2}


def evaluation_opening_plies(game: str) -> int:
    """The random moves that open each evaluation game of the game called `game` (0: none)."""
    return EVALUATION_OPENING_PLIES.get(game, 0)


def opponents_of(game: str) -> list[str]:
    """The reference opponents that play the game called `game`, as they are asked for."""
    return [_shown(kind) for kind, games in OPPONENT_GAMES.items() if not games or game in games]


class Player(Protocol):
    """Picks a legal action for `env.agent_selection` without stepping the environment."""

    def act(self, env: AECEnv) -> int: ...


def current_observation(env: AECEnv) -> dict[str, np.ndarray]:
    """The observation dict (`observation`, `action_mask`) of the agent to move."""
    return env.observe(env.agent_selection)


def legal_actions(env: AECEnv) -> np.ndarray:
    """Indices of the legal actions of the agent to move, from its action mask."""
    return np.flatnonzero(current_observation(env)["action_mask"])


def _planes(env: AECEnv, shape: tuple[int, int, int], game: str) -> np.ndarray:
    planes = np.asarray(current_observation(env)["observation"])
    if planes.shape != shape:
        raise UserError(f"expected a {game} observation of shape {shape}, got {planes.shape}")
    return planes


def tictactoe_board_from_env(env: AECEnv) -> tuple[int, int]:
    """(own, opponent) bitmasks of the agent to move; bit i is cell i, which is also action i."""
    planes = _planes(env, (3, 3, 2), "tictactoe_v3")
    own, opponent = (planes[:, :, channel].reshape(TICTACTOE_CELLS) for channel in (0, 1))
    return _bits(own), _bits(opponent)


def connect4_bitboards_from_env(env: AECEnv) -> tuple[int, int]:
    """(current, mask) bitboards of the agent to move in the layout of `envs.connect4_solver`.

    Observation row 0 is the top; bit `7 * column + height` is the cell `height` above the bottom.
    """
    planes = _planes(env, (6, 7, 2), "connect_four_v3")
    current = mask = 0
    for row, column in zip(*np.nonzero(planes[:, :, 0] | planes[:, :, 1]), strict=True):
        bit = 1 << (int(column) * COLUMN_STRIDE + ROWS - 1 - int(row))
        mask |= bit
        if planes[row, column, 0]:
            current |= bit
    return current, mask


def _bits(cells: np.ndarray) -> int:
    return sum(1 << int(i) for i in np.flatnonzero(cells))


class RandomPlayer:
    """Uniform over the legal actions of any AEC environment with action masks."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, env: AECEnv) -> int:
        return int(self.rng.choice(legal_actions(env)))


def _has_line(stones: int) -> bool:
    return any(stones & line == line for line in TICTACTOE_LINES)


@cache
def tictactoe_value(own: int, opponent: int) -> int:
    """Minimax value for the side to move (own stones `own`): 0 draw, else ±(empty cells at the end + 1)."""
    empty = TICTACTOE_CELLS - (own | opponent).bit_count()
    if _has_line(opponent):
        return -(empty + 1)
    if empty == 0:
        return 0
    return max(tictactoe_move_values(own, opponent).values())


def tictactoe_move_values(own: int, opponent: int) -> dict[int, int]:
    """Minimax value of every empty cell for the side to move; sooner wins and later losses score higher."""
    occupied = own | opponent
    return {
        cell: -tictactoe_value(opponent, own | 1 << cell) for cell in range(TICTACTOE_CELLS) if not occupied >> cell & 1
    }


class PerfectTicTacToePlayer:
    """Plays a minimax-optimal move, uniformly at random among the equally valued best ones."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, env: AECEnv) -> int:
        values = tictactoe_move_values(*tictactoe_board_from_env(env))
        best = max(values.values())
        return int(self.rng.choice([cell for cell, value in values.items() if value == best]))


class PerfectConnectFourPlayer:
    """Plays a move that keeps the solved outcome at its best: the quickest win, else a draw, else the latest
    loss; uniformly at random among the equally scored best columns (the optional bitbully solver)."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)
        require_solver()  # a missing solver is refused here, before any game is played

    def act(self, env: AECEnv) -> int:
        scores = solved_scores(*connect4_bitboards_from_env(env))
        best = max(scores.values())
        return int(self.rng.choice(sorted(c for c, score in scores.items() if score == best)))


class AlphaBetaConnectFourPlayer:
    """Depth-limited negamax alpha-beta on bitboards; random among the equally valued best columns."""

    def __init__(self, depth: int = 5, seed: int | None = None) -> None:
        if not 1 <= depth <= MAX_ALPHABETA_DEPTH:
            raise UserError(f"alpha-beta depth must be 1 to {MAX_ALPHABETA_DEPTH}, got {depth}")
        self.depth = depth
        self.rng = np.random.default_rng(seed)
        self.search = AlphaBetaSearch()

    def act(self, env: AECEnv) -> int:
        scores = self.search.root_scores(*connect4_bitboards_from_env(env), self.depth)
        best = max(scores.values())
        return int(self.rng.choice(sorted(c for c, score in scores.items() if score == best)))


def opponent(name: str, seed: int | None = None, game: str | None = None) -> Player:
    """A reference opponent by name: "random", "perfect" (tic-tac-toe, and connect four with the solver
    extra), "alphabeta:DEPTH" (connect four) or "greedy" (dots and boxes).

    With `game` (the name of the game it is for), an opponent of another game is refused with a one-line
    UserError naming the opponents of `game`, before any game is played.
    """
    kind, colon, depth = name.partition(":")
    accepted = f"{game}'s opponents: {', '.join(opponents_of(game))}" if game else f"accepted: {OPPONENT_NAMES}"
    if kind not in OPPONENT_GAMES or bool(colon) != (kind == "alphabeta"):
        raise UserError(f"unknown opponent {name!r}; {accepted}")
    games = OPPONENT_GAMES[kind]
    if game is not None and games and game not in games:
        raise UserError(f"{kind} plays {', '.join(games)}; {accepted}")
    if kind == "random":
        return RandomPlayer(seed)
    if kind == "perfect":
        return PerfectConnectFourPlayer(seed) if game == "connect4" else PerfectTicTacToePlayer(seed)
    if kind == "greedy":
        return GreedyDotsAndBoxesPlayer(seed)
    if not (depth.isdigit() and 1 <= int(depth) <= MAX_ALPHABETA_DEPTH):
        raise UserError(
            f"{name!r}: the alpha-beta depth is a whole number from 1 to {MAX_ALPHABETA_DEPTH} "
            f"(each ply more about doubles the time a move takes); {accepted}"
        )
    return AlphaBetaConnectFourPlayer(int(depth), seed)
