"""ONNX export: a checkpoint's network as a model bundle folder that onnxruntime alone can run.

    initial.onnx    observation float32[B, *obs], to_play int64[B] -> latent, policy_logits[B, A], value[B, P]
    recurrent.onnx  latent, action int64[B] -> next_latent, reward[B, P], next_player_logits[B, P],
                    policy_logits[B, A], value[B, P]

The batch axis is dynamic. Support decoding is part of the graphs, so values and rewards come out as
scalars per player. Decision: the TorchScript exporter (`dynamo=False`) with `dynamic_axes`; the dynamo
exporter needs `dynamic_shapes` to keep the batch free and takes ~5 s per graph against well under 1 s.
The ONNX files get the model.json text as metadata (key "muzero"); every file is written atomically and
model.json last, so a folder with a model.json always holds a finished export.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import torch

from muzero.bundle import (
    INITIAL_FILE,
    INITIAL_INPUTS,
    INITIAL_OUTPUTS,
    METADATA_KEY,
    MODEL_JSON,
    RECURRENT_FILE,
    RECURRENT_INPUTS,
    RECURRENT_OUTPUTS,
    ModelInfo,
    is_bundle,
    write_file_atomically,
)
from muzero.config import ExperimentConfig, config_to_dict
from muzero.errors import UserError
from muzero.networks.model import InitialInference, MuZeroNet, RecurrentInference

OPSET = 17
TRACE_BATCH = 2  # the batch size the graphs are traced at (the batch axis stays dynamic)


def export_checkpoint(source: str | Path, out: str | Path) -> Path:
    """Exports the network of a checkpoint (or of a run folder's latest checkpoint) as a bundle in `out`."""
    from muzero import components
    from muzero.checkpoint import load_checkpoint

    checkpoint = load_checkpoint(source)
    spec = components.game_spec(components.game_factory(checkpoint.config.game)())
    network = components.build_network(checkpoint.config, spec)
    try:
        network.load_state_dict(checkpoint.network_state)
    except RuntimeError as error:
        reason = str(error).splitlines()[0][:200]
        raise UserError(f"the weights in {source} do not fit the network of its config: {reason}") from None
    return export_network(network, checkpoint.config, out, training_step=checkpoint.counters.training_step)


def export_network(network: MuZeroNet, config: ExperimentConfig, out: str | Path, *, training_step: int = 0) -> Path:
    """Writes `network` as a model bundle (initial.onnx, recurrent.onnx, model.json) into folder `out`."""
    out = bundle_folder(out)
    text = model_info(network, config, training_step).to_json()
    initial, recurrent = network_graphs(network, text)
    write_file_atomically(out / INITIAL_FILE, initial)
    write_file_atomically(out / RECURRENT_FILE, recurrent)
    write_file_atomically(out / MODEL_JSON, (text + "\n").encode())
    return out


def network_graphs(network: MuZeroNet, metadata_json: str, *, constant_folding: bool = True) -> tuple[bytes, bytes]:
    """(initial.onnx, recurrent.onnx) of `network`'s current weights, serialized, with `metadata_json`.

    Without `constant_folding` every weight stays an initializer named "network." + its state_dict key."""
    observation = torch.zeros((TRACE_BATCH, *network.observation_shape), dtype=torch.float32)
    to_play = torch.zeros(TRACE_BATCH, dtype=torch.int64)
    with torch.no_grad():
        latent = network.initial_inference(observation, to_play)[0]  # [TRACE_BATCH, *latent_shape]
    action = torch.zeros(TRACE_BATCH, dtype=torch.int64)
    names = (INITIAL_INPUTS, INITIAL_OUTPUTS, RECURRENT_INPUTS, RECURRENT_OUTPUTS)
    initial = onnx_bytes(InitialInference(network), (observation, to_play), *names[:2], metadata_json, constant_folding)
    recurrent = onnx_bytes(RecurrentInference(network), (latent, action), *names[2:], metadata_json, constant_folding)
    return initial, recurrent


def model_info(network: MuZeroNet, config: ExperimentConfig, training_step: int) -> ModelInfo:
    data = config_to_dict(config)
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
        search=data["search"],
        config=data,
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


def onnx_bytes(
    module: torch.nn.Module,
    inputs: tuple[torch.Tensor, ...],
    input_names: tuple[str, ...],
    output_names: tuple[str, ...],
    metadata_json: str,
    constant_folding: bool = True,
) -> bytes:
    """`module` traced into an ONNX model with a dynamic batch axis and `metadata_json` as metadata."""
    import onnx

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation notice and tracer notes on shape checks
        torch.onnx.export(
            module,
            inputs,
            buffer,
            dynamo=False,
            do_constant_folding=constant_folding,
            opset_version=OPSET,
            input_names=list(input_names),
            output_names=list(output_names),
            dynamic_axes={name: {0: "batch"} for name in (*input_names, *output_names)},
        )
    model = onnx.load_from_string(buffer.getvalue())
    onnx.helper.set_model_props(model, {METADATA_KEY: metadata_json})
    onnx.checker.check_model(model)
    return model.SerializeToString()
