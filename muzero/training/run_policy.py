"""The rules of a training run, which both trainers follow: how many learner steps the replay ratio owes, where
the learner stops for a metrics line or a checkpoint, when the step or time limit is reached, when self-play
leads the learner too far; and what stops a run early (`StopFlag`, set by SIGINT/SIGTERM under
`stop_on_signals`) and the speeds of its metrics lines (`RateWindow`).

The synchronous loop (`muzero.training.train`) and the distributed coordinator (`muzero.distributed.coordinator`) ask
a `RunPolicy` of the run's `RunConfig` rather than each working the rules out again.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from muzero.core.config import RunConfig

if TYPE_CHECKING:
    from muzero.training.checkpoint import Counters  # not at run time: muzero.training.checkpoint imports torch

STEPS, MINUTES, SIGNAL = "steps", "minutes", "signal"  # what stopped a run (`TrainingResult.stopped_by`)


@dataclass(frozen=True)
class RunPolicy:
    """The run's rules, read from `run` (its [run] settings)."""

    run: RunConfig

    def steps_owed(self, counters: Counters, buffered_positions: int, capacity: int) -> int:
        """Learner steps the replay ratio owes now: `replay_ratio` per position played beyond
        `min_replay_positions`, less the steps taken; none until the buffer holds `min_replay_positions`
        (or is full, for a buffer smaller than that) and at least one position."""
        run = self.run
        if buffered_positions < max(1, min(run.min_replay_positions, capacity)):
            return 0
        owed = int(run.replay_ratio * max(counters.positions_played - run.min_replay_positions, 0))
        return max(owed - counters.training_step, 0)

    def next_stop_step(self, step: int) -> int:
        """The first step after `step` where the learner must stop: the next metrics line, the next
        checkpoint or the step limit, whichever comes first (so each lands on its exact step)."""
        run = self.run
        next_log = (step // run.log_interval + 1) * run.log_interval
        next_checkpoint = (step // run.checkpoint_interval + 1) * run.checkpoint_interval
        return min(next_log, next_checkpoint, run.training_steps)

    def logs_at(self, step: int) -> bool:
        """Whether the run writes a metrics line at learner step `step`."""
        return step % self.run.log_interval == 0

    def checkpoints_at(self, step: int) -> bool:
        """Whether the run writes a checkpoint (and evaluates it) at learner step `step`."""
        return step % self.run.checkpoint_interval == 0

    def limit_reached(self, counters: Counters, seconds: float) -> str:
        """Which limit the run has reached: STEPS once `run.training_steps` steps are taken, else MINUTES once
        `seconds` of training (the run's total) reach `run.minutes` (0: no time limit); "" while it goes on."""
        if counters.training_step >= self.run.training_steps:
            return STEPS
        if self.run.minutes and seconds >= self.run.minutes * 60:
            return MINUTES
        return ""

    def selfplay_ahead(self, counters: Counters) -> bool:
        """Whether self-play is more than `run.selfplay_lead` positions ahead of the learner's replay ratio
        (never with a lead of 0). The learner is then owed at least replay_ratio * lead steps, so it cannot
        wait on paused self-play."""
        run = self.run
        if run.selfplay_lead <= 0:
            return False
        wanted = run.min_replay_positions + counters.training_step / run.replay_ratio + run.selfplay_lead
        return counters.positions_played > wanted


class StopFlag:
    """Set by SIGINT/SIGTERM (or by a caller); the loop finishes its step, saves and returns. Falsy until set;
    the first reason given is kept."""

    def __init__(self) -> None:
        self.reason = ""

    def set(self, reason: str) -> None:
        self.reason = self.reason or reason

    def __bool__(self) -> bool:
        return bool(self.reason)


@contextmanager
def stop_on_signals(stop: StopFlag) -> Iterator[StopFlag]:
    """SIGINT and SIGTERM set `stop` instead of killing the process (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set(SIGNAL))
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class RateWindow:
    """Positions and learner steps per second since the previous call (the rates of a metrics line)."""

    def __init__(self, counters: Counters, now: float | None = None) -> None:
        self.time, self.counters = time.monotonic() if now is None else now, counters

    def rates(self, counters: Counters, now: float | None = None) -> dict[str, float]:
        """The rates from the previous call's counters to `counters`, reached at `now` (default: the clock)."""
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.time, 1e-9)
        rates = {
            "positions_per_second": (counters.positions_played - self.counters.positions_played) / elapsed,
            "steps_per_second": (counters.training_step - self.counters.training_step) / elapsed,
        }
        self.time, self.counters = now, counters
        return rates
