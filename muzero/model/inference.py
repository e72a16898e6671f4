"""The Model seam: numpy in, numpy out. The search and the agent talk to models only through it.

`OnnxModel` runs an exported model bundle with onnxruntime (`muzero.model.torch_model.TorchModel` wraps a torch
network); this module never imports torch, so ONNX users never load it. Both refuse observations of another
shape than the model's with a one-line UserError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from muzero.core.errors import UserError
from muzero.model.bundle import INITIAL_OUTPUTS, RECURRENT_OUTPUTS, ModelInfo, open_session, read_bundle
from muzero.search import RecurrentOutput, RootBatch


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


def check_observations(observations: np.ndarray, observation_shape: tuple[int, ...]) -> None:
    """Refuses a batch whose positions are not of the model's observation shape."""
    if observations.ndim < 1 or tuple(observations.shape[1:]) != tuple(observation_shape):
        raise UserError(
            f"this model takes observations of shape {tuple(observation_shape)} (batched: (B, ...)), got a batch "
            f"of shape {tuple(observations.shape)}: is the env the game and size the model was trained on?"
        )


class OnnxModel:
    """A model bundle (initial.onnx, recurrent.onnx, model.json) run by onnxruntime on the CPU."""

    def __init__(self, initial_session: Any, recurrent_session: Any, info: ModelInfo) -> None:
        self.initial_session = initial_session
        self.recurrent_session = recurrent_session
        self.info = info

    @classmethod
    def load(cls, bundle_dir: str | Path, intra_op_threads: int = 1, inter_op_threads: int = 1) -> OnnxModel:
        """The bundle in `bundle_dir`; threads 0 means onnxruntime's default. One-line UserError if broken."""
        bundle = read_bundle(bundle_dir)
        sessions = (
            open_session(path, bundle.info, intra_op_threads, inter_op_threads)
            for path in (bundle.initial_path, bundle.recurrent_path)
        )
        return cls(*sessions, bundle.info)

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        check_observations(observations, self.info.observation_shape)
        return run_initial(self.initial_session, observations, to_play)

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        return run_recurrent(self.recurrent_session, latents, actions)


def run_initial(session: Any, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
    """The initial graph of an onnxruntime session on a batch."""
    feed = {
        "observation": np.ascontiguousarray(observations, dtype=np.float32),
        "to_play": np.ascontiguousarray(to_play, dtype=np.int64),
    }
    latents, policy_logits, values = session.run(list(INITIAL_OUTPUTS), feed)
    return InitialOutput(latents, policy_logits, values)


def run_recurrent(session: Any, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
    """The recurrent graph of an onnxruntime session on a batch."""
    feed = {
        "latent": np.ascontiguousarray(latents, dtype=np.float32),
        "action": np.ascontiguousarray(actions, dtype=np.int64),
    }
    return RecurrentOutput(*session.run(list(RECURRENT_OUTPUTS), feed))
