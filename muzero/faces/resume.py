"""What `muzero-train --resume RUN --set ...` may change, and whether a run has budget left to resume."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from muzero.core.config import ExperimentConfig, config_to_dict
from muzero.core.errors import UserError
from muzero.training.run_policy import MINUTES, STEPS, RunPolicy

if TYPE_CHECKING:
    from muzero.training.checkpoint import Counters  # not at run time: muzero.training.checkpoint imports torch

# What `--resume RUN --set ...` may change: what the checkpoint, the optimizer's state and the restored replay
# buffer do not hold. The replay buffer's positions and value targets (replay.*, search.discount), the network
# (game.*, network.*), the optimizer's own settings and the run's seed and pace stay those of the run.
RESUMABLE_FIELDS = ("run.training_steps", "run.minutes", "run.checkpoint_interval", "run.log_interval", "run.threads")
RESUMABLE_SECTIONS = ("search", "selfplay", "learner")
NOT_RESUMABLE = ("search.discount", "learner.optimizer", "learner.momentum", "learner.weight_decay")
RESUMABLE_TEXT = (
    f"{', '.join(RESUMABLE_FIELDS)}, search.* but search.discount, selfplay.*, "
    "and learner.* but learner.optimizer, learner.momentum and learner.weight_decay"
)


def resumable(setting: str) -> bool:
    """Whether a resume may change `setting` ("section.field")."""
    if setting in NOT_RESUMABLE:
        return False
    return setting in RESUMABLE_FIELDS or setting.partition(".")[0] in RESUMABLE_SECTIONS


def changed_settings(before: ExperimentConfig, after: ExperimentConfig) -> dict[str, tuple[object, object]]:
    """Each "section.field" (a game argument: "game.KEY") whose value differs, with its values before and after."""
    old, new = config_to_dict(before), config_to_dict(after)
    old["game"] |= {f"args.{key}": value for key, value in old["game"].pop("args").items()}
    new["game"] |= {f"args.{key}": value for key, value in new["game"].pop("args").items()}
    changed = {}
    for section in new:
        for name in sorted(set(old[section]) | set(new[section])):
            if old[section].get(name) != new[section].get(name):
                changed[f"{section}.{name.removeprefix('args.')}"] = (old[section].get(name), new[section].get(name))
    return changed


def resumable_changes(saved: ExperimentConfig, config: ExperimentConfig) -> dict[str, tuple[object, object]]:
    """The settings `config` changes from the run's `saved` ones; refuses one that a resume cannot change."""
    changed = changed_settings(saved, config)
    refused = [setting for setting in changed if not resumable(setting)]
    if refused:
        raise UserError(
            f"a resume cannot change {', '.join(refused)}: it goes on with the run's own network, replay buffer, "
            f"optimizer, seed and pace; it may change {RESUMABLE_TEXT}"
        )
    return changed


def require_budget_left(run_dir: Path, config: ExperimentConfig, counters: Counters) -> None:
    """Refuses, before Ray or anything else starts, to resume a run that already reached its step or time limit
    (the limits as both trainers check them: `RunPolicy.limit_reached`)."""
    run, reached = config.run, RunPolicy(config.run).limit_reached(counters, counters.seconds)
    if reached == STEPS:
        raise UserError(
            f"run {run_dir} already reached its budget of {run.training_steps:,} steps "
            f"(at step {counters.training_step:,}); raise --steps to train further"
        )
    if reached == MINUTES:
        raise UserError(
            f"run {run_dir} already reached its budget of {run.minutes:g} minute{'' if run.minutes == 1 else 's'} "
            f"({counters.seconds / 60:.1f} trained); raise --minutes to train further"
        )
