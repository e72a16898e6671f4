"""Game names -> games: the registered games and the `pettingzoo:MODULE` / `gym:ID` adapters."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pettingzoo import AECEnv

from envs.gymnasium_game import GymnasiumGame
from envs.pettingzoo_game import PettingZooGame
from envs.symmetries import SYMMETRIES_OF_GAME
from muzero.errors import UnknownGameError, UserError
from muzero.types import Game

PETTINGZOO_PREFIX = "pettingzoo:"
GYM_PREFIX = "gym:"

# name -> module whose `env(**kwargs)` builds the PettingZoo AEC env
_REGISTERED_MODULES: dict[str, str] = {
    "tictactoe": "pettingzoo.classic.tictactoe_v3",
    "connect4": "pettingzoo.classic.connect_four_v3",
    "dots_and_boxes": "envs.dots_and_boxes",
}


def names() -> list[str]:
    """The registered game names (any `pettingzoo:MODULE` or `gym:ID` works too)."""
    return sorted(_REGISTERED_MODULES)


def make(name: str, **kwargs: Any) -> Game:
    """The game called `name`, built with `kwargs` (e.g. `make("dots_and_boxes", players=3)`)."""
    if name.startswith(GYM_PREFIX):
        return GymnasiumGame(name.removeprefix(GYM_PREFIX), **kwargs)
    factory = env_factory(name, **kwargs)
    symmetries = SYMMETRIES_OF_GAME[name](**kwargs) if name in SYMMETRIES_OF_GAME else ()
    return PettingZooGame(factory, name=name, symmetries=symmetries)


def make_env(name: str, **kwargs: Any) -> AECEnv:
    """A fresh PettingZoo AEC env of the game `name` (what players and opponents act on)."""
    return env_factory(name, **kwargs)()


def env_factory(name: str, **kwargs: Any) -> Callable[[], AECEnv]:
    """A function building fresh AEC envs of the PettingZoo game `name`, checked once by building one."""
    module = _env_module(name)

    def build() -> AECEnv:
        return module.env(**kwargs)

    try:
        build()
    except TypeError as error:
        raise UserError(f"{name}: bad game arguments {kwargs}: {error}") from None
    return build


def require_known(name: str) -> None:
    """Raises UnknownGameError unless `name` is registered, a `gym:` id or an importable PettingZoo module."""
    if not name.startswith(GYM_PREFIX):
        _env_module(name)


def _env_module(name: str) -> Any:
    if name.startswith(PETTINGZOO_PREFIX):
        module_name = name.removeprefix(PETTINGZOO_PREFIX)
    elif name in _REGISTERED_MODULES:
        module_name = _REGISTERED_MODULES[name]
    else:
        raise UnknownGameError(
            f"unknown game {name!r}; known games: {', '.join(names())} "
            f"(or {PETTINGZOO_PREFIX}MODULE for a PettingZoo AEC env, {GYM_PREFIX}ID for a Gymnasium env)"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnknownGameError(f"{name}: cannot import {module_name!r}: {error}") from None
    if not callable(getattr(module, "env", None)):
        raise UnknownGameError(f"{name}: module {module_name!r} has no env() function")
    return module


def full_arguments(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """`kwargs` with the defaults of the game's `env(...)` filled in: two argument sets make the same game
    exactly when their full arguments are equal (`{"players": 3}` and `{"players": 3, "rows": 3}` do)."""
    if name.startswith(GYM_PREFIX):
        return dict(kwargs)
    module = _env_module(name)
    defaults: dict[str, Any] = {}
    # PettingZoo's `env(**kwargs)` passes its arguments on to `raw_env`, whose signature holds the defaults
    for build in (getattr(module, "raw_env", None), module.env):
        if build is not None:
            parameters = inspect.signature(build).parameters.values()
            defaults |= {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}
    return {**defaults, **kwargs}


PRESETS_DIR = Path(__file__).parent / "presets"


def preset_path(name: str) -> Path | None:
    """The preset config (TOML) of a registered game or of a Gymnasium id (`presets/gym/ID.toml`), or None."""
    if name.startswith(GYM_PREFIX):
        path = PRESETS_DIR / "gym" / f"{name.removeprefix(GYM_PREFIX)}.toml"
        return path if path.is_file() else None
    path = PRESETS_DIR / f"{name}.toml"
    return path if name in _REGISTERED_MODULES and path.is_file() else None
