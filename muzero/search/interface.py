"""The seam between the search and a model: numpy arrays in, numpy arrays out, no network objects.

B roots are searched at once; A = number of actions; P = number of players.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from muzero.search.tree import Tree


@dataclass(frozen=True)
class RootBatch:
    """What the representation and prediction functions say about B real positions."""

    latents: np.ndarray  # [B, *latent_shape]: any dtype and shape (the model's own business)
    policy_logits: np.ndarray  # float32[B, A]
    values: np.ndarray  # float32[B, P]: absolute per-player values
    to_play: np.ndarray  # int64[B]: the player to move at the root (from the real game)
    legal_mask: np.ndarray  # bool[B, A]: the legal actions at the root (at least one per root)

    @property
    def batch_size(self) -> int:
        return int(self.policy_logits.shape[0])

    @property
    def num_actions(self) -> int:
        return int(self.policy_logits.shape[1])

    @property
    def num_players(self) -> int:
        return int(self.values.shape[1])


@dataclass(frozen=True)
class RecurrentOutput:
    """What the dynamics and prediction functions say after B (latent, action) pairs."""

    latents: np.ndarray  # [B, *latent_shape]
    rewards: np.ndarray  # float32[B, P]: reward of the transition, every player
    next_player_logits: np.ndarray  # float32[B, P]: who moves next (the node's to_play is the argmax)
    policy_logits: np.ndarray  # float32[B, A]
    values: np.ndarray  # float32[B, P]: absolute per-player values


# (latents [B, *latent_shape], actions int64[B]) -> RecurrentOutput
RecurrentFn = Callable[[np.ndarray, np.ndarray], RecurrentOutput]


@dataclass(frozen=True)
class SearchParams:
    """Hyper-parameters of one search; the defaults are the MuZero paper's."""

    num_simulations: int = 50  # model calls per root; a tree holds num_simulations + 1 nodes
    pb_c_base: float = 19652.0  # PUCT: exploration grows as log((N + pb_c_base + 1) / pb_c_base)
    pb_c_init: float = 1.25  # PUCT: exploration constant at small visit counts
    discount: float = 1.0  # per-step discount of rewards and values inside the tree
    dirichlet_alpha: float = 0.3  # concentration of the root noise
    exploration_fraction: float = 0.25  # weight of the root noise in the root priors (0 = no noise)
    unvisited_q: str = "zero"  # value score of an unvisited child: "zero" (paper) or "parent" (node's mean)
    algorithm: str = "puct"  # "puct" (MuZero) or "gumbel" (Gumbel MuZero: sequential halving at the root)
    max_considered_actions: int = 16  # gumbel: root actions sampled for sequential halving (paper: 16)
    gumbel_scale: float = 1.0  # gumbel: scale of the root Gumbel noise (0 = deterministic, for evaluation)
    value_scale: float = 0.1  # gumbel: c_scale of sigma(q) = (maxvisit_init + max N) * value_scale * q
    maxvisit_init: float = 50.0  # gumbel: c_visit of that sigma
    # gumbel: inside the tree, the other players than the root's mix their improved policy with uniform
    # random moves with this probability (a model of opponents who err); 0 = each maximises its own value
    opponent_random_probability: float = 0.0

    def __post_init__(self) -> None:
        if self.num_simulations < 0:
            raise ValueError(f"num_simulations must be >= 0, got {self.num_simulations}")
        if self.pb_c_base <= 0:
            raise ValueError(f"pb_c_base must be > 0, got {self.pb_c_base}")
        if not 0.0 <= self.discount <= 1.0:
            raise ValueError(f"discount must be in [0, 1], got {self.discount}")
        if self.dirichlet_alpha <= 0:
            raise ValueError(f"dirichlet_alpha must be > 0, got {self.dirichlet_alpha}")
        if self.unvisited_q not in ("zero", "parent"):
            raise ValueError(f'unvisited_q must be "zero" or "parent", got {self.unvisited_q!r}')
        if self.algorithm not in ("puct", "gumbel"):
            raise ValueError(f'algorithm must be "puct" or "gumbel", got {self.algorithm!r}')
        if self.max_considered_actions < 1:
            raise ValueError(f"max_considered_actions must be >= 1, got {self.max_considered_actions}")
        if self.gumbel_scale < 0 or self.value_scale <= 0 or self.maxvisit_init < 0:
            raise ValueError("gumbel_scale and maxvisit_init must be >= 0 and value_scale > 0")
        if not 0.0 <= self.opponent_random_probability <= 1.0:
            raise ValueError(f"opponent_random_probability must be in [0, 1], got {self.opponent_random_probability}")
        if self.opponent_random_probability > 0 and self.algorithm != "gumbel":
            raise ValueError('opponent_random_probability needs algorithm "gumbel"')
        if not 0.0 <= self.exploration_fraction <= 1.0:
            raise ValueError(f"exploration_fraction must be in [0, 1], got {self.exploration_fraction}")


@dataclass(frozen=True)
class SearchOutput:
    """The result of searching B roots."""

    visit_counts: np.ndarray  # int32[B, A]: visits of the root's children
    root_values: np.ndarray  # float32[B, P]: the root's mean backed-up value vector
    q_values: np.ndarray  # float32[B, A, P]: reward + discount * value of each root child (0 if unvisited)
    priors: np.ndarray  # float32[B, A]: root priors after masking (and Dirichlet noise, puct)
    policy: np.ndarray  # float32[B, A]: the policy target: visit shares (puct) or the improved policy (gumbel)
    action: np.ndarray  # int64[B]: the search's choice: most visits (puct, ties lowest) or the halving's winner
    tree: Tree  # the batched tree arrays, for display
