"""Elo by maximum likelihood and Wilson intervals, on synthetic results with known answers."""

import math

import numpy as np
import pytest

from muzero.evaluation.elo import expected_score, fit_elo
from muzero.evaluation.evaluate import PairResult, outcome_summary, pair_matrices, wilson_interval


def results(pairs: dict[tuple[int, int], tuple[int, int, int]], count: int) -> tuple[np.ndarray, np.ndarray]:
    """(wins, draws, losses) of i against j per pair (i, j) -> the score and game matrices."""
    return pair_matrices([PairResult(i, j, *outcome) for (i, j), outcome in pairs.items()], count)


def test_three_to_one_odds_are_a_gap_of_400_log10_3():
    scores, games = results({(0, 1): (75, 0, 25)}, 2)
    ratings = fit_elo(scores, games, prior_draws=0)
    assert ratings[0] - ratings[1] == pytest.approx(400 * math.log10(3), abs=1e-6)
    assert ratings.mean() == pytest.approx(0, abs=1e-9)
    assert expected_score(ratings[0], ratings[1]) == pytest.approx(0.75)


def test_a_clearly_stronger_player_is_rated_higher_and_the_order_is_transitive():
    scores, games = results({(0, 1): (16, 2, 2), (1, 2): (15, 3, 2), (0, 2): (19, 1, 0)}, 3)
    ratings = fit_elo(scores, games)
    assert ratings[0] > ratings[1] > ratings[2]
    assert ratings[0] - ratings[1] > 200 and np.isfinite(ratings).all()


def test_the_fit_is_the_maximum_likelihood_point_each_player_scores_what_it_is_expected_to():
    scores, games = results({(0, 1): (10, 4, 6), (1, 2): (7, 2, 11), (0, 2): (9, 6, 5), (2, 3): (12, 0, 8)}, 4)
    ratings = fit_elo(scores, games, prior_draws=0)
    expected = [sum(games[i, j] * expected_score(ratings[i], ratings[j]) for j in range(4) if j != i) for i in range(4)]
    np.testing.assert_allclose(expected, scores.sum(axis=1), atol=1e-6)


def test_draws_are_half_points():
    scores, games = results({(0, 1): (0, 10, 0)}, 2)
    np.testing.assert_allclose(fit_elo(scores, games), [0, 0], atol=1e-9)
    scores, games = results({(0, 1): (5, 10, 5)}, 2)
    np.testing.assert_allclose(fit_elo(scores, games, prior_draws=0), [0, 0], atol=1e-9)


def test_a_perfect_score_is_finite_with_virtual_draws_and_refused_without():
    scores, games = results({(0, 1): (10, 0, 0)}, 2)
    ratings = fit_elo(scores, games)
    assert np.isfinite(ratings).all() and ratings[0] > ratings[1]
    with pytest.raises(ValueError, match="perfect or a zero score"):
        fit_elo(scores, games, prior_draws=0)


def test_a_player_without_games_is_rated_zero():
    scores, games = results({(0, 1): (6, 0, 4)}, 3)
    ratings = fit_elo(scores, games)
    assert ratings[2] == 0 and ratings[0] == pytest.approx(-ratings[1])


def test_inconsistent_results_are_refused():
    with pytest.raises(ValueError, match="square"):
        fit_elo(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="must equal"):
        fit_elo(np.array([[0, 3], [3, 0]]), np.array([[0, 4], [4, 0]]))


def test_wilson_intervals_match_known_values_and_contain_the_rate():
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(30, 100)
    narrow_low, narrow_high = wilson_interval(300, 1000)
    assert low < 0.3 < high and narrow_high - narrow_low < high - low


def test_outcome_summary_gives_rates_and_intervals():
    summary = outcome_summary(wins=6, draws=2, losses=2)
    assert summary["games"] == 10 and summary["win_rate"] == 0.6 and summary["loss_rate"] == 0.2
    assert summary["win_interval"][0] < 0.6 < summary["win_interval"][1]
