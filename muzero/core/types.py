"""The data that flows between the parts: the Game protocol and the records it produces.

Players are indexed 0..P-1. Rewards and values are absolute per-player vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from muzero.core.errors import IllegalActionError


@dataclass(frozen=True)
class Decision:
    """What the player to move sees: the inputs of a search (and of any player's choice)."""

    observation: np.ndarray  # float32[*observation_shape], from the point of view of `to_play`
    to_play: int  # the player who decides (meaningless once a TimeStep is `terminal`)
    legal_mask: np.ndarray  # bool[num_actions]: the actions `to_play` may take (all False once terminal)


@dataclass(frozen=True)
class TimeStep(Decision):
    """What a game shows after a reset or a step: the decision now due, and what happened since the last one."""

    rewards: np.ndarray  # float32[num_players]: every player's reward since the previous decision
    terminal: bool  # the game is over
    # over, but not by its rules: a time limit cut it (Gymnasium's truncation). Its value does not end here, so
    # the value targets bootstrap from the value of this last observation (`Trajectory.final_value`)
    truncated: bool = False


@runtime_checkable
class Player(Protocol):
    """A reference player: picks a legal action for the agent to move in a PettingZoo AEC env, leaving the env
    untouched."""

    def act(self, env: Any) -> int: ...


@runtime_checkable
class Game(Protocol):
    """A turn-based game for `num_players` players with a discrete action space.

    A game may also declare `symmetries: tuple[muzero.core.symmetry.Symmetry, ...]` (the identity first); the
    replay buffer then samples positions under random ones (`replay.augment_symmetries`). A game that can be
    simulated offers `clone() -> Game`: a copy at the same position, stepped independently of it (every game of
    `envs` does: by its pure rules, or a deep copy of its env)."""

    @property
    def num_players(self) -> int: ...

    @property
    def num_actions(self) -> int: ...

    @property
    def observation_shape(self) -> tuple[int, ...]: ...

    def reset(self, seed: int | None = None) -> TimeStep: ...

    def step(self, action: int) -> TimeStep: ...


def legal_actions_text(legal_mask: np.ndarray) -> str:
    """The legal actions of a mask as a short human-readable list."""
    legal = np.flatnonzero(legal_mask).tolist()
    return str(legal) if legal else "none (the game is over)"


def require_legal(action: object, legal_mask: np.ndarray, game_name: str) -> int:
    """`action` as an int when it is legal under `legal_mask`; otherwise an IllegalActionError naming both."""
    in_range = isinstance(action, int | np.integer) and 0 <= action < legal_mask.size
    if not (in_range and legal_mask[action]):
        raise IllegalActionError(
            f"{game_name}: action {action} is not legal here; legal actions: {legal_actions_text(legal_mask)}"
        )
    return int(action)


@dataclass(frozen=True)
class Trajectory:
    """One finished self-play game: T decisions, everything indexed by decision t = 0..T-1."""

    observations: np.ndarray  # float32[T, *observation_shape]: what to_play[t] saw before acting
    to_play: np.ndarray  # int64[T]: the player who decided at t
    actions: np.ndarray  # int64[T]: the action taken at t
    rewards: np.ndarray  # float32[T, P]: every player's reward between decision t and decision t+1
    policies: np.ndarray  # float32[T, A]: the search's visit distribution at t (the policy target)
    root_values: np.ndarray  # float32[T, P]: the search's root value vector at t
    legal_masks: np.ndarray  # bool[T, A]: the legal actions at t
    terminal: bool  # True when the game ended by its rules (False: cut at the move limit or truncated)
    # bool[P]: the players whose value targets this game trains; None = all. A seat played at random has
    # returns that are not those of the agent's play, so self-play leaves it out (its rewards still count).
    value_players: np.ndarray | None = None
    # bool[T]: moves drawn at random (exploration, random openings, random seats) that differ from the search's
    # choice; None = none. A player's value target ends at its own next such move (replay.bootstrap_at_random_moves).
    random_moves: np.ndarray | None = None
    # float32[P]: the search's value of the position after the last decision, where the game did not end by
    # its rules (`terminal` False); the value targets bootstrap from it. None: that position is worth zero
    final_value: np.ndarray | None = None

    @property
    def length(self) -> int:
        return int(self.actions.shape[0])


@dataclass(frozen=True)
class Batch:
    """A training batch of B positions, each unrolled K steps (step 0 is the position itself)."""

    observations: np.ndarray  # float32[B, *observation_shape]
    to_play: np.ndarray  # int64[B]: the player to move at step 0
    actions: np.ndarray  # int64[B, K]: the action taken at unroll step k (k = 0..K-1) into step k+1
    target_values: np.ndarray  # float32[B, K+1, P]: n-step per-player value targets (0 past the end)
    value_mask: np.ndarray  # float32[B, K+1, P]: 1 where a value target is trained (always past the end)
    target_rewards: np.ndarray  # float32[B, K, P]: reward of the transition into step k+1 (0 past the end)
    target_policies: np.ndarray  # float32[B, K+1, A]: visit distributions (0 past the end)
    policy_mask: np.ndarray  # float32[B, K+1]: 1 where step k is a real decision of the game
    target_next_players: np.ndarray  # int64[B, K]: who decides at step k+1 (0 where masked)
    next_player_mask: np.ndarray  # float32[B, K]: 1 where step k+1 is a real decision of the game
    weights: np.ndarray  # float32[B]: importance-sampling weights, max 1
    indices: np.ndarray  # int64[B]: buffer slots of the positions, to update their priorities
    # float32[B, K, *observation_shape]: the observation after unroll step k (0 past the game's last decision),
    # which the chance encoder of a network with chance codes reads; None: not gathered
    next_observations: np.ndarray | None = None


from typing import TYPE_CHECKING  # noqa: E402 (kept beside the one record that needs it)

if TYPE_CHECKING:
    from muzero.search import SearchNode


@dataclass(frozen=True)
class SearchResult:
    """What an agent's search found at one position: the statistics of the root and the tree, for display."""

    action: int  # the move the agent chose (the search's choice at temperature 0, else sampled from `policy`)
    to_play: int  # the player to move at the root
    legal_mask: np.ndarray  # bool[A]: the legal actions at the root
    visit_counts: np.ndarray  # int32[A]: visits of each root child
    priors: np.ndarray  # float32[A]: the root's priors (legal softmax of the policy, no noise)
    policy: np.ndarray  # float32[A]: the search's policy: visit shares (puct) or improved policy (gumbel)
    # float32[A, P]: per-player Q (reward + discount * value) of each root child; NaN where the search never
    # visited the child (no estimate: 0 would read as a draw)
    q_values: np.ndarray
    root_value: np.ndarray  # float32[P]: the root's mean backed-up value vector
    network_value: np.ndarray  # float32[P]: the network's own value of the root, before any search
    tree: SearchNode  # the root of the searched tree (muzero.search.SearchNode), visited nodes only
