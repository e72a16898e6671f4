"""The coordinator of a distributed run: keeps one call in flight per self-play worker and for the learner,
counts what they report, logs, checkpoints, evaluates, restarts failed workers, and saves at the end.

It holds counters and the latest metrics only; every long call it makes (a worker's `play`, the learner's
`train`) returns within `DistributedSettings.chunk_seconds`, so it reacts to a stop within about a second.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from pathlib import Path

import ray
from ray.exceptions import RayError

from muzero.core.config import ExperimentConfig
from muzero.distributed.actors import RunActors
from muzero.distributed.failures import TrainingFailed, failure_reason, user_error_cause
from muzero.distributed.messages import (
    EvaluationResult,
    LearnerReport,
    LearnerState,
    ProgressSnapshot,
    ReplayFill,
    SelfPlayReport,
    WeightsSnapshot,
    numpy_weights,
)
from muzero.evaluation.evaluations import EvaluationLog
from muzero.evaluation.returns import ReturnWindow
from muzero.training.checkpoint import LATEST, Checkpoint
from muzero.training.progress import SlidingRates
from muzero.training.run_evaluation import record_evaluation
from muzero.training.run_folder import MetricsLog, RunFolder
from muzero.training.run_policy import RateWindow, RunPolicy, StopFlag

ProgressCallback = Callable[[ProgressSnapshot], None]
WAIT_SECONDS = 0.2  # longest the coordinator waits for any actor before looking at the clock and the stop flag
FILL_POLL_SECONDS = 0.25  # how often it asks the replay buffer how full it is
PING_SECONDS = 60.0  # how long a liveness check of the replay buffer and the storage may take


class Task(Enum):
    WORKER = "self-play worker"
    LEARNER = "the learner"
    FILL = "the replay buffer"
    EVALUATION = "the evaluator"


class Coordinator:
    """Keeps one call in flight per worker and for the learner, and reacts to whichever returns first."""

    def __init__(
        self,
        config: ExperimentConfig,
        folder: RunFolder,
        actors: RunActors,
        stop: StopFlag,
        metrics: MetricsLog,
        callbacks: list[ProgressCallback],
    ) -> None:
        self.config, self.folder, self.actors, self.settings = config, folder, actors, actors.settings
        self.stop, self.metrics, self.callbacks = stop, metrics, callbacks
        self.policy = RunPolicy(config.run)
        self.counters = actors.counters
        self.pending: dict[ray.ObjectRef, tuple[Task, int]] = {}
        self.fill = ReplayFill(0, 0, config.replay.capacity)
        self.loss, self.worker_restarts = math.nan, 0
        self.evaluations = EvaluationLog(folder.path)
        self.evaluation = self.evaluations.latest()
        self.evaluated_step = self.evaluation.training_step if self.evaluation else self.counters.training_step
        has_checkpoint = (folder.checkpoints / LATEST).is_file()
        self.checkpointed_step = self.counters.training_step if has_checkpoint else None
        self.start, self.seconds_before = time.monotonic(), self.counters.seconds
        self.log_window = RateWindow(self.counters)  # the rates of a metrics line: since the previous one
        self.progress_window = SlidingRates(self.counters)  # the display's: over the last seconds, steady
        self.next_fill = self.next_progress = 0.0
        self.paused_workers: set[int] = set()  # workers waiting for the learner (run.selfplay_lead)
        self.returns = ReturnWindow()  # self-play's episode returns (one-player games)

    # The run.

    def run_to_end(self, resume: bool) -> Path:
        """Runs until a limit or the stop flag, then writes the final checkpoint and the replay snapshot."""
        if resume:
            self._call(self.actors.replay.load.remote(str(self.folder.path)), Task.FILL)
        no_op = self.actors.learner.train.remote(self.counters.training_step, 0.0)  # fails if it cannot start
        self.pending[no_op] = (Task.LEARNER, 0)
        for worker_id in range(len(self.actors.workers)):
            self._submit_worker(worker_id)
        while not self.stop:
            self._step()
        return self._finish()

    def _step(self) -> None:
        now = time.monotonic()
        if now >= self.next_fill and Task.FILL not in {task for task, _ in self.pending.values()}:
            self.next_fill = now + FILL_POLL_SECONDS
            self.pending[self.actors.replay.fill.remote()] = (Task.FILL, 0)
        self._submit_learner_if_owed()
        self._resume_paused_workers()
        ready, _ = ray.wait(list(self.pending), num_returns=1, timeout=WAIT_SECONDS)
        for ref in ready:
            self._handle(ref)
        seconds = self._seconds()
        self.counters = replace(self.counters, seconds=seconds)
        self.stop.set(self.policy.limit_reached(self.counters, seconds))
        if now >= self.next_progress:
            self.next_progress = now + self.settings.progress_seconds
            self._report_progress()

    def _finish(self) -> Path:
        """Collects the calls in flight (the learner's and workers' end within a chunk), then saves."""
        in_flight = [ref for ref, (task, _) in self.pending.items() if task in (Task.LEARNER, Task.WORKER)]
        if in_flight:
            timeout = self.settings.chunk_seconds + PING_SECONDS
            ready, _ = ray.wait(in_flight, num_returns=len(in_flight), timeout=timeout)
            for ref in ready:
                self._handle(ref)
        state = self._call(self.actors.learner.state.remote(), Task.LEARNER)
        path = self._write_checkpoint(state)
        self._call(self.actors.replay.save.remote(str(self.folder.path)), Task.FILL)
        self._report_progress()
        return path

    def _seconds(self) -> float:
        return self.seconds_before + time.monotonic() - self.start

    # Submitting work.

    def _submit_worker(self, worker_id: int) -> None:
        ref = self.actors.workers[worker_id].play.remote(self.settings.chunk_seconds)
        self.pending[ref] = (Task.WORKER, worker_id)

    def _resume_paused_workers(self) -> None:
        if self.paused_workers and not self.stop and not self.policy.selfplay_ahead(self.counters):
            for worker_id in sorted(self.paused_workers):
                self._submit_worker(worker_id)
            self.paused_workers.clear()

    def _submit_learner_if_owed(self) -> None:
        if self.stop or Task.LEARNER in {task for task, _ in self.pending.values()}:
            return
        target = self._learner_target()
        if target > self.counters.training_step:
            at_checkpoint = self.policy.checkpoints_at(target)
            ref = self.actors.learner.train.remote(target, self.settings.chunk_seconds, state_at_end=at_checkpoint)
            self.pending[ref] = (Task.LEARNER, 0)

    def _learner_target(self) -> int:
        """The step the learner may go to now: owed by the replay ratio, and never past the next log line,
        checkpoint or the step limit (so those land on exact steps)."""
        step = self.counters.training_step
        owed = self.policy.steps_owed(self.counters, self.fill.num_positions, self.fill.capacity)
        return min(step + owed, self.policy.next_stop_step(step))

    # Results.

    def _handle(self, ref: ray.ObjectRef) -> None:
        task, index = self.pending.pop(ref)
        try:
            value = ray.get(ref)
        except RayError as error:
            self._on_failure(task, index, error)
            return
        if task is Task.WORKER:
            self._on_selfplay(value)
        elif task is Task.LEARNER:
            self._on_learner(value)
        elif task is Task.FILL:
            self.fill = value
        else:
            self._on_evaluation(value)

    def _on_selfplay(self, report: SelfPlayReport) -> None:
        self.counters = replace(
            self.counters,
            games_played=self.counters.games_played + report.games,
            positions_played=self.counters.positions_played + report.positions,
        )
        self.returns.add(report.returns)
        if self.stop:
            return
        if self.policy.selfplay_ahead(self.counters):
            self.paused_workers.add(report.worker_id)
        else:
            self._submit_worker(report.worker_id)

    def _on_learner(self, report: LearnerReport) -> None:
        self.counters = replace(self.counters, training_step=report.training_step)
        if report.steps and self.policy.logs_at(report.training_step):
            self._log(report)
        if report.state is not None:
            self._write_checkpoint(report.state)
            self._evaluate_if_due(report.state)

    def _on_evaluation(self, evaluation: EvaluationResult) -> None:
        self.evaluation = evaluation
        record_evaluation(evaluation, self.evaluations, self.metrics)

    def _on_failure(self, task: Task, index: int, error: RayError) -> None:
        reason = failure_reason(error)
        user_error = user_error_cause(error)
        if user_error is not None:
            raise user_error
        if task is Task.WORKER and not self.stop:
            self._restart_worker(index, reason)
        elif task is Task.EVALUATION:
            print(f"muzero-train: the evaluator failed ({reason}); restarted it", file=sys.stderr)
            self.actors.replace_evaluator()
        elif task is not Task.WORKER:
            if task is Task.LEARNER:
                self._require_replay_and_storage()
            raise TrainingFailed(self._failure_message(f"{task.value} failed ({reason})"))

    def _restart_worker(self, worker_id: int, reason: str) -> None:
        self._require_replay_and_storage()
        self.worker_restarts += 1
        if self.worker_restarts > self.settings.max_worker_restarts:
            failed = f"self-play workers failed {self.worker_restarts} times (last: {reason})"
            raise TrainingFailed(self._failure_message(failed))
        print(
            f"muzero-train: self-play worker {worker_id} failed ({reason}); restarted it "
            f"(restart {self.worker_restarts} of at most {self.settings.max_worker_restarts})",
            file=sys.stderr,
        )
        self.actors.replace_worker(worker_id)
        self._submit_worker(worker_id)

    def _require_replay_and_storage(self) -> None:
        """Raises TrainingFailed naming the replay buffer or the storage when one of them is gone."""
        for name, call in (("replay buffer", self.actors.replay.fill), ("storage", self.actors.storage.counters)):
            try:
                ray.get(call.remote(), timeout=PING_SECONDS)
            except RayError as error:
                failed = f"the {name} failed ({failure_reason(error)})"
                raise TrainingFailed(self._failure_message(failed)) from None

    def _failure_message(self, failed: str) -> str:
        if self.checkpointed_step is None:
            saved = "no checkpoint was written yet"
        else:
            saved = f"the last checkpoint (step {self.checkpointed_step}) is intact: continue with --resume"
        return f"{failed}; the run stopped and {saved}"

    def _call(self, ref: ray.ObjectRef, task: Task):
        """Waits for one call of the learner or the replay buffer; its failure ends the run."""
        try:
            return ray.get(ref)
        except RayError as error:
            self._on_failure(task, 0, error)

    # Saving, logging, evaluating.

    def _write_checkpoint(self, state: LearnerState) -> Path:
        counters = replace(self.counters, training_step=state.training_step, seconds=self._seconds())
        checkpoint = Checkpoint(self.config, counters, state.network_state, state.learner_state, self.actors.game.spec)
        path = self.folder.save(checkpoint)
        self.checkpointed_step = state.training_step
        return path

    def _evaluate_if_due(self, state: LearnerState) -> None:
        interval = self.settings.evaluation_interval or self.config.run.checkpoint_interval
        busy = Task.EVALUATION in {task for task, _ in self.pending.values()}
        if self.actors.evaluator is None or busy or state.training_step - self.evaluated_step < interval:
            return
        self.evaluated_step = state.training_step
        snapshot = WeightsSnapshot(state.training_step, numpy_weights(state.network_state))
        self.pending[self.actors.evaluator.evaluate.remote(snapshot)] = (Task.EVALUATION, 0)

    def _log(self, report: LearnerReport) -> None:
        self.loss = report.losses.get("loss/total", math.nan)
        values = {
            **report.losses,
            "learning_rate": report.learning_rate,
            **self.log_window.rates(self.counters),
            "games": self.counters.games_played,
            "positions": self.counters.positions_played,
            "replay_positions": self.fill.num_positions,
            "minutes": self._seconds() / 60,
            "worker_restarts": self.worker_restarts,
            **self.returns.metrics(),
        }
        self.metrics.write(report.training_step, values)
        self.actors.storage.set_counters.remote(self.counters)

    def _report_progress(self) -> None:
        rates = self.progress_window.rates(self.counters)
        snapshot = ProgressSnapshot(
            counters=self.counters,
            positions_per_second=rates["positions_per_second"],
            steps_per_second=rates["steps_per_second"],
            replay=self.fill,
            loss=self.loss,
            evaluation=self.evaluation,
            worker_restarts=self.worker_restarts,
            running_workers=sum(task is Task.WORKER for task, _ in self.pending.values()),
            returns=self.returns.summary(),
        )
        for callback in self.callbacks:
            callback(snapshot)
