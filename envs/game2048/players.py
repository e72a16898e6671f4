"""2048's reference player: `greedy`, the move whose merges score the most (the baseline a model must beat)."""

from __future__ import annotations

from typing import Any

from envs.game2048 import rules

PREFERENCE = (rules.DOWN, rules.LEFT, rules.RIGHT, rules.UP)  # ties: keep the big tiles in a corner


def greedy_action(state: rules.State2048) -> int:
    """The legal move of most points; among equals, the first of PREFERENCE."""
    legal = rules.legal_moves(state.board)
    moves = [action for action in PREFERENCE if legal[action]]
    return max(moves, key=lambda action: (rules.slide(state.board, action)[1], -PREFERENCE.index(action)))


class Greedy2048Player:
    """Plays `greedy_action` (deterministic: the seed is accepted like every reference player's)."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def act(self, env: Any) -> int:
        return greedy_action(env.unwrapped.state)
