"""What a new user runs into first: one-line errors instead of tracebacks, budgets and opponents checked
before anything starts, a progress display that shows everything at 80 columns."""

import collections
import io
import math
import os
import pickle
from pathlib import Path

import pytest

from muzero.core.errors import UserError
from muzero.training.checkpoint import load_checkpoint


@pytest.mark.parametrize("kind", ["random bytes", "pickled object"])
def test_a_file_that_is_not_a_checkpoint_is_one_line_and_never_unpickled(tmp_path, kind):
    path = tmp_path / "model.pt"
    if kind == "random bytes":
        path.write_bytes(os.urandom(4096))
    else:
        path.write_bytes(pickle.dumps(collections.OrderedDict(counts=collections.Counter("abc"))))
    with pytest.raises(UserError) as error:
        load_checkpoint(path)
    message = str(error.value)
    assert message.startswith(f"{path} is not a checkpoint of this project: ")
    assert "\n" not in message and len(message) < 300
    assert "weights_only" not in message and "trusted source" not in message


def test_agent_load_of_a_foreign_pickle_is_one_line(tmp_path):
    from muzero.faces.agent import Agent

    marker = tmp_path / "exploited"
    path = tmp_path / "hostile.pt"
    path.write_bytes(pickle.dumps(_Exploit(marker), protocol=2))
    with pytest.raises(UserError, match="is not a checkpoint of this project") as error:
        Agent.load(path)
    assert "\n" not in str(error.value)
    assert not marker.exists()


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def make_run(folder, game: str) -> str:
    """A run folder whose latest checkpoint holds a small, untrained network of `game`."""
    from muzero.faces.games import experiment_config, game_kit
    from muzero.training.checkpoint import Checkpoint, Counters, save_checkpoint
    from muzero.training.components import build_network

    config = experiment_config(game, None, ["network.latent_size=8", "network.hidden_size=16"])
    network = build_network(config.network, game_kit(config.game).spec)
    checkpoint = Checkpoint(config, Counters(training_step=1), network.state_dict(), {})
    save_checkpoint(checkpoint, folder / "checkpoints" / "latest.pt")
    return str(folder)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("newcomer")
    return {game: make_run(root / game, game) for game in ("tictactoe", "connect4", "dots_and_boxes")}


@pytest.mark.parametrize(
    ("game", "against", "message"),
    [
        ("tictactoe", "greedy", "greedy plays dots_and_boxes, 2048; tictactoe's opponents: random, perfect"),
        ("dots_and_boxes", "perfect", "perfect plays tictactoe, connect4; dots_and_boxes's opponents: random, greedy"),
        ("connect4", "alphabeta:99", "'alphabeta:99': the alpha-beta depth is a whole number from 1 to 12"),
        ("connect4", "alphabeta:0", "from 1 to 12"),
        ("tictactoe", "alphabeta:3", "alphabeta plays connect4; tictactoe's opponents: random, perfect"),
    ],
)
def test_muzero_eval_refuses_an_opponent_of_another_game_before_playing(
    runs, monkeypatch, capsys, game, against, message
):
    from envs.connect4.players import AlphaBetaConnectFourPlayer
    from envs.dots_and_boxes.greedy import GreedyDotsAndBoxesPlayer
    from envs.tictactoe.players import PerfectTicTacToePlayer
    from muzero.faces.cli import eval_main

    def no_game(*_):
        raise AssertionError("a game was played")

    for player in (PerfectTicTacToePlayer, AlphaBetaConnectFourPlayer, GreedyDotsAndBoxesPlayer):
        monkeypatch.setattr(player, "act", no_game)
    assert eval_main([runs[game], "--against", against, "--games", "1", "--simulations", "2"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("muzero-eval: error: ") and error.count("\n") == 1
    assert message in error


def test_each_reference_opponent_knows_its_games():
    from envs.registry import reference_player, reference_players

    assert reference_players("tictactoe") == ["random", "perfect"]
    assert reference_players("dots_and_boxes") == ["random", "greedy"]
    assert reference_players("connect4") == ["random", "perfect", "alphabeta:DEPTH (DEPTH 1 to 12)"]
    assert reference_players("pettingzoo:pettingzoo.classic.go_v5") == ["random"]
    assert reference_player("connect4", "alphabeta:12").depth == 12
    reference_player("gym:CartPole-v1", "random")
    with pytest.raises(UserError, match="greedy plays dots_and_boxes, 2048; connect4's opponents: random, perfect"):
        reference_player("connect4", "greedy")
    with pytest.raises(UserError, match="from 1 to 12"):
        reference_player("connect4", "alphabeta:13")


def make_finished_run(folder, steps: int, seconds: float) -> None:
    """A run folder of tictactoe at step `steps` after `seconds` of training, its config asking for `steps`."""
    import dataclasses

    from muzero.faces.games import experiment_config, game_kit
    from muzero.training.checkpoint import Checkpoint, Counters
    from muzero.training.components import build_network
    from muzero.training.run_folder import RunFolder

    config = experiment_config("tictactoe", None, ["network.latent_size=8", "network.hidden_size=16"])
    config = dataclasses.replace(config, run=dataclasses.replace(config.run, training_steps=steps))
    network = build_network(config.network, game_kit(config.game).spec)
    run = RunFolder(folder).create(config)
    run.save(Checkpoint(config, Counters(training_step=steps, seconds=seconds), network.state_dict(), {}))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "already reached its budget of 30 steps (at step 30); raise --steps to train further"),
        (["--steps", "20"], "already reached its budget of 20 steps (at step 30); raise --steps"),
        (["--steps", "100", "--minutes", "1"], "already reached its budget of 1 minute (1.5 trained); raise --minutes"),
    ],
)
def test_resuming_a_run_whose_budget_is_spent_says_so_before_starting_anything(tmp_path, argv, message):
    import subprocess
    import sys
    import time
    from pathlib import Path

    run = tmp_path / "run"
    make_finished_run(run, steps=30, seconds=90.0)
    before = sorted(path.name for path in run.rglob("*"))
    start = time.monotonic()
    command = [str(Path(sys.executable).parent / "muzero-train"), "--resume", str(run), *argv]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"muzero-train: error: run {run} ") and message in lines[0]
    assert time.monotonic() - start < 30  # no Ray started (that alone takes longer)
    assert sorted(path.name for path in run.rglob("*")) == before


def progress_snapshot(step: int, replay_positions: int, *, loss: float = math.nan, evaluation=None):
    """A distributed run's progress snapshot, as the coordinator hands it to the display."""
    from muzero.distributed.messages import ProgressSnapshot, ReplayFill
    from muzero.training.checkpoint import Counters

    counters = Counters(training_step=step, games_played=12_345, positions_played=456_789, seconds=754.0)
    replay = ReplayFill(replay_positions, 700, 50_000)
    return ProgressSnapshot(counters, 1267.4, 15.6, replay, loss=loss, evaluation=evaluation, worker_restarts=1)


def progress_state(step: int, replay_positions: int, **fields):
    """What the display shows of `progress_snapshot(...)`."""
    from muzero.distributed.progress_view import progress_state as state_of

    return state_of(progress_snapshot(step, replay_positions, **fields))


def rendered(renderable, width: int = 80) -> str:
    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None, force_terminal=False)
    console.print(renderable)
    return console.file.getvalue()


EVALUATION_SUMMARY = "eval@900 random 18/1/1 perfect 0/12/8 (w/d/l)"


def an_evaluation():
    from muzero.evaluation.evaluations import EvaluationResult, OpponentResult

    return EvaluationResult(900, (OpponentResult("random", 20, 18, 1, 1), OpponentResult("perfect", 20, 0, 12, 8)))


def test_the_progress_display_shows_every_number_at_80_columns():
    from rich.console import Console, Group

    from muzero.core.config import RunConfig
    from muzero.distributed.progress_view import DistributedProgressView, progress_state
    from muzero.training.progress import render_status

    run = RunConfig(training_steps=30_000, min_replay_positions=1_000)
    snapshot = progress_snapshot(975, 34_610, loss=0.4321, evaluation=an_evaluation())
    parts = ["step 975 / 30,000", "games 12,345", "1,267 pos/s", "15.6 steps/s", "replay 34,610 (69%)", "loss 0.432"]
    parts += ["worker restarts 1", "0:12:34", EVALUATION_SUMMARY]
    text = rendered(render_status(progress_state(snapshot), run))
    assert all(part in text for part in parts), text
    assert all(len(line) <= 80 for line in text.splitlines()) and "…" not in text
    assert "filling the replay buffer" not in text

    terminal = Console(width=80, file=io.StringIO(), color_system=None, force_terminal=True)
    display = DistributedProgressView(run, snapshot.counters, console=terminal)
    assert display.live
    display.show_snapshot(snapshot)  # the coordinator's progress callback
    terminal.print(Group(*display.progress.get_renderables()))
    screen = terminal.file.getvalue()
    assert "training" in screen and "3%" in screen and all(part in screen for part in parts), screen
    assert all(len(line) <= 80 for line in screen.splitlines()) and "…" not in screen


def test_without_a_terminal_the_progress_is_whole_plain_lines_at_an_interval():
    from rich.console import Console

    from muzero.core.config import RunConfig
    from muzero.training.progress import TrainingProgress, plain_status

    run = RunConfig(training_steps=30_000, min_replay_positions=1_000)
    pipe = Console(width=80, file=io.StringIO(), force_terminal=False)
    first = progress_state(0, 430)
    last = progress_state(975, 34_610, loss=0.4321, evaluation=an_evaluation())
    with TrainingProgress(run, first.counters, console=pipe) as display:
        assert not display.live
        display.show(first)
        display.show(last)  # within the interval: no line now, the last state is printed at the end
    lines = pipe.file.getvalue().splitlines()
    assert lines == [plain_status(first, run), plain_status(last, run)]
    assert "\x1b" not in pipe.file.getvalue() and len(lines[1]) > 80
    assert "loss 0.432" in lines[1] and lines[1].endswith(EVALUATION_SUMMARY)


def test_while_the_replay_buffer_fills_the_display_says_what_it_waits_for():
    from muzero.core.config import RunConfig
    from muzero.training.progress import plain_status, render_status

    run = RunConfig(training_steps=30_000, min_replay_positions=1_000)
    waiting = "filling the replay buffer: 430 / 1,000 positions before the first learner step"
    assert waiting in rendered(render_status(progress_state(0, 430), run))
    assert waiting in plain_status(progress_state(0, 430), run)
    resumed = rendered(render_status(progress_state(500, 430), run))
    assert "filling the replay buffer: 430 / 1,000 positions before learning resumes" in resumed
    assert "filling" not in rendered(render_status(progress_state(0, 1_000), run))


def test_smoothed_rates_stay_steady_between_bursty_reports():
    from muzero.training.checkpoint import Counters
    from muzero.training.progress import SlidingRates

    # the learner reports 20 steps and the workers 400 positions once a second; the display asks twice a second
    rates = SlidingRates(Counters(), now=0.0)
    seen = []
    for tick in range(1, 61):
        seconds = tick / 2
        done = int(seconds)  # whole seconds reported so far
        counters = Counters(training_step=20 * done, positions_played=400 * done)
        seen.append(rates.rates(counters, now=seconds))
    assert all(rate["steps_per_second"] > 0 and rate["positions_per_second"] > 0 for rate in seen[1:])
    for rate in seen[20:]:  # once the window is full: within 10% of the true speed, both between and at reports
        assert rate["steps_per_second"] == pytest.approx(20, rel=0.1)
        assert rate["positions_per_second"] == pytest.approx(400, rel=0.1)
    between = rates.rates(Counters(training_step=20 * 30, positions_played=400 * 30), now=30.5)
    assert between["steps_per_second"] > 0  # no new report since the last update: still not 0


def test_muzero_export_refuses_to_write_over_a_bundle_unless_forced(runs, tmp_path, capsys):
    from muzero.faces.cli import export_main
    from muzero.model.bundle import read_bundle

    out = tmp_path / "bundle"
    assert export_main([runs["tictactoe"], "--out", str(out), "--simulations", "7"]) == 0
    capsys.readouterr()
    assert export_main([runs["tictactoe"], "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert (
        error == f"muzero-export: error: --out {out} already holds a model bundle; give --force to replace it, "
        "or another --out\n"
    )
    assert read_bundle(out).info.search["num_simulations"] == 7  # left as it was
    assert export_main([runs["tictactoe"], "--out", str(out), "--force"]) == 0
    assert read_bundle(out).info.search["num_simulations"] != 7  # replaced: the training's simulations


@pytest.fixture
def no_training(monkeypatch):
    """muzero-train's arguments are checked, the run is not started: the setups it would have run."""
    from muzero.distributed import driver

    started = []

    def run_from_cli(setup, settings):
        started.append(setup)
        return 0

    monkeypatch.setattr(driver, "run_from_cli", run_from_cli)
    return started


def one_error_line(capsys, program: str = "muzero-train") -> str:
    error = capsys.readouterr().err
    assert error.startswith(f"{program}: error: ") and error.count("\n") == 1, error
    return error.removeprefix(f"{program}: error: ").strip()


@pytest.mark.parametrize(
    ("kind", "message"), [("folder", "is a folder; give a TOML file"), ("missing", "does not exist; give a TOML file")]
)
def test_train_config_that_is_a_folder_or_missing_is_one_line(tmp_path, capsys, no_training, kind, message):
    from muzero.faces.cli import train_main

    config = tmp_path if kind == "folder" else tmp_path / "missing.toml"
    assert train_main(["tictactoe", "--config", str(config), "--out", str(tmp_path / "run")]) == 2
    assert one_error_line(capsys) == f"--config {config} {message} of settings"
    assert not (tmp_path / "run").exists() and not no_training


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--steps", "0"], "--steps must be at least 1, got 0"),
        (["--steps", "-5"], "--steps must be at least 1, got -5"),
        (["--minutes", "0"], "--minutes must be more than 0, got 0"),
        (["--minutes", "-1.5"], "--minutes must be more than 0, got -1.5"),
    ],
)
def test_train_limits_that_end_the_run_before_its_first_step_are_refused_before_anything_starts(
    tmp_path, capsys, no_training, argv, message
):
    from muzero.faces.cli import train_main

    assert train_main(["tictactoe", "--out", str(tmp_path / "run"), *argv]) == 2
    assert one_error_line(capsys) == message
    assert not (tmp_path / "run").exists() and not no_training


@pytest.mark.parametrize(
    "setting",
    [
        "network.hidden_size=32",
        "game.players=3",
        "replay.capacity=5000",
        "search.discount=0.9",
        "run.seed=3",
        "learner.optimizer=sgd",
    ],
)
def test_a_resume_refuses_a_setting_its_run_holds_and_leaves_the_run_as_it_was(tmp_path, capsys, no_training, setting):
    from muzero.faces.cli import train_main

    run = tmp_path / "run"
    make_finished_run(run, steps=30, seconds=9.0)
    before = {path: path.read_bytes() for path in run.rglob("*") if path.is_file()}
    assert train_main(["--resume", str(run), "--steps", "40", "--set", setting]) == 2
    message = one_error_line(capsys)
    assert message.startswith(f"a resume cannot change {setting.partition('=')[0]}: ")
    assert "it may change run.training_steps, run.minutes" in message and "search.* but search.discount" in message
    assert {path: path.read_bytes() for path in run.rglob("*") if path.is_file()} == before and not no_training


def test_a_resume_takes_a_setting_it_may_change_and_says_so(tmp_path, capsys, no_training):
    from muzero.faces.cli import train_main

    run = tmp_path / "run"
    make_finished_run(run, steps=30, seconds=9.0)
    argv = ["--resume", str(run), "--steps", "40", "--set", "search.num_simulations=7", "--set", "run.log_interval=5"]
    assert train_main(argv) == 0
    (setup,) = no_training
    assert setup.resume and setup.config.search.num_simulations == 7 and setup.config.run.log_interval == 5
    assert setup.config.run.training_steps == 40
    error = capsys.readouterr().err
    assert "muzero-train: resuming with search.num_simulations = 7 (was " in error
    assert "muzero-train: resuming with run.log_interval = 5 (was 50)" in error
    assert "error" not in error


def every_parser():
    from arena.launch import parser as arena_parser
    from muzero.faces.cli import eval_parser, export_parser, train_parser
    from muzero.faces.diagnose_cli import diagnose_parser

    return [train_parser(), export_parser(), eval_parser(), diagnose_parser(), arena_parser()]


@pytest.mark.parametrize("index", range(5))
def test_help_shows_the_default_of_every_option_that_has_one(index):
    import argparse

    parser = every_parser()[index]
    text = " ".join(parser.format_help().split())  # whatever the wrapping
    with_defaults = [
        action
        for action in parser._actions
        if action.option_strings and action.nargs != 0 and action.default not in (None, argparse.SUPPRESS, [])
    ]
    for action in with_defaults:
        assert f"(default: {action.default})" in text, (parser.prog, action.option_strings)
    assert text.count("(default: ") >= len(with_defaults)
    assert "(default: None)" not in text and "(default: False)" not in text


@pytest.mark.parametrize("index", range(5))
def test_every_console_script_tells_its_version(index, capsys):
    from importlib.metadata import version

    parser = every_parser()[index]
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"{parser.prog} {version('muzero-nplayer')}\n"


MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.mark.parametrize(("model", "plies"), [("connect4", 50), ("tictactoe", 9)])
def test_an_opening_that_ends_the_game_is_refused_before_any_player_moves(monkeypatch, capsys, model, plies):
    from muzero.faces.agent import Agent
    from muzero.faces.cli import eval_main

    def no_move(*_):
        raise AssertionError("a player moved")

    monkeypatch.setattr(Agent, "act_many", no_move)
    assert eval_main([str(MODELS / model), "--opening-plies", str(plies), "--games", "1"]) == 2
    message = one_error_line(capsys, "muzero-eval")
    assert message.startswith(f"an opening of {plies} random plies ended a game after ")
    assert message.endswith("plies, before the players moved; choose fewer opening plies")


def test_the_return_interval_never_leaves_the_returns_an_episode_can_have(monkeypatch, capsys):
    import json

    from muzero.faces import eval_episodes
    from muzero.faces.cli import eval_main

    # five CartPole-v1 episodes as the shipped model played them: the normal interval reaches 560.5
    monkeypatch.setattr(eval_episodes, "play_episodes", lambda *_: [185.0, 500.0, 500.0, 500.0, 500.0])
    assert eval_main([str(MODELS / "cartpole"), "--episodes", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["possible_returns"] == [1.0, 500.0]
    assert report["return_interval"] == [pytest.approx(313.5, abs=0.1), 500.0]


@pytest.mark.parametrize(
    ("env_id", "bounds"),
    [("CartPole-v1", (1.0, 500.0)), ("FrozenLake-v1", (0.0, 100.0)), ("LunarLander-v3", None)],
)
def test_the_possible_returns_come_from_the_envs_time_limit_and_step_rewards(env_id, bounds):
    from types import SimpleNamespace

    from muzero.core.config import GameConfig
    from muzero.faces.eval_episodes import clip, return_bounds

    agent = SimpleNamespace(config=SimpleNamespace(game=GameConfig(name=f"gym:{env_id}")))
    assert return_bounds(agent, max_moves=10_000) == bounds  # LunarLander declares no reward range
    assert clip([-3.0, 700.0], bounds) == ([-3.0, 700.0] if bounds is None else list(bounds))
    if env_id == "CartPole-v1":
        assert return_bounds(agent, max_moves=200) == (1.0, 200.0)  # the episodes are cut at max_moves


@pytest.mark.slow
def test_recording_a_video_prints_no_warning_of_a_missing_display(tmp_path):
    import subprocess
    import sys

    environment = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR" and not k.startswith("SDL_")}
    command = [str(Path(sys.executable).parent / "muzero-eval"), str(MODELS / "cartpole"), "--episodes", "1"]
    command += ["--simulations", "2", "--video", str(tmp_path / "videos")]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "XDG_RUNTIME_DIR" not in result.stderr and "ALSA" not in result.stderr, result.stderr
    assert list((tmp_path / "videos").glob("*.mp4")) and "video of one episode" in result.stdout


def test_before_the_first_learner_step_the_display_says_what_the_time_goes_to():
    from rich.console import Console

    from muzero.core.config import RunConfig
    from muzero.training.checkpoint import Counters
    from muzero.training.progress import ProgressState, TrainingProgress, plain_status

    run = RunConfig(training_steps=30_000, min_replay_positions=2_000)

    def state(positions_played: int, replay_positions: int, step: int = 0) -> ProgressState:
        counters = Counters(training_step=step, positions_played=positions_played, seconds=95.0)
        return ProgressState(counters, 0.0, 0.0, replay_positions, 50_000)

    assert "starting self-play: no position played yet" in plain_status(state(0, 0), run)
    filling = plain_status(state(1_234, 1_234), run)
    assert "filling the replay buffer: 1,234 / 2,000 positions before the first learner step" in filling
    ready = plain_status(state(2_345, 2_345), run)
    assert "the replay buffer is ready: waiting for the learner's first step" in ready
    assert "waiting" not in plain_status(state(2_345, 2_345, step=1), run)

    terminal = Console(width=80, file=io.StringIO(), color_system=None, force_terminal=True)
    display = TrainingProgress(run, Counters(), console=terminal, starting="starting Ray…")
    assert rendered(display.details()).strip() == "starting Ray…"  # before the run's first report
    display.show(state(0, 0))
    assert "no position played yet" in rendered(display.details())
