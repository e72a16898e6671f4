"""Ray's token authentication stays on and quiet: a local Ray asks for it without Ray's warning, and
`muzero-train --ray-address` joins a `ray start --head` cluster with the token where Ray keeps it.

Each test gets its own HOME (so its own ~/.ray/auth_token) and never touches the user's. The head is stopped by
signalling the `ray start --block` process this test started, not with `ray stop`, which would stop every Ray
of the machine (other test runs' included).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from muzero.distributed.ray_auth import ask_cluster
from muzero.training.checkpoint import load_checkpoint

BIN = Path(sys.executable).parent
TINY = [
    "network.latent_size=16",
    "network.hidden_size=32",
    "network.hidden_layers=1",
    "learner.batch_size=16",
    "run.min_replay_positions=50",
    "selfplay.parallel_games=4",
    "search.num_simulations=4",
    "run.log_interval=5",
]


def clean_environment(home: Path) -> dict[str, str]:
    """This process's environment with HOME=`home` and none of the user's Ray authentication settings."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("RAY_AUTH")}
    environment["HOME"] = str(home)
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_a_local_ray_keeps_token_authentication_without_rays_warning(tmp_path):
    script = (
        "import ray\n"
        "from pathlib import Path\n"
        "from muzero.distributed.driver import ray_session\n"
        "from muzero.distributed.ray_auth import ask_cluster\n"
        "with ray_session(None):\n"
        "    address = ray.get_runtime_context().gcs_address\n"
        "    token = (Path.home() / '.ray' / 'auth_token').read_text().strip()\n"
        "    print(ask_cluster(address, None), ask_cluster(address, token))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=clean_environment(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["refused", "answered"]  # without the token the cluster refuses
    assert "Token authentication is enabled" not in result.stderr


@pytest.mark.slow
def test_muzero_train_joins_a_ray_start_head_cluster_with_token_authentication(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    environment = clean_environment(home)
    generated = subprocess.run(
        [str(BIN / "ray"), "get-auth-token", "--generate"], env=environment, capture_output=True, text=True, timeout=60
    )
    assert generated.returncode == 0, generated.stderr
    token = (home / ".ray" / "auth_token").read_text().strip()
    port = free_port()
    ray_temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths must stay under 108 bytes
    head_log = tmp_path / "head.log"
    command = [str(BIN / "ray"), "start", "--head", f"--port={port}", "--block", f"--temp-dir={ray_temp}"]
    command += ["--include-dashboard=false", "--disable-usage-stats"]
    with head_log.open("w") as log:
        head = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while ask_cluster(address, token) != "answered":
            assert head.poll() is None and time.monotonic() < deadline, head_log.read_text()
            time.sleep(0.5)
        assert ask_cluster(address, None) == "refused"  # the head runs with token authentication on

        train = [str(BIN / "muzero-train"), "tictactoe", "--ray-address", address, "--steps", "20", "--workers", "1"]
        train += [arg for setting in TINY for arg in ("--set", setting)] + ["--quiet"]
        run = tmp_path / "run"
        result = subprocess.run(
            [*train, "--out", str(run)], env=environment, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert load_checkpoint(run).counters.training_step == 20

        stranger = tmp_path / "stranger"  # a machine without the token
        stranger.mkdir()
        refused = subprocess.run(
            [*train, "--out", str(tmp_path / "refused")],
            env=clean_environment(stranger),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 2
        error = refused.stderr.strip().splitlines()[-1]
        assert error.startswith(f"muzero-train: error: cannot join the Ray cluster at {address}: it requires")
        assert "~/.ray/auth_token" in error and "RAY_AUTH_TOKEN" in error
        assert not (tmp_path / "refused").exists()
    finally:
        head.send_signal(signal.SIGTERM)  # `ray start --block` stops the processes it started
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        shutil.rmtree(ray_temp, ignore_errors=True)


def test_an_address_where_nothing_answers_is_one_line_before_the_run_folder_is_made(tmp_path, monkeypatch, capsys):
    from muzero.faces.cli import train_main

    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")  # leaves this process's Ray settings as they are
    address = f"127.0.0.1:{free_port()}"
    assert ask_cluster(address, None) == "silent"
    start = time.monotonic()
    argv = ["tictactoe", "--ray-address", address, "--out", str(tmp_path / "run"), "--quiet"]
    assert train_main([*argv, *(arg for setting in TINY for arg in ("--set", setting))]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == (
        f"muzero-train: error: cannot join the Ray cluster at {address}: nothing answers there; start it with "
        "`ray start --head --port=PORT` on the head node, or check the address and that the port is open"
    )
    assert time.monotonic() - start < 20 and not (tmp_path / "run").exists()
