"""A whole model check, as muzero-diagnose and the arena's Model check view run it: play the games, diagnose the
agent's model over them, and say what it was run on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from muzero.core.errors import UserError
from muzero.diagnosis.diagnose import Diagnosis, diagnose
from muzero.diagnosis.records import GamesProgress, PlayerFactory, play_recorded_games
from muzero.play.player import SearchPlayer

SELF = "self"  # the agent in every seat


@dataclass(frozen=True)
class CheckSettings:
    """How many games, how far to unroll, from which seed, how many worst positions to keep."""

    games: int = 20  # games played
    horizon: int = 5  # model steps unrolled from each position
    seed: int = 0  # game i is reset with seed + i; the reference players likewise
    worst: int = 5  # positions where the model is most wrong to keep

    def __post_init__(self) -> None:
        if self.games < 1:
            raise UserError(f"games must be at least 1 (--games), got {self.games}")
        if self.horizon < 1:
            raise UserError(f"the horizon must be at least 1 step (--horizon), got {self.horizon}")
        if self.worst < 0:
            raise UserError(f"the worst positions to show must be 0 or more (--worst), got {self.worst}")


def check_model(
    agent: SearchPlayer,
    opponent: PlayerFactory | SearchPlayer | None,
    settings: CheckSettings,
    *,
    model: str,
    against: str = SELF,
    on_progress: GamesProgress | None = None,
) -> Diagnosis:
    """Plays `settings.games` games of `agent` against `opponent` (None: itself; see `play_recorded_games`) and
    diagnoses the model the agent plans with (`agent.model`) over them. `model` and `against` name the two
    sides in the report."""
    records = play_recorded_games(agent, opponent, games=settings.games, seed=settings.seed, on_progress=on_progress)
    return diagnose(
        agent.model,
        records,
        horizon=settings.horizon,
        discount=agent.params.discount,
        worst=settings.worst,
        about=about_run(agent, model, against, settings.seed),
    )


def about_run(agent: SearchPlayer, model: str, against: str, seed: int) -> dict[str, Any]:
    """What a diagnosis of `agent` ran on, for its report."""
    return {
        "model": model,
        "game": agent.game.config.name,
        "game_args": dict(agent.game.config.args),
        "players": agent.game.spec.num_players,
        "training_step": agent.training_step,
        "against": against,
        "simulations": agent.params.num_simulations,
        "temperature": agent.temperature,
        "average_symmetries": agent.averages_symmetries,
        "seed": seed,
    }
