"""Reference opponents: the random player of every game, and the lookup of a game's own players by name.

Every player has `act(env) -> int`: it reads `env.observe(env.agent_selection)`, returns a legal action and
leaves the environment untouched. A game declares its other players in its own folder
(`GameDefinition.opponents`); `opponent(name, seed, game)` finds one there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.definition import GameDefinition, OpponentKind
from muzero.core.errors import UserError
from muzero.core.types import Player

RANDOM = "random"


def current_observation(env: Any) -> dict[str, np.ndarray]:
    """The observation dict (`observation`, `action_mask`) of the agent to move."""
    return env.observe(env.agent_selection)


def legal_actions(env: Any) -> np.ndarray:
    """Indices of the legal actions of the agent to move, from its action mask."""
    return np.flatnonzero(current_observation(env)["action_mask"])


def observation_planes(env: Any, shape: tuple[int, ...], env_name: str) -> np.ndarray:
    """The observation of the agent to move, refused in one line unless it has `shape`."""
    planes = np.asarray(current_observation(env)["observation"])
    if planes.shape != shape:
        raise UserError(f"expected a {env_name} observation of shape {shape}, got {planes.shape}")
    return planes


class RandomPlayer:
    """Uniform over the legal actions of any AEC environment with action masks."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, env: Any) -> int:
        return int(self.rng.choice(legal_actions(env)))


def opponents_of(game: GameDefinition | None) -> list[str]:
    """The reference opponents that play `game` (None: a game that declares none), as they are asked for."""
    return [RANDOM, *(kind.shown for kind in (game.opponents if game else ()))]


def opponent(name: str, seed: int | None, game: GameDefinition | None, game_name: str = "") -> Player:
    """The reference opponent `name` of `game` ("random" plays every game; the others are the game's own, e.g.
    "perfect" or "alphabeta:DEPTH"); any other name is a one-line UserError naming the game's opponents."""
    kind_name, colon, level = name.partition(":")
    accepted = f"{game_name or (game.name if game else 'this game')}'s opponents: {', '.join(opponents_of(game))}"
    if kind_name == RANDOM and not colon:
        return RandomPlayer(seed)
    kind = game.opponent_kind(kind_name) if game else None
    if kind is None or bool(colon) != bool(kind.level):
        raise UserError(f"unknown opponent {name!r}; {accepted}")
    if not kind.level:
        return kind.make(seed)
    return kind.make(seed, _level(kind, name, level, accepted))


def _level(kind: OpponentKind, name: str, level: str, accepted: str) -> int:
    low, high = kind.levels
    if not (level.isdigit() and low <= int(level) <= high):
        note = f" ({kind.level_note})" if kind.level_note else ""
        shown = f"the {kind.title or kind.name} {kind.level.lower()}"
        raise UserError(f"{name!r}: {shown} is a whole number from {low} to {high}{note}; {accepted}")
    return int(level)
