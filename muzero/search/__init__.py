"""Batched MCTS for N-player games over a numpy model seam (numpy and numba only: no torch).

`search(roots, recurrent_fn, params, rng)` searches B roots at once; `select_actions` picks the moves to
play from the visit counts; `extract_tree` gives one root's tree as nested `SearchNode`s for display.
`muzero.search.reference` holds a slow per-node version of the same algorithm, kept as a test oracle.
"""

from muzero.search.interface import RecurrentFn, RecurrentOutput, RootBatch, SearchOutput, SearchParams
from muzero.search.mcts import extract_tree, search
from muzero.search.selection import root_priors, select_actions, softmax
from muzero.search.tree import SearchNode, Tree

__all__ = [
    "RecurrentFn",
    "RecurrentOutput",
    "RootBatch",
    "SearchNode",
    "SearchOutput",
    "SearchParams",
    "Tree",
    "extract_tree",
    "root_priors",
    "search",
    "select_actions",
    "softmax",
]
