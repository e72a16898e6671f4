"""Batched MCTS for N players: B trees searched at once, one model call per simulation for all of them.

Selection at a node maximises the PUCT score of the node's player to move; backup carries the whole
return vector G = reward + discount * G up to the root (OpenSpiel's max^n with MuZero's PUCT).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from muzero.config import SearchConfig
from muzero.search.gumbel import considered_visits_table, root_decisions, select_leaves_gumbel
from muzero.search.interface import RecurrentFn, RecurrentOutput, RootBatch, SearchOutput
from muzero.search.selection import root_priors_and_gumbel, select_actions, select_leaves, softmax
from muzero.search.tree import (
    NO_PARENT,
    SearchNode,
    Tree,
    new_tree,
    root_child_q_values,
    root_child_visits,
    tree_nodes,
)


def search(roots: RootBatch, recurrent_fn: RecurrentFn, params: SearchConfig, rng: np.random.Generator) -> SearchOutput:
    """Run `params.num_simulations` simulations from each of the B roots; `rng` draws the root noise."""
    check_roots(roots)
    priors, gumbel = root_priors_and_gumbel(roots, params, rng)  # float64[B, A], float64[B, A]
    tree = new_tree(roots, priors, params.num_simulations + 1)
    batch_index = np.arange(roots.batch_size)  # int64[B]
    if params.algorithm == "gumbel":
        select = gumbel_selector(tree, roots, gumbel, params)
    else:
        select = puct_selector(tree, roots, params)
    for simulation in range(params.num_simulations):
        leaf_parents, leaf_actions = select()  # int64[B], int64[B]
        output = recurrent_fn(tree.latents[batch_index, leaf_parents], leaf_actions)
        expand(tree, simulation + 1, leaf_parents, leaf_actions, output, params.discount)
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


def puct_selector(tree: Tree, roots: RootBatch, params: SearchConfig) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """The leaves of the next simulation by PUCT, as a function of the tree's current state."""
    return lambda: select_leaves(
        tree.children,
        tree.node_visits,
        tree.value_sums,
        tree.rewards,
        tree.to_play,
        tree.child_priors,
        roots.legal_mask,
        tree.min_max,
        float(params.pb_c_base),
        float(params.pb_c_init),
        float(params.discount),
        params.unvisited_q == "parent",
    )


def gumbel_selector(
    tree: Tree, roots: RootBatch, gumbel: np.ndarray, params: SearchConfig
) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """The leaves of the next simulation by Gumbel MuZero's sequential halving and interior selection."""
    table = considered_visits_table(params.max_considered_actions, params.num_simulations)
    return lambda: select_leaves_gumbel(
        tree.children,
        tree.node_visits,
        tree.value_sums,
        tree.rewards,
        tree.raw_values,
        tree.to_play,
        tree.child_priors,
        roots.legal_mask,
        gumbel,
        table,
        float(params.discount),
        float(params.value_scale),
        float(params.maxvisit_init),
        float(params.opponent_random_probability),
    )


def root_policy_and_action(
    tree: Tree, roots: RootBatch, gumbel: np.ndarray, visit_counts: np.ndarray, params: SearchConfig
) -> tuple[np.ndarray, np.ndarray]:
    """(float64[B, A] policy target, int64[B] chosen action) of each root after the search."""
    if params.algorithm == "gumbel":
        return root_decisions(
            tree.children,
            tree.node_visits,
            tree.value_sums,
            tree.rewards,
            tree.raw_values,
            tree.to_play,
            tree.child_priors,
            roots.legal_mask,
            gumbel,
            float(params.discount),
            float(params.value_scale),
            float(params.maxvisit_init),
        )
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


def expand(
    tree: Tree,
    node_index: int,
    leaf_parents: np.ndarray,
    leaf_actions: np.ndarray,
    output: RecurrentOutput,
    discount: float,
) -> None:
    """Store the model's answer as node `node_index` of every tree and back its value up to the root."""
    tree.latents[:, node_index] = output.latents
    tree.raw_values[:, node_index] = output.values
    expand_and_backup(
        node_index,
        leaf_parents,
        leaf_actions,
        output.rewards,  # float32[B, P]
        output.next_player_logits,  # float32[B, P]
        softmax(output.policy_logits),  # float64[B, A]
        output.values,  # float32[B, P]
        tree.node_visits,
        tree.value_sums,
        tree.rewards,
        tree.to_play,
        tree.child_priors,
        tree.children,
        tree.parents,
        tree.parent_actions,
        tree.min_max,
        float(discount),
    )


@njit(cache=True)
def expand_and_backup(
    node_index: int,
    leaf_parents: np.ndarray,
    leaf_actions: np.ndarray,
    new_rewards: np.ndarray,
    next_player_logits: np.ndarray,
    new_priors: np.ndarray,
    leaf_values: np.ndarray,
    node_visits: np.ndarray,
    value_sums: np.ndarray,
    rewards: np.ndarray,
    to_play: np.ndarray,
    child_priors: np.ndarray,
    children: np.ndarray,
    parents: np.ndarray,
    parent_actions: np.ndarray,
    min_max: np.ndarray,
    discount: float,
) -> None:
    """Per tree b: link node `node_index` under its parent, fill it in, then back up its leaf value."""
    for b in range(leaf_parents.shape[0]):
        parent, action = leaf_parents[b], leaf_actions[b]
        children[b, parent, action] = node_index
        parents[b, node_index] = parent
        parent_actions[b, node_index] = action
        rewards[b, node_index] = new_rewards[b]
        to_play[b, node_index] = np.argmax(next_player_logits[b])
        child_priors[b, node_index] = new_priors[b]
        backup(b, node_index, leaf_values[b], node_visits, value_sums, rewards, parents, min_max, discount)


@njit(cache=True)
def backup(
    b: int,
    leaf: int,
    leaf_value: np.ndarray,
    node_visits: np.ndarray,
    value_sums: np.ndarray,
    rewards: np.ndarray,
    parents: np.ndarray,
    min_max: np.ndarray,
    discount: float,
) -> None:
    """The paper's backpropagate with vectors: from the leaf up, add G, count the visit, update the
    min-max statistics with every component of reward + discount * mean value, then G = r + discount G."""
    returns = leaf_value.astype(np.float64)  # float64[P]
    node = leaf
    while node != NO_PARENT:
        node_visits[b, node] += 1
        for player in range(returns.shape[0]):
            value_sums[b, node, player] += returns[player]
            q = rewards[b, node, player] + discount * value_sums[b, node, player] / node_visits[b, node]
            if q < min_max[b, 0]:
                min_max[b, 0] = q
            if q > min_max[b, 1]:
                min_max[b, 1] = q
            returns[player] = rewards[b, node, player] + discount * returns[player]
        node = parents[b, node]


def chosen_actions(output: SearchOutput, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """int64[B]: the search's own choice at temperature 0, else a sample from its policy ** (1 / temperature)."""
    if temperature == 0:
        return output.action.astype(np.int64)
    return select_actions(output.policy, temperature, rng)


def extract_tree(output: SearchOutput, index: int) -> SearchNode:
    """The searched tree of root `index` as nested SearchNodes (only visited children), for display."""
    return tree_nodes(output.tree, index)
