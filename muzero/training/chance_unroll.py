"""The unroll and the extra losses of a network with chance codes (Stochastic MuZero, Antonoglou et al. 2022).

Each unrolled step k goes from the state into the afterstate of the action taken (phi; psi predicts its value
vector and the code distribution), then into the next state by the code the encoder reads off the two real
observations around the step (its one-hot argmax, the gradient passed straight through to its softmax). The
losses added to MuZero's, over the unrolled steps where the step is a real transition of the game:

- afterstate value: psi's value of the move against the n-step value target of the position it was made in
  (the action was taken, so that target estimates the move's value, Q), per player as the state values;
- chance: psi's code distribution against the encoder's code (cross-entropy, the encoder's side held fixed),
  plus the encoder's commitment: the squared distance from its softmax to its own one-hot code.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor
from torch.nn import functional

from muzero.networks.chance import straight_through_code
from muzero.networks.model import MuZeroNet, RecurrentLogits


class ChanceUnroll(NamedTuple):
    """What the afterstates of a K-step unroll predicted, and the codes the encoder read."""

    afterstate_values: Tensor  # [B, K, P, 2S+1] logits, or [B, K, P] scalars
    chance_logits: Tensor  # [B, K, C]: psi's code logits
    codes: Tensor  # [B, K, C]: the encoder's one-hot codes (straight-through)
    code_probabilities: Tensor  # [B, K, C]: the encoder's softmax


class ChanceStep(NamedTuple):
    afterstate_value: Tensor  # [B, P, ...]
    chance_logits: Tensor  # [B, C]
    code: Tensor  # [B, C]
    code_probabilities: Tensor  # [B, C]


def chance_transition(
    network: MuZeroNet, latent: Tensor, action: Tensor, observations: tuple[Tensor, Tensor]
) -> tuple[RecurrentLogits, ChanceStep]:
    """One step: the afterstate of `action` [B] from `latent`, then g by the code read from the (observation,
    next observation) pair [B, *obs] x 2; the next state's predictions and the step's chance predictions."""
    after = network.afterstate_raw(latent, action)
    code_logits = network.chance_code_logits(*observations)  # [B, C]
    code = straight_through_code(code_logits)  # [B, C]
    step = network.recurrent_raw(after.afterstate, code)
    return step, ChanceStep(after.value, after.chance_logits, code, torch.softmax(code_logits, dim=-1))


def stacked(steps: list[ChanceStep]) -> ChanceUnroll:
    return ChanceUnroll(*(torch.stack(parts, dim=1) for parts in zip(*steps, strict=True)))


def chance_losses(predicted: ChanceUnroll, transition_mask: Tensor) -> Tensor:
    """[B, K]: the chance cross-entropy plus the encoder's commitment at each step (0 where `transition_mask`
    [B, K] is 0)."""
    codes = predicted.codes.detach()  # [B, K, C]
    cross_entropy = -(codes * functional.log_softmax(predicted.chance_logits, dim=-1)).sum(dim=-1)  # [B, K]
    commitment = (codes - predicted.code_probabilities).square().sum(dim=-1)  # [B, K]
    return (cross_entropy + commitment) * transition_mask
