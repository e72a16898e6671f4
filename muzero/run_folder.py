"""A run folder: config.toml, checkpoints/, metrics.jsonl and TensorBoard events."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from muzero.checkpoint import LATEST, Checkpoint, load_checkpoint, save_checkpoint
from muzero.config import ExperimentConfig, config_to_toml, load_config
from muzero.errors import UserError

if TYPE_CHECKING:
    from muzero.replay import ReplayBuffer


def default_run_dir(config: ExperimentConfig, root: str | Path = "runs") -> Path:
    """`runs/<game>/<YYYYmmdd-HHMMSS>`; the game name is made safe for a folder name."""
    game = config.game.name.replace(":", "_").replace("/", "_")
    return Path(root) / game / time.strftime("%Y%m%d-%H%M%S")


class RunFolder:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.checkpoints = self.path / "checkpoints"
        self.config_path = self.path / "config.toml"
        self.metrics_path = self.path / "metrics.jsonl"
        self.tensorboard_dir = self.path / "tensorboard"

    def create(self, config: ExperimentConfig) -> RunFolder:
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(config_to_toml(config))
        return self

    def config(self) -> ExperimentConfig:
        return load_config(self.config_path)

    def save(self, checkpoint: Checkpoint) -> Path:
        """Writes `step_NNNNNNNN.pt` and `latest.pt`, both atomically."""
        step = checkpoint.counters.training_step
        save_checkpoint(checkpoint, self.checkpoints / f"step_{step:08d}.pt")
        return save_checkpoint(checkpoint, self.checkpoints / LATEST)

    def latest(self) -> Checkpoint:
        return load_checkpoint(self.checkpoints / LATEST)

    def step_checkpoints(self) -> list[Path]:
        """The numbered checkpoints, oldest first."""
        return sorted(self.checkpoints.glob("step_*.pt"))


class MetricsLog:
    """One JSON line per record in metrics.jsonl, and the same numbers as TensorBoard scalars."""

    def __init__(self, folder: RunFolder, tensorboard: bool = True) -> None:
        self.file = folder.metrics_path.open("a")
        self.writer = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(folder.tensorboard_dir))

    def write(self, step: int, values: dict[str, Any]) -> None:
        self.file.write(json.dumps({"step": step, **values}) + "\n")
        self.file.flush()
        if self.writer is not None:
            for name, value in values.items():
                if isinstance(value, int | float):
                    self.writer.add_scalar(name, value, step)

    def close(self) -> None:
        self.file.close()
        if self.writer is not None:
            self.writer.close()


REPLAY_SNAPSHOT = "replay.npz"  # the replay buffer's contents, written when a run stops


def replay_snapshot_path(run_dir: str | Path) -> Path:
    return Path(run_dir) / REPLAY_SNAPSHOT


def save_replay_snapshot(buffer: ReplayBuffer, run_dir: str | Path) -> Path:
    """Writes `run_dir/replay.npz` atomically (a temporary file, then a rename); returns its path."""
    path = replay_snapshot_path(run_dir)
    buffer.save(path)
    return path


def load_replay_snapshot(buffer: ReplayBuffer, run_dir: str | Path) -> bool:
    """Restores `run_dir/replay.npz` into `buffer`; False when there is none; a one-line UserError when it
    cannot be read or does not fit the buffer."""
    path = replay_snapshot_path(run_dir)
    if not path.is_file():
        return False
    try:
        buffer.load(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        reason = (str(error).splitlines() or [type(error).__name__])[0][:200]
        raise UserError(
            f"{path} is not a usable replay snapshot ({reason}); delete it to resume with an empty replay buffer"
        ) from None
    return True
