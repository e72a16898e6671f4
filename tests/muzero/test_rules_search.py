"""The search over the game's own rules: exact rewards, next players and game ends in the tree, the batched
search against the reference oracle, illegal moves never stepped, and any copyable game at play."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import envs
from envs.registry import PETTINGZOO_PREFIX, game_at
from muzero.core.config import SearchConfig
from muzero.core.errors import UserError
from muzero.core.types import Game
from muzero.model.dynamics import RulesDynamics, dynamics_of
from muzero.model.inference import InitialOutput
from muzero.search import SearchNode, extract_tree, search
from muzero.search.reference import reference_search

NOISELESS = SearchConfig(num_simulations=200, exploration_fraction=0.0, dynamics="rules")


class ProjectionModel:
    """A fixed network for the rules search: priors and values from random projections of the observation
    (zero projections: uniform priors, zero values). Its dynamics must never be called."""

    def __init__(self, game: Game, seed: int | None = None) -> None:
        size = int(np.prod(game.observation_shape))
        rng = np.random.default_rng(seed)
        scale = 0.0 if seed is None else 1.0
        self.policy = scale * rng.normal(size=(size, game.num_actions))
        self.value = scale * rng.normal(size=(size, game.num_players)) / np.sqrt(size)

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        flat = observations.reshape(len(observations), -1).astype(np.float64)
        return InitialOutput(
            latents=np.zeros((len(observations), 1), np.float32),
            policy_logits=(flat @ self.policy).astype(np.float32),
            values=np.tanh(flat @ self.value).astype(np.float32),
        )

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> None:
        raise AssertionError("the search over the rules never calls the learned dynamics")


def game_after(name: str, moves: list[int], **kwargs) -> Game:
    game = envs.make(name, **kwargs).clone()
    game.reset()
    for move in moves:
        game.step(move)
    return game


def rules_search(game: Game, params: SearchConfig = NOISELESS, seed: int | None = None):
    """(search output, root decision) of a search over `game`'s rules from its position."""
    dynamics = RulesDynamics(ProjectionModel(game, seed))
    decision = current(game)
    roots = dynamics.roots([decision], [game])
    return search(roots, dynamics.recurrent_inference, params, np.random.default_rng(0)), decision


def current(game: Game):
    """The decision due at a game's position."""
    return game.current_decision()


def child(node: SearchNode, action: int) -> SearchNode:
    return next(c for c in node.children if c.action == action)


# Tic-tac-toe cells are numbered by column: 0 3 6 / 1 4 7 / 2 5 8.
def test_the_win_in_one_gets_most_visits_and_its_node_ends_the_game_exactly() -> None:
    output, decision = rules_search(game_after("tictactoe", [0, 1, 4, 2]))  # X holds 0 and 4: 8 wins
    assert decision.to_play == 0 and np.argmax(output.visit_counts[0]) == 8
    assert output.visit_counts[0, 8] > output.visit_counts[0].sum() / 2
    win = child(extract_tree(output, 0), 8)
    assert win.terminal and win.children == ()  # the steps past the end are not shown
    np.testing.assert_array_equal(win.reward, [1.0, -1.0])
    np.testing.assert_allclose(output.q_values[0, 8], [1.0, -1.0])  # exact: reward 1, then nothing


def test_the_only_move_that_does_not_lose_is_the_block() -> None:
    output, decision = rules_search(game_after("tictactoe", [0, 4, 1]))  # X threatens 2; O must block
    assert decision.to_play == 1 and np.argmax(output.visit_counts[0]) == 2


def test_three_players_an_extra_turn_is_the_rules_own() -> None:
    # 2x2 boxes; after 0 6 2 1 8 player 2 completes box (0,0) with 7 and moves again to take box (0,1) with 3
    game = game_after("dots_and_boxes", [0, 6, 2, 1, 8], players=3, rows=2, cols=2)
    output, decision = rules_search(game)
    assert decision.to_play == 2 and np.argmax(output.visit_counts[0]) == 7
    box = child(extract_tree(output, 0), 7)
    assert box.to_play == 2  # the same player again, from the rules, not a prediction
    assert box.reward[2] > 0


def batched_and_reference(games: list[Game], params: SearchConfig, seed: int):
    """(batched search output, reference output) of the rules search from the games' positions, each with its
    own dynamics over the same seeded projection network."""
    model = ProjectionModel(games[0], seed)
    decisions = [current(game) for game in games]
    batched_dynamics, reference_dynamics = RulesDynamics(model), RulesDynamics(model)
    batched_roots = batched_dynamics.roots(decisions, games)
    batched = search(batched_roots, batched_dynamics.recurrent_inference, params, np.random.default_rng(0))
    reference_roots = reference_dynamics.roots(decisions, games)
    reference = reference_search(
        reference_roots, reference_dynamics.recurrent_inference, params, np.random.default_rng(0)
    )
    return batched, reference


@pytest.mark.parametrize("algorithm", ["puct", "gumbel"])
@pytest.mark.parametrize("seed", [0, 1])
def test_batched_rules_search_agrees_with_the_reference(algorithm: str, seed: int) -> None:
    games = [game_after("connect4", moves) for moves in ([3, 3, 2], [0, 0, 0, 0, 0, 0, 1], [6, 5, 4, 3, 2])]
    params = dataclasses.replace(NOISELESS, num_simulations=64, algorithm=algorithm, gumbel_scale=0.0)
    batched, reference = batched_and_reference(games, params, seed)
    np.testing.assert_array_equal(batched.visit_counts, reference.visit_counts)
    np.testing.assert_allclose(batched.policy, reference.policy, atol=1e-6)
    np.testing.assert_array_equal(batched.action, reference.action)
    assert batched.visit_counts[1, 0] == 0  # column 0 is full: never tried at the root


def test_a_lost_position_never_steps_an_illegal_move_inside_the_tree() -> None:
    # every move of O loses, so the visited moves score below an unvisited one's 0: inside the tree the illegal
    # moves would win the selection, and stepping one would raise IllegalActionError
    game = game_after("tictactoe", [4, 1, 0, 8, 6])  # X holds 0 4 6: it threatens 3 and 2 at once
    params = dataclasses.replace(NOISELESS, num_simulations=300, unvisited_q="zero")
    output, decision = rules_search(game, params)
    assert decision.to_play == 1 and output.visit_counts[0].sum() == 300
    assert np.all(output.visit_counts[0][[0, 1, 4, 6, 8]] == 0)
    assert np.all(output.q_values[0][decision.legal_mask, 1] < 0)  # every move of O loses


def test_the_search_leaves_the_root_game_where_it_was() -> None:
    game = game_after("connect4", [3, 3])
    before = current(game)
    rules_search(game)
    after = current(game)
    np.testing.assert_array_equal(before.observation, after.observation)
    assert before.to_play == after.to_play


def test_any_pettingzoo_env_is_searched_through_a_deep_copy() -> None:
    name = f"{PETTINGZOO_PREFIX}pettingzoo.classic.tictactoe_v3"
    env = envs.make_env(name)
    env.reset(seed=0)
    for move in (0, 1, 4, 2):
        env.step(move)
    board = env.observe(env.agent_selection)["observation"].copy()
    game = game_at(name, env)
    output, _ = rules_search(game)
    assert np.argmax(output.visit_counts[0]) == 8
    np.testing.assert_array_equal(env.observe(env.agent_selection)["observation"], board)  # untouched


def test_the_rules_search_needs_the_games() -> None:
    game = game_after("tictactoe", [])
    dynamics = dynamics_of(ProjectionModel(game), "rules")
    with pytest.raises(UserError, match="needs the game"):
        dynamics.roots([current(game)])
