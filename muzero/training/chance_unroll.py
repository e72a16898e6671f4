"""The unroll and the extra losses of a network with chance codes (Stochastic MuZero, Antonoglou et al. 2022).

Each unrolled step k goes from the state into the afterstate of the action taken (phi; psi predicts its value
vector and the code distribution), then into the next state by the code the encoder reads off the two real
observations around the step (its one-hot argmax, the gradient passed straight through to its softmax). The
losses added to MuZero's, over the unrolled steps where the step is a real transition of the game:

- afterstate value: psi's value of the move against the n-step value target of the position it was made in
  (the action was taken, so that target estimates the move's value, Q), per player as the state values;
- chance: psi's code distribution against the encoder's code (cross-entropy, the encoder's side held fixed),
  plus the encoder's commitment (the squared distance from its softmax to its own one-hot code), a bonus for
  using the codes evenly (log C minus the entropy of the batch's mean code probabilities), and the
  consistency of g's next latent with h of the real next observation (no gradient into h), which tells the
  encoder which outcome it must tell apart.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import Tensor
from torch.nn import functional

from muzero.networks.chance import straight_through_code
from muzero.networks.model import MuZeroNet, RecurrentLogits

# Weights within the chance term. With the commitment at 1 and nothing else, the encoder's first code
# assignments froze and collapsed (pig: 1 code of 6 used; a die test: 1 to 2 of 6); a weak commitment, a
# bonus for using the codes evenly over a batch and the consistency of the next latent with h of the next
# observation (EfficientZero's self-supervision, which LightZero's Stochastic MuZero also trains) gave 5 to
# 6 of 6 (docs/research/chance_codes.md).
COMMITMENT = 0.1
DIVERSITY = 1.0
CONSISTENCY = 1.0


class ChanceInputs(NamedTuple):
    """What the chance steps of an unroll read besides the actions."""

    next_observations: Tensor  # float32[B, K, *obs]: the observation after step k (0 past the end)
    next_to_play: Tensor  # int64[B, K]: who decides after step k (0 where masked)


class ChanceUnroll(NamedTuple):
    """What the afterstates of a K-step unroll predicted, and the codes the encoder read."""

    afterstate_values: Tensor  # [B, K, P, 2S+1] logits, or [B, K, P] scalars
    chance_logits: Tensor  # [B, K, C]: psi's code logits
    codes: Tensor  # [B, K, C]: the encoder's one-hot codes (straight-through)
    code_probabilities: Tensor  # [B, K, C]: the encoder's softmax
    consistency: Tensor  # [B, K]


class ChanceStep(NamedTuple):
    afterstate_value: Tensor  # [B, P, ...]
    chance_logits: Tensor  # [B, C]
    code: Tensor  # [B, C]
    code_probabilities: Tensor  # [B, C]
    consistency: Tensor  # [B]: squared distance from g's next latent to the representation of the next observation


def chance_transition(
    network: MuZeroNet, latent: Tensor, action: Tensor, observations: tuple[Tensor, Tensor], next_to_play: Tensor
) -> tuple[RecurrentLogits, ChanceStep]:
    """One step: the afterstate of `action` [B] from `latent`, then g by the code read from the (observation,
    next observation) pair [B, *obs] x 2; the next state's predictions and the step's chance predictions,
    with g's next latent against h of the next observation (seen by `next_to_play` [B], no gradient into h)."""
    after = network.afterstate_raw(latent, action)
    code_logits = network.chance_code_logits(*observations)  # [B, C]
    code = straight_through_code(code_logits)  # [B, C]
    step = network.recurrent_raw(after.afterstate, code)
    with torch.no_grad():
        target = network.initial_raw(observations[1], next_to_play).latent  # [B, *latent_shape]
    consistency = (step.latent - target).square().flatten(1).mean(dim=1)  # [B]
    probabilities = torch.softmax(code_logits, dim=-1)
    return step, ChanceStep(after.value, after.chance_logits, code, probabilities, consistency)


def stacked(steps: list[ChanceStep]) -> ChanceUnroll:
    return ChanceUnroll(*(torch.stack(parts, dim=1) for parts in zip(*steps, strict=True)))


def chance_losses(predicted: ChanceUnroll, transition_mask: Tensor, next_mask: Tensor) -> Tensor:
    """[B, K]: the chance cross-entropy plus the encoder's commitment at each step (0 where `transition_mask`
    [B, K] is 0), and the consistency of the next latent where the next step is a decision (`next_mask`)."""
    codes = predicted.codes.detach()  # [B, K, C]
    cross_entropy = -(codes * functional.log_softmax(predicted.chance_logits, dim=-1)).sum(dim=-1)  # [B, K]
    commitment = (codes - predicted.code_probabilities).square().sum(dim=-1)  # [B, K]
    chance = cross_entropy + COMMITMENT * commitment + DIVERSITY * unused_codes(predicted, transition_mask)
    return chance * transition_mask + CONSISTENCY * predicted.consistency * next_mask


def unused_codes(predicted: ChanceUnroll, transition_mask: Tensor) -> Tensor:
    """[]: log C minus the entropy of the encoder's mean code probabilities over the batch's transitions."""
    weights = transition_mask[..., None]  # [B, K, 1]
    marginal = (predicted.code_probabilities * weights).sum(dim=(0, 1)) / weights.sum().clamp_min(1.0)  # [C]
    entropy = -(marginal * marginal.clamp_min(1e-12).log()).sum()
    return math.log(marginal.numel()) - entropy
