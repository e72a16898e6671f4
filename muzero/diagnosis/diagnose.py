"""A diagnosis of a learned model over recorded games: the figures of every horizon, the positions where the model
is most wrong, and one game's imagined against real values and rewards."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from muzero.core.errors import UserError
from muzero.diagnosis.chance import chance_figures
from muzero.diagnosis.measure import (
    HorizonFigures,
    Positions,
    StepErrors,
    Unrolled,
    horizon_figures,
    step_errors,
    unroll,
)
from muzero.diagnosis.records import GameRecord
from muzero.model.inference import Model

REPORT_FORMAT = "muzero-diagnosis"
REPORT_VERSION = 1


@dataclass(frozen=True)
class WorstPosition:
    """A position where the model is most wrong at the deepest step its unroll reaches."""

    game: int  # the game, counted from 0
    move: int  # the decision number in that game, from 0
    horizon: int  # k: steps unrolled from it (the deepest up to the diagnosis's horizon)
    to_play: int  # the player to move at the position
    actions: tuple[int, ...]  # the k actions really played from it, along which the model was unrolled
    error: float  # the largest absolute value or reward error of any player at that step
    predicted_value: tuple[float, ...]  # the model's value of every player k steps on
    real_return: tuple[float, ...]  # every player's real return from there (0 once the game is over)
    predicted_reward: tuple[float, ...] | None  # the model's reward of the step into k (None at k = 0)
    real_reward: tuple[float, ...] | None
    predicted_next_player: int | None  # the argmax of the next-player head at k (None at k = 0)
    real_next_player: int | None  # who really moves at k (None at k = 0 or once the game is over)
    board: str  # the position, as text


@dataclass(frozen=True)
class Trace:
    """One game (T decisions) imagined from its first position along its moves, against what really happened."""

    game: int
    to_play: tuple[int, ...]  # who moved at each decision
    real_returns: tuple[tuple[float, ...], ...]  # [T + 1][P]: each player's real return from decision t
    imagined_values: tuple[tuple[float, ...], ...]  # [T + 1][P]: the model's values t steps into the unroll
    network_values: tuple[tuple[float, ...], ...]  # [T][P]: the initial inference's values at each real position
    real_rewards: tuple[tuple[float, ...], ...]  # [T][P]: each player's reward after decision t
    imagined_rewards: tuple[tuple[float, ...], ...]  # [T][P]: the model's rewards of step t + 1 of the unroll


@dataclass(frozen=True)
class Diagnosis:
    """What a diagnosis found: its figures, worst positions and trace, and what it was run on."""

    about: dict[str, Any]  # the model, game, opponent, games, horizon and settings the diagnosis ran with
    games: dict[str, int]  # counts of the recorded games: games, distinct, positions, searched, extra turns
    horizons: tuple[HorizonFigures, ...]  # k = 0..H
    worst: tuple[WorstPosition, ...]
    trace: Trace
    chance: dict[str, Any] | None = None  # predicted against real chance (`muzero.diagnosis.chance`); None: none

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (what report.json holds)."""
        return {
            "format": REPORT_FORMAT,
            "version": REPORT_VERSION,
            "about": self.about,
            "games": self.games,
            "horizons": [dataclasses.asdict(figures) for figures in self.horizons],
            "worst": [dataclasses.asdict(position) for position in self.worst],
            "trace": dataclasses.asdict(self.trace),
            "chance": self.chance,
        }


def diagnose(
    model: Model,
    records: Sequence[GameRecord],
    *,
    horizon: int,
    discount: float = 1.0,
    worst: int = 5,
    about: dict[str, Any] | None = None,
) -> Diagnosis:
    """The model unrolled up to `horizon` steps from every recorded position and compared with the real games."""
    if horizon < 1:
        raise UserError(f"the horizon must be at least 1, got {horizon}")
    if not records:
        raise UserError("no games to diagnose: play at least one")
    positions = Positions.of(records, discount)
    num_players = positions.rewards.shape[1]
    unrolled = unroll(model, positions, np.arange(positions.count), horizon)
    errors = [step_errors(positions, step) for step in unrolled]
    return Diagnosis(
        about=dict(about or {}) | {"horizon": horizon, "discount": discount},
        games=games_summary(records),
        horizons=tuple(horizon_figures(step, num_players) for step in errors),
        worst=worst_positions(positions, unrolled, errors, records, count=worst),
        trace=game_trace(model, positions, unrolled[0], records, game=0, discount=discount),
        chance=chance_of(model, records),
    )


def chance_of(model: Model, records: Sequence[GameRecord]) -> dict[str, Any] | None:
    """The chance figures over the records' real chance nodes, None where they hold none."""
    samples = [sample for record in records for sample in record.chance_samples]
    return chance_figures(model, samples) if samples else None


def games_summary(records: Sequence[GameRecord]) -> dict[str, int]:
    distinct = {tuple(record.actions.tolist()) for record in records}
    return {
        "games": len(records),
        "distinct_games": len(distinct),
        "positions": sum(record.length for record in records),
        "searched_positions": int(sum(record.searched.sum() for record in records)),
        "extra_turns": int(sum(record.extra_turns.sum() for record in records)),
    }


def worst_positions(
    positions: Positions,
    unrolled: Sequence[Unrolled],
    errors: Sequence[StepErrors],
    records: Sequence[GameRecord],
    count: int,
) -> tuple[WorstPosition, ...]:
    """The `count` positions with the largest value or reward error at the deepest step each one reaches."""
    horizon = unrolled[-1].horizon
    candidates = []  # (error, step, row)
    for step, step_error in enumerate(errors):
        deepest = np.minimum(positions.remaining[step_error.index], horizon) == step_error.horizon
        largest = step_error.value_error.max(axis=1)
        if step_error.reward_error is not None:
            largest = np.maximum(largest, step_error.reward_error.max(axis=1))
        candidates += [(float(largest[row]), step, int(row)) for row in np.flatnonzero(deepest)]
    candidates.sort(key=lambda candidate: -candidate[0])
    return tuple(
        worst_position(positions, unrolled[step], errors[step], row, records) for _, step, row in candidates[:count]
    )


def worst_position(
    positions: Positions, step: Unrolled, errors: StepErrors, row: int, records: Sequence[GameRecord]
) -> WorstPosition:
    index, k = int(step.index[row]), step.horizon
    game, move = int(positions.game[index]), int(positions.move[index])
    predicted_value = step.values[row]
    real_return = positions.returns[index + k] if errors.alive[row] else np.zeros_like(predicted_value)
    largest = float(errors.value_error[row].max())
    if errors.reward_error is not None:
        largest = max(largest, float(errors.reward_error[row].max()))
    return WorstPosition(
        game=game,
        move=move,
        horizon=k,
        to_play=int(positions.to_play[index]),
        actions=tuple(int(a) for a in positions.actions[index : index + k]),
        error=largest,
        predicted_value=floats(predicted_value),
        real_return=floats(real_return),
        predicted_reward=None if step.rewards is None else floats(step.rewards[row]),
        real_reward=None if k == 0 else floats(positions.rewards[index + k - 1]),
        predicted_next_player=None if k == 0 else int(np.argmax(step.next_player_logits[row])),
        real_next_player=int(errors.next_player[row]) if k > 0 and errors.alive[row] else None,
        board=records[game].boards[move],
    )


def game_trace(
    model: Model, positions: Positions, initial: Unrolled, records: Sequence[GameRecord], game: int, discount: float
) -> Trace:
    """Game `game` imagined by the model from its first position along all its moves, against the real game."""
    record = records[game]
    first = int(np.flatnonzero(positions.game == game)[0])
    imagined = unroll(model, positions, np.array([first]), record.length)
    return Trace(
        game=game,
        to_play=tuple(int(p) for p in record.to_play),
        real_returns=rows(record.returns(discount)),
        imagined_values=rows(np.stack([step.values[0] for step in imagined])),
        network_values=rows(initial.values[first : first + record.length]),
        real_rewards=rows(record.rewards),
        imagined_rewards=rows(np.stack([step.rewards[0] for step in imagined[1:]])),
    )


def floats(values: np.ndarray) -> tuple[float, ...]:
    return tuple(float(value) for value in values)


def rows(values: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(floats(row) for row in values)
