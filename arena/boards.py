"""The boards, played by clicking on them: each game reads its board as squares (`envs.definition.BoardView`:
tic-tac-toe's cells, connect four's columns, where any cell of a column drops into it, dots-and-boxes' edges);
a game that declares no board gets its text rendering and a button per legal move. Every square that is a
move is a Streamlit button, disabled while no human may move (an agent's turn, an agent thinking, the game
over), so no click can be queued behind a search; a click on a square that is no legal move is refused by
the page with a short message."""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import streamlit as st

import envs
from arena.match import Match
from envs.definition import BoardView, Square

OnMove = Callable[[int], None]
Button = Callable[[str, str, int], None]  # (label, key, action) -> a clickable square of the board


def draw_board(match: Match, on_move: OnMove, clickable: bool, *, waiting: bool = False) -> None:
    """The board of `match`; a click on a square calls `on_move(action)` when `clickable`. A `waiting` board
    (shown, all squares disabled, while an agent thinks) has keys of its own, so the page can draw the real
    board in its place in the same run."""
    prefix = "wait-" if waiting else ""

    def button(label: str, key: str, action: int) -> None:
        st.button(
            label,
            key=prefix + key,
            on_click=on_move,
            args=(action,),
            disabled=not clickable or waiting,
            width="stretch",
        )

    definition = envs.game_definition(match.game.name)
    with st.container(key=prefix + "board"):
        if definition is not None and definition.read_board is not None:
            _squares(definition.read_board(match.env), button)
        else:
            _generic(match, button)


def _squares(board: BoardView, button: Button) -> None:
    for row in board.rows:
        columns = st.columns(list(board.widths) if board.widths else len(row), gap="small")
        for square, column in zip(row, columns, strict=True):
            with column:
                _square(square, button)


def _square(square: Square, button: Button) -> None:
    if square.action is not None:
        button(square.label, square.key, square.action)
    else:
        st.markdown(f"<div class='{square.style}'>{html.escape(square.label)}</div>", unsafe_allow_html=True)


def _generic(match: Match, button: Button) -> None:
    st.code(board_text(match))
    legal = np.flatnonzero(match.legal_mask)
    for start in range(0, len(legal), 8):
        for action, column in zip(legal[start : start + 8], st.columns(8, gap="small"), strict=False):
            with column:
                button(str(int(action)), f"action-{action}", int(action))


def board_text(match: Match) -> str:
    """A text picture of any game: its own text rendering where it has one, else the observation."""
    env = match.env
    if getattr(env, "render_mode", None) == "ansi":
        text = env.render()
        if isinstance(text, str):
            return text
    observation = env.observe(env.agent_selection)["observation"] if env.agents else None
    return "game over" if observation is None else np.array2string(np.asarray(observation), threshold=200)


BOARD_CSS = """
<style>
/* the board keeps its shape on a narrow window: its columns never stack */
:is(.st-key-board, .st-key-wait-board) [data-testid="stHorizontalBlock"] {
    flex-wrap: nowrap !important; gap: 0.3rem !important; }
:is(.st-key-board, .st-key-wait-board) [data-testid="stColumn"] { min-width: 0 !important; }
:is(.st-key-board, .st-key-wait-board) button { min-height: 3rem; font-size: 1.4rem; padding: 0; }
:is(.st-key-board, .st-key-wait-board) .dot { text-align: center; line-height: 3rem; }
:is(.st-key-board, .st-key-wait-board) .box { text-align: center; line-height: 3rem; font-size: 1.6rem; }
</style>
"""
