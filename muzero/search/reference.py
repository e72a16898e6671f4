"""A slow, per-node version of the batched search, kept only as a test oracle.

One root at a time, Python `Node` objects with a dict of children, the model called with batch size 1:
the MuZero paper's pseudocode with vector values and a player to move per node (max^n selection).
It implements exactly the algorithm of `muzero.search.mcts`, so both give the same visit counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from muzero.search.interface import RecurrentFn, RootBatch, SearchParams
from muzero.search.selection import root_priors, softmax


class MinMaxStats:
    """The paper's running min and max of the backed-up Q values of one tree."""

    def __init__(self) -> None:
        self.maximum = -math.inf
        self.minimum = math.inf

    def update(self, value: float) -> None:
        self.maximum = max(self.maximum, value)
        self.minimum = min(self.minimum, value)

    def normalize(self, value: float) -> float:
        if self.maximum > self.minimum:
            return (value - self.minimum) / (self.maximum - self.minimum)
        return value


@dataclass
class Node:
    """One node: the player to move, the reward into it, its statistics and its expanded children."""

    latent: np.ndarray  # [1, *latent_shape]
    to_play: int
    reward: np.ndarray  # float64[P]
    priors: np.ndarray  # float64[A]: prior of each action here
    visits: int = 0
    value_sum: np.ndarray | None = None  # float64[P]
    children: dict[int, Node] = field(default_factory=dict)

    def q(self, discount: float) -> np.ndarray:
        """float64[P]: reward + discount * mean value, as seen from the parent."""
        return self.reward + discount * self.value_sum / self.visits


@dataclass(frozen=True)
class ReferenceOutput:
    """The parts of a SearchOutput the oracle computes, plus its trees."""

    visit_counts: np.ndarray  # int32[B, A]
    root_values: np.ndarray  # float32[B, P]
    q_values: np.ndarray  # float32[B, A, P]
    roots: tuple[Node, ...]


def reference_search(
    roots: RootBatch, recurrent_fn: RecurrentFn, params: SearchParams, rng: np.random.Generator
) -> ReferenceOutput:
    """Search each root on its own, with the same root priors (and noise) as the batched search."""
    priors = root_priors(roots, params, rng)  # float64[B, A]
    trees = []
    for b in range(roots.batch_size):
        root = Node(
            latent=roots.latents[b : b + 1],
            to_play=int(roots.to_play[b]),
            reward=np.zeros(roots.num_players),
            priors=priors[b],
            visits=1,
            value_sum=np.asarray(roots.values[b], dtype=np.float64),
        )
        search_one(root, roots.legal_mask[b], recurrent_fn, params)
        trees.append(root)
    return summarize(trees, roots.num_actions, params.discount)


def search_one(root: Node, legal_mask: np.ndarray, recurrent_fn: RecurrentFn, params: SearchParams) -> None:
    """The paper's run_mcts for one root."""
    min_max = MinMaxStats()
    for _ in range(params.num_simulations):
        node = root
        search_path = [root]
        action = select_action(node, legal_mask, min_max, params)
        while action in node.children:
            node = node.children[action]
            search_path.append(node)
            action = select_action(node, None, min_max, params)
        output = recurrent_fn(node.latent, np.array([action], dtype=np.int64))
        child = Node(
            latent=output.latents,
            to_play=int(np.argmax(output.next_player_logits[0])),
            reward=np.asarray(output.rewards[0], dtype=np.float64),
            priors=softmax(output.policy_logits)[0],
            value_sum=np.zeros(len(root.reward)),
        )
        node.children[action] = child
        search_path.append(child)
        backpropagate(search_path, np.asarray(output.values[0], dtype=np.float64), min_max, params.discount)


def select_action(node: Node, legal_mask: np.ndarray | None, min_max: MinMaxStats, params: SearchParams) -> int:
    """The action with the highest UCB score for the node's player; ties go to the lowest action."""
    best_action, best_score = -1, -math.inf
    for action in range(len(node.priors)):
        if legal_mask is not None and not legal_mask[action]:
            continue
        score = ucb_score(node, action, min_max, params)
        if score > best_score:
            best_action, best_score = action, score
    return best_action


def ucb_score(parent: Node, action: int, min_max: MinMaxStats, params: SearchParams) -> float:
    """The paper's ucb_score, with the value of the parent's player to move."""
    child = parent.children.get(action)
    child_visits = 0 if child is None else child.visits
    pb_c = math.log((parent.visits + params.pb_c_base + 1) / params.pb_c_base) + params.pb_c_init
    pb_c *= math.sqrt(parent.visits) / (child_visits + 1)
    prior_score = pb_c * float(parent.priors[action])
    if child is None and params.unvisited_q == "parent":
        value_score = min_max.normalize(float(parent.value_sum[parent.to_play] / parent.visits))
    elif child is None:
        value_score = 0.0
    else:
        q = child.reward[parent.to_play] + params.discount * child.value_sum[parent.to_play] / child.visits
        value_score = min_max.normalize(float(q))
    return value_score + prior_score


def backpropagate(search_path: list[Node], value: np.ndarray, min_max: MinMaxStats, discount: float) -> None:
    """The paper's backpropagate with a return vector: every player's component goes up unchanged."""
    returns = value.copy()  # float64[P]
    for node in reversed(search_path):
        node.value_sum = node.value_sum + returns
        node.visits += 1
        for q in node.q(discount):
            min_max.update(float(q))
        returns = node.reward + discount * returns


def summarize(trees: list[Node], num_actions: int, discount: float) -> ReferenceOutput:
    """Visit counts, root values and Q values of the root children of each tree."""
    num_players = len(trees[0].reward)
    visit_counts = np.zeros((len(trees), num_actions), dtype=np.int32)
    q_values = np.zeros((len(trees), num_actions, num_players), dtype=np.float32)
    for b, root in enumerate(trees):
        for action, child in root.children.items():
            visit_counts[b, action] = child.visits
            q_values[b, action] = child.q(discount)
    root_values = np.stack([root.value_sum / root.visits for root in trees]).astype(np.float32)
    return ReferenceOutput(visit_counts, root_values, q_values, tuple(trees))
