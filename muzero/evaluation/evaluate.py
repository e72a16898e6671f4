"""Matches between agents and reference players, many games at once (one batched search per turn).

Results per seat with 95% Wilson intervals, and round robins whose pairwise scores `muzero.evaluation.elo` rates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from muzero.core.errors import UserError
from muzero.core.types import Game, TimeStep

PlayerFactory = Callable[[int], Any]  # seed -> a player with act(env) -> action
GameFactory = Callable[[], Game]  # a fresh PettingZoo game (muzero.core.game_kit.GameKit.make_game)


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
    distinct_games: int  # games whose moves differ from every other game's: how many games were really played

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class PlayedGames:
    """What a batch of games came to."""

    returns: np.ndarray  # float32[games, P]: each player's total reward in each game
    actions: tuple[tuple[int, ...], ...]  # each game's actions in the order played

    @property
    def distinct(self) -> int:
        """How many different games were played (a deterministic pair repeats one game)."""
        return len(set(self.actions))


def play_games(
    agent: Any, make_opponent: PlayerFactory, make_game: GameFactory, *, agent_seat: int, games: int, seed: int = 0
) -> np.ndarray:
    """Plays `games` games with the agent in `agent_seat` and opponents elsewhere; float32[games, P] returns."""
    return record_seats({agent_seat: agent}, make_opponent, make_game, games=games, seed=seed).returns


def play_seats(
    batched: Mapping[int, Any], make_others: PlayerFactory | None, make_game: GameFactory, *, games: int, seed: int = 0
) -> np.ndarray:
    """Plays `games` games at once (`record_seats`); float32[games, P] returns."""
    return record_seats(batched, make_others, make_game, games=games, seed=seed).returns


def record_seats(
    batched: Mapping[int, Any],
    make_others: PlayerFactory | None,
    make_game: GameFactory,
    *,
    games: int,
    seed: int = 0,
    opening_plies: int = 0,
) -> PlayedGames:
    """Plays `games` games at once; their returns and actions.

    `batched[seat]` (a player with `act_many(envs)`, e.g. an Agent) moves in that seat in every game, all its
    games in one call (one batched search); a player in several seats gets all of them in that call. Seats
    without a batched player are played by `make_others(seed + game_index)`, one player per game. The games
    are PettingZoo games (`make_game()`), whose AEC env (`.env`) the players act on. The first
    `opening_plies` moves of game i are uniformly random legal ones drawn from `seed + i`: an opening set,
    so that deterministic players do not repeat one game.
    """
    tables = [make_game() for _ in range(games)]
    timesteps = [table.reset(seed=seed + index) for index, table in enumerate(tables)]
    if make_others is None and set(batched) != set(range(tables[0].num_players)):
        raise ValueError(f"seats {sorted(batched)} are taken but the game has {tables[0].num_players} players")
    others = [make_others(seed + index) for index in range(games)] if make_others is not None else []
    seats_of = _seats_by_player(batched)
    returns = np.zeros((games, tables[0].num_players), dtype=np.float32)
    actions_played: list[list[int]] = [[] for _ in range(games)]
    for index, table in enumerate(tables):
        timesteps[index], returns[index], actions_played[index] = _opening(
            table, timesteps[index], opening_plies, seed + index
        )
    active = [index for index in range(games) if not timesteps[index].terminal]
    while active:
        actions: dict[int, int] = {}
        for player, seats in seats_of:
            turn = [i for i in active if timesteps[i].to_play in seats]
            if turn:
                actions.update(zip(turn, player.act_many([tables[i].env for i in turn]), strict=True))
        for index in active:
            if index not in actions:
                actions[index] = others[index].act(tables[index].env)
            timesteps[index] = tables[index].step(actions[index])
            returns[index] += timesteps[index].rewards
            actions_played[index].append(int(actions[index]))
        active = [i for i in active if not timesteps[i].terminal]
    return PlayedGames(returns, tuple(map(tuple, actions_played)))


def _opening(table: Game, timestep: TimeStep, plies: int, seed: int) -> tuple[TimeStep, np.ndarray, list[int]]:
    """Plays up to `plies` uniformly random legal moves drawn from `seed`; the timestep, rewards and moves."""
    rng = np.random.default_rng([seed, plies])
    rewards = np.zeros_like(timestep.rewards)
    actions: list[int] = []
    while len(actions) < plies and not timestep.terminal:
        actions.append(int(rng.choice(np.flatnonzero(timestep.legal_mask))))
        timestep = table.step(actions[-1])
        rewards += timestep.rewards
    return timestep, rewards, actions


def require_unfinished_openings(make_game: GameFactory, seeds: Sequence[int], plies: int) -> None:
    """Plays the random opening of `plies` moves of each game (seeds as `record_seats` draws them) and refuses,
    before any player moves, openings that end a game: the players would have nothing left to play."""
    if plies <= 0:
        return
    for seed in seeds:
        table = make_game()
        timestep, _, moves = _opening(table, table.reset(seed=seed), plies, seed)
        if timestep.terminal:
            raise UserError(
                f"an opening of {plies} random plies ended a game after {len(moves)} plies, before the players "
                "moved; choose fewer opening plies"
            )


def _seats_by_player(batched: Mapping[int, Any]) -> list[tuple[Any, set[int]]]:
    """Each distinct batched player with the seats it holds."""
    grouped: dict[int, tuple[Any, set[int]]] = {}
    for seat, player in batched.items():
        grouped.setdefault(id(player), (player, set()))[1].add(seat)
    return list(grouped.values())


def seat_result(played: PlayedGames, seat: int) -> SeatResult:
    """Wins, draws and losses of the player in `seat`."""
    returns = played.returns
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
        distinct_games=played.distinct,
    )


def evaluate_all_seats(
    agent: Any,
    make_opponent: PlayerFactory | Any,
    make_game: GameFactory,
    *,
    games_per_seat: int,
    seed: int = 0,
    opening_plies: int = 0,
) -> list[SeatResult]:
    """The agent in each seat in turn against opponents in all the others, each game from its own random
    opening of `opening_plies` moves (`record_seats`).

    `make_opponent` is a PlayerFactory (seed -> player, one per game) or a batched player with `act_many`
    (another Agent), which then holds every other seat and searches all its positions at once.
    """
    num_players = make_game().num_players
    seat_seeds = [seed + 10_000 * seat for seat in range(num_players)]
    require_unfinished_openings(make_game, [s + i for s in seat_seeds for i in range(games_per_seat)], opening_plies)
    results = []
    for seat, seat_seed in enumerate(seat_seeds):
        if hasattr(make_opponent, "act_many"):
            batched, others = {other: make_opponent for other in range(num_players)} | {seat: agent}, None
        else:
            batched, others = {seat: agent}, make_opponent
        played = record_seats(
            batched, others, make_game, games=games_per_seat, seed=seat_seed, opening_plies=opening_plies
        )
        results.append(seat_result(played, seat))
    return results


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (95% for z = 1.96); (0, 1) without trials."""
    if trials == 0:
        return 0.0, 1.0
    rate = successes / trials
    denominator = 1 + z * z / trials
    centre = (rate + z * z / (2 * trials)) / denominator
    half_width = z * math.sqrt(rate * (1 - rate) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half_width), min(1.0, centre + half_width)


def outcome_summary(wins: int, draws: int, losses: int) -> dict[str, Any]:
    """Counts, rates, and 95% Wilson intervals of the win rate and of the loss rate."""
    games = wins + draws + losses
    return {
        "games": games,
        "wins": wins,
        "draws": draws,
        "losses": losses,
        "win_rate": wins / games if games else 0.0,
        "win_interval": list(wilson_interval(wins, games)),
        "draw_rate": draws / games if games else 0.0,
        "loss_rate": losses / games if games else 0.0,
        "loss_interval": list(wilson_interval(losses, games)),
    }


def seat_summary(result: SeatResult) -> dict[str, Any]:
    """A seat's result with its rates and intervals, ready for JSON."""
    return {**result.as_dict(), **outcome_summary(result.wins, result.draws, result.losses)}


def total_summary(results: Sequence[SeatResult]) -> dict[str, Any]:
    """All seats together."""
    summary = outcome_summary(*(sum(getattr(r, name) for r in results) for name in ("wins", "draws", "losses")))
    return summary | {"distinct_games": sum(r.distinct_games for r in results)}


@dataclass(frozen=True)
class PairResult:
    """All games between two players of a round robin, counted for the first."""

    first: int  # index of the first player
    second: int  # index of the second player
    wins: int  # games the first player won against the second
    draws: int
    losses: int


def round_robin(
    agents: Sequence[Any], make_game: GameFactory, *, games_per_seat: int, seed: int = 0
) -> list[PairResult]:
    """Every pair: each of the two in every seat with the other in all the remaining seats.

    With two players one pass of `evaluate_all_seats` puts each in both seats; with more, a second pass puts
    the second player alone against copies of the first. A game counts as a win for whoever of the pair did
    better (the lone player's best-return rule of `seat_result`).
    """
    num_players = make_game().num_players
    pairs = []
    for first, second in itertools.combinations(range(len(agents)), 2):
        forward = evaluate_all_seats(agents[first], agents[second], make_game, games_per_seat=games_per_seat, seed=seed)
        wins, draws, losses = (sum(getattr(r, name) for r in forward) for name in ("wins", "draws", "losses"))
        if num_players > 2:
            backward = evaluate_all_seats(
                agents[second], agents[first], make_game, games_per_seat=games_per_seat, seed=seed
            )
            wins += sum(r.losses for r in backward)
            draws += sum(r.draws for r in backward)
            losses += sum(r.wins for r in backward)
        pairs.append(PairResult(first, second, wins, draws, losses))
    return pairs


def pair_matrices(pairs: Sequence[PairResult], count: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores float64[n, n], games float64[n, n]): points i scored against j (draws half), games played."""
    scores = np.zeros((count, count))
    games = np.zeros((count, count))
    for pair in pairs:
        total = pair.wins + pair.draws + pair.losses
        games[pair.first, pair.second] = games[pair.second, pair.first] = total
        scores[pair.first, pair.second] = pair.wins + pair.draws / 2
        scores[pair.second, pair.first] = pair.losses + pair.draws / 2
    return scores, games


class PlayerAsAgent:
    """A reference player in the agent's seat (act_many plays each env in turn), to compare baselines."""

    def __init__(self, player: Any) -> None:
        self.player = player

    def act_many(self, envs: list[Any]) -> list[int]:
        return [self.player.act(env) for env in envs]


def play_episodes(player: Any, make_game: GameFactory, episodes: int, seed: int, max_steps: int) -> list[float]:
    """The undiscounted returns of `episodes` fresh episodes of a one-player game (seeds seed, seed + 1, ...),
    played at once: `player.act_on(time steps, games)` chooses every live episode's action with one batched search.
    An episode ends when the game does (its time limit included) or after `max_steps` actions."""
    games = [make_game() for _ in range(episodes)]
    timesteps = [game.reset(seed=seed + index) for index, game in enumerate(games)]
    returns = np.zeros(episodes)
    live = [index for index, timestep in enumerate(timesteps) if not timestep.terminal]
    for _ in range(max_steps):
        if not live:
            break
        moves = player.act_on([timesteps[index] for index in live], [games[index] for index in live])
        for index, action in zip(live, moves, strict=True):
            timesteps[index] = games[index].step(action)
            returns[index] += float(timesteps[index].rewards[0])
        live = [index for index in live if not timesteps[index].terminal]
    return returns.tolist()
