"""Batched MCTS for N players: B trees searched at once, one model call per simulation for all of them.

Selection at a node maximises the PUCT score of the node's player to move; backup carries the whole
return vector G = reward + discount * G up to the root (OpenSpiel's max^n with MuZero's PUCT).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from muzero.core.config import SearchConfig
from muzero.search.gumbel import considered_visits_table, gumbel_settings, root_decisions, select_leaves_gumbel
from muzero.search.interface import Progress, RecurrentFn, RecurrentOutput, RootBatch, SearchOutput
from muzero.search.selection import puct_settings, root_priors_and_gumbel, select_actions, select_leaves, softmax_rows
from muzero.search.tree import (
    NO_PARENT,
    SearchNode,
    Tree,
    bound_kernel,
    edge_discount,
    new_latents,
    new_tree,
    node_q,
    root_child_q_values,
    root_child_visits,
    tree_nodes,
)


def search(
    roots: RootBatch,
    recurrent_fn: RecurrentFn,
    params: SearchConfig,
    rng: np.random.Generator,
    progress: Progress | None = None,
) -> SearchOutput:
    """Run `params.num_simulations` simulations from each of the B roots; `rng` draws the root noise; `progress`
    hears of the root statistics along the way."""
    check_roots(roots)
    priors, gumbel = root_priors_and_gumbel(roots, params, rng)  # float64[B, A], float64[B, A]
    tree = new_tree(roots, priors, params.num_simulations + 1)
    latents = new_latents(roots, params.num_simulations + 1)  # [B, N, *latent_shape]
    batch_index = np.arange(roots.batch_size)  # int64[B]
    discount = float(params.discount)
    select = leaf_selector(tree, roots, gumbel, params)
    no_chance = np.zeros(tree.chance_probs[:, 0].shape, np.float32)  # float32[B, C]
    for simulation in range(params.num_simulations):
        leaves = select()  # (int64[B] parent nodes, int64[B] actions, or outcomes below a chance node)
        leaf_latents = latents[batch_index, leaves[0]]
        if roots.chance_outcomes:
            output = recurrent_fn(leaf_latents, leaves[1], tree.chance[batch_index, leaves[0]])
        else:
            output = recurrent_fn(leaf_latents, leaves[1])
        latents[:, simulation + 1] = output.latents
        expand_and_backup(
            tree,
            simulation + 1,
            leaves,
            answer_of(output),
            no_chance if output.chance_probabilities is None else output.chance_probabilities,
            discount,
        )
        done = simulation + 1
        if progress is not None and done % progress.every == 0 and done < params.num_simulations:
            progress.report(search_output(tree, roots, priors, gumbel, params), done)
    return search_output(tree, roots, priors, gumbel, params)


def answer_of(output: RecurrentOutput) -> tuple[np.ndarray, ...]:
    """The arrays of a RecurrentOutput that `expand_and_backup` takes (bool[B] terminal: False where None)."""
    terminal = np.zeros(len(output.rewards), np.bool_) if output.terminal is None else output.terminal
    return output.rewards, output.next_player_logits, output.policy_logits, output.values, terminal


def search_output(
    tree: Tree, roots: RootBatch, priors: np.ndarray, gumbel: np.ndarray, params: SearchConfig
) -> SearchOutput:
    """The root statistics of `tree` as the search's output."""
    visit_counts = root_child_visits(tree)  # int32[B, A]
    q_values = root_child_q_values(tree, params.discount)  # float64[B, A, P], NaN where unvisited
    policy, action = root_policy_and_action(tree, roots, gumbel, visit_counts, q_values, params)
    return SearchOutput(
        visit_counts=visit_counts,
        root_values=(tree.value_sums[:, 0] / tree.node_visits[:, 0, None]).astype(np.float32),
        q_values=q_values.astype(np.float32),
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
        return bound_kernel(select_leaves_gumbel, tree, roots.legal_mask, gumbel, table, gumbel_settings(params))
    return bound_kernel(select_leaves, tree, roots.legal_mask, puct_settings(params))


def root_policy_and_action(
    tree: Tree,
    roots: RootBatch,
    gumbel: np.ndarray,
    visit_counts: np.ndarray,
    q_values: np.ndarray,
    params: SearchConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """(float64[B, A] policy target, int64[B] chosen action) of each root after the search, from the visits
    int32[B, A] and the Q values float64[B, A, P] of its children."""
    if params.algorithm == "gumbel":
        batch_index, root_player = np.arange(tree.batch_size), tree.to_play[:, 0]  # int64[B], int64[B]
        player_q = np.where(visit_counts > 0, q_values[batch_index, :, root_player], 0.0)  # float64[B, A]
        raw_values = tree.raw_values[batch_index, 0, root_player]  # float64[B]
        priors = tree.child_priors[:, 0]  # float64[B, A]
        return root_decisions(
            visit_counts, player_q, priors, raw_values, gumbel, roots.legal_mask, gumbel_settings(params)
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


@njit(cache=True)
def expand_and_backup(
    tree: Tree,
    node_index: int,
    leaves: tuple[np.ndarray, np.ndarray],
    answer: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    chance_probabilities: np.ndarray,
    discount: float,
) -> None:
    """Per tree b: node `node_index` under its leaf (int64[B] parents, int64[B] actions, or outcomes below a
    chance node), filled in with the model's answer (a `RecurrentOutput`'s float[B, P] rewards, float[B, P]
    next player logits, float[B, A] policy logits, float[B, P] values and bool[B] terminal) and float[B, C]
    chance probabilities (a row not all 0: the node is a chance node); then the values are backed up."""
    rewards, next_player_logits, policy_logits, values, terminal = answer
    priors = softmax_rows(policy_logits)  # float64[B, A]
    leaf_parents, leaf_actions = leaves
    for b in range(leaf_parents.shape[0]):
        parent, action = leaf_parents[b], leaf_actions[b]
        if tree.chance[b, parent]:
            tree.chance_children[b, parent, action] = node_index
        else:
            tree.children[b, parent, action] = node_index
        tree.parents[b, node_index] = parent
        tree.parent_actions[b, node_index] = action
        tree.terminal[b, node_index] = terminal[b]
        tree.chance[b, node_index] = chance_probabilities[b].sum() > 0
        if tree.chance[b, node_index]:  # an afterstate: the player who moved into it, chance to draw
            tree.to_play[b, node_index] = tree.to_play[b, parent]
            tree.chance_probs[b, node_index] = chance_probabilities[b]
        else:
            tree.to_play[b, node_index] = np.argmax(next_player_logits[b])
            tree.child_priors[b, node_index] = priors[b]
        for player in range(values.shape[1]):
            tree.rewards[b, node_index, player] = rewards[b, player]
            tree.raw_values[b, node_index, player] = values[b, player]
    backup(tree, node_index, values, discount)


@njit(cache=True)
def backup(tree: Tree, leaf: int, leaf_values: np.ndarray, discount: float) -> None:
    """The paper's backpropagate with vectors, in every tree b from node `leaf` up, starting from G = its
    value float[B, P]: add G, count the visit, widen the min-max statistics with every component of
    reward + discount * mean value, then G = reward + discount * G. The walk up stays in this function (see
    muzero.search.tree)."""
    returns = np.empty(leaf_values.shape[1], dtype=np.float64)  # float64[P]: G
    for b in range(leaf_values.shape[0]):
        returns[:] = leaf_values[b]
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
                returns[player] = (
                    tree.rewards[b, node, player] + edge_discount(tree, b, node, discount) * returns[player]
                )
            node = tree.parents[b, node]


def chosen_actions(output: SearchOutput, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """int64[B]: the search's own choice at temperature 0, else a sample from its policy ** (1 / temperature)."""
    if temperature == 0:
        return output.action.astype(np.int64)
    return select_actions(output.policy, temperature, rng)


def selfplay_actions(
    output: SearchOutput, params: SearchConfig, temperature: float, sampled: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """int64[B]: the moves self-play makes after searching with `params`. PUCT samples the visits of the roots
    where `sampled` (bool[B]) at `temperature` and plays the search's choice elsewhere; Gumbel MuZero always
    plays its own choice (its root noise explores; no temperature)."""
    actions = output.action.copy()  # int64[B]
    if params.algorithm == "puct":
        actions[sampled] = select_actions(output.visit_counts[sampled], temperature, rng)
    return actions


def extract_tree(output: SearchOutput, index: int) -> SearchNode:
    """The searched tree of root `index` as nested SearchNodes (only visited children), for display."""
    return tree_nodes(output.tree, index)
