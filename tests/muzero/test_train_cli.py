"""muzero-train as a user runs it: Ctrl-C saves and exits 0, --resume continues, a corrupt checkpoint is refused."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from muzero.training.checkpoint import load_checkpoint
from tests.muzero.test_training import TINY

MUZERO_TRAIN = str(Path(sys.executable).parent / "muzero-train")
SETTINGS = [arg for setting in TINY for arg in ("--set", setting)]


def wait_for(path: Path, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} did not appear in {seconds} s"
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [["--sync"], ["--workers", "1"]])
def test_sigint_saves_a_checkpoint_and_resume_continues_from_its_step(tmp_path, mode):
    run = tmp_path / "run"
    command = [MUZERO_TRAIN, "tictactoe", *SETTINGS, *mode, "--steps", "1000000", "--out", str(run), "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(run / "checkpoints" / "step_00000010.pt", process, 180)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "stopped by signal" in stdout
    saved = load_checkpoint(run).counters.training_step
    assert saved >= 10 and (run / "replay.npz").is_file()
    resumed = subprocess.run(
        [MUZERO_TRAIN, "--resume", str(run), *mode, "--steps", str(saved + 5), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert load_checkpoint(run).counters.training_step == saved + 5


def test_resume_of_a_corrupt_checkpoint_is_refused_and_the_file_kept(tmp_path):
    latest = tmp_path / "run" / "checkpoints" / "latest.pt"
    latest.parent.mkdir(parents=True)
    latest.write_bytes(b"not a checkpoint at all")
    (tmp_path / "run" / "config.toml").write_text('[game]\nname = "tictactoe"\n')
    completed = subprocess.run(
        [MUZERO_TRAIN, "--resume", str(tmp_path / "run"), "--quiet"], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a checkpoint of this project" in lines[0]
    assert latest.read_bytes() == b"not a checkpoint at all"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--resume", "no/such/run"], "does not exist"),
        (["tictactoe", "--workers", "0"], "--workers must be at least 1"),
        (["tictactoe", "--sync", "--workers", "2"], "--sync trains in this process"),
        ([], "name a game"),
    ],
)
def test_bad_command_lines_get_one_line_errors(argv, message, capsys):
    from muzero.faces.cli import train_main

    assert train_main([*argv, "--quiet"]) == 2
    assert message in capsys.readouterr().err
