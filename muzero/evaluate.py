"""Matches between an agent and reference players, many games at once (one batched search per turn)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from muzero.config import GameConfig

PlayerFactory = Callable[[int], Any]  # seed -> a player with act(env) -> action


@dataclass(frozen=True)
class SeatResult:
    """An agent's games in one seat."""

    seat: int
    games: int
    wins: int  # the agent's return strictly above every other player's
    draws: int  # tied for the best return
    losses: int  # another player did better
    mean_return: float  # the agent's average total reward
    mean_best_other_return: float  # average of the best other player's total reward

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


def play_games(
    agent: Any, make_opponent: PlayerFactory, game: GameConfig, *, agent_seat: int, games: int, seed: int = 0
) -> np.ndarray:
    """Plays `games` games with the agent in `agent_seat` and opponents elsewhere; float32[games, P] returns."""
    import envs

    tables = [envs.make(game.name, **game.args) for _ in range(games)]
    timesteps = [table.reset(seed=seed + index) for index, table in enumerate(tables)]
    opponents = [make_opponent(seed + index) for index in range(games)]
    returns = np.zeros((games, tables[0].num_players), dtype=np.float32)
    active = list(range(games))
    while active:
        agent_turn = [i for i in active if timesteps[i].to_play == agent_seat]
        actions = {}
        if agent_turn:
            actions = dict(zip(agent_turn, agent.act_many([tables[i].env for i in agent_turn]), strict=True))
        for index in active:
            if index not in actions:
                actions[index] = opponents[index].act(tables[index].env)
            timesteps[index] = tables[index].step(actions[index])
            returns[index] += timesteps[index].rewards
        active = [i for i in active if not timesteps[i].terminal]
    return returns


def seat_result(returns: np.ndarray, seat: int) -> SeatResult:
    """Wins, draws and losses of the player in `seat` from float[games, P] returns."""
    mine = returns[:, seat]
    best_other = np.delete(returns, seat, axis=1).max(axis=1)
    return SeatResult(
        seat=seat,
        games=len(returns),
        wins=int((mine > best_other).sum()),
        draws=int((mine == best_other).sum()),
        losses=int((mine < best_other).sum()),
        mean_return=float(mine.mean()),
        mean_best_other_return=float(best_other.mean()),
    )


def evaluate_all_seats(
    agent: Any, make_opponent: PlayerFactory, game: GameConfig, *, games_per_seat: int, seed: int = 0
) -> list[SeatResult]:
    """The agent in each seat in turn against opponents in the others."""
    import envs

    num_players = envs.make(game.name, **game.args).num_players
    results = []
    for seat in range(num_players):
        returns = play_games(
            agent, make_opponent, game, agent_seat=seat, games=games_per_seat, seed=seed + 10_000 * seat
        )
        results.append(seat_result(returns, seat))
    return results
