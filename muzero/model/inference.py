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
from muzero.model.bundle import (
    AFTERSTATE_OUTPUTS,
    INITIAL_OUTPUTS,
    RECURRENT_OUTPUTS,
    ModelInfo,
    open_session,
    read_bundle,
)
from muzero.model.chance_steps import chance_step
from muzero.search import RecurrentOutput, RootBatch


@dataclass(frozen=True)
class InitialOutput:
    latents: np.ndarray  # float32[B, *latent_shape]
    policy_logits: np.ndarray  # float32[B, A]
    values: np.ndarray  # float32[B, P]


class Model(Protocol):
    """A MuZero model on numpy arrays."""

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput: ...

    def recurrent_inference(
        self, latents: np.ndarray, actions: np.ndarray, from_chance: np.ndarray | None = None
    ) -> RecurrentOutput: ...


def chance_codes_of(model: Model) -> int:
    """C: the chance codes of a model's afterstates (0: none, plain MuZero)."""
    return int(getattr(model, "chance_codes", 0))


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
    """A model bundle (initial.onnx, recurrent.onnx, model.json; afterstate.onnx with chance codes) run by
    onnxruntime on the CPU."""

    def __init__(
        self, initial_session: Any, recurrent_session: Any, info: ModelInfo, afterstate_session: Any = None
    ) -> None:
        self.initial_session = initial_session
        self.recurrent_session = recurrent_session
        self.afterstate_session = afterstate_session
        self.encoder_session: Any = None  # encoder.onnx, with chance codes
        self.info = info

    @classmethod
    def load(cls, bundle_dir: str | Path, intra_op_threads: int = 1, inter_op_threads: int = 1) -> OnnxModel:
        """The bundle in `bundle_dir`; threads 0 means onnxruntime's default. One-line UserError if broken."""
        bundle = read_bundle(bundle_dir)
        initial, recurrent, afterstate = (
            None if path is None else open_session(path, bundle.info, intra_op_threads, inter_op_threads)
            for path in (bundle.initial_path, bundle.recurrent_path, bundle.afterstate_path)
        )
        model = cls(initial, recurrent, bundle.info, afterstate)
        if bundle.encoder_path is not None:
            model.encoder_session = open_session(bundle.encoder_path, bundle.info, intra_op_threads, inter_op_threads)
        return model

    @property
    def chance_codes(self) -> int:
        return self.info.chance_codes

    def chance_code_probabilities(self, observations: np.ndarray, next_observations: np.ndarray) -> np.ndarray:
        """float32[B, C]: the encoder's code probabilities between observations and the ones after them."""
        feed = {
            "observation": np.ascontiguousarray(observations, dtype=np.float32),
            "next_observation": np.ascontiguousarray(next_observations, dtype=np.float32),
        }
        return self.encoder_session.run(["code_probabilities"], feed)[0]

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        check_observations(observations, self.info.observation_shape)
        return run_initial(self.initial_session, observations, to_play)

    def recurrent_inference(
        self, latents: np.ndarray, actions: np.ndarray, from_chance: np.ndarray | None = None
    ) -> RecurrentOutput:
        shape = (self.info.num_actions, self.info.num_players, self.chance_codes)
        sessions = (self.afterstate_session, self.recurrent_session)
        return run_step(sessions, latents, actions, from_chance, shape)


def run_step(
    sessions: tuple[Any, Any],
    latents: np.ndarray,
    actions: np.ndarray,
    from_chance: np.ndarray | None,
    shape: tuple[int, int, int],
) -> RecurrentOutput:
    """A recurrent step by a model's (afterstate, recurrent) sessions, `shape` its (A, P, C): the recurrent
    graph alone without chance codes (C = 0), else `chance_step` over both."""
    afterstate_session, recurrent_session = sessions
    if not shape[2]:
        return run_recurrent(recurrent_session, latents, actions)

    def recurrent(step_latents: np.ndarray, codes: np.ndarray) -> RecurrentOutput:
        return run_recurrent(recurrent_session, step_latents, codes)

    def afterstate(step_latents: np.ndarray, step_actions: np.ndarray) -> tuple[np.ndarray, ...]:
        return run_afterstate(afterstate_session, step_latents, step_actions)

    return chance_step(afterstate, recurrent, latents, actions, from_chance, shape)


def run_initial(session: Any, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
    """The initial graph of an onnxruntime session on a batch."""
    feed = {
        "observation": np.ascontiguousarray(observations, dtype=np.float32),
        "to_play": np.ascontiguousarray(to_play, dtype=np.int64),
    }
    latents, policy_logits, values = session.run(list(INITIAL_OUTPUTS), feed)
    return InitialOutput(latents, policy_logits, values)


def run_afterstate(session: Any, latents: np.ndarray, actions: np.ndarray) -> tuple[np.ndarray, ...]:
    """The afterstate graph of an onnxruntime session on a batch: (afterstates, chance probabilities, values)."""
    feed = {
        "latent": np.ascontiguousarray(latents, dtype=np.float32),
        "action": np.ascontiguousarray(actions, dtype=np.int64),
    }
    return tuple(session.run(list(AFTERSTATE_OUTPUTS), feed))


def run_recurrent(session: Any, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
    """The recurrent graph of an onnxruntime session on a batch."""
    feed = {
        "latent": np.ascontiguousarray(latents, dtype=np.float32),
        "action": np.ascontiguousarray(actions, dtype=np.int64),
    }
    return RecurrentOutput(*session.run(list(RECURRENT_OUTPUTS), feed))
