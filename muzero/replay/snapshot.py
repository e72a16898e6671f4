"""A run folder's replay snapshot: the replay buffer's contents in `RUN_DIR/replay.npz` (numpy only)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from muzero.core.errors import UserError
from muzero.replay.buffer import ReplayBuffer

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
