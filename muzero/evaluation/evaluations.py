"""A run's evaluations as records: the network's games against each reference opponent, or, in a one-player
game, the returns of greedy episodes; their history in `evaluations.jsonl` (one line per opponent, or one
line of returns, per evaluation) and their `eval/...` metrics. Plain data and JSON, no torch: both trainers,
the Ray evaluator and the progress display share them; `muzero.training.run_evaluation` plays them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from muzero.evaluation.returns import ReturnStats

EVALUATIONS = "evaluations.jsonl"
EVALUATION_GAMES_PER_SEAT = 10  # games per seat against each reference opponent (episodes of a one-player game)
_RESULT_FIELDS = ("opponent", "games", "wins", "draws", "losses")
_RETURN_FIELDS = ("episodes", "mean", "std", "minimum", "maximum")


@dataclass(frozen=True)
class OpponentResult:
    """The network's games against one reference opponent, summed over seats."""

    opponent: str  # an `envs.opponents.opponent` name
    games: int
    wins: int
    draws: int
    losses: int

    def rates(self) -> dict[str, float]:
        return {
            "win_rate": self.wins / self.games,
            "draw_rate": self.draws / self.games,
            "loss_rate": self.losses / self.games,
        }


@dataclass(frozen=True)
class EvaluationResult:
    """One evaluation of the weights of `training_step`: against the game's reference opponents, or (a
    one-player game) the returns of greedy episodes."""

    training_step: int
    results: tuple[OpponentResult, ...]
    returns: ReturnStats | None = None

    def summary(self) -> str:
        if self.returns is not None:
            return f"eval@{self.training_step} greedy {self.returns.summary()}"
        parts = [f"{r.opponent} {r.wins}/{r.draws}/{r.losses}" for r in self.results]
        return f"eval@{self.training_step} " + " ".join(parts) + " (w/d/l)"


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


def evaluation_metrics(evaluation: EvaluationResult) -> dict[str, float]:
    """The metrics (and TensorBoard scalars) of an evaluation: `eval/OPPONENT/win_rate` and the others per
    opponent, or a one-player game's `eval/return_*`."""
    rates = {
        f"eval/{result.opponent}/{name}": rate for result in evaluation.results for name, rate in result.rates().items()
    }
    return rates | evaluation_return_metrics(evaluation)


def evaluation_return_metrics(evaluation: EvaluationResult) -> dict[str, float]:
    """The metrics (and TensorBoard scalars) of a one-player game's evaluation; none for board games."""
    returns = evaluation.returns
    if returns is None:
        return {}
    return {"eval/return_mean": returns.mean, "eval/return_std": returns.std, "eval/return_min": returns.minimum}
