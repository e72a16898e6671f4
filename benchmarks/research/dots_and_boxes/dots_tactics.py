"""Dots-and-boxes tactics of a player: how often it takes a box on offer, stays safe when it can, and, when
every edge hands boxes over, hands over the fewest, measured in its own games against two random players.

    python benchmarks/research/dots_and_boxes/dots_tactics.py runs/dots3/checkpoints/latest.pt --games 50
    python benchmarks/research/dots_and_boxes/dots_tactics.py greedy --games 50
    python benchmarks/research/dots_and_boxes/dots_tactics.py rollout:16 --games 40

"rollout:K" is a reference of what knowing the real game and the opponents' policy is worth: it draws the
edge whose K rollouts (itself greedy, the others uniformly random, to the end) give it the most boxes.

A position is classed by what the legal edges allow: "capture" when an edge completes a box, else "safe"
when an edge leaves no box with three sides, else "forced". In forced positions an edge hands over the
boxes the next player can then take one after another; the fewest is the target (greedy counts only the
boxes it leaves with three sides, so it misses some). Prints the rates per seat and writes JSON
(default: results/dots_tactics.json beside this script).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from envs.dots_and_boxes.greedy import GreedyDotsAndBoxesPlayer, boxes_given_away_by, greedy_edges
from envs.dots_and_boxes.rules import (
    DotsAndBoxesState,
    apply,
    boxes_completed_by,
    is_over,
    legal_mask,
    sides_drawn,
)
from muzero.core.config import GameConfig
from muzero.evaluation.evaluate import PlayerAsAgent, play_seats
from muzero.faces.games import game_kit

RESULTS = Path(__file__).resolve().parent / "results"  # the research log cites its files here


def legal_edges(state: DotsAndBoxesState) -> list[int]:
    return np.flatnonzero(legal_mask(state)).tolist()


def boxes_handed_over(state: DotsAndBoxesState, edge: int) -> int:
    """Boxes the next player takes in a row, always capturing while it can, after `edge` is drawn."""
    state, captured = apply(state, edge)
    if captured:
        return 0
    handed = 0
    while (take := next((e for e in legal_edges(state) if boxes_completed_by(state, e)), None)) is not None:
        state, captured = apply(state, take)
        handed += captured
    return handed


def safe_edges(state: DotsAndBoxesState) -> set[int]:
    """The legal edges that hand no box over (every other legal edge makes a 3-sided box)."""
    sides = sides_drawn(state)
    return {edge for edge in legal_edges(state) if boxes_given_away_by(state, edge, sides) == 0}


def capturing_edges(state: DotsAndBoxesState) -> set[int]:
    """The legal edges that complete a box."""
    return {edge for edge in legal_edges(state) if boxes_completed_by(state, edge)}


def classify(state: DotsAndBoxesState, action: int) -> dict[str, int]:
    """The counters one decision adds: its class, and whether the action did what the class asks."""
    legal = legal_edges(state)
    if capturing_edges(state):
        return {"capture": 1, "captured": int(boxes_completed_by(state, action) > 0)}
    if safe := safe_edges(state):
        return {"safe": 1, "stayed_safe": int(action in safe)}
    handed = {e: boxes_handed_over(state, e) for e in legal}
    return {"forced": 1, "fewest_handed_over": int(handed[action] == min(handed.values()))}


class TacticsRecorder:
    """Wraps a batched player and classes every decision it takes."""

    def __init__(self, player: Any) -> None:
        self.player, self.counts = player, Counter()

    def act_many(self, envs: Sequence[Any]) -> list[int]:
        actions = self.player.act_many(envs)
        for env, action in zip(envs, actions, strict=True):
            self.counts.update(classify(env.unwrapped.state, int(action)))
        return actions


def rates(counts: Counter) -> dict[str, float | int]:
    pairs = (("capture", "captured"), ("safe", "stayed_safe"), ("forced", "fewest_handed_over"))
    summary: dict[str, float | int] = {}
    for total, done in pairs:
        summary[total] = counts[total]
        summary[done] = round(counts[done] / counts[total], 4) if counts[total] else float("nan")
    return summary


class RolloutPlayer:
    """Draws the edge with the most boxes for itself over `rollouts` games played out from it, in which it
    plays greedy and every other player uniformly at random (the opponents of this benchmark)."""

    def __init__(self, rollouts: int, seed: int = 0) -> None:
        self.rollouts, self.rng = rollouts, np.random.default_rng(seed)

    def act(self, env: Any) -> int:
        state = env.unwrapped.state
        legal = legal_edges(state)
        scores = [self._edge_score(state, edge) for edge in legal]
        return legal[int(np.argmax(scores))]

    def _edge_score(self, state: DotsAndBoxesState, edge: int) -> float:
        after, captured = apply(state, edge)
        return captured + float(np.mean([self._play_out(after, state.to_play) for _ in range(self.rollouts)]))

    def _play_out(self, state: DotsAndBoxesState, me: int) -> int:
        boxes = 0
        while not is_over(state):
            candidates = greedy_edges(state) if state.to_play == me else legal_edges(state)
            mover = state.to_play
            state, captured = apply(state, int(candidates[self.rng.integers(len(candidates))]))
            boxes += captured if mover == me else 0
        return boxes


def load_player(
    name: str,
    simulations: int | None,
    opponent_random_probability: float | None = None,
    average_symmetries: bool | None = None,
) -> Any:
    """greedy, rollout:K or a trained agent (with its search's model of the opponents and its averaging over
    symmetries replaced where given)."""
    if name == "greedy":
        return PlayerAsAgent(GreedyDotsAndBoxesPlayer(12345))
    kind, _, rollouts = name.partition(":")
    if kind == "rollout" and rollouts.isdigit():
        return PlayerAsAgent(RolloutPlayer(int(rollouts)))
    from muzero.faces.agent import Agent

    agent = Agent.load(name, num_simulations=simulations, average_symmetries=average_symmetries)
    if opponent_random_probability is not None:
        agent.params = dataclasses.replace(agent.params, opponent_random_probability=opponent_random_probability)
    return agent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("player", help="a checkpoint, run folder or bundle, 'greedy' or 'rollout:K'")
    parser.add_argument("--players", type=int, default=3)
    parser.add_argument("--games", type=int, default=50, help="games per seat")
    parser.add_argument("--simulations", type=int, help="search simulations (default: the model's)")
    parser.add_argument(
        "--average-symmetries",
        action=argparse.BooleanOptionalAction,
        help="the agents average their network over the board's symmetries (default: the model's config)",
    )
    parser.add_argument("--json", default=str(RESULTS / "dots_tactics.json"), help="the JSON file to write")
    args = parser.parse_args()
    kit = game_kit(GameConfig("dots_and_boxes", {"players": args.players}))
    rows = []
    for seat in range(args.players):
        recorder = TacticsRecorder(load_player(args.player, args.simulations, None, args.average_symmetries))
        returns = play_seats(
            {seat: recorder}, lambda seed: kit.make_opponent("random", seed), kit.make_game, games=args.games, seed=1
        )
        row = {"seat": seat, "mean_boxes": round(float(returns[:, seat].mean()), 3), **rates(recorder.counts)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    output = Path(args.json)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"player": args.player, "games_per_seat": args.games, "seats": rows}, indent=1))


if __name__ == "__main__":
    main()
