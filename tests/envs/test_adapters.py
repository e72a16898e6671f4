"""The PettingZoo and Gymnasium adapters, the registry and the conformance check."""

import numpy as np
import pytest
from pettingzoo.classic import connect_four_v3, tictactoe_v3

import envs
from envs.pettingzoo_game import game_over
from envs.testing import ConformanceError, check_game
from muzero.core.errors import IllegalActionError, UnknownGameError, UserError

CONFORMING_GAMES = [
    *[(name, {}) for name in envs.names()],
    ("dots_and_boxes", {"players": 3}),
    ("dots_and_boxes", {"players": 4, "rows": 2, "cols": 3}),
    ("pettingzoo:pettingzoo.classic.connect_four_v3", {}),
    ("gym:CartPole-v1", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), CONFORMING_GAMES)
def test_every_game_conforms(name, kwargs):
    game = envs.make(name, **kwargs)
    report = check_game(game, episodes=3, seed=7)
    assert report.returns.shape == (3, game.num_players)
    assert report.steps > 0


@pytest.mark.parametrize(
    ("name", "kwargs", "build"),
    [
        ("tictactoe", {}, tictactoe_v3.env),
        ("connect4", {}, connect_four_v3.env),
        ("dots_and_boxes", {"players": 3}, lambda: envs.make_env("dots_and_boxes", players=3)),
    ],
)
def test_rewards_and_to_play_match_the_pettingzoo_env(name, kwargs, build):
    rng = np.random.default_rng(3)
    for seed in range(5):
        game, reference = envs.make(name, **kwargs), build()
        timestep = game.reset(seed=seed)
        reference.reset(seed=seed)
        agents = reference.possible_agents
        while not timestep.terminal:
            assert agents[timestep.to_play] == reference.agent_selection
            mask = reference.observe(reference.agent_selection)["action_mask"].astype(bool)
            np.testing.assert_array_equal(timestep.legal_mask, mask)
            action = int(rng.choice(np.flatnonzero(mask)))
            timestep = game.step(action)
            reference.step(action)
            expected = np.array([reference.rewards[a] for a in agents], dtype=np.float32)
            np.testing.assert_array_equal(timestep.rewards, expected)
            assert timestep.terminal == game_over(reference)


def test_observation_is_from_the_point_of_view_of_the_player_to_move():
    game = envs.make("tictactoe")
    game.reset(seed=0)
    timestep = game.step(4)  # player 0 takes the centre
    assert timestep.to_play == 1
    assert timestep.observation.shape == (2, 3, 3)  # channels first
    assert timestep.observation[0].sum() == 0  # player 1's own marks: none
    assert timestep.observation[1, 1, 1] == 1  # the opponent's mark in the centre


def test_connect_four_win_gives_opposite_rewards():
    game = envs.make("connect4")
    game.reset(seed=0)
    for column in [0, 1, 0, 1, 0, 1]:
        timestep = game.step(column)
    timestep = game.step(0)
    assert timestep.terminal
    np.testing.assert_array_equal(timestep.rewards, [1.0, -1.0])


def test_unknown_game_lists_the_known_names():
    with pytest.raises(UnknownGameError) as error:
        envs.make("chess")
    message = str(error.value)
    assert "chess" in message and all(name in message for name in envs.names())
    assert "\n" not in message


def test_unimportable_pettingzoo_module_is_a_user_error():
    with pytest.raises(UnknownGameError, match="no_such_module"):
        envs.make("pettingzoo:no_such_module")


def test_bad_game_arguments_are_a_user_error():
    with pytest.raises(UserError, match="players"):
        envs.make("tictactoe", players=3)


def test_continuous_gym_env_is_refused():
    with pytest.raises(UserError, match="discrete"):
        envs.make("gym:Pendulum-v1")


def test_illegal_action_names_action_and_legal_ones_and_changes_nothing():
    game = envs.make("tictactoe")
    game.reset(seed=0)
    before = game.step(0)
    for action in (0, 9, -1):
        with pytest.raises(IllegalActionError) as error:
            game.step(action)
        assert f"action {action} " in str(error.value)
        assert "[1, 2, 3, 4, 5, 6, 7, 8]" in str(error.value)
    after = game.step(1)
    assert after.to_play == 0 and after.observation[0, 0, 0] == 1 and after.observation[1, 0, 1] == 1
    assert before.to_play == 1


class _BrokenMaskGame:
    """A game whose legal mask is empty before the end: the conformance check must catch it."""

    def __init__(self):
        self.inner = envs.make("tictactoe")
        self.num_players, self.num_actions = 2, 9
        self.observation_shape = (2, 3, 3)

    def reset(self, seed=None):
        timestep = self.inner.reset(seed)
        return type(timestep)(timestep.observation, 0, timestep.legal_mask & False, timestep.rewards, terminal=False)

    def step(self, action):
        return self.inner.step(action)


def test_conformance_check_catches_an_empty_mask():
    with pytest.raises(ConformanceError, match="legal_mask is empty"):
        check_game(_BrokenMaskGame())
