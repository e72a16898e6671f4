"""The Model seam: numpy in, numpy out. The search and the agent talk to models only through it.

`TorchModel` wraps a `MuZeroNet`; the ONNX-runtime model implements the same protocol. This module imports
torch only inside `TorchModel`, so ONNX users never load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from muzero.search import RecurrentOutput, RootBatch

if TYPE_CHECKING:
    from muzero.networks.model import MuZeroNet


@dataclass(frozen=True)
class InitialOutput:
    latents: np.ndarray  # float32[B, *latent_shape]
    policy_logits: np.ndarray  # float32[B, A]
    values: np.ndarray  # float32[B, P]


class Model(Protocol):
    """A MuZero model on numpy arrays."""

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput: ...

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput: ...


def root_batch(model: Model, observations: np.ndarray, to_play: np.ndarray, legal_mask: np.ndarray) -> RootBatch:
    """Search roots of B positions: observations float32[B, ...], to_play int[B], legal_mask bool[B, A]."""
    to_play = np.asarray(to_play, dtype=np.int64)
    initial = model.initial_inference(np.asarray(observations, dtype=np.float32), to_play)
    return RootBatch(
        latents=initial.latents,
        policy_logits=initial.policy_logits,
        values=initial.values,
        to_play=to_play,
        legal_mask=np.asarray(legal_mask, dtype=bool),
    )


class TorchModel:
    """A `MuZeroNet` behind the Model protocol, without gradients.

    The networks keep no batch statistics (GroupNorm, no dropout), so train and eval mode compute the same
    function and the learner's network can serve self-play as it is.
    """

    def __init__(self, network: MuZeroNet) -> None:
        self.network = network

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        import torch

        with torch.inference_mode():
            latents, policy_logits, values = self.network.initial_inference(
                torch.from_numpy(np.ascontiguousarray(observations, dtype=np.float32)),
                torch.from_numpy(np.asarray(to_play, dtype=np.int64)),
            )
        return InitialOutput(latents.numpy(), policy_logits.numpy(), values.numpy())

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        import torch

        with torch.inference_mode():
            outputs = self.network.recurrent_inference(
                torch.from_numpy(np.ascontiguousarray(latents, dtype=np.float32)),
                torch.from_numpy(np.asarray(actions, dtype=np.int64)),
            )
        latents, rewards, next_player_logits, policy_logits, values = (t.numpy() for t in outputs)
        return RecurrentOutput(latents, rewards, next_player_logits, policy_logits, values)
