"""The arena page (`muzero-arena` runs `streamlit run` on this file): play the shipped models on a real board,
watch them think and play each other, walk the game move by move (a different move from an earlier position
starts a branch), ask for a hint, and read what their search found."""

from __future__ import annotations

import time

import streamlit as st

from arena.analysis import MoveAnalysis, analyse
from arena.boards import draw_board
from arena.catalog import find_models
from arena.controls import (
    PAGE_CSS,
    entry_box,
    game_buttons,
    move_list,
    navigation,
    record_controls,
    shown_ply,
    view_ply,
)
from arena.match import Match, Seat
from arena.model_check import model_check
from arena.panels import show_analysis, value_chart
from arena.players import agent_move, analyse_position, check_plays, load_agent
from arena.setup import Setup, models_folder, sidebar
from muzero.core.errors import UserError
from muzero.play.player import LiveSearch

AUTOPLAY_PAUSE = 0.4  # seconds between two moves of an agent-against-agent game on autoplay
PLAY, MODEL_CHECK = "Play", "Model check"  # the page's views
LIVE_REPORTS = 8  # the candidates are redrawn this many times while an agent thinks


def main() -> None:
    st.set_page_config(page_title="MuZero arena", page_icon="♟", layout="wide")
    st.markdown(PAGE_CSS, unsafe_allow_html=True)
    state = st.session_state
    state.setdefault("agents", {})
    catalog = find_models(models_folder())
    view = st.sidebar.radio("View", [PLAY, MODEL_CHECK], horizontal=True, key="view")
    setup = sidebar(catalog)
    for problem in catalog.problems:
        st.sidebar.warning(problem)
    if not catalog.models:
        st.warning(
            f"No model bundles in {models_folder()}: every seat can only be a human (muzero-arena --models DIR)."
        )
    match = current_match(setup)
    if match is None:
        return
    seat_models(match, setup)
    if view == MODEL_CHECK:
        model_check(match, state.agents)
        return
    game_buttons(match)
    record_controls(match)
    if state.get("review") is not None:
        review(state.review)
        return
    play(match, setup)


def current_match(setup: Setup) -> Match | None:
    """The match in progress, or a new one when the game changed; None (with a message) for a bad game."""
    state = st.session_state
    match = state.get("match")
    if match is None or (match.game.name, match.game.args) != (setup.game.name, setup.game.args):
        try:
            match = Match(setup.game, [Seat("human")] * len(setup.seats))
        except (UserError, ImportError) as error:
            st.error(f"Cannot start {setup.game.name}: {error}")
            return None
        state.match, state.position_analysis, state.view_ply = match, None, None
    return match


def seat_models(match: Match, setup: Setup) -> None:
    """The seats as chosen, a model that cannot play this game turned into a message (the seat stays human)."""
    seats = []
    for seat in setup.seats[: match.num_players]:
        if not seat.is_human:
            try:
                check_plays(agent_for(seat, setup), match, seat)
            except UserError as error:
                st.error(f"Player {len(seats) + 1}: {error}. The seat stays human.")
                seat = Seat("human")
        seats.append(seat)
    seats += [Seat("human")] * (match.num_players - len(seats))
    match.seats = seats


def agent_for(seat: Seat, setup: Setup):
    return load_agent(st.session_state.agents, seat, setup.simulations, setup.temperature)


def _board_move(action: int) -> None:
    """A click on the board: at the game's end, the move of a human whose turn it is; at an earlier position,
    any legal move (the game's next move steps forward, another one starts a branch)."""
    state = st.session_state
    match: Match = state.match
    ply = view_ply()
    try:
        if ply is None:
            if not match.human_to_play:
                state.notice = "Wait for your turn."
                return
            match.play(action)
        else:
            match.play_from(ply, action)
            state.view_ply = ply + 1 if ply + 1 < len(match.moves) else None
    except UserError as error:
        state.notice = f"{str(error).capitalize()}."
    state.position_analysis = None


def agent_due(match: Match) -> bool:
    """Whether an agent moves now: at its turn at the game's end, at once against a human, else on a step or on
    autoplay."""
    if view_ply() is not None or match.over or match.seat_to_play.is_human:
        return False
    if any(seat.is_human for seat in match.seats):
        return True
    return bool(st.session_state.pop("step_requested", False) or st.session_state.get("autoplay"))


def play(match: Match, setup: Setup) -> None:
    """A turn: the board, and an agent's move when one is due, drawn in the same run (a still board on which
    the search's candidates grow while the agent thinks, then the board after its move in its place)."""
    status_slot = st.empty()
    board_column, panel_column = st.columns([5, 6], gap="large")
    with board_column:
        board_slot, progress_slot = st.empty(), st.empty()
        if agent_due(match):
            status(status_slot, match, match)
            _agent_turn(match, setup, board_slot, progress_slot)
        ply = shown_ply(match)
        shown = match if ply == len(match.moves) else match.at(ply)
        if _analysis_wanted(shown, setup):
            _analyse_shown(shown, setup, board_slot, progress_slot)
        progress_slot.empty()
        status(status_slot, match, shown)
        with board_slot.container():
            overlay = board_overlay(match, shown)
            clickable_now = (not shown.over) if view_ply() is not None else match.human_to_play
            draw_board(shown, _board_move, clickable_now=clickable_now, **overlay)
        notice = st.session_state.pop("notice", None)
        if notice:
            st.warning(notice)
        hint_row(match, shown, setup)
        navigation(match)
        entry_box(match)
        move_list(match)
        value_chart(match, _jump)
    with panel_column:
        analysis_panel(match, shown)
    _next_run(match)


def _next_run(match: Match) -> None:
    if view_ply() is not None or match.over or match.seat_to_play.is_human:
        return
    if any(seat.is_human for seat in match.seats):
        st.rerun()  # another agent's turn (three players, or an extra turn) before the human's
    elif st.session_state.get("autoplay"):
        time.sleep(AUTOPLAY_PAUSE)
        st.rerun()


def _jump(value: str) -> None:
    if value.startswith("ply:"):
        ply = int(value.removeprefix("ply:"))
        match: Match = st.session_state.match
        st.session_state.view_ply = None if ply >= len(match.moves) else ply


def live_search(match: Match, board_slot, progress_slot, total: int) -> LiveSearch:
    """Redraws the still board with the candidates so far, and "thinking: done / total simulations"."""

    def report(result, done: int) -> None:
        analysis = analyse(result, ply=len(match.moves))
        with board_slot.container():
            draw_board(match, _board_move, clickable_now=False, candidates=analysis.candidates)
        progress_slot.progress(
            done / total, text=f"{match.player_name(match.to_play)} thinking: {done} / {total} simulations"
        )

    return LiveSearch(max(total // LIVE_REPORTS, 1), report)


def _agent_turn(match: Match, setup: Setup, board_slot, progress_slot) -> None:
    with board_slot.container():
        draw_board(match, _board_move, clickable_now=False)
    try:
        agent = agent_for(match.seat_to_play, setup)
        agent_move(match, agent, live_search(match, board_slot, progress_slot, agent.params.num_simulations))
    except UserError as error:
        st.error(f"{match.player_name(match.to_play)} cannot move: {error}")
        match.seats[match.to_play] = Seat("human")


def _analysis_wanted(shown: Match, setup: Setup) -> bool:
    """Whether to analyse the position shown now: a hint asked for, or continuous analysis on."""
    state = st.session_state
    if shown.over or setup.adviser is None or _position_analysis(shown) is not None:
        return False
    if state.pop("hint_requested", False):
        return True
    return bool(state.get("analyse-always")) and shown.analyses.get(len(shown.moves)) is None


def _analyse_shown(shown: Match, setup: Setup, board_slot, progress_slot) -> None:
    try:
        agent = agent_for(setup.adviser, setup)
        live = live_search(shown, board_slot, progress_slot, agent.params.num_simulations)
        st.session_state.position_analysis = (tuple(shown.moves), analyse_position(shown, agent, live))
    except UserError as error:
        st.error(str(error))


def _position_analysis(shown: Match) -> MoveAnalysis | None:
    """The hint or continuous analysis of the position shown, if there is one."""
    stored = st.session_state.get("position_analysis")
    if stored is None or stored[0] != tuple(shown.moves):
        return None
    return stored[1]


def board_overlay(match: Match, shown: Match) -> dict:
    """The candidates drawn on the board: the position's hint or analysis, or an agent's move made from it."""
    analysis = _position_analysis(shown) or match.analyses.get(len(shown.moves))
    if analysis is None:
        return {}
    return {"candidates": analysis.candidates, "chosen": analysis.action}


def hint_row(match: Match, shown: Match, setup: Setup) -> None:
    left, right = st.columns([1, 2])
    if setup.adviser is None:
        right.caption("Hints and analysis need a model of this game.")
        return
    left.button("Hint", key="hint", on_click=_request_hint, disabled=shown.over, width="stretch")
    right.toggle("Analyse every position", key="analyse-always")


def _request_hint() -> None:
    st.session_state.hint_requested = True


def status(slot, match: Match, shown: Match) -> None:
    """Whose turn it is, the scores, the result (in `slot`, replaced as the turn goes on); at an earlier
    position, which one and how to go on from it."""
    scores = " · ".join(f"{shown.player_name(p)}: {shown.returns[p]:g}" for p in range(shown.num_players))
    if shown is not match and len(shown.moves) < len(match.moves):
        slot.info(
            f"**Position after move {len(shown.moves)} of {len(match.moves)}.** "
            f"{shown.player_name(shown.to_play) + ' to move. ' if not shown.over else ''}"
            f"A different move here starts a branch; ⏭ goes back to the game.  \n{scores}"
        )
    elif match.over:
        slot.success(f"**Game over.** {match.result_text()}  \n{scores}")
    else:
        slot.info(f"**{match.player_name(match.to_play)} to move** (move {len(match.moves) + 1})  \n{scores}")


def analysis_panel(match: Match, shown: Match) -> None:
    """The analysis of the position shown (a hint, or the agent's move from it), else of the last agent move
    before it."""
    ply = len(shown.moves)
    requested = _position_analysis(shown)
    if requested is not None:
        show_analysis(shown, requested, "This position")
    elif ply in match.analyses:
        show_analysis(shown, match.analyses[ply], f"Agent move {ply + 1}")
    elif any(p < ply for p in match.analyses):
        last = max(p for p in match.analyses if p < ply)
        show_analysis(match.at(last), match.analyses[last], f"Agent move {last + 1}")
    else:
        st.caption("The analysis of each agent move shows here; Hint analyses the position on the board.")


def review(recorded: Match) -> None:
    """A loaded record, stepped through move by move with its analyses."""
    st.info(f"Game record: {recorded.game.name}, {len(recorded.moves)} moves. {recorded.result_text()}")
    ply = st.slider("after move", 0, len(recorded.moves), len(recorded.moves), key="review-ply")
    shown = recorded.at(ply)
    board_column, panel_column = st.columns([5, 6], gap="large")
    with board_column:
        draw_board(shown, lambda _action: None, clickable_now=False)
        if st.button("Back to the game", key="leave-review"):
            st.session_state.review = None
            st.rerun()
    with panel_column:
        if ply > 0 and ply - 1 in recorded.analyses:
            show_analysis(recorded.at(ply - 1), recorded.analyses[ply - 1], f"Agent move {ply}")


main()
