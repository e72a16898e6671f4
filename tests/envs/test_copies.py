"""Every game can be copied: the registered games by their pure rules (a copy steps exactly as the live env
does, and independently of it), any other PettingZoo or Gymnasium env by a deep copy; an env that cannot be
copied is one line."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import envs
from envs.pettingzoo_game import PettingZooGame
from envs.rules_game import RulesGame
from muzero.core.errors import UserError

REGISTERED = [("tictactoe", {}), ("connect4", {}), ("dots_and_boxes", {"players": 3, "rows": 2, "cols": 3})]


def assert_same(timestep, other) -> None:
    np.testing.assert_array_equal(timestep.observation, other.observation)
    np.testing.assert_array_equal(timestep.legal_mask, other.legal_mask)
    np.testing.assert_array_equal(timestep.rewards, other.rewards)
    assert (timestep.to_play, timestep.terminal) == (other.to_play, other.terminal)


@pytest.mark.parametrize(("name", "args"), REGISTERED)
def test_a_rules_copy_steps_exactly_as_the_live_game_from_any_position(name, args):
    rng = np.random.default_rng(0)
    for _ in range(20):
        game = envs.make(name, **args)
        timestep = game.reset(seed=0)
        for _ in range(int(rng.integers(0, 8))):  # a random position
            if timestep.terminal:
                break
            timestep = game.step(int(rng.choice(np.flatnonzero(timestep.legal_mask))))
        copy = game.clone()
        assert isinstance(copy, RulesGame) and copy.symmetries == game.symmetries
        assert_same(copy.timestep(timestep.rewards), timestep)
        while not timestep.terminal:
            action = int(rng.choice(np.flatnonzero(timestep.legal_mask)))
            timestep, copied = game.step(action), copy.step(action)
            assert_same(copied, timestep)


@pytest.mark.parametrize(("name", "args"), REGISTERED)
def test_a_copy_is_independent_of_the_game_and_of_other_copies(name, args):
    game = envs.make(name, **args)
    start = game.reset(seed=0)
    first = game.clone()
    second = first.clone()
    action = int(np.flatnonzero(start.legal_mask)[0])
    first.step(action)
    assert_same(second.timestep(start.rewards), start)  # neither the game nor the other copy moved
    assert_same(game.clone().timestep(start.rewards), start)


def test_any_pettingzoo_env_is_deep_copied():
    game = envs.make("pettingzoo:pettingzoo.classic.connect_four_v3")
    game.reset(seed=0)
    game.step(3)
    copy = game.clone()
    assert isinstance(copy, PettingZooGame) and copy.env is not game.env
    np.testing.assert_array_equal(copy.step(3).observation, game.step(3).observation)
    assert copy.step(2).to_play == 1 and game.current_decision().to_play == 0  # stepped apart


def test_a_gymnasium_env_is_deep_copied_with_its_state():
    game = envs.make("gym:CartPole-v1")
    game.reset(seed=3)
    copy = game.clone()
    np.testing.assert_array_equal(copy.step(1).observation, game.step(1).observation)


class _Locked:
    """An env attribute that cannot be copied, as a lock or an open connection."""

    def __init__(self):
        self.lock = threading.Lock()


def test_an_env_that_cannot_be_copied_is_one_line():
    game = envs.make("pettingzoo:pettingzoo.classic.connect_four_v3")
    game.reset(seed=0)
    game.env.unwrapped.connection = _Locked()
    with pytest.raises(UserError, match=r"^pettingzoo:pettingzoo.classic.connect_four_v3: its env cannot be copied"):
        game.clone()
