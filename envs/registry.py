"""Game names -> games: the registered games (one line each in `GAMES`) and the `pettingzoo:MODULE` /
`gym:ID` adapters. Each registered game declares itself in its own folder (`envs.definition`)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from envs import connect4, dots_and_boxes, game2048, pig, tictactoe
from envs.definition import GameDefinition
from envs.gymnasium_game import GymnasiumGame
from envs.opponents import RANDOM, opponent, opponents_of
from envs.pettingzoo_game import PettingZooGame
from muzero.core.errors import UnknownGameError, UserError
from muzero.core.types import Game, Player

PETTINGZOO_PREFIX = "pettingzoo:"
GYM_PREFIX = "gym:"

# The registered games: adding a game is its folder under envs/ and its line here.
GAMES: tuple[GameDefinition, ...] = (
    tictactoe.GAME,
    connect4.GAME,
    dots_and_boxes.GAME,
    pig.GAME,
    game2048.GAME,
)


def names() -> list[str]:
    """The registered game names (any `pettingzoo:MODULE` or `gym:ID` works too)."""
    return [game.name for game in GAMES]


def game_definition(name: str) -> GameDefinition | None:
    """The definition of the registered game `name`; None for any other name (`pettingzoo:`, `gym:`)."""
    return next((game for game in GAMES if game.name == name), None)


def registered_name(name: str) -> str:
    """The registered game a `pettingzoo:MODULE` name is (`pettingzoo:pettingzoo.classic.connect_four_v3` is
    connect4: the same env), so that it plays with that game's board and models; any other name unchanged."""
    if not name.startswith(PETTINGZOO_PREFIX):
        return name
    try:
        env_name = _env_name(_pettingzoo_module(name).env)
    except Exception:  # a module that does not build an env: left to the usual errors
        return name
    return next((game.name for game in GAMES if _registered_env_name(game.name) == env_name), name)


def _env_name(make_env: Callable[[], Any]) -> str | None:
    return getattr(make_env(), "metadata", {}).get("name")


@cache
def _registered_env_name(name: str) -> str | None:
    """The PettingZoo name (`metadata["name"]`) of a registered game's env."""
    return _env_name(game_definition(name).make_env)


def make(name: str, **kwargs: Any) -> Game:
    """The game called `name`, built with `kwargs` (e.g. three players of dots and boxes: `players=3`)."""
    if name.startswith(GYM_PREFIX):
        return GymnasiumGame(name.removeprefix(GYM_PREFIX), **kwargs)
    factory = env_factory(name, **kwargs)
    game = game_definition(name)
    if game is None:
        return PettingZooGame(factory, name=name)
    return PettingZooGame(factory, name=name, symmetries=game.symmetries(**kwargs), copy_state=game.copy_state)


def game_at(name: str, env: Any) -> Game:
    """A copy of the game `name` at the position of its AEC env `env`, which stays untouched (the root of a
    search over the game's rules): the game's own rules where it declares them, else a deep copy of the env
    (a one-line UserError where the env cannot be copied)."""
    game = game_definition(name)
    if game is not None and game.copy_state is not None:
        return game.copy_state(env)
    return PettingZooGame(lambda: env, name=name, env=env).clone()


def make_env(name: str, **kwargs: Any) -> Any:
    """A fresh PettingZoo AEC env of the game `name` (what players and opponents act on)."""
    return env_factory(name, **kwargs)()


def env_factory(name: str, **kwargs: Any) -> Callable[[], Any]:
    """A function building fresh AEC envs of the PettingZoo game `name`, checked once by building one."""
    make_env = _env_maker(name)

    def build() -> Any:
        return make_env(**kwargs)

    try:
        build()
    except TypeError as error:
        raise UserError(f"{name}: bad game arguments {kwargs}: {error}") from None
    return build


def require_known(name: str) -> None:
    """Raises UnknownGameError unless `name` is registered, a `gym:` id or an importable PettingZoo module."""
    if not name.startswith(GYM_PREFIX):
        _env_maker(name)


def _env_maker(name: str) -> Callable[..., Any]:
    game = game_definition(name)
    if game is not None:
        return game.make_env
    return _pettingzoo_module(name).env


def _pettingzoo_module(name: str) -> Any:
    if not name.startswith(PETTINGZOO_PREFIX):
        raise UnknownGameError(
            f"unknown game {name!r}; known games: {', '.join(names())} "
            f"(or {PETTINGZOO_PREFIX}MODULE for a PettingZoo AEC env, {GYM_PREFIX}ID for a Gymnasium env)"
        )
    module_name = name.removeprefix(PETTINGZOO_PREFIX)
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnknownGameError(f"{name}: cannot import {module_name!r}: {error}") from None
    if not callable(getattr(module, "env", None)):
        raise UnknownGameError(f"{name}: module {module_name!r} has no env() function")
    return module


def full_arguments(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """`kwargs` with the game's defaults filled in: two argument sets make the same game exactly when their full
    arguments are equal (`{"players": 3}` and `{"players": 3, "rows": 3}` do)."""
    game = game_definition(name)
    if game is not None:
        return game.full_args(kwargs)
    if name.startswith(GYM_PREFIX):
        return dict(kwargs)
    module = _pettingzoo_module(name)
    defaults: dict[str, Any] = {}
    # PettingZoo's `env(**kwargs)` passes its arguments on to `raw_env`, whose signature holds the defaults
    for build in (getattr(module, "raw_env", None), module.env):
        if build is not None:
            parameters = inspect.signature(build).parameters.values()
            defaults |= {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}
    return {**defaults, **kwargs}


def reference_player(game_name: str, name: str, seed: int | None = None) -> Player:
    """The reference player `name` (e.g. "perfect", "alphabeta:4") of the game `game_name`; one of another game
    is a one-line UserError naming this game's opponents."""
    game = game_definition(game_name)
    kind = name.partition(":")[0]
    if kind != RANDOM and (game is None or game.opponent_kind(kind) is None):
        others = [other.name for other in GAMES if other.opponent_kind(kind) is not None]
        if others:  # a player of other games: say which
            accepted = ", ".join(opponents_of(game))
            raise UserError(f"{kind} plays {', '.join(others)}; {game_name}'s opponents: {accepted}")
    return opponent(name, seed, game, game_name)


def reference_players(game_name: str) -> list[str]:
    """The reference players of the game `game_name`, as they are asked for."""
    return opponents_of(game_definition(game_name))


@cache
def player_count(name: str, args: tuple[tuple[str, Any], ...]) -> int:
    """The number of players of a game with arguments `args` (sorted items), read from a fresh env once."""
    return len(make_env(name, **dict(args)).possible_agents)


PRESETS_DIR = Path(__file__).parent / "presets"


def preset_path(name: str) -> Path | None:
    """The preset config (TOML) of a registered game or of a Gymnasium id (`presets/gym/ID.toml`), or None."""
    if name.startswith(GYM_PREFIX):
        path = PRESETS_DIR / "gym" / f"{name.removeprefix(GYM_PREFIX)}.toml"
        return path if path.is_file() else None
    path = PRESETS_DIR / f"{name}.toml"
    return path if game_definition(name) is not None and path.is_file() else None
