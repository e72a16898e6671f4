"""The live progress display of training (rich): a bar over the run's budget, then the run's numbers on as
many lines as the terminal's width needs, never cut. When the output is not a terminal (a pipe, a log file):
plain full lines instead, one every PLAIN_SECONDS and one at the end.

`render_status` and `plain_status` are pure functions of a `ProgressState` (the synchronous loop makes them,
the distributed view turns the coordinator's snapshots into them); `SlidingRates` gives them speeds averaged
over the last seconds, which do not drop to 0 between two reports.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.text import Text

from muzero.core.config import RunConfig
from muzero.training.checkpoint import Counters

RATE_WINDOW_SECONDS = 10.0  # speeds are averaged over about this long
PLAIN_SECONDS = 30.0  # between two lines when the output is not a terminal
SEPARATOR = "  "
STARTING = "starting self-play"  # the display before the run's first report (a distributed run: "starting Ray…")


@dataclass(frozen=True)
class ProgressState:
    """What the display shows of a run."""

    counters: Counters
    positions_per_second: float  # self-play decisions per second, all workers
    steps_per_second: float  # learner steps per second
    replay_positions: int  # positions in the replay buffer
    replay_capacity: int
    loss: float = math.nan  # the last logged total loss
    evaluation: str | None = None  # the latest evaluation, in a few words
    worker_restarts: int = 0
    returns: str | None = None  # self-play's recent episode returns, in a few words (one-player games)


class SlidingRates:
    """Self-play positions and learner steps per second over the last `window` seconds.

    Workers and the learner report in bursts (once per chunk of about a second): a rate over the time since the
    previous report alternates between a burst and 0, one over a window of several reports is steady.
    """

    def __init__(self, counters: Counters, window: float = RATE_WINDOW_SECONDS, now: float | None = None) -> None:
        self.window = window
        self.samples: deque[tuple[float, int, int]] = deque([_sample(counters, now)])

    def rates(self, counters: Counters, now: float | None = None) -> dict[str, float]:
        """The rates up to `counters`, reached at `now` (default: the monotonic clock)."""
        self.samples.append(_sample(counters, now))
        latest = self.samples[-1][0]
        while len(self.samples) > 2 and latest - self.samples[1][0] >= self.window:
            self.samples.popleft()  # the oldest sample kept is the newest one at least `window` old
        start, positions, steps = self.samples[0]
        elapsed = latest - start
        if elapsed <= 0:
            return {"positions_per_second": 0.0, "steps_per_second": 0.0}
        return {
            "positions_per_second": (counters.positions_played - positions) / elapsed,
            "steps_per_second": (counters.training_step - steps) / elapsed,
        }


def _sample(counters: Counters, now: float | None) -> tuple[float, int, int]:
    return (time.monotonic() if now is None else now, counters.positions_played, counters.training_step)


def waiting_for_replay(snapshot: ProgressState, run: RunConfig) -> str | None:
    """What the learner waits for while the replay buffer holds fewer positions than it starts with."""
    needed = max(1, min(run.min_replay_positions, snapshot.replay_capacity))
    have = snapshot.replay_positions
    if have >= needed:
        return None
    before = "the first learner step" if snapshot.counters.training_step == 0 else "learning resumes"
    return f"filling the replay buffer: {have:,} / {needed:,} positions before {before}"


def phase(snapshot: ProgressState, run: RunConfig) -> str | None:
    """What the run's time goes to while it does not learn yet: starting self-play, filling the replay buffer,
    waiting for the learner's first step; None once it learns."""
    counters = snapshot.counters
    if counters.training_step == 0 and counters.positions_played == 0:
        return "starting self-play: no position played yet"
    waiting = waiting_for_replay(snapshot, run)
    if waiting is None and counters.training_step == 0:
        return "the replay buffer is ready: waiting for the learner's first step"
    return waiting


def status_lines(snapshot: ProgressState, run: RunConfig) -> list[list[str]]:
    """The run's numbers as lines of items: counters and speeds, what it waits for, the last evaluation."""
    counters = snapshot.counters
    step = f"step {counters.training_step:,}" + ("" if run.minutes else f" / {run.training_steps:,}")
    items = [
        step,
        f"games {counters.games_played:,}",
        f"{snapshot.positions_per_second:,.0f} pos/s",
        f"{snapshot.steps_per_second:.1f} steps/s",
        f"replay {snapshot.replay_positions:,} ({snapshot.replay_positions / snapshot.replay_capacity:.0%})",
    ]
    if snapshot.returns is not None:
        items.append(f"self-play {snapshot.returns}")
    if not math.isnan(snapshot.loss):
        items.append(f"loss {snapshot.loss:.3f}")
    if snapshot.worker_restarts:
        items.append(f"worker restarts {snapshot.worker_restarts}")
    items.append(_clock(counters.seconds) + (f" / {_clock(run.minutes * 60)}" if run.minutes else ""))
    lines = [items]
    waiting = phase(snapshot, run)
    if waiting is not None:
        lines.append([waiting])
    if snapshot.evaluation is not None:
        lines.append([snapshot.evaluation])
    return lines


def render_status(snapshot: ProgressState, run: RunConfig) -> RenderableType:
    """The numbers under the bar: every item whole, on as many lines as the console's width needs."""
    waiting = [phase(snapshot, run)]
    return Group(*(Packed(line, "yellow" if line == waiting else "") for line in status_lines(snapshot, run)))


def plain_status(snapshot: ProgressState, run: RunConfig) -> str:
    """All of the numbers on one line, for logs."""
    return SEPARATOR.join(item for line in status_lines(snapshot, run) for item in line)


def pack(items: Iterable[str], width: int) -> list[str]:
    """`items` joined by SEPARATOR into lines of at most `width` characters, broken only between items."""
    lines: list[str] = []
    line = ""
    for item in items:
        if line and len(line) + len(SEPARATOR) + len(item) > width:
            lines.append(line)
            line = item
        else:
            line = f"{line}{SEPARATOR}{item}" if line else item
    return [*lines, line] if line else lines


class Packed:
    """A rich renderable: items on as many lines as the width needs (an item wider than a line folds)."""

    def __init__(self, items: list[str], style: str = "") -> None:
        self.items, self.style = items, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in pack(self.items, options.max_width):
            yield Text(line, style=self.style, overflow="fold")


class _Display(Progress):
    """rich's progress bar, with the run's numbers below it."""

    def __init__(self, details: Callable[[], RenderableType], *columns: Any, **kwargs: Any) -> None:
        self.details = details
        super().__init__(*columns, **kwargs)

    def get_renderables(self) -> Iterable[RenderableType]:
        yield self.make_tasks_table(self.tasks)
        yield self.details()


class TrainingProgress:
    """The display of a run, as a context manager: `show(snapshot)` as often as wanted.

    On a terminal: a live bar over the step (or minute) budget and the numbers below it, redrawn a few times a
    second. Otherwise: a plain line every PLAIN_SECONDS, and the last state when the run ends.
    """

    def __init__(
        self, run: RunConfig, counters: Counters, console: Console | None = None, starting: str = STARTING
    ) -> None:
        """`starting`: what the display says until the first `show` (e.g. that Ray is starting)."""
        self.run, self.console, self.starting = run, console or Console(), starting
        self.by_minutes = run.minutes > 0
        self.live = self.console.is_terminal
        self.snapshot: ProgressState | None = None
        self.printed: ProgressState | None = None
        self.next_line = 0.0
        self.progress = _Display(
            self.details,
            TextColumn("[bold]training"),
            BarColumn(bar_width=None),
            TaskProgressColumn(),  # the run's own clock is among the numbers below
            console=self.console,
            expand=True,
        )
        total = run.minutes * 60 if self.by_minutes else run.training_steps
        self.task = self.progress.add_task("training", total=total, completed=self._completed(counters))

    def __enter__(self) -> TrainingProgress:
        if self.live:
            self.progress.start()
        return self

    def __exit__(self, *_: Any) -> None:
        if self.live:
            self.progress.stop()
        elif self.snapshot is not None and self.snapshot is not self.printed:
            self._print_line()

    def show(self, snapshot: ProgressState) -> None:
        self.snapshot = snapshot
        if self.live:
            self.progress.update(self.task, completed=self._completed(snapshot.counters))
        elif time.monotonic() >= self.next_line:
            self._print_line()

    def details(self) -> RenderableType:
        return Text(self.starting) if self.snapshot is None else render_status(self.snapshot, self.run)

    def _print_line(self) -> None:
        self.printed, self.next_line = self.snapshot, time.monotonic() + PLAIN_SECONDS
        print(plain_status(self.snapshot, self.run), file=self.console.file, flush=True)

    def _completed(self, counters: Counters) -> float:
        return counters.seconds if self.by_minutes else counters.training_step


def _clock(seconds: float) -> str:
    minutes, second = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{second:02d}"
