"""Elo ratings from pairwise results, by maximum likelihood under the Bradley–Terry model.

P(i beats j) = 1 / (1 + 10^((R_j - R_i) / 400)); a draw counts as half a win for each side. The fit is
Hunter's MM iteration (2004), gamma_i <- W_i / sum_j n_ij / (gamma_i + gamma_j) with R_i = 400 log10 gamma_i,
which climbs the likelihood at every step. A few virtual draws per pair (`prior_draws`) keep a perfect or a
zero score finite. Ratings are anchored so that their mean is 0.
"""

from __future__ import annotations

import numpy as np

ELO_SCALE = 400.0  # a rating gap of 400 means 10:1 odds


def expected_score(rating: float, opponent_rating: float) -> float:
    """The expected points per game of a player rated `rating` against one rated `opponent_rating`."""
    return 1.0 / (1.0 + 10.0 ** ((opponent_rating - rating) / ELO_SCALE))


def fit_elo(
    scores: np.ndarray,
    games: np.ndarray,
    *,
    prior_draws: float = 1.0,
    iterations: int = 10_000,
    tolerance: float = 1e-10,
) -> np.ndarray:
    """float64[n] Elo ratings, mean 0, that make the observed scores most likely.

    scores[i, j]: points player i scored against j (win 1, draw 1/2, loss 0); games[i, j] = games[j, i]: the
    games between them, so scores[i, j] + scores[j, i] = games[i, j]. Every pair that played gets
    `prior_draws` extra drawn games. A player without games is rated 0.
    """
    scores, games = check_results(scores, games)
    played = games > 0  # bool[n, n]
    games = games + prior_draws * played
    points = (scores + prior_draws / 2 * played).sum(axis=1)  # float64[n]: W_i
    active = games.sum(axis=1) > 0  # bool[n]
    if np.any(active & ((points <= 0) | (points >= games.sum(axis=1)))):
        raise ValueError("a player with a perfect or a zero score has no finite rating: use prior_draws > 0")
    strengths = np.ones(len(points))  # gamma_i
    for _ in range(iterations):
        denominators = (games / (strengths[:, None] + strengths[None, :])).sum(axis=1)  # float64[n]
        updated = np.where(active, points / np.where(active, denominators, 1.0), 1.0)
        updated /= np.exp(np.log(updated[active]).mean()) if active.any() else 1.0
        change = np.abs(np.log(updated) - np.log(strengths)).max()
        strengths = updated
        if change < tolerance:
            break
    ratings = ELO_SCALE * np.log10(strengths)
    return ratings - ratings[active].mean() * active if active.any() else ratings


def check_results(scores: np.ndarray, games: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two matrices as float64, or a ValueError naming what is inconsistent."""
    scores = np.asarray(scores, dtype=np.float64)
    games = np.asarray(games, dtype=np.float64)
    if scores.ndim != 2 or scores.shape[0] != scores.shape[1] or scores.shape != games.shape:
        raise ValueError(f"scores and games must be square matrices of one shape, got {scores.shape}, {games.shape}")
    if np.any(games < 0) or np.any(scores < 0) or not np.allclose(games, games.T):
        raise ValueError("games must be symmetric and scores and games non-negative")
    if np.any(np.diag(games) != 0) or not np.allclose(scores + scores.T, games):
        raise ValueError("scores[i, j] + scores[j, i] must equal games[i, j], with no games against oneself")
    return scores, games
