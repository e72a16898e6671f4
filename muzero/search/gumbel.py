"""Gumbel MuZero selection (Danihelka et al., "Policy improvement by planning with Gumbel", ICLR 2022).

At the root, Gumbel-Top-k sampling picks up to `max_considered_actions` actions and sequential halving
spends the simulations on them; inside the tree, the action whose visit share lags most behind the
improved policy softmax(logits + sigma(completed Q)) is chosen. The improved policy is also the policy
target, so even a handful of simulations teaches the network every action the search looked at.
Q values are those of the node's player to move, as in the PUCT search (max^n for N players). With an
opponent random probability p > 0, the nodes of the other players than the root's aim their visits at
(1 - p) * improved policy + p * uniform over the actions the prior deems legal: a model of opponents
who play a uniformly random move with probability p, whose value the backup then averages over.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np
from numba import njit

from muzero.core.config import SearchConfig
from muzero.search.tree import UNEXPANDED, Tree, chance_outcome, node_q

LOW_SCORE = -1e9  # floor of a root score, so that an action of prior 0 still compares
SMALLEST_PRIOR = 1e-300  # keeps the mixed value finite when visited actions have prior 0
RESCALE_EPSILON = 1e-8  # completed Q values closer than this are not stretched apart
LIKELY_LEGAL_PRIOR = 1e-3  # inside the tree, an action with a prior below this is taken for illegal


def considered_visits(max_considered: int, num_simulations: int) -> tuple[int, ...]:
    """For each simulation, the visit count a root action must have to be chosen (sequential halving).

    Every phase visits each remaining action equally often, then keeps the better half (at least 2)."""
    if max_considered <= 1:
        return tuple(range(num_simulations))
    phases = math.ceil(math.log2(max_considered))
    sequence: list[int] = []
    visits = [0] * max_considered
    remaining = max_considered
    while len(sequence) < num_simulations:
        repeats = max(1, num_simulations // (phases * remaining))
        for _ in range(repeats):
            sequence.extend(visits[:remaining])
            for i in range(remaining):
                visits[i] += 1
        remaining = max(2, remaining // 2)
    return tuple(sequence[:num_simulations])


@functools.cache
def considered_visits_table(max_considered: int, num_simulations: int) -> np.ndarray:
    """int64[max_considered + 1, num_simulations], read-only: row m is `considered_visits(m, num_simulations)`
    (made once per setting: in Python it takes longer than a short search)."""
    rows = [considered_visits(m, num_simulations) for m in range(max_considered + 1)]
    table = np.array(rows, dtype=np.int64).reshape(max_considered + 1, num_simulations)
    table.flags.writeable = False
    return table


@njit(cache=True)
def prior_logits(priors: np.ndarray) -> np.ndarray:
    """float64[A]: log of the priors (-inf where a prior is 0); softmax(prior_logits) == priors."""
    logits = np.empty(priors.shape[0], dtype=np.float64)
    for action in range(priors.shape[0]):
        logits[action] = math.log(priors[action]) if priors[action] > 0 else -np.inf
    return logits


class GumbelSettings(NamedTuple):
    """The scalar settings of Gumbel MuZero selection, in the form the numba kernels take."""

    discount: float
    value_scale: float  # c_scale of sigma
    maxvisit_init: float  # c_visit of sigma
    opponent_random_probability: float  # chance that a player other than the root's moves at random


def gumbel_settings(params: SearchConfig) -> GumbelSettings:
    """The Gumbel MuZero settings of a search config, as the kernels take them."""
    return GumbelSettings(
        discount=float(params.discount),
        value_scale=float(params.value_scale),
        maxvisit_init=float(params.maxvisit_init),
        opponent_random_probability=float(params.opponent_random_probability),
    )


@njit(cache=True)
def sigma_of_completed_q(
    visits: np.ndarray, q_values: np.ndarray, priors: np.ndarray, raw_value: float, settings: GumbelSettings
) -> np.ndarray:
    """float64[A]: sigma(completed Q) = (maxvisit_init + max N) * value_scale * Q rescaled to [0, 1].

    An unvisited action's Q is completed with the mixed value: the network's value of the node averaged
    with the prior-weighted Q of the visited actions (mctx's qtransform_completed_by_mix_value)."""
    total_visits, prior_mass, weighted_q = 0, 0.0, 0.0
    for action in range(visits.shape[0]):
        if visits[action] > 0:
            total_visits += visits[action]
            prior = max(priors[action], SMALLEST_PRIOR)
            prior_mass += prior
            weighted_q += prior * q_values[action]
    mixed_value = raw_value
    if total_visits > 0:
        mixed_value = (raw_value + total_visits * weighted_q / prior_mass) / (total_visits + 1)
    completed = np.where(visits > 0, q_values, mixed_value)  # float64[A]
    spread = max(completed.max() - completed.min(), RESCALE_EPSILON)
    scale = (settings.maxvisit_init + visits.max()) * settings.value_scale
    return scale * (completed - completed.min()) / spread


@njit(cache=True)
def improved_policy(priors: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """float64[A]: softmax(log priors + sigma); actions of prior 0 (illegal at the root) keep 0."""
    logits = prior_logits(priors) + sigma  # float64[A]
    largest = logits.max()
    weights = np.exp(logits - largest)
    return weights / weights.sum()


@njit(cache=True)
def root_action(
    visits: np.ndarray,
    sigma: np.ndarray,
    priors: np.ndarray,
    gumbel: np.ndarray,
    legal_mask: np.ndarray,
    considered_visit: int,
) -> int:
    """The legal action with `considered_visit` visits maximising gumbel + log prior + sigma (ties: lowest);
    if none has that count, the least visited legal action."""
    logits = prior_logits(priors)
    best_action, best_score = -1, -np.inf
    fallback, fallback_visits = -1, np.iinfo(np.int64).max
    for action in range(visits.shape[0]):
        if not legal_mask[action]:
            continue
        if visits[action] < fallback_visits:
            fallback, fallback_visits = action, visits[action]
        if visits[action] != considered_visit:
            continue
        score = max(LOW_SCORE, gumbel[action] + logits[action] + sigma[action])
        if score > best_score:
            best_action, best_score = action, score
    return best_action if best_action >= 0 else fallback


@njit(cache=True)
def with_random_moves(policy: np.ndarray, priors: np.ndarray, random_probability: float) -> np.ndarray:
    """float64[A]: (1 - p) * policy + p * uniform over the actions of prior >= min(LIKELY_LEGAL_PRIOR, max)."""
    likely_legal = priors >= min(LIKELY_LEGAL_PRIOR, priors.max())  # bool[A]
    uniform = likely_legal.astype(np.float64) / likely_legal.sum()
    return (1.0 - random_probability) * policy + random_probability * uniform


@njit(cache=True)
def interior_action(visits: np.ndarray, sigma: np.ndarray, priors: np.ndarray, random_probability: float) -> int:
    """The action whose visit share lags most behind the improved policy, mixed with uniform random moves
    with `random_probability` (ties: lowest), among those of a prior above 0."""
    policy = improved_policy(priors, sigma)
    if random_probability > 0:
        policy = with_random_moves(policy, priors, random_probability)
    total = visits.sum()
    best_action, best_score = -1, -np.inf
    for action in range(visits.shape[0]):
        if priors[action] == 0:
            continue  # illegal where a search over the game's rules masked it (a prior of exactly 0)
        score = policy[action] - visits[action] / (1.0 + total)
        if score > best_score:
            best_action, best_score = action, score
    return best_action


@njit(cache=True)
def select_leaves_gumbel(
    tree: Tree, root_legal_mask: np.ndarray, gumbel: np.ndarray, considered_table: np.ndarray, settings: GumbelSettings
) -> tuple[np.ndarray, np.ndarray]:
    """(int64[B] parent nodes, int64[B] actions): per tree, sequential halving at the root (bool[B, A] legal
    mask, float64[B, A] Gumbel noise, `considered_visits_table`), then the deterministic Gumbel MuZero
    selection down to an unexpanded action (the other players' nodes mixed with
    `settings.opponent_random_probability` of uniform random moves). The whole descent stays in this
    function (see muzero.search.tree)."""
    batch_size, _, num_actions = tree.children.shape
    max_considered = considered_table.shape[0] - 1
    leaf_parents = np.empty(batch_size, dtype=np.int64)  # int64[B]
    leaf_actions = np.empty(batch_size, dtype=np.int64)  # int64[B]
    visits = np.empty(num_actions, dtype=np.int64)  # int64[A]: visits of the current node's children
    q_values = np.empty(num_actions, dtype=np.float64)  # float64[A]: their Q for its player (0: unvisited)
    for b in range(batch_size):
        node, child, action = 0, 0, -1
        while child != UNEXPANDED:
            if tree.chance[b, child]:  # an afterstate: chance draws the outcome
                node, action = child, chance_outcome(tree, b, child)
                child = tree.chance_children[b, node, action]
                continue
            node, player = child, tree.to_play[b, child]
            for action in range(num_actions):
                child = tree.children[b, node, action]
                visits[action] = 0 if child == UNEXPANDED else tree.node_visits[b, child]
                q_values[action] = 0.0 if child == UNEXPANDED else node_q(tree, b, child, player, settings.discount)
            priors = tree.child_priors[b, node]
            sigma = sigma_of_completed_q(visits, q_values, priors, tree.raw_values[b, node, player], settings)
            if node == 0:
                considered = min(max_considered, root_legal_mask[b].sum())
                target_visits = considered_table[considered, visits.sum()]
                action = root_action(visits, sigma, priors, gumbel[b], root_legal_mask[b], target_visits)
            else:
                random_probability = settings.opponent_random_probability if player != tree.to_play[b, 0] else 0.0
                action = interior_action(visits, sigma, priors, random_probability)
            child = tree.children[b, node, action]
        leaf_parents[b], leaf_actions[b] = node, action
    return leaf_parents, leaf_actions


@njit(cache=True)
def root_decisions(
    visits: np.ndarray,
    q_values: np.ndarray,
    priors: np.ndarray,
    raw_values: np.ndarray,
    gumbel: np.ndarray,
    legal_mask: np.ndarray,
    settings: GumbelSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """(float64[B, A] improved policies, int64[B] actions) of the searched roots, from their children's
    int[B, A] visits and float64[B, A] Q values for the root's player (0 where unvisited), the roots'
    float64[B, A] priors and float64[B] values for that player: the policy target, and the most visited
    considered action with the best gumbel + log prior + sigma."""
    batch_size, num_actions = visits.shape
    policies = np.zeros((batch_size, num_actions), dtype=np.float64)
    actions = np.empty(batch_size, dtype=np.int64)
    for b in range(batch_size):
        sigma = sigma_of_completed_q(visits[b], q_values[b], priors[b], raw_values[b], settings)
        policies[b] = improved_policy(priors[b], sigma)
        actions[b] = root_action(visits[b], sigma, priors[b], gumbel[b], legal_mask[b], visits[b].max())
    return policies, actions
