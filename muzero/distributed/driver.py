"""The distributed training driver: joins or starts Ray, starts the actors, lets the `Coordinator` run them,
and stops cleanly (final checkpoint and replay snapshot) on the step or time limit or on SIGINT/SIGTERM;
`run_from_cli` is what `muzero-train` calls.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import ray

from muzero.core.config import ExperimentConfig
from muzero.core.errors import UserError
from muzero.distributed import ray_auth
from muzero.distributed.actors import RunActors
from muzero.distributed.coordinator import Coordinator, ProgressCallback
from muzero.distributed.failures import TrainingFailed
from muzero.distributed.messages import DistributedSettings
from muzero.distributed.progress_view import DistributedProgressView
from muzero.evaluation.evaluations import EVALUATION_GAMES_PER_SEAT
from muzero.training.checkpoint import LATEST, Checkpoint, Counters
from muzero.training.run_folder import MetricsLog, RunFolder
from muzero.training.run_policy import StopFlag, stop_on_signals
from muzero.training.train import RunSetup, TrainingResult, train

EXIT_TRAINING_FAILED = 1  # exit code of muzero-train when a vital part of a distributed run failed


def train_distributed(
    setup: RunSetup,
    settings: DistributedSettings | None = None,
    *,
    stop: StopFlag | None = None,
    on_progress: ProgressCallback | None = None,
) -> TrainingResult:
    """Trains with `settings.workers` self-play actors until `run.training_steps`, `run.minutes` or a signal.

    Ends with a checkpoint and `run_dir/replay.npz`; `setup.resume` continues a run folder exactly (steps,
    optimizer, replay contents, evaluation history). Raises TrainingFailed (one line) when the learner, the
    replay buffer or the storage fails; the last checkpoint is then left as it was.
    """
    settings = settings or DistributedSettings()
    if settings.workers < 1:
        raise UserError(f"the number of self-play workers must be at least 1, got {settings.workers}")
    config, resume = setup.config, setup.resume
    folder = RunFolder(setup.run_dir)
    checkpoint = resume_checkpoint(folder, config) if resume else None
    if settings.ray_address and not ray.is_initialized():
        ray_auth.prepare_to_join(settings.ray_address)  # a refused token or a wrong address: before any file
    folder.create(config)  # on a resume too: the settings a resume may change are kept for the next one
    counters = checkpoint.counters if checkpoint is not None else Counters()
    stop = stop if stop is not None else StopFlag()  # an unset StopFlag is falsy
    starting = f"starting Ray{' (joining ' + settings.ray_address + ')' if settings.ray_address else ''}…"
    view = DistributedProgressView(config.run, counters, starting=starting) if setup.show_progress else None
    callbacks = [callback for callback in (on_progress, view and view.show_snapshot) if callback is not None]
    metrics = MetricsLog(folder)
    try:
        # signals are caught before Ray starts, and again after: Ray's core worker installs its own SIGTERM handler;
        # the live display is up first, so that it says Ray is starting
        with stop_on_signals(stop), view or nullcontext(), ray_session(settings.ray_address), stop_on_signals(stop):
            actors = RunActors(config, setup.game, checkpoint, settings)
            try:
                coordinator = Coordinator(config, folder, actors, stop, metrics, callbacks)
                path = coordinator.run_to_end(resume)
            finally:
                actors.kill_all()
    finally:
        metrics.close()
    return TrainingResult(folder.path, coordinator.counters, path, stop.reason)


def resume_checkpoint(folder: RunFolder, config: ExperimentConfig) -> Checkpoint:
    """The run folder's latest checkpoint, when it exists and fits `config` (same game and network)."""
    if not (folder.checkpoints / LATEST).is_file():
        raise UserError(f"{folder.path} holds no checkpoint to resume (no checkpoints/{LATEST}); drop --resume")
    checkpoint = folder.latest()
    for section in ("game", "network"):
        if getattr(checkpoint.config, section) != getattr(config, section):
            raise UserError(
                f"{folder.path} was trained with other [{section}] settings than asked now; "
                f"resume with the run's own config.toml"
            )
    return checkpoint


@contextmanager
def ray_session(address: str | None) -> Iterator[None]:
    """Joins the Ray cluster at `address`, or starts a local Ray for this run (shut down afterwards);
    an already initialised Ray (a test's, a notebook's) is used as it is and left running."""
    if ray.is_initialized():
        yield
        return
    try:
        if address:
            ray_auth.prepare_to_join(address)  # this machine's token, or one line on how to supply it
            ray.init(address=address, logging_level=logging.WARNING)
        else:
            ray_auth.use_token_auth_locally()
            # "local": a new instance even when `ray start` left one running on this machine. Task events
            # (kept by Ray's GCS for its state API, which training never reads) grew its memory by ~6 MiB a
            # minute in the soak benchmark: they are not recorded.
            ray.init(
                address="local",
                num_cpus=os.cpu_count(),
                include_dashboard=False,
                logging_level=logging.WARNING,
                _system_config={"task_events_report_interval_ms": 0},
            )
    except UserError:  # a UserError is a ValueError: not caught below
        raise
    except ray_auth.AUTHENTICATION_ERRORS as error:
        raise UserError(ray_auth.token_missing(error)) from None
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise UserError(f"cannot start {where}: {str(error).strip().splitlines()[0][:200]}") from None
    try:
        yield
    finally:
        ray.shutdown()


def default_workers() -> int:
    """Self-play workers when none are asked for: one per CPU but one (for the learner), at least one."""
    return max(1, (os.cpu_count() or 2) - 1)


def run_from_cli(setup: RunSetup, settings: DistributedSettings | None) -> int:
    """What `muzero-train` runs once its arguments are parsed: on Ray with `settings`, or, without them
    (`--sync`), the synchronous loop in this process, which evaluates each checkpoint as the Ray evaluator does
    (EVALUATION_GAMES_PER_SEAT games per seat).

    Prints the one-line summary on stdout and returns the exit code: 0 when the run stopped by a limit or
    a signal (its checkpoint saved), 1 with a one-line error when a vital part of a distributed run failed.
    UserErrors propagate for the CLI to print (exit code 2).
    """
    if settings is None:
        result = train(setup, evaluation_games_per_seat=EVALUATION_GAMES_PER_SEAT)
    else:
        try:
            result = train_distributed(setup, settings)
        except TrainingFailed as error:
            print(f"muzero-train: error: {error}", file=sys.stderr)
            return EXIT_TRAINING_FAILED
    counters = result.counters
    print(
        f"muzero-train: stopped by {result.stopped_by} after {counters.training_step} steps, "
        f"{counters.games_played} games, {counters.seconds / 60:.1f} minutes; checkpoint {result.checkpoint}"
    )
    return 0
