"""Tic-tac-toe's reference player and how its boards are read from a PettingZoo env."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.opponents import observation_planes
from envs.pettingzoo_game import game_over
from envs.rules_game import RulesGame
from envs.tictactoe.rules import CELLS, TicTacToeRules, TicTacToeState, move_values


def bitboards_from_env(env: Any) -> tuple[int, int]:
    """(own, opponent) bitmasks of the agent to move; bit i is cell i, which is also action i."""
    planes = observation_planes(env, (3, 3, 2), "tictactoe_v3")
    own, opponent = (planes[:, :, channel].reshape(CELLS) for channel in (0, 1))
    return _bits(own), _bits(opponent)


def _bits(cells: np.ndarray) -> int:
    return sum(1 << int(i) for i in np.flatnonzero(cells))


class PerfectTicTacToePlayer:
    """Plays a minimax-optimal move, uniformly at random among the equally valued best ones."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, env: Any) -> int:
        values = move_values(*bitboards_from_env(env))
        best = max(values.values())
        return int(self.rng.choice([cell for cell, value in values.items() if value == best]))


def squares_of(env: Any) -> list[int]:
    """The board of a live env: 0 empty, 1 the first player, 2 the second; index = cell = action."""
    return list(env.unwrapped.board.squares)


def copy_state(env: Any) -> RulesGame:
    """A rules copy of the position of a live tic-tac-toe env."""
    squares = squares_of(env)
    stones = tuple(sum(1 << cell for cell, mark in enumerate(squares) if mark == player) for player in (1, 2))
    over = game_over(env)
    to_play = env.possible_agents.index(env.agent_selection)
    return RulesGame(TicTacToeRules(), TicTacToeState((stones[0], stones[1]), to_play, over))
