"""A slow, per-node version of the batched search, kept only as a test oracle.

One root at a time, Python `Node` objects with a dict of children, the model called with batch size 1:
the MuZero paper's pseudocode with vector values and a player to move per node (max^n selection).
It implements exactly the algorithms of `muzero.search.mcts` (PUCT and Gumbel MuZero), so both give the
same visit counts, policy targets and chosen actions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from muzero.core.config import SearchConfig
from muzero.search.gumbel import LIKELY_LEGAL_PRIOR, considered_visits
from muzero.search.interface import RecurrentFn, RootBatch
from muzero.search.selection import root_priors_and_gumbel, softmax


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
    raw_value: np.ndarray  # float64[P]: the model's value vector here
    visits: int = 0
    value_sum: np.ndarray | None = None  # float64[P]
    children: dict[int, Node] = field(default_factory=dict)  # by action, or by outcome at a chance node
    chance_probs: np.ndarray | None = None  # float64[C]: a chance node's outcome probabilities; None: a decision

    def q(self, discount: float) -> np.ndarray:
        """float64[P]: reward + discount * mean value, as seen from the parent (undiscounted into a chance node)."""
        return self.reward + self.edge_discount(discount) * self.value_sum / self.visits

    def edge_discount(self, discount: float) -> float:
        """The discount on the edge into this node: none into a chance node, whose outcomes carry it."""
        return 1.0 if self.chance_probs is not None else discount


@dataclass(frozen=True)
class ReferenceOutput:
    """The parts of a SearchOutput the oracle computes, plus its trees."""

    visit_counts: np.ndarray  # int32[B, A]
    root_values: np.ndarray  # float32[B, P]
    q_values: np.ndarray  # float32[B, A, P]: NaN where the root child was never visited
    policy: np.ndarray  # float32[B, A]
    action: np.ndarray  # int64[B]
    roots: tuple[Node, ...]


def reference_search(
    roots: RootBatch, recurrent_fn: RecurrentFn, params: SearchConfig, rng: np.random.Generator
) -> ReferenceOutput:
    """Search each root on its own, with the same root priors (and noise) as the batched search."""
    priors, gumbel = root_priors_and_gumbel(roots, params, rng)  # float64[B, A], float64[B, A]
    trees, policies, actions = [], [], []
    for b in range(roots.batch_size):
        root = Node(
            latent=roots.latents[b : b + 1],
            to_play=int(roots.to_play[b]),
            reward=np.zeros(roots.num_players),
            priors=priors[b],
            raw_value=np.asarray(roots.values[b], dtype=np.float64),
            visits=1,
            value_sum=np.asarray(roots.values[b], dtype=np.float64),
        )
        legal_mask = roots.legal_mask[b]
        search_one(root, legal_mask, with_chance_argument(recurrent_fn, roots), params, gumbel[b])
        trees.append(root)
        policy, action = decide(root, legal_mask, params, gumbel[b])
        policies.append(policy)
        actions.append(action)
    return summarize(trees, roots.num_actions, params.discount, np.array(policies), np.array(actions))


def with_chance_argument(recurrent_fn: RecurrentFn, roots: RootBatch) -> RecurrentFn:
    """`recurrent_fn` taking (latents, actions, from_chance): itself where the game has chance outcomes."""
    if roots.chance_outcomes:
        return recurrent_fn
    return lambda latents, actions, from_chance: recurrent_fn(latents, actions)


def search_one(
    root: Node, legal_mask: np.ndarray, recurrent_fn: RecurrentFn, params: SearchConfig, gumbel: np.ndarray
) -> None:
    """The paper's run_mcts for one root; `recurrent_fn` takes (latents, actions, from_chance)."""
    min_max = MinMaxStats()
    for simulation in range(params.num_simulations):
        node = root
        search_path = [root]
        action = select_action(node, legal_mask, min_max, params, gumbel, simulation, root.to_play)
        while action in node.children:
            node = node.children[action]
            search_path.append(node)
            action = select_action(node, None, min_max, params, gumbel, simulation, root.to_play)
        child = expanded(node, action, recurrent_fn)
        node.children[action] = child
        search_path.append(child)
        backpropagate(search_path, child.raw_value, min_max, params.discount)


def expanded(node: Node, action: int, recurrent_fn: RecurrentFn) -> Node:
    """The child of `node` by `action` (an outcome where `node` is a chance node), from the model."""
    output = recurrent_fn(node.latent, np.array([action], dtype=np.int64), np.array([node.chance_probs is not None]))
    probabilities = output.chance_probabilities
    is_chance = probabilities is not None and probabilities[0].sum() > 0
    return Node(
        latent=output.latents,
        to_play=node.to_play if is_chance else int(np.argmax(output.next_player_logits[0])),  # the mover's
        reward=np.asarray(output.rewards[0], dtype=np.float64),
        priors=softmax(output.policy_logits)[0],
        raw_value=np.asarray(output.values[0], dtype=np.float64),
        value_sum=np.zeros(len(node.reward)),
        chance_probs=np.asarray(probabilities[0], dtype=np.float64) if is_chance else None,
    )


def chance_outcome(node: Node) -> int:
    """The outcome of largest probability / (its visits + 1), ties to the lowest (as the batched search)."""
    scores = [
        (probability / (1 + (node.children[c].visits if c in node.children else 0)), -c)
        for c, probability in enumerate(node.chance_probs)
        if probability > 0
    ]
    return -max(scores)[1]


def select_action(
    node: Node,
    legal_mask: np.ndarray | None,
    min_max: MinMaxStats,
    params: SearchConfig,
    gumbel: np.ndarray,
    simulation: int,
    root_player: int,
) -> int:
    """The action to descend by from `node` (`legal_mask` is given at the root only), or the outcome at a
    chance node."""
    if node.chance_probs is not None:
        return chance_outcome(node)
    if params.algorithm == "gumbel" and legal_mask is not None:
        num_considered = min(params.max_considered_actions, int(legal_mask.sum()))
        target_visits = considered_visits(num_considered, params.num_simulations)[simulation]
        return halving_action(node, legal_mask, params, gumbel, target_visits)
    if params.algorithm == "gumbel":
        return gumbel_interior_action(node, params, node.to_play != root_player)
    return ucb_action(node, legal_mask, min_max, params)


def ucb_action(node: Node, legal_mask: np.ndarray | None, min_max: MinMaxStats, params: SearchConfig) -> int:
    """The action with the highest UCB score for the node's player; ties go to the lowest action."""
    best_action, best_score = -1, -math.inf
    for action in range(len(node.priors)):
        if legal_mask is not None and not legal_mask[action]:
            continue
        if legal_mask is None and node.priors[action] == 0:
            continue  # illegal inside the tree of a search over the game's rules
        score = ucb_score(node, action, min_max, params)
        if score > best_score:
            best_action, best_score = action, score
    return best_action


def ucb_score(parent: Node, action: int, min_max: MinMaxStats, params: SearchConfig) -> float:
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
        value_score = min_max.normalize(float(child.q(params.discount)[parent.to_play]))
    return value_score + prior_score


def backpropagate(search_path: list[Node], value: np.ndarray, min_max: MinMaxStats, discount: float) -> None:
    """The paper's backpropagate with a return vector: every player's component goes up unchanged."""
    returns = value.copy()  # float64[P]
    for node in reversed(search_path):
        node.value_sum = node.value_sum + returns
        node.visits += 1
        for q in node.q(discount):
            min_max.update(float(q))
        returns = node.reward + node.edge_discount(discount) * returns


def child_visits(node: Node) -> np.ndarray:
    """int64[A]: visits of each child (0 where not expanded)."""
    visits = np.zeros(len(node.priors), dtype=np.int64)
    for action, child in node.children.items():
        visits[action] = child.visits
    return visits


def sigma(node: Node, params: SearchConfig) -> np.ndarray:
    """float64[A]: sigma of the completed Q values of the node's player, as in the Gumbel MuZero paper."""
    player = node.to_play
    visits = child_visits(node)
    q = np.zeros(len(node.priors))
    for action, child in node.children.items():
        q[action] = child.q(params.discount)[player]
    visited = visits > 0
    value = node.raw_value[player]
    if visited.any():
        weights = np.maximum(node.priors, 1e-300) * visited
        value = (value + visits.sum() * float((weights * q).sum() / weights.sum())) / (visits.sum() + 1)
    completed = np.where(visited, q, value)
    rescaled = (completed - completed.min()) / max(completed.max() - completed.min(), 1e-8)
    return (params.maxvisit_init + visits.max()) * params.value_scale * rescaled


def log_priors(node: Node) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(node.priors)


def improved_policy(node: Node, params: SearchConfig) -> np.ndarray:
    """float64[A]: softmax(log prior + sigma(completed Q))."""
    logits = log_priors(node) + sigma(node, params)
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


def halving_action(
    root: Node, legal_mask: np.ndarray, params: SearchConfig, gumbel: np.ndarray, target_visits: int
) -> int:
    """Among legal actions with `target_visits` visits, the best gumbel + log prior + sigma."""
    visits = child_visits(root)
    scores = np.maximum(-1e9, gumbel + log_priors(root) + sigma(root, params))
    candidates = [a for a in range(len(visits)) if legal_mask[a] and visits[a] == target_visits]
    if not candidates:
        legal = np.flatnonzero(legal_mask)
        return int(legal[np.argmin(visits[legal])])
    return max(candidates, key=lambda a: (scores[a], -a))


def gumbel_interior_action(node: Node, params: SearchConfig, is_opponent: bool) -> int:
    """The action whose visit share lags most behind the improved policy; an opponent's policy is mixed
    with uniform random moves over the actions of prior >= LIKELY_LEGAL_PRIOR (or the largest prior)."""
    visits = child_visits(node)
    policy = improved_policy(node, params)
    if is_opponent and params.opponent_random_probability > 0:
        likely_legal = node.priors >= min(LIKELY_LEGAL_PRIOR, node.priors.max())
        uniform = likely_legal / likely_legal.sum()
        p = params.opponent_random_probability
        policy = (1 - p) * policy + p * uniform
    scores = np.where(node.priors > 0, policy - visits / (1 + visits.sum()), -np.inf)
    return int(np.argmax(scores))


def decide(root: Node, legal_mask: np.ndarray, params: SearchConfig, gumbel: np.ndarray) -> tuple[np.ndarray, int]:
    """(float64[A] policy target, chosen action) of a searched root."""
    visits = child_visits(root)
    if params.algorithm == "gumbel":
        return improved_policy(root, params), halving_action(root, legal_mask, params, gumbel, int(visits.max()))
    return visits / visits.sum(), int(np.argmax(visits))


def summarize(
    trees: list[Node], num_actions: int, discount: float, policies: np.ndarray, actions: np.ndarray
) -> ReferenceOutput:
    """Visit counts, root values and Q values of the root children of each tree."""
    num_players = len(trees[0].reward)
    visit_counts = np.zeros((len(trees), num_actions), dtype=np.int32)
    q_values = np.full((len(trees), num_actions, num_players), np.nan, dtype=np.float32)  # NaN: unvisited
    for b, root in enumerate(trees):
        for action, child in root.children.items():
            visit_counts[b, action] = child.visits
            q_values[b, action] = child.q(discount)
    root_values = np.stack([root.value_sum / root.visits for root in trees]).astype(np.float32)
    return ReferenceOutput(
        visit_counts, root_values, q_values, policies.astype(np.float32), actions.astype(np.int64), tuple(trees)
    )
