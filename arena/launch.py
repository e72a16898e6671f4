"""`muzero-arena`: serves the arena page with Streamlit on this machine (127.0.0.1 by default).

Streamlit runs headless with its usage statistics off, whatever the user's Streamlit files say: no e-mail
prompt, nothing sent. The launcher opens the browser itself once the page is served, passes SIGINT, SIGTERM
and SIGHUP on to `streamlit run` and exits with its exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from arena.setup import DEFAULT_MODELS, MODELS_VARIABLE
from muzero.faces.cli_help import DefaultsHelpFormatter, add_version

APP = Path(__file__).resolve().parent / "app.py"
# over the user's ~/.streamlit and ./.streamlit files: the command line's flags, and these for the child
STREAMLIT_ENVIRONMENT = {"STREAMLIT_SERVER_HEADLESS": "true", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
FORWARDED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
HEALTH_PATH = "/_stcore/health"  # answers 200 once Streamlit serves the page
BROWSER_WAIT_SECONDS = 120.0  # the browser opens only if the page is served within this long
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # polls go straight to the server


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muzero-arena", description="Play the models in a browser.", formatter_class=DefaultsHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8501, help="the port to serve on")
    parser.add_argument("--address", default="127.0.0.1", help="the address to serve on (127.0.0.1: this machine only)")
    parser.add_argument("--models", default=str(DEFAULT_MODELS), help="the folder of model bundles")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    add_version(parser)
    return parser


def command(args: argparse.Namespace) -> list[str]:
    """The `streamlit run` command line for these arguments."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        f"--server.port={args.port}",
        f"--server.address={args.address}",
        "--server.headless=true",  # no e-mail prompt, no browser of Streamlit's own: the launcher opens it
        "--server.showEmailPrompt=false",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=viewer",
        "--server.fileWatcherType=none",
    ]


def environment(models: Path) -> dict[str, str]:
    """The child's environment: this one, the models folder, and Streamlit told to stay headless and quiet."""
    return {**os.environ, MODELS_VARIABLE: str(models.resolve()), **STREAMLIT_ENVIRONMENT}


def models_problem(models: Path) -> str | None:
    if models.is_file():
        return f"--models {models} is a file, not a folder of model bundles"
    if not models.is_dir():
        return f"the models folder {models} does not exist"
    return None


def port_problem(address: str, port: int) -> str | None:
    """Why Streamlit could not serve on address:port (tried by binding it, as the server will), or None."""
    try:
        family, kind, _, _, where = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        return f"--address {address} is not an address of this machine ({error.strerror})"
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind(where)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"port {port} on {address} is in use (another muzero-arena?); choose another --port"
            return f"cannot serve on {address}:{port}: {error.strerror}"
    return None


def problem(args: argparse.Namespace) -> str | None:
    """The first mistake in the arguments, in one line, or None."""
    if not 0 < args.port < 65536:
        return f"--port must be 1 to 65535, got {args.port}"
    return models_problem(Path(args.models)) or port_problem(args.address, args.port)


def http_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def page_url(address: str, port: int) -> str:
    """The page's address in a browser on this machine (an address of every interface is reached locally)."""
    return http_url("127.0.0.1" if address in ("", "0.0.0.0", "::") else address, port)


def answers(url: str) -> bool:
    try:
        with _NO_PROXY.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def open_when_served(
    url: str,
    running: Callable[[], bool],
    open_page: Callable[[str], object] = webbrowser.open,
    wait: float = BROWSER_WAIT_SECONDS,
) -> bool:
    """Opens `url` in a browser once its server answers, unless the server stopped first; whether it did."""
    deadline = time.monotonic() + wait
    while running() and time.monotonic() < deadline:
        if answers(url + HEALTH_PATH):
            open_page(url)
            return True
        time.sleep(0.2)
    return False


@contextlib.contextmanager
def forwarding_signals(child: subprocess.Popen) -> Iterator[None]:
    """Passes FORWARDED_SIGNALS on to `child` while the block runs (its own handlers after it)."""

    def forward(number: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(number)

    previous = {number: signal.signal(number, forward) for number in FORWARDED_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def serve(args: argparse.Namespace) -> int:
    """Runs `streamlit run` until it exits; its exit code (128 + N when signal N ended it)."""
    child = subprocess.Popen(command(args), env=environment(Path(args.models)), stdin=subprocess.DEVNULL)
    with forwarding_signals(child):
        if not args.no_browser:
            url, running = page_url(args.address, args.port), lambda: child.poll() is None
            threading.Thread(target=open_when_served, args=(url, running), daemon=True).start()
        code = child.wait()
    return code if code >= 0 else 128 - code


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if (mistake := problem(args)) is not None:
        print(f"muzero-arena: error: {mistake}", file=sys.stderr)
        return 2
    print(f"muzero-arena: {http_url(args.address, args.port)} (models from {args.models}); Ctrl-C stops it")
    return serve(args)
