"""Builds the pieces of a run from its config: game, network, learner, replay buffer.

Both the synchronous loop and the distributed trainer build their pieces here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from muzero.config import ExperimentConfig, GameConfig
from muzero.errors import UserError
from muzero.replay import ReplayBuffer
from muzero.symmetry import Symmetry
from muzero.types import Game


@dataclass(frozen=True)
class GameSpec:
    """The sizes the networks and buffers are built for."""

    num_players: int
    num_actions: int
    observation_shape: tuple[int, ...]
    symmetries: tuple[Symmetry, ...] = ()  # those the game declares (muzero.symmetry), identity first


def game_factory(config: GameConfig) -> Callable[[], Game]:
    """A function making fresh games of the configured game (checked once by making one)."""
    import envs

    make = partial(envs.make, config.name, **config.args)
    make()
    return make


def game_spec(game: Game) -> GameSpec:
    symmetries = tuple(getattr(game, "symmetries", ()))
    return GameSpec(game.num_players, game.num_actions, tuple(game.observation_shape), symmetries)


def check_config_fits_game(config: ExperimentConfig, spec: GameSpec) -> None:
    """Raises UserError when the config cannot work for this game."""
    if config.network.kind == "resnet" and len(spec.observation_shape) != 3:
        raise UserError(
            f"config field 'network.kind' is \"resnet\" but {config.game.name} observations have shape "
            f"{spec.observation_shape}, not (C, H, W); use network.kind=mlp"
        )


def build_network(config: ExperimentConfig, spec: GameSpec):  # -> MuZeroNet
    from muzero.networks import build_network as build

    check_config_fits_game(config, spec)
    return build(config.network, spec.observation_shape, spec.num_actions, spec.num_players)


def build_inference_model(config: ExperimentConfig, network):  # -> TorchModel | OnnxMirrorModel
    """Self-play's view of `network`: through onnxruntime (`selfplay.inference = "onnx"`) or torch itself;
    call its `refresh()` after the network's weights change."""
    if config.selfplay.inference == "onnx":
        from muzero.onnx_mirror import OnnxMirrorModel

        return OnnxMirrorModel(network)
    from muzero.inference import TorchModel

    return TorchModel(network)


def build_learner(config: ExperimentConfig, network, spec: GameSpec):  # -> Learner
    from muzero.learner import Learner

    return Learner.from_config(network, config.learner, config.network, spec.num_players)


def build_buffer(config: ExperimentConfig, spec: GameSpec) -> ReplayBuffer:
    return ReplayBuffer.from_config(
        config.replay,
        config.search.discount,
        spec.observation_shape,
        spec.num_actions,
        spec.num_players,
        symmetries=spec.symmetries,
    )
