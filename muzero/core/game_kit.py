"""A game as the algorithm receives it: handed in by the faces, never looked up by name below them.

Only the faces (`muzero.faces`: the console scripts, `muzero.Agent`; the arena) and their bridge
`muzero.faces.games` turn a game's name into a game; everything under them (training, self-play, evaluation,
the distributed actors) takes a `GameKit` and calls what it holds. Every field is picklable (module functions
and `functools.partial`s of them), so a kit travels to Ray actors as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from muzero.core.config import GameConfig, NetworkConfig
from muzero.core.errors import UserError
from muzero.core.symmetry import Symmetry
from muzero.core.types import Decision, Game, Player


@dataclass(frozen=True)
class GameSpec:
    """The sizes the networks and buffers are built for."""

    num_players: int
    num_actions: int
    observation_shape: tuple[int, ...]
    symmetries: tuple[Symmetry, ...] = ()  # those the game declares (muzero.core.symmetry), identity first

    @classmethod
    def of(cls, game: Game) -> GameSpec:
        symmetries = tuple(getattr(game, "symmetries", ()))
        return cls(game.num_players, game.num_actions, tuple(game.observation_shape), symmetries)


def check_network_fits_game(network: NetworkConfig, spec: GameSpec, game_name: str = "this game") -> None:
    """Raises UserError when the network cannot take the game's observations."""
    if network.kind == "resnet" and len(spec.observation_shape) != 3:
        raise UserError(
            f"config field 'network.kind' is \"resnet\" but {game_name}'s observations have shape "
            f"{spec.observation_shape}, not (C, H, W); use network.kind=mlp"
        )


@dataclass(frozen=True)
class GameKit:
    """A game and what goes with it: fresh games, how an env is read, its reference players."""

    config: GameConfig  # the game's name and arguments, as recorded in configs and bundles
    make_game: Callable[[], Game]  # a fresh game (a PettingZoo game exposes its AEC env as `.env`)
    spec: GameSpec
    env_name: str | None  # `metadata["name"]` of the game's PettingZoo envs; None for a Gymnasium game
    observe: Callable[[Any], Decision]  # the decision facing the player to move in a PettingZoo env
    make_opponent: Callable[[str, int], Player]  # (reference player name, seed) -> a player of this game
    reference_opponents: tuple[str, ...]  # the players a run's evaluator plays against; none for Gymnasium
    # random moves that open each evaluation game, so that deterministic players do not repeat one game
    # (connect four: 2); the reference players of the other games break their ties at random instead
    opening_plies: int = 0
    # a one-player Gymnasium game: an observation as the env returns it -> the network's float32 array
    # (one-hot for a Discrete space); None for PettingZoo games
    encode_observation: Callable[[Any], np.ndarray] | None = None
    # a copy of the game at the position of a PettingZoo env (the env untouched), for the search over the
    # rules at play; None for a Gymnasium game
    game_at: Callable[[Any], Game] | None = None
