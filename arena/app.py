"""The arena page (`muzero-arena` runs `streamlit run` on this file): play the shipped models, watch them
play each other, and see what their search found after every agent move."""

from __future__ import annotations

import time

import streamlit as st

from arena.boards import BOARD_CSS, draw_board
from arena.catalog import find_models
from arena.match import Match, Seat
from arena.model_check import model_check
from arena.panels import show_analysis, value_chart
from arena.players import agent_move, analyse_position, check_plays, load_agent
from arena.record import match_from_record, record_json
from arena.setup import Setup, models_folder, sidebar
from muzero.core.errors import UserError

AUTOPLAY_PAUSE = 0.4  # seconds between two moves of an agent-against-agent game on autoplay
PLAY, MODEL_CHECK = "Play", "Model check"  # the page's views


def main() -> None:
    st.set_page_config(page_title="MuZero arena", page_icon="♟", layout="wide")
    st.markdown(BOARD_CSS, unsafe_allow_html=True)
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
        state.match, state.position_analysis = match, None
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
    st.session_state.position_analysis = None


def _undo() -> None:
    if not st.session_state.match.undo():
        st.session_state.notice = "No human move to go back to."
    st.session_state.position_analysis = None


def _next_move() -> None:
    st.session_state.step_requested = True


def _human_move(action: int) -> None:
    """A click on the board: the move, or a short message and nothing changed."""
    match = st.session_state.match
    if not match.human_to_play:
        st.session_state.notice = "Wait for your turn."
        return
    try:
        match.play(action)
    except UserError as error:
        st.session_state.notice = f"{str(error).capitalize()}."
    st.session_state.position_analysis = None


def agent_due(match: Match) -> bool:
    """Whether an agent moves now: at its turn, at once against a human, else on a step or on autoplay."""
    if match.over or match.seat_to_play.is_human:
        return False
    if any(seat.is_human for seat in match.seats):
        return True
    return bool(st.session_state.pop("step_requested", False) or st.session_state.get("autoplay"))


def play(match: Match, setup: Setup) -> None:
    """A turn: the board, and an agent's move when one is due, drawn in the same run (the board waits,
    disabled, while the agent searches, then the board after its move takes its place)."""
    status_slot = st.empty()
    board_column, panel_column = st.columns([5, 6], gap="large")
    with board_column:
        board_slot = st.empty()
        if agent_due(match):
            with board_slot.container():
                draw_board(match, _human_move, clickable=False, waiting=True)
            status(status_slot, match)
            with st.spinner(f"{match.player_name(match.to_play)} is thinking…"):
                _agent_turn(match, setup)
        with board_slot.container():
            draw_board(match, _human_move, clickable=match.human_to_play)
        status(status_slot, match)
        notice = st.session_state.pop("notice", None)
        if notice:
            st.warning(notice)
    with panel_column:
        analysis_panel(match, setup)
    if match.over or match.seat_to_play.is_human:
        return
    if any(seat.is_human for seat in match.seats):
        st.rerun()  # another agent's turn (three players, or an extra turn) before the human's
    elif st.session_state.get("autoplay"):
        time.sleep(AUTOPLAY_PAUSE)
        st.rerun()


def _agent_turn(match: Match, setup: Setup) -> None:
    try:
        agent_move(match, agent_for(match.seat_to_play, setup))
    except UserError as error:
        st.error(f"{match.player_name(match.to_play)} cannot move: {error}")
        match.seats[match.to_play] = Seat("human")


def status(slot, match: Match) -> None:
    """Whose turn it is, the scores, the result (in `slot`, replaced as the turn goes on)."""
    scores = " · ".join(f"{match.player_name(p)}: {match.returns[p]:g}" for p in range(match.num_players))
    if match.over:
        slot.success(f"**Game over.** {match.result_text()}  \n{scores}")
    else:
        slot.info(f"**{match.player_name(match.to_play)} to move** (move {len(match.moves) + 1})  \n{scores}")


def analysis_panel(match: Match, setup: Setup) -> None:
    state = st.session_state
    models = [seat for seat in match.seats if not seat.is_human]
    if models and not match.over and st.button("Analyse this position for the side to move", key="analyse"):
        try:
            state.position_analysis = analyse_position(match, agent_for(models[0], setup))
        except UserError as error:
            st.error(str(error))
    requested = state.get("position_analysis")
    if requested is not None and requested.ply == len(match.moves):
        show_analysis(match, requested, "This position")
    elif match.analyses:
        last = max(match.analyses)
        show_analysis(match, match.analyses[last], f"Agent move {last + 1}")
    else:
        st.caption("The analysis of each agent move shows here.")
    value_chart(match)


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


def review(recorded: Match) -> None:
    """A loaded record, stepped through move by move with its analyses."""
    st.info(f"Game record: {recorded.game.name}, {len(recorded.moves)} moves. {recorded.result_text()}")
    ply = st.slider("after move", 0, len(recorded.moves), len(recorded.moves), key="review-ply")
    shown = Match(recorded.game, recorded.seats, seed=recorded.seed, moves=recorded.moves[:ply])
    shown.analyses = {p: a for p, a in recorded.analyses.items() if p < ply}
    board_column, panel_column = st.columns([5, 6], gap="large")
    with board_column:
        draw_board(shown, lambda _action: None, clickable=False)
        if st.button("Back to the game", key="leave-review"):
            st.session_state.review = None
            st.rerun()
    with panel_column:
        if ply > 0 and ply - 1 in recorded.analyses:
            show_analysis(shown, recorded.analyses[ply - 1], f"Agent move {ply}")
        value_chart(shown)


main()
