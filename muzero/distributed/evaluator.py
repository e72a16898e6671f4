"""The Ray evaluator's plain class: plays the weights snapshots the coordinator hands it as
`muzero.training.run_evaluation.evaluate_network` plays a checkpoint (the synchronous loop calls the same function).
The records and their history (`EvaluationLog`, `evaluations.jsonl`) live in `muzero.evaluation.evaluations`."""

from __future__ import annotations

from muzero.core.config import ExperimentConfig
from muzero.core.game_kit import GameKit
from muzero.distributed.messages import WeightsSnapshot, load_numpy_weights
from muzero.evaluation.evaluations import EvaluationResult
from muzero.training import components
from muzero.training.run_evaluation import evaluate_network


class Evaluator:
    """Plays weights snapshots against reference opponents in every seat, without search noise."""

    def __init__(self, config: ExperimentConfig, game: GameKit, games_per_seat: int) -> None:
        self.config, self.game, self.games_per_seat = config, game, games_per_seat
        self.network = components.build_network(config.network, game.spec)

    def evaluate(self, snapshot: WeightsSnapshot) -> EvaluationResult:
        load_numpy_weights(self.network, snapshot.weights)
        return evaluate_network(self.network, self.config, self.game, self.games_per_seat, snapshot.training_step)
