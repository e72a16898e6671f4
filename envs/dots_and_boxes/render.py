"""Drawings of a dots-and-boxes position: text ("ansi") and a numpy RGB image ("rgb_array")."""

from __future__ import annotations

import numpy as np

from envs.dots_and_boxes.rules import NOBODY, DotsAndBoxesState, is_over

BOX_PIXELS = 48
MARGIN_PIXELS = 12
LINE_PIXELS = 4
DOT_PIXELS = 8
BACKGROUND = (255, 255, 255)
LINE_COLOUR = (30, 30, 30)
OPEN_EDGE_COLOUR = (225, 225, 225)
DOT_COLOUR = (0, 0, 0)
PLAYER_COLOURS = ((230, 80, 80), (70, 130, 230), (80, 190, 100), (235, 190, 50))


def ansi_board(state: DotsAndBoxesState) -> str:
    """The board as text (dots `+`, edges `---` and `|`, owner numbers in boxes) and a score line."""
    lines = []
    for r in range(state.rows + 1):
        lines.append(_dots_row(state, r))
        if r < state.rows:
            lines.append(_boxes_row(state, r))
    lines.append(score_line(state))
    return "\n".join(lines)


def score_line(state: DotsAndBoxesState) -> str:
    """e.g. "scores: player_0=2 player_1=1 | to play: player_0"."""
    scores = " ".join(f"player_{p}={int(s)}" for p, s in enumerate(state.scores))
    turn = "game over" if is_over(state) else f"to play: player_{state.to_play}"
    return f"scores: {scores} | {turn}"


def _dots_row(state: DotsAndBoxesState, r: int) -> str:
    segments = ["---" if state.edges[r * state.cols + c] else "   " for c in range(state.cols)]
    return "+" + "+".join(segments) + "+"


def _boxes_row(state: DotsAndBoxesState, r: int) -> str:
    vertical_start = (state.rows + 1) * state.cols + r * (state.cols + 1)
    text = ""
    for c in range(state.cols + 1):
        text += "|" if state.edges[vertical_start + c] else " "
        if c < state.cols:
            owner = int(state.owners[r, c])
            text += f" {owner} " if owner != NOBODY else "   "
    return text


def rgb_board(state: DotsAndBoxesState) -> np.ndarray:
    """uint8[height, width, 3]: boxes filled with their owner's colour, drawn edges dark, dots black."""
    height = state.rows * BOX_PIXELS + 2 * MARGIN_PIXELS
    width = state.cols * BOX_PIXELS + 2 * MARGIN_PIXELS
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = BACKGROUND
    _fill_boxes(image, state)
    _draw_edges(image, state)
    _draw_dots(image, state)
    return image


def _corner(r: int, c: int) -> tuple[int, int]:
    """Pixel (y, x) of dot (r, c)."""
    return MARGIN_PIXELS + r * BOX_PIXELS, MARGIN_PIXELS + c * BOX_PIXELS


def _fill_boxes(image: np.ndarray, state: DotsAndBoxesState) -> None:
    for r in range(state.rows):
        for c in range(state.cols):
            owner = int(state.owners[r, c])
            if owner != NOBODY:
                y, x = _corner(r, c)
                image[y : y + BOX_PIXELS, x : x + BOX_PIXELS] = PLAYER_COLOURS[owner % len(PLAYER_COLOURS)]


def _draw_edges(image: np.ndarray, state: DotsAndBoxesState) -> None:
    half = LINE_PIXELS // 2
    horizontal_count = (state.rows + 1) * state.cols
    for edge, drawn in enumerate(state.edges):
        colour = LINE_COLOUR if drawn else OPEN_EDGE_COLOUR
        if edge < horizontal_count:
            y, x = _corner(*divmod(edge, state.cols))
            image[y - half : y + half, x : x + BOX_PIXELS] = colour
        else:
            y, x = _corner(*divmod(edge - horizontal_count, state.cols + 1))
            image[y : y + BOX_PIXELS, x - half : x + half] = colour


def _draw_dots(image: np.ndarray, state: DotsAndBoxesState) -> None:
    half = DOT_PIXELS // 2
    for r in range(state.rows + 1):
        for c in range(state.cols + 1):
            y, x = _corner(r, c)
            image[y - half : y + half, x - half : x + half] = DOT_COLOUR
