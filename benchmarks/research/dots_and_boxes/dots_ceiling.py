"""How many boxes a player could take against two random players, and how many a given player gives up.

    python benchmarks/research/dots_and_boxes/dots_ceiling.py   # the exact values only
    python benchmarks/research/dots_and_boxes/dots_ceiling.py runs/dots3/checkpoints/latest.pt --games 100
    python benchmarks/research/dots_and_boxes/dots_ceiling.py greedy runs/dots3/checkpoints/step_00020000.pt --games 100
    python benchmarks/research/dots_and_boxes/dots_ceiling.py exact+noise:0 exact+noise:0.1 exact+noise:0.2 --games 200

It solves 3x3 dots and boxes for 3 players exactly (`against_random.py` beside it): per seat, the
expected boxes of the best possible play against two uniformly random players and of the greedy player.
With a player, it plays its games against two random players and charges each of its decisions the
expected boxes the decision gives up against the best one (the best edge's value minus the chosen edge's,
both under best play afterwards). The expected boxes of the player are exactly the best value minus its
expected total of those charges per game, and that estimate has much less spread than the boxes counted
in the same games, so it can tell players apart that 100 games per seat cannot. The charges are also
split by the position classes of `dots_tactics.py` (capture, safe, forced), and the safe positions by
the safe edges left in them (1 to 5, 6 or more): how often the player hands a box over there, how often
the best edge does, and what it gives up; in the capture positions, how often the player takes a box, how
often the best edge leaves it for later, and what taking it there costs. The reference player
`exact+noise:SIGMA` ranks the edges by their exact values plus Gaussian noise of that standard deviation
(in boxes), drawn afresh for every edge and decision: how precise a learned value must be to play that
well. Prints JSON lines and writes a JSON file (default: results/dots_ceiling.json beside this script).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from against_random import AgainstRandomTables, mask_of, solve
from dots_tactics import capturing_edges, classify, load_player, safe_edges

from muzero.core.config import GameConfig
from muzero.evaluation.evaluate import PlayerAsAgent, play_seats
from muzero.faces.games import game_kit

RESULTS = Path(__file__).resolve().parent / "results"  # the research log cites its files here
PLAYERS = 3
SAFE_EDGE_BUCKETS = ("1", "2", "3", "4", "5", "6+")  # safe edges left in a position where one exists
NOISY_EXACT = "exact+noise:"
SUMMARY_KEYS = ("player", "expected_boxes_mean", "expected_boxes_mean_standard_error", "play_seconds")


class NoisyExactPlayer:
    """Plays the edge of the most expected boxes under the exact table after adding Gaussian noise of
    standard deviation sigma to every edge's value (sigma 0: best play)."""

    def __init__(self, tables: AgainstRandomTables, sigma: float, seed: int = 0) -> None:
        self.tables, self.sigma, self.rng = tables, sigma, np.random.default_rng(seed)

    def act(self, env: Any) -> int:
        values = self.tables.best_action_values(mask_of(env.unwrapped.state.edges))
        edges = list(values)
        noisy = np.array([values[edge] for edge in edges]) + self.sigma * self.rng.standard_normal(len(edges))
        return int(edges[int(np.argmax(noisy))])


class SafePositions:
    """Decisions where a safe edge exists, by how many are left: how often the player hands a box over,
    how often the best edge does, and the boxes the player gives up there."""

    def __init__(self) -> None:
        self.counts = {bucket: np.zeros(4) for bucket in SAFE_EDGE_BUCKETS}  # decisions, handed, best, charge

    def record(self, safe: set[int], action: int, values: dict[int, float], charge: float) -> None:
        best = max(values.values())
        best_hands_over = all(values[edge] < best - 1e-6 for edge in safe)  # no safe edge is among the best
        bucket = SAFE_EDGE_BUCKETS[min(len(safe), len(SAFE_EDGE_BUCKETS)) - 1]
        self.counts[bucket] += (1.0, action not in safe, best_hands_over, charge)

    def report(self, games: int) -> dict[str, dict[str, float]]:
        return {
            bucket: {
                "decisions_per_game": round(decisions / games, 3),
                "hands_over": round(handed / max(decisions, 1), 4),
                "best_hands_over": round(best / max(decisions, 1), 4),
                "boxes_given_up_per_game": round(charge / games, 4),
            }
            for bucket, (decisions, handed, best, charge) in self.counts.items()
        }


class CapturePositions:
    """Decisions where a box is on offer: how often the player takes one, how often the best edge does
    not (it leaves the box for later), and the boxes the player gives up by taking where it should not."""

    def __init__(self) -> None:
        self.counts = np.zeros(4)  # decisions, player takes, best declines, charge of taking against a decline

    def record(self, captures: set[int], action: int, values: dict[int, float], charge: float) -> None:
        best = max(values.values())
        best_declines = all(values[edge] < best - 1e-6 for edge in captures)
        takes = action in captures
        self.counts += (1.0, takes, best_declines, charge if takes and best_declines else 0.0)

    def report(self, games: int) -> dict[str, float]:
        decisions, takes, declines, charge = self.counts
        return {
            "decisions_per_game": round(decisions / games, 3),
            "takes": round(takes / max(decisions, 1), 4),
            "best_declines": round(declines / max(decisions, 1), 4),
            "boxes_given_up_by_taking_per_game": round(charge / games, 4),
        }


class RegretRecorder:
    """Wraps a batched player; charges every decision with the boxes it gives up against the best edge."""

    def __init__(self, player: Any, tables: AgainstRandomTables) -> None:
        self.player, self.tables = player, tables
        self.per_game: dict[int, float] = defaultdict(float)
        self.per_class: dict[str, float] = defaultdict(float)
        self.decisions: dict[str, int] = defaultdict(int)
        self.safe_positions = SafePositions()
        self.capture_positions = CapturePositions()

    def act_many(self, envs: Sequence[Any]) -> list[int]:
        actions = self.player.act_many(envs)
        for env, action in zip(envs, actions, strict=True):
            state = env.unwrapped.state
            values = self.tables.best_action_values(mask_of(state.edges))
            charge = max(values.values()) - values[int(action)]
            position_class = next(iter(classify(state, int(action))))
            self.per_game[id(env)] += charge
            self.per_class[position_class] += charge
            self.decisions[position_class] += 1
            if position_class == "safe":
                self.safe_positions.record(safe_edges(state), int(action), values, charge)
            elif position_class == "capture":
                self.capture_positions.record(capturing_edges(state), int(action), values, charge)
        return actions


def seat_report(seat: int, recorder: RegretRecorder, returns: np.ndarray, games: int) -> dict[str, Any]:
    charges = np.array([recorder.per_game[key] for key in recorder.per_game] + [0.0] * (games - len(recorder.per_game)))
    best = recorder.tables.start_value(recorder.tables.best, seat)
    return {
        "seat": seat,
        "best_expected_boxes": round(best, 4),
        "greedy_expected_boxes": round(recorder.tables.start_value(recorder.tables.greedy, seat), 4),
        "expected_boxes": round(best - float(charges.mean()), 4),
        "expected_boxes_standard_error": round(float(charges.std(ddof=1) / np.sqrt(games)), 4),
        "counted_boxes": round(float(returns[:, seat].mean()), 4),
        "counted_boxes_standard_error": round(float(returns[:, seat].std(ddof=1) / np.sqrt(games)), 4),
        "boxes_given_up_per_game_by_class": {k: round(v / games, 4) for k, v in sorted(recorder.per_class.items())},
        "decisions_per_game_by_class": {k: round(v / games, 3) for k, v in sorted(recorder.decisions.items())},
        "safe_positions_by_safe_edges_left": recorder.safe_positions.report(games),
        "capture_positions": recorder.capture_positions.report(games),
    }


def exact_values(tables: AgainstRandomTables) -> dict[str, Any]:
    best = [round(tables.start_value(tables.best, seat), 4) for seat in range(PLAYERS)]
    greedy = [round(tables.start_value(tables.greedy, seat), 4) for seat in range(PLAYERS)]
    return {
        "best_expected_boxes": best,
        "greedy_expected_boxes": greedy,
        "best_mean": round(float(np.mean(best)), 4),
        "greedy_mean": round(float(np.mean(greedy)), 4),
    }


def noise_sigma(name: str) -> float | None:
    """SIGMA of an 'exact+noise:SIGMA' player (None for other players); ValueError if it is no number >= 0."""
    if not name.startswith(NOISY_EXACT):
        return None
    sigma = float(name.removeprefix(NOISY_EXACT))
    if not sigma >= 0:
        raise ValueError(f"negative noise in {name}")
    return sigma


def make_player(name: str, tables: AgainstRandomTables, args: argparse.Namespace) -> Any:
    sigma = noise_sigma(name)
    if sigma is not None:
        return PlayerAsAgent(NoisyExactPlayer(tables, sigma))
    return load_player(name, args.simulations, args.opponent_random_probability, args.average_symmetries)


def player_report(name: str, tables: AgainstRandomTables, args: argparse.Namespace) -> dict[str, Any]:
    """The player's games in every seat against two random players, charged decision by decision."""
    kit = game_kit(GameConfig("dots_and_boxes", {"players": PLAYERS}))
    seats, started = [], time.perf_counter()
    for seat in range(PLAYERS):
        player = make_player(name, tables, args)
        recorder = RegretRecorder(player, tables)
        returns = play_seats(
            {seat: recorder},
            lambda seed: kit.make_opponent("random", seed),
            kit.make_game,
            games=args.games,
            seed=args.seed,
        )
        seats.append(seat_report(seat, recorder, returns, args.games))
        print(json.dumps({"player": name, **seats[-1]}), flush=True)
    mean = round(float(np.mean([s["expected_boxes"] for s in seats])), 4)
    error = round(float(np.sqrt(sum(s["expected_boxes_standard_error"] ** 2 for s in seats)) / PLAYERS), 4)
    seconds = round(time.perf_counter() - started, 1)  # all its games, played one batch per seat
    return {
        "player": name,
        "expected_boxes_mean": mean,
        "expected_boxes_mean_standard_error": error,
        "play_seconds": seconds,
        "seats": seats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "players", nargs="*", help="checkpoints, run folders or bundles, 'greedy', 'rollout:K' or 'exact+noise:SIGMA'"
    )
    parser.add_argument("--games", type=int, default=100, help="games per seat")
    parser.add_argument("--seed", type=int, default=1, help="the first game's seed")
    parser.add_argument("--simulations", type=int, help="search simulations (default: the model's)")
    parser.add_argument(
        "--opponent-random-probability",
        type=float,
        help="the agents' search models the other players as erring this often (default: the model's config)",
    )
    parser.add_argument(
        "--average-symmetries",
        action=argparse.BooleanOptionalAction,
        help="the agents average their network over the board's symmetries (default: the model's config)",
    )
    parser.add_argument("--json", default=str(RESULTS / "dots_ceiling.json"), help="the JSON file to write")
    args = parser.parse_args()
    for name in args.players:  # before the 50-second solve
        try:
            noise_sigma(name)
        except ValueError:
            parser.error(f"{name}: the noise must be a number of boxes >= 0, e.g. {NOISY_EXACT}0.1")
    started = time.perf_counter()
    tables = solve(3, 3, PLAYERS)
    result: dict[str, Any] = {"exact": exact_values(tables), "solve_seconds": round(time.perf_counter() - started, 1)}
    print(json.dumps(result), flush=True)
    result.update(games_per_seat=args.games, seed=args.seed, simulations=args.simulations, players=[])
    result.update(
        opponent_random_probability=args.opponent_random_probability, average_symmetries=args.average_symmetries
    )
    for name in args.players:
        report = player_report(name, tables, args)
        result["players"].append(report)
        summary = {key: report[key] for key in SUMMARY_KEYS}
        print(json.dumps({**summary, "greedy_mean": result["exact"]["greedy_mean"]}), flush=True)
    output = Path(args.json)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
