"""2048: score and largest tile of models against the greedy baseline and random moves, on the same fresh games.

    python benchmarks/game2048_strength.py models/2048 --games 50

Each player plays `--games` games from the seeds `--seed`, `--seed` + 1, ... (the same first tiles for every
player); a model plays at its own settings (its bundle's search), all its games at once in one batched search
per move. Reported per player: the mean score with its 95% interval, and the share of games whose largest tile
reached 512, 1024, 2048 and 4096. A model is a bundle, a run folder or a checkpoint. Prints a table and writes
JSON (default benchmarks/results/game2048_strength.json).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import envs
from envs.game2048.players import Greedy2048Player
from muzero.faces.agent import Agent

RESULTS = Path(__file__).parent / "results" / "game2048_strength.json"
TILES = (512, 1024, 2048, 4096)
MAX_MOVES = 20_000  # far beyond any game here: a guard, not a limit

Mover = Callable[[list[Any]], list[int]]  # the live games -> their moves


def play(mover: Mover, games: int, seed: int) -> list[dict[str, int]]:
    """Scores, largest tiles and moves of `games` fresh games (seeds seed, seed + 1, ...) played at once."""
    tables = [envs.make("2048") for _ in range(games)]
    steps = [table.reset(seed=seed + index) for index, table in enumerate(tables)]
    moves = [0] * games
    live = [index for index in range(games) if not steps[index].terminal]
    for _ in range(MAX_MOVES):
        if not live:
            break
        for index, action in zip(live, mover([tables[index] for index in live]), strict=True):
            steps[index] = tables[index].step(action)
            moves[index] += 1
        live = [index for index in live if not steps[index].terminal]
    states = [table.env.unwrapped.state for table in tables]
    return [
        {"score": state.score, "largest_tile": state.largest_tile, "moves": count}
        for state, count in zip(states, moves, strict=True)
    ]


def model_mover(agent: Agent) -> Mover:
    def moves(tables: list[Any]) -> list[int]:
        return agent.act_on([table.current_decision() for table in tables], tables)

    return moves


def greedy_mover(tables: list[Any]) -> list[int]:
    player = Greedy2048Player()
    return [player.act(table.env) for table in tables]


def random_mover(seed: int) -> Mover:
    rng = np.random.default_rng(seed)

    def moves(tables: list[Any]) -> list[int]:
        return [int(rng.choice(np.flatnonzero(table.current_decision().legal_mask))) for table in tables]

    return moves


def summary(name: str, games: list[dict[str, int]], seconds: float, **about: Any) -> dict[str, Any]:
    scores = np.array([game["score"] for game in games], dtype=np.float64)
    tiles = np.array([game["largest_tile"] for game in games])
    half = 1.96 * scores.std(ddof=1) / math.sqrt(len(scores)) if len(scores) > 1 else 0.0
    return {
        "player": name,
        **about,
        "games": len(games),
        "score_mean": float(scores.mean()),
        "score_interval": [float(scores.mean() - half), float(scores.mean() + half)],
        "score_max": int(scores.max()),
        "tile_rates": {str(tile): float(np.mean(tiles >= tile)) for tile in TILES},
        "largest_tiles": {str(tile): int(np.sum(tiles == tile)) for tile in sorted(set(tiles.tolist()))},
        "moves_mean": float(np.mean([game["moves"] for game in games])),
        "seconds": seconds,
    }


def timed(mover: Mover, games: int, seed: int) -> tuple[list[dict[str, int]], float]:
    start = time.perf_counter()
    played = play(mover, games, seed)
    return played, time.perf_counter() - start


def line(result: dict[str, Any]) -> str:
    low, high = result["score_interval"]
    rates = "  ".join(f"{tile}: {rate:.0%}" for tile, rate in result["tile_rates"].items())
    return f"{result['player']}: score {result['score_mean']:,.0f} [{low:,.0f}, {high:,.0f}]  {rates}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", help="bundles, run folders or checkpoints of 2048")
    parser.add_argument("--games", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--simulations", type=int, help="search simulations per move (default: the model's own)")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = []
    for name, mover in (("greedy", greedy_mover), ("random", random_mover(args.seed))):
        results.append(summary(name, *timed(mover, args.games, args.seed)))
        print(line(results[-1]), flush=True)
    for path in args.models:
        agent = Agent.load(path, num_simulations=args.simulations)
        played, seconds = timed(model_mover(agent), args.games, args.seed)
        about = {"training_step": agent.training_step, "simulations": agent.params.num_simulations}
        results.append(summary(path, played, seconds, **about))
        print(line(results[-1]), flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {"date": time.strftime("%Y-%m-%d"), "games": args.games, "seed": args.seed, "results": results}
    args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
