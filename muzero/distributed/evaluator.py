"""Evaluation: the current network against the game's reference opponents or, in a one-player game, on fresh
greedy episodes, and the run's history of it (`evaluations.jsonl`, one line per opponent, or one line of
returns, per evaluation). Plain Python: the Ray actor is a thin shell."""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import partial
from pathlib import Path

from muzero import components
from muzero.config import ExperimentConfig
from muzero.distributed.messages import EvaluationResult, OpponentResult, WeightsSnapshot, load_numpy_weights
from muzero.evaluate import evaluate_all_seats, play_episodes
from muzero.game_kit import GameKit
from muzero.player import PlaySettings, SearchPlayer
from muzero.returns import ReturnStats

EVALUATIONS = "evaluations.jsonl"
_RESULT_FIELDS = ("opponent", "games", "wins", "draws", "losses")
_RETURN_FIELDS = ("episodes", "mean", "std", "minimum", "maximum")


class Evaluator:
    """Plays weights snapshots against reference opponents in every seat, without search noise."""

    def __init__(self, config: ExperimentConfig, game: GameKit, games_per_seat: int) -> None:
        self.config, self.game, self.games_per_seat = config, game, games_per_seat
        self.network = components.build_network(config.network, game.spec)

    def evaluate(self, snapshot: WeightsSnapshot) -> EvaluationResult:
        load_numpy_weights(self.network, snapshot.weights)
        # built now, so an onnxruntime model is exported with the fresh weights
        model = components.build_inference_model(self.config.selfplay.inference, self.network)
        # the plain network, as self-play plays it: averaging over symmetries would take K times the network
        # work from the cores that the learner and self-play share with the evaluator
        settings = PlaySettings(seed=snapshot.training_step, average_symmetries=False)
        player = SearchPlayer(model, self.config, self.game, settings)
        if self.game.spec.num_players == 1:  # a one-player game: the returns of greedy episodes
            returns = play_episodes(
                player,
                self.game.make_game,
                episodes=self.games_per_seat,
                seed=snapshot.training_step,
                max_steps=self.config.selfplay.max_moves,
            )
            return EvaluationResult(snapshot.training_step, (), ReturnStats.of(returns))
        results = []
        for name in self.game.reference_opponents:
            seats = evaluate_all_seats(
                player,
                partial(self.game.make_opponent, name),
                self.game.make_game,
                games_per_seat=self.games_per_seat,
                seed=snapshot.training_step,
                opening_plies=self.game.opening_plies,
            )
            wins, draws, losses = (sum(getattr(seat, key) for seat in seats) for key in ("wins", "draws", "losses"))
            results.append(OpponentResult(name, sum(seat.games for seat in seats), wins, draws, losses))
        return EvaluationResult(snapshot.training_step, tuple(results))


class EvaluationLog:
    """`run_dir/evaluations.jsonl`: appended to, never rewritten, so a resumed run continues its history."""

    def __init__(self, run_dir: str | Path) -> None:
        self.path = Path(run_dir) / EVALUATIONS

    def append(self, evaluation: EvaluationResult) -> None:
        with self.path.open("a") as file:
            if evaluation.returns is not None:
                file.write(json.dumps({"step": evaluation.training_step, **asdict(evaluation.returns)}) + "\n")
            for result in evaluation.results:
                file.write(json.dumps({"step": evaluation.training_step, **asdict(result), **result.rates()}) + "\n")

    def latest(self) -> EvaluationResult | None:
        history = self.history()
        return history[-1] if history else None

    def history(self) -> list[EvaluationResult]:
        """Every evaluation recorded, oldest first (a long run's file is small); unreadable lines are skipped."""
        evaluations: list[EvaluationResult] = []
        if not self.path.is_file():
            return evaluations
        with self.path.open() as file:
            for line in file:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:  # a line cut short by a crash while it was written
                    continue
                if "episodes" in record:  # greedy episodes of a one-player game
                    returns = ReturnStats(**{key: record[key] for key in _RETURN_FIELDS})
                    evaluations.append(EvaluationResult(record["step"], (), returns))
                    continue
                result = OpponentResult(*(record[key] for key in _RESULT_FIELDS))
                if evaluations and evaluations[-1].training_step == record["step"]:
                    evaluations[-1] = EvaluationResult(record["step"], (*evaluations[-1].results, result))
                else:
                    evaluations.append(EvaluationResult(record["step"], (result,)))
        return evaluations


def evaluation_return_metrics(evaluation: EvaluationResult) -> dict[str, float]:
    """The metrics (and TensorBoard scalars) of a one-player game's evaluation; none for board games."""
    returns = evaluation.returns
    if returns is None:
        return {}
    return {"eval/return_mean": returns.mean, "eval/return_std": returns.std, "eval/return_min": returns.minimum}
