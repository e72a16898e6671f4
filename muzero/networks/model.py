"""MuZeroNet: representation h, dynamics g and prediction f for N players, in an MLP and a ResNet family.

    h(observation, to_play) -> latent
    g(latent, action)       -> latent', reward[P], next-player logits[P]
    f(latent)               -> policy logits[A], value[P]

With `network.chance_codes` C > 0 (Stochastic MuZero, `muzero.networks.chance`), a move goes into an
afterstate first, and g steps from the afterstate by one of C learned chance codes instead of by the action.

Latents are min-max scaled to [0, 1] per sample after h and after g (paper, appendix G). Value and reward
are per-player vectors, each either logits over the bins -S..S (support S > 0) or a plain scalar (S = 0).

Two faces: `initial_raw` / `recurrent_raw` give the learner logits; `initial_inference` /
`recurrent_inference` give search and ONNX export scalars (the support expectation is part of the graph).
Both inference methods are pure tensor functions (no branching on data), so torch.onnx.export traces them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import Tensor, nn

from muzero.core.config import NetworkConfig
from muzero.core.errors import UserError
from muzero.networks.blocks import (
    ConvHead,
    conv_norm_relu,
    mlp_trunk,
    one_hot,
    residual_tower,
    scale_to_unit_range,
    zero_init,
)
from muzero.networks.chance import ChanceEncoder, ChanceParts, MlpAfterstateDynamics, ResnetAfterstateDynamics
from muzero.networks.support import support_to_scalar

NETWORK_KINDS = ("mlp", "resnet")


class InitialLogits(NamedTuple):
    latent: Tensor  # [B, *latent_shape], in [0, 1]
    policy_logits: Tensor  # [B, A]
    value: Tensor  # [B, P, 2S+1] logits, or [B, P] scalars when the value support is 0


class RecurrentLogits(NamedTuple):
    latent: Tensor  # [B, *latent_shape], in [0, 1]
    reward: Tensor  # [B, P, 2S+1] logits, or [B, P] scalars when the reward support is 0
    next_player_logits: Tensor  # [B, P]
    policy_logits: Tensor  # [B, A]
    value: Tensor  # [B, P, 2S+1] logits, or [B, P] scalars when the value support is 0


class AfterstateLogits(NamedTuple):
    afterstate: Tensor  # [B, *latent_shape], in [0, 1]: the move made, chance yet to draw
    chance_logits: Tensor  # [B, C]: which code chance draws next
    value: Tensor  # [B, P, 2S+1] logits, or [B, P] scalars: the afterstate's value (Q of the move)


class MlpRepresentation(nn.Module):
    def __init__(self, observation_size: int, num_players: int, config: NetworkConfig) -> None:
        super().__init__()
        self.num_players = num_players
        self.trunk, width = mlp_trunk(observation_size + num_players, config.hidden_size, config.hidden_layers)
        self.latent = nn.Linear(width, config.latent_size)

    def forward(self, observation: Tensor, to_play: Tensor) -> Tensor:  # [B, *obs], [B] -> [B, L]
        features = torch.cat([observation.flatten(1), one_hot(to_play, self.num_players)], dim=1)  # [B, O+P]
        return self.latent(self.trunk(features))  # [B, L]


class MlpDynamics(nn.Module):
    def __init__(self, num_actions: int, num_players: int, reward_outputs: int, config: NetworkConfig) -> None:
        super().__init__()
        self.num_actions = num_actions
        self.trunk, width = mlp_trunk(config.latent_size + num_actions, config.hidden_size, config.hidden_layers)
        self.latent = nn.Linear(width, config.latent_size)
        self.reward = zero_init(nn.Linear(width, reward_outputs))
        self.next_player = nn.Linear(width, num_players)

    def forward(self, latent: Tensor, action: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        features = self.trunk(torch.cat([latent, encoded(action, self.num_actions)], dim=1))  # [B, hidden]
        return self.latent(features), self.reward(features), self.next_player(features)  # [B, L|P*R|P]


class MlpPrediction(nn.Module):
    def __init__(self, num_actions: int, value_outputs: int, config: NetworkConfig) -> None:
        super().__init__()
        self.trunk, width = mlp_trunk(config.latent_size, config.hidden_size, config.hidden_layers)
        self.policy = nn.Linear(width, num_actions)
        self.value = zero_init(nn.Linear(width, value_outputs))

    def forward(self, latent: Tensor) -> tuple[Tensor, Tensor]:  # [B, L] -> [B, A], [B, P*V]
        features = self.trunk(latent)  # [B, hidden]
        return self.policy(features), self.value(features)


def encoded(action: Tensor, depth: int) -> Tensor:
    """float32[B, depth]: int64[B] actions one-hot, or an encoding given as floats [B, depth] as it is (a chance
    code whose gradient flows back to the encoder)."""
    return action if action.is_floating_point() else one_hot(action, depth)


def constant_planes(indices: Tensor, depth: int, height: int, width: int) -> Tensor:
    """float32[B, depth, H, W]: one_hot(indices) broadcast over the board."""
    return one_hot(indices, depth)[:, :, None, None].expand(-1, -1, height, width)


class ResnetRepresentation(nn.Module):
    def __init__(self, observation_shape: tuple[int, ...], num_players: int, config: NetworkConfig) -> None:
        super().__init__()
        planes, self.height, self.width = observation_shape
        self.num_players = num_players
        self.stem = conv_norm_relu(planes + num_players, config.channels, 3)
        self.tower = residual_tower(config.channels, config.tower_blocks()[0])

    def forward(self, observation: Tensor, to_play: Tensor) -> Tensor:  # [B, C_obs, H, W], [B] -> [B, C, H, W]
        to_play_planes = constant_planes(to_play, self.num_players, self.height, self.width)  # [B, P, H, W]
        return self.tower(self.stem(torch.cat([observation, to_play_planes], dim=1)))  # [B, C, H, W]


class ResnetDynamics(nn.Module):
    def __init__(
        self,
        board: tuple[int, int],
        num_actions: int,
        num_players: int,
        reward_outputs: int,
        config: NetworkConfig,
    ) -> None:
        super().__init__()
        self.height, self.width = board
        self.num_actions = num_actions
        self.stem = conv_norm_relu(config.channels + num_actions, config.channels, 3)
        self.tower = residual_tower(config.channels, config.tower_blocks()[1])
        board_size = self.height * self.width
        self.reward = ConvHead(config.channels, board_size, config.hidden_size, reward_outputs, zero_output=True)
        self.next_player = ConvHead(config.channels, board_size, config.hidden_size, num_players)

    def forward(self, latent: Tensor, action: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        action_planes = encoded(action, self.num_actions)[:, :, None, None].expand(-1, -1, self.height, self.width)
        next_latent = self.tower(self.stem(torch.cat([latent, action_planes], dim=1)))  # [B, C, H, W]
        return next_latent, self.reward(next_latent), self.next_player(next_latent)  # [B, C, H, W|P*R|P]


class ResnetPrediction(nn.Module):
    def __init__(self, board_size: int, num_actions: int, value_outputs: int, config: NetworkConfig) -> None:
        super().__init__()
        self.tower = residual_tower(config.channels, config.tower_blocks()[2])
        self.policy = ConvHead(config.channels, board_size, config.hidden_size, num_actions)
        self.value = ConvHead(config.channels, board_size, config.hidden_size, value_outputs, zero_output=True)

    def forward(self, latent: Tensor) -> tuple[Tensor, Tensor]:  # [B, C, H, W] -> [B, A], [B, P*V]
        features = self.tower(latent)  # [B, C, H, W]
        return self.policy(features), self.value(features)


class MuZeroNet(nn.Module):
    """The three MuZero functions of one family, with per-player value, reward and next-player outputs."""

    def __init__(
        self,
        representation: nn.Module,
        dynamics: nn.Module,
        prediction: nn.Module,
        *,
        config: NetworkConfig,
        observation_shape: tuple[int, ...],
        latent_shape: tuple[int, ...],
        num_actions: int,
        num_players: int,
        chance: ChanceParts | None = None,
    ) -> None:
        super().__init__()
        self.representation = representation
        self.chance = chance  # Stochastic MuZero's afterstate dynamics, prediction and encoder; None: plain
        self.chance_codes = config.chance_codes if chance is not None else 0
        self.dynamics = dynamics
        self.prediction = prediction
        self.kind = config.kind
        self.observation_shape = tuple(observation_shape)
        self.latent_shape = tuple(latent_shape)  # mlp: (latent_size,); resnet: (channels, H, W)
        self.num_actions = num_actions
        self.num_players = num_players
        self.value_support = config.value_support
        self.reward_support = config.reward_support
        self.scale_transform = config.scale_transform
        # one value for two players, whose values are each other's negation (network.zero_sum_value)
        self.zero_sum_value = config.zero_sum_value
        bins = outputs_per_player(config.value_support)
        self.register_buffer("reversed_bins", torch.arange(bins - 1, -1, -1), persistent=False)

    def _per_player(self, outputs: Tensor, support: int) -> Tensor:
        """[B, P*(2S+1)] -> [B, P, 2S+1] when support > 0; [B, P] stays as it is."""
        return outputs.unflatten(-1, (self.num_players, outputs_per_player(support))) if support > 0 else outputs

    def _predict(self, latent: Tensor) -> tuple[Tensor, Tensor]:
        policy_logits, value = self.prediction(latent)  # [B, A], [B, P*V] ([B, V] zero-sum)
        return policy_logits, self._values(value)

    def _values(self, value: Tensor) -> Tensor:
        """A value head's outputs [B, P*V] ([B, V] zero-sum) as [B, P, 2S+1] logits or [B, P] scalars."""
        return self._zero_sum(value) if self.zero_sum_value else self._per_player(value, self.value_support)

    def _zero_sum(self, value: Tensor) -> Tensor:
        """Player 0's value [B, V] as both players' [B, 2, V] (or [B, 2] scalars): player 1's is its negation,
        the support's bins reversed (the scale transform is odd, so the bins of -v are those of v reversed)."""
        if self.value_support == 0:
            return torch.cat([value, -value], dim=1)  # [B, 2]
        return torch.stack([value, value.index_select(1, self.reversed_bins)], dim=1)  # [B, 2, 2S+1]

    def initial_raw(self, observation: Tensor, to_play: Tensor) -> InitialLogits:
        """h then f, with value logits: observation float32[B, *obs], to_play int64[B]."""
        latent = scale_to_unit_range(self.representation(observation, to_play))  # [B, *latent_shape]
        return InitialLogits(latent, *self._predict(latent))

    def recurrent_raw(self, latent: Tensor, action: Tensor) -> RecurrentLogits:
        """g then f, with reward and value logits: latent float32[B, *latent_shape], action int64[B]."""
        next_latent, reward, next_player_logits = self.dynamics(latent, action)
        next_latent = scale_to_unit_range(next_latent)  # [B, *latent_shape]
        reward = self._per_player(reward, self.reward_support)  # [B, P, 2S+1] or [B, P]
        return RecurrentLogits(next_latent, reward, next_player_logits, *self._predict(next_latent))

    def afterstate_raw(self, latent: Tensor, action: Tensor) -> AfterstateLogits:
        """phi then psi (a network with chance codes): the afterstate of `action` int64[B] from `latent`."""
        afterstate = scale_to_unit_range(self._chance_parts().afterstate_dynamics(latent, action))
        chance_logits, value = self._chance_parts().afterstate_prediction(afterstate)  # [B, C], [B, P*V]
        return AfterstateLogits(afterstate, chance_logits, self._values(value))

    def chance_code_logits(self, observation: Tensor, next_observation: Tensor) -> Tensor:
        """[B, C]: the encoder's logits of the code chance drew between two observations float32[B, *obs]."""
        return self._chance_parts().encoder(observation, next_observation)

    def afterstate_inference(self, latent: Tensor, action: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(afterstate, chance_probabilities[B, C], values[B, P]) with scalar values."""
        afterstate, chance_logits, value = self.afterstate_raw(latent, action)
        values = support_to_scalar(value, self.value_support, self.scale_transform)  # [B, P]
        return afterstate, torch.softmax(chance_logits, dim=-1), values

    def _chance_parts(self) -> ChanceParts:
        if self.chance is None:
            raise ValueError("this network has no chance codes (network.chance_codes = 0): it has no afterstates")
        return self.chance

    def initial_inference(self, observation: Tensor, to_play: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(latent, policy_logits[B, A], values[B, P]) with scalar values."""
        latent, policy_logits, value = self.initial_raw(observation, to_play)
        return latent, policy_logits, support_to_scalar(value, self.value_support, self.scale_transform)

    def recurrent_inference(self, latent: Tensor, action: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        """(latent', rewards[B, P], next_player_logits[B, P], policy_logits[B, A], values[B, P]), scalars."""
        output = self.recurrent_raw(latent, action)
        rewards = support_to_scalar(output.reward, self.reward_support, self.scale_transform)  # [B, P]
        values = support_to_scalar(output.value, self.value_support, self.scale_transform)  # [B, P]
        return output.latent, rewards, output.next_player_logits, output.policy_logits, values

    def num_parameters(self) -> int:
        return sum(parameter.numel() for parameter in self.parameters())


class InitialInference(nn.Module):
    """`network.initial_inference` as a module's forward, the shape torch.onnx.export wants."""

    def __init__(self, network: MuZeroNet) -> None:
        super().__init__()
        self.network = network

    def forward(self, observation: Tensor, to_play: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        return self.network.initial_inference(observation, to_play)


class AfterstateInference(nn.Module):
    """`network.afterstate_inference` as a module's forward, the shape torch.onnx.export wants."""

    def __init__(self, network: MuZeroNet) -> None:
        super().__init__()
        self.network = network

    def forward(self, latent: Tensor, action: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        return self.network.afterstate_inference(latent, action)


class ChanceEncoding(nn.Module):
    """The encoder's code probabilities [B, C] between two observations, the shape torch.onnx.export wants."""

    def __init__(self, network: MuZeroNet) -> None:
        super().__init__()
        self.network = network

    def forward(self, observation: Tensor, next_observation: Tensor) -> Tensor:
        return torch.softmax(self.network.chance_code_logits(observation, next_observation), dim=-1)


class RecurrentInference(nn.Module):
    """`network.recurrent_inference` as a module's forward, the shape torch.onnx.export wants."""

    def __init__(self, network: MuZeroNet) -> None:
        super().__init__()
        self.network = network

    def forward(self, latent: Tensor, action: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        return self.network.recurrent_inference(latent, action)


Parts = tuple[nn.Module, nn.Module, nn.Module, tuple[int, ...]]  # representation, dynamics, prediction, latent shape


def outputs_per_player(support: int) -> int:
    """Outputs of a value or reward head per player: the 2S+1 bins, or 1 scalar when S = 0."""
    return 2 * support + 1 if support > 0 else 1


def value_heads(config: NetworkConfig, num_players: int) -> int:
    """Value outputs of the prediction head: one per player, or one alone for a zero-sum pair of players."""
    return 1 if config.zero_sum_value else num_players


def _mlp_parts(config: NetworkConfig, observation_shape: tuple[int, ...], num_actions: int, num_players: int) -> Parts:
    value_outputs = value_heads(config, num_players) * outputs_per_player(config.value_support)
    reward_outputs = num_players * outputs_per_player(config.reward_support)
    representation = MlpRepresentation(math.prod(observation_shape), num_players, config)
    dynamics = MlpDynamics(config.chance_codes or num_actions, num_players, reward_outputs, config)
    prediction = MlpPrediction(num_actions, value_outputs, config)
    return representation, dynamics, prediction, (config.latent_size,)


def _resnet_parts(
    config: NetworkConfig, observation_shape: tuple[int, ...], num_actions: int, num_players: int
) -> Parts:
    if len(observation_shape) != 3:
        raise UserError(
            f"network.kind = 'resnet' needs observations of shape (channels, height, width), got "
            f"{tuple(observation_shape)}: set network.kind = 'mlp' for flat observations"
        )
    value_outputs = value_heads(config, num_players) * outputs_per_player(config.value_support)
    reward_outputs = num_players * outputs_per_player(config.reward_support)
    _, height, width = observation_shape
    representation = ResnetRepresentation(observation_shape, num_players, config)
    steps = config.chance_codes or num_actions  # g steps by a chance code where the network has them
    dynamics = ResnetDynamics((height, width), steps, num_players, reward_outputs, config)
    prediction = ResnetPrediction(height * width, num_actions, value_outputs, config)
    return representation, dynamics, prediction, (config.channels, height, width)


def muzero_net(
    config: NetworkConfig, observation_shape: tuple[int, ...], num_actions: int, num_players: int
) -> MuZeroNet:
    """The MuZeroNet of family `config.kind` for a game; UserError (a ValueError) for a bad combination."""
    if config.kind not in NETWORK_KINDS:
        raise UserError(f"network.kind must be one of {', '.join(NETWORK_KINDS)}, got {config.kind!r}")
    if num_actions < 1 or num_players < 1:
        raise UserError(f"a network needs at least one action and one player, got {num_actions}, {num_players}")
    if config.zero_sum_value and num_players != 2:
        raise UserError(f"network.zero_sum_value is for two-player zero-sum games, not {num_players} players")
    build_parts = _mlp_parts if config.kind == "mlp" else _resnet_parts
    representation, dynamics, prediction, latent_shape = build_parts(
        config, tuple(observation_shape), num_actions, num_players
    )
    return MuZeroNet(
        representation,
        dynamics,
        prediction,
        config=config,
        observation_shape=tuple(observation_shape),
        latent_shape=latent_shape,
        num_actions=num_actions,
        num_players=num_players,
        chance=chance_parts(config, tuple(observation_shape), num_actions, num_players)
        if config.chance_codes
        else None,
    )


def chance_parts(
    config: NetworkConfig, observation_shape: tuple[int, ...], num_actions: int, num_players: int
) -> ChanceParts:
    """phi, psi and the encoder of the family `config.kind`, for `config.chance_codes` codes."""
    value_outputs = value_heads(config, num_players) * outputs_per_player(config.value_support)
    codes = config.chance_codes
    encoder = ChanceEncoder(observation_shape, codes, config)
    if config.kind == "mlp":
        return ChanceParts(
            MlpAfterstateDynamics(num_actions, config), MlpPrediction(codes, value_outputs, config), encoder
        )
    _, height, width = observation_shape
    afterstate_dynamics = ResnetAfterstateDynamics((height, width), num_actions, config)
    return ChanceParts(afterstate_dynamics, ResnetPrediction(height * width, codes, value_outputs, config), encoder)
