"""What the distributed actors send each other and the driver: frozen records, no string-keyed state.

Weights travel as numpy arrays (`dict[str, np.ndarray]`, the network's `state_dict` names), so the shared
storage and the replay buffer never import torch and Ray moves the arrays without copying them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from muzero.evaluation.evaluations import EVALUATION_GAMES_PER_SEAT, EvaluationResult

if TYPE_CHECKING:
    import torch

    from muzero.training.checkpoint import Counters  # not at run time: muzero.training.checkpoint imports torch


@dataclass(frozen=True)
class DistributedSettings:
    """Knobs of the distributed trainer that the experiment config does not hold (keyword-only defaults)."""

    workers: int = 1  # self-play worker actors
    ray_address: str | None = None  # join the Ray cluster at this address; None: start a local Ray for the run
    chunk_seconds: float = 1.0  # longest a worker or learner call runs before it reports to the driver
    weights_interval: int = 10  # learner steps between weight pushes to the shared storage
    batches_per_request: int = 8  # batches the learner fetches from the replay actor in one call
    weights_pull_games: int = 0  # finished games between a worker's weight pulls; 0 = selfplay.parallel_games
    evaluation_interval: int = 0  # learner steps between evaluations (at checkpoints); 0 = checkpoint_interval
    evaluation_games_per_seat: int = EVALUATION_GAMES_PER_SEAT  # per reference opponent; 0 = no evaluator
    max_worker_restarts: int = 20  # self-play worker failures tolerated before the run stops
    progress_seconds: float = 0.5  # seconds between progress callbacks


@dataclass(frozen=True)
class WeightsSnapshot:
    """The network's weights after `training_step` learner steps."""

    training_step: int
    weights: dict[str, np.ndarray]  # state_dict name -> array


@dataclass(frozen=True)
class SelfPlayReport:
    """What one self-play worker did during one `play` call."""

    worker_id: int
    games: int  # games finished (and pushed to the replay buffer)
    positions: int  # decisions taken
    weights_step: int  # the training step of the weights it played with at the end
    returns: tuple[float, ...] = ()  # the returns of the episodes it finished (one-player games only)


@dataclass(frozen=True)
class LearnerState:
    """What a checkpoint needs from the learner."""

    training_step: int
    network_state: dict[str, torch.Tensor]
    learner_state: dict[str, Any]


@dataclass(frozen=True)
class LearnerReport:
    """The learner after one `train` call."""

    training_step: int
    steps: int  # steps taken in this call
    losses: dict[str, float]  # the last step's losses by name (empty when no step was taken)
    learning_rate: float
    state: LearnerState | None = None  # present when the call ended on a step that was asked for a state


@dataclass(frozen=True)
class ReplayFill:
    """How full the replay buffer is."""

    num_positions: int
    num_games: int
    capacity: int

    @property
    def fraction(self) -> float:
        return self.num_positions / self.capacity


@dataclass(frozen=True)
class ProgressSnapshot:
    """What the driver knows, handed to the progress callback a few times a second."""

    counters: Counters
    positions_per_second: float  # self-play decisions per second, all workers
    steps_per_second: float  # learner steps per second
    replay: ReplayFill
    loss: float = math.nan  # the last logged total loss
    evaluation: EvaluationResult | None = None  # the latest evaluation
    worker_restarts: int = 0
    running_workers: int = 0
    returns: str | None = None  # self-play's recent episode returns in a few words (one-player games)


def numpy_weights(state_dict: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """A network's state_dict as numpy arrays (copies, detached from the network)."""
    return {name: tensor.detach().cpu().numpy().copy() for name, tensor in state_dict.items()}


def load_numpy_weights(network: torch.nn.Module, weights: dict[str, np.ndarray]) -> None:
    """Loads `numpy_weights` output into `network` (read-only arrays from Ray are copied)."""
    import torch

    network.load_state_dict({name: torch.tensor(array) for name, array in weights.items()})
