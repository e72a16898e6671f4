"""ONNX export: a checkpoint's network as a model bundle folder that onnxruntime alone can run.

    initial.onnx    observation float32[B, *obs], to_play int64[B] -> latent, policy_logits[B, A], value[B, P]
    recurrent.onnx  latent, action int64[B] -> next_latent, reward[B, P], next_player_logits[B, P],
                    policy_logits[B, A], value[B, P]
    afterstate.onnx latent, action int64[B] -> afterstate, chance_probabilities[B, C], value[B, P]
    encoder.onnx    observation, next_observation -> code_probabilities[B, C]
                    (these two for a network with chance codes only: its recurrent.onnx steps from an afterstate
                    by a code)

The batch axis is dynamic. Support decoding is part of the graphs, so values and rewards come out as
scalars per player. Decision: the TorchScript exporter (`dynamo=False`) with `dynamic_axes`; the dynamo
exporter needs `dynamic_shapes` to keep the batch free and takes ~5 s per graph against well under 1 s.
The ONNX files get the model.json text as metadata (key "muzero"); every file is written atomically and
model.json last, so a folder with a model.json always holds a finished export.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from muzero.core.config import ExperimentConfig, GameConfig, config_to_dict
from muzero.core.errors import UserError
from muzero.core.game_kit import GameSpec
from muzero.model.bundle import (
    AFTERSTATE_FILE,
    ENCODER_FILE,
    INITIAL_FILE,
    MODEL_JSON,
    RECURRENT_FILE,
    ModelInfo,
    is_bundle,
    write_file_atomically,
)
from muzero.model.onnx_graphs import network_graphs
from muzero.networks.model import MuZeroNet
from muzero.training.components import load_checkpoint_network


def export_checkpoint(
    source: str | Path,
    out: str | Path,
    spec_of: Callable[[GameConfig], GameSpec] | None = None,
    simulations: int | None = None,
) -> Path:
    """Exports the network of a checkpoint (or of a run folder's latest checkpoint) as a bundle in `out`, at
    the sizes the checkpoint records (`spec_of` gives the sizes of the game of a checkpoint written before
    checkpoints recorded them); `simulations`: the bundle's search simulations per move at play (default:
    those of its training)."""
    network, checkpoint = load_checkpoint_network(source, spec_of)
    step = checkpoint.counters.training_step
    return export_network(network, checkpoint.config, out, training_step=step, simulations=simulations)


def export_network(
    network: MuZeroNet,
    config: ExperimentConfig,
    out: str | Path,
    *,
    training_step: int = 0,
    simulations: int | None = None,
) -> Path:
    """Writes `network` as a model bundle (initial.onnx, recurrent.onnx, model.json) into folder `out`."""
    out = bundle_folder(out)
    text = model_info(network, config, training_step, simulations).to_json()
    graphs = network_graphs(network, text)
    for name, graph in zip((INITIAL_FILE, RECURRENT_FILE, AFTERSTATE_FILE, ENCODER_FILE), graphs, strict=False):
        write_file_atomically(out / name, graph)
    write_file_atomically(out / MODEL_JSON, (text + "\n").encode())
    return out


def model_info(
    network: MuZeroNet, config: ExperimentConfig, training_step: int, simulations: int | None = None
) -> ModelInfo:
    """The bundle's model.json: sizes, the training config, and the search at play (`simulations` per move,
    default those of its training)."""
    if simulations is not None and simulations < 1:
        raise UserError(f"--simulations must be at least 1, got {simulations}")
    data = config_to_dict(config)
    play_search = data["search"] | ({} if simulations is None else {"num_simulations": int(simulations)})
    return ModelInfo(
        game=config.game.name,
        game_args=dict(config.game.args),
        num_players=network.num_players,
        num_actions=network.num_actions,
        observation_shape=tuple(network.observation_shape),
        latent_shape=tuple(network.latent_shape),
        value_support=network.value_support,
        reward_support=network.reward_support,
        scale_transform=network.scale_transform,
        training_step=int(training_step),
        search=play_search,
        config=data,
        chance_codes=network.chance_codes,
    )


def bundle_folder(out: str | Path) -> Path:
    """`out`, created if needed; refuses a file or a non-empty folder that is not a model bundle."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a folder for the model bundle")
    if out.is_dir() and any(out.iterdir()) and not is_bundle(out):
        raise UserError(f"--out {out} is a non-empty folder that is not a model bundle; choose another folder")
    out.mkdir(parents=True, exist_ok=True)
    return out
