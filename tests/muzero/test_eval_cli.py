"""muzero-eval: per-seat results with intervals, JSON, model against model, round robins, one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from muzero.faces.cli import eval_main
from muzero.faces.games import experiment_config, game_kit, spec_of
from muzero.training.checkpoint import Checkpoint, Counters, save_checkpoint
from muzero.training.components import build_network
from muzero.training.export import export_checkpoint

SMALL = ["network.latent_size=8", "network.hidden_size=16", "network.hidden_layers=1"]


def make_run(folder: Path, game: str, settings: list[str], seed: int) -> Path:
    """A run folder whose latest checkpoint holds a randomly initialised small network (step 5)."""
    config = experiment_config(game, None, [*SMALL, *settings])
    torch.manual_seed(seed)
    network = build_network(config.network, game_kit(config.game).spec)
    save_checkpoint(
        Checkpoint(config, Counters(training_step=5), network.state_dict(), {}), folder / "checkpoints" / "latest.pt"
    )
    return folder


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("eval")
    tictactoe = make_run(root / "tictactoe_run", "tictactoe", [], seed=0)
    other = make_run(root / "other_run", "tictactoe", [], seed=1)
    dots = make_run(root / "dots_run", "dots_and_boxes", ["game.players=3", "game.rows=2", "game.cols=2"], seed=2)
    broken = root / "broken"
    broken.mkdir()
    (broken / "model.json").write_text("{not json")
    return {
        "bundle": str(export_checkpoint(tictactoe, root / "tictactoe_bundle", spec_of)),
        "run": str(tictactoe),
        "other_bundle": str(export_checkpoint(other, root / "other_bundle", spec_of)),
        "dots_bundle": str(export_checkpoint(dots, root / "dots_bundle", spec_of)),
        "broken": str(broken),
        "missing": str(root / "missing"),
    }


def run_json(capsys, *argv: str) -> dict:
    assert eval_main([*argv, "--json", "--simulations", "2"]) == 0
    return json.loads(capsys.readouterr().out)


def check_seat(seat: dict, games: int) -> None:
    assert seat["games"] == games == seat["wins"] + seat["draws"] + seat["losses"]
    for rate, interval in ((seat["win_rate"], seat["win_interval"]), (seat["loss_rate"], seat["loss_interval"])):
        assert 0 <= interval[0] <= rate <= interval[1] <= 1


def test_json_has_per_seat_results_with_intervals(models, capsys):
    report = run_json(capsys, models["bundle"], "--against", "random", "--games", "3")
    assert report["game"] == "tictactoe" and report["training_step"] == 5 and report["simulations"] == 2
    assert [seat["seat"] for seat in report["seats"]] == [0, 1]
    for seat in report["seats"]:
        check_seat(seat, 3)
    check_seat(report["total"], 6)


def test_a_three_player_model_is_evaluated_in_each_of_three_seats(models, capsys):
    report = run_json(capsys, models["dots_bundle"], "--against", "greedy", "--games", "2")
    assert [seat["seat"] for seat in report["seats"]] == [0, 1, 2]
    for seat in report["seats"]:
        check_seat(seat, 2)
        assert 0 <= seat["mean_return"] <= 4  # boxes of a 2x2 board


def test_average_symmetries_is_the_models_setting_unless_the_flag_says(models, capsys):
    assert run_json(capsys, models["dots_bundle"], "--games", "1")["average_symmetries"] is True  # the preset's
    assert run_json(capsys, models["bundle"], "--games", "1")["average_symmetries"] is False
    report = run_json(capsys, models["dots_bundle"], "--games", "2", "--no-average-symmetries")
    assert report["average_symmetries"] is False
    for seat in report["seats"]:
        check_seat(seat, 2)
    report = run_json(capsys, models["bundle"], "--games", "2", "--average-symmetries")
    assert report["average_symmetries"] is True
    for seat in report["seats"]:
        check_seat(seat, 2)


def test_a_model_plays_another_model_and_a_run_folder_plays_its_own_bundle(models, capsys):
    argv = [models["bundle"], "--against", models["other_bundle"], "--games", "2", "--simulations", "2", "--json"]
    assert eval_main(argv) == 0
    captured = capsys.readouterr()
    check_seat(json.loads(captured.out)["total"], 4)
    assert "--temperature" in captured.err  # the note: two deterministic models repeat the same game
    report = run_json(capsys, models["run"], "--against", models["bundle"], "--games", "1")
    assert report["total"]["wins"] == report["total"]["losses"]  # the same network in both seats: mirror games


def test_text_output_has_a_row_per_seat_and_a_total(models, capsys):
    assert eval_main([models["bundle"], "--against", "perfect", "--games", "2", "--simulations", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "against perfect" in lines[0]
    assert [line.split()[0] for line in lines[2:]] == ["0", "1", "all"]


def test_the_shipped_connect_four_model_plays_the_perfect_player_in_both_seats(capsys):
    report = run_json(
        capsys,
        str(Path(__file__).parents[2] / "models" / "connect4"),
        "--against",
        "perfect",
        "--games",
        "1",
        "--opening-plies",
        "0",
    )
    assert report["game"] == "connect4" and [seat["seat"] for seat in report["seats"]] == [0, 1]
    # moving second against a perfect first player loses whatever the model does
    assert report["seats"][1]["losses"] == 1


def test_round_robin_prints_an_elo_table_anchored_at_mean_zero(models, capsys):
    names = [models["bundle"], models["other_bundle"], models["run"]]
    report = run_json(capsys, "--round-robin", *names, "--games", "1", "--temperature", "0.5")
    assert [row["model"] for row in report["models"]] == names and "mean 0" in report["elo_anchor"]
    assert np.mean([row["elo"] for row in report["models"]]) == pytest.approx(0, abs=1e-6)
    assert len(report["pairs"]) == 3 and all(p["wins"] + p["draws"] + p["losses"] == 2 for p in report["pairs"])
    assert sum(row["points"] for row in report["models"]) == pytest.approx(6)
    assert eval_main(["--round-robin", *names[:2], "--games", "1", "--simulations", "2"]) == 0
    assert "Elo" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["{missing}"], "does not exist"),
        (["{broken}"], "not valid JSON"),
        (["{bundle}", "--against", "{dots_bundle}"], "same game"),
        (["--round-robin", "{bundle}", "{dots_bundle}"], "same game"),
        (["{bundle}", "--games", "0"], "--games must be at least 1"),
        (["{bundle}", "--against", "champion"], "unknown opponent 'champion'"),
        (["{bundle}", "--simulations", "0"], "num_simulations' must be at least 1"),
        (["{bundle}", "--round-robin", "{bundle}", "{run}"], "not both"),
        (["--round-robin", "{bundle}"], "at least two models"),
        ([], "give a MODEL"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(models, capsys, argv, message):
    assert eval_main([arg.format(**models) for arg in argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith("muzero-eval: error: ") and error.count("\n") == 1 and message in error


@pytest.mark.parametrize("script", ["muzero-eval", "muzero-export"])
def test_console_scripts_are_installed_and_answer_bad_input_with_exit_code_2(models, script, tmp_path):
    argv = [models["missing"]] if script == "muzero-eval" else [models["missing"], "--out", str(tmp_path / "b")]
    result = subprocess.run([str(Path(sys.executable).parent / script), *argv], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith(f"{script}: error: ")
    assert result.stderr.count("\n") == 1
