"""Time the reference opponents' first move on one core: alpha-beta connect four and perfect tic-tac-toe.

Usage: python benchmarks/opponents.py [--depth 7] [--moves 5] [--output benchmarks/results/opponents.json]
"""

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from pettingzoo.classic import connect_four_v3, tictactoe_v3

from envs.connect4.players import AlphaBetaConnectFourPlayer
from envs.tictactoe.players import PerfectTicTacToePlayer
from envs.tictactoe.rules import position_value as tictactoe_value

ALPHABETA_GOAL_SECONDS = 1.0
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "opponents.json"


def pin_to_one_core() -> int | None:
    """Pins this process to its first allowed CPU where the OS supports it; returns that CPU."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def fresh_env(make_env):
    env = make_env()
    env.reset(seed=0)
    return env


def summary(seconds: list[float]) -> dict[str, float | int]:
    return {
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "count": len(seconds),
    }


def time_alphabeta_first_move(depth: int, moves: int) -> dict:
    """One empty-board move from each of `moves` fresh players (so fresh transposition tables)."""
    seconds, nodes = [], []
    for seed in range(moves):
        env = fresh_env(connect_four_v3.env)
        player = AlphaBetaConnectFourPlayer(depth=depth, seed=seed)
        start = time.perf_counter()
        player.act(env)
        seconds.append(time.perf_counter() - start)
        nodes.append(player.search.nodes)
    return {"depth": depth, **summary(seconds), "nodes_median": statistics.median(nodes)}


def time_perfect_tictactoe_first_move(moves: int) -> dict:
    """The first empty-board move solves the game (memoised); the later ones only look it up."""
    tictactoe_value.cache_clear()
    env = fresh_env(tictactoe_v3.env)
    start = time.perf_counter()
    PerfectTicTacToePlayer(seed=0).act(env)
    first = time.perf_counter() - start
    later = []
    for seed in range(1, moves + 1):
        player = PerfectTicTacToePlayer(seed=seed)
        start = time.perf_counter()
        player.act(env)
        later.append(time.perf_counter() - start)
    return {"first_call_with_solve_s": first, "later_calls": summary(later)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=7, help="alpha-beta search depth in plies")
    parser.add_argument("--moves", type=int, default=5, help="timed moves, each by a fresh player")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON")
    args = parser.parse_args()

    cpu = pin_to_one_core()
    alphabeta = time_alphabeta_first_move(args.depth, args.moves)
    tictactoe = time_perfect_tictactoe_first_move(args.moves)
    print(
        f"alphabeta depth {args.depth}, empty board: median {alphabeta['median_s']:.3f} s "
        f"(min {alphabeta['min_s']:.3f}, max {alphabeta['max_s']:.3f}) over {args.moves} moves, "
        f"{alphabeta['nodes_median']:.0f} nodes; goal < {ALPHABETA_GOAL_SECONDS:g} s"
    )
    print(
        f"perfect tictactoe, empty board: first move {tictactoe['first_call_with_solve_s'] * 1e3:.1f} ms "
        f"(includes the solve), later moves median {tictactoe['later_calls']['median_s'] * 1e3:.2f} ms"
    )
    result = {
        "alphabeta_connect_four_empty_board": {**alphabeta, "goal_s": ALPHABETA_GOAL_SECONDS},
        "perfect_tictactoe_empty_board": tictactoe,
        "pinned_cpu": cpu,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
