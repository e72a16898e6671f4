"""The networks: support round trips, output shapes of both families for 1, 2 and 3 players, latent scaling."""

import pytest
import torch

from muzero.core.config import NetworkConfig
from muzero.core.errors import UserError
from muzero.networks import (
    inverse_scale_transform,
    muzero_net,
    scalar_to_support,
    scale_transform,
    support_to_scalar,
)

TINY_MLP = NetworkConfig(kind="mlp", latent_size=8, hidden_size=16, hidden_layers=1, value_support=5, reward_support=3)
TINY_RESNET = NetworkConfig(kind="resnet", channels=4, blocks=1, hidden_size=8, value_support=5, reward_support=3)
OBSERVATION_SHAPE = (2, 3, 4)  # planes for the resnet, flattened by the mlp
NUM_ACTIONS = 5


def test_scale_transform_inverse_is_exact():
    x = torch.linspace(-1000.0, 1000.0, 2001, dtype=torch.float64)
    torch.testing.assert_close(inverse_scale_transform(scale_transform(x)), x, rtol=1e-9, atol=1e-9)
    assert scale_transform(torch.tensor(3.0)).item() == pytest.approx(1.003)  # sqrt(4) - 1 + 0.003


@pytest.mark.parametrize("transform", [False, True])
def test_scalar_support_round_trip_across_the_range(transform):
    support = 10
    reach = inverse_scale_transform(torch.tensor(float(support))).item() if transform else support
    x = torch.linspace(-reach, reach, 1001).reshape(7, 11, 13)  # any leading shape
    probabilities = scalar_to_support(x, support, transform)  # [7, 11, 13, 21]
    assert probabilities.shape == (7, 11, 13, 2 * support + 1)
    torch.testing.assert_close(probabilities.sum(-1), torch.ones_like(x))
    assert int((probabilities > 0).sum(-1).max()) <= 2  # two-hot
    recovered = support_to_scalar(torch.log(probabilities), support, transform)
    torch.testing.assert_close(recovered, x, rtol=0, atol=1e-4)


def test_scalar_to_support_clamps_and_support_zero_is_identity():
    probabilities = scalar_to_support(torch.tensor([1e6, -1e6]), 3, transform=True)  # [2, 7]
    assert probabilities[0, -1] == 1 and probabilities[1, 0] == 1
    x = torch.randn(4, 3)
    assert torch.equal(scalar_to_support(x, 0, transform=True), x)
    assert torch.equal(support_to_scalar(x, 0, transform=True), x)


def inputs(batch_size: int, num_players: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    observation = torch.rand(batch_size, *OBSERVATION_SHAPE, generator=generator)
    to_play = torch.randint(0, num_players, (batch_size,), generator=generator)
    action = torch.randint(0, NUM_ACTIONS, (batch_size,), generator=generator)
    return observation, to_play, action


@pytest.mark.parametrize("config", [TINY_MLP, TINY_RESNET], ids=["mlp", "resnet"])
@pytest.mark.parametrize("num_players", [1, 2, 3])
@pytest.mark.parametrize("batch_size", [1, 5])
def test_output_shapes_and_latent_range(config, num_players, batch_size):
    network = muzero_net(config, OBSERVATION_SHAPE, NUM_ACTIONS, num_players)
    observation, to_play, action = inputs(batch_size, num_players)
    B, P, A = batch_size, num_players, NUM_ACTIONS
    latent, policy_logits, values = network.initial_inference(observation, to_play)
    assert latent.shape == (B, *network.latent_shape)
    assert (policy_logits.shape, values.shape) == ((B, A), (B, P))
    outputs = network.recurrent_inference(latent, action)
    assert [tuple(tensor.shape) for tensor in outputs] == [(B, *network.latent_shape), (B, P), (B, P), (B, A), (B, P)]
    for scaled in (latent, outputs[0]):
        assert scaled.min() >= 0 and scaled.max() <= 1
        assert torch.allclose(scaled.flatten(1).amin(1), torch.zeros(B))  # min-max per sample
        assert torch.allclose(scaled.flatten(1).amax(1), torch.ones(B))
    raw = network.recurrent_raw(latent, action)
    assert raw.reward.shape == (B, P, 2 * config.reward_support + 1)
    assert raw.value.shape == (B, P, 2 * config.value_support + 1)


def test_latent_shapes_of_the_families():
    mlp = muzero_net(TINY_MLP, OBSERVATION_SHAPE, NUM_ACTIONS, 2)
    resnet = muzero_net(TINY_RESNET, OBSERVATION_SHAPE, NUM_ACTIONS, 2)
    assert mlp.latent_shape == (TINY_MLP.latent_size,)
    assert resnet.latent_shape == (TINY_RESNET.channels, *OBSERVATION_SHAPE[1:])
    assert 0 < mlp.num_parameters() == sum(p.numel() for p in mlp.parameters())


def test_each_resnet_tower_has_its_own_depth_and_minus_one_follows_blocks():
    config = NetworkConfig(**{**TINY_RESNET.__dict__, "blocks": 3, "dynamics_blocks": 2, "prediction_blocks": 0})
    network = muzero_net(config, OBSERVATION_SHAPE, NUM_ACTIONS, 2)
    assert [len(part.tower) for part in (network.representation, network.dynamics, network.prediction)] == [3, 2, 0]
    assert NetworkConfig(blocks=4).tower_blocks() == (4, 4, 4)
    with pytest.raises(ValueError, match="network.prediction_blocks"):
        NetworkConfig(prediction_blocks=-2)


@pytest.mark.parametrize("config", [TINY_MLP, TINY_RESNET], ids=["mlp", "resnet"])
def test_scalar_outputs_without_a_support(config):
    scalar_config = NetworkConfig(**{**config.__dict__, "value_support": 0, "reward_support": 0})
    network = muzero_net(scalar_config, OBSERVATION_SHAPE, NUM_ACTIONS, 3)
    observation, to_play, action = inputs(4, 3)
    initial = network.initial_raw(observation, to_play)
    recurrent = network.recurrent_raw(initial.latent, action)
    assert initial.value.shape == recurrent.value.shape == recurrent.reward.shape == (4, 3)
    torch.testing.assert_close(network.initial_inference(observation, to_play)[2], initial.value)


def test_value_and_reward_heads_start_at_zero():
    network = muzero_net(TINY_MLP, OBSERVATION_SHAPE, NUM_ACTIONS, 3)
    observation, to_play, action = inputs(4, 3)
    latent, _, values = network.initial_inference(observation, to_play)
    _, rewards, *_ = network.recurrent_inference(latent, action)
    assert values.abs().max() < 1e-5 and rewards.abs().max() < 1e-5  # uniform over symmetric bins


@pytest.mark.parametrize("config", [TINY_MLP, TINY_RESNET], ids=["mlp", "resnet"])
def test_to_play_changes_the_latent(config):
    network = muzero_net(config, OBSERVATION_SHAPE, NUM_ACTIONS, 3)
    observation, _, _ = inputs(1, 3)
    latents = [network.initial_inference(observation, torch.tensor([player]))[0] for player in range(3)]
    assert not torch.allclose(latents[0], latents[1]) and not torch.allclose(latents[1], latents[2])


def test_action_changes_the_next_latent():
    network = muzero_net(TINY_RESNET, OBSERVATION_SHAPE, NUM_ACTIONS, 2)
    latent = network.initial_inference(*inputs(1, 2)[:2])[0]
    next_latents = [network.recurrent_inference(latent, torch.tensor([a]))[0] for a in range(2)]
    assert not torch.allclose(next_latents[0], next_latents[1])


def test_resnet_on_flat_observations_is_a_value_error_naming_the_field():
    with pytest.raises(ValueError, match="network.kind"):
        muzero_net(TINY_RESNET, (18,), NUM_ACTIONS, 2)


def test_unknown_kind_is_a_user_error():
    with pytest.raises(UserError, match="network.kind"):
        muzero_net(NetworkConfig(kind="transformer"), OBSERVATION_SHAPE, NUM_ACTIONS, 2)


@pytest.mark.parametrize("config", [TINY_MLP, TINY_RESNET], ids=["mlp", "resnet"])
@pytest.mark.parametrize("value_support", [0, 5])
def test_a_zero_sum_value_head_gives_player_one_the_negation_of_player_zero(config, value_support):
    import dataclasses

    import torch.nn.init

    config = dataclasses.replace(config, zero_sum_value=True, value_support=value_support, scale_transform=True)
    network = muzero_net(config, OBSERVATION_SHAPE, NUM_ACTIONS, 2)
    for parameter in network.prediction.parameters():  # value heads start at zero: give them something to say
        torch.nn.init.normal_(parameter, std=0.3)
    observation, to_play, action = inputs(6, 2)
    latent, _, values = network.initial_inference(observation, to_play)
    assert values.shape == (6, 2) and values.abs().max() > 1e-3
    torch.testing.assert_close(values[:, 1], -values[:, 0])
    *_, next_values = network.recurrent_inference(latent, action)
    torch.testing.assert_close(next_values[:, 1], -next_values[:, 0])


def test_a_zero_sum_value_head_is_refused_for_three_players():
    import dataclasses

    with pytest.raises(UserError, match="two-player"):
        muzero_net(dataclasses.replace(TINY_MLP, zero_sum_value=True), OBSERVATION_SHAPE, NUM_ACTIONS, 3)
