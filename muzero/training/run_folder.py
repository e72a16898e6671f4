"""A run folder: config.toml, checkpoints/, metrics.jsonl and TensorBoard events."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from muzero.core.config import ExperimentConfig, config_to_toml, load_config
from muzero.model.bundle import write_file_atomically
from muzero.training.checkpoint import LATEST, Checkpoint, load_checkpoint, save_checkpoint

if TYPE_CHECKING:
    pass


def default_run_dir(game_name: str, root: str | Path = "runs") -> Path:
    """`runs/<game>/<YYYYmmdd-HHMMSS>`; the game name is made safe for a folder name."""
    game = game_name.replace(":", "_").replace("/", "_")
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
        write_file_atomically(self.config_path, config_to_toml(config).encode())
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
