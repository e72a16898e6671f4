"""Connect four on bitboards, as PettingZoo's `connect_four_v3` plays it (the layout of `envs.connect4.solver`:
bit 7c + h is the cell h above the bottom of column c; observation row 0 is the top)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envs.connect4.solver import BOARD_CELLS, COLUMN_CELLS, COLUMN_STRIDE, COLUMNS, ROWS
from envs.rules_game import bit_planes, place_stone
from muzero.core.types import Decision

# the bit of each cell of the observation planes, row by row from the top
_CELL_BITS = np.array([COLUMN_STRIDE * col + ROWS - 1 - row for row in range(ROWS) for col in range(COLUMNS)])
_TOP_BITS = np.array([COLUMN_STRIDE * col + ROWS - 1 for col in range(COLUMNS)], dtype=np.int64)


def has_four(stones: int) -> bool:
    """Whether `stones` hold four in a line (the empty sentinel row stops lines wrapping between columns)."""
    for shift in (1, COLUMN_STRIDE, COLUMN_STRIDE - 1, COLUMN_STRIDE + 1):
        pairs = stones & (stones >> shift)
        if pairs & (pairs >> 2 * shift):
            return True
    return False


@dataclass(frozen=True)
class ConnectFourState:
    stones: tuple[int, int]  # the cells of player 0 and of player 1
    to_play: int = 0
    over: bool = False


class ConnectFourRules:
    """The pure rules behind `envs.rules_game.RulesGame`: +1 to the winner and -1 to the loser, 0 for a draw."""

    name = "connect4"
    num_players = 2
    num_actions = COLUMNS
    observation_shape = (2, ROWS, COLUMNS)

    def initial(self) -> ConnectFourState:
        return ConnectFourState((0, 0))

    def decision(self, state: ConnectFourState) -> Decision:
        own, other = state.stones[state.to_play], state.stones[1 - state.to_play]
        legal = ((own | other) >> _TOP_BITS & 1) == 0
        return Decision(bit_planes((own, other), _CELL_BITS, (ROWS, COLUMNS)), state.to_play, legal)

    def play(self, state: ConnectFourState, action: int) -> tuple[ConnectFourState, np.ndarray]:
        mask = state.stones[0] | state.stones[1]
        stone = (mask + (1 << (COLUMN_STRIDE * action))) & COLUMN_CELLS[action]  # the lowest empty cell
        stones, rewards, over = place_stone(state.stones, state.to_play, stone, has_four, BOARD_CELLS)
        return ConnectFourState(stones, 1 - state.to_play, over), rewards

    def is_over(self, state: ConnectFourState) -> bool:
        return state.over
