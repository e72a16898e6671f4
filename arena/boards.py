"""The board on the page: the game's own picture (`GameDefinition.draw_board`), or, for a game that declares
none, its observation drawn as a grid where it is board-shaped, else its text and a button per legal move.
A click on a legal move plays it; while an agent thinks the board is a still picture (no click can be queued
behind a search), on which the search's candidates appear as it goes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import streamlit as st

import envs
from arena.analysis import Candidate
from arena.board_svg import board_svg, legend_html
from arena.match import Match
from arena.view import clickable
from envs import picture as pic
from envs.picture import BoardPicture, Mark, MoveSpot

OnMove = Callable[[int], None]
GRID_COLOURS = ("#e0302a", "#1f77b4", "#2ca02c", "#f2c618")


def draw_board(
    match: Match,
    on_move: OnMove,
    *,
    clickable_now: bool,
    candidates: Sequence[Candidate] = (),
    chosen: int | None = None,
) -> None:
    """The board of `match` with its legend; a click on a legal move calls `on_move(action)` when
    `clickable_now`; `candidates` drawn on their moves."""
    picture = picture_of(match)
    if picture is None:
        _text_board(match, on_move, clickable_now)
        return
    names = [match.player_name(p) for p in range(match.num_players)]
    legend = legend_html(picture, names, None if match.over else match.to_play)
    if not clickable_now:
        still = BoardPicture(picture.width, picture.height, picture.marks, (), picture.pieces, picture.colours)
        st.markdown(
            f'<div class="view still-board">{legend}{board_svg(still, candidates, chosen)}</div>',
            unsafe_allow_html=True,
        )
        return

    def clicked(value: str) -> None:
        if value.startswith("move:"):
            on_move(int(value.removeprefix("move:")))

    clickable(f"{legend}{board_svg(picture, candidates, chosen)}", "board", clicked)
    if definition_of(match) is None or definition_of(match).draw_board is None:
        st.caption("The observation of the player to move, as a grid: each cell in the colour of its first plane set.")
        spotted = {spot.action for spot in picture.spots}
        _move_buttons(match, [a for a in np.flatnonzero(match.legal_mask) if int(a) not in spotted], on_move, True)


def picture_of(match: Match) -> BoardPicture | None:
    """The game's picture of the position, the observation as a grid, or None (neither)."""
    definition = definition_of(match)
    last = match.moves[-1] if match.moves else None
    if definition is not None and definition.draw_board is not None:
        return definition.draw_board(match.env, last)
    return observation_picture(match)


def observation_picture(match: Match) -> BoardPicture | None:
    """A board-shaped observation (rows x columns x planes, planes-first ones included) as a grid: each cell in
    the colour of the first of its first P planes that is set (P players: in most games, the mover's pieces,
    then the others'); a move per cell (actions = cells, extra ones such as a pass as buttons) or per column."""
    observation = _observation(match)
    if observation is None or observation.ndim != 3 or min(observation.shape) < 1:
        return None
    if observation.shape[0] < observation.shape[-1] and observation.shape[0] <= 4:
        observation = np.moveaxis(observation, 0, -1)  # planes first -> planes last
    rows, cols, _ = observation.shape
    marks = [Mark(pic.RECT, (0.5, 0.5, cols, rows), pic.BOARD, round=0.15)]
    planes = observation[:, :, : match.num_players] > 0
    for r in range(rows):
        for c in range(cols):
            occupied = np.flatnonzero(planes[r, c])
            colour = pic.player(int(occupied[0])) if occupied.size else pic.HOLE
            marks.append(Mark(pic.DISC, (0.58 + c, 0.58 + r, 0.84, 0.84), colour))
    pieces = tuple(Mark(pic.DISC, (0, 0, 1, 1), pic.player(p)) for p in range(match.num_players))
    return BoardPicture(cols + 1.0, rows + 1.0, tuple(marks), _grid_spots(match, rows, cols), pieces, GRID_COLOURS)


def _grid_spots(match: Match, rows: int, cols: int) -> tuple[MoveSpot, ...]:
    legal = [int(a) for a in np.flatnonzero(match.legal_mask)] if not match.over else []
    if match.legal_mask.size >= rows * cols:
        return tuple(MoveSpot(a, (0.5 + a % cols, 0.5 + a // cols, 1.0, 1.0)) for a in legal if a < rows * cols)
    if match.legal_mask.size == cols:
        return tuple(MoveSpot(a, (0.5 + a, 0.5, 1.0, float(rows))) for a in legal)
    return ()


def _observation(match: Match) -> np.ndarray | None:
    env = match.env
    if not env.agents:
        return None
    observation = env.observe(env.agent_selection)
    if isinstance(observation, dict):
        observation = observation.get("observation")
    try:
        return np.asarray(observation, dtype=np.float32)
    except (TypeError, ValueError):
        return None


def _text_board(match: Match, on_move: OnMove, clickable_now: bool) -> None:
    st.code(board_text(match))
    _move_buttons(match, list(np.flatnonzero(match.legal_mask)), on_move, clickable_now)


def _move_buttons(match: Match, actions: list, on_move: OnMove, clickable_now: bool) -> None:
    """A button per move in `actions` (none once the game is over)."""
    actions = [] if match.over else [int(a) for a in actions]
    for start in range(0, len(actions), 8):
        for action, column in zip(actions[start : start + 8], st.columns(8, gap="small"), strict=False):
            column.button(
                match.describe(action),
                key=f"action-{action}",
                on_click=on_move,
                args=(action,),
                disabled=not clickable_now,
                width="stretch",
            )


def definition_of(match: Match):
    return envs.game_definition(match.game.name)


def board_text(match: Match) -> str:
    """A text picture of any game: its own text rendering where it has one, else the observation."""
    env = match.env
    if getattr(env, "render_mode", None) == "ansi":
        text = env.render()
        if isinstance(text, str):
            return text
    observation = _observation(match)
    return "game over" if observation is None else np.array2string(observation, threshold=200)
