"""A network's two inference graphs as serialized ONNX models (the bundle's files, and self-play's
in-memory mirror): the TorchScript exporter (`dynamo=False`) with a dynamic batch axis."""

from __future__ import annotations

import io
import warnings

import onnx
import torch

from muzero.model.bundle import (
    AFTERSTATE_INPUTS,
    AFTERSTATE_OUTPUTS,
    ENCODER_INPUTS,
    ENCODER_OUTPUTS,
    INITIAL_INPUTS,
    INITIAL_OUTPUTS,
    METADATA_KEY,
    RECURRENT_INPUTS,
    RECURRENT_OUTPUTS,
)
from muzero.networks.model import AfterstateInference, ChanceEncoding, InitialInference, MuZeroNet, RecurrentInference

OPSET = 17
TRACE_BATCH = 2  # the batch size the graphs are traced at (the batch axis stays dynamic)


def network_graphs(network: MuZeroNet, metadata_json: str, *, constant_folding: bool = True) -> tuple[bytes, ...]:
    """(initial.onnx, recurrent.onnx) of `network`'s current weights, serialized, with `metadata_json`, and
    afterstate.onnx and encoder.onnx third and fourth for a network with chance codes (its recurrent graph
    then steps by a code).

    Without `constant_folding` every weight stays an initializer named "network." + its state_dict key."""
    observation = torch.zeros((TRACE_BATCH, *network.observation_shape), dtype=torch.float32)
    to_play = torch.zeros(TRACE_BATCH, dtype=torch.int64)
    with torch.no_grad():
        latent = network.initial_inference(observation, to_play)[0]  # [TRACE_BATCH, *latent_shape]
    action = torch.zeros(TRACE_BATCH, dtype=torch.int64)
    names = (INITIAL_INPUTS, INITIAL_OUTPUTS, RECURRENT_INPUTS, RECURRENT_OUTPUTS)
    initial = onnx_bytes(InitialInference(network), (observation, to_play), *names[:2], metadata_json, constant_folding)
    recurrent = onnx_bytes(RecurrentInference(network), (latent, action), *names[2:], metadata_json, constant_folding)
    if not network.chance_codes:
        return initial, recurrent
    afterstate_names = (AFTERSTATE_INPUTS, AFTERSTATE_OUTPUTS)
    module = AfterstateInference(network)
    afterstate = onnx_bytes(module, (latent, action), *afterstate_names, metadata_json, constant_folding)
    pair, encoder_names = (observation, observation), (ENCODER_INPUTS, ENCODER_OUTPUTS)
    encoder = onnx_bytes(ChanceEncoding(network), pair, *encoder_names, metadata_json, constant_folding)
    return initial, recurrent, afterstate, encoder


def onnx_bytes(
    module: torch.nn.Module,
    inputs: tuple[torch.Tensor, ...],
    input_names: tuple[str, ...],
    output_names: tuple[str, ...],
    metadata_json: str,
    constant_folding: bool = True,
) -> bytes:
    """`module` traced into an ONNX model with a dynamic batch axis and `metadata_json` as metadata."""
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
