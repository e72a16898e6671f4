"""Nim as a PettingZoo AEC env: players take 1 to 3 stones in turn; whoever takes the last stone wins."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv
from pettingzoo.utils import wrappers

MOST_TAKEN = 3


class raw_env(AECEnv):
    metadata: ClassVar[dict[str, Any]] = {"name": "nim_v0", "render_modes": [], "is_parallelizable": False}

    def __init__(self, stones: int = 7) -> None:
        super().__init__()
        self.stones_at_start = stones
        self.possible_agents = ["player_0", "player_1"]
        self.observation_spaces = {
            agent: spaces.Dict(
                {
                    "observation": spaces.Box(0, 1, (stones + 1,), dtype=np.int8),  # one-hot: the stones left
                    "action_mask": spaces.Box(0, 1, (MOST_TAKEN,), dtype=np.int8),
                }
            )
            for agent in self.possible_agents
        }
        self.action_spaces = {agent: spaces.Discrete(MOST_TAKEN) for agent in self.possible_agents}
        self.reset()

    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        self.stones = self.stones_at_start
        self.agents = self.possible_agents[:]
        self.rewards = dict.fromkeys(self.agents, 0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos = {agent: {} for agent in self.agents}
        self.agent_selection = self.agents[0]

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        observation = np.zeros(self.stones_at_start + 1, dtype=np.int8)
        observation[self.stones] = 1
        mask = np.zeros(MOST_TAKEN, dtype=np.int8)
        if agent == self.agent_selection:
            mask[: min(MOST_TAKEN, self.stones)] = 1
        return {"observation": observation, "action_mask": mask}

    def step(self, action: int | None) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        self.stones -= int(action) + 1
        self._cumulative_rewards[agent] = 0
        other = self.agents[1 - self.agents.index(agent)]
        if self.stones == 0:
            self.rewards = {agent: 1, other: -1}
            self.terminations = dict.fromkeys(self.agents, True)
        self.agent_selection = other
        self._accumulate_rewards()


def env(**kwargs: Any) -> AECEnv:
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))
