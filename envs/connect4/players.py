"""Connect four's reference players (depth-limited alpha-beta, the perfect solver) and how a live env's board
is read."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.connect4.perfect import require_solver, solved_scores
from envs.connect4.rules import ConnectFourRules, ConnectFourState
from envs.connect4.solver import COLUMN_STRIDE, COLUMNS, ROWS, AlphaBetaSearch
from envs.opponents import observation_planes
from envs.pettingzoo_game import game_over
from envs.rules_game import RulesGame
from muzero.core.errors import UserError

MAX_ALPHABETA_DEPTH = 12  # depth 12 takes seconds a move in Python; every ply more about doubles that


def bitboards_from_env(env: Any) -> tuple[int, int]:
    """(current, mask) bitboards of the agent to move in the layout of `envs.connect4.solver`.

    Observation row 0 is the top; bit `7 * column + height` is the cell `height` above the bottom.
    """
    planes = observation_planes(env, (ROWS, COLUMNS, 2), "connect_four_v3")
    current = mask = 0
    for row, column in zip(*np.nonzero(planes[:, :, 0] | planes[:, :, 1]), strict=True):
        bit = 1 << (int(column) * COLUMN_STRIDE + ROWS - 1 - int(row))
        mask |= bit
        if planes[row, column, 0]:
            current |= bit
    return current, mask


class PerfectConnectFourPlayer:
    """Plays a move that keeps the solved outcome at its best: the quickest win, else a draw, else the latest
    loss; uniformly at random among the equally scored best columns (the optional bitbully solver)."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)
        require_solver()  # a missing solver is refused here, before any game is played

    def act(self, env: Any) -> int:
        scores = solved_scores(*bitboards_from_env(env))
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

    def act(self, env: Any) -> int:
        scores = self.search.root_scores(*bitboards_from_env(env), self.depth)
        best = max(scores.values())
        return int(self.rng.choice(sorted(c for c, score in scores.items() if score == best)))


def alphabeta_player(seed: int | None, depth: int) -> AlphaBetaConnectFourPlayer:
    return AlphaBetaConnectFourPlayer(depth, seed)


def board_of(env: Any) -> np.ndarray:
    """int[6, 7] of a live env, row 0 at the top: 0 empty, 1 the first player's disc, 2 the second's."""
    return np.asarray(env.unwrapped.board).reshape(ROWS, COLUMNS)


def copy_state(env: Any) -> RulesGame:
    """A rules copy of the position of a live connect-four env."""
    board = board_of(env)
    stones = [0, 0]
    for row, col in zip(*np.nonzero(board), strict=True):
        stones[int(board[row, col]) - 1] |= 1 << (COLUMN_STRIDE * int(col) + ROWS - 1 - int(row))
    over = game_over(env)
    to_play = env.possible_agents.index(env.agent_selection)
    return RulesGame(ConnectFourRules(), ConnectFourState((stones[0], stones[1]), to_play, over))
