"""MuZero for turn-based games with any number of players.

`import muzero` imports neither torch nor ray: the torch-backed parts are imported where they are used,
and the heavier public names below are loaded on first use.
"""

from muzero.core.config import ExperimentConfig
from muzero.core.errors import IllegalActionError, UnknownGameError, UserError
from muzero.core.types import Batch, Game, SearchResult, TimeStep, Trajectory
from muzero.lazy import lazy_attributes

_LAZY = {
    "Agent": "muzero.faces.agent",
    "train": "muzero.training.train",
    "SearchOutput": "muzero.search",
}  # name -> module

__all__ = [
    "Batch",
    "ExperimentConfig",
    "Game",
    "IllegalActionError",
    "SearchResult",
    "TimeStep",
    "Trajectory",
    "UnknownGameError",
    "UserError",
    *_LAZY,
]

__getattr__ = lazy_attributes("muzero", _LAZY)
