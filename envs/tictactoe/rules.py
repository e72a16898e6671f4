"""Tic-tac-toe on bitboards, as PettingZoo's `tictactoe_v3` plays it: bit i is cell i, which is also action i
(cell i sits at row i // 3, column i % 3 of the observation planes; PettingZoo calls i // 3 the column)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from envs.rules_game import bit_planes, place_stone
from muzero.core.types import Decision

CELLS = 9
FULL = (1 << CELLS) - 1
LINES = tuple(
    sum(1 << cell for cell in line)
    for line in ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
)
_CELL_BITS = np.arange(CELLS, dtype=np.int64)


def has_line(stones: int) -> bool:
    return any(stones & line == line for line in LINES)


@dataclass(frozen=True)
class TicTacToeState:
    stones: tuple[int, int]  # the cells of player 0 (X) and of player 1 (O)
    to_play: int = 0
    over: bool = False


class TicTacToeRules:
    """The pure rules behind `envs.rules_game.RulesGame`: +1 to the winner and -1 to the loser, 0 each for a draw."""

    name = "tictactoe"
    num_players = 2
    num_actions = CELLS
    observation_shape = (2, 3, 3)

    def initial(self) -> TicTacToeState:
        return TicTacToeState((0, 0))

    def decision(self, state: TicTacToeState) -> Decision:
        own, other = state.stones[state.to_play], state.stones[1 - state.to_play]
        legal = ((~(own | other) & FULL) >> _CELL_BITS & 1).astype(bool)
        return Decision(bit_planes((own, other), _CELL_BITS, (3, 3)), state.to_play, legal)

    def play(self, state: TicTacToeState, action: int) -> tuple[TicTacToeState, np.ndarray]:
        stones, rewards, over = place_stone(state.stones, state.to_play, 1 << action, has_line, FULL)
        return TicTacToeState(stones, 1 - state.to_play, over), rewards

    def is_over(self, state: TicTacToeState) -> bool:
        return state.over


@cache
def position_value(own: int, opponent: int) -> int:
    """Minimax value for the side to move (own stones `own`): 0 draw, else ±(empty cells at the end + 1)."""
    empty = CELLS - (own | opponent).bit_count()
    if has_line(opponent):
        return -(empty + 1)
    if empty == 0:
        return 0
    return max(move_values(own, opponent).values())


def move_values(own: int, opponent: int) -> dict[int, int]:
    """Minimax value of every empty cell for the side to move; sooner wins and later losses score higher."""
    occupied = own | opponent
    return {cell: -position_value(opponent, own | 1 << cell) for cell in range(CELLS) if not occupied >> cell & 1}
