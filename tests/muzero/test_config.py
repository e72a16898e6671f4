"""Configuration: TOML round trip, overrides, and one-line errors that name the field."""

import dataclasses

import pytest

from muzero.core.config import (
    ExperimentConfig,
    GameConfig,
    SearchConfig,
    config_from_dict,
    config_to_dict,
    config_to_toml,
    load_config,
    with_overrides,
)
from muzero.core.errors import UserError
from muzero.core.game_kit import GameSpec
from muzero.replay import ReplayBuffer


def test_toml_round_trip_keeps_every_field(tmp_path):
    config = with_overrides(
        ExperimentConfig(game=GameConfig("tictactoe")),
        ["game.name=dots_and_boxes", "game.players=3", "selfplay.temperature_schedule=[[0, 1], [100, 0.5]]"],
    )
    path = tmp_path / "config.toml"
    path.write_text(config_to_toml(config))
    assert load_config(path) == config
    assert config.game.args == {"players": 3}
    assert config.selfplay.temperature_schedule == ((0, 1.0), (100, 0.5))


def test_configs_are_frozen_and_derived_by_replace():
    config = ExperimentConfig(game=GameConfig("tictactoe"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.search.num_simulations = 3  # type: ignore[misc]
    derived = dataclasses.replace(config, search=SearchConfig(num_simulations=7))
    assert derived.search.num_simulations == 7 and config.search.num_simulations == 50


def test_ints_widen_to_floats_but_strings_do_not_become_numbers():
    assert with_overrides(ExperimentConfig(game=GameConfig("tictactoe")), ["search.discount=1"]).search.discount == 1.0
    with pytest.raises(UserError, match="'search.num_simulations' must be int"):
        with_overrides(ExperimentConfig(game=GameConfig("tictactoe")), ["search.num_simulations=many"])


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ("search.num_simulations=-5", "search.num_simulations"),
        ("search.discount=0", "search.discount"),
        ("search.discount=1.01", "search.discount"),
        ("network.kind=transformer", "network.kind"),
        ("learner.optimizer=rmsprop", "learner.optimizer"),
        ("selfplay.temperature_schedule=[[5, 1.0]]", "selfplay.temperature_schedule"),
        ("replay.capacity=10", "replay.capacity"),
        ("search.no_such_field=1", "search.no_such_field"),
        ("search.algorithm=alphazero", "search.algorithm"),
        ("search.max_considered_actions=0", "search.max_considered_actions"),
        ("search.value_scale=0", "search.value_scale"),
        ("selfplay.inference=tensorflow", "selfplay.inference"),
        ("selfplay.refresh_steps=0", "selfplay.refresh_steps"),
        ("selfplay.random_move_probability=1.5", "selfplay.random_move_probability"),
        ("selfplay.random_seat_probability=-0.1", "selfplay.random_seat_probability"),
        ("search.opponent_random_probability=1.5", "search.opponent_random_probability"),
        ("search.opponent_random_probability=0.5", "search.opponent_random_probability"),  # needs gumbel
    ],
)
def test_bad_values_get_a_one_line_error_naming_the_field(setting, field):
    with pytest.raises(UserError) as error:
        with_overrides(ExperimentConfig(game=GameConfig("tictactoe")), [setting])
    assert field in str(error.value) and "\n" not in str(error.value)


def test_the_discount_has_one_home_read_by_the_replay_buffer_and_kept_in_the_search_section():
    config = with_overrides(ExperimentConfig(game=GameConfig("tictactoe")), ["search.discount=0.9"])
    assert config.discount == 0.9 == config.search.discount
    assert "discount" not in config_to_dict(config) and config_to_dict(config)["search"]["discount"] == 0.9
    assert ReplayBuffer(config.replay, GameSpec(2, 9, (2, 3, 3)), config.discount).discount == 0.9


def test_unknown_section_and_malformed_setting():
    with pytest.raises(UserError, match="unknown config section"):
        config_from_dict({"optimiser": {"lr": 1}})
    with pytest.raises(UserError, match="section.field=value"):
        with_overrides(ExperimentConfig(game=GameConfig("tictactoe")), ["num_simulations=5"])


def test_broken_toml_file_is_a_user_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[search\nnum_simulations = 3")
    with pytest.raises(UserError, match="not valid TOML"):
        load_config(path)
    with pytest.raises(UserError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
