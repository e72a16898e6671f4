"""How well a network's value knows the game: its value for the player to move against the solved value.

Tic-tac-toe: every reachable position that is not over, against minimax (win +1, draw 0, loss -1). Connect
four: positions of a few random plies (as `benchmarks/connect4_move_quality.py` draws them), against the
exact solver. For each checkpoint of each run: the mean absolute error and the share of positions whose value
has the solved sign (a draw: |v| < 1/3). Compares value heads (a value per player, or one zero-sum value,
`network.zero_sum_value`) trained alike.

    python benchmarks/research/value_heads.py RUN_DIR [RUN_DIR ...] [--every 4] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import envs
from muzero.training.checkpoint import load_checkpoint
from muzero.training.components import load_checkpoint_model
from muzero.training.run_folder import RunFolder

DRAW_BAND = 1 / 3  # |value| below this reads as a draw


def tictactoe_positions() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(observations float32[N, 2, 3, 3], to_play int64[N], solved values float32[N] for the mover) of every
    reachable tic-tac-toe position that is not over."""
    from envs.tictactoe.rules import TicTacToeRules, position_value

    rules = TicTacToeRules()
    seen, frontier = {}, [rules.initial()]
    while frontier:
        state = frontier.pop()
        if state in seen or rules.is_over(state):
            continue
        seen[state] = rules.decision(state)
        for action in np.flatnonzero(seen[state].legal_mask):
            frontier.append(rules.play(state, int(action))[0])
    states = list(seen)
    values = [np.sign(position_value(s.stones[s.to_play], s.stones[1 - s.to_play])) for s in states]
    return (
        np.stack([seen[s].observation for s in states]),
        np.array([s.to_play for s in states], dtype=np.int64),
        np.array(values, dtype=np.float32),
    )


def connect4_positions(count: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same for `count` connect-four positions of up to a few random plies, graded by the solver."""
    from connect4_move_quality import env_after, random_positions

    observations, to_play, values = [], [], []
    for position in random_positions(count, seed=0):
        game = envs.registry.game_at("connect4", env_after(position.moves))
        decision = game.current_decision()
        observations.append(decision.observation)
        to_play.append(decision.to_play)
        values.append(np.sign(max(position.scores.values())))
    return np.stack(observations), np.array(to_play, dtype=np.int64), np.array(values, dtype=np.float32)


def grade(path: Path, positions: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict:
    observations, to_play, solved = positions
    model, checkpoint = load_checkpoint_model(path)
    values = model.initial_inference(observations, to_play).values[np.arange(len(to_play)), to_play]  # mover's
    signs = np.where(np.abs(values) < DRAW_BAND, 0.0, np.sign(values))
    return {
        "checkpoint": path.name,
        "step": checkpoint.counters.training_step,
        "minutes": round(checkpoint.counters.seconds / 60, 2),
        "mean_abs_error": round(float(np.abs(values - solved).mean()), 4),
        "solved_sign": round(float((signs == solved).mean()), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--every", type=int, default=1, help="every n-th checkpoint of a run (and its last)")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results" / "value_heads.json")
    args = parser.parse_args()
    result: dict = {"date": time.strftime("%Y-%m-%d"), "runs": {}}
    for run in args.runs:
        checkpoints = RunFolder(run).step_checkpoints()
        checkpoints = list(dict.fromkeys(checkpoints[:: args.every] + checkpoints[-1:]))
        config = load_checkpoint(checkpoints[-1]).config
        game = config.game.name
        positions = tictactoe_positions() if game == "tictactoe" else connect4_positions()
        rows = [grade(path, positions) for path in checkpoints]
        result["runs"][run] = {"game": game, "zero_sum_value": config.network.zero_sum_value, "rows": rows}
        print(f"{run} ({game}, zero-sum value: {config.network.zero_sum_value}, {len(positions[2])} positions)")
        for row in rows:
            print(
                f"  {row['minutes']:6.1f} min  step {row['step']:6d}  |error| {row['mean_abs_error']:.3f}  "
                f"solved sign {row['solved_sign']:.1%}"
            )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
