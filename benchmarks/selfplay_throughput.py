"""Self-play throughput: positions (decisions) per second of the synchronous `SelfPlay` loop in one process
and of W = 1, 2, ... Ray self-play workers, with the same network and simulations (a game preset, tic-tac-toe
by default), and learner steps per second while self-play runs (and alone, for comparison).

Every actor is the one `muzero-train` starts (`muzero.distributed.actors`), sized by the same CPU shares, with
torch on one thread; the synchronous loop runs with torch on one thread as well. Each measurement starts after a
warm-up (the search compiled, the weights pulled, games in the replay buffer). Writes
benchmarks/results/selfplay_throughput.json. Run it on an idle machine:

    python benchmarks/selfplay_throughput.py [--seconds 30] [--workers 1 2] [--game tictactoe] [--set K=V ...]

`--set selfplay.inference=torch` measures self-play with torch instead of onnxruntime (the default).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from muzero.core.config import ExperimentConfig
from muzero.core.game_kit import GameKit
from muzero.distributed.messages import DistributedSettings
from muzero.faces.games import experiment_config, game_kit
from muzero.training import components

RESULTS = Path(__file__).parent / "results" / "selfplay_throughput.json"
WARM_UP_SECONDS = 3.0


def synchronous_row(config: ExperimentConfig, game: GameKit, seconds: float) -> dict:
    """Positions per second of one `SelfPlay` in this process."""
    import torch

    from muzero.training.selfplay import SelfPlay

    torch.set_num_threads(1)
    network = components.build_network(config.network, game.spec)
    model = components.build_inference_model(config.selfplay.inference, network)
    selfplay = SelfPlay(game.make_game, model, config.search, config.selfplay, np.random.default_rng(0))
    selfplay.play_move(0)  # compiles the search
    positions, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        positions += selfplay.play_move(0).positions
    return {"mode": "synchronous", "workers": 0, "positions_per_second": positions / (time.perf_counter() - start)}


def ray_row(config: ExperimentConfig, game: GameKit, workers: int, seconds: float, batches_per_request: int) -> dict:
    """Positions per second of `workers` Ray workers, without and with the learner training beside them;
    the learner fetches `batches_per_request` batches per call to the replay actor."""
    import ray

    from muzero.distributed.actors import LearnerActor, Peers, ReplayActor, StorageActor, WorkerActor, cpu_shares
    from muzero.training.checkpoint import Counters

    shares = cpu_shares(ray.cluster_resources()["CPU"], workers)
    storage = StorageActor.options(num_cpus=0).remote(Counters())
    replay = ReplayActor.options(num_cpus=shares.light).remote(config.replay, game.spec, config.discount, 0)
    peers = Peers(storage, replay, DistributedSettings(workers=workers, batches_per_request=batches_per_request))
    learner = LearnerActor.options(num_cpus=shares.heavy).remote(config, game.spec, None, peers)
    actors = [
        WorkerActor.options(num_cpus=shares.heavy).remote(config, game, index, index, peers) for index in range(workers)
    ]
    try:
        while sum(report.games for report in ray.get([a.play.remote(WARM_UP_SECONDS) for a in actors])) == 0:
            pass  # until the workers have weights, a compiled search and finished games in the buffer
        ray.get(learner.train.remote(1, WARM_UP_SECONDS))
        alone = _measure(actors, None, seconds)
        beside = _measure(actors, learner, seconds)
        learner_alone = _measure([], learner, seconds)
    finally:
        for actor in (*actors, learner, replay, storage):
            ray.kill(actor)
    return {
        "mode": "ray",
        "workers": workers,
        "batches_per_request": batches_per_request,
        "cpu_share_per_worker": shares.heavy,
        "positions_per_second": alone["positions_per_second"],
        "positions_per_second_with_learner": beside["positions_per_second"],
        "learner_steps_per_second_with_selfplay": beside["steps_per_second"],
        "learner_steps_per_second_alone": learner_alone["steps_per_second"],
    }


def _measure(actors: list, learner, seconds: float) -> dict[str, float]:
    """Runs one `play` per worker and one `train` of the learner (if any) for `seconds` at once."""
    import ray

    start = time.perf_counter()
    plays = [actor.play.remote(seconds) for actor in actors]
    training = learner.train.remote(10**12, seconds) if learner is not None else None
    positions = sum(report.positions for report in ray.get(plays))
    steps = ray.get(training).steps if training is not None else 0
    elapsed = time.perf_counter() - start
    return {"positions_per_second": positions / elapsed, "steps_per_second": steps / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each timed phase")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Ray worker counts to measure")
    parser.add_argument(
        "--batches-per-request",
        type=int,
        nargs="+",
        default=[DistributedSettings().batches_per_request],
        help="batches the learner fetches per call to the replay actor (several: one row each)",
    )
    parser.add_argument("--game", default="tictactoe", help="a game with a preset")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE", help="config override")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    config = experiment_config(args.game, None, args.set)
    game = game_kit(config.game)
    rows = [synchronous_row(config, game, args.seconds)]
    print(f"synchronous SelfPlay, 1 process: {rows[0]['positions_per_second']:8,.0f} positions/s")
    import ray

    ray.init(address="local", num_cpus=os.cpu_count(), include_dashboard=False, logging_level="WARNING")
    try:
        for workers, per_request in itertools.product(args.workers, args.batches_per_request):
            row = ray_row(config, game, workers, args.seconds, per_request)
            rows.append(row)
            print(
                f"ray, {workers} worker(s) at {row['cpu_share_per_worker']:.2f} CPU, {per_request} batch(es) "
                "per replay request: "
                f"{row['positions_per_second']:8,.0f} positions/s alone, "
                f"{row['positions_per_second_with_learner']:8,.0f} with the learner training at "
                f"{row['learner_steps_per_second_with_selfplay']:.1f} steps/s "
                f"(learner alone {row['learner_steps_per_second_alone']:.1f} steps/s)"
            )
    finally:
        ray.shutdown()
    search, selfplay = config.search, config.selfplay
    report = {
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "game": args.game,
        "settings": args.set,
        "inference": selfplay.inference,
        "num_simulations": search.num_simulations,
        "parallel_games": selfplay.parallel_games,
        "batch_size": config.learner.batch_size,
        "seconds_per_phase": args.seconds,
        "rows": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
