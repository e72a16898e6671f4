"""Batched MCTS for N-player games over a numpy model seam (numpy and numba only: no torch).

`search(roots, recurrent_fn, params, rng)` (params: a `muzero.core.config.SearchConfig`) searches B roots at
once (PUCT, or Gumbel MuZero's sequential halving: `SearchConfig.algorithm` is read here only);
`chosen_actions` picks the moves an agent plays from its output, `selfplay_actions` those self-play plays
(PUCT's visits at a temperature, Gumbel's own choice), `select_actions` samples visit counts;
`extract_tree` gives one root's tree as nested `SearchNode`s for display; a `Progress` hears of the root
statistics every so many simulations (live analysis).
`muzero.search.reference` holds a slow per-node version of the same algorithm, kept as a test oracle.
"""

from muzero.search.interface import Progress, RecurrentFn, RecurrentOutput, RootBatch, SearchOutput
from muzero.search.mcts import chosen_actions, extract_tree, search, selfplay_actions
from muzero.search.selection import root_priors, select_actions, softmax
from muzero.search.tree import SearchNode, Tree

__all__ = [
    "Progress",
    "RecurrentFn",
    "RecurrentOutput",
    "RootBatch",
    "SearchNode",
    "SearchOutput",
    "Tree",
    "chosen_actions",
    "extract_tree",
    "root_priors",
    "search",
    "select_actions",
    "selfplay_actions",
    "softmax",
]
