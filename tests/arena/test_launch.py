"""muzero-arena's command line: streamlit run on the app, on 127.0.0.1 unless told, headless with its usage
statistics off whatever the user's Streamlit files say, one-line errors, signals passed on to Streamlit."""

import contextlib
import http.server
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from arena.launch import APP, HEALTH_PATH, command, environment, main, open_when_served, parser
from tests.browser.conftest import free_port, start_server

ARENA = str(Path(sys.executable).parent / "muzero-arena")


def test_the_page_is_served_on_this_machine_by_default_with_the_options_given():
    default = command(parser().parse_args([]))
    assert default[1:5] == ["-m", "streamlit", "run", str(APP)]
    assert "--server.address=127.0.0.1" in default and "--server.port=8501" in default
    chosen = command(parser().parse_args(["--port", "8600", "--address", "0.0.0.0", "--no-browser"]))
    assert {"--server.address=0.0.0.0", "--server.port=8600", "--server.headless=true"} <= set(chosen)


@pytest.mark.parametrize("argv", [[], ["--no-browser"]])
def test_streamlit_is_headless_and_sends_no_statistics_whatever_its_files_or_environment_say(
    argv, monkeypatch, tmp_path
):
    monkeypatch.setenv("STREAMLIT_SERVER_HEADLESS", "false")
    monkeypatch.setenv("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "true")
    line = command(parser().parse_args(argv))
    # command-line flags come before every config file and environment variable of Streamlit's
    assert {"--server.headless=true", "--browser.gatherUsageStats=false"} <= set(line)
    assert not any(flag.startswith("--server.headless=false") or "gatherUsageStats=true" in flag for flag in line)
    child = environment(tmp_path)
    assert child["STREAMLIT_SERVER_HEADLESS"] == "true" and child["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"
    assert child["MUZERO_ARENA_MODELS"] == str(tmp_path.resolve())


def test_bad_options_are_one_line_and_exit_code_2(tmp_path, capsys):
    assert main(["--port", "70000"]) == 2
    assert main(["--models", str(tmp_path / "missing")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and all(line.startswith("muzero-arena: error: ") for line in errors)


def test_a_file_given_as_the_models_folder_is_said_to_be_a_file(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# not models")
    assert main(["--models", str(readme)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"muzero-arena: error: --models {readme} is a file, not a folder of model bundles\n"
    assert "does not exist" not in captured.err and captured.out == ""


def test_a_busy_port_is_one_line_before_any_address_is_announced(tmp_path, capsys, monkeypatch):
    def no_streamlit(*_, **__):
        raise AssertionError("streamlit was started")

    monkeypatch.setattr("subprocess.Popen", no_streamlit)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port), "--models", str(tmp_path), "--no-browser"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no URL announced
    assert captured.err == (
        f"muzero-arena: error: port {port} on 127.0.0.1 is in use (another muzero-arena?); choose another --port\n"
    )


@contextlib.contextmanager
def health_server(folder: Path):
    """A local HTTP server on a free port whose HEALTH_PATH answers 200, as Streamlit's does; its URL."""
    (folder / HEALTH_PATH.strip("/")).parent.mkdir(parents=True)
    (folder / HEALTH_PATH.strip("/")).write_text("ok")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_browser_opens_once_the_page_is_served_and_never_when_the_server_stopped(tmp_path):
    opened = []
    with health_server(tmp_path) as url:
        assert open_when_served(url, running=lambda: True, open_page=opened.append)
    assert opened == [url]
    unserved = f"http://127.0.0.1:{free_port()}"
    assert not open_when_served(unserved, running=lambda: False, open_page=opened.append)
    assert not open_when_served(unserved, running=lambda: True, open_page=opened.append, wait=0.5)
    assert opened == [url]


def streamlit_children(pid: int) -> list[int]:
    """The `streamlit run` processes among the children of process `pid`."""
    children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [child for child in children if b"streamlit" in command_line(child)]


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # it ended meanwhile (the browser script)
        return b""


def wait_until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads a process's children from /proc")
def test_a_first_launch_without_a_terminal_serves_opens_the_browser_and_stops_streamlit_on_sigterm(tmp_path):
    home = tmp_path / "home"  # Streamlit never ran here: no credentials, a config that asks for its prompt
    (home / ".streamlit").mkdir(parents=True)
    (home / ".streamlit" / "config.toml").write_text("[server]\nheadless = false\n[browser]\ngatherUsageStats = true\n")
    opened = tmp_path / "opened"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    environment = {**os.environ, "HOME": str(home), "BROWSER": str(browser)}
    port = free_port()
    # stdin is not a terminal: start_server gives it /dev/null
    with start_server([ARENA, "--port", str(port)], port, HEALTH_PATH, timeout=60, env=environment) as launcher:
        assert wait_until(opened.exists), "the browser was not opened"
        assert opened.read_text().strip() == f"http://127.0.0.1:{port}"
        (streamlit,) = streamlit_children(launcher.pid)
        os.kill(launcher.pid, signal.SIGTERM)  # the launcher alone, not its process group
        assert launcher.wait(timeout=30) == 0
        assert wait_until(lambda: not Path(f"/proc/{streamlit}").exists()), "streamlit run is still running"
        assert wait_until(lambda: port_is_free(port)), f"port {port} is still held"
