"""Every game's picture of its board (envs.picture), checked against the game itself along random games: one
move spot per legal move and none for an illegal one, each ghost in the mover's colour, the last move and a
winning line noted, every mark inside the picture, coordinates that name the moves."""

from __future__ import annotations

import numpy as np
import pytest

import envs
from envs import picture as pic
from envs.registry import GAMES

DRAWN = [(game.name, args) for game in GAMES if game.draw_board for args in ({}, {"players": 3})]
DRAWN = [(name, args) for name, args in DRAWN if not args or name == "dots_and_boxes"]


def walk(name: str, args: dict, seed: int):
    """(picture, legal mask, mover, game over) at each position of a random game, with its last action."""
    game = envs.make(name, **args)
    draw = envs.game_definition(name).draw_board
    timestep, rng, last = game.reset(seed=seed), np.random.default_rng(seed), None
    while True:
        over = bool(timestep.terminal)
        yield draw(game.env, last), timestep.legal_mask, timestep.to_play, over, last
        if over:
            return
        last = int(rng.choice(np.flatnonzero(timestep.legal_mask)))
        timestep = game.step(last)


def inside(box, picture: pic.BoardPicture, slack: float = 0.01) -> bool:
    x, y, width, height = box
    x0, x1, y0, y1 = min(x, x + width), max(x, x + width), min(y, y + height), max(y, y + height)
    return -slack <= x0 and x1 <= picture.width + slack and -slack <= y0 and y1 <= picture.height + slack


@pytest.mark.parametrize(("name", "args"), DRAWN)
def test_each_legal_move_has_a_spot_with_the_movers_piece_and_every_mark_is_on_the_board(name, args):
    for seed in range(3):
        for picture, legal, mover, over, last in walk(name, args, seed):
            spots = sorted(spot.action for spot in picture.spots)
            assert spots == ([] if over else sorted(np.flatnonzero(legal).tolist()))
            assert all(spot.ghost is None or spot.ghost.colour == pic.player(mover) for spot in picture.spots)
            assert all(inside(mark.box, picture) for mark in picture.marks)
            assert all(inside(spot.box, picture) for spot in picture.spots)
            assert len(picture.pieces) == len(picture.colours) == envs.make(name, **args).num_players
            if last is not None and not any(mark.note == pic.WIN for mark in picture.marks):
                assert sum(mark.note == pic.LAST for mark in picture.marks) >= 1


def test_tictactoes_coordinates_name_its_cells_and_a_won_game_marks_its_line():
    labels = {mark.text for mark in next(walk("tictactoe", {}, 0))[0].marks if mark.colour == pic.LABEL}
    assert labels == {"a", "b", "c", "1", "2", "3"}
    game, draw = envs.make("tictactoe"), envs.game_definition("tictactoe").draw_board
    game.reset(seed=0)
    for action in (0, 4, 1, 5, 2):  # the first player takes the first column: cells 0, 1, 2
        game.step(action)
    won = [mark for mark in draw(game.env, 2).marks if mark.note == pic.WIN]
    assert len(won) >= 3 and not draw(game.env, 2).spots


def test_connect_fours_columns_are_numbered_and_a_four_is_marked():
    game, draw = envs.make("connect4"), envs.game_definition("connect4").draw_board
    game.reset(seed=0)
    for action in (0, 1, 0, 1, 0, 1, 0):  # four in column 1 for the first player
        game.step(action)
    picture = draw(game.env, 0)
    labels = [mark.text for mark in picture.marks if mark.colour == pic.LABEL]
    assert labels == [str(column) for column in range(1, 8)]
    won = [mark for mark in picture.marks if mark.note == pic.WIN]
    assert len(won) == 4 and {mark.colour for mark in won} == {pic.player(0)} and not picture.spots


def test_dots_and_boxes_colours_a_taken_box_with_its_owner():
    game, draw = envs.make("dots_and_boxes", players=3), envs.game_definition("dots_and_boxes").draw_board
    timestep = game.reset(seed=0)
    rng = np.random.default_rng(1)
    while not timestep.terminal:
        timestep = game.step(int(rng.choice(np.flatnonzero(timestep.legal_mask))))
    boxes = [mark for mark in draw(game.env, None).marks if mark.shape == pic.RECT]
    owners = [mark.colour for mark in boxes if mark.colour.startswith("player-")]
    assert len(owners) == 9  # a 3 x 3 board, every box taken
    numbers = {mark.text for mark in draw(game.env, None).marks if mark.shape == pic.TEXT}
    assert numbers <= {"1", "2", "3"}
