"""Pig's reference players, reading the live env's rules state: `optimal` (two players) and `hold20`."""

from __future__ import annotations

from typing import Any

from envs.pig import optimal, rules
from muzero.core.errors import UserError


def state_of(env: Any) -> rules.PigState:
    return env.unwrapped.state


class OptimalPigPlayer:
    """Maximises its chance of winning a two-player game (value iteration, solved once per target)."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed  # deterministic: the seed is accepted like every reference player's

    def act(self, env: Any) -> int:
        state = state_of(env)
        if state.players != 2:
            raise UserError(f"pig's optimal player plays two-player games, not {state.players}; try hold20")
        return optimal.optimal_action(state)


class Hold20PigPlayer:
    """Rolls until the turn's total reaches 20 or the target, then holds (any number of players)."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def act(self, env: Any) -> int:
        return optimal.hold20_action(state_of(env))
