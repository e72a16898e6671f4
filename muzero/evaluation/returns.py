"""Episode returns of one-player games (Gymnasium envs): what a run's self-play scores, as a user watches it.

A board game's self-play scores are wins and losses against itself, which say nothing; a one-player game's
return is the figure its users follow. `ReturnWindow` keeps the returns of the episodes self-play finished and
gives the mean since the previous metrics line and over the most recent episodes (the live line, metrics.jsonl
and TensorBoard show both).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from muzero.core.types import Trajectory

RECENT_EPISODES = 100  # the window of the recent mean, as Gymnasium's own `RecordEpisodeStatistics` keeps


def episode_returns(trajectories: Sequence[Trajectory]) -> tuple[float, ...]:
    """The undiscounted returns of finished one-player episodes; none for games of several players."""
    return tuple(float(t.rewards[:, 0].sum()) for t in trajectories if t.rewards.shape[1] == 1)


class ReturnWindow:
    """Self-play episode returns: the mean since the last `metrics()` call and over the last RECENT_EPISODES."""

    def __init__(self, recent: int = RECENT_EPISODES) -> None:
        self.recent: deque[float] = deque(maxlen=recent)
        self.since_metrics: list[float] = []
        self.episodes = 0

    def add(self, returns: Iterable[float]) -> None:
        for value in returns:
            self.recent.append(value)
            self.since_metrics.append(value)
            self.episodes += 1

    def metrics(self) -> dict[str, float]:
        """`return/mean` (episodes since the previous call), `return/recent_mean` (the last ones), counts;
        empty before the first episode."""
        if not self.recent:
            return {}
        values = {"return/recent_mean": float(np.mean(self.recent)), "return/episodes": self.episodes}
        if self.since_metrics:
            values["return/mean"] = float(np.mean(self.since_metrics))
        self.since_metrics = []
        return values

    def summary(self) -> str | None:
        """The live line's item, e.g. "return 187.2 (last 100 episodes)"; None before the first episode."""
        if not self.recent:
            return None
        return f"return {np.mean(self.recent):,.1f} (last {len(self.recent)} episodes)"


@dataclass(frozen=True)
class ReturnStats:
    """Returns of greedy episodes: their mean, spread and a 95% interval of the mean."""

    episodes: int
    mean: float
    std: float  # sample standard deviation (0 for one episode)
    minimum: float
    maximum: float

    @classmethod
    def of(cls, returns: Sequence[float]) -> ReturnStats:
        values = np.asarray(returns, dtype=np.float64)
        std = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        return cls(len(values), float(values.mean()), std, float(values.min()), float(values.max()))

    @property
    def half_interval(self) -> float:
        """Half the width of the 95% interval of the mean (normal approximation: 1.96 standard errors)."""
        return 1.96 * self.std / math.sqrt(self.episodes)

    def summary(self) -> str:
        return f"return {self.mean:,.1f} ± {self.half_interval:,.1f} (95%, {self.episodes} episodes)"
