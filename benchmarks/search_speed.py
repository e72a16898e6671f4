"""Simulations per second of the batched search and of the reference search, on one core.

The constant model returns fixed arrays, so the rows measure the tree work alone (selection, expansion,
backup, latent gathering). `measure(recurrent_fn, roots, params, repeats)` times any model seam, so rows
for real networks can be added beside these. JIT warm-up is excluded: each measurement searches once
before timing. Writes benchmarks/results/search_speed.json.

    python benchmarks/search_speed.py [--simulations 50] [--repeats 20] [--reference-repeats 2] [--algorithm gumbel]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from muzero.core.config import SearchConfig
from muzero.search import RecurrentFn, RecurrentOutput, RootBatch, search
from muzero.search.reference import reference_search

RESULTS = Path(__file__).parent / "results" / "search_speed.json"
LATENT_SIZE = 32


def constant_model(batch_size: int, num_actions: int, num_players: int) -> tuple[RootBatch, RecurrentFn]:
    """Roots and a recurrent_fn answering every batch of `batch_size` (or 1) with the same fixed arrays."""
    rng = np.random.default_rng(0)
    policy_logits = rng.normal(size=(batch_size, num_actions)).astype(np.float32)  # float32[B, A]
    values = rng.uniform(-1, 1, size=(batch_size, num_players)).astype(np.float32)  # float32[B, P]
    answers = {
        size: RecurrentOutput(
            latents=np.zeros((size, LATENT_SIZE), dtype=np.float32),
            rewards=np.zeros((size, num_players), dtype=np.float32),
            next_player_logits=np.eye(num_players, dtype=np.float32)[np.arange(size) % num_players],
            policy_logits=policy_logits[:size],
            values=values[:size],
        )
        for size in {1, batch_size}
    }
    roots = RootBatch(
        latents=np.zeros((batch_size, LATENT_SIZE), dtype=np.float32),
        policy_logits=policy_logits,
        values=values,
        to_play=np.zeros(batch_size, dtype=np.int64),
        legal_mask=np.ones((batch_size, num_actions), dtype=bool),
    )

    def recurrent_fn(latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        return answers[actions.shape[0]]

    return roots, recurrent_fn


def measure(
    recurrent_fn: RecurrentFn,
    roots: RootBatch,
    params: SearchConfig,
    repeats: int,
    search_fn: Callable[..., object] = search,
) -> dict:
    """Best-of-`repeats` simulations per second of `search_fn` over `roots` (after one untimed search)."""
    rng = np.random.default_rng(0)
    search_fn(roots, recurrent_fn, params, rng)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        search_fn(roots, recurrent_fn, params, rng)
        seconds.append(time.perf_counter() - start)
    simulations = roots.batch_size * params.num_simulations
    return {
        "batch_size": roots.batch_size,
        "num_actions": roots.num_actions,
        "num_players": roots.num_players,
        "num_simulations": params.num_simulations,
        "best_seconds": min(seconds),
        "median_seconds": float(np.median(seconds)),
        "simulations_per_second": simulations / min(seconds),
    }


def network_model(game: str, batch_size: int) -> tuple[RootBatch, RecurrentFn, SearchConfig, dict]:
    """Roots from real positions and the game preset's default network (untrained) behind TorchModel.

    The recurrent_fn is wrapped to count the seconds spent in the network, to report its share.
    """
    from muzero.faces.games import experiment_config, game_kit
    from muzero.model.inference import root_batch
    from muzero.model.torch_model import TorchModel
    from muzero.training import components

    config = experiment_config(game, None, [])
    kit = game_kit(config.game)
    make_game = kit.make_game
    network = components.build_network(config.network, kit.spec)
    model = TorchModel(network)
    timesteps = [make_game().reset(seed=i) for i in range(batch_size)]
    roots = root_batch(
        model,
        np.stack([t.observation for t in timesteps]),
        np.array([t.to_play for t in timesteps]),
        np.stack([t.legal_mask for t in timesteps]),
    )
    clock = {"network_seconds": 0.0}

    def recurrent_fn(latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        start = time.perf_counter()
        output = model.recurrent_inference(latents, actions)
        clock["network_seconds"] += time.perf_counter() - start
        return output

    return roots, recurrent_fn, config.search, clock


def network_rows(repeats: int, reference_repeats: int) -> list[dict]:
    import torch

    torch.set_num_threads(1)
    rows = []
    for game in ("tictactoe", "connect4"):
        for batch_size in (1, 64):
            roots, recurrent_fn, params, clock = network_model(game, batch_size)
            batched = measure(recurrent_fn, roots, params, repeats)
            clock["network_seconds"] = 0.0
            searches = 3
            start = time.perf_counter()
            for _ in range(searches):
                search(roots, recurrent_fn, params, np.random.default_rng(0))
            share = clock["network_seconds"] / (time.perf_counter() - start)
            reference = measure(recurrent_fn, roots, params, reference_repeats, reference_search)
            ratio = batched["simulations_per_second"] / reference["simulations_per_second"]
            rows.append(
                {
                    "model": f"{game} default network",
                    "batched": batched,
                    "reference": reference,
                    "speedup": ratio,
                    "network_share": share,
                }
            )
            print(
                f"{game:9s} network  B={batch_size:<3d} sims={params.num_simulations:<3d} batched "
                f"{batched['simulations_per_second']:>8,.0f} sims/s  reference "
                f"{reference['simulations_per_second']:>7,.0f} sims/s  ratio {ratio:5.1f}x  "
                f"network share of search time {share:.0%}"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=50, help="simulations per root")
    parser.add_argument("--repeats", type=int, default=20, help="timed batched searches per row")
    parser.add_argument("--reference-repeats", type=int, default=2, help="timed reference searches per row")
    parser.add_argument("--players", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-networks", action="store_true", help="only the constant-model rows")
    parser.add_argument("--algorithm", default="puct", choices=["puct", "gumbel"], help="constant-model rows")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    params = SearchConfig(num_simulations=args.simulations, algorithm=args.algorithm)
    rows = []
    for batch_size, num_actions in ((1, 9), (64, 7)):
        roots, recurrent_fn = constant_model(batch_size, num_actions, args.players)
        batched = measure(recurrent_fn, roots, params, args.repeats)
        reference = measure(recurrent_fn, roots, params, args.reference_repeats, reference_search)
        ratio = batched["simulations_per_second"] / reference["simulations_per_second"]
        rows.append({"model": "constant", "batched": batched, "reference": reference, "speedup": ratio})
        print(
            f"constant model  B={batch_size:<3d} A={num_actions}  batched {batched['simulations_per_second']:>10,.0f}"
            f" sims/s   reference {reference['simulations_per_second']:>8,.0f} sims/s   ratio {ratio:6.1f}x"
        )
    if not args.no_networks:
        rows += network_rows(max(args.repeats // 4, 3), 1)
    report = {"machine": platform.processor() or platform.machine(), "cores": 1, "rows": rows}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
