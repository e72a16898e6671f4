"""The learned chance codes against the game's real chance (a model with chance codes, in a game whose copies
wait for chance): at the afterstate of each move played, the model's predicted code distribution against the
real outcome distribution carried onto the codes by the model's own encoder.

The codes are learned, so a real outcome has no code of its own: the encoder names it, reading the position
before the move and the position chance's outcome leads to. The real distribution over the codes is then
q(c) = sum of p(outcome) over the outcomes the encoder reads as c, and the figure is the total variation
1/2 sum |sigma(c) - q(c)| between psi's prediction sigma and q (0: the same; 1: nothing in common), beside
that of a uniform prediction over the codes as a reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from muzero.core.types import Decision
from muzero.model.inference import Model

SAMPLES_PER_GAME = 50  # afterstates kept per game, from its first move (2048 draws 32 outcomes a move)


@dataclass(frozen=True)
class ChanceSample:
    """A move played into a chance node of the real game, and every outcome chance could draw there."""

    observation: np.ndarray  # float32[*obs]: what the mover saw
    to_play: int
    action: int
    probabilities: np.ndarray  # float64[n]: the real probability of each possible outcome
    next_observations: np.ndarray  # float32[n, *obs]: the observation each outcome leads to (0 where it ends)


def chance_sample(game: Any, decision: Decision, action: int) -> ChanceSample | None:
    """The chance node that `action` leads to from `game`'s position (its copy steps; the game is untouched),
    or None where the game cannot be copied or the move leaves nothing to chance."""
    clone = getattr(game, "clone", None)
    if clone is None:
        return None
    copy = clone()
    if not int(getattr(copy, "chance_outcomes", 0)):
        return None
    copy.step(action)
    probabilities = copy.chance_probabilities()
    if probabilities is None:
        return None
    outcomes = np.flatnonzero(probabilities > 0).tolist()
    following = []
    for outcome in outcomes:
        step = copy.clone().resolve_chance(outcome)
        following.append(np.zeros_like(decision.observation) if step.terminal else step.observation)
    return ChanceSample(
        decision.observation.astype(np.float32),
        int(decision.to_play),
        int(action),
        np.asarray(probabilities, np.float64)[outcomes],
        np.stack(following).astype(np.float32),
    )


def chance_figures(model: Model, samples: Sequence[ChanceSample]) -> dict[str, Any]:
    """Predicted against real code distributions over the samples' afterstates (module docstring)."""
    observations = np.stack([sample.observation for sample in samples])
    to_play = np.array([sample.to_play for sample in samples], np.int64)
    actions = np.array([sample.action for sample in samples], np.int64)
    latents = model.initial_inference(observations, to_play).latents
    predicted = model.recurrent_inference(latents, actions, np.zeros(len(samples), np.bool_)).chance_probabilities
    codes = predicted.shape[1]
    real = np.zeros_like(predicted, dtype=np.float64)  # [M, C]
    used: set[int] = set()
    for row, sample in enumerate(samples):
        before = np.repeat(sample.observation[None], len(sample.probabilities), axis=0)
        read = model.chance_code_probabilities(before, sample.next_observations).argmax(axis=1)
        np.add.at(real[row], read, sample.probabilities)
        used.update(read.tolist())
    distance = 0.5 * np.abs(predicted - real).sum(axis=1)  # [M]
    uniform = 0.5 * np.abs(1.0 / codes - real).sum(axis=1)  # [M]
    return {
        "afterstates": len(samples),
        "codes": int(codes),
        "codes_used": len(used),
        "total_variation_mean": float(distance.mean()),
        "total_variation_max": float(distance.max()),
        "uniform_total_variation_mean": float(uniform.mean()),
    }


def chance_line(figures: dict[str, Any]) -> str:
    """The figures in one line, for the summary."""
    return (
        f"chance: predicted vs real code distribution at {figures['afterstates']} afterstates, total variation "
        f"{figures['total_variation_mean']:.3f} mean ({figures['total_variation_max']:.3f} max; a uniform guess "
        f"{figures['uniform_total_variation_mean']:.3f}), {figures['codes_used']} of {figures['codes']} codes used"
    )
