"""Symmetries of a game: a relabelling of observation elements and actions that maps games onto games.

A game may declare its symmetries (`game.symmetries`, a tuple that starts with the identity): playing the
mapped actions from the start shows the mapped observations and legal masks, with the same rewards and
players to move (`envs.testing.check_game` verifies exactly that). The replay buffer can then hand the
learner every position under a random symmetry, as AlphaGo Zero did with the eight of the Go board: the
same games teach the network up to eight times as many distinct positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Symmetry:
    """One symmetry, as index maps over flat observations and over actions."""

    observation_source: np.ndarray  # int64[prod(observation_shape)]: mapped.flat[i] = original.flat[source[i]]
    action_image: np.ndarray  # int64[A]: the image of action a is action_image[a] (a permutation)

    def __post_init__(self) -> None:
        for name, indices in (("observation_source", self.observation_source), ("action_image", self.action_image)):
            if indices.ndim != 1 or not np.array_equal(np.sort(indices), np.arange(indices.size)):
                raise ValueError(f"Symmetry.{name} must be a permutation of 0..{indices.size - 1}")

    def require_sizes(self, observation_shape: tuple[int, ...], num_actions: int) -> None:
        """Raises ValueError unless this symmetry is one of a game of these sizes."""
        if self.observation_source.size != int(np.prod(observation_shape)) or self.action_image.size != num_actions:
            raise ValueError(
                f"a symmetry of {self.observation_source.size} observation elements and {self.action_image.size} "
                f"actions does not fit observations {observation_shape} and {num_actions} actions"
            )

    def observations(self, observations: np.ndarray, observation_shape: tuple[int, ...]) -> np.ndarray:
        """Observations [..., *observation_shape] mapped (a new array)."""
        leading = observations.shape[: observations.ndim - len(observation_shape)]
        flat = observations.reshape(*leading, -1)
        return flat[..., self.observation_source].reshape(observations.shape)

    def actions(self, actions: np.ndarray) -> np.ndarray:
        """Integer actions of any shape, mapped."""
        return self.action_image[actions]

    def action_vectors(self, vectors: np.ndarray) -> np.ndarray:
        """Per-action vectors [..., A] (policies, legal masks) mapped: the entry of a moves to its image."""
        mapped = np.empty_like(vectors)
        mapped[..., self.action_image] = vectors
        return mapped
