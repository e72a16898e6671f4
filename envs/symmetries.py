"""Symmetries of board games, built from transforms of the board's grid (each game builds its own).

A grid game places every action on a cell of an "action grid" (the board, or a row of columns for connect
four) and shows channels-first observations (C, H, W) whose last two axes are the board. A transform of the
square's (or rectangle's) symmetry group, applied to both, gives a `muzero.core.symmetry.Symmetry`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from muzero.core.symmetry import Symmetry

GridTransform = Callable[[np.ndarray], np.ndarray]  # acts on the last two axes of an array


def identity(grid: np.ndarray) -> np.ndarray:
    return grid


def flip_left_right(grid: np.ndarray) -> np.ndarray:
    return grid[..., ::-1]


def flip_up_down(grid: np.ndarray) -> np.ndarray:
    return grid[..., ::-1, :]


def rotate_180(grid: np.ndarray) -> np.ndarray:
    return grid[..., ::-1, ::-1]


def transpose(grid: np.ndarray) -> np.ndarray:
    return np.swapaxes(grid, -1, -2)


def anti_transpose(grid: np.ndarray) -> np.ndarray:
    return rotate_180(transpose(grid))


def rotate_90(grid: np.ndarray) -> np.ndarray:
    return flip_up_down(transpose(grid))


def rotate_270(grid: np.ndarray) -> np.ndarray:
    return flip_left_right(transpose(grid))


RECTANGLE_TRANSFORMS = (identity, flip_left_right, flip_up_down, rotate_180)
SQUARE_TRANSFORMS = (*RECTANGLE_TRANSFORMS, transpose, anti_transpose, rotate_90, rotate_270)


def board_transforms(height: int, width: int) -> tuple[GridTransform, ...]:
    """The symmetry group of a height x width board: 8 transforms for a square, 4 for a rectangle."""
    return SQUARE_TRANSFORMS if height == width else RECTANGLE_TRANSFORMS


def grid_symmetries(
    observation_shape: tuple[int, ...], action_grid: np.ndarray, transforms: tuple[GridTransform, ...]
) -> tuple[Symmetry, ...]:
    """One `Symmetry` per transform. `action_grid` (int[h, w]) holds each action at its cell and -1 in cells
    without one; every action appears exactly once."""
    sources = np.arange(int(np.prod(observation_shape))).reshape(observation_shape)
    actions = action_grid[action_grid >= 0]
    return tuple(
        Symmetry(
            observation_source=np.ascontiguousarray(transform(sources)).reshape(-1),
            action_image=_action_image(action_grid, transform(action_grid), actions.size),
        )
        for transform in transforms
    )


def _action_image(action_grid: np.ndarray, transformed: np.ndarray, num_actions: int) -> np.ndarray:
    """int64[A]: the action drawn on the cell where the transform carries action a's cell.

    `transformed[cell]` is the action whose cell the transform carries to `cell`, whose image is therefore
    the action originally at `cell`."""
    image = np.full(num_actions, -1, dtype=np.int64)
    cells = transformed >= 0
    image[transformed[cells]] = action_grid[cells]
    return image
