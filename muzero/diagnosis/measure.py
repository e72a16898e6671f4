"""The learned model against the real game: every recorded position, the model unrolled along the actions really
played, and its errors k steps ahead. Any `muzero.model.inference.Model` will do (numpy in, numpy out).

At step k from position t: the reward of the transition into t+k against the real one, the value against the
real return from t+k (0 once the game is over), the next-player head against the real player to move at t+k,
and the policy head against the diagnosed agent's search policy at t+k (where it searched). Step 0 is the
initial inference at t itself (value and policy only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from muzero.diagnosis.records import GameRecord
from muzero.model.inference import Model, chance_codes_of
from muzero.search import RecurrentOutput


@dataclass(frozen=True)
class Positions:
    """Every recorded position of every game, one row each, the games one after another (N rows)."""

    observations: np.ndarray  # float32[N, *observation_shape]
    to_play: np.ndarray  # int64[N]
    legal_masks: np.ndarray  # bool[N, A]
    actions: np.ndarray  # int64[N]
    rewards: np.ndarray  # float32[N, P]: every player's reward between this decision and the next
    policies: np.ndarray  # float32[N, A]: the diagnosed agent's search policy; NaN where it did not search
    returns: np.ndarray  # float32[N, P]: every player's discounted return from this position on
    extra_turns: np.ndarray  # bool[N]: the same player moved just before
    game: np.ndarray  # int64[N]: the game of each position
    move: np.ndarray  # int64[N]: its decision number in its game
    remaining: np.ndarray  # int64[N]: decisions left in its game, this one included (the deepest unroll)

    @classmethod
    def of(cls, records: Sequence[GameRecord], discount: float) -> Positions:
        return cls(
            observations=np.concatenate([r.observations for r in records]),
            to_play=np.concatenate([r.to_play for r in records]),
            legal_masks=np.concatenate([r.legal_masks for r in records]),
            actions=np.concatenate([r.actions for r in records]),
            rewards=np.concatenate([r.rewards for r in records]),
            policies=np.concatenate([r.policies for r in records]),
            returns=np.concatenate([r.returns(discount)[:-1] for r in records]),
            extra_turns=np.concatenate([r.extra_turns for r in records]),
            game=np.concatenate([np.full(r.length, g, dtype=np.int64) for g, r in enumerate(records)]),
            move=np.concatenate([np.arange(r.length, dtype=np.int64) for r in records]),
            remaining=np.concatenate([np.arange(r.length, 0, -1, dtype=np.int64) for r in records]),
        )

    @property
    def count(self) -> int:
        return int(self.actions.shape[0])


@dataclass(frozen=True)
class Unrolled:
    """What the model said k steps after M positions, along the actions really played."""

    horizon: int  # k
    index: np.ndarray  # int64[M]: the positions whose games go on for at least k more decisions
    rewards: np.ndarray | None  # float32[M, P]: the reward of the step into k (None at k = 0)
    next_player_logits: np.ndarray | None  # float32[M, P]: who moves at k (None at k = 0)
    policy_logits: np.ndarray  # float32[M, A]
    values: np.ndarray  # float32[M, P]


def unroll(model: Model, positions: Positions, start: np.ndarray, steps: int) -> list[Unrolled]:
    """The initial inference at the positions `start` (int64[M]), then up to `steps` recurrent steps along the
    actions played, each batched over the positions whose game has not ended yet; one `Unrolled` per step."""
    index = np.asarray(start, dtype=np.int64)
    initial = model.initial_inference(positions.observations[index], positions.to_play[index])
    unrolled = [Unrolled(0, index, None, None, initial.policy_logits, initial.values)]
    latents = initial.latents
    for k in range(1, steps + 1):
        going_on = positions.remaining[index] >= k
        index, latents = index[going_on], latents[going_on]
        if index.size == 0:
            break
        output = model_step(model, latents, positions.actions[index + k - 1], around_step(positions, index + k - 1))
        unrolled.append(
            Unrolled(k, index, output.rewards, output.next_player_logits, output.policy_logits, output.values)
        )
        latents = output.latents
    return unrolled


def model_step(
    model: Model, latents: np.ndarray, actions: np.ndarray, around: tuple[np.ndarray, np.ndarray]
) -> RecurrentOutput:
    """One real step of the model by `actions`: g, or with chance codes the afterstate and then the code the
    encoder reads off the real observations `around` the step (before, after: 0 where the game ended)."""
    if not chance_codes_of(model):
        return model.recurrent_inference(latents, actions)
    rows = len(actions)
    afterstates = model.recurrent_inference(latents, actions, np.zeros(rows, np.bool_)).latents
    codes = model.chance_code_probabilities(*around).argmax(axis=1).astype(np.int64)
    return model.recurrent_inference(afterstates, codes, np.ones(rows, np.bool_))


def around_step(positions: Positions, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(observations at `rows`, the observations of the decisions after them, 0 where their game ended)."""
    going_on = positions.remaining[rows] > 1
    following = np.where(going_on, rows + 1, rows)
    after = np.where(
        going_on.reshape(-1, *([1] * (positions.observations.ndim - 1))), positions.observations[following], 0
    )
    return positions.observations[rows], after.astype(np.float32)


@dataclass(frozen=True)
class StepErrors:
    """The model's errors k steps after M positions (rows as in `Unrolled.index`)."""

    horizon: int
    index: np.ndarray  # int64[M]: the positions
    alive: np.ndarray  # bool[M]: t+k is a decision of the game (not its end)
    reward_error: np.ndarray | None  # float32[M, P]: |predicted - real| reward of the step into t+k
    value_error: np.ndarray  # float32[M, P]: |predicted value - real return from t+k| (0 past the end)
    next_player: np.ndarray  # int64[M]: the real player to move at t+k (-1 past the end)
    next_player_right: np.ndarray | None  # bool[M]: the next-player head's argmax is that player (alive rows)
    extra_turn: np.ndarray  # bool[M]: t+k is an extra turn (the player who moved at t+k-1 moves again)
    searched: np.ndarray  # bool[M]: the agent searched at t+k, so its policy is known
    policy_top1: np.ndarray  # bool[M]: the policy head's best legal move is the search's (searched rows)
    policy_kl: np.ndarray  # float64[M]: KL(search policy || the head's legal softmax) (NaN unless searched)


def step_errors(positions: Positions, step: Unrolled) -> StepErrors:
    """The errors of one unrolled step against what really happened."""
    k, index = step.horizon, step.index
    alive = positions.remaining[index] > k
    target = np.where(alive, index + k, index)  # the position t+k (any row past the end: masked below)
    real_values = np.where(alive[:, None], positions.returns[target], 0.0).astype(np.float32)
    next_player = np.where(alive, positions.to_play[target], -1)
    reward_error = next_right = None
    if k > 0:
        reward_error = np.abs(step.rewards - positions.rewards[index + k - 1])
        next_right = alive & (np.argmax(step.next_player_logits, axis=1) == next_player)
    searched = alive & ~np.isnan(positions.policies[target, 0])
    top1, kl = policy_agreement(positions.policies[target], step.policy_logits, positions.legal_masks[target])
    return StepErrors(
        horizon=k,
        index=index,
        alive=alive,
        reward_error=reward_error,
        value_error=np.abs(step.values - real_values),
        next_player=next_player,
        next_player_right=next_right,
        extra_turn=alive & positions.extra_turns[target] & (k > 0),
        searched=searched,
        policy_top1=top1 & searched,
        policy_kl=np.where(searched, kl, np.nan),
    )


def policy_agreement(
    search_policy: np.ndarray, logits: np.ndarray, legal_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(bool[M], float64[M]): whether the head's best legal move is the search's, and KL(search || the head's
    softmax over the legal moves). Rows without a search policy (NaN) give meaningless values."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        masked = np.where(legal_mask, np.asarray(logits, dtype=np.float64), -np.inf)  # float64[M, A]
        largest = masked.max(axis=1, keepdims=True)
        log_model = masked - largest - np.log(np.exp(masked - largest).sum(axis=1, keepdims=True))
        target = np.where(legal_mask, np.nan_to_num(search_policy.astype(np.float64)), 0.0)  # float64[M, A]
        terms = np.where(target > 0, target * (np.log(np.where(target > 0, target, 1.0)) - log_model), 0.0)
        top1 = np.argmax(masked, axis=1) == np.argmax(np.where(legal_mask, target, -1.0), axis=1)
    return top1, terms.sum(axis=1)


@dataclass(frozen=True)
class HorizonFigures:
    """Every figure of one horizon k; per-player figures are tuples indexed by player, None where no row counts."""

    horizon: int  # k: model steps from the real position (0: the initial inference at the position itself)
    positions: int  # positions whose game lasts at least k more decisions
    reward_error: float | None  # mean absolute reward error over positions and players (None at k = 0)
    reward_error_per_player: tuple[float, ...] | None  # of each player's own reward
    value_error: float  # mean absolute error of the value against the real return, over positions and players
    value_error_per_player: tuple[float, ...]  # of each player's own value
    next_player_accuracy: float | None  # the next-player head right about who moves at t+k (None at k = 0)
    next_player_positions: int  # rows where t+k is a decision (the game is not over)
    next_player_accuracy_per_player: tuple[float | None, ...]  # by the player really to move at t+k
    extra_turn_accuracy: float | None  # the same, at extra turns only (the same player moves again)
    extra_turn_positions: int
    policy_top1: float | None  # the policy head's best legal move is the search's
    policy_kl: float | None  # mean KL(search policy || the head's policy over the legal moves)
    policy_positions: int  # rows where the diagnosed agent searched at t+k
    policy_top1_per_player: tuple[float | None, ...]  # by the player to move at t+k
    policy_kl_per_player: tuple[float | None, ...]


def mean_or_none(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if values.size else None


def horizon_figures(errors: StepErrors, num_players: int) -> HorizonFigures:
    """The figures of one horizon from its rows' errors."""
    players = range(num_players)
    alive, searched, mover = errors.alive, errors.searched, errors.next_player
    right = errors.next_player_right
    reward = errors.reward_error
    return HorizonFigures(
        horizon=errors.horizon,
        positions=int(errors.index.size),
        reward_error=None if reward is None else float(reward.mean()),
        reward_error_per_player=None if reward is None else tuple(float(e) for e in reward.mean(axis=0)),
        value_error=float(errors.value_error.mean()),
        value_error_per_player=tuple(float(e) for e in errors.value_error.mean(axis=0)),
        next_player_accuracy=None if right is None else mean_or_none(right[alive]),
        next_player_positions=int(alive.sum()) if right is not None else 0,
        next_player_accuracy_per_player=tuple(
            None if right is None else mean_or_none(right[alive & (mover == p)]) for p in players
        ),
        extra_turn_accuracy=None if right is None else mean_or_none(right[errors.extra_turn]),
        extra_turn_positions=int(errors.extra_turn.sum()),
        policy_top1=mean_or_none(errors.policy_top1[searched]),
        policy_kl=mean_or_none(errors.policy_kl[searched]),
        policy_positions=int(searched.sum()),
        policy_top1_per_player=tuple(mean_or_none(errors.policy_top1[searched & (mover == p)]) for p in players),
        policy_kl_per_player=tuple(mean_or_none(errors.policy_kl[searched & (mover == p)]) for p in players),
    )
