"""A torch `MuZeroNet` behind the `Model` protocol (numpy in, numpy out): checkpoints and training play with it."""

from __future__ import annotations

import numpy as np
import torch

from muzero.model.inference import InitialOutput, check_observations
from muzero.networks.model import MuZeroNet
from muzero.search import RecurrentOutput


class TorchModel:
    """A `MuZeroNet` behind the Model protocol, without gradients.

    The networks keep no batch statistics (GroupNorm, no dropout), so train and eval mode compute the same
    function and the learner's network can serve self-play as it is.
    """

    def __init__(self, network: MuZeroNet) -> None:
        self.network = network

    def refresh(self) -> None:
        """Nothing to do: the network itself answers, always with its current weights."""

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        check_observations(observations, self.network.observation_shape)
        with torch.inference_mode():
            latents, policy_logits, values = self.network.initial_inference(
                torch.from_numpy(np.ascontiguousarray(observations, dtype=np.float32)),
                torch.from_numpy(np.asarray(to_play, dtype=np.int64)),
            )
        return InitialOutput(latents.numpy(), policy_logits.numpy(), values.numpy())

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        with torch.inference_mode():
            outputs = self.network.recurrent_inference(
                torch.from_numpy(np.ascontiguousarray(latents, dtype=np.float32)),
                torch.from_numpy(np.asarray(actions, dtype=np.int64)),
            )
        latents, rewards, next_player_logits, policy_logits, values = (t.numpy() for t in outputs)
        return RecurrentOutput(latents, rewards, next_player_logits, policy_logits, values)
