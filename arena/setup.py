"""The sidebar: the game and its arguments, one seat per player (a human or a model), simulations,
temperature, and the game's buttons."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

import envs
from arena.catalog import Catalog
from arena.match import HUMAN, Seat
from muzero.core.config import GameConfig
from muzero.core.errors import UserError

MODELS_VARIABLE = "MUZERO_ARENA_MODELS"  # set by muzero-arena --models
DEFAULT_MODELS = Path(__file__).resolve().parents[1] / "models"
OTHER_GAME = "another game…"
A_PATH = "a bundle by path…"


LEVELS = (("quick", 25), ("casual", 100), ("strong", 400), ("full", 800))  # named strengths: simulations
LEVEL_NAMES = tuple(f"{name} ({n} simulations)" for name, n in LEVELS)
CUSTOM = "custom"


@dataclass(frozen=True)
class Setup:
    game: GameConfig
    seats: list[Seat]
    simulations: int
    temperature: float
    adviser: Seat | None = None  # the model that gives hints and analyses positions: a seat's, else any of the game


def models_folder() -> Path:
    return Path(os.environ.get(MODELS_VARIABLE) or DEFAULT_MODELS)


def sidebar(catalog: Catalog) -> Setup:
    with st.sidebar:
        st.header("Game")
        game = _game_choice()
        st.header("Seats")
        players = _player_count(game)
        seats = [_seat_choice(player, game, catalog) for player in range(players)]
        _explain_seats(game, catalog)
        st.header("Strength")
        st.selectbox("level", [*LEVEL_NAMES, CUSTOM], index=1, key="level", on_change=_level)
        simulations = st.number_input(
            "simulations per move", 1, 2000, 100, step=25, key="simulations", on_change=_custom_level
        )
        temperature = float(st.slider("temperature", 0.0, 2.0, 0.0, 0.05, key="temperature"))
    return Setup(game, seats, int(simulations), temperature, _adviser(seats, game, catalog))


def _level() -> None:
    """A named level sets the simulations (which stay editable)."""
    chosen = st.session_state.level
    for name, (_, simulations) in zip(LEVEL_NAMES, LEVELS, strict=True):
        if name == chosen:
            st.session_state.simulations = simulations


def _custom_level() -> None:
    """Simulations typed by hand name their level, or "custom"."""
    typed = st.session_state.simulations
    named = (name for name, (_, n) in zip(LEVEL_NAMES, LEVELS, strict=True) if n == typed)
    st.session_state.level = next(named, CUSTOM)


def _adviser(seats: list[Seat], game: GameConfig, catalog: Catalog) -> Seat | None:
    models = [seat for seat in seats if not seat.is_human]
    if models:
        return models[0]
    fitting = catalog.of_game(game.name, game.args)
    return Seat("model", fitting[0].path, fitting[0].name) if fitting else None


def _explain_seats(game: GameConfig, catalog: Catalog) -> None:
    """Why every seat is human when no model fits this game (and which games the models here play)."""
    if catalog.of_game(game.name, game.args) or not catalog.models:
        return
    same_name = [model for model in catalog.models if model.game == game.name]
    if same_name:
        kinds = "; ".join(f"{m.name}: {_arguments(m.game_args)}" for m in same_name)
        st.caption(f"No model here plays {game.text()}: the seats are human (the models of {game.name} play {kinds}).")
    else:
        st.caption(f"No model here plays {game.name}: the seats are human.")


def _arguments(args: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(args.items())) or "its default arguments"


def _game_choice() -> GameConfig:
    games = envs.names()
    name = st.selectbox("game", [*games, OTHER_GAME], key="game")
    if name == OTHER_GAME:
        typed = st.text_input("a registered name or pettingzoo:MODULE", key="other-game").strip()
        registered = envs.registry.registered_name(typed) if typed else games[0]
        if typed and registered != typed:
            st.caption(f"{typed} is the registered game {registered}: its board and models are used.")
        return GameConfig(registered)
    args: dict[str, Any] = {}
    for choice in envs.game_definition(name).arguments:
        labels = [label for label, _ in choice.options]
        picked = st.selectbox(choice.label, labels, index=choice.default, key=choice.key)
        args |= dict(choice.options[labels.index(picked)][1])
    return GameConfig(name, args)


def _player_count(game: GameConfig) -> int:
    """The game's players (an unknown game or bad arguments: 2 seats; the page says what is wrong)."""
    try:
        return envs.registry.player_count(game.name, tuple(sorted(game.args.items())))
    except UserError:
        return 2


def _seat_choice(player: int, game: GameConfig, catalog: Catalog) -> Seat:
    models = catalog.of_game(game.name, game.args)
    labels = [HUMAN, *(model.label for model in models), A_PATH]
    default = 1 if player > 0 and models else 0
    key = f"seat-{game.name}-{sorted(game.args.items())}-{player}"
    choice = st.selectbox(f"Player {player + 1}", labels, index=default, key=key)
    if choice == HUMAN:
        return Seat(HUMAN)
    if choice == A_PATH:
        path = st.text_input(f"bundle folder for player {player + 1}", key=f"{key}-path").strip()
        return Seat("model", path, Path(path).name or "model") if path else Seat(HUMAN)
    model = models[labels.index(choice) - 1]
    return Seat("model", model.path, model.name)
