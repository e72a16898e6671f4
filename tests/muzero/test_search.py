"""The batched search: agreement with the reference oracle, solved positions, 3-player returns by hand."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

import envs
from muzero.core.config import SearchConfig
from muzero.core.types import Game, TimeStep
from muzero.search import (
    RecurrentOutput,
    RootBatch,
    SearchNode,
    extract_tree,
    search,
    select_actions,
)
from muzero.search.gumbel import considered_visits
from muzero.search.reference import reference_search

LATENT_SIZE = 8
ILLEGAL_LOGIT = -1e9


class ToyModel:
    """A random but deterministic model: latent' = tanh(W latent + E[action]), heads are fixed projections.

    Rows are computed one at a time, so a row's answer does not depend on the batch it came in.
    """

    def __init__(self, seed: int, num_actions: int, num_players: int) -> None:
        rng = np.random.default_rng(seed)
        self.transition = rng.normal(size=(LATENT_SIZE, LATENT_SIZE)) / np.sqrt(LATENT_SIZE)
        self.action_embedding = rng.normal(size=(num_actions, LATENT_SIZE))
        self.reward_head = rng.normal(size=(LATENT_SIZE, num_players))
        self.next_player_head = rng.normal(size=(LATENT_SIZE, num_players))
        self.policy_head = rng.normal(size=(LATENT_SIZE, num_actions))
        self.value_head = rng.normal(size=(LATENT_SIZE, num_players))

    def one(self, latent: np.ndarray, action: int) -> tuple[np.ndarray, ...]:
        hidden = np.tanh(project(latent, self.transition) + self.action_embedding[action])  # float64[D]
        reward = np.tanh(project(hidden, self.reward_head))  # float64[P]
        next_player_logits = project(hidden, self.next_player_head)  # float64[P]
        policy_logits = project(hidden, self.policy_head)  # float64[A]
        value = np.tanh(project(hidden, self.value_head))  # float64[P]
        return hidden, reward, next_player_logits, policy_logits, value

    def __call__(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        rows = [self.one(latents[i].astype(np.float64), int(actions[i])) for i in range(actions.shape[0])]
        return RecurrentOutput(*(np.stack(column).astype(np.float32) for column in zip(*rows, strict=True)))


def project(vector: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """vector @ matrix with a fixed summation order."""
    return (vector[:, None] * matrix).sum(axis=0)


def toy_roots(seed: int, batch_size: int, num_actions: int, num_players: int) -> RootBatch:
    rng = np.random.default_rng(seed + 1000)
    legal_mask = rng.random((batch_size, num_actions)) < 0.6  # bool[B, A]
    legal_mask[np.arange(batch_size), rng.integers(num_actions, size=batch_size)] = True
    return RootBatch(
        latents=rng.normal(size=(batch_size, LATENT_SIZE)).astype(np.float32),
        policy_logits=rng.normal(size=(batch_size, num_actions)).astype(np.float32),
        values=rng.uniform(-1, 1, size=(batch_size, num_players)).astype(np.float32),
        to_play=rng.integers(num_players, size=batch_size),
        legal_mask=legal_mask,
    )


@pytest.mark.parametrize("unvisited_q", ["zero", "parent"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_batched_search_agrees_with_the_reference(seed: int, unvisited_q: str) -> None:
    roots = toy_roots(seed, batch_size=4, num_actions=6, num_players=3)
    assert len({tuple(mask) for mask in roots.legal_mask}) > 1
    model = ToyModel(seed, num_actions=6, num_players=3)
    params = SearchConfig(num_simulations=60, discount=0.95, dirichlet_alpha=0.5, unvisited_q=unvisited_q)
    batched = search(roots, model, params, np.random.default_rng(seed))
    reference = reference_search(roots, model, params, np.random.default_rng(seed))
    np.testing.assert_array_equal(batched.visit_counts, reference.visit_counts)
    np.testing.assert_allclose(batched.root_values, reference.root_values, atol=1e-5)
    np.testing.assert_allclose(batched.q_values, reference.q_values, atol=1e-5)
    assert (batched.visit_counts.sum(axis=1) == params.num_simulations).all()


@pytest.mark.parametrize("opponent_random_probability", [0.0, 0.5])
@pytest.mark.parametrize("num_simulations", [5, 16, 50])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_batched_gumbel_search_agrees_with_the_reference(
    seed: int, num_simulations: int, opponent_random_probability: float
) -> None:
    roots = toy_roots(seed, batch_size=4, num_actions=6, num_players=3)
    model = ToyModel(seed, num_actions=6, num_players=3)
    params = SearchConfig(
        num_simulations=num_simulations,
        discount=0.95,
        algorithm="gumbel",
        max_considered_actions=4,
        opponent_random_probability=opponent_random_probability,
    )
    batched = search(roots, model, params, np.random.default_rng(seed))
    reference = reference_search(roots, model, params, np.random.default_rng(seed))
    np.testing.assert_array_equal(batched.visit_counts, reference.visit_counts)
    np.testing.assert_allclose(batched.q_values, reference.q_values, atol=1e-5)
    np.testing.assert_allclose(batched.policy, reference.policy, atol=1e-5)
    np.testing.assert_array_equal(batched.action, reference.action)
    assert (batched.visit_counts.sum(axis=1) == num_simulations).all()
    assert not (batched.visit_counts > 0)[~roots.legal_mask].any()
    assert not (batched.policy > 0)[~roots.legal_mask].any()
    np.testing.assert_allclose(batched.policy.sum(axis=1), 1.0, atol=1e-5)
    assert roots.legal_mask[np.arange(4), batched.action].all()


def test_sequential_halving_schedule() -> None:
    # 4 actions, 8 simulations, 2 phases: each of the 4 once, then the best 2 twice each.
    assert considered_visits(4, 8) == (0, 0, 0, 0, 1, 1, 2, 2)
    # 16 actions, 32 simulations: 16 actions once, the best 8 once more, the best 4 twice more; the
    # budget is spent before the last halving (phases get max(1, 32 // (4 * remaining)) rounds).
    assert considered_visits(16, 32) == (0,) * 16 + (1,) * 8 + (2,) * 4 + (3,) * 4
    assert considered_visits(1, 3) == (0, 1, 2)


def test_gumbel_root_visits_follow_the_halving() -> None:
    roots = toy_roots(5, batch_size=1, num_actions=8, num_players=2)
    roots = RootBatch(roots.latents, roots.policy_logits, roots.values, roots.to_play, np.ones((1, 8), dtype=bool))
    params = SearchConfig(num_simulations=8, algorithm="gumbel", max_considered_actions=4)
    output = search(roots, ToyModel(5, num_actions=8, num_players=2), params, np.random.default_rng(0))
    assert sorted(output.visit_counts[0]) == [0, 0, 0, 0, 1, 1, 3, 3]
    assert output.visit_counts[0, output.action[0]] == 3


def test_gumbel_improved_policy_by_hand() -> None:
    # scripted_model, gumbel noise 0, 2 simulations: each root action once (2 actions considered).
    # Player 0 at the root: q(0) = 0 + .2 = .2, q(1) = .5 + .2 = .7 (discount 1). Both visited, so the
    # completed Q are the Q values; rescaled to [0, 1]: [0, 1]; sigma = (50 + 1) * 0.1 * [0, 1] = [0, 5.1].
    # Priors are uniform, so the improved policy is softmax([0, 5.1]) = [1 / (1 + e^5.1), e^5.1 / (1 + e^5.1)].
    params = SearchConfig(num_simulations=2, algorithm="gumbel", gumbel_scale=0.0)
    output = search(scripted_roots(), scripted_model, params, np.random.default_rng(0))
    np.testing.assert_array_equal(output.visit_counts, [[1, 1]])
    expected = np.exp(5.1) / (1 + np.exp(5.1))
    np.testing.assert_allclose(output.policy[0], [1 - expected, expected], atol=1e-6)
    assert output.action[0] == 1


def test_each_root_is_searched_as_if_alone() -> None:
    roots = toy_roots(7, batch_size=3, num_actions=5, num_players=2)
    model = ToyModel(7, num_actions=5, num_players=2)
    params = SearchConfig(num_simulations=40, exploration_fraction=0.0)
    together = search(roots, model, params, np.random.default_rng(0))
    for b in range(roots.batch_size):
        alone = search(select_root(roots, b), model, params, np.random.default_rng(0))
        np.testing.assert_array_equal(alone.visit_counts[0], together.visit_counts[b])


def test_a_read_only_fortran_ordered_legal_mask_is_searched_alike() -> None:
    # the selection kernel is bound once per search to the numba types of its arguments (tree.bound_kernel):
    # a mask of another layout gets code compiled for it, not code that reads it as C-ordered
    roots = toy_roots(3, batch_size=4, num_actions=6, num_players=3)
    mask = np.asfortranarray(roots.legal_mask)  # bool[B, A], column-major
    mask.flags.writeable = False
    other = RootBatch(roots.latents, roots.policy_logits, roots.values, roots.to_play, mask)
    model, params = ToyModel(3, num_actions=6, num_players=3), SearchConfig(num_simulations=30)
    expected = search(roots, model, params, np.random.default_rng(0))
    output = search(other, model, params, np.random.default_rng(0))
    np.testing.assert_array_equal(output.visit_counts, expected.visit_counts)


def select_root(roots: RootBatch, b: int) -> RootBatch:
    arrays = ("latents", "policy_logits", "values", "to_play", "legal_mask")
    return dataclasses.replace(roots, **{name: getattr(roots, name)[b : b + 1] for name in arrays})


class PerfectModel:
    """The real game as a model: a latent is an int64 id into `states`, each (moves from the start,
    player to move, legal mask); a transition replays the moves on `game` (PettingZoo's classic envs are
    EzPickle objects, and `copy.deepcopy` of one rebuilds it from its constructor: an empty board).

    Terminal states and the state after an illegal move are absorbing (id ABSORBING: reward 0, value 0);
    an illegal move costs its mover -1. Leaf values are 0, priors are uniform over the legal actions.
    """

    ABSORBING = 0

    def __init__(self, game: Game, moves: tuple[int, ...]) -> None:
        self.game = game
        self.num_players, self.num_actions = game.num_players, game.num_actions
        self.states: list[tuple[tuple[int, ...], int, np.ndarray] | None] = [None]
        timestep = self.replay(moves)
        self.root_id = self.add(moves, timestep.to_play, timestep.legal_mask)

    def replay(self, moves: tuple[int, ...]) -> TimeStep:
        timestep = self.game.reset(seed=0)
        for move in moves:
            timestep = self.game.step(move)
        return timestep

    def add(self, moves: tuple[int, ...], to_play: int, legal_mask: np.ndarray) -> int:
        self.states.append((moves, to_play, legal_mask))
        return len(self.states) - 1

    def logits(self, legal_mask: np.ndarray) -> np.ndarray:
        return np.where(legal_mask, 0.0, ILLEGAL_LOGIT).astype(np.float32)  # float32[A]

    def roots(self) -> RootBatch:
        _, to_play, legal_mask = self.states[self.root_id]
        return RootBatch(
            latents=np.array([[self.root_id]], dtype=np.int64),
            policy_logits=self.logits(legal_mask)[None],
            values=np.zeros((1, self.num_players), dtype=np.float32),
            to_play=np.array([to_play], dtype=np.int64),
            legal_mask=legal_mask[None].copy(),
        )

    def step(self, state_id: int, action: int) -> tuple[int, np.ndarray, int, np.ndarray]:
        """(next id, reward[P], next player, legal_mask[A]) of one transition."""
        rewards = np.zeros(self.num_players, dtype=np.float32)
        no_moves = np.zeros(self.num_actions, dtype=bool)
        state = self.states[state_id]
        if state is None:
            return self.ABSORBING, rewards, 0, no_moves
        moves, to_play, legal_mask = state
        if not legal_mask[action]:
            rewards[to_play] = -1.0
            return self.ABSORBING, rewards, 0, no_moves
        self.replay(moves)
        timestep = self.game.step(action)
        if timestep.terminal:
            return self.ABSORBING, timestep.rewards, 0, no_moves
        next_id = self.add((*moves, action), timestep.to_play, timestep.legal_mask)
        return next_id, timestep.rewards, timestep.to_play, timestep.legal_mask

    def __call__(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        steps = [self.step(int(latents[i, 0]), int(actions[i])) for i in range(actions.shape[0])]
        return RecurrentOutput(
            latents=np.array([[next_id] for next_id, *_ in steps], dtype=np.int64),
            rewards=np.stack([rewards for _, rewards, *_ in steps]),
            next_player_logits=np.eye(self.num_players, dtype=np.float32)[[p for *_, p, _ in steps]],
            policy_logits=np.stack([self.logits(mask) for *_, mask in steps]),
            values=np.zeros((len(steps), self.num_players), dtype=np.float32),
        )


def searched_visits(game_name: str, moves: list[int], num_simulations: int = 400, **game_kwargs) -> tuple:
    """(visit counts[A], player to move) of a search from the position after `moves`, perfect model."""
    model = PerfectModel(envs.make(game_name, **game_kwargs), tuple(moves))
    roots = model.roots()
    params = SearchConfig(num_simulations=num_simulations, exploration_fraction=0.0)
    return search(roots, model, params, np.random.default_rng(0)).visit_counts[0], int(roots.to_play[0])


def gumbel_decision(game_name: str, moves: list[int], num_simulations: int, **game_kwargs) -> tuple:
    """(chosen action, policy target[A]) of a noiseless Gumbel search after `moves`, perfect model."""
    model = PerfectModel(envs.make(game_name, **game_kwargs), tuple(moves))
    params = SearchConfig(num_simulations=num_simulations, algorithm="gumbel", gumbel_scale=0.0)
    output = search(model.roots(), model, params, np.random.default_rng(0))
    return int(output.action[0]), output.policy[0]


def test_gumbel_search_finds_tictactoe_win_and_block_with_few_simulations() -> None:
    action, policy = gumbel_decision("tictactoe", [0, 1, 4, 2], num_simulations=16)  # 8 wins
    assert action == 8 and np.argmax(policy) == 8
    action, policy = gumbel_decision("tictactoe", [0, 4, 1], num_simulations=32)  # O must block at 2
    assert action == 2 and np.argmax(policy) == 2


def test_gumbel_search_takes_the_three_player_box() -> None:
    action, policy = gumbel_decision("dots_and_boxes", [0, 6, 2, 1, 8], num_simulations=24, players=3, rows=2, cols=2)
    assert action == 7 and np.argmax(policy) == 7


# Tic-tac-toe cells are numbered by column: 0 3 6 / 1 4 7 / 2 5 8.
def test_tictactoe_win_in_one_gets_most_visits() -> None:
    visits, to_play = searched_visits("tictactoe", [0, 1, 4, 2])  # X holds 0 and 4: 8 wins the diagonal
    assert to_play == 0
    assert np.argmax(visits) == 8
    assert visits[8] > visits.sum() / 2


def test_tictactoe_the_only_non_losing_move_is_the_block() -> None:
    visits, to_play = searched_visits("tictactoe", [0, 4, 1])  # X threatens 2 (column 0 1 2); O must block
    assert to_play == 1
    assert np.argmax(visits) == 2
    assert visits[2] > visits.sum() / 2


def test_three_player_dots_and_boxes_takes_the_box() -> None:
    # 2x2 boxes; horizontal edges 0..5 (row-major), vertical edges 6..11. After 0 6 2 (box (0,0) has
    # three sides) and 1 8 (box (0,1) has two), player 2 moves: 7 completes box (0,0) and earns another
    # move to complete box (0,1) with 3; playing 3 instead hands both boxes to player 0 through edge 7.
    visits, to_play = searched_visits("dots_and_boxes", [0, 6, 2, 1, 8], players=3, rows=2, cols=2)
    assert to_play == 2
    assert np.argmax(visits) == 7
    assert visits[7] > visits[3]


def scripted_model(latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
    """3 players, 2 actions: action 0 gives [0, 1, 0] and player 1 moves next; action 1 gives
    [0.5, 0, 0] and player 2 moves next. Every leaf is worth [0.2, 0.4, 0.6]; priors are uniform."""
    batch_size = actions.shape[0]
    rewards = np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.0]], dtype=np.float32)[actions]  # float32[B, 3]
    next_player = np.array([1, 2])[actions]  # int64[B]
    return RecurrentOutput(
        latents=latents,
        rewards=rewards,
        next_player_logits=np.eye(3, dtype=np.float32)[next_player],
        policy_logits=np.zeros((batch_size, 2), dtype=np.float32),
        values=np.tile(np.array([0.2, 0.4, 0.6], dtype=np.float32), (batch_size, 1)),
    )


def scripted_roots() -> RootBatch:
    return RootBatch(
        latents=np.zeros((1, 1), dtype=np.float32),
        policy_logits=np.zeros((1, 2), dtype=np.float32),
        values=np.array([[0.3, 0.0, -0.3]], dtype=np.float32),
        to_play=np.array([0]),
        legal_mask=np.ones((1, 2), dtype=bool),
    )


def test_three_player_backup_by_hand() -> None:
    # discount 0.9; the root (player 0) starts with 1 visit and value_sum v0 = [0.3, 0, -0.3].
    # sim 1: nothing visited, equal priors -> action 0 -> node 1 (reward [0,1,0], player 1).
    #   node 1: sum [.2,.4,.6], q = r + .9 v = [.18, 1.36, .54]; G = [.18, 1.36, .54]
    #   root: sum [.48, 1.36, .24], 2 visits, q = .9 * sum / 2 = [.216, .612, .108]; min .108, max 1.36
    # sim 2 (root N = 2, c = log((2 + 19653) / 19652) + 1.25 = 1.25015): action 0 scores
    #   (.18 - .108) / 1.252 + c * sqrt(2) / 2 * .5 = .0575 + .4420 = .4995; unvisited action 1 scores
    #   0 + c * sqrt(2) * .5 = .8840 -> action 1 -> node 2 (reward [.5,0,0], player 2).
    #   node 2: sum [.2,.4,.6], q = [.68, .36, .54]; G = [.68, .36, .54]
    #   root: sum [1.16, 1.72, .78], 3 visits, q = [.348, .516, .234]; min and max unchanged
    # sim 3 (root N = 3): action 0 scores .0575 + c * sqrt(3) / 2 * .5 = .0575 + .5413 = .5989,
    #   action 1: (.5 + .9 * .2 - .108) / 1.252 + .5413 = .4569 + .5413 = .9982 -> action 1; at node 2
    #   (player 2) nothing is visited -> action 0 -> node 3 (reward [0,1,0], player 1).
    #   node 3: sum [.2,.4,.6]; G = [.18, 1.36, .54]
    #   node 2: sum [.38, 1.76, 1.14], 2 visits, q = [.5,0,0] + .9 * [.19, .88, .57] = [.671, .792, .513]
    #           G = [.5,0,0] + .9 * [.18, 1.36, .54] = [.662, 1.224, .486]
    #   root: sum [1.16 + .662, 1.72 + 1.224, .78 + .486] = [1.822, 2.944, 1.266], 4 visits
    params = SearchConfig(num_simulations=3, discount=0.9, exploration_fraction=0.0)
    output = search(scripted_roots(), scripted_model, params, np.random.default_rng(0))
    np.testing.assert_array_equal(output.visit_counts, [[1, 2]])
    np.testing.assert_allclose(output.tree.value_sums[0, 0], [1.822, 2.944, 1.266], atol=1e-6)
    np.testing.assert_allclose(output.root_values, [[0.4555, 0.736, 0.3165]], atol=1e-6)
    np.testing.assert_allclose(output.q_values[0], [[0.18, 1.36, 0.54], [0.671, 0.792, 0.513]], atol=1e-6)
    np.testing.assert_array_equal(output.tree.to_play[0], [0, 1, 2, 1])
    np.testing.assert_array_equal(output.tree.parents[0], [-1, 0, 0, 2])
    reference = reference_search(scripted_roots(), scripted_model, params, np.random.default_rng(0))
    np.testing.assert_array_equal(reference.visit_counts, [[1, 2]])
    np.testing.assert_allclose(reference.q_values, output.q_values, atol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        SearchConfig(num_simulations=1, discount=0.9, exploration_fraction=0.0),
        SearchConfig(num_simulations=1, discount=0.9, algorithm="gumbel", gumbel_scale=0.0),
    ],
    ids=["puct", "gumbel"],
)
def test_unvisited_root_children_have_nan_q_values(params: SearchConfig) -> None:
    # one simulation, equal priors: action 0 is visited (q = [0, 1, 0] + .9 * [.2, .4, .6]), action 1 never is
    output = search(scripted_roots(), scripted_model, params, np.random.default_rng(0))
    np.testing.assert_array_equal(output.visit_counts, [[1, 0]])
    assert np.isfinite(output.q_values[0, 0]).all()
    np.testing.assert_allclose(output.q_values[0, 0], [0.18, 1.36, 0.54], atol=1e-6)
    assert np.isnan(output.q_values[0, 1]).all()
    reference = reference_search(scripted_roots(), scripted_model, params, np.random.default_rng(0))
    np.testing.assert_array_equal(np.isnan(reference.q_values), np.isnan(output.q_values))


def test_select_actions_argmax_at_temperature_zero() -> None:
    visit_counts = np.array([[0, 5, 5, 1], [3, 0, 0, 9]])
    np.testing.assert_array_equal(select_actions(visit_counts, 0.0, np.random.default_rng(0)), [1, 3])


def test_select_actions_samples_only_visited_actions() -> None:
    visit_counts = np.tile(np.array([[0, 50, 10, 1, 0]]), (4000, 1))
    chosen = select_actions(visit_counts, 100.0, np.random.default_rng(0))
    assert set(chosen.tolist()) == {1, 2, 3}
    at_one = select_actions(visit_counts, 1.0, np.random.default_rng(1))
    np.testing.assert_allclose(np.bincount(at_one, minlength=5) / 4000, [0, 50 / 61, 10 / 61, 1 / 61, 0], atol=0.02)


def test_illegal_root_actions_get_no_visits() -> None:
    roots = toy_roots(11, batch_size=4, num_actions=6, num_players=3)
    output = search(roots, ToyModel(11, 6, 3), SearchConfig(num_simulations=50), np.random.default_rng(0))
    assert (output.visit_counts[~roots.legal_mask] == 0).all()
    assert np.isnan(output.q_values[~roots.legal_mask]).all()
    np.testing.assert_array_equal(np.isnan(output.q_values).any(axis=2), output.visit_counts == 0)
    assert (output.priors[~roots.legal_mask] == 0).all()
    np.testing.assert_allclose(output.priors.sum(axis=1), 1.0, atol=1e-6)
    assert (output.visit_counts.sum(axis=1) == 50).all()


def test_extract_tree_children_visits_sum_to_parent_visits_minus_one() -> None:
    roots = toy_roots(5, batch_size=2, num_actions=4, num_players=3)
    output = search(roots, ToyModel(5, 4, 3), SearchConfig(num_simulations=30), np.random.default_rng(0))
    for index in range(roots.batch_size):
        root = extract_tree(output, index)
        assert root.action is None and root.visits == 31 and root.to_play == roots.to_play[index]
        assert sum(child.visits for child in root.children) == root.visits - 1
        assert [child.action for child in root.children] == np.flatnonzero(output.visit_counts[index]).tolist()
        assert count_nodes(root) == 31


def count_nodes(node: SearchNode) -> int:
    assert node.visits - 1 == sum(child.visits for child in node.children) or not node.children
    return 1 + sum(count_nodes(child) for child in node.children)


def test_search_imports_no_torch() -> None:
    code = "import sys, muzero.search, muzero.search.reference; print('torch' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"
