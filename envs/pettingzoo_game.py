"""A `Game` over any PettingZoo AEC environment whose observations carry an action mask."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv

from muzero.core.errors import UserError
from muzero.core.symmetry import Symmetry
from muzero.core.types import Decision, Game, TimeStep, require_legal


def observation_to_array(raw_observation: np.ndarray) -> np.ndarray:
    """float32 copy of an observation; image-like (H, W, C) planes become channels-first (C, H, W)."""
    array = np.asarray(raw_observation, dtype=np.float32)
    if array.ndim == 3:
        array = np.ascontiguousarray(array.transpose(2, 0, 1))
    return array


def channels_first_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape `observation_to_array` gives for an observation of `shape`."""
    return (shape[2], shape[0], shape[1]) if len(shape) == 3 else tuple(shape)


def observe(env: AECEnv, agent: str) -> Decision:
    """The decision `agent` faces in `env`: its observation, its seat, its legal actions."""
    raw = env.observe(agent)
    if not isinstance(raw, dict) or "observation" not in raw:
        raise UserError(f"{env.metadata.get('name', env)}: observations must be dicts with 'observation'")
    mask = raw.get("action_mask")
    if mask is None:
        mask = env.infos.get(agent, {}).get("action_mask")
    if mask is None:
        raise UserError(f"{env.metadata.get('name', env)}: no action_mask in the observation or infos")
    return Decision(
        observation=observation_to_array(raw["observation"]),
        to_play=env.possible_agents.index(agent),
        legal_mask=np.asarray(mask, dtype=bool).copy(),
    )


def deep_copy(game: Any, name: str) -> Any:
    """A deep copy of a game and its env at the same state; an env that cannot be copied is a one-line UserError.

    The env and each wrapper around it are copied attribute by attribute: PettingZoo's and Gymnasium's envs
    pickle as their constructor's arguments (`EzPickle`), which a plain `copy.deepcopy` would turn into a fresh
    env at its start."""
    memo: dict[int, Any] = {}
    try:
        for layer in _env_layers(game.env):
            shell = object.__new__(type(layer))
            memo[id(layer)] = shell
        for layer in _env_layers(game.env):
            memo[id(layer)].__dict__.update(copy.deepcopy(layer.__dict__, memo))
        return copy.deepcopy(game, memo)
    except Exception as error:  # whatever an env's state refuses (locks, open files, sockets, C handles)
        raise UserError(f"{name}: its env cannot be copied ({type(error).__name__}: {error})") from None


def _env_layers(env: Any) -> list[Any]:
    """The env and every env it wraps, outermost first (read from `__dict__`: wrappers forward attributes)."""
    layers = [env]
    while "env" in vars(layers[-1]):
        layers.append(vars(layers[-1])["env"])
    return layers


def game_over(env: AECEnv) -> bool:
    """All agents left in the env are terminated or truncated (or none are left)."""
    return all(env.terminations[a] or env.truncations[a] for a in env.agents)


class PettingZooGame:
    """Adapts an AEC env: skips dead agents' steps and sums every player's rewards between decisions."""

    def __init__(
        self,
        make_env: Callable[[], AECEnv],
        name: str = "",
        symmetries: tuple[Symmetry, ...] = (),
        copy_state: Callable[[AECEnv], Game] | None = None,
        env: AECEnv | None = None,
    ) -> None:
        """`env`, when given, is the game at its current position (wrapped, not copied, not reset)."""
        self.make_env = make_env  # a fresh AEC env of this game on each call
        self.copy_state = copy_state  # the game's own cheap copy of a position (pure rules); None: a deep copy
        self.env = make_env() if env is None else env
        if env is None:
            self.env.reset(seed=0)
        self.name = name or self.env.metadata.get("name", "pettingzoo")
        self.agents: list[str] = list(self.env.possible_agents)
        self._num_actions, self._observation_shape = self._read_spaces()
        self.symmetries = symmetries  # the identity first, or none declared (see muzero.core.symmetry)
        for symmetry in symmetries:
            symmetry.require_sizes(self._observation_shape, self._num_actions)
        self._terminal = env is not None and (not env.agents or game_over(env))
        self._legal_mask = self._timestep(np.zeros(self.num_players, dtype=np.float32)).legal_mask

    def _read_spaces(self) -> tuple[int, tuple[int, ...]]:
        action_space = self.env.action_space(self.agents[0])
        if not isinstance(action_space, spaces.Discrete):
            raise UserError(f"{self.name}: only discrete action spaces are supported, not {action_space}")
        observation_space = self.env.observation_space(self.agents[0])
        if isinstance(observation_space, spaces.Dict) and "observation" in observation_space.spaces:
            observation_space = observation_space["observation"]
        return int(action_space.n), channels_first_shape(tuple(observation_space.shape))

    @property
    def num_players(self) -> int:
        return len(self.agents)

    @property
    def num_actions(self) -> int:
        return self._num_actions

    @property
    def observation_shape(self) -> tuple[int, ...]:
        return self._observation_shape

    def reset(self, seed: int | None = None) -> TimeStep:
        self.env.reset(seed=seed)
        self._terminal = False
        return self._settle(np.zeros(self.num_players, dtype=np.float32))

    def step(self, action: int) -> TimeStep:
        action = require_legal(action, self._legal_mask, self.name)
        self.env.step(action)
        return self._settle(self._step_rewards())

    def clone(self) -> Game:
        """A copy at the same position, stepped independently of this game: the game's pure rules where it
        declares them, else a deep copy of the env (a one-line UserError where the env cannot be copied)."""
        if self.copy_state is None:
            return deep_copy(self, self.name)
        copy = self.copy_state(self.env)
        copy.symmetries = self.symmetries
        return copy

    def current_decision(self) -> Decision:
        """The decision the player to move faces now."""
        return observe(self.env, self.env.agent_selection)

    def _settle(self, rewards: np.ndarray) -> TimeStep:
        """Steps dead agents out of the way until a live agent must decide or the game is over."""
        while self.env.agents and not game_over(self.env):
            agent = self.env.agent_selection
            if not (self.env.terminations[agent] or self.env.truncations[agent]):
                break
            self.env.step(None)
            rewards = rewards + self._step_rewards()
        self._terminal = not self.env.agents or game_over(self.env)
        return self._timestep(rewards)

    def _step_rewards(self) -> np.ndarray:
        return np.array([self.env.rewards.get(a, 0.0) for a in self.agents], dtype=np.float32)

    def _timestep(self, rewards: np.ndarray) -> TimeStep:
        """The TimeStep of the current state; its legal mask is kept for checking the next step's action."""
        if self._terminal:
            self._legal_mask = np.zeros(self.num_actions, dtype=bool)
            return TimeStep(
                observation=np.zeros(self.observation_shape, dtype=np.float32),
                to_play=0,
                rewards=rewards,
                legal_mask=np.zeros(self.num_actions, dtype=bool),
                terminal=True,
            )
        decision = self.current_decision()
        self._legal_mask = decision.legal_mask
        return TimeStep(decision.observation, decision.to_play, decision.legal_mask, rewards, terminal=False)
