"""What the project's own AEC envs share: the agents' names, the spaces, PettingZoo's bookkeeping of rewards,
ends and the agent to move, and the check of a render mode."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv

from muzero.core.errors import UserError


class RulesAECEnv(AECEnv):
    """An AEC env over a game's pure rules state (`self._state`, with a `to_play`): `players` agents named
    player_0, player_1, ..., observations {"observation": int8 planes of `observation_shape`, "action_mask"}."""

    def _set_up(self, players: int, observation_shape: tuple[int, ...], num_actions: int, render_mode: str | None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise UserError(f"render_mode must be one of {self.metadata['render_modes']} or None")
        self.render_mode = render_mode
        self.possible_agents = [f"player_{p}" for p in range(players)]
        self._agent_index = {agent: p for p, agent in enumerate(self.possible_agents)}
        observation_space = spaces.Dict(
            {
                "observation": spaces.Box(0, 1, observation_shape, dtype=np.int8),
                "action_mask": spaces.Box(0, 1, (num_actions,), dtype=np.int8),
            }
        )
        self.observation_spaces = {agent: observation_space for agent in self.possible_agents}
        self.action_spaces = {agent: spaces.Discrete(num_actions) for agent in self.possible_agents}

    def observation_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.action_spaces[agent]

    def _reset_bookkeeping(self) -> None:
        self.agents = self.possible_agents[:]
        self.rewards = {agent: 0 for agent in self.agents}
        self._cumulative_rewards = {agent: 0 for agent in self.agents}
        self.terminations = {agent: False for agent in self.agents}
        self.truncations = {agent: False for agent in self.agents}
        self.infos: dict[str, dict[str, Any]] = {agent: {} for agent in self.agents}
        self.agent_selection = self.possible_agents[self._state.to_play]

    def _record_step(self, agent: str, rewards: np.ndarray, over: bool) -> None:
        """After the agent to move stepped: every player's rewards of the step, the end, the next agent."""
        self._cumulative_rewards[agent] = 0
        self._clear_rewards()
        for p, reward in enumerate(rewards):
            self.rewards[self.possible_agents[p]] = float(reward)
        if over:
            self.terminations = {name: True for name in self.agents}
        self.agent_selection = self.possible_agents[self._state.to_play]
        self._accumulate_rewards()

    def close(self) -> None:
        """Nothing to release."""
