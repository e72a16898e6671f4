"""The live progress line of a distributed run (rich), drawn from the driver's progress snapshots."""

from __future__ import annotations

import math

from muzero.distributed.messages import ProgressSnapshot
from muzero.progress import TrainingProgress


def status_line(snapshot: ProgressSnapshot) -> str:
    """Steps, games, self-play and learner speed, replay fill, last loss and last evaluation, on one line."""
    counters = snapshot.counters
    parts = [
        f"step {counters.training_step}",
        f"games {counters.games_played}",
        f"{snapshot.positions_per_second:.0f} pos/s",
        f"{snapshot.steps_per_second:.1f} steps/s",
        f"replay {snapshot.replay.num_positions} ({snapshot.replay.fraction:.0%})",
    ]
    if not math.isnan(snapshot.loss):
        parts.append(f"loss {snapshot.loss:.3f}")
    if snapshot.evaluation is not None:
        parts.append(snapshot.evaluation.summary())
    if snapshot.worker_restarts:
        parts.append(f"worker restarts {snapshot.worker_restarts}")
    return "  ".join(parts)


class DistributedProgressView(TrainingProgress):
    """The synchronous trainer's progress bar, with the distributed run's status line."""

    def show(self, snapshot: ProgressSnapshot) -> None:
        counters = snapshot.counters
        completed = counters.seconds if self.by_minutes else counters.training_step
        self.progress.update(self.task, completed=completed, status=status_line(snapshot))
