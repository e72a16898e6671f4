"""Checkpoints: weights, optimizer, counters and config in one file, written atomically.

A checkpoint is a dict of tensors, numbers and strings saved with `torch.save` to a temporary file in the
same folder and renamed over the target, so a crash never leaves a half-written file. It is read with
`torch.load(weights_only=True)`: nothing a user hands in is unpickled. It records its game's sizes (players,
actions, observation shape: `game_spec`), so that its network is rebuilt without making the game; checkpoints
written before they did have none (`Checkpoint.spec` is None), and their readers ask the game.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from muzero.core.config import ExperimentConfig, config_from_dict, config_to_dict
from muzero.core.errors import UserError
from muzero.core.game_kit import GameSpec

FORMAT = "muzero-nplayer-checkpoint"
VERSION = 1
LATEST = "latest.pt"


@dataclass(frozen=True)
class Counters:
    """How far a run has come."""

    training_step: int = 0  # learner steps taken
    games_played: int = 0  # self-play games finished
    positions_played: int = 0  # self-play decisions taken
    seconds: float = 0.0  # training time so far, over all sessions of the run


@dataclass(frozen=True)
class Checkpoint:
    config: ExperimentConfig
    counters: Counters
    network_state: dict[str, torch.Tensor]
    learner_state: dict[str, Any]
    # the game's sizes: only those are stored, a loaded spec has no symmetries (they come from the game);
    # None for a checkpoint written before checkpoints recorded them
    spec: GameSpec | None = None


def save_checkpoint(checkpoint: Checkpoint, path: str | Path) -> Path:
    """Writes `checkpoint` to `path` atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "config": config_to_dict(checkpoint.config),
        "counters": asdict(checkpoint.counters),
        "network": checkpoint.network_state,
        "learner": checkpoint.learner_state,
    }
    if checkpoint.spec is not None:
        payload["game_spec"] = spec_sizes(checkpoint.spec)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            torch.save(payload, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Reads a checkpoint file, or the latest checkpoint of a run folder; one-line UserError otherwise."""
    path = resolve_checkpoint_path(path)
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols of foreign files
            warnings.simplefilter("ignore")
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # truncated, corrupt, or holding more than plain data (refused unpickling)
        raise UserError(f"{path} is not a checkpoint of this project: {_load_failure(error)}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise UserError(f"{path} is not a checkpoint of this project (no '{FORMAT}' marker)")
    if payload.get("version") != VERSION:
        raise UserError(f"{path} has checkpoint version {payload.get('version')}; this muzero reads {VERSION}")
    return Checkpoint(
        config=config_from_dict(payload["config"]),
        counters=Counters(**payload["counters"]),
        network_state=payload["network"],
        learner_state=payload["learner"],
        spec=_stored_spec(payload.get("game_spec"), path),
    )


def spec_sizes(spec: GameSpec) -> dict[str, Any]:
    """A game's sizes as plain data (what a checkpoint stores of its spec)."""
    shape = [int(size) for size in spec.observation_shape]
    return {"num_players": int(spec.num_players), "num_actions": int(spec.num_actions), "observation_shape": shape}


def _stored_spec(sizes: Any, path: Path) -> GameSpec | None:
    """The GameSpec of a checkpoint's stored sizes (no symmetries); None where it stored none."""
    if sizes is None:
        return None
    try:
        shape = tuple(int(size) for size in sizes["observation_shape"])
        return GameSpec(int(sizes["num_players"]), int(sizes["num_actions"]), shape)
    except (KeyError, TypeError, ValueError):
        raise UserError(f"{path} is not a checkpoint of this project: its game_spec is not the game's sizes") from None


def _load_failure(error: Exception) -> str:
    """Why torch.load(weights_only=True) refused a file, in a few words (not torch's advice to unpickle it)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if lines and lines[0].startswith("Weights only load failed"):
        advice = ("Please file an issue", "Check the documentation", "You can use", "(1)", "(2)")
        details = [line.removeprefix("WeightsUnpickler error:").strip() for line in lines[1:]]
        details = [line for line in details if line and not line.startswith(advice)]
        found = f" ({details[0][:120]})" if details else ""
        return f"not a file of tensors and plain data{found}; nothing in it was unpickled"
    return (lines[0].split(". ")[0] if lines else type(error).__name__)[:160]


def resolve_checkpoint_path(path: str | Path) -> Path:
    """A checkpoint file as given, or `checkpoints/latest.pt` of a run folder."""
    path = Path(path)
    if path.is_dir():
        candidate = path / "checkpoints" / LATEST
        if not candidate.is_file():
            raise UserError(f"{path} is a folder without checkpoints/{LATEST}: not a run folder")
        return candidate
    if not path.is_file():
        raise UserError(f"checkpoint {path} does not exist")
    return path
