"""Shared storage: the latest weights the learner published and the run's counters (no torch, no Ray)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from muzero.distributed.messages import WeightsSnapshot

if TYPE_CHECKING:
    from muzero.training.checkpoint import Counters


class SharedStorage:
    """Holds one weights snapshot (the newest) and the latest counters the driver published."""

    def __init__(self, counters: Counters) -> None:
        self._weights: WeightsSnapshot | None = None
        self._counters = counters

    def publish_weights(self, snapshot: WeightsSnapshot) -> None:
        """Keeps `snapshot` unless the stored weights are newer (a late push never rolls weights back)."""
        if self._weights is None or snapshot.training_step >= self._weights.training_step:
            self._weights = snapshot

    def weights_newer_than(self, training_step: int) -> WeightsSnapshot | None:
        """The stored weights when they come from a later step than `training_step`, else None."""
        if self._weights is not None and self._weights.training_step > training_step:
            return self._weights
        return None

    def weights_step(self) -> int:
        """The training step of the stored weights; -1 before the first push."""
        return -1 if self._weights is None else self._weights.training_step

    def set_counters(self, counters: Counters) -> None:
        self._counters = counters

    def counters(self) -> Counters:
        return self._counters
