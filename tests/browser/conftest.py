"""Browser-test harness: Debian's chromium driven by Playwright, and servers started for a test.

Playwright never downloads a browser of its own here (no `playwright install`): it launches the system
`chromium` (installed by `.ci/run` when missing). Without chromium the browser tests skip on a developer's
machine and fail under CI (the `CI` environment variable set), so CI can never pass by skipping them.

Helpers for test modules (import them as `from tests.browser.conftest import free_port, start_server`):
- `free_port()`: a TCP port on 127.0.0.1 that is free right now.
- `start_server(command, port, ready_path="/", timeout=60)`: a context manager that starts a server
  process, waits until http://127.0.0.1:PORT/READY_PATH answers 200, yields the `subprocess.Popen`, and
  stops the process (SIGTERM, then SIGKILL after 10 s) when the block ends. For Streamlit, use
  `ready_path="/_stcore/health"`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("arena_latency", ROOT / "benchmarks" / "arena_latency.py")
arena_latency = importlib.util.module_from_spec(_spec)  # the arena's page driver and chromium's flags
_spec.loader.exec_module(arena_latency)
CHROMIUM_ARGS = arena_latency.CHROMIUM_ARGS
VIEWPORT = {"width": 1280, "height": 900}
STOP_GRACE_S = 10.0

# Polls go straight to 127.0.0.1, whatever proxy the environment names.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def chromium_path() -> str | None:
    return shutil.which("chromium")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers_200(url: str) -> bool:
    try:
        with _NO_PROXY_OPENER.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):  # refused, reset, timed out, or an HTTP error status
        return False


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group, SIGKILL after STOP_GRACE_S."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def start_server(
    command: list[str],
    port: int,
    ready_path: str = "/",
    timeout: float = 60,
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[subprocess.Popen]:
    """Start `command`, wait until http://127.0.0.1:PORT/READY_PATH answers 200, yield the process, stop it.

    The process runs in a session of its own (so a wrapper's children stop with it); its stdout and stderr
    go to a temporary file, whose tail is in the error raised when it exits early or never gets ready.
    """
    url = f"http://127.0.0.1:{port}/{ready_path.lstrip('/')}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _answers_200(url):
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{command} exited with {process.returncode} before {url} answered 200:\n{_tail(log)}"
                    )
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not answer 200 within {timeout} s of {command}:\n{_tail(log)}")
                time.sleep(0.1)
            yield process
        finally:
            _stop(process)


def _tail(log, limit: int = 4000) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-limit:]


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium, launched by Playwright, shared by the tests of one module."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not on PATH under CI: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # a dev dependency; imported here to keep helpers light

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser):
    """A fresh page (in its own browser context) for each test, 1280x900."""
    fresh = browser.new_page(viewport=VIEWPORT)
    try:
        yield fresh
    finally:
        fresh.close()
