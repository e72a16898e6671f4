"""Training targets of MuZero for N players, as pure functions on numpy arrays.

Indexing follows `Trajectory`: decision t = 0..T-1; `rewards[t]` is every player's reward between decision
t and decision t+1, `to_play[t]` the player who decided at t. Value and reward targets are absolute
per-player vectors (float32[..., P]); the next-player target is the real `to_play` of the following decision
(never the next seat: a game may give a player an extra turn).

Steps past the end of a game (t >= T) are absorbing: zero reward, zero value, a masked policy and a masked
next player. A game that did not end by its rules (`Trajectory.terminal` False: truncated by a time limit or
cut at the move limit) is not over for its value: the targets whose n steps reach past its last decision
bootstrap from the value of the position after it (`Trajectory.final_value`), as they would from a root
value inside the game.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from muzero.core.types import Trajectory


@dataclass(frozen=True)
class UnrollTargets:
    """Targets of K unroll steps from a start position; arrays carry a leading batch axis B when batched."""

    actions: np.ndarray  # int64[(B,) K]: the action into step k+1 (uniformly random past the end)
    target_values: np.ndarray  # float32[(B,) K+1, P]: z[start+k], 0 past the end
    value_mask: np.ndarray  # float32[(B,) K+1, P]: the game's value players within it, 1 past the end
    target_rewards: np.ndarray  # float32[(B,) K, P]: rewards[start+k], 0 past the end
    target_policies: np.ndarray  # float32[(B,) K+1, A]: policies[start+k], 0 past the end
    policy_mask: np.ndarray  # float32[(B,) K+1]: 1 where step k is a real decision (start+k < T)
    target_next_players: np.ndarray  # int64[(B,) K]: to_play[start+k+1], 0 where masked
    next_player_mask: np.ndarray  # float32[(B,) K]: 1 where step k+1 is a real decision (start+k+1 < T)


def value_targets(
    rewards: np.ndarray,  # float32[T, P]
    root_values: np.ndarray,  # float32[T, P]
    td_steps: int,
    discount: float,
    cuts: np.ndarray | None = None,  # bool[T, P]: where each player's return stops and bootstraps
    final_value: np.ndarray | None = None,  # float32[P]: the value after the last decision (a truncated game)
) -> np.ndarray:  # float32[T, P]
    """Per-player n-step returns `z[t] = sum_{j<h} discount^j rewards[t+j] + discount^h root_values[t+h]`,
    with h = n, or less where `cuts` stops a player's return sooner: at the first c >= t with cuts[c, p],
    h = c - t (so z[c] is the root value at c itself).

    Terms with an index past the end (>= T) are dropped: the game is absorbing after its last decision, unless
    `final_value` is given (a game truncated, not ended): a return whose horizon reaches T then bootstraps
    from it, `discount^(T-t) * final_value`.
    Runs in O(T * min(n, T)) vectorised over t and the players.
    """
    if td_steps < 1:
        raise ValueError(f"td_steps must be at least 1, got {td_steps}")
    if rewards.shape != root_values.shape or rewards.ndim != 2:
        raise ValueError(f"rewards {rewards.shape} and root_values {root_values.shape} must both be [T, P]")
    length = rewards.shape[0]
    steps = np.arange(length)[:, None]  # [T, 1]
    horizon = np.minimum(steps + td_steps, length) if cuts is None else _cut_horizon(cuts, td_steps)  # [T, P]
    horizon = np.broadcast_to(horizon, rewards.shape)
    returns = np.zeros(rewards.shape, dtype=np.float64)  # [T, P]
    for step in range(min(td_steps, length)):  # reward j steps ahead, for every t with t + j < horizon
        counted = steps[: length - step] + step < horizon[: length - step]  # [T - j, P]
        returns[: length - step] += np.where(counted, discount**step * rewards[step:].astype(np.float64), 0.0)
    bootstrapped = horizon < length  # [T, P]
    rows, players = np.nonzero(bootstrapped)
    returns[rows, players] += discount ** (horizon[rows, players] - rows) * root_values[horizon[rows, players], players]
    if final_value is not None:
        reaching_end = horizon == length  # [T, P]
        tail = discount ** (length - steps) * np.asarray(final_value, dtype=np.float64)[None, :]  # [T, P]
        returns += np.where(reaching_end, tail, 0.0)
    return returns.astype(np.float32)


def mixed_value_targets(returns: np.ndarray, root_values: np.ndarray, mix: float) -> np.ndarray:  # float32[T, P]
    """(1 - mix) * returns + mix * root_values: the n-step returns float32[T, P] mixed with the search's root
    values float32[T, P] of the same positions (mix 0.5: (z + q) / 2)."""
    return ((1.0 - mix) * returns + mix * root_values).astype(np.float32)


def _cut_horizon(cuts: np.ndarray, td_steps: int) -> np.ndarray:  # int64[T, P]
    """The index each return stops at: the first cut at or after t, t + n, or T (no bootstrap)."""
    length = cuts.shape[0]
    next_cut = np.full(cuts.shape, length, dtype=np.int64)  # [T, P]
    upcoming = np.full(cuts.shape[1], length, dtype=np.int64)  # [P]
    for t in range(length - 1, -1, -1):
        upcoming = np.where(cuts[t], t, upcoming)
        next_cut[t] = upcoming
    return np.minimum(next_cut, np.minimum(np.arange(length)[:, None] + td_steps, length))


def own_random_moves(trajectory: Trajectory) -> np.ndarray | None:  # bool[T, P]
    """Where each player's own move was drawn at random instead of the search's choice; None when none was."""
    if trajectory.random_moves is None or not trajectory.random_moves.any():
        return None
    players = np.arange(trajectory.rewards.shape[1])
    return trajectory.random_moves[:, None] & (trajectory.to_play[:, None] == players)


class PositionRows(NamedTuple):
    """Per-position arrays in which each game occupies consecutive rows (a ring, or one trajectory)."""

    actions: np.ndarray  # int[N]
    rewards: np.ndarray  # float32[N, P]
    policies: np.ndarray  # float32[N, A]
    value_targets: np.ndarray  # float32[N, P]
    to_play: np.ndarray  # int[N]
    value_players: np.ndarray | None = None  # bool[N, P]: whose value targets each row trains; None = all


def gather_unroll_targets(
    positions: PositionRows,
    start_rows: np.ndarray,  # int[B]: the row of each start position
    steps_left: np.ndarray,  # int[B]: decisions from the start row to the end of its game (T - start)
    unroll_steps: int,
    rng: np.random.Generator,
) -> UnrollTargets:
    """Batched unroll targets from the rows of `positions`.

    Row indices wrap modulo N, so the arrays may be a ring (the replay buffer) or one trajectory. Rows past
    the end of a game may hold anything: they are masked here by `steps_left`.
    """
    actions, rewards, policies, value_targets, to_play, value_players = positions
    num_rows, num_actions = policies.shape
    offsets = np.arange(unroll_steps + 1)  # [K+1]
    rows = (np.asarray(start_rows)[:, None] + offsets) % num_rows  # [B, K+1]
    in_game = offsets < np.asarray(steps_left)[:, None]  # [B, K+1]: step k is a real decision
    transition_rows, in_game_transition = rows[:, :unroll_steps], in_game[:, :unroll_steps]  # [B, K]
    next_in_game = in_game[:, 1:]  # [B, K]: step k+1 is a real decision
    random_actions = rng.integers(0, num_actions, size=transition_rows.shape)  # [B, K]
    value_mask = np.ones((*rows.shape, value_targets.shape[-1]), dtype=np.float32)  # [B, K+1, P]
    if value_players is not None:  # past the end the absorbing zero is every player's value
        value_mask = np.where(in_game[..., None], value_players[rows], 1).astype(np.float32)
    return UnrollTargets(
        actions=np.where(in_game_transition, actions[transition_rows], random_actions).astype(np.int64),
        target_values=np.where(in_game[..., None], value_targets[rows], 0).astype(np.float32),
        value_mask=value_mask,
        target_rewards=np.where(in_game_transition[..., None], rewards[transition_rows], 0).astype(np.float32),
        target_policies=np.where(in_game[..., None], policies[rows], 0).astype(np.float32),
        policy_mask=in_game.astype(np.float32),
        target_next_players=np.where(next_in_game, to_play[rows[:, 1:]], 0).astype(np.int64),
        next_player_mask=next_in_game.astype(np.float32),
    )


def unroll_targets(
    trajectory: Trajectory,
    value_targets: np.ndarray,  # float32[T, P]: value_targets(...) of this trajectory
    start: int,
    unroll_steps: int,
    rng: np.random.Generator,
) -> UnrollTargets:
    """The targets of position `start` of a trajectory, unrolled K = unroll_steps steps (no batch axis)."""
    if not 0 <= start < trajectory.length:
        raise ValueError(f"start {start} is outside the trajectory of {trajectory.length} decisions")
    positions = PositionRows(
        trajectory.actions,
        trajectory.rewards,
        trajectory.policies,
        value_targets,
        trajectory.to_play,
        value_player_rows(trajectory),
    )
    batched = gather_unroll_targets(
        positions, np.array([start]), np.array([trajectory.length - start]), unroll_steps, rng
    )
    return UnrollTargets(**{name: array[0] for name, array in vars(batched).items()})


def value_player_rows(trajectory: Trajectory) -> np.ndarray:  # bool[T, P]
    """The game's `value_players` on every decision (all players when it names none)."""
    players = trajectory.rewards.shape[1]
    value_players = np.ones(players, bool) if trajectory.value_players is None else trajectory.value_players
    return np.broadcast_to(np.asarray(value_players, dtype=bool), (trajectory.length, players))
