"""muzero-diagnose: a model that is the real game makes no error (dots-and-boxes extra turns included), an
untrained network clearly does, the reports and plots are written, bad input is one line and exit code 2, and a
bundle is diagnosed without torch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from muzero.diagnosis import diagnose, observation_text, play_recorded_games
from muzero.diagnosis.measure import Positions, policy_agreement
from muzero.diagnosis.plots import PLOT_FILES
from muzero.faces.agent import Agent
from muzero.faces.diagnose_cli import diagnose_main
from muzero.faces.games import spec_of
from muzero.model.inference import InitialOutput
from muzero.search import RecurrentOutput
from muzero.training.export import export_checkpoint
from tests.muzero.test_eval_cli import make_run

ROOT = Path(__file__).resolve().parents[2]
# the learned search with its dynamics trained, which is what muzero-diagnose checks (the preset searches with
# the game's rules and trains no dynamics)
DOTS_2X2 = ["game.players=3", "game.rows=2", "game.cols=2", "search.dynamics=learned", "replay.unroll_steps=3"]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, str]:
    """Untrained small networks: tic-tac-toe, and 3-player dots and boxes on a 2x2 board."""
    root = tmp_path_factory.mktemp("diagnose")
    tictactoe = make_run(root / "tictactoe_run", "tictactoe", [], seed=0)
    dots = make_run(root / "dots_run", "dots_and_boxes", DOTS_2X2, seed=2)
    return {
        "tictactoe": str(export_checkpoint(tictactoe, root / "tictactoe_bundle", spec_of)),
        "dots": str(export_checkpoint(dots, root / "dots_bundle", spec_of)),
        "missing": str(root / "missing"),
        "a_file": str(root / "tictactoe_run" / "checkpoints" / "latest.pt"),
    }


class RecordedGame:
    """The real game behind the Model protocol, for recorded games whose positions are all different (one game):
    a latent is the number of a recorded position or `end`, the end of the game. The model answers with what
    really happened: the rewards, who moved next, every player's real return from there, and the search's policy
    as logits."""

    def __init__(self, records, discount: float = 1.0) -> None:
        self.positions = Positions.of(records, discount)
        self.end = self.positions.count
        self.position_of: dict[tuple[bytes, int], int] = {}
        for index in range(self.positions.count):
            key = (self.positions.observations[index].tobytes(), int(self.positions.to_play[index]))
            assert key not in self.position_of, "a position met twice: its futures could differ"
            self.position_of[key] = index

    def answers(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(next-player logits, policy logits, values) at positions `index` (zeros at `end`)."""
        over = index == self.end
        known = np.where(over, 0, index)
        players = self.positions.rewards.shape[1]
        next_player = np.eye(players, dtype=np.float32)[self.positions.to_play[known]] * ~over[:, None]
        policy = np.nan_to_num(self.positions.policies[known], nan=1.0)
        logits = np.log(np.maximum(policy, 1e-30)).astype(np.float32)
        values = np.where(over[:, None], 0.0, self.positions.returns[known]).astype(np.float32)
        return next_player, logits, values

    def initial_inference(self, observations: np.ndarray, to_play: np.ndarray) -> InitialOutput:
        index = np.array([self.position_of[(o.tobytes(), int(p))] for o, p in zip(observations, to_play, strict=True)])
        _, logits, values = self.answers(index)
        return InitialOutput(index[:, None].astype(np.float32), logits, values)

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        index = latents[:, 0].astype(np.int64)
        assert (index != self.end).all() and (actions == self.positions.actions[index]).all(), "off the games"
        following = np.where(self.positions.remaining[index] > 1, index + 1, self.end)
        next_player, logits, values = self.answers(following)
        rewards = self.positions.rewards[index]
        return RecurrentOutput(following[:, None].astype(np.float32), rewards, next_player, logits, values)


def one_game(bundle: str):
    """(agent, records): one game of the agent against itself, 2 simulations a move."""
    agent = Agent.load(bundle, num_simulations=2, temperature=0.0, seed=0)
    return agent, play_recorded_games(agent, None, games=1, seed=0)


def assert_no_error(diagnosis, horizon: int) -> None:
    assert [row.horizon for row in diagnosis.horizons] == list(range(horizon + 1))
    for row in diagnosis.horizons:
        assert row.value_error == 0 and set(row.value_error_per_player) == {0.0}
        assert row.policy_top1 == 1.0 and row.policy_kl == pytest.approx(0, abs=1e-6)
        if row.horizon > 0:
            assert row.reward_error == 0 and set(row.reward_error_per_player) == {0.0}
            assert row.next_player_positions == 0 or row.next_player_accuracy == 1.0
            assert row.extra_turn_positions == 0 or row.extra_turn_accuracy == 1.0
    assert all(position.error == 0 for position in diagnosis.worst)


def test_a_model_that_is_the_real_tictactoe_makes_no_error(bundles):
    _, records = one_game(bundles["tictactoe"])
    assert all(record.searched.all() for record in records)  # against itself: every move searched
    returns = records[0].returns(1.0)
    assert returns[0].sum() == 0 and (returns[-1] == 0).all()  # zero-sum, nothing after the end
    diagnosis = diagnose(RecordedGame(records), records, horizon=4)
    assert_no_error(diagnosis, 4)
    assert diagnosis.horizons[1].next_player_accuracy == 1.0
    assert diagnosis.games["extra_turns"] == 0


def test_a_model_that_is_the_real_three_player_dots_and_boxes_makes_no_error_extra_turns_included(bundles):
    agent, records = one_game(bundles["dots"])
    assert records[0].extra_turns.any(), "no extra turn to check"
    assert records[0].returns(1.0)[0].sum() == 4  # the 4 boxes of a 2x2 board
    real = diagnose(RecordedGame(records), records, horizon=3)
    assert_no_error(real, 3)
    assert sum(row.extra_turn_positions for row in real.horizons) > 0
    assert all(row.next_player_accuracy == 1.0 for row in real.horizons[1:] if row.next_player_positions)

    untrained = diagnose(agent.model, records, horizon=3)
    assert all(row.value_error > 0.2 for row in untrained.horizons)  # its value heads start at zero
    assert untrained.worst[0].error > 0.5
    assert untrained.horizons[1].next_player_accuracy < 1.0


def test_the_untrained_models_errors_are_per_player_and_its_worst_positions_are_shown_as_boards(bundles):
    agent, records = one_game(bundles["dots"])
    diagnosis = diagnose(agent.model, records, horizon=2, worst=3)
    assert all(len(row.value_error_per_player) == 3 for row in diagnosis.horizons)
    assert len(diagnosis.worst) == 3 and diagnosis.worst[0].error >= diagnosis.worst[-1].error
    assert diagnosis.worst[0].board == records[0].boards[diagnosis.worst[0].move]
    assert len(diagnosis.trace.imagined_values) == records[0].length + 1
    json.dumps(diagnosis.as_dict())  # JSON-ready


def test_policy_agreement_is_top_one_and_kl_over_the_legal_moves():
    search_policy = np.array([[0.0, 0.75, 0.25], [0.5, 0.5, 0.0]], dtype=np.float32)
    legal = np.array([[False, True, True], [True, True, True]])
    top1, kl = policy_agreement(search_policy, np.array([[9.0, 1.0, 0.0], [0.0, 0.0, 0.0]]), legal)
    assert top1.tolist() == [True, True]  # the illegal move's logit does not count
    e = np.e
    assert kl[0] == pytest.approx(0.75 * np.log(0.75 / (e / (e + 1))) + 0.25 * np.log(0.25 / (1 / (e + 1))))
    assert kl[1] == pytest.approx(np.log(1.5))


def test_an_observation_of_planes_is_drawn_one_symbol_per_square():
    planes = np.zeros((2, 3, 3), dtype=np.float32)
    planes[0, 1, 1] = planes[1, 0, 2] = 1
    assert observation_text(planes) == "..2\n.1.\n..."
    assert observation_text(np.array([0.5, -1.0])) == "[ 0.5 -1. ]"


def run_cli(*argv: str) -> int:
    return diagnose_main([*argv, "--simulations", "2"])


def test_the_cli_writes_the_reports_and_plots_and_prints_a_summary(bundles, tmp_path, capsys):
    out = tmp_path / "report"
    assert (
        run_cli(bundles["tictactoe"], "--games", "2", "--horizon", "3", "--against", "random", "--out", str(out)) == 0
    )
    printed = capsys.readouterr().out
    assert "reward err" in printed and "next player" in printed and f"wrote {out}" in printed
    assert len([line for line in printed.splitlines() if line.strip()[:1].isdigit()]) == 4  # k = 0..3
    report = json.loads((out / "report.json").read_text())
    assert report["about"]["against"] == "random" and report["games"]["games"] == 2
    assert 0 < report["games"]["searched_positions"] < report["games"]["positions"]  # the opponent's moves: none
    assert [row["horizon"] for row in report["horizons"]] == [0, 1, 2, 3]
    assert all(len(row["value_error_per_player"]) == 2 for row in report["horizons"])
    assert "| k | positions |" in (out / "report.md").read_text()
    for name in PLOT_FILES:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_default_report_folder_is_named_after_the_model(bundles, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run_cli(bundles["dots"], "--games", "1", "--horizon", "2", "--against", "greedy") == 0
    report = json.loads((tmp_path / "diagnosis" / "dots_bundle" / "report.json").read_text())
    assert report["about"]["players"] == 3 and len(report["horizons"][0]["value_error_per_player"]) == 3


def test_another_model_of_the_same_game_can_be_the_opponent(bundles, tmp_path, capsys):
    out = tmp_path / "against_a_model"
    assert run_cli(bundles["tictactoe"], "--games", "2", "--against", bundles["tictactoe"], "--out", str(out)) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["about"]["against"] == bundles["tictactoe"]
    assert 0 < report["games"]["searched_positions"] < report["games"]["positions"]  # its own moves only


@pytest.mark.parametrize(
    "argv, message",
    [
        (["{missing}"], "does not exist"),
        (["{tictactoe}", "--horizon", "0"], "horizon must be at least 1"),
        (["{tictactoe}", "--games", "0"], "games must be at least 1"),
        (["{tictactoe}", "--against", "greedy"], "greedy plays dots_and_boxes"),
        (["{tictactoe}", "--against", "{dots}"], "same game"),
        (["{tictactoe}", "--simulations", "0"], "num_simulations' must be at least 1"),
        (["{tictactoe}", "--games", "1", "--out", "{a_file}"], "cannot write the report"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(bundles, capsys, argv, message):
    assert diagnose_main([arg.format(**bundles) for arg in argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith("muzero-diagnose: error: ") and error.count("\n") == 1 and message in error


DIAGNOSE_A_BUNDLE = """
import sys
from muzero.faces.diagnose_cli import diagnose_main
code = diagnose_main([{bundle!r}, "--games", "1", "--horizon", "2", "--simulations", "2", "--out", {out!r}])
print(code, sorted(name for name in ("torch", "ray") if name in sys.modules))
"""


def test_diagnosing_a_bundle_loads_neither_torch_nor_ray(bundles, tmp_path):
    code = DIAGNOSE_A_BUNDLE.format(bundle=bundles["tictactoe"], out=str(tmp_path / "out"))
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT, env=dict(os.environ)
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "0 []"
    assert (tmp_path / "out" / "report.json").is_file()


def test_the_console_script_is_installed_and_answers_bad_input_with_exit_code_2(bundles):
    script = Path(sys.executable).parent / "muzero-diagnose"
    result = subprocess.run([str(script), bundles["missing"]], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("muzero-diagnose: error: ")
    assert result.stderr.count("\n") == 1
