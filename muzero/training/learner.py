"""The MuZero loss and one optimisation step, for N players.

The network is unrolled K steps from each position of a Batch: latent = h(observation, to_play), then
latent, reward, next-player = g(latent, action) K times, with f predicting policy and value at every step.
The loss of a position sums, over the steps, the policy, value, reward and next-player terms:

- policy: cross-entropy against the search's visit distribution, where the step is a real decision;
- value (steps 0..K) and reward (steps 1..K): per player, summed over players; cross-entropy against the
  two-hot target when the support S > 0, squared error when S = 0; never masked (past the end of a game
  the targets are 0: the absorbing state);
- next player: cross-entropy against the real next `to_play`, where that step is a real decision;
- with chance codes (`muzero.training.chance_unroll`): the afterstates' values and the chance terms.

Cross-entropies are measured as KL divergences (cross-entropy minus the target's entropy): the same
gradient, and 0 exactly when the prediction matches the target, so the reported losses read as "how far".
As in the paper, the gradient into each dynamics step is halved, and the losses of the unrolled steps
k = 1..K are scaled by 1/K. Each position's loss is weighted by its importance-sampling weight.

Optimizer: "sgd" is SGD with momentum and L2 weight decay (the paper's); "adam" is AdamW, i.e. decoupled
weight decay. The learning rate is `learning_rate_at(step)`: a linear warm-up times an exponential decay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional

from muzero.core.config import LearnerConfig, NetworkConfig
from muzero.core.types import Batch
from muzero.networks.model import MuZeroNet
from muzero.networks.support import scalar_to_support, support_to_scalar
from muzero.training.chance_unroll import (
    ChanceInputs,
    ChanceStep,
    ChanceUnroll,
    chance_losses,
    chance_transition,
    stacked,
)

TERM_NAMES = ("policy", "value", "reward", "next_player", "afterstate_value", "chance")
# what a step reports: the total as optimised, each term as optimised (importance-weighted), and each term
# unweighted (what the network's error is; prioritised replay's weights would otherwise dominate the curves)
LOSS_NAMES = ("total", *TERM_NAMES, *(f"{name}_unweighted" for name in TERM_NAMES))


@dataclass(frozen=True)
class StepResult:
    """What one optimisation step reports."""

    priorities: np.ndarray  # float32[B]: new priorities of the batch positions
    losses: dict[str, float]  # LOSS_NAMES -> batch mean
    learning_rate: float  # the rate this step used


class TensorBatch(NamedTuple):
    """The arrays of a Batch (but its buffer indices) as tensors on the network's device."""

    observations: Tensor  # float32[B, *observation_shape]
    to_play: Tensor  # int64[B]
    actions: Tensor  # int64[B, K]
    target_values: Tensor  # float32[B, K+1, P]
    value_mask: Tensor  # float32[B, K+1, P]
    target_rewards: Tensor  # float32[B, K, P]
    target_policies: Tensor  # float32[B, K+1, A]
    policy_mask: Tensor  # float32[B, K+1]
    target_next_players: Tensor  # int64[B, K]
    next_player_mask: Tensor  # float32[B, K]
    weights: Tensor  # float32[B]
    next_observations: Tensor | None  # float32[B, K, *observation_shape]: for a network with chance codes

    @classmethod
    def from_batch(cls, batch: Batch, device: torch.device) -> TensorBatch:
        arrays = (getattr(batch, name) for name in cls._fields)
        return cls(*(None if array is None else torch.as_tensor(array, device=device) for array in arrays))


class LossTerms(NamedTuple):
    """The loss terms, each the batch mean of the per-position sums over the steps (importance-weighted, or
    not: `Learner.losses` gives both)."""

    policy: Tensor  # []
    value: Tensor  # []
    reward: Tensor  # []
    next_player: Tensor  # []
    afterstate_value: Tensor  # []: 0 without chance codes
    chance: Tensor  # []: 0 without chance codes

    def total(self, config: LearnerConfig) -> Tensor:
        """[]: what is optimised, the value, next-player and chance terms weighted as configured."""
        value = config.value_loss_weight * (self.value + self.afterstate_value)
        next_player = config.next_player_loss_weight * self.next_player
        return self.policy + value + self.reward + next_player + config.chance_loss_weight * self.chance


class Unroll(NamedTuple):
    """The network's raw predictions along a K-step unroll of a batch."""

    policy_logits: Tensor  # [B, K+1, A]
    values: Tensor  # [B, K+1, P, 2S+1] logits, or [B, K+1, P] scalars
    rewards: Tensor | None  # [B, K, P, 2S+1] logits, or [B, K, P] scalars; None for K = 0
    next_player_logits: Tensor | None  # [B, K, P]; None for K = 0
    chance: ChanceUnroll | None = None  # the afterstates' predictions and the codes; None without chance codes


def learning_rate_at(step: int, config: LearnerConfig) -> float:
    """lr * min(1, (step + 1) / warmup) * decay_rate ** (step / decay_steps), step counting from 0."""
    warmup = min(1.0, (step + 1) / config.lr_warmup_steps) if config.lr_warmup_steps > 0 else 1.0
    return config.learning_rate * warmup * config.lr_decay_rate ** (step / config.lr_decay_steps)


FUSED_DEVICE_TYPES = ("cpu", "cuda")  # where torch has fused AdamW and SGD kernels


def fused_kernels(parameters: list[Tensor]) -> bool | None:
    """True when every parameter lives where torch has a fused optimizer kernel (one pass over all the
    parameters instead of a loop: the step of a small network is several times faster), else None."""
    return True if all(p.device.type in FUSED_DEVICE_TYPES for p in parameters) else None


def make_optimizer(parameters: list[Tensor], config: LearnerConfig, fused: bool | None) -> torch.optim.Optimizer:
    if config.optimizer == "adam":
        return torch.optim.AdamW(parameters, lr=config.learning_rate, weight_decay=config.weight_decay, fused=fused)
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            parameters, lr=config.learning_rate, momentum=config.momentum, weight_decay=config.weight_decay, fused=fused
        )
    raise ValueError(f"learner.optimizer must be 'adam' or 'sgd', got {config.optimizer!r}")


def unroll(
    network: MuZeroNet,
    observations: Tensor,
    to_play: Tensor,
    actions: Tensor,
    chance_inputs: ChanceInputs | None = None,
) -> Unroll:
    """h, then g K times along `actions` [B, K], f at every step; the latent's gradient halved per step. A
    network with chance codes steps through the afterstate of each action and the code the encoder reads from
    the observations around the step (`chance_inputs`: the observation after each step, and its player)."""
    initial = network.initial_raw(observations, to_play)
    latent = initial.latent  # [B, *latent_shape]
    policy_logits, values, rewards, next_player_logits = [initial.policy_logits], [initial.value], [], []
    chance_steps: list[ChanceStep] = []
    for k in range(actions.shape[1]):
        latent = 0.5 * latent + 0.5 * latent.detach()  # same value, half the gradient (paper)
        if network.chance_codes:
            if chance_inputs is None:
                raise ValueError("a network with chance codes trains on batches with next_observations")
            following = chance_inputs.next_observations
            around = (observations if k == 0 else following[:, k - 1], following[:, k])
            step, chance_step = chance_transition(
                network, latent, actions[:, k], around, chance_inputs.next_to_play[:, k]
            )
            chance_steps.append(chance_step)
        else:
            step = network.recurrent_raw(latent, actions[:, k])
        latent = step.latent  # [B, *latent_shape]
        policy_logits.append(step.policy_logits)
        values.append(step.value)
        rewards.append(step.reward)
        next_player_logits.append(step.next_player_logits)
    return Unroll(
        torch.stack(policy_logits, dim=1),  # [B, K+1, A]
        torch.stack(values, dim=1),  # [B, K+1, P, ...]
        torch.stack(rewards, dim=1) if rewards else None,  # [B, K, P, ...]
        torch.stack(next_player_logits, dim=1) if rewards else None,  # [B, K, P]
        stacked(chance_steps) if chance_steps else None,
    )


def categorical_kl(logits: Tensor, target_probabilities: Tensor) -> Tensor:
    """[...]: KL(target || softmax(logits)) over the last dimension; 0 for an all-zero target."""
    cross_entropy = -(target_probabilities * functional.log_softmax(logits, dim=-1)).sum(dim=-1)  # [...]
    negative_entropy = torch.xlogy(target_probabilities, target_probabilities).sum(dim=-1)  # [...]
    return cross_entropy + negative_entropy


def per_player_loss(
    prediction: Tensor, target: Tensor, support: int, transform: bool, mask: Tensor | None = None
) -> Tensor:
    """[B, steps]: KL against the two-hot target (support > 0) or squared error, summed over the players
    (those where `mask` [B, steps, P] is 1, when given).

    prediction [B, steps, P, 2S+1] logits or [B, steps, P] scalars; target [B, steps, P] scalars.
    """
    if support == 0:
        loss = (prediction - target).square()  # [B, steps, P]
    else:
        loss = categorical_kl(prediction, scalar_to_support(target, support, transform))  # [B, steps, P]
    return (loss if mask is None else loss * mask).sum(dim=-1)  # [B, steps]


def step_weights(unroll_steps: int, device: torch.device) -> Tensor:
    """float32[K+1]: 1 for step 0, 1/K for the unrolled steps 1..K (paper)."""
    weights = torch.full((unroll_steps + 1,), 1.0 / max(unroll_steps, 1), device=device)  # [K+1]
    weights[0] = 1.0
    return weights


class Learner:
    """The optimizer, the learning-rate schedule and the step counter of one network."""

    def __init__(
        self,
        network: MuZeroNet,
        config: LearnerConfig,
        *,
        num_players: int,
        value_support: int,
        reward_support: int,
        scale_transform: bool,
    ) -> None:
        built_for = (network.num_players, network.value_support, network.reward_support, network.scale_transform)
        if built_for != (num_players, value_support, reward_support, scale_transform):
            raise ValueError(
                f"the network was built for (players, value support, reward support, transform) = {built_for}, "
                f"the learner asked for {(num_players, value_support, reward_support, scale_transform)}"
            )
        self.network = network
        self.config = config
        self.num_players = num_players
        self.value_support = value_support
        self.reward_support = reward_support
        self.scale_transform = scale_transform
        parameters = list(network.parameters())
        self.fused = fused_kernels(parameters)  # also for the gradient clipping's foreach
        self.optimizer = make_optimizer(parameters, config, self.fused)
        self.step = 0  # optimisation steps taken; the schedule's clock
        self.device = next(network.parameters()).device

    @classmethod
    def from_config(
        cls, network: MuZeroNet, learner_config: LearnerConfig, network_config: NetworkConfig, num_players: int
    ) -> Learner:
        return cls(
            network,
            learner_config,
            num_players=num_players,
            value_support=network_config.value_support,
            reward_support=network_config.reward_support,
            scale_transform=network_config.scale_transform,
        )

    @property
    def learning_rate(self) -> float:
        """The rate the next step will use."""
        return learning_rate_at(self.step, self.config)

    def train_step(self, batch: Batch) -> StepResult:
        """One optimisation step on `batch`: the losses before it, and the batch's new priorities."""
        self.network.train()
        learning_rate = self.learning_rate
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate
        tensors = TensorBatch.from_batch(batch, self.device)
        chance_inputs = None
        if tensors.next_observations is not None:
            chance_inputs = ChanceInputs(tensors.next_observations, tensors.target_next_players)
        predicted = unroll(self.network, tensors.observations, tensors.to_play, tensors.actions, chance_inputs)
        terms, unweighted = self.losses(predicted, tensors)
        total = terms.total(self.config)  # []
        self.optimizer.zero_grad(set_to_none=True)
        total.backward()
        if self.config.max_grad_norm > 0:
            nn.utils.clip_grad_norm_(self.network.parameters(), self.config.max_grad_norm, foreach=self.fused)
        self.optimizer.step()
        self.step += 1
        losses = dict(zip(LOSS_NAMES, torch.stack([total, *terms, *unweighted]).tolist(), strict=True))
        return StepResult(self.priorities(predicted, tensors), losses, learning_rate)

    def losses(self, predicted: Unroll, batch: TensorBatch) -> tuple[LossTerms, LossTerms]:
        """The policy, value, reward and next-player losses of an unroll against the batch's targets: weighted
        by the importance weights (what is optimised), and unweighted. With no unroll step (K = 0), the reward
        and next-player terms are 0."""
        steps = step_weights(batch.actions.shape[1], self.device)  # [K+1]
        policy = categorical_kl(predicted.policy_logits, batch.target_policies) * batch.policy_mask  # [B, K+1]
        value = per_player_loss(
            predicted.values, batch.target_values, self.value_support, self.scale_transform, batch.value_mask
        )  # [B, K+1]
        reward, next_player = self.transition_losses(predicted, batch)  # [B, K], [B, K]
        afterstate_value, chance = self.chance_terms(predicted, batch)  # [B, K], [B, K]
        per_sample = (
            (policy * steps).sum(dim=1),  # [B]
            (value * steps).sum(dim=1),  # [B]
            *((term * steps[1:]).sum(dim=1) for term in (reward, next_player, afterstate_value, chance)),  # [B]
        )
        weighted = LossTerms(*((loss * batch.weights).mean() for loss in per_sample))
        return weighted, LossTerms(*(loss.detach().mean() for loss in per_sample))

    def transition_losses(self, predicted: Unroll, batch: TensorBatch) -> tuple[Tensor, Tensor]:
        """([B, K] reward, [B, K] next-player) losses of the unrolled steps."""
        if predicted.rewards is None or predicted.next_player_logits is None:
            empty = batch.target_rewards.new_zeros(batch.target_rewards.shape[:2])  # [B, 0]
            return empty, empty
        reward = per_player_loss(
            predicted.rewards, batch.target_rewards, self.reward_support, self.scale_transform
        )  # [B, K]
        next_player = functional.cross_entropy(
            predicted.next_player_logits.transpose(1, 2), batch.target_next_players, reduction="none"
        )  # [B, K]
        return reward, next_player * batch.next_player_mask

    def chance_terms(self, predicted: Unroll, batch: TensorBatch) -> tuple[Tensor, Tensor]:
        """([B, K] afterstate value, [B, K] chance) losses of the unrolled steps; 0 without chance codes."""
        if predicted.chance is None:
            empty = batch.target_rewards.new_zeros(batch.target_rewards.shape[:2])  # [B, K]
            return empty, empty
        steps = batch.actions.shape[1]
        afterstate_value = per_player_loss(
            predicted.chance.afterstate_values,
            batch.target_values[:, :steps],
            self.value_support,
            self.scale_transform,
            batch.value_mask[:, :steps],
        )  # [B, K]: the move's value against the target of the position it was made in
        return afterstate_value, chance_losses(predicted.chance, batch.policy_mask[:, :steps], batch.next_player_mask)

    def priorities(self, predicted: Unroll, batch: TensorBatch) -> np.ndarray:
        """float32[B]: sum over the trained players of |predicted value at step 0 - its target|."""
        value = support_to_scalar(predicted.values[:, 0].detach(), self.value_support, self.scale_transform)  # [B, P]
        errors = (value - batch.target_values[:, 0]).abs() * batch.value_mask[:, 0]  # [B, P]
        return errors.sum(dim=-1).cpu().numpy().astype(np.float32)  # [B]

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state and the step counter (the schedule is a function of the step); tensors,
        numbers, strings, lists and dicts only, so `torch.load(..., weights_only=True)` reads it back."""
        return {"step": self.step, "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.step = int(state["step"])
        self.optimizer.load_state_dict(state["optimizer"])
        for group in self.optimizer.param_groups:  # a state saved without fused kernels would switch them off
            group["fused"] = self.fused
