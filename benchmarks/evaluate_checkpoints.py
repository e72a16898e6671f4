"""Learning curve of a run: every numbered checkpoint against a reference opponent, in every seat.

    python benchmarks/evaluate_checkpoints.py runs/tictactoe/RUN --against perfect --games 100

Prints one line per checkpoint (training minutes, step, wins/draws/losses per seat) and writes the
numbers as JSON (default benchmarks/results/learning_<game>.json).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from muzero.evaluation.evaluate import PlayerAsAgent, evaluate_all_seats
from muzero.faces.agent import Agent
from muzero.faces.games import game_kit
from muzero.training.checkpoint import load_checkpoint
from muzero.training.run_folder import RunFolder


def evaluate_checkpoint(
    path: Path, against: str, games: int, simulations: int | None, seed: int, average_symmetries: bool | None = None
) -> dict:
    checkpoint = load_checkpoint(path)
    agent = Agent.load(path, num_simulations=simulations, average_symmetries=average_symmetries)
    kit = agent.game
    results = evaluate_all_seats(
        agent,
        lambda game_seed: kit.make_opponent(against, game_seed),
        kit.make_game,
        games_per_seat=games,
        seed=seed,
    )
    return {
        "checkpoint": path.name,
        "step": checkpoint.counters.training_step,
        "minutes": round(checkpoint.counters.seconds / 60, 2),
        "seats": [result.as_dict() for result in results],
    }


def evaluate_baseline(run: RunFolder, baseline: str, against: str, games: int, seed: int) -> dict:
    """The reference player `baseline` in the agent's place, against the same opponents."""
    kit = game_kit(run.config().game)
    agent = PlayerAsAgent(kit.make_opponent(baseline, 12345))
    results = evaluate_all_seats(
        agent, lambda game_seed: kit.make_opponent(against, game_seed), kit.make_game, games_per_seat=games, seed=seed
    )
    return {"checkpoint": f"baseline {baseline}", "step": 0, "minutes": 0.0, "seats": [r.as_dict() for r in results]}


def describe(row: dict) -> str:
    seats = "  ".join(
        f"seat {s['seat']}: {s['wins']}W {s['draws']}D {s['losses']}L (boxes/return {s['mean_return']:.2f} "
        f"vs {s['mean_best_other_return']:.2f})"
        for s in row["seats"]
    )
    return f"{row['minutes']:6.2f} min  step {row['step']:6d}  {seats}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--against", default="perfect", help="random, perfect, alphabeta:DEPTH, greedy")
    parser.add_argument("--games", type=int, default=100, help="games per seat")
    parser.add_argument("--simulations", type=int, help="search simulations (default: the run's)")
    parser.add_argument("--every", type=int, default=1, help="evaluate every n-th checkpoint")
    parser.add_argument("--last", action="store_true", help="only the latest numbered checkpoint")
    parser.add_argument(
        "--average-symmetries",
        action=argparse.BooleanOptionalAction,
        help="the agent averages its network over the board's symmetries (default: the model's config)",
    )
    parser.add_argument("--json", help="output file")
    parser.add_argument("--seed", type=int, default=1, help="seeds the games (opponent i of a seat: seed + i)")
    parser.add_argument("--baseline", help="also play this reference player in the agent's seat (e.g. greedy)")
    args = parser.parse_args()
    folder = RunFolder(args.run_dir)
    rows = []
    paths = folder.step_checkpoints()
    for path in paths[-1:] if args.last else paths[:: args.every]:
        started = time.perf_counter()
        rows.append(
            evaluate_checkpoint(path, args.against, args.games, args.simulations, args.seed, args.average_symmetries)
        )
        print(describe(rows[-1]), f"({time.perf_counter() - started:.1f} s)", flush=True)
    if args.baseline:
        rows.append(evaluate_baseline(folder, args.baseline, args.against, args.games, args.seed))
        print(f"baseline {args.baseline}:", describe(rows[-1]), flush=True)
    game = folder.config().game.name
    output = Path(args.json or f"benchmarks/results/learning_{game}_{args.against.replace(':', '')}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"run": str(args.run_dir), "against": args.against, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
