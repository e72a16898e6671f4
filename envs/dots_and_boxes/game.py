"""Dots and boxes as a registered game: its symmetries, greedy player, board, arguments and rules copy."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs import picture as pic
from envs.definition import ArgumentChoice, GameArgs, GameDefinition, OpponentKind
from envs.dots_and_boxes import rules
from envs.dots_and_boxes.env import env, observation_grid
from envs.dots_and_boxes.greedy import GreedyDotsAndBoxesPlayer
from envs.pettingzoo_game import observation_to_array
from envs.rules_game import RulesGame
from envs.symmetries import board_transforms, grid_symmetries
from muzero.core.symmetry import Symmetry
from muzero.core.types import Decision

COLOURS = ("#e6504f", "#4682e6", "#50be64", "#ebbe32")  # each player's colour
MARGIN = 0.5  # board units around the dots
DEFAULT_ARGS = {"players": 2, "rows": 3, "cols": 3}


def edge_layout(rows: int, cols: int) -> np.ndarray:
    """int64[2 rows + 1, 2 cols + 1]: each edge (= action) at its cell of the observation grid, -1 elsewhere."""
    grid = np.full((2 * rows + 1, 2 * cols + 1), -1, dtype=np.int64)
    horizontal_count = (rows + 1) * cols
    grid[0::2, 1::2] = np.arange(horizontal_count).reshape(rows + 1, cols)
    grid[1::2, 0::2] = horizontal_count + np.arange(rows * (cols + 1)).reshape(rows, cols + 1)
    return grid


def symmetries(players: int = 2, rows: int = 3, cols: int = 3, **game_args: Any) -> tuple[Symmetry, ...]:
    """Observations (3 + players, 2 rows + 1, 2 cols + 1) with the edges on the grid (see its env): 8 symmetries
    on a square board, 4 on a rectangle."""
    grid = edge_layout(rows, cols)
    return grid_symmetries((3 + players, *grid.shape), grid, board_transforms(rows, cols))


def _size(game_args: GameArgs) -> tuple[int, int]:
    return int(game_args.get("rows", DEFAULT_ARGS["rows"])), int(game_args.get("cols", DEFAULT_ARGS["cols"]))


def describe_action(action: int, game_args: GameArgs) -> str:
    """An edge by its dots: horizontal (r,c)-(r,c+1) or vertical (r,c)-(r+1,c)."""
    (r0, c0), (r1, c1) = _edge_ends(action, *_size(game_args))
    return f"edge ({r0},{c0})-({r1},{c1})"


def _edge_ends(action: int, rows: int, cols: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The dots (row, col) an edge joins: the horizontal edges first, then the vertical ones (see rules)."""
    horizontal = (rows + 1) * cols
    if action < horizontal:
        r, c = divmod(action, cols)
        return (r, c), (r, c + 1)
    r, c = divmod(action - horizontal, cols + 1)
    return (r, c), (r + 1, c)


def _dot(r: int, c: int) -> tuple[float, float]:
    """Where dot (r, c) is drawn."""
    return MARGIN + c, MARGIN + r


def _edge_line(action: int, state: rules.DotsAndBoxesState, colour: str, note: str = "") -> pic.Mark:
    """An edge as a line from dot to dot."""
    (r0, c0), (r1, c1) = _edge_ends(action, state.rows, state.cols)
    x, y = _dot(r0, c0)
    return pic.Mark(pic.LINE, (x, y, float(c1 - c0), float(r1 - r0)), colour, note=note)


def _boxes(state: rules.DotsAndBoxesState) -> list[pic.Mark]:
    """Each taken box in its owner's colour, with the owner's number (from 1)."""
    marks = []
    for r, c in zip(*np.nonzero(state.owners != rules.NOBODY), strict=True):
        owner, (x, y) = int(state.owners[r, c]), _dot(int(r), int(c))
        marks.append(pic.Mark(pic.RECT, (x + 0.06, y + 0.06, 0.88, 0.88), pic.player(owner), round=0.08))
        marks.append(pic.Mark(pic.TEXT, (x, y, 1.0, 1.0), pic.player(owner), text=str(owner + 1)))
    return marks


def _edges(state: rules.DotsAndBoxesState, last_action: int | None) -> list[pic.Mark]:
    """Every edge, drawn or open, the last one drawn noted LAST."""
    return [
        _edge_line(action, state, pic.DRAWN if drawn else pic.OPEN, pic.LAST if action == last_action else "")
        for action, drawn in enumerate(state.edges)
    ]


def _dots(state: rules.DotsAndBoxesState) -> list[pic.Mark]:
    """The dots, small discs."""
    centres = [_dot(r, c) for r in range(state.rows + 1) for c in range(state.cols + 1)]
    return [pic.Mark(pic.DISC, (x - 0.08, y - 0.08, 0.16, 0.16), pic.GRID) for x, y in centres]


def _edge_spot(action: int, state: rules.DotsAndBoxesState) -> pic.MoveSpot:
    """An open edge as a move: a thin target along it, clear of the dots, the mover's line its ghost."""
    (r0, c0), (r1, _) = _edge_ends(action, state.rows, state.cols)
    x, y = _dot(r0, c0)
    box = (x + 0.1, y - 0.15, 0.8, 0.3) if r0 == r1 else (x - 0.15, y + 0.1, 0.3, 0.8)
    return pic.MoveSpot(action, box, _edge_line(action, state, pic.player(state.to_play)))


def draw_board(env: Any, last_action: int | None) -> pic.BoardPicture:
    """Boxes in their owner's colour with the owner's number, drawn and open edges (the last drawn marked),
    the dots, and each open edge as a move."""
    state: rules.DotsAndBoxesState = env.unwrapped.state
    marks = (*_boxes(state), *_edges(state, last_action), *_dots(state))
    legal = () if rules.is_over(state) else np.flatnonzero(rules.legal_mask(state))
    spots = tuple(_edge_spot(int(action), state) for action in legal)
    pieces = tuple(pic.Mark(pic.RECT, (0.1, 0.1, 0.8, 0.8), pic.player(p), round=0.1) for p in range(state.players))
    width, height = state.cols + 2 * MARGIN, state.rows + 2 * MARGIN
    return pic.BoardPicture(width, height, marks, spots, pieces, COLOURS[: state.players])


class DotsAndBoxesRules:
    """The pure rules behind `envs.rules_game.RulesGame`: each box is +1 to its taker when it is completed."""

    def __init__(self, players: int = 2, rows: int = 3, cols: int = 3) -> None:
        rules.validate_arguments(players, rows, cols)
        self.players, self.rows, self.cols = players, rows, cols
        self.name, self.num_players, self.num_actions = "dots_and_boxes", players, rules.num_edges(rows, cols)
        self.observation_shape = (3 + players, 2 * rows + 1, 2 * cols + 1)

    def initial(self) -> rules.DotsAndBoxesState:
        return rules.initial_state(self.players, self.rows, self.cols)

    def decision(self, state: rules.DotsAndBoxesState) -> Decision:
        observation = observation_to_array(observation_grid(state, state.to_play))
        return Decision(observation, state.to_play, rules.legal_mask(state).copy())

    def play(self, state: rules.DotsAndBoxesState, action: int) -> tuple[rules.DotsAndBoxesState, np.ndarray]:
        new_state, captured = rules.apply(state, action)
        rewards = np.zeros(self.players, dtype=np.float32)
        rewards[state.to_play] = captured
        return new_state, rewards

    def is_over(self, state: rules.DotsAndBoxesState) -> bool:
        return rules.is_over(state)


def copy_state(env: Any) -> RulesGame:
    """A rules copy of the position of a live dots-and-boxes env (its state is immutable: nothing is copied)."""
    state: rules.DotsAndBoxesState = env.unwrapped.state
    return RulesGame(DotsAndBoxesRules(state.players, state.rows, state.cols), state)


def greedy_player(seed: int | None) -> GreedyDotsAndBoxesPlayer:
    return GreedyDotsAndBoxesPlayer(seed)


GAME = GameDefinition(
    name="dots_and_boxes",
    title="dots and boxes",
    make_env=env,
    default_args=DEFAULT_ARGS,
    symmetries=symmetries,
    opponents=(OpponentKind("greedy", greedy_player),),
    evaluation_opponents=("random", "greedy"),
    describe_action=describe_action,
    draw_board=draw_board,
    arguments=(
        ArgumentChoice("players", "dots-players", tuple((str(n), {"players": n}) for n in (2, 3, 4)), default=1),
        ArgumentChoice(
            "board (boxes)",
            "dots-size",
            tuple((f"{r}x{c}", {"rows": r, "cols": c}) for r, c in ((2, 2), (3, 3), (3, 4), (4, 4))),
            default=1,
        ),
    ),
    copy_state=copy_state,
)
