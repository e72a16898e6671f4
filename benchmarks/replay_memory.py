"""Replay memory and sampling speed: bytes per stored position (compact vs float32 observations) and the
time to sample a training batch of 256 positions (K = 5) from a full 100k-position buffer.

Run: `.venv/bin/python benchmarks/replay_memory.py [--output PATH]`; prints a table and writes
`benchmarks/results/replay_memory.json` (or PATH).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from muzero.core.config import ReplayConfig
from muzero.core.game_kit import GameSpec
from muzero.core.types import Trajectory
from muzero.replay import ReplayBuffer

CAPACITY = 100_000
BATCH_SIZE = 256
UNROLL_STEPS = 5
SAMPLE_REPEATS = 200
RESULTS_PATH = Path(__file__).parent / "results" / "replay_memory.json"


@dataclass(frozen=True)
class GameShape:
    name: str
    observation_shape: tuple[int, ...]  # (C, H, W) planes as the PettingZoo adapter makes them
    num_actions: int
    num_players: int
    game_lengths: tuple[int, int]  # decisions per game: uniform in [low, high]


GAMES = (
    GameShape("tictactoe-like", (2, 3, 3), 9, 2, (5, 9)),
    GameShape("connect4-like", (2, 6, 7), 7, 2, (7, 42)),
)


def random_game(shape: GameShape, rng: np.random.Generator, observation_scale: float) -> Trajectory:
    """A game of 0/1 planes (times observation_scale: 0.5 forces float32 storage)."""
    length = int(rng.integers(shape.game_lengths[0], shape.game_lengths[1] + 1))
    planes = rng.integers(0, 2, size=(length, *shape.observation_shape)).astype(np.float32)
    policies = rng.random((length, shape.num_actions)).astype(np.float32)
    return Trajectory(
        observations=planes * observation_scale,
        to_play=np.arange(length) % shape.num_players,
        actions=rng.integers(0, shape.num_actions, size=length),
        rewards=np.zeros((length, shape.num_players), dtype=np.float32),
        policies=policies / policies.sum(axis=1, keepdims=True),
        root_values=rng.uniform(-1, 1, size=(length, shape.num_players)).astype(np.float32),
        legal_masks=np.ones((length, shape.num_actions), dtype=bool),
        terminal=True,
    )


def fill(shape: GameShape, observation_scale: float, positions: int) -> tuple[ReplayBuffer, float]:
    """A buffer after `positions` positions were added; also the mean seconds per added game."""
    spec = GameSpec(shape.num_players, shape.num_actions, shape.observation_shape)
    buffer = ReplayBuffer(ReplayConfig(capacity=CAPACITY, unroll_steps=UNROLL_STEPS), spec)
    rng = np.random.default_rng(0)
    games = [random_game(shape, rng, observation_scale) for _ in range(200)]
    start = time.perf_counter()
    while buffer.total_positions_added < positions:
        buffer.add(games[buffer.total_games_added % len(games)])
    return buffer, (time.perf_counter() - start) / buffer.total_games_added


def median_seconds(action, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return float(np.median(timings))


def measure(shape: GameShape) -> dict[str, object]:
    compact, add_seconds = fill(shape, observation_scale=1.0, positions=CAPACITY)
    compact_bytes_full = compact.nbytes
    while compact.total_positions_added < 3 * CAPACITY:  # keep adding: memory must stay flat
        compact.add(random_game(shape, np.random.default_rng(compact.total_games_added), 1.0))
    as_float32, _ = fill(shape, observation_scale=0.5, positions=CAPACITY)
    rng = np.random.default_rng(1)
    elements = int(np.prod(shape.observation_shape))
    return {
        "observation_shape": list(shape.observation_shape),
        "stored_observation_dtypes": sorted({dtype.name for dtype in compact.observation_dtypes()}),
        "observation_bytes_per_position_compact": elements * compact.observation_dtypes()[0].itemsize,
        "observation_bytes_per_position_float32": elements * 4,
        "total_bytes_per_position_compact": compact_bytes_full / compact.num_positions,
        "total_bytes_per_position_float32": as_float32.nbytes / as_float32.num_positions,
        "positions_held": compact.num_positions,
        "buffer_megabytes_after_1x_capacity": compact_bytes_full / 2**20,
        "buffer_megabytes_after_3x_capacity": compact.nbytes / 2**20,
        "add_game_ms": 1e3 * add_seconds,
        "sample_batch_ms": 1e3 * median_seconds(lambda: compact.sample(BATCH_SIZE, rng), SAMPLE_REPEATS),
        "sample_batch_float32_storage_ms": 1e3
        * median_seconds(lambda: as_float32.sample(BATCH_SIZE, rng), SAMPLE_REPEATS),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS_PATH, help="where to write the JSON")
    args = parser.parse_args()
    results = {
        "capacity": CAPACITY,
        "batch_size": BATCH_SIZE,
        "unroll_steps": UNROLL_STEPS,
        "games": {shape.name: measure(shape) for shape in GAMES},
    }
    print(f"replay buffer of {CAPACITY} positions, batches of {BATCH_SIZE} unrolled {UNROLL_STEPS} steps")
    for name, row in results["games"].items():
        print(
            f"{name:>15}: observation {row['observation_bytes_per_position_compact']} B/position "
            f"({'/'.join(row['stored_observation_dtypes'])}) vs {row['observation_bytes_per_position_float32']} B"
            f" float32; whole buffer {row['total_bytes_per_position_compact']:.0f} vs "
            f"{row['total_bytes_per_position_float32']:.0f} B/position; "
            f"{row['buffer_megabytes_after_1x_capacity']:.1f} MiB after 1x capacity, "
            f"{row['buffer_megabytes_after_3x_capacity']:.1f} MiB after 3x; "
            f"sample {row['sample_batch_ms']:.2f} ms ({row['sample_batch_float32_storage_ms']:.2f} ms float32); "
            f"add {row['add_game_ms']:.3f} ms/game"
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
