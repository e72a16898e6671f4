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
    # C: the chance outcomes a step of the dynamics may draw (a die's faces); 0: a deterministic game, whose
    # recurrent fn takes (latents, actions), while one with chance takes (latents, actions, from_chance)
    chance_outcomes: int = 0

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
    # bool[B]: the transition ended the game (known only to a search over the game's rules); None: no node ends
    # it. An ended node's value is 0 and its children are absorbing (no reward, value 0)
    terminal: np.ndarray | None = None
    # float32[B, C]: where a row is not all 0, the new node is a chance node (an afterstate: the move made,
    # chance yet to draw) and the row the probabilities of its C outcomes; None: no chance node
    chance_probabilities: np.ndarray | None = None


# (latents [B, *latent_shape], actions int64[B]) -> RecurrentOutput; with chance outcomes (RootBatch's
# chance_outcomes > 0) a third argument, bool[B] from_chance: where True, the latent is a chance node's and
# the "action" the outcome drawn
RecurrentFn = Callable[..., RecurrentOutput]


@dataclass(frozen=True)
class SearchOutput:
    """The result of searching B roots."""

    visit_counts: np.ndarray  # int32[B, A]: visits of the root's children
    root_values: np.ndarray  # float32[B, P]: the root's mean backed-up value vector
    # float32[B, A, P]: reward + discount * mean value of each root child, per player; NaN where the child
    # was never visited (no estimate, which 0 would pass off as a draw)
    q_values: np.ndarray
    priors: np.ndarray  # float32[B, A]: root priors after masking (and Dirichlet noise, puct)
    policy: np.ndarray  # float32[B, A]: the policy target: visit shares (puct) or the improved policy (gumbel)
    action: np.ndarray  # int64[B]: the search's choice: most visits (puct, ties lowest) or the halving's winner
    tree: Tree  # the batched tree arrays (the model's latents left out), for display


@dataclass(frozen=True)
class Progress:
    """Live analysis: `report(output, done)` with the root statistics so far, after every `every` simulations
    (not after the last: the search's own output is that)."""

    every: int
    report: Callable[[SearchOutput, int], None]
