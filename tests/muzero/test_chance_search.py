"""Chance nodes in the search over the game's rules: a tiny game's root values against a hand-computed
expectimax, the batched search against the reference oracle with chance nodes, and pig's copies that wait for
the die instead of knowing it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pytest

import envs
from envs.pig import rules as pig
from envs.rules_game import RulesGame
from muzero.core.config import SearchConfig
from muzero.core.types import Decision
from muzero.model.dynamics import RulesDynamics
from muzero.search import extract_tree, search
from tests.muzero.test_rules_search import ProjectionModel, batched_and_reference, child

SAFE, GAMBLE = 0, 1
OUTCOME_PROBABILITIES = np.array([0.5, 0.3, 0.2])
# After GAMBLE chance draws: 0 -> player 0 wins; 1 -> player 1 picks +1 or -0.5 for player 0 (picks -0.5);
# 2 -> player 0 loses. SAFE ends at once with 0.1 for player 0. By hand, the expectimax value of GAMBLE for
# player 0 is 0.5 * 1 + 0.3 * -0.5 + 0.2 * -1 = 0.15 (> 0.1: GAMBLE is the better move).
GAMBLE_VALUE, SAFE_VALUE = 0.15, 0.1


@dataclass(frozen=True)
class BetState:
    moves: tuple[str, ...] = ()


class BetRules:
    """Player 0 plays SAFE or GAMBLE; a GAMBLE's outcome is drawn; after outcome 1, player 1 moves."""

    name, num_players, num_actions, observation_shape, chance_outcomes = "bet", 2, 2, (4,), 3

    def initial(self) -> BetState:
        return BetState()

    def decision(self, state: BetState) -> Decision:
        observation = np.zeros(4, np.float32)
        observation[len(state.moves)] = 1.0
        return Decision(observation, 0 if not state.moves else 1, np.ones(2, bool))

    def play(self, state: BetState, action: int) -> tuple[BetState, np.ndarray]:
        if not state.moves:
            after = BetState(("safe",) if action == SAFE else ("gamble",))
            return after, np.array([SAFE_VALUE, -SAFE_VALUE] if action == SAFE else [0.0, 0.0], np.float32)
        value = 1.0 if action == 0 else -0.5
        return BetState((*state.moves, "end")), np.array([value, -value], np.float32)

    def is_over(self, state: BetState) -> bool:
        return state.moves[-1:] in (("safe",), ("end",))

    def chance_probabilities(self, state: BetState) -> np.ndarray | None:
        return OUTCOME_PROBABILITIES if state.moves == ("gamble",) else None

    def resolve(self, state: BetState, outcome: int) -> tuple[BetState, np.ndarray]:
        if outcome == 1:
            return BetState(("gamble", "drawn")), np.zeros(2, np.float32)
        value = 1.0 if outcome == 0 else -1.0
        return BetState(("gamble", "end")), np.array([value, -value], np.float32)

    def mover(self, state: BetState) -> int:
        return 0


def expectimax(game: RulesGame) -> np.ndarray:
    """The exact value vector of `game`'s position: max^n at decisions, expectation at chance nodes."""
    probabilities = game.chance_probabilities()
    if probabilities is not None:
        total = np.zeros(game.num_players)
        for outcome in np.flatnonzero(probabilities):
            copy = game.clone()
            step = copy.resolve_chance(int(outcome))
            total += probabilities[outcome] * (step.rewards + (0 if step.terminal else expectimax(copy)))
        return total
    decision = game.current_decision()
    best = None
    for action in np.flatnonzero(decision.legal_mask):
        copy = game.clone()
        step = copy.step(int(action))
        value = step.rewards + (0 if step.terminal else expectimax(copy))
        if best is None or value[decision.to_play] > best[decision.to_play]:
            best = value
    return best


PARAMS = SearchConfig(num_simulations=800, exploration_fraction=0.0, dynamics="rules")


def searched(game, params: SearchConfig = PARAMS, seed: int | None = None):
    dynamics = RulesDynamics(ProjectionModel(game, seed))
    roots = dynamics.roots([game.current_decision()], [game])
    return search(roots, dynamics.recurrent_inference, params, np.random.default_rng(0))


def test_the_hand_computed_expectimax_is_the_one_the_test_computes() -> None:
    game = RulesGame(BetRules())
    np.testing.assert_allclose(expectimax(game), [GAMBLE_VALUE, -GAMBLE_VALUE])


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
def test_the_search_values_a_gamble_at_its_expectation_and_takes_it(algorithm: str) -> None:
    params = dataclasses.replace(PARAMS, algorithm=algorithm, gumbel_scale=0.0)
    output = searched(RulesGame(BetRules()), params)
    assert output.action[0] == GAMBLE
    np.testing.assert_allclose(output.q_values[0, SAFE], [SAFE_VALUE, -SAFE_VALUE], atol=1e-6)
    gamble = child(extract_tree(output, 0), GAMBLE)
    assert gamble.chance and gamble.to_play == 0
    outcomes = [child(gamble, outcome) for outcome in range(3)]
    assert [node.prior for node in outcomes] == pytest.approx(OUTCOME_PROBABILITIES)
    shares = np.array([node.visits for node in outcomes]) / (gamble.visits - 1)
    np.testing.assert_allclose(shares, OUTCOME_PROBABILITIES, atol=0.01)  # the visits follow the die
    q_outcomes = np.array([node.reward[0] + node.value[0] for node in outcomes])
    np.testing.assert_allclose(q_outcomes[[0, 2]], [1.0, -1.0])  # the rules' own rewards, exactly
    assert gamble.value[0] == pytest.approx(OUTCOME_PROBABILITIES @ q_outcomes, abs=0.005)  # an expectation
    # player 1's node after outcome 1 averages its visits (MCTS's mean, not yet the minimum): within 0.05
    assert output.q_values[0, GAMBLE, 0] == pytest.approx(GAMBLE_VALUE, abs=0.05)


def pig_game(scores: tuple[int, ...], turn_total: int, to_play: int = 0, target: int = 20) -> RulesGame:
    return RulesGame(pig.PigRules(len(scores), target), pig.PigState(scores, turn_total, to_play, target))


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
@pytest.mark.parametrize("seed", [0, 1])
def test_batched_chance_search_agrees_with_the_reference(algorithm: str, seed: int) -> None:
    games = [pig_game((0, 0), 0), pig_game((12, 15), 4, 1), pig_game((3, 9), 5)]
    params = dataclasses.replace(PARAMS, num_simulations=96, algorithm=algorithm, gumbel_scale=0.0)
    batched, reference = batched_and_reference(games, params, seed)
    assert batched.tree.chance_probs.shape[2] == pig.FACES  # the roots declared the die's six outcomes
    assert batched.tree.chance.any() and not batched.tree.chance[:, 0].any()  # chance nodes, never a root
    np.testing.assert_array_equal(batched.visit_counts, reference.visit_counts)
    np.testing.assert_allclose(batched.q_values, reference.q_values, atol=1e-5)
    np.testing.assert_allclose(batched.root_values, reference.root_values, atol=1e-5)
    np.testing.assert_array_equal(batched.action, reference.action)


def test_pig_holds_the_winning_total_and_rolls_when_holding_cannot_matter() -> None:
    win_by_holding = searched(pig_game((15, 18), 5), seed=None)  # hold reaches the target of 20
    assert win_by_holding.action[0] == pig.HOLD
    np.testing.assert_allclose(win_by_holding.q_values[0, pig.HOLD], [1.0, -1.0])
    rolled = child(extract_tree(win_by_holding, 0), pig.ROLL)
    assert rolled.chance and len(rolled.children) == pig.FACES  # every face tried, each 1/6
    one = child(rolled, 0)  # the face 1: the turn passes to player 1
    assert one.to_play == 1 and one.prior == pytest.approx(1 / 6)


def test_a_copy_of_pig_waits_for_the_die_and_the_env_is_untouched() -> None:
    game = envs.make("pig", target=20)
    game.reset(seed=3)
    copy = game.clone()
    step = copy.step(pig.ROLL)
    assert not step.terminal and not step.legal_mask.any()  # no decision until the die is read
    np.testing.assert_allclose(copy.chance_probabilities(), np.full(pig.FACES, 1 / 6))
    after = copy.resolve_chance(3)  # the face 4
    assert after.legal_mask.all() and copy.state.turn_total == 4
    assert game.current_decision().legal_mask.tolist() == [True, False]  # the real game has not moved


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
def test_a_move_and_chance_s_draw_are_discounted_once(algorithm: str) -> None:
    """The edge into a chance node is the same step of the game as the draw after it: only the draw's edge
    carries the discount, so Q(GAMBLE) is the chance node's value itself, the expectation of reward +
    discount * value over the outcomes."""
    discount = 0.9
    params = dataclasses.replace(PARAMS, algorithm=algorithm, gumbel_scale=0.0, discount=discount)
    dynamics = RulesDynamics(ProjectionModel(RulesGame(BetRules()), None), discount)
    game = RulesGame(BetRules())
    output = search(dynamics.roots([game.current_decision()], [game]), dynamics.recurrent_inference, params, None)
    gamble = child(extract_tree(output, 0), GAMBLE)
    np.testing.assert_allclose(output.q_values[0, GAMBLE], gamble.value, atol=1e-6)  # no discount into chance
    outcomes = [child(gamble, outcome) for outcome in range(3)]
    visits = np.array([node.visits for node in outcomes])
    q_outcomes = np.array([node.reward[0] + discount * node.value[0] for node in outcomes])
    # the chance node's mean: its outcomes' discounted returns, and its own first valuation (one visit)
    outcome_mean = (visits @ q_outcomes) / visits.sum()
    assert gamble.value[0] == pytest.approx(outcome_mean, abs=2.5 / gamble.visits)
