"""Time a copy of a game's position plus one step, per game: the registered games' rules copies (`clone()`)
against the deep copy of the same PettingZoo env (the fallback every other game gets), in the same run.

Two rules figures: a copy of the live game (its env read into the pure rules once) and a copy of such a copy
(what a search stepping the game's rules does at every simulation: the state is shared, nothing is copied).

Positions are drawn by random play from the start (up to 8 moves in), so copies are taken mid-game as a search
would take them. Prints one line per game and writes JSON.

Usage: python benchmarks/game_copies.py [--positions 200] [--repeats 5] [--output benchmarks/results/game_copies.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np

import envs
from envs.pettingzoo_game import deep_copy

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "game_copies.json"
GAMES = (("tictactoe", {}), ("connect4", {}), ("dots_and_boxes", {"players": 3}))


def positions(name: str, args: dict, count: int, seed: int) -> list:
    """(game at a random mid-game position, a legal action there) pairs."""
    rng, found = np.random.default_rng(seed), []
    while len(found) < count:
        game = envs.make(name, **args)
        timestep = game.reset(seed=0)
        for _ in range(int(rng.integers(0, 9))):
            timestep = game.step(int(rng.choice(np.flatnonzero(timestep.legal_mask))))
            if timestep.terminal:
                break
        if not timestep.terminal:
            found.append((game, int(rng.choice(np.flatnonzero(timestep.legal_mask)))))
    return found


def microseconds_per_copy_and_step(pairs: list, copy, repeats: int) -> float:
    """The median over `repeats` rounds of the mean time of copy(game).step(action) over every pair."""
    rounds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for game, action in pairs:
            copy(game).step(action)
        rounds.append((time.perf_counter() - start) / len(pairs) * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    rows = []
    for name, game_args in GAMES:
        pairs = positions(name, game_args, args.positions, seed=0)
        deep = microseconds_per_copy_and_step(pairs, lambda game, name=name: deep_copy(game, name), args.repeats)
        live = microseconds_per_copy_and_step(pairs, lambda game: game.clone(), args.repeats)
        copies = [(game.clone(), action) for game, action in pairs]
        rules = microseconds_per_copy_and_step(copies, lambda game: game.clone(), args.repeats)
        rows.append(
            {
                "game": name,
                "args": game_args,
                "deep_copy_us": deep,
                "live_game_rules_copy_us": live,
                "rules_copy_us": rules,
                "speedup": deep / rules,
            }
        )
        print(
            f"{name:15s} deep copy + step {deep:7.1f} µs   live game to rules + step {live:7.1f} µs   "
            f"rules copy + step {rules:6.1f} µs   deep / rules copy {deep / rules:5.1f}x"
        )
    result = {
        "date": datetime.date.today().isoformat(),
        "machine": platform.processor() or platform.machine(),
        "positions": args.positions,
        "repeats": args.repeats,
        "rows": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
