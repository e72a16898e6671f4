"""Move quality in connect four, graded by the exact solver (needs the solver extra: pip install -e '.[solver]').

    python benchmarks/connect4_move_quality.py models/connect4 random alphabeta:4 --positions 1000

On a fixed, seeded set of positions from random play, each player picks a move, and the solver tells
whether it keeps the position's outcome (a won position stays won, a drawn one drawn) and whether it is a
best move (the quickest win, or else a draw, or else the latest loss). Positions where every move has the
same outcome test nothing, so the shares are also given over the decisive positions alone. A player is a
model (bundle, run folder or checkpoint) or a reference player (random, alphabeta:DEPTH, perfect).
Prints one line per player and writes JSON (default benchmarks/results/connect4_move_quality.json).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pettingzoo.classic import connect_four_v3

from envs.connect4.perfect import outcome, solved_scores
from envs.connect4.players import bitboards_from_env as connect4_bitboards_from_env
from envs.registry import reference_player
from muzero.faces.agent import Agent

MAX_OPENING_PLIES = 30  # positions are drawn after 0 to this many random moves


@dataclass(frozen=True)
class GradedPosition:
    moves: tuple[int, ...]  # the columns played from the empty board
    scores: dict[int, int]  # the solver's score of every legal column, for the side to move

    @property
    def decisive(self) -> bool:
        """Some move changes the outcome: the position tests the mover."""
        return len({outcome(score) for score in self.scores.values()}) > 1

    def keeps_outcome(self, move: int) -> bool:
        return outcome(self.scores[move]) == max(map(outcome, self.scores.values()))

    def is_best(self, move: int) -> bool:
        return self.scores[move] == max(self.scores.values())


def env_after(moves: tuple[int, ...]):
    env = connect_four_v3.env()
    env.reset()
    for move in moves:
        env.step(move)
    return env


def random_positions(count: int, seed: int) -> list[GradedPosition]:
    """`count` positions of games of uniformly random moves, each after 0 to MAX_OPENING_PLIES plies, none
    over; the same `seed` gives the same positions."""
    rng = np.random.default_rng(seed)
    positions = []
    while len(positions) < count:
        env = env_after(())
        moves: list[int] = []
        for _ in range(rng.integers(0, MAX_OPENING_PLIES + 1)):
            move = int(rng.choice(np.flatnonzero(env.observe(env.agent_selection)["action_mask"])))
            env.step(move)
            moves.append(move)
            if any(env.terminations.values()):
                break
        if not any(env.terminations.values()):
            positions.append(GradedPosition(tuple(moves), solved_scores(*connect4_bitboards_from_env(env))))
    return positions


def make_player(name: str, simulations: int | None, seed: int, dynamics: str | None = None):
    if Path(name).exists():
        return Agent.load(name, num_simulations=simulations, dynamics=dynamics)
    return reference_player("connect4", name, seed=seed)


def grade(
    name: str, positions: list[GradedPosition], simulations: int | None, seed: int, dynamics: str | None = None
) -> dict:
    player = make_player(name, simulations, seed, dynamics)
    kept = best = decisive = decisive_kept = decisive_best = 0
    start = time.perf_counter()
    for position in positions:
        move = player.act(env_after(position.moves))
        kept += position.keeps_outcome(move)
        best += position.is_best(move)
        if position.decisive:
            decisive += 1
            decisive_kept += position.keeps_outcome(move)
            decisive_best += position.is_best(move)
    return {
        "player": name,
        "positions": len(positions),
        "keeps_outcome": kept / len(positions),
        "best_move": best / len(positions),
        "decisive_positions": decisive,
        "decisive_keeps_outcome": decisive_kept / max(decisive, 1),
        "decisive_best_move": decisive_best / max(decisive, 1),
        "seconds_per_move": (time.perf_counter() - start) / len(positions),
    }


def describe(row: dict) -> str:
    return (
        f"{row['player']:<40} keeps the outcome {row['keeps_outcome']:6.1%}  best move {row['best_move']:6.1%}  "
        f"| decisive ({row['decisive_positions']}): keeps {row['decisive_keeps_outcome']:6.1%}  "
        f"best {row['decisive_best_move']:6.1%}  | {row['seconds_per_move'] * 1000:.0f} ms a move"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("players", nargs="+", help="model paths or reference players (random, alphabeta:DEPTH)")
    parser.add_argument("--positions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="seeds the positions (and the reference players)")
    parser.add_argument("--simulations", type=int, help="search simulations of the models (default: theirs)")
    parser.add_argument("--dynamics", choices=("learned", "rules"), help="the models' search (default: theirs)")
    parser.add_argument("--json", default="benchmarks/results/connect4_move_quality.json")
    args = parser.parse_args()
    positions = random_positions(args.positions, args.seed)
    rows = []
    for name in args.players:
        rows.append(grade(name, positions, args.simulations, args.seed, args.dynamics) | {"dynamics": args.dynamics})
        print(describe(rows[-1]), flush=True)
    result = {"date": time.strftime("%Y-%m-%d"), "seed": args.seed, "simulations": args.simulations, "rows": rows}
    result["dynamics"] = args.dynamics
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
