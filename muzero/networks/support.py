"""Scalars as categorical distributions over integer bins -S..S, and the invertible transform h(x).

MuZero (appendix F) predicts values and rewards as a categorical distribution over a support after the
transform h(x) = sign(x)(sqrt(|x| + 1) - 1) + eps x, which compresses large magnitudes. A scalar is
written as a "two-hot" distribution on the two bins that bracket h(x), so the expectation over the bins
gives h(x) back exactly.

A support of 0 means plain scalars: `scalar_to_support` and `support_to_scalar` are then the identity
(and the transform is not applied). Every function is pure tensor code, so it traces into ONNX graphs.
"""

from __future__ import annotations

import torch
from torch import Tensor

SCALE_EPSILON = 0.001  # the eps of h(x) (paper: 0.001)


def scale_transform(x: Tensor) -> Tensor:
    """h(x) = sign(x)(sqrt(|x| + 1) - 1) + eps x, elementwise."""
    return torch.sign(x) * (torch.sqrt(torch.abs(x) + 1.0) - 1.0) + SCALE_EPSILON * x


def inverse_scale_transform(y: Tensor) -> Tensor:
    """The exact inverse of `scale_transform`, elementwise.

    Solving h(x) = y for |x| gives sqrt(|x| + 1) = t with t = (sqrt(1 + 4 eps (|y| + 1 + eps)) - 1) / (2 eps);
    t is computed as 2 (|y| + 1 + eps) / (sqrt(1 + 4 eps (|y| + 1 + eps)) + 1) to avoid the cancellation.
    """
    shifted = torch.abs(y) + 1.0 + SCALE_EPSILON  # |y| + 1 + eps
    root = 2.0 * shifted / (torch.sqrt(1.0 + 4.0 * SCALE_EPSILON * shifted) + 1.0)  # sqrt(|x| + 1)
    return torch.sign(y) * (root * root - 1.0)


def support_bins(support: int, device: torch.device | None = None) -> Tensor:
    """float32[2S+1]: the integer bins -S..S."""
    return torch.arange(-support, support + 1, dtype=torch.float32, device=device)


def scalar_to_support(x: Tensor, support: int, transform: bool) -> Tensor:
    """float32[..., 2S+1]: the two-hot distribution of x (after h when `transform`), clamped to -S..S.

    With support 0 this returns x unchanged.
    """
    if support == 0:
        return x
    y = scale_transform(x) if transform else x  # [...]
    y = y.clamp(-support, support)  # [...]
    bins = support_bins(support, x.device)  # [2S+1]
    # the triangle kernel max(0, 1 - |y - bin|) is the two-hot weight: 1 - frac below, frac above
    return torch.relu(1.0 - torch.abs(y.unsqueeze(-1) - bins))  # [..., 2S+1]


def support_to_scalar(logits: Tensor, support: int, transform: bool) -> Tensor:
    """float32[...]: the expectation of softmax(logits) over the bins -S..S, then h^-1 when `transform`.

    With support 0 this returns `logits` (already scalars) unchanged.
    """
    if support == 0:
        return logits
    probabilities = torch.softmax(logits, dim=-1)  # [..., 2S+1]
    y = (probabilities * support_bins(support, logits.device)).sum(dim=-1)  # [...]
    return inverse_scale_transform(y) if transform else y
