"""Distributed training: the plain classes without Ray, then seconds-long runs on one shared local Ray:
a worker killed mid-run is replaced, a dead learner or replay buffer stops the run with its checkpoint
intact, and a resumed run continues the step count, the optimizer, the replay buffer and the evaluations."""

import dataclasses
import json

import numpy as np
import pytest

from muzero.core.config import GameConfig, load_config
from muzero.core.errors import UserError
from muzero.distributed.actors import cpu_shares
from muzero.distributed.evaluator import Evaluator
from muzero.distributed.learner_service import LearnerService, LocalBatchSource
from muzero.distributed.messages import (
    DistributedSettings,
    SelfPlayReport,
    WeightsSnapshot,
    numpy_weights,
)
from muzero.distributed.replay_service import ReplayService
from muzero.distributed.storage import SharedStorage
from muzero.distributed.workers import SelfPlayWorker
from muzero.evaluation.evaluations import EvaluationLog, EvaluationResult, OpponentResult
from muzero.faces.games import game_kit
from muzero.replay.snapshot import load_replay_snapshot, replay_snapshot_path, save_replay_snapshot
from muzero.training import components
from muzero.training.checkpoint import Counters, load_checkpoint
from tests.muzero.test_training import setup, tiny_config

QUIET = DistributedSettings(evaluation_games_per_seat=0)  # no evaluator actor: one process fewer to start


def started_worker(config, storage: SharedStorage, replay) -> SelfPlayWorker:
    return SelfPlayWorker(config, game_kit(config.game), worker_id=0, seed=1, weights=storage, replay=replay)


def replay_service(config, seed: int) -> ReplayService:
    return ReplayService(config.replay, game_kit(config.game).spec, config.search.discount, seed)


def learner_service(config, batches, storage, **options) -> LearnerService:
    return LearnerService(config, game_kit(config.game).spec, batches, storage, **options)


def play_until_games_finish(worker: SelfPlayWorker) -> SelfPlayReport:
    """Short `play` calls until one finishes games (the first moves also compile the search)."""
    for _ in range(100):
        report = worker.play(seconds=0.05)
        if report.games:
            return report
    raise AssertionError("no game finished")


def test_storage_round_trips_weights_and_counters():
    storage = SharedStorage(Counters())
    assert storage.weights_newer_than(-1) is None and storage.weights_step() == -1
    network = components.build_network(tiny_config("tictactoe").network, game_kit(GameConfig("tictactoe")).spec)
    weights = numpy_weights(network.state_dict())
    storage.publish_weights(WeightsSnapshot(7, weights))
    storage.publish_weights(WeightsSnapshot(3, {}))  # a late, older push is ignored
    snapshot = storage.weights_newer_than(5)
    assert snapshot is not None and snapshot.training_step == 7 and storage.weights_newer_than(7) is None
    for name, tensor in network.state_dict().items():
        np.testing.assert_array_equal(snapshot.weights[name], tensor.numpy())
    storage.set_counters(Counters(training_step=7, games_played=3, positions_played=20, seconds=1.5))
    assert storage.counters() == Counters(7, 3, 20, 1.5)


def test_worker_pushes_finished_games_to_a_plain_buffer_and_the_learner_trains_on_them():
    config = tiny_config("tictactoe")
    storage, replay = SharedStorage(Counters()), replay_service(config, seed=0)
    worker = started_worker(config, storage, replay)
    assert worker.play(seconds=0.01).games == 0  # no weights published yet: nothing played
    batches = LocalBatchSource(replay.buffer, 16, np.random.default_rng(0))
    learner = learner_service(config, batches, storage, weights_interval=2)  # publishes its step-0 weights
    report = play_until_games_finish(worker)
    assert report.weights_step == 0 and replay.fill().num_games == report.games > 0
    result = learner.train(until_step=3, seconds=60.0, state_at_end=True)
    assert (result.training_step, result.steps) == (3, 3) and np.isfinite(result.losses["loss/total"])
    assert result.state is not None and result.state.learner_state["step"] == 3
    assert storage.weights_step() == 2  # pushed every 2 steps
    assert worker.pull_weights() and worker.weights_step == 2


def test_replay_snapshot_round_trip_gives_the_same_contents(tmp_path):
    config = tiny_config("tictactoe")
    storage, replay = SharedStorage(Counters()), replay_service(config, seed=0)
    learner_service(config, LocalBatchSource(replay.buffer, 16, np.random.default_rng(0)), storage)
    play_until_games_finish(started_worker(config, storage, replay))
    path = save_replay_snapshot(replay.buffer, tmp_path)
    assert path == replay_snapshot_path(tmp_path) and path.is_file()
    restored = replay_service(config, seed=0)
    assert restored.load(str(tmp_path)) and restored.fill() == replay.fill()
    before, after = replay.buffer.state_dict(), restored.buffer.state_dict()
    assert before.keys() == after.keys()
    for name in before:
        np.testing.assert_array_equal(before[name], after[name])
    assert not load_replay_snapshot(restored.buffer, tmp_path / "elsewhere")
    path.write_bytes(b"not a zip archive")
    with pytest.raises(UserError, match="not a usable replay snapshot"):
        load_replay_snapshot(restored.buffer, tmp_path)


def test_evaluator_plays_every_reference_opponent_in_every_seat_and_its_history_appends(tmp_path):
    config = tiny_config("tictactoe")
    assert game_kit(config.game).reference_opponents == ("random", "perfect")
    assert game_kit(GameConfig("gym:CartPole-v1")).reference_opponents == ()
    evaluator = Evaluator(config, game_kit(config.game), games_per_seat=1)
    result = evaluator.evaluate(WeightsSnapshot(4, numpy_weights(evaluator.network.state_dict())))
    assert [r.opponent for r in result.results] == ["random", "perfect"]
    assert all(r.games == 2 and r.wins + r.draws + r.losses == 2 for r in result.results)
    assert result.results[1].wins == 0  # nobody beats perfect play
    log = EvaluationLog(tmp_path)
    log.append(result)
    log.append(EvaluationResult(8, (OpponentResult("random", 2, 2, 0, 0),)))
    assert log.history() == [result, EvaluationResult(8, (OpponentResult("random", 2, 2, 0, 0),))]


def test_cpu_shares_fit_every_actor_on_two_cores():
    for workers in (1, 2, 3, 8):
        shares = cpu_shares(2.0, workers)
        assert (workers + 1) * shares.heavy + 2 * shares.light <= 2.0 and shares.heavy > 0
    assert cpu_shares(64.0, 4).heavy == 1.0


def test_self_play_pauses_only_when_ahead_of_the_replay_ratio_by_the_lead():
    from muzero.core.config import RunConfig
    from muzero.training.checkpoint import Counters
    from muzero.training.run_policy import RunPolicy

    def selfplay_ahead(counters: Counters, run: RunConfig) -> bool:
        return RunPolicy(run).selfplay_ahead(counters)

    run = RunConfig(replay_ratio=0.05, min_replay_positions=2000, selfplay_lead=1000)
    # after 100 learner steps the ratio asks for 2000 + 100 / 0.05 = 4000 positions; the lead allows 5000
    assert not selfplay_ahead(Counters(training_step=100, positions_played=5000), run)
    assert selfplay_ahead(Counters(training_step=100, positions_played=5001), run)
    assert not selfplay_ahead(Counters(training_step=150, positions_played=5001), run)
    unlimited = RunConfig(replay_ratio=0.05, min_replay_positions=2000, selfplay_lead=0)
    assert not selfplay_ahead(Counters(training_step=0, positions_played=10**9), unlimited)


def test_failures_are_named_in_one_line():
    from ray.exceptions import RayActorError, RayTaskError

    from muzero.distributed.failures import failure_reason, user_error_cause

    crashed = RayTaskError("play", "Traceback ...", KeyError("seat 3")).as_instanceof_cause()
    assert failure_reason(crashed) == "KeyError: 'seat 3'"
    assert failure_reason(RayActorError()) == "its process died"
    message = "The actor died because of an error raised in its creation task\n  File x\nValueError: bad shape (3, 4)"
    assert failure_reason(RayActorError(error_msg=message, actor_init_failed=True)) == (
        "it failed to start: ValueError: bad shape (3, 4)"
    )
    snapshot_error = RayTaskError("load", "Traceback ...", UserError("replay.npz is corrupt")).as_instanceof_cause()
    assert str(user_error_cause(snapshot_error)) == "replay.npz is corrupt" and user_error_cause(crashed) is None


def test_run_from_cli_runs_the_synchronous_loop_and_refuses_mixed_options(tmp_path, capsys):
    from muzero.distributed.driver import run_from_cli
    from muzero.faces.cli import train_main

    config = tiny_config("tictactoe", "run.training_steps=4")
    assert run_from_cli(setup(config, tmp_path / "run"), settings=None) == 0
    assert "stopped by steps after 4 steps" in capsys.readouterr().out
    assert train_main(["tictactoe", "--sync", "--workers", "2", "--out", str(tmp_path / "other")]) == 2
    assert "--sync trains in this process" in capsys.readouterr().err


# Runs on Ray.


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield ray
    ray.shutdown()


def new_actor_name(ray, suffix: str, known: set[str]) -> str | None:
    names = [name for name in ray.util.list_named_actors() if name.endswith(suffix) and name not in known]
    return names[0] if names else None


@pytest.fixture(scope="module")
def first_run(ray_cluster, tmp_path_factory):
    """A 20-step run on 2 workers, worker 0 killed once it has played; the run and its progress snapshots."""
    from muzero.distributed import train_distributed

    ray, run_dir = ray_cluster, tmp_path_factory.mktemp("distributed") / "run"
    known, snapshots = set(ray.util.list_named_actors()), []

    def kill_worker_once(snapshot) -> None:
        snapshots.append(snapshot)
        name = new_actor_name(ray, "-selfplay-0-0", known)
        if snapshot.counters.games_played > 0 and name is not None:
            ray.kill(ray.get_actor(name))
            known.add(name)

    config = tiny_config("tictactoe", "run.training_steps=20")
    settings = dataclasses.replace(QUIET, workers=2)
    result = train_distributed(setup(config, run_dir), settings, on_progress=kill_worker_once)
    return result, snapshots


@pytest.mark.slow
def test_a_self_play_lead_keeps_the_workers_near_the_replay_ratio(ray_cluster, tmp_path):
    from muzero.distributed import train_distributed

    # ratio 0.5 and 40 positions before learning: 20 steps want 80 positions; the lead allows 30 more.
    # Workers report every 0.02 s (at least one move of 8 games), so each overshoots by a few moves at most;
    # unthrottled, the same run plays well over a thousand positions.
    config = tiny_config("tictactoe", "run.training_steps=20", "run.selfplay_lead=30")
    settings = DistributedSettings(workers=2, evaluation_games_per_seat=0, chunk_seconds=0.02)
    result = train_distributed(setup(config, tmp_path / "run"), settings)
    assert result.stopped_by == "steps" and result.counters.training_step == 20
    assert 80 <= result.counters.positions_played <= 80 + 30 + 2 * 200


def test_the_learner_gets_its_batches_several_to_a_replay_request_in_the_order_sampled(ray_cluster, tmp_path):
    from muzero.distributed.actors import RemoteBatchSource, ReplayActor

    config = tiny_config("tictactoe")
    storage, local = SharedStorage(Counters()), replay_service(config, seed=5)
    learner_service(config, LocalBatchSource(local.buffer, 16, np.random.default_rng(0)), storage)
    play_until_games_finish(started_worker(config, storage, local))
    save_replay_snapshot(local.buffer, tmp_path)
    remote = ReplayActor.options(num_cpus=0).remote(
        config.replay, game_kit(config.game).spec, 1.0, 5
    )  # the same seed, the same games
    assert ray_cluster.get(remote.load.remote(str(tmp_path)))
    source = RemoteBatchSource(remote, 8, per_request=3)
    received = [source.next_batch() for _ in range(7)]  # 3 calls' worth, one more on its way
    expected = local.sample_many(8, 7)  # as many single samples would draw them
    for got, want in zip(received, expected, strict=True):
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.observations, want.observations)
        np.testing.assert_array_equal(got.target_policies, want.target_policies)
    assert len(source.ready) == 2
    ray_cluster.kill(remote)


def test_a_worker_plays_on_while_its_last_push_is_stored_and_every_game_is_stored_when_play_returns(ray_cluster):
    from muzero.distributed.actors import RemoteReplay, ReplayActor

    config = tiny_config("tictactoe")
    storage, local = SharedStorage(Counters()), replay_service(config, seed=0)
    learner_service(config, LocalBatchSource(local.buffer, 16, np.random.default_rng(0)), storage)
    remote = ReplayActor.options(num_cpus=0).remote(config.replay, game_kit(config.game).spec, 1.0, 0)
    replay = RemoteReplay(remote)
    worker = started_worker(config, storage, replay)
    games = sum(worker.play(seconds=0.2).games for _ in range(3))
    assert replay.pending is None and games > 0
    assert ray_cluster.get(remote.fill.remote()).num_games == games
    first = [worker.selfplay.play_move(0) for _ in range(20)]
    finished = [t for stats in first for t in stats.finished]
    busy = remote.sample_many.remote(16, 5000)  # the replay actor samples for a while
    replay.add_many(finished[:1])
    not_stored = ray_cluster.wait([busy, replay.pending], num_returns=2, timeout=0)[1]
    assert len(not_stored) == 2  # the push returned while the actor was still sampling
    replay.add_many(finished[1:])  # waits for the first push
    replay.flush()
    assert ray_cluster.get(remote.fill.remote()).num_games == games + len(finished)
    ray_cluster.kill(remote)


@pytest.mark.slow
def test_distributed_run_checkpoints_counts_and_replaces_a_killed_worker(first_run):
    result, snapshots = first_run
    assert result.stopped_by == "steps" and result.counters.training_step == 20
    assert result.counters.games_played > 0 and result.counters.positions_played > 0
    run = result.run_dir
    assert load_checkpoint(run).counters.training_step == 20
    assert [p.name for p in sorted((run / "checkpoints").glob("step_*.pt"))][-1] == "step_00000020.pt"
    steps = [s.counters.training_step for s in snapshots]
    games = [s.counters.games_played for s in snapshots]
    assert steps == sorted(steps) and games == sorted(games) and steps[-1] == 20
    assert snapshots[-1].worker_restarts == 1
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
    assert lines[-1]["worker_restarts"] == 1 and all(np.isfinite(line["loss/total"]) for line in lines)
    assert replay_snapshot_path(run).is_file()


@pytest.mark.slow
def test_a_distributed_checkpoint_records_its_games_sizes(first_run):
    from muzero.core.game_kit import GameSpec

    result, _ = first_run
    assert load_checkpoint(result.run_dir).spec == GameSpec(2, 9, (2, 3, 3))


@pytest.mark.slow
def test_resume_continues_steps_optimizer_replay_and_evaluations(first_run, ray_cluster):
    from muzero.distributed import train_distributed
    from muzero.training.run_policy import StopFlag

    first, _ = first_run
    run = first.run_dir
    with np.load(replay_snapshot_path(run)) as saved:
        saved_games_added = int(saved["counters"][2])
    earlier = EvaluationResult(20, (OpponentResult("random", 2, 1, 1, 0), OpponentResult("perfect", 2, 0, 1, 1)))
    EvaluationLog(run).append(earlier)  # as if the first run had evaluated its last checkpoint
    stop, snapshots = StopFlag(), []

    def stop_after_an_evaluation(snapshot) -> None:
        snapshots.append(snapshot)
        if snapshot.evaluation is not None and snapshot.evaluation.training_step > 20:
            stop.set("signal")

    settings = DistributedSettings(evaluation_games_per_seat=1, evaluation_interval=5)
    # stopped by the signal after an evaluation, never by a clock: a minutes limit counts the first run's time
    # too, which a loaded machine can spend before the evaluator's first result; the step limit is a backstop
    # far beyond the steps an evaluation takes (were it reached, the stop would read "steps")
    more = tiny_config("tictactoe", "run.training_steps=100000")
    result = train_distributed(setup(more, run, resume=True), settings, stop=stop, on_progress=stop_after_an_evaluation)
    assert snapshots[0].counters.training_step == 20 and snapshots[0].evaluation == earlier
    assert result.stopped_by == "signal" and result.counters.training_step > 20
    checkpoint = load_checkpoint(run)
    assert checkpoint.counters.training_step == result.counters.training_step
    assert checkpoint.learner_state["step"] == result.counters.training_step  # the optimizer's clock went on
    assert checkpoint.counters.games_played > first.counters.games_played
    assert load_config(run / "config.toml").run.training_steps == 100000  # kept for the next resume, as --sync does
    with np.load(replay_snapshot_path(run)) as resumed:
        assert int(resumed["counters"][2]) > saved_games_added  # games were added to the restored buffer
    history = EvaluationLog(run).history()
    assert history[0] == earlier and len(history) >= 2 and history[1].training_step > 20
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert steps[:10] == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20] and min(steps[10:]) > 20


@pytest.mark.slow
@pytest.mark.parametrize(("suffix", "named"), [("-learner", "the learner"), ("-replay", "the replay buffer")])
def test_a_dead_learner_or_replay_buffer_stops_the_run_with_its_checkpoint_intact(ray_cluster, tmp_path, suffix, named):
    from muzero.distributed import TrainingFailed, train_distributed

    ray, known = ray_cluster, set(ray_cluster.util.list_named_actors())

    def kill_after_first_checkpoint(snapshot) -> None:
        name = new_actor_name(ray, suffix, known)
        if (tmp_path / "run" / "checkpoints" / "step_00000005.pt").is_file() and name is not None:
            ray.kill(ray.get_actor(name))
            known.add(name)

    config = tiny_config("tictactoe", "run.training_steps=1000")
    with pytest.raises(
        TrainingFailed, match=rf"^{named} failed .*the last checkpoint \(step (\d+)\) is intact"
    ) as failure:
        train_distributed(setup(config, tmp_path / "run"), QUIET, on_progress=kill_after_first_checkpoint)
    assert "\n" not in str(failure.value)
    step = int(str(failure.value).split("(step ")[1].split(")")[0])
    assert step >= 5 and load_checkpoint(tmp_path / "run").counters.training_step == step
