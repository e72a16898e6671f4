"""A torch `MuZeroNet` behind the `Model` protocol (numpy in, numpy out): checkpoints and training play with it."""

from __future__ import annotations

import numpy as np
import torch

from muzero.model.chance_steps import chance_step
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

    @property
    def chance_codes(self) -> int:
        """C: the chance codes of the network's afterstates (0: plain MuZero, no chance nodes)."""
        return self.network.chance_codes

    def recurrent_inference(
        self, latents: np.ndarray, actions: np.ndarray, from_chance: np.ndarray | None = None
    ) -> RecurrentOutput:
        """g and f of `actions` from `latents`; with chance codes, a move goes into its afterstate and a code
        drawn at an afterstate (where bool[B] `from_chance`) into the next state (`chance_step`)."""
        if not self.chance_codes:
            return self._recurrent(latents, actions)
        shape = (self.network.num_actions, self.network.num_players, self.chance_codes)
        return chance_step(self._afterstate, self._recurrent, latents, actions, from_chance, shape)

    def chance_code_probabilities(self, observations: np.ndarray, next_observations: np.ndarray) -> np.ndarray:
        """float32[B, C]: the encoder's code probabilities between observations and the ones after them."""
        with torch.inference_mode():
            logits = self.network.chance_code_logits(
                torch.from_numpy(np.ascontiguousarray(observations, dtype=np.float32)),
                torch.from_numpy(np.ascontiguousarray(next_observations, dtype=np.float32)),
            )
        return torch.softmax(logits, dim=-1).numpy()

    def _afterstate(self, latents: np.ndarray, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with torch.inference_mode():
            outputs = self.network.afterstate_inference(
                torch.from_numpy(np.ascontiguousarray(latents, dtype=np.float32)),
                torch.from_numpy(np.asarray(actions, dtype=np.int64)),
            )
        afterstates, probabilities, values = (t.numpy() for t in outputs)
        return afterstates, probabilities, values

    def _recurrent(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        with torch.inference_mode():
            outputs = self.network.recurrent_inference(
                torch.from_numpy(np.ascontiguousarray(latents, dtype=np.float32)),
                torch.from_numpy(np.asarray(actions, dtype=np.int64)),
            )
        latents, rewards, next_player_logits, policy_logits, values = (t.numpy() for t in outputs)
        return RecurrentOutput(latents, rewards, next_player_logits, policy_logits, values)
