"""2048, one player: its pure rules (`rules.py`, the new tile as a chance outcome: a 2 or a 4 on each empty
cell), its AEC env and Gymnasium env (`env.py`, the tiles drawn by the env), its greedy reference player and
its board. A copy of a game is the pure rules at its position (`rules.Rules2048`): after a move it waits for
the new tile, so a search over copies has exact chance nodes and never knows the tile to come."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs import picture as pic
from envs.definition import GameArgs, GameDefinition, OpponentKind
from envs.game2048 import rules
from envs.game2048.env import env
from envs.game2048.players import Greedy2048Player
from envs.rules_game import RulesGame
from envs.symmetries import SQUARE_TRANSFORMS, grid_symmetries
from muzero.core.symmetry import Symmetry

PLAYER_COLOUR = "#8f7a66"
# tone k: the tile 2**k (k >= 1); tone 0: an empty cell; the last: the board
TONES = (
    "#cdc1b4", "#eee4da", "#ede0c8", "#f2b179", "#f59563", "#f67c5f", "#f65e3b", "#edcf72",
    "#edcc61", "#edc850", "#edc53f", "#edc22e", "#3c3a32", "#3c3a32", "#3c3a32", "#3c3a32", "#bbada0",
)  # fmt: skip
BOARD_TONE, EMPTY_TONE = len(TONES) - 1, 0
ARROWS = {rules.UP: "↑", rules.RIGHT: "→", rules.DOWN: "↓", rules.LEFT: "←"}


# each move drawn as the step it makes from the centre of a 3 x 3 grid, so that a transform of the board
# carries a move to the move in the transformed direction (-1: no move there)
MOVE_GRID = np.array([[-1, rules.UP, -1], [rules.LEFT, -1, rules.RIGHT], [-1, rules.DOWN, -1]])


def symmetries(**game_args: Any) -> tuple[Symmetry, ...]:
    """The eight symmetries of the square: observations (16, 4, 4), each move turned with the board."""
    return grid_symmetries((rules.PLANES, rules.SIDE, rules.SIDE), MOVE_GRID, SQUARE_TRANSFORMS)


def describe_action(action: int, game_args: GameArgs) -> str:
    return rules.ACTION_NAMES[action] if 0 <= action < len(rules.ACTION_NAMES) else f"action {action}"


def describe_outcome(outcome: int, game_args: GameArgs) -> str:
    cell, four = divmod(outcome, 2)
    return f"{4 if four else 2} at {'abcd'[cell % 4]}{cell // 4 + 1}"


def _tiles(state: rules.State2048, new_cell: int | None) -> list[pic.Mark]:
    marks = [pic.Mark(pic.RECT, (0.0, 0.0, 4.2, 4.2), pic.tone(BOARD_TONE), round=0.15)]
    for cell, tile in enumerate(state.board):
        box = (0.2 + (cell % 4), 0.2 + (cell // 4), 0.8, 0.8)
        if not tile:
            marks.append(pic.Mark(pic.RECT, box, pic.tone(EMPTY_TONE), round=0.08))
            continue
        note = pic.LAST if cell == new_cell else ""
        marks.append(pic.Mark(pic.RECT, box, pic.tone(min(tile, BOARD_TONE - 1)), round=0.08, note=note))
        marks.append(pic.Mark(pic.TEXT, box, pic.LABEL, text=str(1 << tile)))
    return marks


def draw_board(env: Any, last_action: int | None) -> pic.BoardPicture:
    """The 4 x 4 board (the tile chance placed last marked), the score, and a button per legal move."""
    game = env.unwrapped.game
    state = game.state
    new_cell = None if game.last_tile is None or last_action is None else game.last_tile // 2
    marks = _tiles(state, new_cell)
    said = f"score {state.score}" + (" · game over" if state.over else "")
    marks.append(pic.Mark(pic.TEXT, (0.0, 4.3, 4.2, 0.5), pic.LABEL, text=said))
    spots = []
    for action in map(int, rules.legal_moves(state.board).nonzero()[0]) if not state.over else ():
        box = (0.05 + 1.05 * action, 4.9, 0.95, 0.6)
        marks.append(pic.Mark(pic.RECT, box, pic.OPEN, round=0.1))
        marks.append(pic.Mark(pic.TEXT, box, pic.LABEL, text=ARROWS[action]))
        spots.append(pic.MoveSpot(action, box))
    pieces = (pic.Mark(pic.RECT, (0.1, 0.1, 0.8, 0.8), pic.player(0), round=0.1),)
    return pic.BoardPicture(4.2, 5.6, tuple(marks), tuple(spots), pieces, (PLAYER_COLOUR,), TONES)


def copy_state(env: Any) -> RulesGame:
    """A copy at the env's position over the pure rules: it draws no tile (a move waits for its tile)."""
    return RulesGame(rules.Rules2048(), env.unwrapped.state)


GAME = GameDefinition(
    name="2048",
    title="2048",
    make_env=env,
    symmetries=symmetries,
    opponents=(OpponentKind("greedy", Greedy2048Player),),
    describe_action=describe_action,
    describe_outcome=describe_outcome,
    draw_board=draw_board,
    copy_state=copy_state,
)
