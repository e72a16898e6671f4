"""Building blocks of the MuZero networks: MLP trunks, residual blocks, convolutional heads, latent scaling.

Nothing here keeps batch statistics (GroupNorm, not BatchNorm), so a network computes the same function in
train() and eval() mode: self-play searching one position sees exactly the network the learner trained.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

HEAD_CHANNELS = 2  # channels of the 1x1 convolution that opens each convolutional head (AlphaZero: 1-2)
LATENT_RANGE_FLOOR = 1e-5  # smallest max - min a latent is divided by when scaled to [0, 1]


def one_hot(indices: Tensor, depth: int) -> Tensor:
    """float32[*indices.shape, depth]; a comparison with arange, so that it traces into any ONNX opset."""
    return (indices.unsqueeze(-1) == torch.arange(depth, device=indices.device)).float()


def scale_to_unit_range(latent: Tensor) -> Tensor:
    """The latent min-max scaled to [0, 1] per sample, over all its features (paper, appendix G)."""
    feature_dims = tuple(range(1, latent.dim()))  # every dimension but the batch
    low = latent.amin(dim=feature_dims, keepdim=True)  # [B, 1, ...]
    high = latent.amax(dim=feature_dims, keepdim=True)  # [B, 1, ...]
    return (latent - low) / (high - low).clamp_min(LATENT_RANGE_FLOOR)  # like latent


def mlp_trunk(input_size: int, hidden_size: int, hidden_layers: int) -> tuple[nn.Module, int]:
    """`hidden_layers` Linear+ReLU layers of width `hidden_size`, and the width of what they output."""
    layers: list[nn.Module] = []
    width = input_size
    for _ in range(hidden_layers):
        layers += [nn.Linear(width, hidden_size), nn.ReLU()]
        width = hidden_size
    return nn.Sequential(*layers), width


def zero_init(layer: nn.Linear) -> nn.Linear:
    """The layer with zero weights and bias: a categorical head starts uniform, a scalar head at 0."""
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def conv_norm_relu(in_channels: int, out_channels: int, kernel_size: int) -> nn.Sequential:
    """Convolution ('same' padding, no bias), layer norm over the planes, ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=False),
        nn.GroupNorm(1, out_channels),
        nn.ReLU(),
    )


class ResidualBlock(nn.Module):
    """x + conv-norm-relu-conv-norm(x), then ReLU (the AlphaZero block, GroupNorm for BatchNorm)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.first = conv_norm_relu(channels, channels, 3)
        self.second_conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.second_norm = nn.GroupNorm(1, channels)

    def forward(self, planes: Tensor) -> Tensor:  # [B, C, H, W] -> [B, C, H, W]
        residual = self.second_norm(self.second_conv(self.first(planes)))  # [B, C, H, W]
        return torch.relu(planes + residual)  # [B, C, H, W]


def residual_tower(channels: int, blocks: int) -> nn.Sequential:
    return nn.Sequential(*(ResidualBlock(channels) for _ in range(blocks)))


class ConvHead(nn.Module):
    """Planes to a vector: 1x1 conv to HEAD_CHANNELS planes, norm, ReLU, flatten, Linear-ReLU-Linear."""

    def __init__(
        self, channels: int, board_size: int, hidden_size: int, output_size: int, zero_output: bool = False
    ) -> None:
        super().__init__()
        self.reduce = conv_norm_relu(channels, HEAD_CHANNELS, 1)
        self.hidden = nn.Linear(HEAD_CHANNELS * board_size, hidden_size)
        output = nn.Linear(hidden_size, output_size)
        self.output = zero_init(output) if zero_output else output

    def forward(self, planes: Tensor) -> Tensor:  # [B, C, H, W] -> [B, output_size]
        features = self.reduce(planes).flatten(1)  # [B, HEAD_CHANNELS * H * W]
        return self.output(torch.relu(self.hidden(features)))  # [B, output_size]
