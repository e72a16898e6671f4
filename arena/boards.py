"""The boards, played by clicking on them: tic-tac-toe's cells, connect four's columns (any cell of a column
drops into it), dots-and-boxes' edges; any other game gets its text rendering and a button per legal move.
Every square is a Streamlit button, disabled while no human may move (an agent's turn, an agent thinking,
the game over), so no click can be queued behind a search; a click on a square that is no legal move is
refused by the page with a short message."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from arena.match import Match

OnMove = Callable[[int], None]
MARKS = ("X", "O")
DISCS = ("🔴", "🟡")
BOX_COLOURS = ("🟥", "🟦", "🟩", "🟨")
EMPTY = "\u2003"  # an em space: a button needs a label


Square = Callable[[str, str, int, str], None]  # (label, key, action, hint) -> a square of the board


def draw_board(match: Match, on_move: OnMove, clickable: bool, *, waiting: bool = False) -> None:
    """The board of `match`; a click on a square calls `on_move(action)` when `clickable`. A `waiting` board
    (shown, all squares disabled, while an agent thinks) has keys of its own, so the page can draw the real
    board in its place in the same run."""
    prefix = "wait-" if waiting else ""

    def square(label: str, key: str, action: int, hint: str) -> None:
        st.button(
            label,
            key=prefix + key,
            on_click=on_move,
            args=(action,),
            disabled=not clickable or waiting,
            help=None,
            width="stretch",
        )

    drawers = {"tictactoe": _tictactoe, "connect4": _connect_four, "dots_and_boxes": _dots_and_boxes}
    with st.container(key=prefix + "board"):
        drawers.get(match.game.name, _generic)(match, square)


def _tictactoe(match: Match, square: Square) -> None:
    squares = match.env.unwrapped.board.squares  # 0 empty, 1 first player, 2 second; cell = col * 3 + row
    for row in range(3):
        for col, column in enumerate(st.columns(3, gap="small")):
            action = col * 3 + row
            mark = MARKS[squares[action] - 1] if squares[action] else EMPTY
            with column:
                square(mark, f"cell-{action}", action, match.describe(action))


def _connect_four(match: Match, square: Square) -> None:
    board = np.asarray(match.env.unwrapped.board).reshape(6, 7)  # row 0 at the top; 0 empty, 1, 2
    for row in range(6):
        for col, column in enumerate(st.columns(7, gap="small")):
            disc = DISCS[board[row, col] - 1] if board[row, col] else "⚪"
            with column:
                square(disc, f"cell-{row}-{col}", col, f"drop into column {col + 1}")


def _dots_and_boxes(match: Match, square: Square) -> None:
    state = match.env.unwrapped.state
    rows, cols = state.rows, state.cols
    horizontal = (rows + 1) * cols
    widths = [1 if c % 2 == 0 else 4 for c in range(2 * cols + 1)]
    for r in range(2 * rows + 1):
        for c, column in enumerate(st.columns(widths, gap="small")):
            with column:
                if r % 2 == 0 and c % 2 == 0:
                    st.markdown("<div class='dot'>●</div>", unsafe_allow_html=True)
                elif r % 2 == 1 and c % 2 == 1:
                    owner = int(state.owners[r // 2, c // 2])
                    st.markdown(
                        f"<div class='box'>{BOX_COLOURS[owner] if owner >= 0 else ''}</div>", unsafe_allow_html=True
                    )
                else:
                    vertical = r % 2 == 1
                    action = horizontal + (r // 2) * (cols + 1) + c // 2 if vertical else (r // 2) * cols + c // 2
                    drawn = bool(state.edges[action])
                    label = ("┃" if vertical else "━") if drawn else "·"
                    square(label, f"edge-{action}", action, match.describe(action))


def _generic(match: Match, square: Square) -> None:
    st.code(board_text(match))
    legal = np.flatnonzero(match.legal_mask)
    for start in range(0, len(legal), 8):
        for action, column in zip(legal[start : start + 8], st.columns(8, gap="small"), strict=False):
            with column:
                square(str(int(action)), f"action-{action}", int(action), match.describe(action))


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
