"""Connect four's strength against training time: every checkpoint of a run against alpha-beta depth 1 to 5,
graded by the exact solver, and as first player against the perfect player (needs the solver extra).

    python benchmarks/connect4_strength.py RUN_DIR --games 20 --positions 300

For each numbered checkpoint (or every n-th and the last, `--every`): the win rate against alpha-beta at each depth over
both seats, the share of the solver-graded positions where its move keeps the outcome, and its result as
first player against the perfect player. The depths are played in order, and a checkpoint stops at the
first depth it wins less than half of. Then the time to strength: the first training minutes at which the
agent won at least 90% against each depth. Writes JSON (default benchmarks/results/connect4_strength.json).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from connect4_move_quality import grade, random_positions

from muzero.evaluation.evaluate import evaluate_all_seats, play_games
from muzero.faces.agent import Agent
from muzero.training.checkpoint import load_checkpoint
from muzero.training.run_folder import RunFolder

STRONG = 0.9  # the win rate that counts as beating an opponent


def win_rate(agent: Agent, against: str, games: int, seed: int) -> float:
    kit = agent.game
    seats = evaluate_all_seats(
        agent,
        lambda game_seed: kit.make_opponent(against, game_seed),
        kit.make_game,
        games_per_seat=games,
        seed=seed,
        opening_plies=kit.opening_plies,  # the game's opening set: a deterministic pair would repeat one game
    )
    return sum(seat.wins for seat in seats) / sum(seat.games for seat in seats)


def first_player_wins_against_perfect(agent: Agent, games: int, seed: int) -> int:
    kit = agent.game
    returns = play_games(
        agent, lambda game_seed: kit.make_opponent("perfect", game_seed), kit.make_game, agent_seat=0, games=games,
        seed=seed,
    )  # fmt: skip
    return int((returns[:, 0] > returns[:, 1]).sum())


def evaluate(path: Path, args: argparse.Namespace, positions: list) -> dict:
    counters = load_checkpoint(path).counters
    agent = Agent.load(path, num_simulations=args.simulations)
    row: dict = {"checkpoint": path.name, "step": counters.training_step, "minutes": round(counters.seconds / 60, 2)}
    row["alphabeta"] = {}
    for depth in args.depths:
        row["alphabeta"][depth] = win_rate(agent, f"alphabeta:{depth}", args.games, args.seed)
        if row["alphabeta"][depth] < 0.5:
            break
    quality = grade(str(path), positions, args.simulations, args.seed)
    row["keeps_outcome"], row["best_move"] = quality["keeps_outcome"], quality["best_move"]
    row["first_player_wins_against_perfect"] = first_player_wins_against_perfect(agent, args.perfect_games, args.seed)
    return row


def every_nth_and_last(checkpoints: list[Path], every: int) -> list[Path]:
    """Every n-th checkpoint from the first, and the last (the model one would ship), in order."""
    return list(dict.fromkeys(checkpoints[::every] + checkpoints[-1:]))


def time_to_strength(rows: list[dict], depths: list[int]) -> dict[int, float | None]:
    """The first training minutes at which the agent won at least STRONG against each depth (None: never)."""
    return {
        depth: next((row["minutes"] for row in rows if row["alphabeta"].get(depth, 0.0) >= STRONG), None)
        for depth in depths
    }


def describe(row: dict) -> str:
    depths = "  ".join(f"ab{depth} {rate:4.0%}" for depth, rate in row["alphabeta"].items())
    return (
        f"{row['minutes']:7.1f} min  step {row['step']:7d}  {depths:<50} keeps {row['keeps_outcome']:5.1%}  "
        f"best {row['best_move']:5.1%}  first vs perfect {row['first_player_wins_against_perfect']} wins"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--games", type=int, default=20, help="games per seat against each alpha-beta depth")
    parser.add_argument("--depths", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--positions", type=int, default=300, help="solver-graded positions")
    parser.add_argument("--perfect-games", type=int, default=4, help="games as first player against perfect")
    parser.add_argument("--simulations", type=int, help="search simulations (default: the run's)")
    parser.add_argument("--every", type=int, default=1, help="evaluate every n-th checkpoint (and the last)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", default="benchmarks/results/connect4_strength.json")
    args = parser.parse_args()
    checkpoints = every_nth_and_last(RunFolder(args.run_dir).step_checkpoints(), args.every)
    positions = random_positions(args.positions, seed=0)
    rows = []
    for path in checkpoints:
        rows.append(evaluate(path, args, positions))
        print(describe(rows[-1]), flush=True)
    strength = time_to_strength(rows, args.depths)
    print("minutes to win 90% against alpha-beta depth d:", strength)
    result = {"date": time.strftime("%Y-%m-%d"), "run": args.run_dir, "args": vars(args), "rows": rows}
    Path(args.json).write_text(json.dumps(result | {"time_to_strength": strength}, indent=2) + "\n")


if __name__ == "__main__":
    main()
