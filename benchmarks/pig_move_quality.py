"""Move and value quality in two-player pig, graded by the solved game (value iteration, Neller and Presser).

    python benchmarks/pig_move_quality.py models/pig runs/pig-rules-2p --positions 400

On a fixed, seeded set of positions met in games of the optimal player against itself (own score, the
opponent's score, the turn's total; the turn has points, so holding is legal; seen from the mover), each
model's network value for the mover is compared with the solved win chance (as 2 x chance - 1, the
value of a +1 / -1 game), and its move at its own play settings with the optimal move: the share of
positions where it plays the optimal move, and the win chance its moves give away on average (the optimal
move's chance minus its move's, 0 for a perfect player). `hold20` and `roll` (always roll) are graded
beside the models as references. A model is a bundle, a run folder or a checkpoint. Prints one line per
model and writes JSON (default benchmarks/results/pig_move_quality.json).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from envs.pig import optimal, rules
from envs.rules_game import RulesGame
from muzero.faces.agent import Agent

TARGET = rules.DEFAULT_TARGET
RESULTS = Path(__file__).parent / "results" / "pig_move_quality.json"


def positions(count: int, seed: int) -> list[rules.PigState]:
    """`count` positions drawn from games of the optimal player against itself, each turned to player 0 to
    move, with points in the turn (a hold is legal) and short of the target."""
    rng, seen = np.random.default_rng(seed), []
    while len(seen) < 20 * count:
        state = rules.initial_state(2, TARGET)
        while not state.over:
            if state.turn_total > 0:
                mover = state.to_play
                seen.append(rules.PigState((state.scores[mover], state.scores[1 - mover]), state.turn_total, 0, TARGET))
            if optimal.optimal_action(state) == rules.HOLD:
                state = rules.hold(state)
            else:
                state = rules.after_roll(state, int(rng.integers(1, rules.FACES + 1)))
    picked = rng.choice(len(seen), size=count, replace=False)
    return [seen[index] for index in picked]


def move_chances(state: rules.PigState) -> dict[int, float]:
    """The solved win chance of the mover after each move (roll, hold), both players optimal afterwards."""
    solution = optimal.solve(TARGET)
    own, other, total = state.scores[0], state.scores[1], state.turn_total
    roll = (1.0 - solution.win[other, own, 0]) / rules.FACES
    for face in rules.CHANCE_OUTCOMES[1:]:
        roll += (1.0 if own + total + face >= TARGET else solution.win[own, other, total + face]) / rules.FACES
    hold = 1.0 if own + total >= TARGET else 1.0 - solution.win[other, own + total, 0]
    return {rules.ROLL: float(roll), rules.HOLD: float(hold)}


def grade_reference(name: str, states: list[rules.PigState]) -> dict:
    """A reference policy's moves graded like a model's: hold20, or always rolling."""
    if name == "hold20":
        actions = np.array([optimal.hold20_action(state) for state in states])
    else:
        actions = np.full(len(states), rules.ROLL)
    chances = [move_chances(state) for state in states]
    best = np.array([max(c, key=c.get) for c in chances])
    lost = np.array([max(c.values()) - c[int(a)] for c, a in zip(chances, actions, strict=True)])
    return {
        "model": name,
        "positions": len(states),
        "optimal_moves": float(np.mean(actions == best)),
        "win_chance_given_away": float(lost.mean()),
        "holds": float(np.mean(actions == rules.HOLD)),
        "optimal_holds": float(np.mean(best == rules.HOLD)),
    }


def grade(path: str, states: list[rules.PigState]) -> dict:
    agent = Agent.load(path)
    games = [RulesGame(rules.PigRules(2, TARGET), state) for state in states]
    start = time.perf_counter()
    values = agent.dynamics.roots([game.current_decision() for game in games], games).values[:, 0]
    output = agent.run_search(agent.dynamics.roots([game.current_decision() for game in games], games))
    seconds = time.perf_counter() - start
    truth = np.array([2 * optimal.solve(TARGET).win[s.scores[0], s.scores[1], s.turn_total] - 1 for s in states])
    chances = [move_chances(state) for state in states]
    best = np.array([max(c, key=c.get) for c in chances])
    lost = np.array([max(c.values()) - c[int(a)] for c, a in zip(chances, output.action, strict=True)])
    return {
        "model": path,
        "training_step": agent.training_step,
        "simulations": agent.params.num_simulations,
        "positions": len(states),
        "value_mean_abs_error": float(np.abs(values - truth).mean()),
        "value_correlation": float(np.corrcoef(values, truth)[0, 1]),
        "optimal_moves": float(np.mean(output.action == best)),
        "win_chance_given_away": float(lost.mean()),
        "holds": float(np.mean(output.action == rules.HOLD)),
        "optimal_holds": float(np.mean(best == rules.HOLD)),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", help="bundles, run folders or checkpoints of two-player pig")
    parser.add_argument("--positions", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    states = positions(args.positions, args.seed)
    results = [grade(path, states) for path in args.models]
    references = [grade_reference(name, states) for name in ("hold20", "roll")]
    for r in references:
        print(
            f"{r['model']}: optimal move in {r['optimal_moves']:.1%}; win chance given away per move "
            f"{r['win_chance_given_away']:.4f}; holds {r['holds']:.1%} (optimal {r['optimal_holds']:.1%})"
        )
    for r in results:
        print(
            f"{r['model']} (step {r['training_step']}, {r['simulations']} simulations): value error "
            f"{r['value_mean_abs_error']:.3f} (correlation {r['value_correlation']:.3f}); optimal move in "
            f"{r['optimal_moves']:.1%}; win chance given away per move {r['win_chance_given_away']:.4f}; holds "
            f"{r['holds']:.1%} (optimal {r['optimal_holds']:.1%})"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {"date": time.strftime("%Y-%m-%d"), "results": results, "references": references}
    args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
