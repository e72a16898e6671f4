"""Learning curve of a one-player (Gymnasium) run: every numbered checkpoint on fresh greedy episodes.

    python benchmarks/gym_learning.py runs/CartPole/RUN --episodes 20 --solved 475

Prints one line per checkpoint (training minutes, step, greedy return mean with its 95% interval, min, max)
and the time to solve it: the training minutes of the first checkpoint whose mean return over the episodes
reaches `--solved` (CartPole-v1: 475 of the 500 possible, Gymnasium's own threshold). Writes the numbers as
JSON (default benchmarks/results/learning_<env>.json). The episodes' seeds (from `--seed`, default 10,000)
are not those of the run's evaluator, so these are fresh episodes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from muzero.evaluation.evaluate import play_episodes
from muzero.evaluation.returns import ReturnStats
from muzero.faces.agent import Agent
from muzero.training.checkpoint import load_checkpoint
from muzero.training.run_folder import RunFolder

RESULTS = Path(__file__).parent / "results"


def evaluate_checkpoint(path: Path, episodes: int, seed: int, simulations: int | None) -> dict:
    counters = load_checkpoint(path).counters
    agent = Agent.load(path, num_simulations=simulations)
    returns = play_episodes(agent, agent.game.make_game, episodes, seed, agent.config.selfplay.max_moves)
    stats = ReturnStats.of(returns)
    return {
        "checkpoint": path.name,
        "step": counters.training_step,
        "minutes": round(counters.seconds / 60, 2),
        "games": counters.games_played,
        "return_mean": stats.mean,
        "return_half_interval": stats.half_interval,
        "return_min": stats.minimum,
        "return_max": stats.maximum,
    }


def time_to_solve(rows: list[dict], solved: float) -> float | None:
    """The minutes of the first checkpoint whose mean return reaches `solved`; None if none does."""
    return next((row["minutes"] for row in rows if row["return_mean"] >= solved), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--episodes", type=int, default=20, help="greedy episodes per checkpoint")
    parser.add_argument("--solved", type=float, default=475.0, help="the mean return that counts as solved")
    parser.add_argument("--seed", type=int, default=10_000, help="seed of the first episode")
    parser.add_argument("--simulations", type=int, help="search simulations per move (default: the run's)")
    parser.add_argument("--output", type=Path, help="JSON file (default benchmarks/results/learning_<env>.json)")
    args = parser.parse_args()
    rows = []
    for path in RunFolder(args.run_dir).step_checkpoints():
        start = time.perf_counter()
        row = evaluate_checkpoint(path, args.episodes, args.seed, args.simulations)
        rows.append(row)
        print(
            f"{row['minutes']:6.2f} min  step {row['step']:>7,}  return {row['return_mean']:6.1f} "
            f"± {row['return_half_interval']:5.1f}  min {row['return_min']:5.0f}  max {row['return_max']:5.0f}  "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    solved_at = time_to_solve(rows, args.solved)
    print(f"time to solve (mean return >= {args.solved:g} over {args.episodes} episodes): {solved_at} minutes")
    name = RunFolder(args.run_dir).config().game.name.removeprefix("gym:")
    output = args.output or RESULTS / f"learning_{name}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "run_dir": str(args.run_dir),
        "episodes": args.episodes,
        "seed": args.seed,
        "solved": args.solved,
        "minutes_to_solve": solved_at,
        "checkpoints": rows,
    }
    output.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
