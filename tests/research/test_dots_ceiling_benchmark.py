"""benchmarks/research/dots_and_boxes/dots_ceiling.py: the charges of a player's decisions add up to its exact
expected boxes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from envs.dots_and_boxes.greedy import GreedyDotsAndBoxesPlayer
from envs.opponents import RandomPlayer
from muzero.core.config import GameConfig
from muzero.evaluation.evaluate import PlayerAsAgent, play_seats
from muzero.faces.games import game_kit

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks/research/dots_and_boxes/dots_ceiling.py"
sys.path.insert(0, str(SCRIPT.parent))  # the ceiling script imports the tactics script from beside it
spec = importlib.util.spec_from_file_location("ceiling", SCRIPT)
ceiling = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ceiling)
AgainstRandomTables, solve = ceiling.AgainstRandomTables, ceiling.solve

KIT = game_kit(GameConfig("dots_and_boxes", {"players": 3, "rows": 2, "cols": 2}))


def seat_report(player, tables: AgainstRandomTables, seat: int, games: int) -> dict:
    recorder = ceiling.RegretRecorder(PlayerAsAgent(player), tables)
    returns = play_seats({seat: recorder}, RandomPlayer, KIT.make_game, games=games, seed=7)
    return ceiling.seat_report(seat, recorder, returns, games)


def test_noisier_exact_values_give_more_up() -> None:
    tables = solve(2, 2, 3)
    reports = [
        seat_report(ceiling.NoisyExactPlayer(tables, sigma, seed=3), tables, seat=0, games=200)
        for sigma in (0.0, 0.3, 3.0)
    ]
    assert reports[0]["expected_boxes"] == reports[0]["best_expected_boxes"]  # no noise: best play
    assert reports[0]["expected_boxes"] > reports[1]["expected_boxes"] > reports[2]["expected_boxes"]


def test_the_best_player_gives_nothing_up_and_counts_about_its_value() -> None:
    tables = solve(2, 2, 3)
    report = seat_report(ceiling.NoisyExactPlayer(tables, 0.0), tables, seat=1, games=200)
    assert report["expected_boxes"] == report["best_expected_boxes"]
    assert abs(report["counted_boxes"] - report["best_expected_boxes"]) < 4 * report["counted_boxes_standard_error"]


def test_greedy_charges_estimate_its_exact_value_with_less_spread_than_counting() -> None:
    tables = solve(2, 2, 3)
    report = seat_report(GreedyDotsAndBoxesPlayer(3), tables, seat=0, games=300)
    exact = report["greedy_expected_boxes"]
    assert report["expected_boxes"] < report["best_expected_boxes"]
    assert abs(report["expected_boxes"] - exact) < 4 * report["expected_boxes_standard_error"] + 1e-6
    assert report["expected_boxes_standard_error"] < report["counted_boxes_standard_error"]
    given_up = sum(report["boxes_given_up_per_game_by_class"].values())
    assert np.isclose(report["best_expected_boxes"] - given_up, report["expected_boxes"], atol=1e-3)


def test_safe_positions_split_the_safe_charges_and_greedy_never_hands_a_box_over() -> None:
    tables = solve(2, 2, 3)
    for player, seat in ((GreedyDotsAndBoxesPlayer(3), 2), (ceiling.NoisyExactPlayer(tables, 0.0), 0)):
        report = seat_report(player, tables, seat=seat, games=100)
        buckets = report["safe_positions_by_safe_edges_left"]
        given_up = sum(bucket["boxes_given_up_per_game"] for bucket in buckets.values())
        assert np.isclose(given_up, report["boxes_given_up_per_game_by_class"].get("safe", 0.0), atol=1e-3)
        decisions = sum(bucket["decisions_per_game"] for bucket in buckets.values())
        assert np.isclose(decisions, report["decisions_per_game_by_class"]["safe"], atol=1e-2)
        if isinstance(player, GreedyDotsAndBoxesPlayer):
            assert all(bucket["hands_over"] == 0 for bucket in buckets.values())  # greedy stays safe
        else:  # the best player gives nothing up, and hands a box over at least where every best edge does
            assert all(bucket["boxes_given_up_per_game"] == 0 for bucket in buckets.values())
            assert all(bucket["hands_over"] >= bucket["best_hands_over"] for bucket in buckets.values())
            assert any(bucket["best_hands_over"] > 0 for bucket in buckets.values())  # it happens on 2x2


def test_capture_positions_greedy_always_takes_and_pays_only_where_the_best_edge_declines() -> None:
    tables = solve(2, 2, 3)
    greedy = seat_report(GreedyDotsAndBoxesPlayer(3), tables, seat=0, games=100)
    captures = greedy["capture_positions"]
    assert captures["takes"] == 1.0
    assert captures["best_declines"] > 0 and captures["boxes_given_up_by_taking_per_game"] > 0  # on 2x2, seat 0
    assert np.isclose(captures["decisions_per_game"], greedy["decisions_per_game_by_class"]["capture"], atol=1e-2)
    capture_charge = greedy["boxes_given_up_per_game_by_class"].get("capture", 0.0)
    assert captures["boxes_given_up_by_taking_per_game"] <= capture_charge + 1e-6
    best = seat_report(ceiling.NoisyExactPlayer(tables, 0.0), tables, seat=0, games=100)["capture_positions"]
    assert best["boxes_given_up_by_taking_per_game"] == 0
    assert best["takes"] <= 1 - best["best_declines"] + 1e-6  # it never takes where every best edge declines


def test_noise_names_are_parsed_and_bad_ones_refused() -> None:
    assert ceiling.noise_sigma("exact+noise:0.25") == 0.25
    assert ceiling.noise_sigma("greedy") is None
    for bad in ("exact+noise:x", "exact+noise:-1", "exact+noise:nan"):
        with pytest.raises(ValueError):
            ceiling.noise_sigma(bad)
