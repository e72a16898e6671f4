"""The learner as a service: the `Learner` of the run's network, fed batches by a `BatchSource` that
prefetches (the next sample is requested before the current step is computed), pushing weights to the
shared storage every few steps. Plain Python: the Ray actor is a thin shell around it."""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Protocol

import numpy as np
import torch

from muzero.core.config import ExperimentConfig
from muzero.core.game_kit import GameSpec
from muzero.core.types import Batch
from muzero.distributed.messages import LearnerReport, LearnerState, WeightsSnapshot, numpy_weights
from muzero.replay import ReplayBuffer
from muzero.training import components

if TYPE_CHECKING:  # not at run time: muzero.training.checkpoint imports torch (the learner imports it when built)
    from muzero.training.checkpoint import Checkpoint


class BatchSource(Protocol):
    def next_batch(self) -> Batch: ...

    def update_priorities(self, indices: np.ndarray, priorities: np.ndarray) -> None: ...


class WeightsSink(Protocol):
    def publish_weights(self, snapshot: WeightsSnapshot) -> None: ...


class LocalBatchSource:
    """Batches straight from a `ReplayBuffer` in this process (tests, and a learner without Ray)."""

    def __init__(self, buffer: ReplayBuffer, batch_size: int, rng: np.random.Generator) -> None:
        self.buffer, self.batch_size, self.rng = buffer, batch_size, rng

    def next_batch(self) -> Batch:
        return self.buffer.sample(self.batch_size, self.rng)

    def update_priorities(self, indices: np.ndarray, priorities: np.ndarray) -> None:
        self.buffer.update_priorities(indices, priorities)


class LearnerService:
    """Takes learner steps up to a step the driver names, within a time budget, and reports."""

    def __init__(
        self,
        config: ExperimentConfig,
        spec: GameSpec,
        batches: BatchSource,
        storage: WeightsSink,
        checkpoint: Checkpoint | None = None,
        *,
        weights_interval: int = 10,
    ) -> None:
        torch.manual_seed(config.run.seed)
        self.network = components.build_network(config.network, spec)
        self.learner = components.build_learner(config.learner, config.network, self.network)
        self.training_step = 0
        if checkpoint is not None:
            self.network.load_state_dict(checkpoint.network_state)
            self.learner.load_state_dict(checkpoint.learner_state)
            self.training_step = checkpoint.counters.training_step
        self.batches, self.storage, self.weights_interval = batches, storage, weights_interval
        self.sends_priorities = config.replay.priority_exponent > 0  # uniform sampling ignores them
        self.publish_weights()

    def publish_weights(self) -> None:
        self.storage.publish_weights(WeightsSnapshot(self.training_step, numpy_weights(self.network.state_dict())))

    def train(self, until_step: int, seconds: float, *, state_at_end: bool = False) -> LearnerReport:
        """Steps until `until_step` or for about `seconds`; the state comes along when asked and reached."""
        deadline = time.monotonic() + seconds
        steps, losses, learning_rate = 0, {}, self.learner.learning_rate
        while self.training_step < until_step and (steps == 0 or time.monotonic() < deadline):
            batch = self.batches.next_batch()
            result = self.learner.train_step(batch)
            if self.sends_priorities:
                self.batches.update_priorities(batch.indices, result.priorities)
            self.training_step += 1
            steps += 1
            losses = {f"loss/{name}": value for name, value in result.losses.items()}
            learning_rate = result.learning_rate
            if self.training_step % self.weights_interval == 0:
                self.publish_weights()
        state = self.state() if state_at_end and self.training_step == until_step else None
        return LearnerReport(self.training_step, steps, losses, learning_rate, state)

    def state(self) -> LearnerState:
        """Weights, optimizer and step, for a checkpoint (copies: later steps do not change them)."""
        network_state = {name: tensor.detach().clone() for name, tensor in self.network.state_dict().items()}
        learner_state = copy.deepcopy(self.learner.state_dict())
        return LearnerState(self.training_step, network_state, learner_state)
