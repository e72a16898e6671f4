"""Pig for 2 to 4 players as a PettingZoo AEC environment: the die is rolled by the environment (its
`np_random`, seeded by `reset`)."""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium
import numpy as np
from pettingzoo.utils import wrappers

from envs.aec_base import RulesAECEnv
from envs.pig import rules
from muzero.core.errors import IllegalActionError


def legal_actions_text(state: rules.PigState) -> str:
    legal = np.flatnonzero(rules.legal_mask(state))
    return ", ".join(f"{a} ({rules.ACTION_NAMES[a]})" for a in legal) or "none (the game is over)"


class raw_env(RulesAECEnv):
    """Pig: ROLL (0) or HOLD (1); +1 to the first player to reach `target`, -1 to every other player."""

    metadata: ClassVar[dict[str, Any]] = {"name": "pig_v0", "render_modes": ["ansi"], "is_parallelizable": False}

    def __init__(self, players: int = 2, target: int = rules.DEFAULT_TARGET, render_mode: str | None = None):
        super().__init__()
        rules.validate_arguments(players, target)
        self.players, self.target = players, target
        self._set_up(players, (1, target, players + 1), 2, render_mode)
        self._state, self.last_roll = rules.initial_state(players, target), None
        self.np_random = np.random.default_rng()
        self._reset_bookkeeping()

    @property
    def state(self) -> rules.PigState:  # type: ignore[override]
        """The rules state; opponents read it to choose their moves."""
        return self._state

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """A new game, player_0 to roll; `seed` seeds the die."""
        self.np_random = np.random.default_rng(seed)
        self._state, self.last_roll = rules.initial_state(self.players, self.target), None
        self._reset_bookkeeping()

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        mask = np.zeros(2, dtype=np.int8)
        if agent == self.agent_selection:
            mask[rules.legal_mask(self._state)] = 1
        return {"observation": rules.observation_planes(self._state, self._agent_index[agent]), "action_mask": mask}

    def step(self, action: int | None) -> None:
        """ROLL (the die is rolled here) or HOLD for the agent to move; an illegal one raises IllegalActionError."""
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        before = self._state
        if action not in (rules.ROLL, rules.HOLD) or not rules.legal_mask(before)[action]:
            raise IllegalActionError(f"action {action} is no move here: legal are {legal_actions_text(before)}")
        if action == rules.HOLD:
            self._state, self.last_roll = rules.hold(before), None
        else:
            self.last_roll = int(self.np_random.integers(1, rules.FACES + 1))
            self._state = rules.after_roll(before, self.last_roll)
        self._record_step(agent, rules.rewards(before, self._state), self._state.over)

    def render(self) -> str | None:
        if self.render_mode is None:
            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        scores = ", ".join(f"player {p + 1}: {score}" for p, score in enumerate(self._state.scores))
        return f"{scores}; player {self._state.to_play + 1} has {self._state.turn_total} this turn"


def env(**kwargs: Any) -> wrappers.OrderEnforcingWrapper:
    """The AEC environment wrapped like PettingZoo's own; an illegal action raises IllegalActionError."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))
