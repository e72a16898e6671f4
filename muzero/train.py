"""The synchronous training loop: self-play and learning alternate in one process, no Ray."""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from muzero import components
from muzero.checkpoint import Checkpoint, Counters
from muzero.config import ExperimentConfig
from muzero.game_kit import GameKit
from muzero.progress import ProgressState, SlidingRates, TrainingProgress
from muzero.replay import ReplayBuffer
from muzero.replay.snapshot import load_replay_snapshot, save_replay_snapshot
from muzero.returns import ReturnWindow, episode_returns
from muzero.run_folder import MetricsLog, RunFolder
from muzero.selfplay import SelfPlay

PROGRESS_SECONDS = 0.5  # between two snapshots handed to the progress display


@dataclass(frozen=True)
class RunSetup:
    """A training run: its settings, its folder and its game (both trainers take one)."""

    config: ExperimentConfig
    run_dir: Path
    game: GameKit
    resume: bool = False  # continue the run in run_dir from its last checkpoint, exactly
    show_progress: bool = True  # the live display on the terminal


@dataclass(frozen=True)
class TrainingResult:
    run_dir: Path
    counters: Counters
    checkpoint: Path  # the latest checkpoint
    stopped_by: str  # "steps", "minutes" or "signal"


class StopFlag:
    """Set by SIGINT/SIGTERM (or by a caller); the loop finishes its step, saves and returns."""

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
        signal.signal(sig, lambda *_: stop.set("signal"))
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class SyncTrainer:
    """Owns the pieces of a run and alternates self-play moves with learner steps."""

    def __init__(
        self, config: ExperimentConfig, folder: RunFolder, game: GameKit, checkpoint: Checkpoint | None = None
    ):
        self.config, self.folder = config, folder
        if config.run.threads:
            torch.set_num_threads(config.run.threads)
        torch.manual_seed(config.run.seed)
        self.network = components.build_network(config.network, game.spec)
        self.learner = components.build_learner(config.learner, config.network, self.network)
        self.buffer = ReplayBuffer(config.replay, game.spec, config.search.discount)
        self.counters = Counters()
        if checkpoint is not None:
            self.network.load_state_dict(checkpoint.network_state)
            self.learner.load_state_dict(checkpoint.learner_state)
            self.counters = checkpoint.counters
        seed = config.run.seed + self.counters.training_step
        self.rng = np.random.default_rng(seed)
        self.model = components.build_inference_model(config.selfplay.inference, self.network)
        self.refreshed_step = self.counters.training_step
        self.selfplay = SelfPlay(game.make_game, self.model, config.search, config.selfplay, self.rng)
        self.returns = ReturnWindow()  # self-play's episode returns (one-player games)

    def learner_steps_due(self) -> int:
        """Learner steps owed to the replay ratio by the positions played so far."""
        run = self.config.run
        if self.buffer.num_positions < min(run.min_replay_positions, self.buffer.capacity):
            return 0
        owed = int(run.replay_ratio * max(self.counters.positions_played - run.min_replay_positions, 0))
        return max(owed - self.counters.training_step, 0)

    def play_move(self) -> None:
        if self.counters.training_step - self.refreshed_step >= self.config.selfplay.refresh_steps:
            self.model.refresh()
            self.refreshed_step = self.counters.training_step
        stats = self.selfplay.play_move(self.counters.training_step)
        for trajectory in stats.finished:
            self.buffer.add(trajectory)
        self.returns.add(episode_returns(stats.finished))
        self.counters = replace(
            self.counters,
            games_played=self.counters.games_played + len(stats.finished),
            positions_played=self.counters.positions_played + stats.positions,
        )

    def learn(self) -> dict[str, float]:
        batch = self.buffer.sample(self.config.learner.batch_size, self.rng)
        result = self.learner.train_step(batch)
        self.buffer.update_priorities(batch.indices, result.priorities)
        self.counters = replace(self.counters, training_step=self.counters.training_step + 1)
        return {**{f"loss/{k}": v for k, v in result.losses.items()}, "learning_rate": result.learning_rate}

    def checkpoint(self, seconds: float) -> Path:
        self.counters = replace(self.counters, seconds=seconds)
        state = Checkpoint(self.config, self.counters, self.network.state_dict(), self.learner.state_dict())
        return self.folder.save(state)


def train(
    setup: RunSetup, *, stop: StopFlag | None = None, on_checkpoint: Callable[[Path, Counters], None] | None = None
) -> TrainingResult:
    """Trains in this process until `run.training_steps`, `run.minutes` (both totals of the run) or a signal;
    always ends with a checkpoint and a replay snapshot, from which `setup.resume` continues."""
    config, resume, show_progress = setup.config, setup.resume, setup.show_progress
    folder = RunFolder(setup.run_dir)
    checkpoint = folder.latest() if resume else None  # a corrupt checkpoint stops here, nothing written
    trainer = SyncTrainer(config, folder, setup.game, checkpoint)
    if resume:
        load_replay_snapshot(trainer.buffer, folder.path)
    folder.create(config)
    stop = stop if stop is not None else StopFlag()
    metrics = MetricsLog(folder)
    progress = TrainingProgress(config.run, trainer.counters) if show_progress else nullcontext()
    try:
        with stop_on_signals(stop), progress:
            _loop(trainer, metrics, stop, progress if show_progress else None, on_checkpoint)
    finally:
        metrics.close()
    path = trainer.checkpoint(trainer.counters.seconds)
    save_replay_snapshot(trainer.buffer, folder.path)
    return TrainingResult(folder.path, trainer.counters, path, stop.reason)


def _loop(trainer: SyncTrainer, metrics: MetricsLog, stop: StopFlag, progress, on_checkpoint) -> None:
    run = trainer.config.run
    start, seconds_before = time.monotonic(), trainer.counters.seconds
    window = _RateWindow(trainer.counters)
    feed = _ProgressFeed(progress, trainer)
    while not stop:
        trainer.play_move()
        for _ in range(trainer.learner_steps_due()):
            losses = trainer.learn()
            step = trainer.counters.training_step
            seconds = seconds_before + time.monotonic() - start
            if step % run.log_interval == 0:
                values = {**losses, **window.rates(trainer.counters), **_sizes(trainer, seconds)}
                values |= trainer.returns.metrics()
                metrics.write(step, values)
                feed.loss = losses.get("loss/total", math.nan)
            if step % run.checkpoint_interval == 0:
                path = trainer.checkpoint(seconds)
                if on_checkpoint is not None:
                    on_checkpoint(path, trainer.counters)
            _check_limits(trainer, run, seconds, stop)
            if stop:
                break
        _check_limits(trainer, run, seconds_before + time.monotonic() - start, stop)
        feed(seconds_before + time.monotonic() - start)
    trainer.counters = replace(trainer.counters, seconds=seconds_before + time.monotonic() - start)
    feed(trainer.counters.seconds, final=True)


class _ProgressFeed:
    """Hands the display a snapshot of the run every PROGRESS_SECONDS, while the replay buffer fills too."""

    def __init__(self, progress: TrainingProgress | None, trainer: SyncTrainer) -> None:
        self.progress, self.trainer = progress, trainer
        self.speeds = SlidingRates(trainer.counters)
        self.loss, self.next_time = math.nan, 0.0  # the last logged loss

    def __call__(self, seconds: float, final: bool = False) -> None:
        now = time.monotonic()
        if self.progress is None or (now < self.next_time and not final):
            return
        self.next_time = now + PROGRESS_SECONDS
        counters = replace(self.trainer.counters, seconds=seconds)
        rates = self.speeds.rates(counters, now)
        speeds = rates["positions_per_second"], rates["steps_per_second"]
        buffer = self.trainer.buffer
        returns = self.trainer.returns.summary()
        state = ProgressState(counters, *speeds, buffer.num_positions, buffer.capacity, self.loss, returns=returns)
        self.progress.show(state)


def _check_limits(trainer: SyncTrainer, run, seconds: float, stop: StopFlag) -> None:
    if trainer.counters.training_step >= run.training_steps:
        stop.set("steps")
    if run.minutes and seconds >= run.minutes * 60:
        stop.set("minutes")


def _sizes(trainer: SyncTrainer, seconds: float) -> dict[str, float]:
    counters = trainer.counters
    return {
        "games": counters.games_played,
        "positions": counters.positions_played,
        "replay_positions": trainer.buffer.num_positions,
        "minutes": seconds / 60,
    }


class _RateWindow:
    """Positions and learner steps per second since the previous call."""

    def __init__(self, counters: Counters) -> None:
        self.time, self.counters = time.monotonic(), counters

    def rates(self, counters: Counters) -> dict[str, float]:
        now = time.monotonic()
        elapsed = max(now - self.time, 1e-9)
        rates = {
            "positions_per_second": (counters.positions_played - self.counters.positions_played) / elapsed,
            "steps_per_second": (counters.training_step - self.counters.training_step) / elapsed,
        }
        self.time, self.counters = now, counters
        return rates
