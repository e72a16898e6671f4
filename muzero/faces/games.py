"""The bridge from the faces to the games: a game's name and arguments become the `GameKit` the algorithm
is handed, and a game's preset becomes its config.

The one module of `muzero` below the faces (`muzero.faces.cli`, `muzero.faces.agent`, the arena) that imports `envs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import envs
from envs.definition import GameDefinition
from envs.opponents import RANDOM
from envs.pettingzoo_game import observe
from muzero.core.config import ExperimentConfig, GameConfig, load_config, with_overrides
from muzero.core.game_kit import GameKit, GameSpec
from muzero.core.types import Decision


def game_kit(config: GameConfig) -> GameKit:
    """The kit of the configured game; an unknown game or bad arguments raise UserError here."""
    envs.registry.require_known(config.name)
    make_game = partial(envs.make, config.name, **config.args)
    game = make_game()
    pettingzoo = not config.name.startswith(envs.registry.GYM_PREFIX)  # a PettingZoo game exposes `game.env`
    definition = envs.game_definition(config.name)
    return GameKit(
        config=config,
        make_game=make_game,
        spec=GameSpec.of(game),
        env_name=game.env.metadata.get("name", config.name) if pettingzoo else None,
        observe=observe_to_play,
        make_opponent=partial(envs.registry.reference_player, config.name),
        reference_opponents=_evaluation_opponents(definition, config.args) if pettingzoo else (),
        opening_plies=definition.opening_plies if definition else 0,
        encode_observation=None if pettingzoo else game.encoder,
        game_at=partial(envs.registry.game_at, config.name) if pettingzoo else None,
    )


def same_game(config: GameConfig, other: GameConfig) -> bool:
    """Whether two configs make the same game (arguments left at their defaults count as given)."""
    if config.name != other.name:
        return False
    return envs.registry.full_arguments(config.name, config.args) == envs.registry.full_arguments(
        other.name, other.args
    )


def spec_of(config: GameConfig) -> GameSpec:
    """The sizes of the configured game (what a checkpoint's network is built for)."""
    return game_kit(config).spec


def observe_to_play(env: Any) -> Decision:
    """The decision facing the player to move in a PettingZoo AEC env."""
    return observe(env, env.agent_selection)


def _evaluation_opponents(definition: GameDefinition | None, game_args: dict[str, Any]) -> tuple[str, ...]:
    """The players a run's evaluator plays: the game's own choice, a random player for an unregistered game."""
    return definition.evaluators(game_args) if definition else (RANDOM,)


def game_names() -> list[str]:
    """The registered games' names."""
    return envs.names()


def reference_players_text() -> str:
    """Every reference player and the games it plays, as help texts list them."""
    games_of: dict[str, list[str]] = {}
    for game in envs.registry.GAMES:
        for kind in game.opponents:
            games_of.setdefault(kind.asked_as, []).append(game.name)
    own = [f"{kind} ({', '.join(games)})" for kind, games in games_of.items()]
    return ", ".join([RANDOM, *own])


def experiment_config(game: str, config_file: str | None, settings: Sequence[str]) -> ExperimentConfig:
    """Defaults, then the game's preset, then `--config FILE`, then `--set` settings."""
    envs.registry.require_known(game)
    config = ExperimentConfig(game=GameConfig(name=game))
    preset = envs.registry.preset_path(game)
    if preset is not None:
        config = load_config(preset, config)
    if config_file:
        config = load_config(config_file, config)
    return with_overrides(config, list(settings))
