"""The batched search tree (B trees of N nodes as arrays) and its per-node view for display.

Node 0 is the root; the node expanded by simulation s is node s + 1, so a child's index always exceeds
its parent's. `Tree` is a NamedTuple of arrays, so the numba kernels take a whole tree as one argument
and read its fields by name; the model's latents stay outside it, with the search.

A compiled function that takes the tree counts a reference to each of its arrays when it is called and
when it returns (atomic operations), unless LLVM inlines it (tiny ones such as `node_q`). So the kernels
call functions of the tree once per batch, never per tree or node: each walks the B trees in one loop, and
per node calls only functions of scalars and small arrays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numba
import numpy as np
from numba import njit
from numba.core.dispatcher import Dispatcher

from muzero.search.interface import RootBatch

UNEXPANDED = -1  # `children` entry of an action not expanded yet
NO_PARENT = -1  # `parents` and `parent_actions` entry of the root


class Tree(NamedTuple):
    """B search trees of N = num_simulations + 1 nodes; the arrays are filled in place by the search."""

    node_visits: np.ndarray  # int32[B, N]
    value_sums: np.ndarray  # float64[B, N, P]: sum of the value vectors backed up through the node
    raw_values: np.ndarray  # float64[B, N, P]: the model's value vector at the node
    rewards: np.ndarray  # float64[B, N, P]: reward of the transition into the node (root: 0)
    to_play: np.ndarray  # int64[B, N]: the player to move at the node
    child_priors: np.ndarray  # float64[B, N, A]: the prior of each action at the node
    children: np.ndarray  # int64[B, N, A]: node reached by each action, UNEXPANDED if none
    parents: np.ndarray  # int64[B, N]: parent node (root: NO_PARENT)
    parent_actions: np.ndarray  # int64[B, N]: the action leading from the parent (root: NO_PARENT)
    min_max: np.ndarray  # float64[B, 2]: min and max of the backed-up Q values seen in each tree
    terminal: np.ndarray  # bool[B, N]: the game ended at the node (a search over the game's rules knows it)
    chance: np.ndarray  # bool[B, N]: the node is a chance node (an afterstate: the move made, chance to draw)
    chance_probs: np.ndarray  # float64[B, N, C]: a chance node's outcome probabilities (C >= 1; else 0)
    chance_children: np.ndarray  # int64[B, N, C]: node reached by each outcome of a chance node, or UNEXPANDED

    @property
    def batch_size(self) -> int:
        return int(self.node_visits.shape[0])

    @property
    def num_nodes(self) -> int:
        return int(self.node_visits.shape[1])

    @property
    def num_actions(self) -> int:
        return int(self.children.shape[2])

    @property
    def num_players(self) -> int:
        return int(self.value_sums.shape[2])


COMPILED_KERNELS: dict[Hashable, Callable[..., Any]] = {}  # bound_kernel's compiled code, by numba_type_key


def bound_kernel(kernel: Dispatcher, *args: Any) -> Callable[[], Any]:
    """`kernel(*args)` as a function of no arguments, for a kernel called once per simulation with the same
    objects: its compiled code for their types is looked up once, here. Through its dispatcher, numba would
    type the NamedTuples among them again on every call, which costs more than a whole descent of a small
    tree."""
    key = (kernel, *map(numba_type_key, args))
    if key not in COMPILED_KERNELS:
        COMPILED_KERNELS[key] = kernel.compile(tuple(numba.typeof(arg) for arg in args))
    return functools.partial(COMPILED_KERNELS[key], *args)


def numba_type_key(value: Any) -> Hashable:
    """What numba's type of `value` depends on, cheap to compute: its class, and for an array its dtype,
    number of dimensions and flags (contiguity, writeable, aligned, among others); for a tuple, that of each
    element."""
    if isinstance(value, np.ndarray):
        return type(value), value.dtype, value.ndim, value.flags.num
    if isinstance(value, tuple):
        return type(value), *map(numba_type_key, value)
    return type(value)


@njit(cache=True)
def chance_outcome(tree: Tree, b: int, node: int) -> int:
    """The outcome to descend by from chance node `node` of tree b: the one of largest probability / (its
    visits + 1) (ties: lowest), so the visits of the outcomes follow their probabilities without sampling and
    the node's mean value is their expectation (the search stays deterministic)."""
    best_outcome, best_score = -1, -1.0
    for outcome in range(tree.chance_probs.shape[2]):
        probability = tree.chance_probs[b, node, outcome]
        if probability <= 0:
            continue
        child = tree.chance_children[b, node, outcome]
        visits = 0 if child == UNEXPANDED else tree.node_visits[b, child]
        score = probability / (visits + 1)
        if score > best_score:
            best_outcome, best_score = outcome, score
    return best_outcome


@njit(cache=True)
def node_q(tree: Tree, b: int, node: int, player: int, discount: float) -> float:
    """reward + discount * mean value of a visited `node` of tree b for `player`, as seen from its parent
    (undiscounted into a chance node: see `edge_discount`)."""
    mean_value = tree.value_sums[b, node, player] / tree.node_visits[b, node]
    return tree.rewards[b, node, player] + edge_discount(tree, b, node, discount) * mean_value


@njit(cache=True)
def edge_discount(tree: Tree, b: int, node: int, discount: float) -> float:
    """The discount on the edge into `node`: none into a chance node (the move and chance's draw are one step
    of the game, discounted once, on the edge out of the chance node), `discount` elsewhere."""
    return 1.0 if tree.chance[b, node] else discount


def new_tree(roots: RootBatch, root_priors: np.ndarray, num_nodes: int) -> Tree:
    """Trees holding only their roots, each counted as one visit with value_sum = its predicted value."""
    batch_size, num_actions, num_players = roots.batch_size, roots.num_actions, roots.num_players
    node_visits = np.zeros((batch_size, num_nodes), dtype=np.int32)  # int32[B, N]
    node_visits[:, 0] = 1
    value_sums = np.zeros((batch_size, num_nodes, num_players), dtype=np.float64)  # float64[B, N, P]
    value_sums[:, 0] = roots.values
    raw_values = np.zeros((batch_size, num_nodes, num_players), dtype=np.float64)  # float64[B, N, P]
    raw_values[:, 0] = roots.values
    to_play = np.zeros((batch_size, num_nodes), dtype=np.int64)  # int64[B, N]
    to_play[:, 0] = roots.to_play
    child_priors = np.zeros((batch_size, num_nodes, num_actions), dtype=np.float64)  # float64[B, N, A]
    child_priors[:, 0] = root_priors
    min_max = np.empty((batch_size, 2), dtype=np.float64)  # float64[B, 2]
    min_max[:, 0], min_max[:, 1] = np.inf, -np.inf
    num_outcomes = max(roots.chance_outcomes, 1)  # C: one unused column where the game has no chance
    return Tree(
        node_visits=node_visits,
        value_sums=value_sums,
        raw_values=raw_values,
        rewards=np.zeros((batch_size, num_nodes, num_players), dtype=np.float64),
        to_play=to_play,
        child_priors=child_priors,
        children=np.full((batch_size, num_nodes, num_actions), UNEXPANDED, dtype=np.int64),
        parents=np.full((batch_size, num_nodes), NO_PARENT, dtype=np.int64),
        parent_actions=np.full((batch_size, num_nodes), NO_PARENT, dtype=np.int64),
        min_max=min_max,
        terminal=np.zeros((batch_size, num_nodes), dtype=np.bool_),
        chance=np.zeros((batch_size, num_nodes), dtype=np.bool_),
        chance_probs=np.zeros((batch_size, num_nodes, num_outcomes), dtype=np.float64),
        chance_children=np.full((batch_size, num_nodes, num_outcomes), UNEXPANDED, dtype=np.int64),
    )


def new_latents(roots: RootBatch, num_nodes: int) -> np.ndarray:
    """[B, N, *latent_shape]: room for the model's state at each node, the roots' filled in."""
    latents = np.zeros((roots.batch_size, num_nodes, *roots.latents.shape[1:]), dtype=roots.latents.dtype)
    latents[:, 0] = roots.latents
    return latents


def node_values(tree: Tree) -> np.ndarray:
    """float64[B, N, P]: each node's mean backed-up value vector (0 for nodes never visited)."""
    visits = np.maximum(tree.node_visits, 1)[:, :, None]  # int32[B, N, 1]
    return tree.value_sums / visits  # float64[B, N, P]


def root_child_q_values(tree: Tree, discount: float) -> np.ndarray:
    """float64[B, A, P]: reward + discount * mean value of each root child (undiscounted into a chance node);
    NaN where not visited."""
    root_children = tree.children[:, 0, :]  # int64[B, A]
    expanded = root_children != UNEXPANDED  # bool[B, A]: an expanded child has been visited
    gathered = np.where(expanded, root_children, 0)  # int64[B, A]
    batch_index = np.arange(tree.batch_size)[:, None]  # int64[B, 1]
    visits = np.maximum(tree.node_visits[batch_index, gathered], 1)[:, :, None]  # int32[B, A, 1]
    rewards = tree.rewards[batch_index, gathered]  # float64[B, A, P]
    value_sums = tree.value_sums[batch_index, gathered]  # float64[B, A, P]
    discounts = np.where(tree.chance[batch_index, gathered], 1.0, discount)[:, :, None]  # float64[B, A, 1]
    q_values = rewards + discounts * value_sums / visits  # float64[B, A, P]
    return np.where(expanded[:, :, None], q_values, np.nan)


def root_child_visits(tree: Tree) -> np.ndarray:
    """int32[B, A]: visits of each root child (0 where not expanded)."""
    root_children = tree.children[:, 0, :]  # int64[B, A]
    batch_index = np.arange(tree.batch_size)[:, None]  # int64[B, 1]
    visits = tree.node_visits[batch_index, np.maximum(root_children, 0)]  # int32[B, A]
    return np.where(root_children != UNEXPANDED, visits, 0).astype(np.int32)


@dataclass(frozen=True)
class SearchNode:
    """One node of a searched tree, for display; `children` holds only the visited ones, by action."""

    action: int | None  # the action (or, below a chance node, the outcome) leading here (None at the root)
    visits: int
    prior: float  # the parent's prior for `action`, or the outcome's probability below a chance node (root: 1)
    reward: np.ndarray  # float32[P]: reward of the transition into this node
    value: np.ndarray  # float32[P]: mean backed-up value vector
    to_play: int  # the player to move here (meaningless where `terminal`)
    children: tuple[SearchNode, ...]
    terminal: bool = False  # the game ended here (a search over the game's rules knows it; no children shown)
    chance: bool = False  # a chance node: the move made, chance yet to draw; its children are the outcomes


def tree_nodes(tree: Tree, index: int) -> SearchNode:
    """The tree of root `index` as nested SearchNodes, built bottom-up (children have larger indices)."""
    values = node_values(tree)[index]  # float64[N, P]
    built: dict[int, SearchNode] = {}
    for node in range(tree.num_nodes - 1, -1, -1):
        if tree.node_visits[index, node] == 0:
            continue
        parent = int(tree.parents[index, node])
        if parent != NO_PARENT and tree.terminal[index, parent]:
            continue  # an absorbing step past the end of the game
        action = int(tree.parent_actions[index, node])
        chance = bool(tree.chance[index, node])
        kids = (tree.chance_children if chance else tree.children)[index, node]  # int64[C] or int64[A]
        ended = bool(tree.terminal[index, node])
        built[node] = SearchNode(
            action=None if parent == NO_PARENT else action,
            visits=int(tree.node_visits[index, node]),
            prior=node_prior(tree, index, node),
            reward=tree.rewards[index, node].astype(np.float32),
            value=values[node].astype(np.float32),
            to_play=int(tree.to_play[index, node]),
            children=() if ended else tuple(built.pop(int(child)) for child in kids if child != UNEXPANDED),
            terminal=ended,
            chance=chance,
        )
    return built[0]


def node_prior(tree: Tree, index: int, node: int) -> float:
    """The parent's prior of the action into `node` of tree `index`, or the outcome's probability below a
    chance node (1 at the root)."""
    parent, action = int(tree.parents[index, node]), int(tree.parent_actions[index, node])
    if parent == NO_PARENT:
        return 1.0
    priors = tree.chance_probs if tree.chance[index, parent] else tree.child_priors
    return float(priors[index, parent, action])
