"""A live progress line for training: steps, games, loss, positions/s (rich)."""

from __future__ import annotations

from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from muzero.checkpoint import Counters
from muzero.config import RunConfig


class TrainingProgress:
    """Counts learner steps, or minutes when the run has a time limit; shows the latest metrics."""

    def __init__(self, run: RunConfig, counters: Counters) -> None:
        self.by_minutes = run.minutes > 0
        total = run.minutes * 60 if self.by_minutes else run.training_steps
        self.progress = Progress(
            TextColumn("[bold]training"),
            BarColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
        )
        completed = counters.seconds if self.by_minutes else counters.training_step
        self.task = self.progress.add_task("training", total=total, completed=completed, status="self-play")

    def __enter__(self) -> TrainingProgress:
        self.progress.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.progress.stop()

    def update(self, counters: Counters, values: dict[str, Any]) -> None:
        status = (
            f"step {counters.training_step}  games {counters.games_played}  "
            f"loss {values.get('loss/total', float('nan')):.3f}  "
            f"{values.get('positions_per_second', 0):.0f} pos/s  "
            f"{values.get('steps_per_second', 0):.1f} steps/s"
        )
        completed = values["minutes"] * 60 if self.by_minutes else counters.training_step
        self.progress.update(self.task, completed=completed, status=status)
