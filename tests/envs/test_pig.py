"""Pig's rules and its optimal policy against the published values (Neller and Presser, 2004): the first
player wins 53.06% under optimal play and 53.47% when both hold at 20; at 41 to 49 the optimal player rolls
to 22, holds at 22 to 26, and rolls once more at 27."""

import numpy as np
import pytest

from envs.pig import optimal, rules
from muzero.core.errors import IllegalActionError, UserError


def test_a_turn_banks_its_total_and_a_one_loses_it():
    state = rules.initial_state(3, target=30)
    assert rules.legal_mask(state).tolist() == [True, False]  # a turn starts with a roll
    state = rules.after_roll(rules.after_roll(state, 6), 5)
    assert state.turn_total == 11 and rules.legal_mask(state).all()
    banked = rules.hold(state)
    assert banked.scores == (11, 0, 0) and banked.to_play == 1 and banked.turn_total == 0
    lost = rules.after_roll(rules.after_roll(banked, 4), 1)
    assert lost.scores == (11, 0, 0) and lost.to_play == 2 and lost.turn_total == 0
    with pytest.raises(IllegalActionError):
        rules.hold(lost)


def test_reaching_the_target_wins_and_rewards_every_other_player_minus_one():
    state = rules.PigState((28, 5, 0), 0, 0, target=30)
    won = rules.after_roll(state, 2)
    assert won.over and won.winner == 0 and won.scores[0] == 30
    assert rules.rewards(state, won).tolist() == [1.0, -1.0, -1.0]
    assert not rules.legal_mask(won).any()
    assert rules.chance_probabilities().sum() == pytest.approx(1.0)


def test_arguments_out_of_range_are_one_line():
    with pytest.raises(UserError, match="2 to 4 players"):
        rules.initial_state(5)
    with pytest.raises(UserError, match="target"):
        rules.initial_state(2, target=1)


def test_the_optimal_policy_has_the_published_values():
    solution = optimal.solve(100)
    assert solution.win[0, 0, 0] == pytest.approx(0.5306, abs=5e-5)
    assert [bool(solution.roll[41, 49, k]) for k in range(20, 29)] == [True, True] + [False] * 5 + [True, False]
    assert optimal.hold20_solution(100).win[0, 0, 0] == pytest.approx(0.5347, abs=5e-5)


def test_on_a_small_target_the_rules_played_out_agree_with_the_solution():
    """The first player's wins in 20,000 games of the optimal policy against itself on the rules, target 12,
    against the solution's chance (within 4 standard errors, about 0.014)."""
    rng, target, games = np.random.default_rng(0), 12, 20_000
    first_wins = 0
    for _ in range(games):
        state = rules.initial_state(2, target)
        while not state.over:
            if optimal.optimal_action(state) == rules.HOLD:
                state = rules.hold(state)
            else:
                state = rules.after_roll(state, int(rng.integers(1, rules.FACES + 1)))
        first_wins += state.winner == 0
    assert first_wins / games == pytest.approx(optimal.solve(target).win[0, 0, 0], abs=4 * (0.25 / games) ** 0.5)


def test_hold20_banks_at_twenty_or_at_the_target():
    assert optimal.hold20_action(rules.PigState((0, 0, 0), 19, 0, 100)) == rules.ROLL
    assert optimal.hold20_action(rules.PigState((0, 0, 0), 20, 0, 100)) == rules.HOLD
    assert optimal.hold20_action(rules.PigState((90, 0, 0), 10, 0, 100)) == rules.HOLD
