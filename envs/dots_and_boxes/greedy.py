"""A greedy dots-and-boxes opponent: capture the most, else give nothing away, else give away the least."""

from __future__ import annotations

import numpy as np
from pettingzoo import AECEnv

from envs.dots_and_boxes.rules import (
    DotsAndBoxesState,
    adjacent_boxes,
    boxes_completed_by,
    legal_mask,
    sides_drawn,
)
from muzero.core.errors import UserError


def boxes_given_away_by(state: DotsAndBoxesState, edge: int, sides: np.ndarray | None = None) -> int:
    """How many boxes drawing `edge` would leave with exactly three sides drawn."""
    sides = sides_drawn(state) if sides is None else sides
    return sum(int(sides[r, c]) == 2 for r, c in adjacent_boxes(state.rows, state.cols, edge))


def greedy_edges(state: DotsAndBoxesState) -> list[int]:
    """The legal edges the greedy policy considers equally good."""
    legal = np.flatnonzero(legal_mask(state)).tolist()
    if not legal:
        raise UserError("the game is over: there is no edge left to choose")
    completed = [boxes_completed_by(state, edge) for edge in legal]
    if max(completed) > 0:
        return [edge for edge, count in zip(legal, completed, strict=True) if count == max(completed)]
    sides = sides_drawn(state)
    given_away = [boxes_given_away_by(state, edge, sides) for edge in legal]
    return [edge for edge, count in zip(legal, given_away, strict=True) if count == min(given_away)]


class GreedyDotsAndBoxesPlayer:
    """Chooses among the greedy edges uniformly at random with its own generator."""

    def __init__(self, seed: int | None = None):
        self._rng = np.random.default_rng(seed)

    def act(self, env: AECEnv) -> int:
        """An edge for the agent to move in `env` (wrapped or raw); always legal."""
        candidates = greedy_edges(env.unwrapped.state)
        return int(candidates[self._rng.integers(len(candidates))])
