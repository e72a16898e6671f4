"""Game symmetries: the group sizes, hand-checked images, and the conformance check catching a wrong one."""

import dataclasses

import numpy as np
import pytest

import envs
from envs.testing import ConformanceError, check_game
from muzero.core.symmetry import Symmetry


@pytest.mark.parametrize(
    ("name", "kwargs", "count"),
    [
        ("tictactoe", {}, 8),
        ("connect4", {}, 2),
        ("dots_and_boxes", {"players": 3}, 8),
        ("dots_and_boxes", {"players": 2, "rows": 2, "cols": 3}, 4),
        ("pettingzoo:pettingzoo.classic.connect_four_v3", {}, 0),
        ("gym:CartPole-v1", {}, 0),
    ],
)
def test_games_declare_their_symmetry_group_identity_first(name, kwargs, count):
    symmetries = tuple(getattr(envs.make(name, **kwargs), "symmetries", ()))
    assert len(symmetries) == count
    if count:
        assert np.array_equal(symmetries[0].action_image, np.arange(symmetries[0].action_image.size))
        images = {tuple(s.action_image) + tuple(s.observation_source) for s in symmetries}
        assert len(images) == count  # all distinct


def test_hand_checked_images():
    tictactoe = envs.make("tictactoe").symmetries
    # Cell (0, 1) is action 1 and cell (1, 0) action 3: some symmetry (a transpose) swaps them, fixing 0, 4, 8.
    transposes = [s for s in tictactoe if s.action_image[1] == 3 and s.action_image[0] == 0]
    assert len(transposes) == 1 and transposes[0].action_image.tolist() == [0, 3, 6, 1, 4, 7, 2, 5, 8]
    mirror = envs.make("connect4").symmetries[1]
    assert mirror.action_image.tolist() == [6, 5, 4, 3, 2, 1, 0]
    dots = envs.make("dots_and_boxes", players=3).symmetries
    # 3x3 boxes: horizontal edges 0..11 (row by row), vertical edges 12..23. The top-left horizontal edge
    # goes to the bottom-left one (9) under the up-down flip, to the top-left vertical one (12) under the
    # transpose.
    assert sorted(int(s.action_image[0]) for s in dots) == [0, 2, 9, 11, 12, 15, 20, 23]


def test_the_conformance_check_catches_a_symmetry_that_does_not_hold():
    game = envs.make("tictactoe")
    rotation = game.symmetries[6]
    swapped = rotation.action_image.copy()
    swapped[[0, 1]] = swapped[[1, 0]]
    game.symmetries = (*game.symmetries[:6], Symmetry(rotation.observation_source, swapped))
    with pytest.raises(ConformanceError, match="symmetry 6 does not hold"):
        check_game(game, episodes=2)


def test_a_symmetry_must_be_a_permutation_of_the_right_size():
    with pytest.raises(ValueError, match="permutation"):
        Symmetry(np.array([0, 0, 1]), np.arange(3))
    identity = envs.make("connect4").symmetries[0]
    with pytest.raises(ValueError, match="does not fit"):
        dataclasses.replace(identity, action_image=np.arange(8)).require_sizes((2, 6, 7), 7)
