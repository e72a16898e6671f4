"""What a new user runs into first: one-line errors instead of tracebacks, budgets and opponents checked
before anything starts, a progress display that shows everything at 80 columns."""

import collections
import io
import math
import os
import pickle

import pytest

from muzero.checkpoint import load_checkpoint
from muzero.errors import UserError


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
    from muzero.agent import Agent

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
    from muzero.checkpoint import Checkpoint, Counters, save_checkpoint
    from muzero.components import build_network
    from muzero.games import experiment_config, game_kit

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
        ("tictactoe", "greedy", "greedy plays dots_and_boxes; tictactoe's opponents: random, perfect"),
        ("dots_and_boxes", "perfect", "perfect plays tictactoe, connect4; dots_and_boxes's opponents: random, greedy"),
        ("connect4", "alphabeta:99", "'alphabeta:99': the alpha-beta depth is a whole number from 1 to 12"),
        ("connect4", "alphabeta:0", "from 1 to 12"),
        ("tictactoe", "alphabeta:3", "alphabeta plays connect4; tictactoe's opponents: random, perfect"),
    ],
)
def test_muzero_eval_refuses_an_opponent_of_another_game_before_playing(
    runs, monkeypatch, capsys, game, against, message
):
    from envs import opponents
    from envs.dots_and_boxes.greedy import GreedyDotsAndBoxesPlayer
    from muzero.cli import eval_main

    def no_game(*_):
        raise AssertionError("a game was played")

    for player in (opponents.PerfectTicTacToePlayer, opponents.AlphaBetaConnectFourPlayer, GreedyDotsAndBoxesPlayer):
        monkeypatch.setattr(player, "act", no_game)
    assert eval_main([runs[game], "--against", against, "--games", "1", "--simulations", "2"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("muzero-eval: error: ") and error.count("\n") == 1
    assert message in error


def test_each_reference_opponent_knows_its_games():
    from envs.opponents import opponent, opponents_of

    assert opponents_of("tictactoe") == ["random", "perfect"]
    assert opponents_of("dots_and_boxes") == ["random", "greedy"]
    assert opponents_of("connect4") == ["random", "perfect", "alphabeta:DEPTH (DEPTH 1 to 12)"]
    assert opponents_of("pettingzoo:pettingzoo.classic.go_v5") == ["random"]
    assert opponent("alphabeta:12", game="connect4").depth == 12
    opponent("random", game="gym:CartPole-v1")
    with pytest.raises(UserError, match="greedy plays dots_and_boxes; connect4's opponents: random, perfect"):
        opponent("greedy", game="connect4")
    with pytest.raises(UserError, match="from 1 to 12"):
        opponent("alphabeta:13")


def make_finished_run(folder, steps: int, seconds: float) -> None:
    """A run folder of tictactoe at step `steps` after `seconds` of training, its config asking for `steps`."""
    import dataclasses

    from muzero.checkpoint import Checkpoint, Counters
    from muzero.components import build_network
    from muzero.games import experiment_config, game_kit
    from muzero.run_folder import RunFolder

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
    from muzero.checkpoint import Counters
    from muzero.distributed.messages import ProgressSnapshot, ReplayFill

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
    from muzero.distributed.messages import EvaluationResult, OpponentResult

    return EvaluationResult(900, (OpponentResult("random", 20, 18, 1, 1), OpponentResult("perfect", 20, 0, 12, 8)))


def test_the_progress_display_shows_every_number_at_80_columns():
    from rich.console import Console, Group

    from muzero.config import RunConfig
    from muzero.distributed.progress_view import DistributedProgressView, progress_state
    from muzero.progress import render_status

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

    from muzero.config import RunConfig
    from muzero.progress import TrainingProgress, plain_status

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
    from muzero.config import RunConfig
    from muzero.progress import plain_status, render_status

    run = RunConfig(training_steps=30_000, min_replay_positions=1_000)
    waiting = "filling the replay buffer: 430 / 1,000 positions before the first learner step"
    assert waiting in rendered(render_status(progress_state(0, 430), run))
    assert waiting in plain_status(progress_state(0, 430), run)
    resumed = rendered(render_status(progress_state(500, 430), run))
    assert "filling the replay buffer: 430 / 1,000 positions before learning resumes" in resumed
    assert "filling" not in rendered(render_status(progress_state(0, 1_000), run))


def test_smoothed_rates_stay_steady_between_bursty_reports():
    from muzero.checkpoint import Counters
    from muzero.progress import SlidingRates

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
