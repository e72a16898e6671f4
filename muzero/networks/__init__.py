"""The MuZero networks (torch): h, g and f for N players, and scalar <-> categorical support helpers."""

from muzero.networks.model import (
    InitialInference,
    InitialLogits,
    MuZeroNet,
    RecurrentInference,
    RecurrentLogits,
    muzero_net,
)
from muzero.networks.support import (
    inverse_scale_transform,
    scalar_to_support,
    scale_transform,
    support_to_scalar,
)

__all__ = [
    "InitialInference",
    "InitialLogits",
    "MuZeroNet",
    "RecurrentInference",
    "RecurrentLogits",
    "inverse_scale_transform",
    "muzero_net",
    "scalar_to_support",
    "scale_transform",
    "support_to_scalar",
]
