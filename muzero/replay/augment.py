"""Batches under random symmetries of the game: each position and its unroll mapped by one symmetry."""

from __future__ import annotations

import dataclasses

import numpy as np

from muzero.core.symmetry import Symmetry
from muzero.core.types import Batch


def augment(
    batch: Batch, symmetries: tuple[Symmetry, ...], observation_shape: tuple[int, ...], rng: np.random.Generator
) -> Batch:
    """`batch` with every row mapped by a symmetry drawn uniformly from `symmetries` (the identity among
    them): observations (the next observations too), the unroll's actions and its policy targets; values,
    rewards and players stay."""
    if len(symmetries) <= 1:
        return batch
    chosen = rng.integers(len(symmetries), size=batch.actions.shape[0])  # int64[B]
    observations = np.empty_like(batch.observations)  # every row is written below
    actions = np.empty_like(batch.actions)
    policies = np.empty_like(batch.target_policies)
    following = None if batch.next_observations is None else np.empty_like(batch.next_observations)
    for index in np.unique(chosen).tolist():
        rows = np.flatnonzero(chosen == index)
        symmetry = symmetries[index]
        observations[rows] = symmetry.observations(batch.observations[rows], observation_shape)
        actions[rows] = symmetry.actions(batch.actions[rows])
        policies[rows] = symmetry.action_vectors(batch.target_policies[rows])
        if following is not None:
            following[rows] = symmetry.observations(batch.next_observations[rows], observation_shape)
    return dataclasses.replace(
        batch, observations=observations, actions=actions, target_policies=policies, next_observations=following
    )
