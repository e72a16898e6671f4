"""`muzero-arena`: serves the arena page with Streamlit on this machine (127.0.0.1 by default)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from arena.setup import DEFAULT_MODELS, MODELS_VARIABLE

APP = Path(__file__).resolve().parent / "app.py"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="muzero-arena", description="Play the models in a browser.")
    parser.add_argument("--port", type=int, default=8501, help="the port to serve on (default: 8501)")
    parser.add_argument(
        "--address", default="127.0.0.1", help="the address to serve on (default: 127.0.0.1, this machine only)"
    )
    parser.add_argument("--models", default=str(DEFAULT_MODELS), help="the folder of model bundles (default: models/)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")
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
        f"--server.headless={str(args.no_browser).lower()}",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=viewer",
        "--server.fileWatcherType=none",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not 0 < args.port < 65536:
        print(f"muzero-arena: error: --port must be 1 to 65535, got {args.port}", file=sys.stderr)
        return 2
    if not Path(args.models).is_dir():
        print(f"muzero-arena: error: the models folder {args.models} does not exist", file=sys.stderr)
        return 2
    environment = {**os.environ, MODELS_VARIABLE: str(Path(args.models).resolve())}
    print(f"muzero-arena: http://{args.address}:{args.port} (models from {args.models}); Ctrl-C stops it")
    try:
        return subprocess.call(command(args), env=environment)
    except KeyboardInterrupt:
        return 0
