"""The one-player benchmarks: time to solve a Gymnasium env, and one-player rows in the README's table."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import gym_learning
import model_strength


def test_time_to_solve_is_the_first_checkpoint_whose_mean_reaches_the_threshold():
    rows = [
        {"minutes": 1.0, "return_mean": 120.0},
        {"minutes": 2.0, "return_mean": 480.0},
        {"minutes": 3.0, "return_mean": 300.0},
    ]
    assert gym_learning.time_to_solve(rows, 475) == 2.0
    assert gym_learning.time_to_solve(rows, 490) is None


def test_a_one_player_row_is_evaluated_on_episodes_and_shows_its_return():
    row = model_strength.Row("cartpole", None, 100)
    assert row.argv(0.5) == ["models/cartpole", "--episodes", "50", "--seed", "7"]
    report = {
        "model": "models/cartpole",
        "training_step": 28550,
        "episodes": 50,
        "return_mean": 490.4,
        "return_interval": [482.8, 498.1],
    }
    line = model_strength.table([{"command": "muzero-eval models/cartpole --episodes 50 --seed 7", "report": report}])
    assert "| `cartpole` (step 28,550) | greedy episodes | 50 | return 490.4 [482.8, 498.1] | – |" in line
