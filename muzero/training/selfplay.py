"""Self-play: B games at once, one batched search per move, finished games returned as Trajectories."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from muzero.core.config import SearchConfig, SelfPlayConfig
from muzero.core.game_kit import GameSpec
from muzero.core.types import Decision, Game, TimeStep, Trajectory
from muzero.model.dynamics import RULES, decision_roots, dynamics_of
from muzero.model.inference import Model
from muzero.search import SearchOutput, search, selfplay_actions


def temperature_at(schedule: tuple[tuple[int, float], ...], training_step: int) -> float:
    """The temperature of the last (from_step, temperature) pair with from_step <= training_step."""
    current = schedule[0][1]
    for from_step, temperature in schedule:
        if training_step >= from_step:
            current = temperature
    return current


def everything_legal(decision: Decision) -> Decision:
    """The decision with every action legal."""
    return Decision(decision.observation, decision.to_play, np.ones_like(decision.legal_mask))


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
        # the fast searches of playout-cap randomisation: fewer simulations, no root noise
        self.fast_params = dataclasses.replace(search_config.at_play(), num_simulations=config.fast_simulations)
        self.dynamics = dynamics_of(model, search_config.dynamics, search_config.discount)
        self.records = [self._new_record(make_game()) for _ in range(config.parallel_games)]
        spec = GameSpec.of(self.records[0].game)
        self.num_actions, self.num_players = spec.num_actions, spec.num_players

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
        """One batched search and one decision in every game; finished games restart at once.

        With playout-cap randomisation (`full_search_probability` < 1) the games drawn for a fast search are
        searched in a second batch, with `fast_simulations` and no root noise; their moves train no policy
        (an all-zero policy target counts for nothing)."""
        full = self._full_searches()  # bool[B]
        policies = np.zeros((len(self.records), self.num_actions), np.float32)  # float32[B, A]
        root_values = np.zeros((len(self.records), self.num_players), np.float32)  # float32[B, P]
        searched = np.zeros(len(self.records), np.int64)  # int64[B]: the search's moves
        for rows, params in ((np.flatnonzero(full), self.params), (np.flatnonzero(~full), self.fast_params)):
            if rows.size == 0:
                continue
            output = self._search([self.records[row] for row in rows], params)
            searched[rows] = self._search_moves(output, params, rows, training_step)
            policies[rows] = output.policy if params is self.params else 0.0
            root_values[rows] = output.root_values
        actions, random_moves = self._explore(searched)
        ended = []  # the games that ended: valued (a cut one is searched at its last position), then restarted
        for index, record in enumerate(self.records):
            self._record_move(record, int(actions[index]), policies[index], root_values[index])
            record.random_moves.append(bool(random_moves[index]))
            if record.timestep.terminal or len(record.actions) >= self.config.max_moves:
                ended.append(index)
        finished = self._trajectories([self.records[index] for index in ended])
        for index in ended:
            self.records[index] = self._new_record(self.records[index].game)
        return MoveStats(positions=len(self.records), finished=finished)

    def _full_searches(self) -> np.ndarray:  # bool[B]: the games whose move gets the full search
        if self.config.full_search_probability >= 1:
            return np.ones(len(self.records), bool)  # no draw: keeps a run's random stream
        return self.rng.random(len(self.records)) < self.config.full_search_probability

    def _search(self, records: list[_GameRecord], params: SearchConfig, every_action: bool = False) -> SearchOutput:
        """One batched search at the current positions of `records` (their games are left untouched); with
        `every_action`, a position without legal actions (a game cut by a time limit) is searched as if every
        action were legal (the learned model only)."""
        decisions: list[Decision] = [record.timestep for record in records]
        if every_action:
            decisions = [d if d.legal_mask.any() else everything_legal(d) for d in decisions]
        roots = self.dynamics.roots(decisions, [record.game for record in records])
        return search(roots, self.dynamics.recurrent_inference, params, self.rng)

    def _trajectories(self, ended: list[_GameRecord]) -> list[Trajectory]:
        """The trajectories of games that ended; one batched search values the last positions of those cut
        short (a time limit or the move limit), which their value targets bootstrap from."""
        cut = [record for record in ended if not record.ended_by_rules]
        final_values = dict(zip(map(id, cut), self._search_values(cut), strict=True))
        return [record.trajectory(final_values.get(id(record))) for record in ended]

    def _search_values(self, records: list[_GameRecord]) -> list[np.ndarray]:  # float32[P] each
        """The search's root values of the positions of `records`; a game over by a time limit shows no legal
        actions: the learned model searches it as if every action were legal, the rules take the network's
        value (they have no move to step)."""
        searchable = [r for r in records if r.timestep.legal_mask.any() or self.params.dynamics != RULES]
        over = [r for r in records if not (r.timestep.legal_mask.any() or self.params.dynamics != RULES)]
        values: dict[int, np.ndarray] = {}
        if searchable:
            output = self._search(searchable, self.params, every_action=True)
            values.update(zip(map(id, searchable), output.root_values.astype(np.float32), strict=True))
        if over:
            network = decision_roots(self.model, [record.timestep for record in over])
            values.update(zip(map(id, over), network.values.astype(np.float32), strict=True))
        return [values[id(record)] for record in records]

    def _search_moves(
        self, output: SearchOutput, params: SearchConfig, rows: np.ndarray, training_step: int
    ) -> np.ndarray:
        """int64[R]: the moves the search makes in the games `rows` (`selfplay_actions`): PUCT's visits sampled
        at the scheduled temperature, greedy after `temperature_moves`; Gumbel's own choice (its root noise
        explores)."""
        moves = np.array([len(self.records[row].actions) for row in rows])  # int64[R]
        temperature = temperature_at(self.config.temperature_schedule, training_step)
        return selfplay_actions(output, params, temperature, moves < self.config.temperature_moves, self.rng)

    def _explore(self, searched: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(int64[B] actions, bool[B] where a random move replaced the search's choice by another): the random
        opening moves replace the first ones, each later move is replaced with probability
        `random_move_probability`, and every move of a random seat is replaced."""
        moves = np.array([len(record.actions) for record in self.records])  # int64[B]
        opening = moves < self.config.random_opening_moves  # bool[B]
        explored = np.zeros_like(opening)  # bool[B]; no draw at probability 0 keeps a run's random stream
        if self.config.random_move_probability > 0:
            explored = self.rng.random(len(searched)) < self.config.random_move_probability
        random_seat = np.array([record.timestep.to_play in record.random_seats for record in self.records])
        actions = searched.copy()  # int64[B]
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
