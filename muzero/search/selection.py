"""Priors, PUCT selection inside the batched tree, and choosing the action to play from visit counts."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from muzero.core.config import SearchConfig
from muzero.search.interface import RootBatch
from muzero.search.tree import UNEXPANDED, Tree, chance_outcome, node_q


def softmax(logits: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """float64[B, A]: softmax of each row of float[B, A] logits in float64; probability 0 where `mask` is
    False. One compiled kernel serves the batched and the reference search, so their priors agree exactly."""
    if mask is not None:
        logits = np.where(mask, np.asarray(logits, dtype=np.float64), -np.inf)  # float64[B, A]
    return softmax_rows(logits)


@njit(cache=True)
def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """float64[B, A]: the softmax of each row, computed in float64 (-inf logits get probability 0)."""
    batch_size, num_actions = logits.shape
    probabilities = np.empty((batch_size, num_actions), dtype=np.float64)  # float64[B, A]
    for b in range(batch_size):
        largest = -np.inf
        for action in range(num_actions):
            largest = max(largest, np.float64(logits[b, action]))
        total = 0.0
        for action in range(num_actions):
            probabilities[b, action] = math.exp(np.float64(logits[b, action]) - largest)
            total += probabilities[b, action]
        for action in range(num_actions):
            probabilities[b, action] /= total
    return probabilities


def root_priors(roots: RootBatch, params: SearchConfig, rng: np.random.Generator) -> np.ndarray:
    """float64[B, A]: softmax over the legal actions, mixed with Dirichlet noise drawn root by root."""
    priors = softmax(roots.policy_logits, roots.legal_mask)  # float64[B, A]
    fraction = params.exploration_fraction
    if fraction > 0:
        for b in range(roots.batch_size):
            legal = np.flatnonzero(roots.legal_mask[b])  # int64[L]
            noise = rng.dirichlet(np.full(legal.size, params.dirichlet_alpha))  # float64[L]
            priors[b, legal] = (1 - fraction) * priors[b, legal] + fraction * noise
    return priors


def root_priors_and_gumbel(
    roots: RootBatch, params: SearchConfig, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(float64[B, A] root priors, float64[B, A] Gumbel noise). PUCT: priors with Dirichlet noise, Gumbel
    noise 0. Gumbel: the plain masked priors and noise of scale `gumbel_scale` (none drawn at scale 0)."""
    if params.algorithm == "puct":
        return root_priors(roots, params, rng), np.zeros(roots.policy_logits.shape)
    priors = softmax(roots.policy_logits, roots.legal_mask)  # float64[B, A]
    if params.gumbel_scale == 0:
        return priors, np.zeros(priors.shape)
    return priors, params.gumbel_scale * rng.gumbel(size=priors.shape)


def select_actions(visit_counts: np.ndarray, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """int64[B]: argmax of the visits (or any non-negative weights) at temperature 0 (ties to the lowest
    action), else a sample with probability proportional to visits ** (1 / temperature); actions of weight 0
    are never chosen."""
    visits = np.asarray(visit_counts, dtype=np.float64)  # float64[B, A]
    if np.any(visits.sum(axis=1) <= 0):
        raise ValueError("select_actions: every root needs at least one visited action")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return np.argmax(visits, axis=1).astype(np.int64)
    with np.errstate(divide="ignore"):
        log_weights = np.log(visits) / temperature  # float64[B, A], -inf where unvisited
    weights = np.exp(log_weights - log_weights.max(axis=1, keepdims=True))  # float64[B, A]
    cumulative = np.cumsum(weights, axis=1)  # float64[B, A]
    thresholds = rng.random(visits.shape[0]) * cumulative[:, -1]  # float64[B]
    return np.argmax(cumulative > thresholds[:, None], axis=1).astype(np.int64)


@njit(cache=True)
def normalize(q: float, minimum: float, maximum: float) -> float:
    """The paper's MinMaxStats.normalize: q rescaled to [0, 1] once a spread of values has been seen."""
    if maximum > minimum:
        return (q - minimum) / (maximum - minimum)
    return q


class PuctSettings(NamedTuple):
    """The scalar settings of PUCT selection, in the form the numba kernels take."""

    pb_c_base: float
    pb_c_init: float
    discount: float
    unvisited_parent: bool  # an unvisited child's value score is the node's own mean value (else 0)


def puct_settings(params: SearchConfig) -> PuctSettings:
    """The PUCT settings of a search config, as the kernels take them."""
    return PuctSettings(
        pb_c_base=float(params.pb_c_base),
        pb_c_init=float(params.pb_c_init),
        discount=float(params.discount),
        unvisited_parent=params.unvisited_q == "parent",
    )


@njit(cache=True)
def exploration_weight(parent_visits: int, settings: PuctSettings) -> float:
    """The paper's pb_c of a node visited `parent_visits` times, before the factor sqrt(N) / (1 + N(child))."""
    return math.log((parent_visits + settings.pb_c_base + 1) / settings.pb_c_base) + settings.pb_c_init


@njit(cache=True)
def select_leaves(tree: Tree, root_legal_mask: np.ndarray, settings: PuctSettings) -> tuple[np.ndarray, np.ndarray]:
    """(int64[B] parent nodes, int64[B] actions): per tree, from the root, the action maximising the PUCT
    score of the node's player to move (ties: lowest; at the root only the legal ones of bool[B, A]
    `root_legal_mask`, inside the tree only those of a prior above 0), until an unexpanded one.

    An unvisited child's value score is 0 (the paper), or with `settings.unvisited_parent` the node's own
    mean value for its player, normalised. At a chance node the outcome is `chance_outcome`'s. The whole
    descent stays in this function (see muzero.search.tree).
    """
    batch_size, _, num_actions = tree.children.shape
    leaf_parents = np.empty(batch_size, dtype=np.int64)  # int64[B]
    leaf_actions = np.empty(batch_size, dtype=np.int64)  # int64[B]
    for b in range(batch_size):
        minimum, maximum = tree.min_max[b, 0], tree.min_max[b, 1]
        node, child, best_action = 0, 0, -1
        while child != UNEXPANDED:
            if tree.chance[b, child]:  # an afterstate: chance draws the outcome
                node, best_action = child, chance_outcome(tree, b, child)
                child = tree.chance_children[b, node, best_action]
                continue
            node, player, parent_visits = child, tree.to_play[b, child], tree.node_visits[b, child]
            pb_c_parent, sqrt_visits = exploration_weight(parent_visits, settings), math.sqrt(parent_visits)
            unvisited_score = 0.0
            if settings.unvisited_parent:
                unvisited_score = normalize(tree.value_sums[b, node, player] / parent_visits, minimum, maximum)
            best_action, best_score = -1, -np.inf
            for action in range(num_actions):
                if node == 0 and not root_legal_mask[b, action]:
                    continue
                if tree.child_priors[b, node, action] == 0 and node != 0:
                    continue  # illegal where a search over the game's rules masked it (a prior of exactly 0)
                child = tree.children[b, node, action]
                child_visits, value_score = 0, unvisited_score
                if child != UNEXPANDED:
                    child_visits = tree.node_visits[b, child]
                    value_score = normalize(node_q(tree, b, child, player, settings.discount), minimum, maximum)
                pb_c = pb_c_parent * (sqrt_visits / (child_visits + 1))
                score = value_score + pb_c * tree.child_priors[b, node, action]
                if score > best_score:
                    best_action, best_score = action, score
            child = tree.children[b, node, best_action]
        leaf_parents[b], leaf_actions[b] = node, best_action
    return leaf_parents, leaf_actions
