"""A model that evaluates every position under each of the game's symmetries and averages the answers.

AlphaGo averaged its network over the eight symmetries of the board at play time: a learned value is off
by an error that differs from one view of the same position to the next, and the mean of K views has less
of it. `SymmetryAveragedModel` does that for any `Model` and the symmetries a game declares
(`muzero.core.symmetry`). Its latent state is the K latent states of the views side by side, [B, K, *latent],
so the search, which stores latents of any shape, runs on it unchanged: the initial inference maps the
observation into each view, the recurrent one maps the action into each view, and both average the
values, rewards, policies and next-player probabilities back in the original labelling. The averaged model
is exactly invariant (values) and equivariant (policies) under the symmetries, whatever the network.
It costs K network evaluations per position, batched into one call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from muzero.core.symmetry import Symmetry
from muzero.model.inference import InitialOutput, Model
from muzero.search import RecurrentOutput


class SymmetryAveragedModel:
    """`model` averaged over `symmetries` (the game's, identity first) behind the same Model protocol."""

    def __init__(self, model: Model, symmetries: Sequence[Symmetry], observation_shape: tuple[int, ...]) -> None:
        if not symmetries:
            raise ValueError("averaging over symmetries needs at least the identity")
        self.model, self.symmetries, self.observation_shape = model, tuple(symmetries), tuple(observation_shape)
        self.action_images = np.stack([symmetry.action_image for symmetry in self.symmetries])  # [K, A]

    @property
    def views(self) -> int:
        return len(self.symmetries)

    def refresh(self) -> None:
        """Passes a refresh on to the wrapped model where it has one."""
        refresh = getattr(self.model, "refresh", None)
        if refresh is not None:
            refresh()

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        batch = observations.shape[0]
        mapped = np.concatenate([s.observations(observations, self.observation_shape) for s in self.symmetries])
        output = self.model.initial_inference(mapped, np.tile(np.asarray(to_play), self.views))
        return InitialOutput(
            latents=self._views_side_by_side(output.latents, batch),
            policy_logits=self._policy_logits(output.policy_logits, batch),
            values=self._by_view(output.values, batch).mean(axis=0),
        )

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        batch = latents.shape[0]
        stacked = np.moveaxis(latents, 1, 0).reshape(self.views * batch, *latents.shape[2:])  # view-major
        mapped_actions = self.action_images[:, np.asarray(actions, dtype=np.int64)].reshape(-1)  # [K * B]
        output = self.model.recurrent_inference(stacked, mapped_actions)
        return RecurrentOutput(
            latents=self._views_side_by_side(output.latents, batch),
            rewards=self._by_view(output.rewards, batch).mean(axis=0),
            next_player_logits=log_mean_softmax(self._by_view(output.next_player_logits, batch)),
            policy_logits=self._policy_logits(output.policy_logits, batch),
            values=self._by_view(output.values, batch).mean(axis=0),
        )

    def _by_view(self, array: np.ndarray, batch: int) -> np.ndarray:  # [K * B, ...] -> [K, B, ...]
        return array.reshape(self.views, batch, *array.shape[1:])

    def _views_side_by_side(self, latents: np.ndarray, batch: int) -> np.ndarray:  # -> [B, K, *latent]
        return np.ascontiguousarray(np.moveaxis(self._by_view(latents, batch), 0, 1))

    def _policy_logits(self, logits: np.ndarray, batch: int) -> np.ndarray:  # [K * B, A] -> [B, A]
        """Each view's logits read back in the original labelling (action a is action_image[a] there)."""
        by_view = self._by_view(logits, batch)
        original = np.stack([by_view[k][:, self.action_images[k]] for k in range(self.views)])
        return log_mean_softmax(original)


def log_mean_softmax(logits: np.ndarray) -> np.ndarray:
    """Logits [K, B, X] of K views -> [B, X]: the log of their mean probabilities (a mixture, not a product)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    probabilities = np.exp(shifted)
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    return np.log(np.maximum(probabilities.mean(axis=0), 1e-30)).astype(np.float32)
