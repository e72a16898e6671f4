"""The page's controls around the board: new game and undo, the game record, walking the game (first, back,
forward, last, a click on any move, the lines left behind by a branch), and a box to type a move or paste a
move list (which sets up a position). Which position is shown lives in `st.session_state.view_ply` (None:
the game's latest)."""

from __future__ import annotations

import streamlit as st

from arena.markup import move_list_html
from arena.match import Match, parse_moves
from arena.record import match_from_record, record_json
from arena.view import clickable
from muzero.core.errors import UserError

PAGE_CSS = """
<style>
.still-board .legend { display: flex; gap: 1rem; flex-wrap: wrap; justify-content: center; margin: 0.2rem 0 0.4rem; }
.still-board .legend .who { display: inline-flex; align-items: center; gap: 0.3rem; }
.still-board .legend .to-play { font-weight: bold; text-decoration: underline; }
.st-key-navigation [data-testid="stHorizontalBlock"] { flex-wrap: nowrap !important; gap: 0.3rem !important; }
.st-key-navigation [data-testid="stColumn"] { min-width: 0 !important; }
</style>
"""


def view_ply() -> int | None:
    """Moves played before the position shown; None: the game's latest position."""
    return st.session_state.get("view_ply")


def shown_ply(match: Match) -> int:
    ply = view_ply()
    return len(match.moves) if ply is None else min(ply, len(match.moves))


def _go(ply: int | None) -> None:
    match: Match = st.session_state.match
    st.session_state.view_ply = None if ply is None or ply >= len(match.moves) else max(ply, 0)


def navigation(match: Match) -> None:
    """⏮ ◀ ▶ ⏭ through the game, and the lines a branch left behind."""
    ply, end = shown_ply(match), len(match.moves)
    with st.container(key="navigation"):
        buttons = st.columns(4)
        steps = (("⏮", "first", 0, ply > 0), ("◀", "back", ply - 1, ply > 0))
        steps += (("▶", "forward", ply + 1, ply < end), ("⏭", "last", None, ply < end))
        for column, (label, key, target, enabled) in zip(buttons, steps, strict=True):
            column.button(label, key=f"nav-{key}", on_click=_go, args=(target,), disabled=not enabled, width="stretch")
    for index, line in enumerate(match.branches):
        names = " ".join(match.describe(action) for action in line[-3:])
        st.button(
            f"Back to the other line ({len(line)} moves, … {names})",
            key=f"branch-{index}",
            on_click=_switch,
            args=(index,),
        )


def _switch(branch: int) -> None:
    st.session_state.match.switch_to(branch)
    st.session_state.view_ply, st.session_state.position_analysis = None, None


def move_list(match: Match) -> None:
    if not match.moves:
        return
    names = [match.describe(action) for action in match.moves]

    def clicked(value: str) -> None:
        if value.startswith("ply:"):
            _go(int(value.removeprefix("ply:")))

    clickable(move_list_html(names, match.movers, shown_ply(match)), "move-list", clicked)


def entry_box(match: Match) -> None:
    """A move typed ("b2", "column 4"), or a move list pasted to set up a position from the one shown."""
    st.text_input(
        "Type a move, or paste a move list to set up a position",
        key="move-entry",
        on_change=_entered,
        placeholder=f"e.g. {match.describe(0).split()[-1]}",
    )


def _entered() -> None:
    state = st.session_state
    text, state["move-entry"] = state.get("move-entry", "").strip(), ""
    if not text:
        return
    match: Match = state.match
    try:
        moves = parse_moves(match.game.name, match.game.args, text, int(match.legal_mask.size))
        start = shown_ply(match)
        if len(moves) == 1 and view_ply() is None and not match.human_to_play:
            state.notice = "Wait for your turn (a move list sets up a position for every player)."
            return
        trial = match.at(start)
        for action in moves:  # every move checked before the game changes
            trial.play(action)
        for offset, action in enumerate(moves):
            match.play_from(start + offset, action)
    except UserError as error:
        state.notice = f"{str(error).capitalize()}."
        return
    _go(start + len(moves))
    state.position_analysis = None


def game_buttons(match: Match) -> None:
    with st.sidebar:
        st.header("Play")
        left, right = st.columns(2)
        left.button("New game", key="new-game", on_click=_new_game, width="stretch")
        right.button("Undo", key="undo", on_click=_undo, disabled=not match.moves, width="stretch")
        if not any(seat.is_human for seat in match.seats):
            st.caption("Agents against agents: watch them play.")
            left, right = st.columns(2)
            left.button("Next move", key="next-move", on_click=_next_move, disabled=match.over, width="stretch")
            right.toggle("Autoplay", key="autoplay")


def _new_game() -> None:
    match = st.session_state.match
    st.session_state.match = Match(match.game, match.seats, seed=match.seed + 1)
    st.session_state.position_analysis, st.session_state.view_ply = None, None


def _undo() -> None:
    if not st.session_state.match.undo():
        st.session_state.notice = "No human move to go back to."
    st.session_state.position_analysis, st.session_state.view_ply = None, None


def _next_move() -> None:
    st.session_state.step_requested = True


def record_controls(match: Match) -> None:
    with st.sidebar:
        st.header("Record")
        st.download_button(
            "Download the game record",
            lambda: record_json(match),  # serialised on the click, not on every run of the page
            file_name="game.json",
            mime="application/json",
        )
        upload = st.file_uploader("Load a game record", type=["json"], key="record-upload")
        if upload is not None and st.session_state.get("loaded") != upload.file_id:
            try:
                st.session_state.review = match_from_record(upload.getvalue())
            except UserError as error:
                st.error(str(error))
            st.session_state.loaded = upload.file_id
