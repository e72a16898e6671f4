"""A move at the shipped play settings, on one core: the time `Agent.act` takes, searching with the game's rules
and, as the reference in the same run, with the learned model at the same simulations.

The bundle's own play settings (`model.json`: simulations, symmetry averaging; onnxruntime on one thread) on
positions of a few plies from random openings. The learned-model reference runs the same bundle's recurrent
graph: latency does not depend on whether its dynamics were trained. Prints the median and 90th percentile
per move and the ratio; writes benchmarks/results/move_latency.json (or `--output`).

    python benchmarks/move_latency.py [--model models/connect4] [--positions 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

import envs
from muzero.faces.agent import Agent
from muzero.play.player import PlaySettings, SearchPlayer

RESULTS = Path(__file__).parent / "results" / "move_latency.json"


def positions(game: str, count: int, seed: int) -> list:
    """`count` envs of `game`, each a few random plies into a game that is not over."""
    rng = np.random.default_rng(seed)
    found = []
    while len(found) < count:
        env = envs.make_env(game)
        env.reset(seed=int(rng.integers(2**31)))
        for _ in range(int(rng.integers(0, 12))):
            mask = env.observe(env.agent_selection)["action_mask"]
            env.step(int(rng.choice(np.flatnonzero(mask))))
            if any(env.terminations.values()):
                break
        if not any(env.terminations.values()):
            found.append(env)
    return found


def move_times_ms(player: SearchPlayer, envs_at: list) -> list[float]:
    """The wall time of one move at each position, in milliseconds (after one untimed warm-up move)."""
    player.act(envs_at[0])
    times = []
    for env in envs_at:
        started = time.perf_counter()
        player.act(env)
        times.append(1000 * (time.perf_counter() - started))
    return times


def summary(times: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(times), 2),
        "p90_ms": round(float(np.percentile(times, 90)), 2),
        "mean_ms": round(statistics.fmean(times), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/connect4", help="a model bundle folder")
    parser.add_argument("--positions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    agent = Agent.load(args.model, threads=1)
    game = agent.config.game.name
    at = positions(game, args.positions, args.seed)
    settings = PlaySettings(dynamics="learned", average_symmetries=agent.averages_symmetries)
    reference = SearchPlayer(agent.model, agent.params, agent.game, settings)
    rows = {agent.params.dynamics: summary(move_times_ms(agent, at))}
    if agent.params.dynamics != "learned":
        rows["learned"] = summary(move_times_ms(reference, at))
    result = {
        "benchmark": "move_latency",
        "model": args.model,
        "game": game,
        "simulations": agent.params.num_simulations,
        "average_symmetries": agent.averages_symmetries,
        "positions": args.positions,
        "searches": rows,
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }
    if "rules" in rows and "learned" in rows:
        result["rules_over_learned"] = round(rows["rules"]["median_ms"] / rows["learned"]["median_ms"], 2)
    print(f"{args.model}: {game}, {agent.params.num_simulations} simulations, one core")
    for name, row in rows.items():
        print(f"  {name:8s} median {row['median_ms']:7.1f} ms  p90 {row['p90_ms']:7.1f} ms per move")
    if "rules_over_learned" in result:
        print(f"  rules / learned: {result['rules_over_learned']}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
