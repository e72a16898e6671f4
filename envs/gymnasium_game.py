"""A one-player `Game` over any Gymnasium environment with a discrete action space."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.pettingzoo_game import deep_copy
from muzero.core.errors import UserError
from muzero.core.types import TimeStep, require_legal


class GymnasiumGame:
    """Player 0 is the only player; `info["action_mask"]` restricts the legal actions when present."""

    num_players = 1

    def __init__(self, env_id: str, **kwargs: Any) -> None:
        try:
            self.env = gym.make(env_id, **kwargs)
        except gym.error.Error as error:
            raise UserError(f"gym:{env_id}: {error}") from None
        if not isinstance(self.env.action_space, spaces.Discrete):
            space = self.env.action_space
            raise UserError(
                f"gym:{env_id}: only discrete action spaces are supported, not {space} "
                "(discretise a continuous one with a wrapper of your own)"
            )
        self.name = f"gym:{env_id}"
        self._num_actions = int(self.env.action_space.n)
        self._action_start = int(self.env.action_space.start)  # action i is the env's start + i
        self.encoder = ObservationEncoder(self.env.observation_space, self.name)
        self._observation_shape = self.encoder.shape
        self._legal_mask = np.zeros(self._num_actions, dtype=bool)

    @property
    def num_actions(self) -> int:
        return self._num_actions

    @property
    def observation_shape(self) -> tuple[int, ...]:
        return self._observation_shape

    def reset(self, seed: int | None = None) -> TimeStep:
        observation, info = self.env.reset(seed=seed)
        return self._timestep(observation, 0.0, False, info)

    def step(self, action: int) -> TimeStep:
        action = require_legal(action, self._legal_mask, self.name)
        observation, reward, terminated, truncated, info = self.env.step(self._action_start + action)
        cut = bool(truncated) and not terminated  # a time limit, not the end of the game
        return self._timestep(observation, float(reward), bool(terminated) or cut, info, truncated=cut)

    def clone(self) -> GymnasiumGame:
        """A copy at the same state (a deep copy of the env: its random generator too), stepped independently;
        an env that cannot be copied is a one-line UserError."""
        return deep_copy(self, self.name)

    def _timestep(
        self, observation: Any, reward: float, terminal: bool, info: dict, *, truncated: bool = False
    ) -> TimeStep:
        mask = info.get("action_mask")
        legal = np.ones(self._num_actions, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        self._legal_mask = legal & (not terminal)
        return TimeStep(
            observation=self.encoder(observation),
            to_play=0,
            rewards=np.array([reward], dtype=np.float32),
            legal_mask=self._legal_mask.copy(),
            terminal=terminal,
            truncated=truncated,
        )


class ObservationEncoder:
    """An env's observations as the network's float32 arrays: a Box keeps its shape (images stay
    (C, H, W)-able), other spaces are flattened as Gymnasium does (Discrete: one-hot; Dict, Tuple:
    concatenated). Picklable, so a `GameKit` carries it to agents that act on raw observations."""

    def __init__(self, space: spaces.Space, name: str) -> None:
        self.space = space
        if isinstance(space, spaces.Box):
            self.shape: tuple[int, ...] = tuple(space.shape or (1,))
            return
        try:
            self.shape = tuple(spaces.flatten_space(space).shape)
        except NotImplementedError:
            raise UserError(f"{name}: observation space {space} cannot be flattened into an array") from None

    def __call__(self, observation: Any) -> np.ndarray:  # float32[*shape]
        if not isinstance(self.space, spaces.Box):
            observation = spaces.flatten(self.space, observation)
        return np.asarray(observation, dtype=np.float32).reshape(self.shape)
