"""Dots and boxes for 2 to 4 players as a PettingZoo AEC environment."""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium
import numpy as np
from pettingzoo.utils import wrappers

from envs.aec_base import RulesAECEnv
from envs.dots_and_boxes import rules
from envs.dots_and_boxes.render import ansi_board, rgb_board


def boxes_and_open_sides(boxes: np.ndarray, undrawn: np.ndarray) -> np.ndarray:
    """bool[2*rows+1, 2*cols+1]: the cells of `boxes` (bool[rows, cols]) and of their undrawn sides."""
    plane = np.zeros(undrawn.shape, dtype=bool)
    plane[1::2, 1::2] = boxes
    plane[0:-1:2, 1::2] |= boxes  # top sides
    plane[2::2, 1::2] |= boxes  # bottom sides
    plane[1::2, 0:-1:2] |= boxes  # left sides
    plane[1::2, 2::2] |= boxes  # right sides
    plane[0::2, 1::2] &= undrawn[0::2, 1::2]  # horizontal edges: only those not drawn
    plane[1::2, 0::2] &= undrawn[1::2, 0::2]  # vertical edges likewise
    return plane


def observation_grid(state: rules.DotsAndBoxesState, observer: int) -> np.ndarray:
    """int8[2*rows+1, 2*cols+1, 3+players]: what player `observer` sees (the layout of `raw_env`'s docstring)."""
    players = state.players
    grid = np.zeros((2 * state.rows + 1, 2 * state.cols + 1, 3 + players), dtype=np.int8)
    grid[:, :, 0] = edge_grid(state)
    box_cells = grid[1::2, 1::2, 1:]
    for k in range(players):
        box_cells[:, :, k] = state.owners == (observer + k) % players
    sides, open_boxes = rules.sides_drawn(state), state.owners == rules.NOBODY
    undrawn = grid[:, :, 0] == 0
    grid[:, :, players + 1] = boxes_and_open_sides(open_boxes & (sides == 3), undrawn)
    grid[:, :, players + 2] = boxes_and_open_sides(open_boxes & (sides == 2), undrawn)
    return grid


def edge_grid(state: rules.DotsAndBoxesState) -> np.ndarray:
    """int8[2*rows+1, 2*cols+1]: 1 on the cells of the drawn edges."""
    rows, cols = state.rows, state.cols
    horizontal_count = (rows + 1) * cols
    plane = np.zeros((2 * rows + 1, 2 * cols + 1), dtype=np.int8)
    plane[0::2, 1::2] = state.edges[:horizontal_count].reshape(rows + 1, cols)
    plane[1::2, 0::2] = state.edges[horizontal_count:].reshape(rows, cols + 1)
    return plane


class raw_env(RulesAECEnv):
    """N-player dots and boxes: +1 reward per box at the moment it is completed; a capture earns another move.

    Observation (HWC, int8) of shape (2*rows+1, 2*cols+1, 3+players): cell (2r, 2c+1) is horizontal edge
    h[r][c], cell (2r+1, 2c) is vertical edge v[r][c], cell (2r+1, 2c+1) is box (r, c). Channel 0 marks drawn
    edges; channel 1+k marks the boxes of player (observer + k) % players, so channel 1 is "my boxes".
    The last two channels mark the open boxes with three sides drawn and the edge that takes them, and the
    open boxes with two sides drawn and the edges that would hand them over (a third side): what every
    player sees at a glance, spelled out on the cells of the boxes and of the actions, like the feature
    planes of AlphaGo.
    """

    metadata: ClassVar[dict[str, Any]] = {
        "name": "dots_and_boxes_v0",
        "render_modes": ["ansi", "rgb_array"],
        "is_parallelizable": False,
        "render_fps": 1,
    }

    def __init__(self, players: int = 2, rows: int = 3, cols: int = 3, render_mode: str | None = None):
        super().__init__()
        rules.validate_arguments(players, rows, cols)
        self.players, self.rows, self.cols = players, rows, cols
        grid_shape = (2 * rows + 1, 2 * cols + 1, 3 + players)
        self._set_up(players, grid_shape, rules.num_edges(rows, cols), render_mode)
        self._state = rules.initial_state(players, rows, cols)
        self._reset_bookkeeping()

    @property
    def state(self) -> rules.DotsAndBoxesState:  # type: ignore[override]
        """The rules state (read-only arrays); opponents read it to choose their moves."""
        return self._state

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """Start a new game with player_0 to move (the game has no randomness; `seed` is accepted)."""
        self._state = rules.initial_state(self.players, self.rows, self.cols)
        self._reset_bookkeeping()

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        grid = observation_grid(self._state, self._agent_index[agent])
        mask = np.zeros(self._state.num_edges, dtype=np.int8)
        if agent == self.agent_selection and not rules.is_over(self._state):
            mask[rules.legal_mask(self._state)] = 1
        return {"observation": grid, "action_mask": mask}

    def step(self, action: int | None) -> None:
        """Draw edge `action` for the agent to move; an illegal edge raises IllegalActionError."""
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        new_state, captured = rules.apply(self._state, action)  # type: ignore[arg-type]
        self._state = new_state
        self._cumulative_rewards[agent] = 0
        self._clear_rewards()
        self.rewards[agent] = captured
        if rules.is_over(new_state):
            self.terminations = {name: True for name in self.agents}
        self.agent_selection = self.possible_agents[new_state.to_play]
        self._accumulate_rewards()

    def render(self) -> str | np.ndarray | None:
        """A text drawing with a score line ("ansi") or a uint8 HxWx3 image ("rgb_array")."""
        if self.render_mode is None:
            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        if self.render_mode == "ansi":
            return ansi_board(self._state)
        return rgb_board(self._state)


def env(**kwargs: Any) -> wrappers.OrderEnforcingWrapper:
    """The AEC environment wrapped like PettingZoo's own; an illegal action raises IllegalActionError."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))
