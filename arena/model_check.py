"""The Model check view: where a seat's learned model drifts from the real game (what muzero-diagnose writes),
from a small diagnosis run on demand with a progress bar, or read from a report folder."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from arena.match import Match, Seat
from arena.players import load_agent
from muzero.core.config import GameConfig
from muzero.core.errors import UserError
from muzero.diagnosis import (
    SELF,
    CheckSettings,
    about_line,
    check_model,
    plot_paths,
    read_report,
    worst_text,
    write_report,
)
from muzero.diagnosis.plots import draw_plots
from muzero.diagnosis.records import BOARD_LEGEND
from muzero.diagnosis.report import SUMMARY_COLUMNS, per_player_rows, summary_rows
from muzero.faces.agent import NO_DYNAMICS
from muzero.faces.games import same_game

CHECK_TEMPERATURE = 0.25  # moves sampled by visits^(1/T), so that the agent's games against itself differ


def model_check(match: Match, agents: dict[tuple, Any]) -> None:
    """The view: run a diagnosis of a seat's model or read a report folder, then show the report."""
    st.header("Model check")
    st.caption(
        "Where does the learned model drift from the real game? The model is unrolled k steps along the moves "
        "really played and compared with the game: rewards, values, who moves next and the policy."
    )
    models = list({seat.path: seat for seat in match.seats if not seat.is_human}.values())
    run_tab, read_tab = st.tabs(["Run a diagnosis", "Read a report folder"])
    with run_tab:
        run_controls(models, agents)
    with read_tab:
        folder = st.text_input("report folder (muzero-diagnose MODEL --out FOLDER)", key="check-folder").strip()
        if st.button("Read the report", key="check-read", disabled=not folder):
            st.session_state.check_report = folder
    shown = st.session_state.get("check_report")
    if shown:
        show_report_folder(Path(shown), match.game)


def run_controls(models: list[Seat], agents: dict[tuple, Any]) -> None:
    if not models:
        st.info("Choose a model for a seat in the sidebar to check it here.")
        return
    labels = [seat.label for seat in models]
    seat = models[labels.index(st.selectbox("model", labels, key="check-model"))]
    games_column, horizon_column, simulations_column = st.columns(3)
    games = int(games_column.number_input("games", 1, 200, 4, key="check-games"))
    horizon = int(horizon_column.number_input("horizon (steps)", 1, 30, 5, key="check-horizon"))
    simulations = int(simulations_column.number_input("simulations per move", 1, 800, 25, key="check-simulations"))
    if st.button("Run a diagnosis", key="check-run"):
        try:
            st.session_state.check_report = str(run_diagnosis(seat, CheckSettings(games, horizon), simulations, agents))
        except UserError as error:
            st.error(f"Cannot check {seat.label}: {error}")


def run_diagnosis(seat: Seat, settings: CheckSettings, simulations: int, agents: dict[tuple, Any]) -> Path:
    """A diagnosis of the seat's model against itself, with a progress bar; the folder of its report (one per
    page session, rewritten by each run)."""
    agent = load_agent(agents, seat, simulations, CHECK_TEMPERATURE)
    if not agent.dynamics_trained:
        raise UserError(f"{NO_DYNAMICS}: it searches with the game's own rules, which are exact; nothing to check")
    bar = st.progress(0.0, text="Playing the games…")

    def progress(finished: int, games: int, moves: int) -> None:
        bar.progress(0.8 * finished / games, text=f"Playing: {finished} of {games} games finished, {moves} moves")

    diagnosis = check_model(agent, None, settings, model=seat.label, against=SELF, on_progress=progress)
    bar.progress(0.85, text="Writing the report and drawing the plots…")
    folder = session_folder("check_folder", "muzero-model-check-")
    write_report(diagnosis, folder)
    bar.progress(1.0, text=f"Done: {settings.games} games, the model unrolled up to {settings.horizon} steps.")
    return folder


def session_folder(key: str, prefix: str) -> Path:
    """A temporary folder of this page session, made on first use and kept under `key`."""
    if key not in st.session_state:
        st.session_state[key] = tempfile.mkdtemp(prefix=prefix)
    return Path(st.session_state[key])


def show_report_folder(folder: Path, game: GameConfig) -> None:
    """The report in `folder`, or why there is none."""
    try:
        report = read_report(folder)
    except UserError as error:
        st.error(str(error))
        return
    about = report["about"]
    if not is_of_game(about, game):
        reported = about.get("game", "another game")
        st.warning(f"This report is of {reported}, not of the game chosen here ({game.text()}).")
    show_report(report, folder)


def is_of_game(about: dict[str, Any], game: GameConfig) -> bool:
    """Whether a report's model plays `game` (with the same arguments)."""
    try:
        return same_game(GameConfig(str(about.get("game", "")), dict(about.get("game_args") or {})), game)
    except UserError:  # a game this installation does not know
        return False


def show_report(report: dict[str, Any], folder: Path) -> None:
    st.subheader("The model against the real game, k steps ahead")
    st.markdown(about_line(report))
    st.table(summary_frame(report), border="horizontal")
    players = len(report["horizons"][0]["value_error_per_player"])
    with st.expander("Per player: reward and value errors, next-player accuracy", expanded=False):
        for title, key, percent in (
            ("Reward error", "reward_error_per_player", False),
            ("Value error", "value_error_per_player", False),
            ("Next-player accuracy (by the player really to move)", "next_player_accuracy_per_player", True),
        ):
            st.markdown(f"**{title}**")
            rows = per_player_rows(report, key, percent)
            st.table(pd.DataFrame(rows, columns=["k", *(f"player {p + 1}" for p in range(players))]).set_index("k"))
    show_plots(report, folder)
    st.subheader("Where the model is most wrong")
    st.caption(BOARD_LEGEND)
    for position in report["worst"]:
        st.markdown(worst_text(position))
        st.code(position["board"], language=None)


def summary_frame(report: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(summary_rows(report), columns=list(SUMMARY_COLUMNS)).set_index("k")


def show_plots(report: dict[str, Any], folder: Path) -> None:
    """The report's PNG plots, drawn again from its data when the folder lacks them."""
    paths = plot_paths(folder)
    if not paths:
        paths = draw_plots(report, session_folder("check_drawn", "muzero-model-plots-"))
    left, right = st.columns(2)
    for number, path in enumerate(paths):
        (left if number % 2 == 0 else right).image(path.read_bytes(), caption=path.stem.replace("_", " "))
