"""Stochastic MuZero's parts (Antonoglou et al., ICLR 2022): each step of the learned model is a move into an
afterstate, then one of C chance codes into the next state.

    phi(latent, action)              -> afterstate             (the move made, chance yet to draw)
    psi(afterstate)                  -> chance logits[C], value[P] (Q of the move, per player)
    g(afterstate, code)              -> latent', reward[P], next-player logits[P]  (MuZeroNet's dynamics)
    e(observation, next observation) -> code logits[C]         (the encoder: which code chance drew)

The codes are learned from the data: the encoder's argmax, one-hot, passes its gradient straight through to
the encoder's probabilities (`straight_through_code`); psi learns to predict the encoder's codes, and the
encoder is held to its one-hot choice by a commitment loss (`muzero.training.learner`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from muzero.core.config import NetworkConfig
from muzero.networks.blocks import conv_norm_relu, mlp_trunk, one_hot, residual_tower


class MlpAfterstateDynamics(nn.Module):
    def __init__(self, num_actions: int, config: NetworkConfig) -> None:
        super().__init__()
        self.num_actions = num_actions
        self.trunk, width = mlp_trunk(config.latent_size + num_actions, config.hidden_size, config.hidden_layers)
        self.afterstate = nn.Linear(width, config.latent_size)

    def forward(self, latent: Tensor, action: Tensor) -> Tensor:  # [B, L], [B] -> [B, L]
        return self.afterstate(self.trunk(torch.cat([latent, one_hot(action, self.num_actions)], dim=1)))


class ResnetAfterstateDynamics(nn.Module):
    def __init__(self, board: tuple[int, int], num_actions: int, config: NetworkConfig) -> None:
        super().__init__()
        self.height, self.width = board
        self.num_actions = num_actions
        self.stem = conv_norm_relu(config.channels + num_actions, config.channels, 3)
        self.tower = residual_tower(config.channels, config.tower_blocks()[1])

    def forward(self, latent: Tensor, action: Tensor) -> Tensor:  # [B, C, H, W], [B] -> [B, C, H, W]
        planes = one_hot(action, self.num_actions)[:, :, None, None].expand(-1, -1, self.height, self.width)
        return self.tower(self.stem(torch.cat([latent, planes], dim=1)))


class ChanceEncoder(nn.Module):
    """e: the code chance drew between two observations (flattened, side by side), as logits over the codes."""

    def __init__(self, observation_shape: tuple[int, ...], codes: int, config: NetworkConfig) -> None:
        super().__init__()
        self.trunk, width = mlp_trunk(2 * math.prod(observation_shape), config.hidden_size, config.hidden_layers)
        self.codes = nn.Linear(width, codes)

    def forward(self, observation: Tensor, next_observation: Tensor) -> Tensor:  # [B, *obs] x 2 -> [B, C]
        return self.codes(self.trunk(torch.cat([observation.flatten(1), next_observation.flatten(1)], dim=1)))


class ChanceParts(nn.Module):
    """phi, psi and e of one network (g is the network's own dynamics, over codes instead of actions)."""

    def __init__(self, afterstate_dynamics: nn.Module, afterstate_prediction: nn.Module, encoder: nn.Module) -> None:
        super().__init__()
        self.afterstate_dynamics = afterstate_dynamics
        self.afterstate_prediction = afterstate_prediction
        self.encoder = encoder


def straight_through_code(logits: Tensor) -> Tensor:
    """float32[B, C]: the one-hot argmax of `logits` [B, C], whose gradient is that of their softmax."""
    probabilities = torch.softmax(logits, dim=-1)
    return one_hot(probabilities.argmax(dim=-1), logits.shape[-1]) + probabilities - probabilities.detach()
