"""The connect-four strength benchmarks: solver-graded positions, time to strength, and the README table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import connect4_strength
import model_strength
from connect4_move_quality import GradedPosition, env_after, grade, random_positions


def test_the_positions_are_seeded_unfinished_and_fully_scored():
    positions = random_positions(12, seed=3)
    assert [p.moves for p in positions] == [p.moves for p in random_positions(12, seed=3)]
    assert [p.moves for p in positions] != [p.moves for p in random_positions(12, seed=4)]
    for position in positions:
        env = env_after(position.moves)
        assert not any(env.terminations.values())
        legal = set(env.observe(env.agent_selection)["action_mask"].nonzero()[0].tolist())
        assert set(position.scores) == legal


def test_a_move_keeps_the_outcome_or_is_best_by_the_solvers_scores():
    position = GradedPosition((), {0: 3, 1: 1, 2: 0, 3: -2})  # two wins (0 sooner), a draw, a loss
    assert position.decisive
    assert position.is_best(0) and position.keeps_outcome(0)
    assert not position.is_best(1) and position.keeps_outcome(1)
    assert not position.keeps_outcome(2) and not position.keeps_outcome(3)
    assert not GradedPosition((), {0: -1, 1: -5}).decisive  # lost whatever the move


def test_the_perfect_player_keeps_every_outcome_and_random_play_does_not():
    positions = random_positions(30, seed=0)
    perfect = grade("perfect", positions, None, seed=0)
    assert perfect["keeps_outcome"] == perfect["best_move"] == perfect["decisive_best_move"] == 1.0
    random = grade("random", positions, None, seed=0)
    assert random["decisive_keeps_outcome"] < 0.8
    assert random["decisive_positions"] == perfect["decisive_positions"] > 0


def test_time_to_strength_is_the_first_checkpoint_at_90_percent():
    rows = [
        {"minutes": 5.0, "alphabeta": {1: 0.5}},
        {"minutes": 10.0, "alphabeta": {1: 0.95, 2: 0.6}},
        {"minutes": 15.0, "alphabeta": {1: 0.85, 2: 0.9, 3: 0.2}},
    ]
    assert connect4_strength.time_to_strength(rows, [1, 2, 3]) == {1: 10.0, 2: 15.0, 3: None}


def test_every_nth_checkpoint_and_always_the_last():
    paths = [Path(f"step_{step:08d}.pt") for step in range(1, 8)]
    assert connect4_strength.every_nth_and_last(paths, 3) == [paths[0], paths[3], paths[6]]
    assert connect4_strength.every_nth_and_last(paths, 4) == [paths[0], paths[4], paths[6]]
    assert connect4_strength.every_nth_and_last([], 2) == []


def test_the_readme_table_replaces_only_its_block():
    text = f"intro\n{model_strength.START}\nold table\n{model_strength.END}\nrest\n"
    assert (
        model_strength.replace_block(text, "new") == f"intro\n{model_strength.START}\nnew\n{model_strength.END}\nrest\n"
    )
    with pytest.raises(SystemExit, match="markers"):
        model_strength.replace_block("no markers", "new")
