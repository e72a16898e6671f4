"""Self-play: B games at once, one batched search per move, finished games returned as Trajectories."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from muzero.core.config import SearchConfig, SelfPlayConfig
from muzero.core.types import Game, TimeStep, Trajectory
from muzero.model.inference import Model, root_batch
from muzero.search import SearchOutput, search, selfplay_actions


def temperature_at(schedule: tuple[tuple[int, float], ...], training_step: int) -> float:
    """The temperature of the last (from_step, temperature) pair with from_step <= training_step."""
    current = schedule[0][1]
    for from_step, temperature in schedule:
        if training_step >= from_step:
            current = temperature
    return current


@dataclass
class _GameRecord:
    """A game in progress and what was recorded of it so far."""

    game: Game
    timestep: TimeStep
    observations: list[np.ndarray] = field(default_factory=list)
    to_play: list[int] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    rewards: list[np.ndarray] = field(default_factory=list)
    policies: list[np.ndarray] = field(default_factory=list)
    root_values: list[np.ndarray] = field(default_factory=list)
    legal_masks: list[np.ndarray] = field(default_factory=list)
    random_moves: list[bool] = field(default_factory=list)  # the move was random, not the search's choice
    random_seats: frozenset[int] = frozenset()  # seats whose every move is uniformly random in this game

    @property
    def ended_by_rules(self) -> bool:
        return self.timestep.terminal and not self.timestep.truncated

    def trajectory(self, final_value: np.ndarray | None = None) -> Trajectory:
        return Trajectory(
            observations=np.stack(self.observations).astype(np.float32),
            to_play=np.array(self.to_play, dtype=np.int64),
            actions=np.array(self.actions, dtype=np.int64),
            rewards=np.stack(self.rewards).astype(np.float32),
            policies=np.stack(self.policies).astype(np.float32),
            root_values=np.stack(self.root_values).astype(np.float32),
            legal_masks=np.stack(self.legal_masks),
            terminal=self.ended_by_rules,
            value_players=self._value_players(),
            random_moves=np.array(self.random_moves, dtype=bool),
            final_value=final_value,
        )

    def _value_players(self) -> np.ndarray | None:  # bool[P]: the searching seats, when some are random
        if not self.random_seats:
            return None
        players = len(self.rewards[0])
        return np.array([seat not in self.random_seats for seat in range(players)])


@dataclass(frozen=True)
class MoveStats:
    positions: int  # decisions taken in this call
    finished: list[Trajectory]  # games that ended in this call


class SelfPlay:
    """Keeps `parallel_games` games going; each `play_move` advances all of them by one decision."""

    def __init__(
        self,
        make_game: Callable[[], Game],
        model: Model,
        search_config: SearchConfig,
        config: SelfPlayConfig,
        rng: np.random.Generator,
    ) -> None:
        self.make_game, self.model, self.config, self.rng = make_game, model, config, rng
        self.params = search_config
        self.records = [self._new_record(make_game()) for _ in range(config.parallel_games)]

    def _new_record(self, game: Game) -> _GameRecord:
        timestep = game.reset(seed=int(self.rng.integers(2**31)))
        return _GameRecord(game=game, timestep=timestep, random_seats=self._draw_random_seats(game.num_players))

    def _draw_random_seats(self, players: int) -> frozenset[int]:
        """Each seat with `random_seat_probability`, one seat drawn to search if all of them were drawn."""
        if self.config.random_seat_probability <= 0:
            return frozenset()  # no draw at probability 0 keeps a run's random stream
        seats = set(np.flatnonzero(self.rng.random(players) < self.config.random_seat_probability).tolist())
        if len(seats) == players:
            seats.discard(int(self.rng.integers(players)))
        return frozenset(seats)

    def play_move(self, training_step: int) -> MoveStats:
        """One batched search and one decision in every game; finished games restart at once."""
        timesteps = [record.timestep for record in self.records]
        roots = root_batch(
            self.model,
            np.stack([t.observation for t in timesteps]),
            np.array([t.to_play for t in timesteps]),
            np.stack([t.legal_mask for t in timesteps]),
        )
        output = search(roots, self.model.recurrent_inference, self.params, self.rng)
        actions, random_moves = self._choose_actions(output, training_step)
        ended = []
        for index, record in enumerate(self.records):
            self._record_move(record, int(actions[index]), output.policy[index], output.root_values[index])
            record.random_moves.append(bool(random_moves[index]))
            if record.timestep.terminal or len(record.actions) >= self.config.max_moves:
                ended.append(record)
                self.records[index] = self._new_record(record.game)
        return MoveStats(positions=len(self.records), finished=self._trajectories(ended))

    def _trajectories(self, ended: list[_GameRecord]) -> list[Trajectory]:
        """The trajectories of games that ended; one batched search values the last positions of those cut
        short (a time limit or the move limit), which their value targets bootstrap from."""
        cut = [record for record in ended if not record.ended_by_rules]
        final_values = dict(zip(map(id, cut), self._search_values(cut), strict=True))
        return [record.trajectory(final_values.get(id(record))) for record in ended]

    def _search_values(self, records: list[_GameRecord]) -> list[np.ndarray]:  # float32[P] each
        if not records:
            return []
        timesteps = [record.timestep for record in records]
        # a truncated game shows no legal actions; its position is valued as if every action were
        legal = np.stack([t.legal_mask if t.legal_mask.any() else np.ones_like(t.legal_mask) for t in timesteps])
        roots = root_batch(
            self.model,
            np.stack([t.observation for t in timesteps]),
            np.array([t.to_play for t in timesteps]),
            legal,
        )
        output = search(roots, self.model.recurrent_inference, self.params, self.rng)
        return list(output.root_values.astype(np.float32))

    def _choose_actions(self, output: SearchOutput, training_step: int) -> tuple[np.ndarray, np.ndarray]:
        """(int64[B] actions, bool[B] where a random move replaced the search's choice by another).

        The search's moves (`selfplay_actions`): PUCT's visits sampled at the scheduled temperature, greedy
        after `temperature_moves`; Gumbel's own choice (its root noise explores). Then the random opening
        moves replace the first ones, each later move is replaced with probability `random_move_probability`,
        and every move of a random seat is replaced."""
        moves = np.array([len(record.actions) for record in self.records])  # int64[B]
        temperature = temperature_at(self.config.temperature_schedule, training_step)
        sampled = moves < self.config.temperature_moves  # bool[B]
        actions = selfplay_actions(output, self.params, temperature, sampled, self.rng)  # int64[B]
        opening = moves < self.config.random_opening_moves  # bool[B]
        explored = np.zeros_like(opening)  # bool[B]; no draw at probability 0 keeps a run's random stream
        if self.config.random_move_probability > 0:
            explored = self.rng.random(len(actions)) < self.config.random_move_probability
        random_seat = np.array([record.timestep.to_play in record.random_seats for record in self.records])
        searched = actions.copy()  # int64[B]
        for index in np.flatnonzero(opening | explored | random_seat):
            legal = np.flatnonzero(self.records[index].timestep.legal_mask)
            actions[index] = self.rng.choice(legal)
        return actions, actions != searched

    @staticmethod
    def _record_move(record: _GameRecord, action: int, policy: np.ndarray, root_value: np.ndarray) -> None:
        timestep = record.timestep
        record.observations.append(timestep.observation)
        record.to_play.append(timestep.to_play)
        record.legal_masks.append(timestep.legal_mask)
        record.actions.append(action)
        record.policies.append(policy)
        record.root_values.append(root_value)
        record.timestep = record.game.step(action)
        record.rewards.append(record.timestep.rewards)
