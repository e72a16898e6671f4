"""A bounded, prioritised replay buffer of finished self-play games, numpy only (it may live in a Ray actor).

Layout. Positions live in a ring of `capacity` preallocated slots: the s-th position ever added (its
*serial* s) occupies slot `s % capacity`, and the positions of one game occupy consecutive slots (wrapping),
so the live positions are exactly the serials `total_positions_added - num_positions .. total_positions_added
- 1`. Games are evicted oldest first, whole, when a new game would not fit. Game records (length and
observations) live in a ring of `capacity` records likewise (the g-th game in record `g % capacity`; a game
holds at least one position, so records never collide). Nothing grows past the capacity.

Indices. `Batch.indices` holds position serials, i.e. `generation * capacity + slot` with generation =
serial // capacity. `update_priorities` ignores a serial that is no longer live (its game was evicted and its
slot possibly reused by a newer game), so late priority updates never land on the wrong position.

Memory per position. Fixed per slot: to_play and action (int32, 4 + 4 bytes), reward and value-target vectors
(4P + 4P bytes), which players' value targets it trains (P bytes), the policy (4A bytes), game serial and step
(8 + 4), the priority (8) and its sum-tree share (8 to 16 bytes). Observations are kept per game in the
smallest dtype that holds them exactly, checked at add time: bool (1 byte per element) when every value is 0
or 1, uint8 (1 byte) for integers in 0..255, else float32 (4 bytes); batches return float32. E.g. tic-tac-toe
planes (2, 3, 3) take 18 bytes instead of 72, connect-four planes (2, 6, 7) 84 bytes instead of 336.
`benchmarks/replay_memory.py` measures it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from muzero.core.config import ReplayConfig
from muzero.core.game_kit import GameSpec
from muzero.core.types import Batch, Trajectory
from muzero.replay.augment import augment
from muzero.replay.sum_tree import SumTree
from muzero.replay.targets import (
    PositionRows,
    gather_unroll_targets,
    mixed_value_targets,
    own_random_moves,
    value_player_rows,
    value_targets,
)

PRIORITY_EPSILON = 1e-6  # added to every priority so that no live position has probability 0
OBSERVATION_DTYPES = (np.dtype(np.bool_), np.dtype(np.uint8), np.dtype(np.float32))  # code = position here
STATE_FORMAT_VERSION = 2  # 2: value_mask per position (a version-1 snapshot trains every value)


def compact_observations(observations: np.ndarray) -> np.ndarray:
    """A copy of one game's observations in the smallest exact dtype: bool, else uint8, else float32."""
    values = np.array(observations, dtype=np.float32)  # a copy: the caller's array stays theirs
    if np.all((values == 0) | (values == 1)):
        return values.astype(np.bool_)
    if np.all((values >= 0) & (values <= 255) & (values == np.round(values))):
        return values.astype(np.uint8)
    return values


class ReplayBuffer:
    """Finished games, sampled by priority into training batches of positions unrolled K steps."""

    def __init__(
        self, config: ReplayConfig, spec: GameSpec, discount: float = 1.0, next_observations: bool = False
    ) -> None:
        """The buffer `config` describes for a game of `spec`; the game's symmetries are used when
        `config.augment_symmetries`; `discount` is the run's (`ExperimentConfig.discount`), the search's too;
        `next_observations`: batches carry the observation after each unroll step (for a network with chance
        codes, whose encoder reads them)."""
        capacity, num_actions, num_players = config.capacity, spec.num_actions, spec.num_players
        self.capacity = capacity
        self.observation_shape = tuple(int(size) for size in spec.observation_shape)
        self.num_actions, self.num_players = num_actions, num_players
        self.unroll_steps, self.td_steps, self.discount = config.unroll_steps, config.td_steps, float(discount)
        self.priority_exponent = float(config.priority_exponent)  # alpha
        self.importance_exponent = float(config.importance_exponent)  # beta
        # each sampled position is mapped by a random one (none: as stored)
        self.symmetries = tuple(spec.symmetries) if config.augment_symmetries else ()
        self.bootstrap_at_random_moves = config.bootstrap_at_random_moves  # value targets end at own random moves
        self.search_value_mix = float(config.search_value_mix)  # share of the root value in the value target
        self.next_observations = next_observations
        # Position slots (slot = serial % capacity).
        self._to_play = np.zeros(capacity, dtype=np.int32)  # [capacity]
        self._actions = np.zeros(capacity, dtype=np.int32)  # [capacity]
        self._rewards = np.zeros((capacity, num_players), dtype=np.float32)  # [capacity, P]
        self._policies = np.zeros((capacity, num_actions), dtype=np.float32)  # [capacity, A]
        self._value_targets = np.zeros((capacity, num_players), dtype=np.float32)  # [capacity, P]
        self._value_mask = np.zeros((capacity, num_players), dtype=np.bool_)  # [capacity, P]: trained values
        self._slot_game = np.zeros(capacity, dtype=np.int64)  # [capacity]: serial of the slot's game
        self._slot_step = np.zeros(capacity, dtype=np.int32)  # [capacity]: decision t within its game
        self._priorities = np.zeros(capacity, dtype=np.float64)  # [capacity]: 0 for empty slots
        self._tree = SumTree(capacity)  # leaves: priority ** priority_exponent
        # Game records (record = game serial % capacity).
        self._game_length = np.zeros(capacity, dtype=np.int32)  # [capacity]
        self._game_observations = np.empty(capacity, dtype=object)  # [capacity] of [T, *observation_shape]
        self._num_positions = self._num_games = self._total_games_added = self._total_positions_added = 0

    @property
    def num_positions(self) -> int:
        return self._num_positions

    @property
    def num_games(self) -> int:
        return self._num_games

    @property
    def total_games_added(self) -> int:
        return self._total_games_added

    @property
    def total_positions_added(self) -> int:
        return self._total_positions_added

    def __len__(self) -> int:
        return self._num_positions

    @property
    def nbytes(self) -> int:
        """Bytes held by the buffer's arrays: the preallocated slots plus the live games' observations."""
        fixed = sum(array.nbytes for array in self._slot_arrays().values()) + self._tree.nbytes
        fixed += self._game_length.nbytes + self._game_observations.nbytes
        live_observations = (self._game_observations[record] for record in self._live_game_records())
        return int(fixed + sum(observations.nbytes for observations in live_observations))

    def observation_dtypes(self) -> list[np.dtype]:
        """The dtype each live game's observations are stored in, oldest game first."""
        return [self._game_observations[record].dtype for record in self._live_game_records()]

    def add(self, trajectory: Trajectory, priorities: np.ndarray | None = None) -> None:
        """Stores a finished game, evicting the oldest games as needed; priorities: float[T] or from errors.

        The default priority of decision t is `sum_i |root_values[t, i] - z[t, i]|` (z: the value target, the
        n-step return mixed with the root value by `replay.search_value_mix`) over the game's value players;
        every priority gets PRIORITY_EPSILON added.
        """
        length = self._check_trajectory(trajectory)
        cuts = own_random_moves(trajectory) if self.bootstrap_at_random_moves else None  # bool[T, P] or None
        targets = value_targets(
            trajectory.rewards, trajectory.root_values, self.td_steps, self.discount, cuts, trajectory.final_value
        )
        if self.search_value_mix > 0:
            targets = mixed_value_targets(targets, trajectory.root_values, self.search_value_mix)
        value_players = value_player_rows(trajectory)  # bool[T, P]
        if priorities is None:
            priorities = (np.abs(trajectory.root_values - targets) * value_players).sum(axis=1)  # [T]
        position_priorities = self._checked_priorities(priorities, length)
        observations = compact_observations(trajectory.observations)
        evicted_slots = [np.zeros(0, dtype=np.int64)]
        while self._num_positions + length > self.capacity:
            evicted_slots.append(self._evict_oldest_game())
        slots = (self._total_positions_added + np.arange(length)) % self.capacity  # [T]
        self._to_play[slots] = trajectory.to_play
        self._actions[slots] = trajectory.actions
        self._rewards[slots] = trajectory.rewards
        self._policies[slots] = trajectory.policies
        self._value_targets[slots] = targets
        self._value_mask[slots] = value_players
        self._slot_game[slots] = self._total_games_added
        self._slot_step[slots] = np.arange(length)
        self._priorities[slots] = position_priorities
        changed = np.concatenate([*evicted_slots, slots])  # one tree update for evicted and new slots
        self._tree.set(changed, self._tree_weights(self._priorities[changed]))
        record = self._total_games_added % self.capacity
        self._game_length[record] = length
        self._game_observations[record] = observations
        self._num_positions += length
        self._num_games += 1
        self._total_positions_added += length
        self._total_games_added += 1

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        """B positions drawn with replacement with probability p^alpha / sum p^alpha, unrolled K steps, each
        under a random one of `symmetries` (if any)."""
        if self._num_positions == 0:
            raise ValueError("the replay buffer is empty: add games before sampling")
        _require(batch_size >= 1, f"batch_size must be at least 1, got {batch_size}")
        slots = self._tree.sample(batch_size, rng)  # [B]
        probabilities = self._tree.leaves(slots) / self._tree.total  # [B]
        weights = (self._num_positions * probabilities) ** -self.importance_exponent  # [B]
        steps_left = self._game_length[self._slot_game[slots] % self.capacity] - self._slot_step[slots]  # [B]
        positions = PositionRows(
            self._actions, self._rewards, self._policies, self._value_targets, self._to_play, self._value_mask
        )
        targets = gather_unroll_targets(positions, slots, steps_left, self.unroll_steps, rng)
        batch = Batch(
            observations=self._gather_observations(slots),
            to_play=self._to_play[slots].astype(np.int64),
            weights=(weights / weights.max()).astype(np.float32),
            indices=self._serials_of_live_slots(slots),
            next_observations=self._gather_next_observations(slots) if self.next_observations else None,
            **vars(targets),
        )
        return augment(batch, self.symmetries, self.observation_shape, rng)

    def update_priorities(self, indices: np.ndarray, priorities: np.ndarray) -> None:
        """Sets priorities (float[M], + epsilon) of `Batch.indices` (int64[M]); stale ones are ignored."""
        serials = np.asarray(indices, dtype=np.int64).reshape(-1)  # [M]
        new_priorities = self._checked_priorities(priorities, serials.size)  # [M]
        oldest_live = self._total_positions_added - self._num_positions
        live = (serials >= oldest_live) & (serials < self._total_positions_added)  # [M]
        self._set_priorities(serials[live] % self.capacity, new_priorities[live])

    def state_dict(self) -> dict[str, np.ndarray]:
        """The whole contents as plain arrays (no objects): live positions and games oldest first."""
        live_slots = self._live_slots()  # [num_positions]
        game_observations = [self._game_observations[record] for record in self._live_game_records()]
        state = {
            "format_version": np.array(STATE_FORMAT_VERSION),
            "settings": np.array([self.num_actions, self.num_players, self.td_steps], dtype=np.int64),
            "discount": np.array(self.discount, dtype=np.float64),
            "observation_shape": np.array(self.observation_shape, dtype=np.int64),
            "counters": np.array(self._counters(), dtype=np.int64),
            "game_lengths": np.array([observations.shape[0] for observations in game_observations], np.int64),
            "game_observation_dtypes": np.array(
                [OBSERVATION_DTYPES.index(observations.dtype) for observations in game_observations], np.int8
            ),
        }
        for name, array in self._slot_arrays().items():
            state[name] = array[live_slots].copy()
        for dtype in OBSERVATION_DTYPES:
            of_dtype = [observations for observations in game_observations if observations.dtype == dtype]
            empty = np.zeros((0, *self.observation_shape), dtype=dtype)
            state[f"observations_{dtype.name}"] = np.concatenate([empty, *of_dtype])
        return state

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Restores `state_dict()` contents, priorities and counters (into a buffer that can hold them)."""
        num_positions, num_games, total_games_added, total_positions_added = self._check_state(state)
        if int(state["format_version"]) == 1:  # before value masks: every player's values were trained
            state = {**state, "value_mask": np.ones((num_positions, self.num_players), dtype=np.bool_)}
        self._clear()
        serials = total_positions_added - num_positions + np.arange(num_positions)  # [num_positions]
        slots = serials % self.capacity
        for name, array in self._slot_arrays().items():
            array[slots] = state[name]
        self._tree.set_all(self._tree_weights(self._priorities))
        offsets = dict.fromkeys(OBSERVATION_DTYPES, 0)
        first_game = total_games_added - num_games
        for game, (length, dtype_code) in enumerate(
            zip(state["game_lengths"].tolist(), state["game_observation_dtypes"].tolist(), strict=True)
        ):
            dtype = OBSERVATION_DTYPES[dtype_code]
            stored = state[f"observations_{dtype.name}"][offsets[dtype] : offsets[dtype] + length]
            offsets[dtype] += length
            record = (first_game + game) % self.capacity
            self._game_length[record] = length
            self._game_observations[record] = np.array(stored, dtype=dtype)
        self._num_positions, self._num_games = num_positions, num_games
        self._total_games_added, self._total_positions_added = total_games_added, total_positions_added

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes `state_dict()` as an .npz file atomically (a temporary file, then a rename)."""
        path = Path(path)
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "wb") as file:
            np.savez(file, **self.state_dict())
        os.replace(temporary, path)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Restores a file written by `save` (read with allow_pickle=False)."""
        with np.load(path, allow_pickle=False) as archive:
            self.load_state_dict({name: archive[name] for name in archive.files})

    # Internals.

    def _counters(self) -> tuple[int, int, int, int]:
        return self._num_positions, self._num_games, self._total_games_added, self._total_positions_added

    def _slot_arrays(self) -> dict[str, np.ndarray]:
        return {
            "to_play": self._to_play,
            "actions": self._actions,
            "rewards": self._rewards,
            "policies": self._policies,
            "value_targets": self._value_targets,
            "value_mask": self._value_mask,
            "slot_game": self._slot_game,
            "slot_step": self._slot_step,
            "priorities": self._priorities,
        }

    def _live_slots(self) -> np.ndarray:  # int64[num_positions], oldest first
        oldest_live = self._total_positions_added - self._num_positions
        return (oldest_live + np.arange(self._num_positions)) % self.capacity

    def _live_game_records(self) -> list[int]:  # oldest first
        oldest_game = self._total_games_added - self._num_games
        return [(oldest_game + game) % self.capacity for game in range(self._num_games)]

    def _serials_of_live_slots(self, slots: np.ndarray) -> np.ndarray:  # int64[B]
        oldest_live = self._total_positions_added - self._num_positions
        return oldest_live + (slots - oldest_live) % self.capacity

    def _tree_weights(self, priorities: np.ndarray) -> np.ndarray:  # p^alpha, and 0 for empty slots
        return np.where(priorities > 0.0, priorities**self.priority_exponent, 0.0)

    def _set_priorities(self, slots: np.ndarray, priorities: np.ndarray) -> None:
        self._priorities[slots] = priorities
        self._tree.set(slots, self._tree_weights(self._priorities[slots]))  # read back: repeated slots agree

    def _evict_oldest_game(self) -> np.ndarray:  # int64[T]: the freed slots; the caller updates the tree
        record = (self._total_games_added - self._num_games) % self.capacity
        length = int(self._game_length[record])
        oldest_live = self._total_positions_added - self._num_positions
        slots = (oldest_live + np.arange(length)) % self.capacity
        self._priorities[slots] = 0.0
        self._game_observations[record] = None
        self._num_positions -= length
        self._num_games -= 1
        return slots

    def _clear(self) -> None:
        for array in self._slot_arrays().values():
            array[:] = 0
        self._tree.set_all(np.zeros(self.capacity))
        self._game_length[:] = 0
        self._game_observations[:] = None

    def _gather_observations(self, slots: np.ndarray) -> np.ndarray:  # float32[B, *observation_shape]
        batch = np.empty((slots.size, *self.observation_shape), dtype=np.float32)
        records = (self._slot_game[slots] % self.capacity).tolist()
        for row, (record, step) in enumerate(zip(records, self._slot_step[slots].tolist(), strict=True)):
            batch[row] = self._game_observations[record][step]
        return batch

    def _gather_next_observations(self, slots: np.ndarray) -> np.ndarray:  # float32[B, K, *observation_shape]
        """The observation after each of the K unroll steps of each position: that of decision t+k+1, 0 where
        the game has no such decision (its last step, and past its end)."""
        batch = np.zeros((slots.size, self.unroll_steps, *self.observation_shape), dtype=np.float32)
        records = (self._slot_game[slots] % self.capacity).tolist()
        for row, (record, step) in enumerate(zip(records, self._slot_step[slots].tolist(), strict=True)):
            following = self._game_observations[record][step + 1 : step + 1 + self.unroll_steps]
            batch[row, : len(following)] = following
        return batch

    def _checked_priorities(self, priorities: np.ndarray, count: int) -> np.ndarray:  # float64[count]
        values = np.asarray(priorities, dtype=np.float64).reshape(-1)
        _require(values.size == count, f"expected {count} priorities, got {values.size}")
        _require(bool(np.all(np.isfinite(values) & (values >= 0))), "priorities must be finite and >= 0")
        return values + PRIORITY_EPSILON

    def _check_trajectory(self, trajectory: Trajectory) -> int:
        length = trajectory.length
        _require(length >= 1, "cannot add a game with no decisions")
        _require(
            length <= self.capacity,
            f"a game of {length} positions does not fit a replay buffer of {self.capacity}: raise capacity",
        )
        expected_shapes = {
            "observations": (length, *self.observation_shape),
            "to_play": (length,),
            "actions": (length,),
            "rewards": (length, self.num_players),
            "policies": (length, self.num_actions),
            "root_values": (length, self.num_players),
        }
        for name, shape in expected_shapes.items():
            actual = tuple(np.shape(getattr(trajectory, name)))
            _require(actual == shape, f"trajectory.{name} has shape {actual}, expected {shape}")
        optional_shapes = {
            "value_players": (self.num_players,),
            "random_moves": (length,),
            "final_value": (self.num_players,),
        }
        for name, shape in optional_shapes.items():
            if getattr(trajectory, name) is not None:
                actual = tuple(np.shape(getattr(trajectory, name)))
                _require(actual == shape, f"trajectory.{name} has shape {actual}, expected {shape}")
        players_in_range = np.all((trajectory.to_play >= 0) & (trajectory.to_play < self.num_players))
        _require(bool(players_in_range), f"trajectory.to_play must be players 0..{self.num_players - 1}")
        actions_in_range = np.all((trajectory.actions >= 0) & (trajectory.actions < self.num_actions))
        _require(bool(actions_in_range), f"trajectory.actions must be actions 0..{self.num_actions - 1}")
        return length

    def _check_state(self, state: dict[str, np.ndarray]) -> tuple[int, int, int, int]:
        _require(int(state["format_version"]) in (1, STATE_FORMAT_VERSION), "unknown replay snapshot format")
        settings = (self.num_actions, self.num_players, self.td_steps)
        snapshot_settings = tuple(state["settings"].tolist())
        snapshot_shape = tuple(state["observation_shape"].tolist())
        _require(
            snapshot_settings == settings and snapshot_shape == self.observation_shape,
            f"the replay snapshot has (actions, players, td_steps) {snapshot_settings} and observation shape "
            f"{snapshot_shape}; this buffer has {settings} and {self.observation_shape}",
        )
        snapshot_discount = float(state["discount"])
        _require(
            snapshot_discount == self.discount,
            f"the replay snapshot has discount {snapshot_discount}, this buffer uses {self.discount}",
        )
        num_positions, num_games, total_games_added, total_positions_added = state["counters"].tolist()
        _require(
            num_positions <= self.capacity,
            f"the replay snapshot holds {num_positions} positions, more than the capacity {self.capacity}",
        )
        return num_positions, num_games, total_games_added, total_positions_added


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)
