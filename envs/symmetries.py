"""The symmetries of the registered board games, built from transforms of the board's grid.

A grid game places every action on a cell of an "action grid" (the board, or a row of columns for connect
four) and shows channels-first observations (C, H, W) whose last two axes are the board. A transform of the
square's (or rectangle's) symmetry group, applied to both, gives a `muzero.symmetry.Symmetry`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from muzero.symmetry import Symmetry

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


def tictactoe_symmetries(**game_args: object) -> tuple[Symmetry, ...]:
    """PettingZoo tic-tac-toe, observations (2, 3, 3): action a is cell (a // 3, a % 3); the square's 8."""
    return grid_symmetries((2, 3, 3), np.arange(9).reshape(3, 3), SQUARE_TRANSFORMS)


def connect_four_symmetries(**game_args: object) -> tuple[Symmetry, ...]:
    """PettingZoo connect four, observations (2, 6, 7): action c is column c; the mirror image."""
    return grid_symmetries((2, 6, 7), np.arange(7).reshape(1, 7), (identity, flip_left_right))


def dots_and_boxes_symmetries(
    players: int = 2, rows: int = 3, cols: int = 3, **game_args: object
) -> tuple[Symmetry, ...]:
    """Our dots and boxes, observations (3 + players, 2 rows + 1, 2 cols + 1) with the edges on the grid
    (see its env): 8 symmetries on a square board, 4 on a rectangle."""
    grid = np.full((2 * rows + 1, 2 * cols + 1), -1, dtype=np.int64)
    horizontal_count = (rows + 1) * cols
    grid[0::2, 1::2] = np.arange(horizontal_count).reshape(rows + 1, cols)
    grid[1::2, 0::2] = horizontal_count + np.arange(rows * (cols + 1)).reshape(rows, cols + 1)
    return grid_symmetries((3 + players, *grid.shape), grid, board_transforms(rows, cols))


SYMMETRIES_OF_GAME: dict[str, Callable[..., tuple[Symmetry, ...]]] = {
    "tictactoe": tictactoe_symmetries,
    "connect4": connect_four_symmetries,
    "dots_and_boxes": dots_and_boxes_symmetries,
}
