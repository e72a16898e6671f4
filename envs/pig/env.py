"""Pig for 2 to 4 players as a PettingZoo AEC environment: the die is rolled by the environment (its
`np_random`, seeded by `reset`)."""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium
import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv
from pettingzoo.utils import wrappers

from envs.pig import rules
from muzero.core.errors import IllegalActionError, UserError


def legal_actions_text(state: rules.PigState) -> str:
    legal = np.flatnonzero(rules.legal_mask(state))
    return ", ".join(f"{a} ({rules.ACTION_NAMES[a]})" for a in legal) or "none (the game is over)"


class raw_env(AECEnv):
    """Pig: ROLL (0) or HOLD (1); +1 to the first player to reach `target`, -1 to every other player."""

    metadata: ClassVar[dict[str, Any]] = {"name": "pig_v0", "render_modes": ["ansi"], "is_parallelizable": False}

    def __init__(self, players: int = 2, target: int = rules.DEFAULT_TARGET, render_mode: str | None = None):
        super().__init__()
        rules.validate_arguments(players, target)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise UserError(f"render_mode must be one of {self.metadata['render_modes']} or None")
        self.players, self.target, self.render_mode = players, target, render_mode
        self.possible_agents = [f"player_{p}" for p in range(players)]
        self._agent_index = {agent: p for p, agent in enumerate(self.possible_agents)}
        observation_space = spaces.Dict(
            {
                "observation": spaces.Box(0, 1, (1, target, players + 1), dtype=np.int8),
                "action_mask": spaces.Box(0, 1, (2,), dtype=np.int8),
            }
        )
        self.observation_spaces = {agent: observation_space for agent in self.possible_agents}
        self.action_spaces = {agent: spaces.Discrete(2) for agent in self.possible_agents}
        self._state, self.last_roll = rules.initial_state(players, target), None
        self.np_random = np.random.default_rng()
        self._reset_bookkeeping()

    @property
    def state(self) -> rules.PigState:  # type: ignore[override]
        """The rules state; opponents read it to choose their moves."""
        return self._state

    def observation_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """A new game, player_0 to roll; `seed` seeds the die."""
        self.np_random = np.random.default_rng(seed)
        self._state, self.last_roll = rules.initial_state(self.players, self.target), None
        self._reset_bookkeeping()

    def _reset_bookkeeping(self) -> None:
        self.agents = self.possible_agents[:]
        self.rewards = {agent: 0 for agent in self.agents}
        self._cumulative_rewards = {agent: 0 for agent in self.agents}
        self.terminations = {agent: False for agent in self.agents}
        self.truncations = {agent: False for agent in self.agents}
        self.infos: dict[str, dict[str, Any]] = {agent: {} for agent in self.agents}
        self.agent_selection = self.possible_agents[self._state.to_play]

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
        self._cumulative_rewards[agent] = 0
        self._clear_rewards()
        for p, reward in enumerate(rules.rewards(before, self._state)):
            self.rewards[self.possible_agents[p]] = float(reward)
        if self._state.over:
            self.terminations = {name: True for name in self.agents}
        self.agent_selection = self.possible_agents[self._state.to_play]
        self._accumulate_rewards()

    def render(self) -> str | None:
        if self.render_mode is None:
            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        scores = ", ".join(f"player {p + 1}: {score}" for p, score in enumerate(self._state.scores))
        return f"{scores}; player {self._state.to_play + 1} has {self._state.turn_total} this turn"

    def close(self) -> None:
        """Nothing to release."""


def env(**kwargs: Any) -> wrappers.OrderEnforcingWrapper:
    """The AEC environment wrapped like PettingZoo's own; an illegal action raises IllegalActionError."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))
