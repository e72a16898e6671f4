"""The synchronous training loop: self-play and learning alternate in one process, no Ray."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from muzero.core.config import ExperimentConfig
from muzero.core.game_kit import GameKit
from muzero.evaluation.evaluations import EvaluationLog, EvaluationResult
from muzero.evaluation.returns import ReturnWindow, episode_returns
from muzero.replay import ReplayBuffer
from muzero.replay.snapshot import load_replay_snapshot, save_replay_snapshot
from muzero.training import components
from muzero.training.checkpoint import Checkpoint, Counters
from muzero.training.progress import ProgressState, SlidingRates, TrainingProgress
from muzero.training.run_evaluation import evaluate_network, record_evaluation
from muzero.training.run_folder import MetricsLog, RunFolder
from muzero.training.run_policy import RateWindow, RunPolicy, StopFlag, stop_on_signals
from muzero.training.selfplay import SelfPlay

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


class SyncTrainer:
    """Owns the pieces of a run and alternates self-play moves with learner steps."""

    def __init__(
        self, config: ExperimentConfig, folder: RunFolder, game: GameKit, checkpoint: Checkpoint | None = None
    ):
        self.config, self.folder, self.game = config, folder, game
        self.policy = RunPolicy(config.run)
        if config.run.threads:
            torch.set_num_threads(config.run.threads)
        torch.manual_seed(config.run.seed)
        self.network = components.build_network(config.network, game.spec)
        self.learner = components.build_learner(config.learner, config.network, self.network)
        self.buffer = ReplayBuffer(config.replay, game.spec, config.discount, config.network.chance_codes > 0)
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
        """Learner steps owed to the replay ratio by the positions played so far (`RunPolicy.steps_owed`)."""
        return self.policy.steps_owed(self.counters, self.buffer.num_positions, self.buffer.capacity)

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
        network, learner = self.network.state_dict(), self.learner.state_dict()
        return self.folder.save(Checkpoint(self.config, self.counters, network, learner, self.game.spec))

    def evaluate(self, games_per_seat: int) -> EvaluationResult:
        """The network now against the game's reference opponents, as the Ray evaluator plays a checkpoint."""
        step = self.counters.training_step
        return evaluate_network(self.network, self.config, self.game, games_per_seat, step)


def train(
    setup: RunSetup,
    *,
    stop: StopFlag | None = None,
    on_checkpoint: Callable[[Path, Counters], None] | None = None,
    evaluation_games_per_seat: int = 0,
) -> TrainingResult:
    """Trains in this process until `run.training_steps`, `run.minutes` (both totals of the run) or a signal;
    always ends with a checkpoint and a replay snapshot, from which `setup.resume` continues.

    With `evaluation_games_per_seat` > 0 (`muzero-train --sync`: the Ray evaluator's default), each checkpoint
    of the loop (every `run.checkpoint_interval` steps) is evaluated as the Ray evaluator evaluates one, and
    appended to the run's evaluations.jsonl and its metrics (`eval/...`); 0 evaluates nothing."""
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
            display = progress if show_progress else None
            _Loop(trainer, metrics, stop, display, on_checkpoint, evaluation_games_per_seat).run()
    finally:
        metrics.close()
    path = trainer.checkpoint(trainer.counters.seconds)
    save_replay_snapshot(trainer.buffer, folder.path)
    return TrainingResult(folder.path, trainer.counters, path, stop.reason)


class _Loop:
    """One `train` call's loop: a self-play move, then the learner steps the replay ratio owes, with metrics
    lines, checkpoints (evaluated when asked) and the limits where the run's policy puts them."""

    def __init__(
        self,
        trainer: SyncTrainer,
        metrics: MetricsLog,
        stop: StopFlag,
        progress: TrainingProgress | None,
        on_checkpoint: Callable[[Path, Counters], None] | None,
        games_per_seat: int,
    ) -> None:
        self.trainer, self.metrics, self.stop, self.on_checkpoint = trainer, metrics, stop, on_checkpoint
        self.games_per_seat = games_per_seat
        self.evaluations = EvaluationLog(trainer.folder.path)  # appended to: a resumed run keeps its history
        self.feed = _ProgressFeed(progress, trainer, self.evaluations.latest())
        self.window = RateWindow(trainer.counters)
        self.start, self.seconds_before = time.monotonic(), trainer.counters.seconds

    def seconds(self) -> float:
        """The run's training time so far, over all its sessions."""
        return self.seconds_before + time.monotonic() - self.start

    def run(self) -> None:
        trainer = self.trainer
        while not self.stop:
            trainer.play_move()
            for _ in range(trainer.learner_steps_due()):
                self.learner_step()
                if self.stop:
                    break
            self.stop.set(trainer.policy.limit_reached(trainer.counters, self.seconds()))
            self.feed(self.seconds())
        trainer.counters = replace(trainer.counters, seconds=self.seconds())
        self.feed(trainer.counters.seconds, final=True)

    def learner_step(self) -> None:
        trainer, policy = self.trainer, self.trainer.policy
        losses = trainer.learn()
        step, seconds = trainer.counters.training_step, self.seconds()
        if policy.logs_at(step):
            values = {**losses, **self.window.rates(trainer.counters), **_sizes(trainer, seconds)}
            self.metrics.write(step, values | trainer.returns.metrics())
            self.feed.loss = losses.get("loss/total", math.nan)
        if policy.checkpoints_at(step):
            self.checkpoint(seconds)
        self.stop.set(policy.limit_reached(trainer.counters, seconds))

    def checkpoint(self, seconds: float) -> None:
        path = self.trainer.checkpoint(seconds)
        if self.games_per_seat > 0:
            evaluation = self.trainer.evaluate(self.games_per_seat)
            record_evaluation(evaluation, self.evaluations, self.metrics)
            self.feed.evaluation = evaluation
        if self.on_checkpoint is not None:
            self.on_checkpoint(path, self.trainer.counters)


class _ProgressFeed:
    """Hands the display a snapshot of the run every PROGRESS_SECONDS, while the replay buffer fills too."""

    def __init__(
        self, progress: TrainingProgress | None, trainer: SyncTrainer, evaluation: EvaluationResult | None
    ) -> None:
        self.progress, self.trainer = progress, trainer
        self.speeds = SlidingRates(trainer.counters)
        self.loss, self.next_time = math.nan, 0.0  # the last logged loss
        self.evaluation = evaluation  # the latest evaluation

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
        evaluation = None if self.evaluation is None else self.evaluation.summary()
        state = ProgressState(
            counters, *speeds, buffer.num_positions, buffer.capacity, self.loss, evaluation, returns=returns
        )
        self.progress.show(state)


def _sizes(trainer: SyncTrainer, seconds: float) -> dict[str, float]:
    counters = trainer.counters
    return {
        "games": counters.games_played,
        "positions": counters.positions_played,
        "replay_positions": trainer.buffer.num_positions,
        "minutes": seconds / 60,
    }
