"""The bridge from game names to games: arguments left at their defaults make the same game as given ones."""

from muzero.core.config import GameConfig
from muzero.faces.games import game_kit, same_game


def test_arguments_at_their_defaults_make_the_same_game():
    short, full = GameConfig("dots_and_boxes", {"players": 3}), GameConfig("dots_and_boxes", {"players": 3, "rows": 3})
    assert same_game(short, full) and same_game(full, short)
    assert not same_game(short, GameConfig("dots_and_boxes", {"players": 3, "rows": 4}))
    assert not same_game(GameConfig("tictactoe"), GameConfig("connect4"))


def test_a_kit_names_its_env_and_its_evaluation_opponents():
    kit = game_kit(GameConfig("connect4"))
    assert kit.env_name == "connect_four_v3" and kit.reference_opponents == ("random", "alphabeta:4")
    assert game_kit(GameConfig("gym:CartPole-v1")).env_name is None
    assert GameConfig("dots_and_boxes", {"players": 3}).text() == "dots_and_boxes (players=3)"
