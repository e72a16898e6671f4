"""The Ray shells: each actor is a plain class of this package with torch on one thread, sized by a
fraction of a CPU so that every actor of a run fits on a small machine (a whole CPU each would leave the
third actor on a 2-core laptop waiting silently)."""

from __future__ import annotations

import math
import uuid
import warnings
from collections import deque
from dataclasses import dataclass

import numpy as np
import ray
import torch
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from muzero.core.config import ExperimentConfig
from muzero.core.game_kit import GameKit, GameSpec
from muzero.core.types import Batch, Trajectory
from muzero.distributed.evaluator import Evaluator
from muzero.distributed.learner_service import LearnerService
from muzero.distributed.messages import DistributedSettings, WeightsSnapshot
from muzero.distributed.replay_service import ReplayService
from muzero.distributed.storage import SharedStorage
from muzero.distributed.workers import SelfPlayWorker
from muzero.training.checkpoint import Checkpoint, Counters

LIGHT_CPU_SHARE = 0.1  # the replay buffer and the evaluator: mostly idle


def _one_torch_thread() -> None:
    """Torch on one thread in an actor process (a fraction of a CPU; threads would fight over the cores)."""
    torch.set_num_threads(1)


def _quiet_read_only_batches() -> None:
    """Batches arrive from the object store as read-only arrays; the learner only reads them."""
    warnings.filterwarnings("ignore", message="The given NumPy array is not writable")


class RemoteStorage:
    """The shared storage actor behind the `WeightsSource`/`WeightsSink` protocols."""

    def __init__(self, storage: ray.actor.ActorHandle) -> None:
        self.storage = storage

    def weights_newer_than(self, training_step: int) -> WeightsSnapshot | None:
        return ray.get(self.storage.weights_newer_than.remote(training_step))

    def publish_weights(self, snapshot: WeightsSnapshot) -> None:
        self.storage.publish_weights.remote(snapshot)


class RemoteReplay:
    """The replay actor behind the `TrajectorySink` protocol. A push returns once the previous one is stored
    (the worker plays on while the replay actor, busy sampling for the learner, takes the games); `flush`
    returns once every push is. A failed push raises at the next push or flush."""

    def __init__(self, replay: ray.actor.ActorHandle) -> None:
        self.replay = replay
        self.pending: ray.ObjectRef | None = None

    def add_many(self, trajectories: list[Trajectory]) -> None:
        self.flush()
        self.pending = self.replay.add_many.remote(trajectories)

    def flush(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            ray.get(pending)


class RemoteBatchSource:
    """Batches from the replay actor, `per_request` to a call (a call costs both processes more than the
    sampling), one request ahead: the next batches are on their way while the current ones are trained on."""

    def __init__(self, replay: ray.actor.ActorHandle, batch_size: int, per_request: int) -> None:
        self.replay, self.batch_size, self.per_request = replay, batch_size, per_request
        self.pending: ray.ObjectRef | None = None
        self.ready: deque[Batch] = deque()

    def _request(self) -> ray.ObjectRef:
        return self.replay.sample_many.remote(self.batch_size, self.per_request)

    def next_batch(self) -> Batch:
        if not self.ready:
            current = self.pending if self.pending is not None else self._request()
            self.pending = self._request()
            self.ready.extend(ray.get(current))
        return self.ready.popleft()

    def update_priorities(self, indices: np.ndarray, priorities: np.ndarray) -> None:
        self.replay.update_priorities.remote(indices, priorities)


@ray.remote
class StorageActor(SharedStorage):
    pass


@ray.remote
class ReplayActor(ReplayService):
    pass


@ray.remote
class LearnerActor(LearnerService):
    def __init__(self, config: ExperimentConfig, spec: GameSpec, checkpoint: Checkpoint | None, peers: Peers):
        _one_torch_thread()
        _quiet_read_only_batches()
        settings = peers.settings
        batches = RemoteBatchSource(peers.replay, config.learner.batch_size, settings.batches_per_request)
        storage = RemoteStorage(peers.storage)
        super().__init__(config, spec, batches, storage, checkpoint, weights_interval=settings.weights_interval)


@ray.remote
class WorkerActor(SelfPlayWorker):
    def __init__(self, config: ExperimentConfig, game: GameKit, worker_id: int, seed: int, peers: Peers):
        _one_torch_thread()
        storage, replay = RemoteStorage(peers.storage), RemoteReplay(peers.replay)
        pull_games = peers.settings.weights_pull_games
        super().__init__(config, game, worker_id, seed, storage, replay, pull_games=pull_games)


@ray.remote
class EvaluatorActor(Evaluator):
    def __init__(self, config: ExperimentConfig, game: GameKit, games_per_seat: int):
        _one_torch_thread()
        super().__init__(config, game, games_per_seat)


@dataclass(frozen=True)
class Peers:
    """The actors another actor talks to, and the run's settings."""

    storage: ray.actor.ActorHandle
    replay: ray.actor.ActorHandle
    settings: DistributedSettings


@dataclass(frozen=True)
class CpuShares:
    heavy: float  # the learner and each self-play worker
    light: float  # the replay buffer and the evaluator (the storage asks for none)


def cpu_shares(available_cpus: float, workers: int) -> CpuShares:
    """Fractions that fit W workers, the learner and two light actors in `available_cpus` (at most 1 each)."""
    heavy = (available_cpus - 2 * LIGHT_CPU_SHARE) / (workers + 1)
    return CpuShares(heavy=max(math.floor(min(heavy, 1.0) * 100) / 100, 0.01), light=LIGHT_CPU_SHARE)


class RunActors:
    """The actors of one run; replaces failed workers and the evaluator; kills them all at the end."""

    def __init__(
        self, config: ExperimentConfig, game: GameKit, checkpoint: Checkpoint | None, settings: DistributedSettings
    ) -> None:
        self.config, self.game, self.settings = config, game, settings
        self.counters = checkpoint.counters if checkpoint is not None else Counters()
        self.shares = cpu_shares(ray.cluster_resources().get("CPU", 1.0), settings.workers)
        self.prefix = f"muzero-{uuid.uuid4().hex[:8]}"  # names: muzero-1a2b3c4d-selfplay-WORKER-GENERATION
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        storage = StorageActor.options(name=f"{self.prefix}-storage", num_cpus=0, scheduling_strategy=here).remote(
            self.counters
        )
        replay = ReplayActor.options(
            name=f"{self.prefix}-replay", num_cpus=self.shares.light, scheduling_strategy=here
        ).remote(
            config.replay,
            game.spec,
            config.discount,
            config.run.seed + self.counters.training_step,
            config.network.chance_codes > 0,  # the chance encoder reads the observations after each step
        )
        self.peers = Peers(storage, replay, settings)
        self.storage, self.replay = storage, replay
        self.learner = LearnerActor.options(name=f"{self.prefix}-learner", num_cpus=self.shares.heavy).remote(
            config, game.spec, checkpoint, self.peers
        )
        self.generations = [0] * settings.workers  # restarts of each worker; part of its name and seed
        self.workers = [self._new_worker(worker_id) for worker_id in range(settings.workers)]
        self.evaluator_generation = 0
        self.evaluator = self._new_evaluator()

    def _new_worker(self, worker_id: int) -> ray.actor.ActorHandle:
        seed = self.config.run.seed + 7919 * (worker_id + 1) + 104_729 * self.generations[worker_id]
        name = f"{self.prefix}-selfplay-{worker_id}-{self.generations[worker_id]}"
        return WorkerActor.options(name=name, num_cpus=self.shares.heavy).remote(
            self.config, self.game, worker_id, seed + self.counters.training_step, self.peers
        )

    def _new_evaluator(self) -> ray.actor.ActorHandle | None:
        games = self.settings.evaluation_games_per_seat
        if games <= 0 or not (self.game.reference_opponents or self.game.spec.num_players == 1):
            return None
        name = f"{self.prefix}-evaluator-{self.evaluator_generation}"
        return EvaluatorActor.options(name=name, num_cpus=self.shares.light).remote(self.config, self.game, games)

    def replace_worker(self, worker_id: int) -> None:
        ray.kill(self.workers[worker_id], no_restart=True)
        self.generations[worker_id] += 1
        self.workers[worker_id] = self._new_worker(worker_id)

    def replace_evaluator(self) -> None:
        if self.evaluator is not None:
            ray.kill(self.evaluator, no_restart=True)
        self.evaluator_generation += 1
        self.evaluator = self._new_evaluator()

    def kill_all(self) -> None:
        for actor in (*self.workers, self.evaluator, self.learner, self.replay, self.storage):
            if actor is not None:
                ray.kill(actor, no_restart=True)
