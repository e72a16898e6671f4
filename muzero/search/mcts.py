"""Batched MCTS for N players: B trees searched at once, one model call per simulation for all of them.

Selection at a node maximises the PUCT score of the node's player to move; backup carries the whole
return vector G = reward + discount * G up to the root (OpenSpiel's max^n with MuZero's PUCT).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numba import njit

from muzero.config import SearchConfig
from muzero.search.gumbel import considered_visits_table, gumbel_settings, root_decisions, select_leaves_gumbel
from muzero.search.interface import RecurrentFn, RecurrentOutput, RootBatch, SearchOutput
from muzero.search.selection import puct_settings, root_priors_and_gumbel, select_actions, select_leaves, softmax_rows
from muzero.search.tree import (
    NO_PARENT,
    SearchNode,
    Tree,
    new_latents,
    new_tree,
    node_q,
    root_child_q_values,
    root_child_visits,
    tree_nodes,
)


def search(roots: RootBatch, recurrent_fn: RecurrentFn, params: SearchConfig, rng: np.random.Generator) -> SearchOutput:
    """Run `params.num_simulations` simulations from each of the B roots; `rng` draws the root noise."""
    check_roots(roots)
    priors, gumbel = root_priors_and_gumbel(roots, params, rng)  # float64[B, A], float64[B, A]
    tree = new_tree(roots, priors, params.num_simulations + 1)
    latents = new_latents(roots, params.num_simulations + 1)  # [B, N, *latent_shape]
    batch_index = np.arange(roots.batch_size)  # int64[B]
    discount = float(params.discount)
    select = leaf_selector(tree, roots, gumbel, params)
    for simulation in range(params.num_simulations):
        leaf_parents, leaf_actions = select()  # int64[B], int64[B]
        output = recurrent_fn(latents[batch_index, leaf_parents], leaf_actions)
        latents[:, simulation + 1] = output.latents
        expand_and_backup(tree, simulation + 1, expansion(leaf_parents, leaf_actions, output), discount)
    visit_counts = root_child_visits(tree)  # int32[B, A]
    policy, action = root_policy_and_action(tree, roots, gumbel, visit_counts, params)
    return SearchOutput(
        visit_counts=visit_counts,
        root_values=(tree.value_sums[:, 0] / tree.node_visits[:, 0, None]).astype(np.float32),
        q_values=root_child_q_values(tree, params.discount).astype(np.float32),
        priors=priors.astype(np.float32),
        policy=policy.astype(np.float32),
        action=action,
        tree=tree,
    )


def leaf_selector(
    tree: Tree, roots: RootBatch, gumbel: np.ndarray, params: SearchConfig
) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """The leaves of the next simulation (int64[B] parents, int64[B] actions) as a function of the tree's
    current state: by PUCT, or by Gumbel MuZero's sequential halving and interior selection."""
    if params.algorithm == "gumbel":
        table = considered_visits_table(params.max_considered_actions, params.num_simulations)
        settings = gumbel_settings(params)
        return lambda: select_leaves_gumbel(tree, roots.legal_mask, gumbel, table, settings)
    puct = puct_settings(params)
    return lambda: select_leaves(tree, roots.legal_mask, puct)


def root_policy_and_action(
    tree: Tree, roots: RootBatch, gumbel: np.ndarray, visit_counts: np.ndarray, params: SearchConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(float64[B, A] policy target, int64[B] chosen action) of each root after the search."""
    if params.algorithm == "gumbel":
        return root_decisions(tree, roots.legal_mask, gumbel, gumbel_settings(params))
    visits = visit_counts.astype(np.float64)  # float64[B, A]
    totals = visits.sum(axis=1, keepdims=True)  # float64[B, 1]
    if np.any(totals == 0):  # no simulations: the priors are all the search knows
        return tree.child_priors[:, 0].copy(), np.argmax(tree.child_priors[:, 0], axis=1)
    return visits / totals, np.argmax(visits, axis=1)


def check_roots(roots: RootBatch) -> None:
    """Raise a ValueError naming the first inconsistency of the root batch."""
    batch_size = roots.batch_size
    shapes = {
        "latents": (roots.latents.shape[:1], (batch_size,)),
        "values": (roots.values.shape[:1], (batch_size,)),
        "to_play": (roots.to_play.shape, (batch_size,)),
        "legal_mask": (roots.legal_mask.shape, (batch_size, roots.num_actions)),
    }
    for name, (shape, expected) in shapes.items():
        if shape != expected:
            raise ValueError(f"RootBatch.{name} has shape {shape}, expected {expected} (B = {batch_size})")
    if roots.legal_mask.dtype != np.bool_ or not roots.legal_mask.any(axis=1).all():
        raise ValueError("RootBatch.legal_mask must be bool with at least one legal action per root")
    if np.any((roots.to_play < 0) | (roots.to_play >= roots.num_players)):
        raise ValueError(f"RootBatch.to_play must be in 0..{roots.num_players - 1}, got {roots.to_play}")


class Expansion(NamedTuple):
    """The B nodes a simulation adds, where each hangs and what the model said of it, as the kernel takes them."""

    parents: np.ndarray  # int64[B]: the leaf node the new node hangs under
    actions: np.ndarray  # int64[B]: the action leading there from the leaf
    rewards: np.ndarray  # float[B, P]: reward of the transition into the new node
    next_player_logits: np.ndarray  # float[B, P]: the new node's to_play is the argmax
    policy_logits: np.ndarray  # float[B, A]: the new node's priors are their softmax
    values: np.ndarray  # float[B, P]: the model's value vector, backed up to the root


def expansion(leaf_parents: np.ndarray, leaf_actions: np.ndarray, output: RecurrentOutput) -> Expansion:
    """The new nodes under int64[B] `leaf_parents` by int64[B] `leaf_actions` (the latents are not kept here)."""
    return Expansion(
        leaf_parents, leaf_actions, output.rewards, output.next_player_logits, output.policy_logits, output.values
    )


@njit(cache=True)
def expand_and_backup(tree: Tree, node_index: int, new: Expansion, discount: float) -> None:
    """Per tree b: link node `node_index` under its parent, fill it in, then back up its leaf value."""
    priors = softmax_rows(new.policy_logits)  # float64[B, A]
    returns = np.empty(new.values.shape[1], dtype=np.float64)  # float64[P]: buffer of the backed-up return
    for b in range(new.parents.shape[0]):
        parent, action = new.parents[b], new.actions[b]
        tree.children[b, parent, action] = node_index
        tree.parents[b, node_index] = parent
        tree.parent_actions[b, node_index] = action
        tree.rewards[b, node_index] = new.rewards[b]
        tree.raw_values[b, node_index] = new.values[b]
        tree.to_play[b, node_index] = np.argmax(new.next_player_logits[b])
        tree.child_priors[b, node_index] = priors[b]
        returns[:] = new.values[b]
        backup(tree, b, node_index, returns, discount)


@njit(cache=True)
def backup(tree: Tree, b: int, leaf: int, returns: np.ndarray, discount: float) -> None:
    """The paper's backpropagate with vectors, float64[P] `returns` G holding the leaf's value (and left
    changed): from the leaf up, add G, count the visit, update the min-max statistics with every component of
    reward + discount * mean value, then G = r + discount G."""
    node = leaf
    while node != NO_PARENT:
        tree.node_visits[b, node] += 1
        for player in range(returns.shape[0]):
            tree.value_sums[b, node, player] += returns[player]
            q = node_q(tree, b, node, player, discount)
            if q < tree.min_max[b, 0]:
                tree.min_max[b, 0] = q
            if q > tree.min_max[b, 1]:
                tree.min_max[b, 1] = q
            returns[player] = tree.rewards[b, node, player] + discount * returns[player]
        node = tree.parents[b, node]


def chosen_actions(output: SearchOutput, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """int64[B]: the search's own choice at temperature 0, else a sample from its policy ** (1 / temperature)."""
    if temperature == 0:
        return output.action.astype(np.int64)
    return select_actions(output.policy, temperature, rng)


def extract_tree(output: SearchOutput, index: int) -> SearchNode:
    """The searched tree of root `index` as nested SearchNodes (only visited children), for display."""
    return tree_nodes(output.tree, index)
