"""2048 as a one-player PettingZoo AEC environment (the new tiles drawn by its `np_random`, seeded by
`reset`), and as a Gymnasium env (`Env2048`: the same game, the legal moves in `info["action_mask"]`)."""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium
import numpy as np
from gymnasium import spaces
from pettingzoo.utils import wrappers

from envs.aec_base import RulesAECEnv
from envs.game2048 import rules
from muzero.core.errors import IllegalActionError


def board_text(state: rules.State2048) -> str:
    rows = [" ".join(f"{(1 << tile) if tile else '.':>5}" for tile in state.board[r * 4 : r * 4 + 4]) for r in range(4)]
    return "\n".join([*rows, f"score {state.score}"])


class GameOf2048:
    """The game itself, shared by both envs: its state, the generator of its new tiles, the last move's
    new tile."""

    def __init__(self) -> None:
        self.np_random = np.random.default_rng()
        self.state = rules.initial_state(self.np_random)
        self.last_tile: int | None = None  # the outcome that placed the last new tile

    def reset(self, seed: int | None) -> None:
        self.np_random = np.random.default_rng(seed)
        self.state, self.last_tile = rules.initial_state(self.np_random), None

    def play(self, action: Any) -> int:
        """Plays a legal move and places the new tile; returns the points scored."""
        if not isinstance(action, int | np.integer) or not 0 <= action < 4:
            raise IllegalActionError(f"2048: action {action} is no move: moves are 0 to 3 (up, right, down, left)")
        spawn, points = rules.move(self.state, int(action))
        self.last_tile = rules.draw_outcome(spawn.board, self.np_random)
        self.state = rules.after_spawn(spawn, self.last_tile)
        return points


class raw_env(RulesAECEnv):
    """2048 for one player: actions up, right, down, left; the reward is the points of each move's merges."""

    metadata: ClassVar[dict[str, Any]] = {"name": "game2048_v0", "render_modes": ["ansi"], "is_parallelizable": False}

    def __init__(self, render_mode: str | None = None) -> None:
        super().__init__()
        self._set_up(1, (rules.SIDE, rules.SIDE, rules.PLANES), 4, render_mode)
        self.game = GameOf2048()
        self._reset_bookkeeping()

    @property
    def _state(self) -> rules.State2048:
        return self.game.state

    @property
    def state(self) -> rules.State2048:  # type: ignore[override]
        """The rules state; players read it to choose their moves."""
        return self.game.state

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """A new game: two tiles placed by chance; `seed` seeds the new tiles."""
        self.game.reset(seed)
        self._reset_bookkeeping()

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        mask = rules.legal_moves(self.state.board).astype(np.int8) if not self.state.over else np.zeros(4, np.int8)
        return {"observation": rules.observation_planes(self.state.board), "action_mask": mask}

    def step(self, action: int | None) -> None:
        """A move for the player (the new tile drawn here); an illegal one raises IllegalActionError."""
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        points = self.game.play(action)
        self._record_step(agent, np.array([points], dtype=np.float32), self.state.over)

    def render(self) -> str | None:
        if self.render_mode is None:
            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        return board_text(self.state)


def env(**kwargs: Any) -> wrappers.OrderEnforcingWrapper:
    """The AEC environment wrapped like PettingZoo's own; an illegal action raises IllegalActionError."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))


class Env2048(gymnasium.Env):
    """2048 as a Gymnasium env: observation int8[4, 4, 16] (one-hot tile exponents), reward the points of a
    move's merges, terminated when no move is left; `info["action_mask"]` marks the legal moves and
    `info["largest_tile"]` the board's largest tile."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"]}

    def __init__(self, render_mode: str | None = None) -> None:
        self.observation_space = spaces.Box(0, 1, (rules.SIDE, rules.SIDE, rules.PLANES), dtype=np.int8)
        self.action_space = spaces.Discrete(4)
        self.render_mode = render_mode
        self.game = GameOf2048()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.game.reset(seed)
        return rules.observation_planes(self.game.state.board), self._info()

    def step(self, action: int):
        points = self.game.play(action)
        state = self.game.state
        return rules.observation_planes(state.board), float(points), state.over, False, self._info()

    def _info(self) -> dict[str, Any]:
        state = self.game.state
        mask = rules.legal_moves(state.board).astype(np.int8) if not state.over else np.zeros(4, np.int8)
        return {"action_mask": mask, "largest_tile": state.largest_tile, "score": state.score}

    def render(self) -> str | None:
        return board_text(self.game.state) if self.render_mode == "ansi" else None
