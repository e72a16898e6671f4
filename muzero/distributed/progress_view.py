"""The live progress display of a distributed run: the one of every run (`muzero.training.progress`), drawn from the
coordinator's progress snapshots."""

from __future__ import annotations

from muzero.distributed.messages import ProgressSnapshot
from muzero.training.progress import ProgressState, TrainingProgress


def progress_state(snapshot: ProgressSnapshot) -> ProgressState:
    """What the display shows of the coordinator's snapshot."""
    return ProgressState(
        counters=snapshot.counters,
        positions_per_second=snapshot.positions_per_second,
        steps_per_second=snapshot.steps_per_second,
        replay_positions=snapshot.replay.num_positions,
        replay_capacity=snapshot.replay.capacity,
        loss=snapshot.loss,
        evaluation=None if snapshot.evaluation is None else snapshot.evaluation.summary(),
        worker_restarts=snapshot.worker_restarts,
        returns=snapshot.returns,
    )


class DistributedProgressView(TrainingProgress):
    """`TrainingProgress` fed by the coordinator: `show_snapshot` is its progress callback."""

    def show_snapshot(self, snapshot: ProgressSnapshot) -> None:
        self.show(progress_state(snapshot))
