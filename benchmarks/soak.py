"""Memory soak: resident memory of every process of a distributed run (the driver, the self-play workers, the
replay buffer, the learner, the storage, the evaluator, and Ray's own daemons), sampled every `--interval`
seconds for `--minutes` minutes once the run is warm, then a table with each process's max/min
ratio. The goal is flat memory: every actor within 10% (ratio <= 1.10), since the buffer is bounded by its
capacity and nothing else keeps growing lists.

The run is `muzero.distributed.train_distributed` on a game preset with a small replay capacity (so it fills
in a minute or so), in a temporary run folder. "Warm" means the replay buffer is full, the evaluator has
reported its first evaluation and `--warmup-minutes` more have passed. By then every process has made its
one-time allocations (the evaluator loads its opponents at the first evaluation; Ray's raylet was seen to
grow from 31 to 34 MiB in that first minute and then stay flat), so growth after that point is a leak.
No sample is taken once the run is stopping (the final checkpoint and replay snapshot are written then).
Writes benchmarks/results/soak.json.

    python benchmarks/soak.py [--minutes 20] [--interval 60] [--warmup-minutes 1] [--workers 2] [--capacity 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from muzero.distributed import DistributedSettings, ProgressSnapshot, train_distributed
from muzero.faces.games import experiment_config, game_kit
from muzero.training.run_policy import StopFlag
from muzero.training.train import RunSetup

RESULTS = Path(__file__).parent / "results" / "soak.json"
FLAT_RATIO = 1.10


def resident_megabytes(pid: int) -> float | None:
    """Resident set size of `pid` in MiB (psutil, else /proc/PID/status); None once the process is gone."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        pass
    except Exception:  # psutil.NoSuchProcess and friends
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_processes() -> dict[int, str]:
    """pid -> role of this driver and every process below it (Ray's daemons and the actors it started)."""
    import psutil

    driver = psutil.Process()
    processes = {driver.pid: "driver"}
    for child in driver.children(recursive=True):
        try:
            name = child.name()
        except psutil.Error:
            continue
        processes[child.pid] = name.removeprefix("ray::").split(".")[0]  # "ray::WorkerActor.play" -> WorkerActor
    return processes


@dataclass
class Sampler:
    """Called with each progress snapshot; samples every process's memory each `interval` once the run is warm
    (buffer full, first evaluation done), and stops the run after `minutes` of samples."""

    interval: float
    minutes: float
    stop: StopFlag
    full_margin: int  # positions; the buffer evicts whole games, so "full" means within one game of capacity
    warmup_minutes: float = 1.0
    loaded: float | None = None  # when the buffer was first seen full with an evaluation done
    started: float | None = None  # when the run was first seen warm (loaded + warm-up)
    next_sample: float = 0.0
    roles: dict[int, str] = field(default_factory=dict)
    samples: dict[int, list[float]] = field(default_factory=dict)  # pid -> MiB per sample; one list per process

    def __call__(self, snapshot: ProgressSnapshot) -> None:
        now = time.monotonic()
        if self.stop:
            return
        if self.loaded is None and self.is_loaded(snapshot):
            self.loaded = now
            seconds = snapshot.counters.seconds
            print(f"buffer full and first evaluation done after {seconds:.0f} s; warming up", flush=True)
        if self.started is None:
            if self.loaded is None or now - self.loaded < self.warmup_minutes * 60:
                return
            self.started, self.next_sample = now, now
            print("sampling", flush=True)
        if now >= self.next_sample:
            self.next_sample += self.interval
            self.sample(now)
        if now - self.started >= self.minutes * 60:
            self.stop.set("minutes")

    def is_loaded(self, snapshot: ProgressSnapshot) -> bool:
        buffer_full = snapshot.replay.num_positions + self.full_margin >= snapshot.replay.capacity
        return buffer_full and snapshot.evaluation is not None

    def sample(self, now: float) -> None:
        for pid, role in run_processes().items():
            megabytes = resident_megabytes(pid)
            if megabytes is not None:
                self.roles.setdefault(pid, role)
                self.samples.setdefault(pid, []).append(megabytes)
        print(f"  sample at {(now - self.started) / 60:5.1f} min: {len(self.samples)} processes", flush=True)

    def rows(self) -> list[dict]:
        rows = []
        for pid, values in self.samples.items():
            ratio = max(values) / max(min(values), 1e-9)
            rows.append({"pid": pid, "process": self.roles[pid], "mib": values, "max_over_min": ratio})
        return sorted(rows, key=lambda row: (row["process"], row["pid"]))


def print_table(rows: list[dict]) -> None:
    print(f"{'process':22s} {'pid':>8s}  {'first MiB':>9s} {'last MiB':>9s} {'max/min':>8s}  flat")
    for row in rows:
        mib = row["mib"]
        flat = "yes" if row["max_over_min"] <= FLAT_RATIO else "NO"
        print(f"{row['process']:22s} {row['pid']:8d}  {mib[0]:9.1f} {mib[-1]:9.1f} {row['max_over_min']:8.3f}  {flat}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="minutes of sampling once the buffer is full")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--warmup-minutes", type=float, default=1.0, help="wait after the first evaluation")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--capacity", type=int, default=5000, help="replay capacity in positions (small: fills fast)")
    parser.add_argument("--game", default="tictactoe", help="a game with a preset")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    settings = [f"replay.capacity={args.capacity}", "run.min_replay_positions=500", "run.training_steps=100000000"]
    config = experiment_config(args.game, None, settings)
    stop = StopFlag()
    sampler = Sampler(args.interval, args.minutes, stop, config.selfplay.max_moves, args.warmup_minutes)
    with tempfile.TemporaryDirectory(prefix="muzero-soak-") as run_dir:
        setup = RunSetup(config, Path(run_dir) / "run", game_kit(config.game), show_progress=False)
        settings = DistributedSettings(workers=args.workers, evaluation_games_per_seat=5)
        result = train_distributed(setup, settings, stop=stop, on_progress=sampler)
    rows = sampler.rows()
    print_table(rows)
    counters = result.counters
    report = {
        "cpus": os.cpu_count(),
        "game": args.game,
        "workers": args.workers,
        "replay_capacity": args.capacity,
        "minutes_sampled": args.minutes,
        "interval_seconds": args.interval,
        "warmup_minutes": args.warmup_minutes,
        "training_steps": counters.training_step,
        "games_played": counters.games_played,
        "flat_within_10_percent": all(row["max_over_min"] <= FLAT_RATIO for row in rows),
        "processes": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
