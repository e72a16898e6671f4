"""The sidebar: the game and its arguments, one seat per player (a human or a model), simulations,
temperature, and the game's buttons."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from arena.catalog import Catalog
from arena.match import HUMAN, Seat
from muzero.config import GameConfig

MODELS_VARIABLE = "MUZERO_ARENA_MODELS"  # set by muzero-arena --models
DEFAULT_MODELS = Path(__file__).resolve().parents[1] / "models"
GAMES = ("tictactoe", "connect4", "dots_and_boxes")
OTHER_GAME = "another game…"
A_PATH = "a bundle by path…"


@dataclass(frozen=True)
class Setup:
    game: GameConfig
    seats: list[Seat]
    simulations: int
    temperature: float


def models_folder() -> Path:
    return Path(os.environ.get(MODELS_VARIABLE) or DEFAULT_MODELS)


def sidebar(catalog: Catalog) -> Setup:
    with st.sidebar:
        st.header("Game")
        game = _game_choice()
        st.header("Seats")
        players = _player_count(game)
        seats = [_seat_choice(player, game, catalog) for player in range(players)]
        st.header("Search")
        simulations = int(st.number_input("simulations per move", 1, 2000, 100, step=25, key="simulations"))
        temperature = float(st.slider("temperature", 0.0, 2.0, 0.0, 0.05, key="temperature"))
    return Setup(game, seats, simulations, temperature)


def _game_choice() -> GameConfig:
    name = st.selectbox("game", [*GAMES, OTHER_GAME], key="game")
    if name == OTHER_GAME:
        typed = st.text_input("a registered name or pettingzoo:MODULE", key="other-game").strip()
        return GameConfig(typed or "tictactoe")
    args: dict[str, Any] = {}
    if name == "dots_and_boxes":
        args["players"] = int(st.selectbox("players", [2, 3, 4], index=1, key="dots-players"))
        size = st.selectbox("board (boxes)", ["2x2", "3x3", "3x4", "4x4"], index=1, key="dots-size")
        args["rows"], args["cols"] = (int(part) for part in size.split("x"))
    return GameConfig(name, args)


def _player_count(game: GameConfig) -> int:
    if game.name == "dots_and_boxes":
        return int(game.args["players"])
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
