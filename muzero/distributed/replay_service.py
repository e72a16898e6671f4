"""The replay buffer as a service: a plain `ReplayBuffer` with its own random generator (no torch, no Ray)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from muzero.core.config import ReplayConfig
from muzero.core.game_kit import GameSpec
from muzero.core.types import Batch, Trajectory
from muzero.distributed.messages import ReplayFill
from muzero.replay import ReplayBuffer
from muzero.replay.snapshot import load_replay_snapshot, save_replay_snapshot


class ReplayService:
    """Takes finished games from the workers, hands sampled batches to the learner."""

    def __init__(
        self, replay: ReplayConfig, spec: GameSpec, discount: float, seed: int, next_observations: bool = False
    ) -> None:
        self.buffer = ReplayBuffer(replay, spec, discount, next_observations)
        self.rng = np.random.default_rng(seed)

    def add_many(self, trajectories: list[Trajectory]) -> None:
        for trajectory in trajectories:
            self.buffer.add(trajectory)

    def flush(self) -> None:
        """Nothing to wait for: games are stored as they arrive."""

    def sample_many(self, batch_size: int, count: int) -> list[Batch]:
        """`count` batches, drawn one after another (one call: a call costs more than a sample)."""
        return [self.buffer.sample(batch_size, self.rng) for _ in range(count)]

    def update_priorities(self, indices: np.ndarray, priorities: np.ndarray) -> None:
        self.buffer.update_priorities(indices, priorities)

    def fill(self) -> ReplayFill:
        return ReplayFill(self.buffer.num_positions, self.buffer.num_games, self.buffer.capacity)

    def save(self, run_dir: str) -> str:
        """Writes the run folder's replay snapshot (atomically); returns its path."""
        return str(save_replay_snapshot(self.buffer, Path(run_dir)))

    def load(self, run_dir: str) -> bool:
        """Restores the run folder's replay snapshot; False when the run has none."""
        return load_replay_snapshot(self.buffer, Path(run_dir))
