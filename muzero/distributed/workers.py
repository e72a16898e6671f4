"""A self-play worker: a `SelfPlay` of B games with the batched search, fed weights from the shared storage
and feeding finished games to the replay buffer. Plain Python: the Ray actor is a thin shell around it."""

from __future__ import annotations

import time
from typing import Protocol

import numpy as np

from muzero.core.config import ExperimentConfig
from muzero.core.game_kit import GameKit
from muzero.core.types import Trajectory
from muzero.distributed.messages import SelfPlayReport, WeightsSnapshot, load_numpy_weights
from muzero.evaluation.returns import episode_returns
from muzero.training import components
from muzero.training.selfplay import SelfPlay

WEIGHTS_POLL_SECONDS = 0.1  # how often a worker without weights asks the storage again


class WeightsSource(Protocol):
    def weights_newer_than(self, training_step: int) -> WeightsSnapshot | None: ...


class TrajectorySink(Protocol):
    def add_many(self, trajectories: list[Trajectory]) -> None: ...

    def flush(self) -> None: ...  # returns once every game pushed so far is stored


class SelfPlayWorker:
    """Plays `selfplay.parallel_games` games at once; pulls weights every `pull_games` finished games."""

    def __init__(
        self,
        config: ExperimentConfig,
        game: GameKit,
        worker_id: int,
        seed: int,
        weights: WeightsSource,
        replay: TrajectorySink,
        *,
        pull_games: int = 0,
    ) -> None:
        self.worker_id, self.weights, self.replay = worker_id, weights, replay
        self.pull_games = pull_games or config.selfplay.parallel_games
        self.network = components.build_network(config.network, game.spec)
        self.weights_step = -1  # no weights yet
        self.games_since_pull = 0
        rng = np.random.default_rng(seed)
        self.model = components.build_inference_model(config.selfplay.inference, self.network)
        self.selfplay = SelfPlay(game.make_game, self.model, config.search, config.selfplay, rng)

    def pull_weights(self) -> bool:
        """Loads newer weights from the storage; False when there were none."""
        snapshot = self.weights.weights_newer_than(self.weights_step)
        if snapshot is None:
            return False
        load_numpy_weights(self.network, snapshot.weights)
        self.model.refresh()
        self.weights_step = snapshot.training_step
        return True

    def play(self, seconds: float) -> SelfPlayReport:
        """Plays moves for about `seconds` (at least one move once it has weights), pushing finished games;
        they are all stored when it returns."""
        deadline = time.monotonic() + seconds
        games = positions = 0
        returns: list[float] = []
        while self.weights_step < 0 and not self.pull_weights():
            if time.monotonic() >= deadline:
                return SelfPlayReport(self.worker_id, 0, 0, self.weights_step)
            time.sleep(WEIGHTS_POLL_SECONDS)
        while True:
            stats = self.selfplay.play_move(self.weights_step)
            if stats.finished:
                self.replay.add_many(stats.finished)
            games, positions = games + len(stats.finished), positions + stats.positions
            returns.extend(episode_returns(stats.finished))
            self.games_since_pull += len(stats.finished)
            if self.games_since_pull >= self.pull_games:
                self.games_since_pull = 0
                self.pull_weights()
            if time.monotonic() >= deadline:
                self.replay.flush()  # the games reported are in the buffer
                return SelfPlayReport(self.worker_id, games, positions, self.weights_step, tuple(returns))
