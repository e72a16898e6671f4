"""Inference latency: torch against onnxruntime on the default tic-tac-toe and connect-four networks.

For batch 1 and batch 64, the median time of `initial_inference` and `recurrent_inference` through the
Model seam (numpy in, numpy out, as the search calls them), for torch on 1 thread and on its default
threads, and onnxruntime on 1 intra-op thread and on its default threads; then the time of one agent move
at 100 simulations with each backend (1 thread each). The networks are freshly initialised: latency does
not depend on the weights. Prints a table with the onnxruntime/torch speed-up at batch 1 (1 thread each)
and writes benchmarks/results/inference_latency.json (or `--output`).

    python benchmarks/inference_latency.py [--seconds 0.5] [--moves 10] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime
import torch

import envs
from muzero.faces.agent import Agent
from muzero.faces.games import experiment_config, game_kit
from muzero.model.inference import Model, OnnxModel
from muzero.model.torch_model import TorchModel
from muzero.play.player import PlaySettings
from muzero.training.components import build_network
from muzero.training.export import export_network

RESULTS = Path(__file__).parent / "results" / "inference_latency.json"
GAMES = ("tictactoe", "connect4")
BATCHES = (1, 64)
AGENT_SIMULATIONS = 100
DEFAULT_TORCH_THREADS = torch.get_num_threads()


def median_ms(call: Callable[[], object], seconds: float, min_calls: int = 20, max_calls: int = 2000) -> float:
    """The median wall time of `call` in milliseconds, after warm-up, over about `seconds` of calls."""
    for _ in range(5):
        call()
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(times) < max_calls and (len(times) < min_calls or time.perf_counter() < deadline):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def backends(network: torch.nn.Module, bundle: Path) -> dict[str, tuple[Model, int]]:
    """name -> (model, torch threads to set while it runs)."""
    return {
        "torch 1 thread": (TorchModel(network), 1),
        f"torch {DEFAULT_TORCH_THREADS} threads (default)": (TorchModel(network), DEFAULT_TORCH_THREADS),
        "onnxruntime 1 thread": (OnnxModel.load(bundle, intra_op_threads=1), 1),
        "onnxruntime default threads": (OnnxModel.load(bundle, intra_op_threads=0), 1),
    }


def time_model(
    model: Model, observations: np.ndarray, to_play: np.ndarray, actions: np.ndarray, seconds: float
) -> dict[str, float]:
    latents = model.initial_inference(observations, to_play).latents
    return {
        "initial_ms": median_ms(lambda: model.initial_inference(observations, to_play), seconds),
        "recurrent_ms": median_ms(lambda: model.recurrent_inference(latents, actions), seconds),
    }


def latency_rows(game: str, network, bundle: Path, seconds: float) -> list[dict]:
    rng = np.random.default_rng(0)
    rows = []
    for batch in BATCHES:
        observations = rng.uniform(0, 1, (batch, *network.observation_shape)).astype(np.float32)
        to_play = rng.integers(0, network.num_players, batch)
        actions = rng.integers(0, network.num_actions, batch)
        for backend, (model, threads) in backends(network, bundle).items():
            torch.set_num_threads(threads)
            timings = time_model(model, observations, to_play, actions, seconds)
            rows.append({"game": game, "network": network.kind, "batch": batch, "backend": backend, **timings})
    torch.set_num_threads(1)
    return rows


def agent_move_rows(game: str, config, network, bundle: Path, moves: int) -> list[dict]:
    """Median time of one move (a 100-simulation search from the opening position) per backend."""
    torch.set_num_threads(1)
    agents = {
        "torch 1 thread": Agent(TorchModel(network), config, PlaySettings(num_simulations=AGENT_SIMULATIONS)),
        "onnxruntime 1 thread": Agent.load(bundle, num_simulations=AGENT_SIMULATIONS, threads=1),
    }
    env = envs.make_env(game)
    env.reset(seed=0)
    rows = []
    for backend, agent in agents.items():
        milliseconds = median_ms(lambda a=agent: a.act(env), seconds=0.0, min_calls=moves, max_calls=moves)
        rows.append({"game": game, "simulations": AGENT_SIMULATIONS, "backend": backend, "move_ms": milliseconds})
    return rows


def measure_game(game: str, seconds: float, moves: int) -> tuple[list[dict], list[dict]]:
    config = experiment_config(game, None, [])
    torch.manual_seed(0)
    network = build_network(config.network, game_kit(config.game).spec)
    with tempfile.TemporaryDirectory() as folder:
        bundle = export_network(network, config, Path(folder) / "bundle")
        return latency_rows(game, network, bundle, seconds), agent_move_rows(game, config, network, bundle, moves)


def speedups(rows: list[dict], moves: list[dict]) -> list[dict]:
    """onnxruntime 1 thread against torch 1 thread: how many times faster, at batch 1 and per agent move."""
    result = []
    for game in GAMES:
        pick = {(r["batch"], r["backend"]): r for r in rows if r["game"] == game}
        torch_row, onnx_row = pick[(1, "torch 1 thread")], pick[(1, "onnxruntime 1 thread")]
        move = {r["backend"]: r["move_ms"] for r in moves if r["game"] == game}
        result.append(
            {
                "game": game,
                "initial_batch1": torch_row["initial_ms"] / onnx_row["initial_ms"],
                "recurrent_batch1": torch_row["recurrent_ms"] / onnx_row["recurrent_ms"],
                "agent_move": move["torch 1 thread"] / move["onnxruntime 1 thread"],
            }
        )
    return result


def print_tables(rows: list[dict], moves: list[dict], ratios: list[dict]) -> None:
    print(f"{'game':10} {'batch':>5}  {'backend':34} {'initial ms':>10} {'recurrent ms':>12}")
    for r in rows:
        print(f"{r['game']:10} {r['batch']:5d}  {r['backend']:34} {r['initial_ms']:10.3f} {r['recurrent_ms']:12.3f}")
    print(f"\none agent move, {AGENT_SIMULATIONS} simulations, opening position")
    for r in moves:
        print(f"{r['game']:10} {r['backend']:34} {r['move_ms']:8.1f} ms")
    print("\nonnxruntime / torch speed-up (1 thread each; goal: >= 2x at batch 1)")
    for r in ratios:
        print(
            f"{r['game']:10} initial x{r['initial_batch1']:.2f}  recurrent x{r['recurrent_batch1']:.2f}  "
            f"agent move x{r['agent_move']:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time spent per latency measurement")
    parser.add_argument("--moves", type=int, default=10, help="agent moves timed per backend")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args()
    rows, moves = [], []
    for game in GAMES:
        game_rows, game_moves = measure_game(game, args.seconds, args.moves)
        rows += game_rows
        moves += game_moves
    ratios = speedups(rows, moves)
    print_tables(rows, moves, ratios)
    machine = {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "torch_default_threads": DEFAULT_TORCH_THREADS,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine, "latency": rows, "agent_moves": moves, "speedup": ratios}
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
