"""Replay: a bounded, prioritised buffer of finished games and the pure n-step per-player targets."""

from muzero.replay.buffer import PRIORITY_EPSILON, ReplayBuffer, compact_observations
from muzero.replay.sum_tree import SumTree
from muzero.replay.targets import UnrollTargets, gather_unroll_targets, unroll_targets, value_targets

__all__ = [
    "PRIORITY_EPSILON",
    "ReplayBuffer",
    "SumTree",
    "UnrollTargets",
    "compact_observations",
    "gather_unroll_targets",
    "unroll_targets",
    "value_targets",
]
