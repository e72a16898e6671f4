"""A `Game` over pure rules on immutable states: stepping never touches a live env, and a copy is the state
itself, so a search can step copies of the real game cheaply (`clone()`).

Rules with chance (a die, a tile) also declare `chance_outcomes` (C), `chance_probabilities(state)` (float[C]
at an afterstate, where a move was made and chance is yet to draw; None at a decision), `resolve(state,
outcome)` (the next state and rewards[P]) and `mover(state)` (who moved into the afterstate). Their `play`
may return an afterstate; a copy then waits there for `resolve_chance`: it never draws chance itself, so a
search over copies knows the outcomes' probabilities, never the outcome to come."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from muzero.core.errors import IllegalActionError
from muzero.core.symmetry import Symmetry
from muzero.core.types import Decision, TimeStep, require_legal


class Rules(Protocol):
    """A game's rules as pure functions of an immutable state."""

    name: str
    num_players: int
    num_actions: int
    observation_shape: tuple[int, ...]  # channels first, as `PettingZooGame` shows the same game

    def initial(self) -> Any: ...

    def decision(self, state: Any) -> Decision: ...  # what the player to move sees (the game not over)

    def play(self, state: Any, action: int) -> tuple[Any, np.ndarray]: ...  # the next state, rewards[P]

    def is_over(self, state: Any) -> bool: ...


class RulesGame:
    """A game at a state of its rules; `clone()` is a copy at the same position, stepped independently."""

    def __init__(
        self, rules: Rules, state: Any = None, symmetries: tuple[Symmetry, ...] = (), legal: np.ndarray | None = None
    ) -> None:
        self.rules, self.symmetries = rules, symmetries
        self.name = rules.name
        self.state = rules.initial() if state is None else state
        # the legal actions at `state` (read-only, shared by copies); None: not read yet
        self._legal = legal

    @property
    def num_players(self) -> int:
        return self.rules.num_players

    @property
    def num_actions(self) -> int:
        return self.rules.num_actions

    @property
    def observation_shape(self) -> tuple[int, ...]:
        return self.rules.observation_shape

    def reset(self, seed: int | None = None) -> TimeStep:
        self.state = self.rules.initial()
        return self.timestep(np.zeros(self.num_players, dtype=np.float32))

    def step(self, action: int) -> TimeStep:
        action = require_legal(action, self.legal_mask(), self.name)
        self.state, rewards = self.rules.play(self.state, action)
        self._legal = None
        return self.timestep(rewards)

    @property
    def chance_outcomes(self) -> int:
        """C: the outcomes chance may draw in this game (0: it has no chance)."""
        return int(getattr(self.rules, "chance_outcomes", 0))

    def chance_probabilities(self) -> np.ndarray | None:
        """float[C]: at an afterstate, the probability of each outcome; None at a decision or the end."""
        probabilities = getattr(self.rules, "chance_probabilities", None)
        return None if probabilities is None else probabilities(self.state)

    def resolve_chance(self, outcome: int) -> TimeStep:
        """Chance draws `outcome` at an afterstate: the next decision, and the rewards of the draw."""
        probabilities = self.chance_probabilities()
        if probabilities is None or not 0 <= outcome < len(probabilities) or probabilities[outcome] <= 0:
            raise IllegalActionError(f"{self.name}: no chance outcome {outcome} is due here")
        self.state, rewards = self.rules.resolve(self.state, outcome)
        self._legal = None
        return self.timestep(rewards)

    def clone(self) -> RulesGame:
        return RulesGame(self.rules, self.state, self.symmetries, self._legal)

    def current_decision(self) -> Decision:
        """The decision the player to move faces now (the game not over)."""
        return self.rules.decision(self.state)

    def legal_mask(self) -> np.ndarray:
        if self._legal is None:
            over = self.rules.is_over(self.state) or self.chance_probabilities() is not None
            self._legal = np.zeros(self.num_actions, dtype=bool) if over else self.rules.decision(self.state).legal_mask
            self._legal.flags.writeable = False
        return self._legal

    def timestep(self, rewards: np.ndarray) -> TimeStep:
        """The TimeStep of the current state (as `PettingZooGame` shows it: zeros once the game is over)."""
        rewards = np.asarray(rewards, dtype=np.float32)
        if self.chance_probabilities() is not None:  # an afterstate: no decision until chance draws
            self._legal = np.zeros(self.num_actions, dtype=bool)
            self._legal.flags.writeable = False
            mover = self.rules.mover(self.state)
            return TimeStep(np.zeros(self.observation_shape, np.float32), mover, self._legal.copy(), rewards, False)
        if self.rules.is_over(self.state):
            self._legal = np.zeros(self.num_actions, dtype=bool)
            self._legal.flags.writeable = False
            return TimeStep(np.zeros(self.observation_shape, np.float32), 0, self._legal.copy(), rewards, terminal=True)
        decision = self.rules.decision(self.state)
        self._legal = decision.legal_mask.copy()
        self._legal.flags.writeable = False
        return TimeStep(decision.observation, decision.to_play, decision.legal_mask, rewards, terminal=False)


def bit_planes(stones: tuple[int, ...], cells: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """float32[len(stones), *shape]: plane k marks the cells whose bit is set in stones[k]; `cells` (int64[H*W])
    gives each cell's bit, row by row."""
    bits = np.array(stones, dtype=np.int64)[:, None] >> cells[None, :]
    return (bits & 1).astype(np.float32).reshape(len(stones), *shape)


def place_stone(
    stones: tuple[int, int], mover: int, stone: int, wins: Callable[[int], bool], full: int
) -> tuple[tuple[int, int], np.ndarray, bool]:
    """A two-player stone game's move as bitboards: the stones with the mover's `stone` added, the rewards
    (+1 to a winner, -1 to the loser, 0 each otherwise) and whether the game ended (a win, or the board `full`)."""
    placed = list(stones)
    placed[mover] |= stone
    rewards = np.zeros(2, dtype=np.float32)
    won = wins(placed[mover])
    if won:
        rewards[mover], rewards[1 - mover] = 1.0, -1.0
    return (placed[0], placed[1]), rewards, won or (placed[0] | placed[1]) == full
