"""MuZero for turn-based games with any number of players.

`import muzero` imports neither torch nor ray: the torch-backed parts are imported where they are used,
and the heavier public names below are loaded on first use.
"""

from typing import Any

from muzero.config import ExperimentConfig
from muzero.errors import IllegalActionError, UnknownGameError, UserError
from muzero.types import Batch, Game, SearchResult, TimeStep, Trajectory

MuZeroConfig = ExperimentConfig

_LAZY = {"Agent": "muzero.agent", "train": "muzero.train", "SearchOutput": "muzero.search"}

__all__ = [
    "Agent",
    "Batch",
    "ExperimentConfig",
    "Game",
    "IllegalActionError",
    "MuZeroConfig",
    "SearchOutput",
    "SearchResult",
    "TimeStep",
    "Trajectory",
    "UnknownGameError",
    "UserError",
    "train",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'muzero' has no attribute {name!r}")
