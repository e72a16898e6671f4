"""The learner: it fits a tiny fixed 3-player batch, schedules the learning rate, and resumes exactly."""

import dataclasses
import io
import math

import numpy as np
import pytest
import torch

from muzero.core.config import LearnerConfig, NetworkConfig
from muzero.core.types import Batch
from muzero.networks import muzero_net, support_to_scalar
from muzero.training.learner import Learner, learning_rate_at

B, K, P, A = 8, 3, 3, 4  # positions, unroll steps, players, actions
OBSERVATION_SHAPE = (2, 3, 3)
WITH_SUPPORTS = NetworkConfig(latent_size=16, hidden_size=48, hidden_layers=1, value_support=4, reward_support=3)
WITH_SCALARS = dataclasses.replace(WITH_SUPPORTS, value_support=0, reward_support=0)
FAST = LearnerConfig(batch_size=B, learning_rate=1e-2, lr_warmup_steps=10, weight_decay=0.0)


def fixed_batch(seed: int = 0) -> Batch:
    """Random but valid targets; positions 6 and 7 reach the end of their game after 2 and 1 steps."""
    rng = np.random.default_rng(seed)
    policy_mask = np.ones((B, K + 1), np.float32)  # [B, K+1]
    policy_mask[6, 3:] = policy_mask[7, 2:] = 0.0
    next_player_mask = policy_mask[:, 1:].copy()  # [B, K]
    target_values = rng.uniform(-1, 1, (B, K + 1, P)).astype(np.float32) * policy_mask[..., None]
    target_policies = rng.dirichlet(np.ones(A), (B, K + 1)).astype(np.float32) * policy_mask[..., None]
    return Batch(
        observations=rng.uniform(0, 1, (B, *OBSERVATION_SHAPE)).astype(np.float32),
        to_play=rng.integers(0, P, B),
        actions=rng.integers(0, A, (B, K)),
        target_values=target_values,
        value_mask=np.ones((B, K + 1, P), np.float32),
        target_rewards=rng.uniform(-1, 1, (B, K, P)).astype(np.float32) * next_player_mask[..., None],
        target_policies=target_policies,
        policy_mask=policy_mask,
        target_next_players=rng.integers(0, P, (B, K)) * next_player_mask.astype(np.int64),
        next_player_mask=next_player_mask,
        weights=rng.uniform(0.5, 1.0, B).astype(np.float32),
        indices=np.arange(B),
    )


def make_learner(network_config: NetworkConfig, learner_config: LearnerConfig = FAST, seed: int = 0) -> Learner:
    torch.manual_seed(seed)
    network = muzero_net(network_config, OBSERVATION_SHAPE, A, P)
    return Learner.from_config(network, learner_config, network_config, P)


@pytest.mark.parametrize("network_config", [WITH_SUPPORTS, WITH_SCALARS], ids=["supports", "scalars"])
def test_learner_drives_the_loss_of_a_fixed_batch_near_zero(network_config):
    learner = make_learner(network_config)
    batch = fixed_batch()
    first = learner.train_step(batch)
    for _ in range(200):
        last = learner.train_step(batch)
    terms = {"policy", "value", "reward", "next_player", "afterstate_value", "chance"}
    assert set(first.losses) == {"total", *terms, *(f"{term}_unweighted" for term in terms)}
    assert first.losses["afterstate_value"] == first.losses["chance"] == 0.0  # no chance codes: no afterstates
    assert all(math.isfinite(loss) and loss >= -1e-6 for loss in first.losses.values())
    assert last.losses["total"] < 0.05 * first.losses["total"]
    assert last.priorities.mean() < 0.2 * first.priorities.mean()  # the step-0 values approach their targets


def test_gradients_are_finite_and_priorities_match_the_step_zero_values():
    learner = make_learner(WITH_SUPPORTS)
    batch = fixed_batch()
    result = learner.train_step(batch)
    assert all(torch.isfinite(p.grad).all() for p in learner.network.parameters() if p.grad is not None)
    assert result.priorities.shape == (B,) and result.priorities.dtype == np.float32
    assert (result.priorities >= 0).all()
    fresh = make_learner(WITH_SUPPORTS).network  # the same initial weights: the priorities came before the step
    value_logits = fresh.initial_raw(torch.as_tensor(batch.observations), torch.as_tensor(batch.to_play)).value
    values = support_to_scalar(value_logits, WITH_SUPPORTS.value_support, transform=True).detach().numpy()
    expected = np.abs(values - batch.target_values[:, 0]).sum(-1)  # [B]
    np.testing.assert_allclose(result.priorities, expected, rtol=1e-5, atol=1e-6)


def test_masked_steps_do_not_count_and_weights_scale_the_loss():
    batch = fixed_batch()
    garbage = batch.target_policies.copy()
    garbage[7, 2:] = 1.0 / A  # where the game had ended
    next_players = batch.target_next_players.copy()
    next_players[7, 1:] = 2
    changed = dataclasses.replace(batch, target_policies=garbage, target_next_players=next_players)
    halved = dataclasses.replace(batch, weights=batch.weights * 0.5)
    losses = [make_learner(WITH_SUPPORTS).train_step(b).losses for b in (batch, changed, halved)]
    assert losses[0] == losses[1]
    assert losses[2]["total"] == pytest.approx(0.5 * losses[0]["total"], rel=1e-5)


@pytest.mark.parametrize("network_config", [WITH_SUPPORTS, WITH_SCALARS], ids=["supports", "scalars"])
def test_masked_value_targets_do_not_count(network_config):
    batch = fixed_batch()
    mask = np.ones_like(batch.value_mask)
    mask[:, :, 1] = 0.0  # player 1's values of every position left out
    masked = dataclasses.replace(batch, value_mask=mask)
    other_targets = batch.target_values.copy()
    other_targets[:, :, 1] = 5.0
    changed = dataclasses.replace(masked, target_values=other_targets)
    results = [make_learner(network_config).train_step(b) for b in (batch, masked, changed)]
    assert results[1].losses == results[2].losses
    np.testing.assert_array_equal(results[1].priorities, results[2].priorities)
    assert results[1].losses["value"] < results[0].losses["value"]  # player 1's part is gone
    assert results[1].losses["policy"] == results[0].losses["policy"]


def without_unroll(batch: Batch) -> Batch:
    """The batch with no unroll step (K = 0): the targets of the positions themselves."""
    return dataclasses.replace(
        batch,
        actions=batch.actions[:, :0],
        target_values=batch.target_values[:, :1],
        value_mask=batch.value_mask[:, :1],
        target_rewards=batch.target_rewards[:, :0],
        target_policies=batch.target_policies[:, :1],
        policy_mask=batch.policy_mask[:, :1],
        target_next_players=batch.target_next_players[:, :0],
        next_player_mask=batch.next_player_mask[:, :0],
    )


def test_without_an_unroll_only_the_prior_and_the_value_are_learned():
    learner = make_learner(WITH_SUPPORTS)
    batch = without_unroll(fixed_batch())
    dynamics_before = [p.detach().clone() for p in learner.network.dynamics.parameters()]
    first = learner.train_step(batch)
    for _ in range(200):
        last = learner.train_step(batch)
    assert first.losses["reward"] == first.losses["next_player"] == 0.0
    assert last.losses["total"] < 0.05 * first.losses["total"]
    for before, after in zip(dynamics_before, learner.network.dynamics.parameters(), strict=True):
        torch.testing.assert_close(before, after)  # no gradient reaches the dynamics


def test_unweighted_losses_ignore_the_importance_weights():
    batch = fixed_batch()
    halved = dataclasses.replace(batch, weights=batch.weights * 0.5)
    plain, weighted = (make_learner(WITH_SUPPORTS).train_step(b).losses for b in (batch, halved))
    for term in ("policy", "value", "reward", "next_player"):
        assert weighted[f"{term}_unweighted"] == pytest.approx(plain[f"{term}_unweighted"], rel=1e-6)
        assert weighted[term] == pytest.approx(0.5 * plain[term], rel=1e-5)
    unit = dataclasses.replace(batch, weights=np.ones(B, np.float32))
    losses = make_learner(WITH_SUPPORTS).train_step(unit).losses
    assert losses["value"] == pytest.approx(losses["value_unweighted"], rel=1e-6)


def test_learning_rate_schedule_by_hand():
    config = LearnerConfig(learning_rate=0.1, lr_warmup_steps=4, lr_decay_rate=0.5, lr_decay_steps=10)
    expected = {0: 0.1 * 0.25, 1: 0.1 * 0.5 * 0.5**0.1, 3: 0.1 * 0.5**0.3, 10: 0.05, 20: 0.025}
    for step, rate in expected.items():
        assert learning_rate_at(step, config) == pytest.approx(rate)
    no_warmup = dataclasses.replace(config, lr_warmup_steps=0)
    assert learning_rate_at(0, no_warmup) == pytest.approx(0.1)
    learner = make_learner(WITH_SCALARS, dataclasses.replace(config, batch_size=B))
    rates = [learner.train_step(fixed_batch()).learning_rate for _ in range(4)]
    assert rates == pytest.approx([learning_rate_at(step, config) for step in range(4)])
    assert learner.optimizer.param_groups[0]["lr"] == pytest.approx(rates[-1])


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_state_dict_round_trip_continues_identically(optimizer):
    config = dataclasses.replace(FAST, optimizer=optimizer, weight_decay=1e-4)
    batch = fixed_batch()
    learner = make_learner(WITH_SUPPORTS, config)
    for _ in range(3):
        learner.train_step(batch)
    saved = io.BytesIO()
    torch.save({"network": learner.network.state_dict(), "learner": learner.state_dict()}, saved)
    saved.seek(0)
    checkpoint = torch.load(saved, weights_only=True)
    resumed = make_learner(WITH_SUPPORTS, config, seed=1)  # other initial weights, overwritten below
    resumed.network.load_state_dict(checkpoint["network"])
    resumed.load_state_dict(checkpoint["learner"])
    assert resumed.step == 3
    original_losses = [learner.train_step(batch).losses for _ in range(3)]
    resumed_losses = [resumed.train_step(batch).losses for _ in range(3)]
    assert original_losses == resumed_losses


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_fused_optimizer_steps_as_the_per_parameter_loop_does_and_stays_fused_after_loading(optimizer):
    config = dataclasses.replace(FAST, optimizer=optimizer, weight_decay=1e-4)
    batch = fixed_batch()
    fused, loop = make_learner(WITH_SUPPORTS, config), make_learner(WITH_SUPPORTS, config)
    assert fused.fused and all(group["fused"] for group in fused.optimizer.param_groups)
    for group in loop.optimizer.param_groups:  # what torch runs on the CPU unless asked
        group["fused"] = None
    for _ in range(5):
        fused_losses, loop_losses = fused.train_step(batch).losses, loop.train_step(batch).losses
    assert fused_losses == pytest.approx(loop_losses, rel=1e-4)
    for a, b in zip(fused.network.parameters(), loop.network.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    resumed = make_learner(WITH_SUPPORTS, config)
    resumed.load_state_dict(loop.state_dict())  # saved without fused kernels
    assert all(group["fused"] for group in resumed.optimizer.param_groups)


def test_mismatched_network_and_unknown_optimizer_are_value_errors():
    network = muzero_net(WITH_SUPPORTS, OBSERVATION_SHAPE, A, P)
    with pytest.raises(ValueError, match="built for"):
        Learner.from_config(network, FAST, WITH_SCALARS, P)
    with pytest.raises(ValueError, match="learner.optimizer"):
        Learner.from_config(network, dataclasses.replace(FAST, optimizer="rmsprop"), WITH_SUPPORTS, P)
