"""Builds the torch pieces of a run, each from the config section it uses: network, learner, and self-play's
view of the network. The synchronous loop, the distributed actors, export and checkpoint agents build here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from muzero.core.config import GameConfig, LearnerConfig, NetworkConfig
from muzero.core.errors import UserError
from muzero.core.game_kit import GameSpec, check_network_fits_game
from muzero.model.onnx_mirror import OnnxMirrorModel
from muzero.model.torch_model import TorchModel
from muzero.networks import MuZeroNet, muzero_net
from muzero.training.checkpoint import Checkpoint, load_checkpoint
from muzero.training.learner import Learner

SpecOf = Callable[[GameConfig], GameSpec]  # the sizes of a game's networks (muzero.faces.games.spec_of)


def build_network(network: NetworkConfig, spec: GameSpec) -> MuZeroNet:
    check_network_fits_game(network, spec)
    return muzero_net(network, spec.observation_shape, spec.num_actions, spec.num_players)


def build_inference_model(runtime: str, network: MuZeroNet) -> TorchModel | OnnxMirrorModel:
    """Self-play's view of `network`: through onnxruntime (`runtime` "onnx", `selfplay.inference`) or torch
    itself; call its `refresh()` after the network's weights change."""
    return OnnxMirrorModel(network) if runtime == "onnx" else TorchModel(network)


def build_learner(learner: LearnerConfig, network_config: NetworkConfig, network: MuZeroNet) -> Learner:
    return Learner.from_config(network, learner, network_config, network.num_players)


def load_checkpoint_network(source: str | Path, spec_of: SpecOf | None = None) -> tuple[MuZeroNet, Checkpoint]:
    """The network of a checkpoint file (or of a run folder's latest checkpoint) with its weights, and the
    checkpoint. The network's sizes are those the checkpoint records; `spec_of` gives them only for a
    checkpoint written before checkpoints recorded them. UserError when the weights do not fit."""
    checkpoint = load_checkpoint(source)
    network = build_network(checkpoint.config.network, checkpoint_spec(checkpoint, source, spec_of))
    try:
        network.load_state_dict(checkpoint.network_state)
    except RuntimeError as error:
        reason = str(error).splitlines()[0][:200]
        raise UserError(f"the weights in {source} do not fit the network of its config: {reason}") from None
    return network, checkpoint


def checkpoint_spec(checkpoint: Checkpoint, source: str | Path, spec_of: SpecOf | None) -> GameSpec:
    """The game sizes of `checkpoint`: its own record, else (an older checkpoint) `spec_of` of its game."""
    if checkpoint.spec is not None:
        return checkpoint.spec
    if spec_of is None:
        raise UserError(f"{source} predates checkpoints that record their game's sizes: give the game's spec_of")
    return spec_of(checkpoint.config.game)


def load_checkpoint_model(source: str | Path, spec_of: SpecOf | None = None) -> tuple[TorchModel, Checkpoint]:
    """`load_checkpoint_network`'s network behind the Model protocol (what agents on checkpoints play)."""
    network, checkpoint = load_checkpoint_network(source, spec_of)
    return TorchModel(network), checkpoint
