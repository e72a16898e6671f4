"""What every console script's `--help` and `--version` show: each option's default, the project's version."""

from __future__ import annotations

import argparse
from importlib import metadata

DISTRIBUTION = "muzero-nplayer"


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Ends the help of each option that takes a value and has a default with "(default: VALUE)"."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if shows_default(action) and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def shows_default(action: argparse.Action) -> bool:
    """Whether `--help` shows the default of `action`: an option taking a value, whose default is a value."""
    if not action.option_strings or action.nargs == 0:  # a positional argument, or a flag
        return False
    return action.default is not None and action.default is not argparse.SUPPRESS and action.default != []


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # the sources run without being installed
        return "unknown (not installed)"


def add_version(parser: argparse.ArgumentParser) -> None:
    """`--version`: prints e.g. "muzero-eval 0.1.0" and exits."""
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
