"""Distributed training on Ray: the only package of the project that imports ray.

Each actor is a thin Ray shell (`actors.py`) around a plain class that works without Ray:
`SharedStorage` (latest weights, counters), `ReplayService` (a `ReplayBuffer`), `SelfPlayWorker` (a
`SelfPlay` of B games), `LearnerService` (the `Learner`, prefetching batches) and `Evaluator` (matches against
reference opponents). `train_distributed` drives them; `run_from_cli` is what `muzero-train` calls.
"""

from muzero.lazy import lazy_attributes

# public name -> module; loaded on first use, so that an actor process unpickling one class of this package
# imports neither the driver (torch, rich) nor the other actors' dependencies
_MODULES = {
    "DistributedSettings": "messages",
    "EvaluationLog": "evaluator",
    "EvaluationResult": "messages",
    "Evaluator": "evaluator",
    "LearnerReport": "messages",
    "LearnerService": "learner_service",
    "LearnerState": "messages",
    "LocalBatchSource": "learner_service",
    "OpponentResult": "messages",
    "ProgressSnapshot": "messages",
    "ReplayFill": "messages",
    "ReplayService": "replay_service",
    "SelfPlayReport": "messages",
    "SelfPlayWorker": "workers",
    "SharedStorage": "storage",
    "TrainingFailed": "failures",
    "WeightsSnapshot": "messages",
    "default_workers": "driver",
    "ray_session": "driver",
    "run_from_cli": "driver",
    "train_distributed": "driver",
}

__all__ = sorted(_MODULES)

__getattr__ = lazy_attributes(
    "muzero.distributed", {name: f"muzero.distributed.{module}" for name, module in _MODULES.items()}
)
