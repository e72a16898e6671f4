"""A run's evaluation of its network at a checkpoint, as both trainers make it: the synchronous loop calls it at
each checkpoint, the Ray evaluator on the weights the coordinator hands it. The network plays without search
noise against every reference opponent of the game in every seat or, in a one-player game, fresh greedy
episodes; `record_evaluation` appends the result to `evaluations.jsonl` and writes its `eval/...` metrics."""

from __future__ import annotations

from functools import partial

from muzero.core.config import ExperimentConfig
from muzero.core.game_kit import GameKit
from muzero.evaluation.evaluate import evaluate_all_seats, play_episodes
from muzero.evaluation.evaluations import EvaluationLog, EvaluationResult, OpponentResult, evaluation_metrics
from muzero.evaluation.returns import ReturnStats
from muzero.networks import MuZeroNet
from muzero.play.player import PlaySettings, SearchPlayer
from muzero.training import components
from muzero.training.run_folder import MetricsLog


def evaluate_network(
    network: MuZeroNet, config: ExperimentConfig, game: GameKit, games_per_seat: int, training_step: int
) -> EvaluationResult:
    """`network` (with the weights of `training_step`, which also seeds the games) against each of
    `game.reference_opponents`, `games_per_seat` games in each seat, or `games_per_seat` greedy episodes of a
    one-player game cut at `selfplay.max_moves`; it plays through `selfplay.inference` as self-play does."""
    # built now, so an onnxruntime model is exported with the network's current weights
    model = components.build_inference_model(config.selfplay.inference, network)
    # the plain network, as self-play plays it: averaging over symmetries would take K times the network
    # work from the cores that the learner and self-play share with the evaluation
    settings = PlaySettings(seed=training_step, average_symmetries=False)
    player = SearchPlayer(model, config.search, game, settings)
    if game.spec.num_players == 1:  # a one-player game: the returns of greedy episodes
        returns = play_episodes(
            player, game.make_game, episodes=games_per_seat, seed=training_step, max_steps=config.selfplay.max_moves
        )
        return EvaluationResult(training_step, (), ReturnStats.of(returns))
    results = []
    for name in game.reference_opponents:
        seats = evaluate_all_seats(
            player,
            partial(game.make_opponent, name),
            game.make_game,
            games_per_seat=games_per_seat,
            seed=training_step,
            opening_plies=game.opening_plies,
        )
        wins, draws, losses = (sum(getattr(seat, key) for seat in seats) for key in ("wins", "draws", "losses"))
        results.append(OpponentResult(name, sum(seat.games for seat in seats), wins, draws, losses))
    return EvaluationResult(training_step, tuple(results))


def record_evaluation(evaluation: EvaluationResult, log: EvaluationLog, metrics: MetricsLog) -> None:
    """Appends `evaluation` to the run's history and writes its `eval/...` metrics line at its step."""
    log.append(evaluation)
    metrics.write(evaluation.training_step, evaluation_metrics(evaluation))
