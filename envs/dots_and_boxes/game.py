"""Dots and boxes as a registered game: its symmetries, greedy player, board, arguments and rules copy."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.definition import ActionLayout, ArgumentChoice, BoardView, GameArgs, GameDefinition, OpponentKind, Square
from envs.dots_and_boxes import rules
from envs.dots_and_boxes.env import env, observation_grid
from envs.dots_and_boxes.greedy import GreedyDotsAndBoxesPlayer
from envs.pettingzoo_game import observation_to_array
from envs.rules_game import RulesGame
from envs.symmetries import board_transforms, grid_symmetries
from muzero.core.symmetry import Symmetry
from muzero.core.types import Decision

BOX_COLOURS = ("🟥", "🟦", "🟩", "🟨")
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
    rows, cols = _size(game_args)
    horizontal = (rows + 1) * cols
    if action < horizontal:
        r, c = divmod(action, cols)
        return f"edge ({r},{c})-({r},{c + 1})"
    r, c = divmod(action - horizontal, cols + 1)
    return f"edge ({r},{c})-({r + 1},{c})"


def action_layout(game_args: GameArgs) -> ActionLayout:
    return tuple(tuple(int(a) if a >= 0 else None for a in row) for row in edge_layout(*_size(game_args)))


def read_board(env: Any) -> BoardView:
    """Dots, edges (the moves) and boxes coloured by their owner."""
    state: rules.DotsAndBoxesState = env.unwrapped.state
    layout = edge_layout(state.rows, state.cols)

    def square(r: int, c: int) -> Square:
        if r % 2 == 0 and c % 2 == 0:
            return Square("●", f"dot-{r}-{c}", style="dot")
        if r % 2 == 1 and c % 2 == 1:
            owner = int(state.owners[r // 2, c // 2])
            return Square(BOX_COLOURS[owner] if owner >= 0 else "", f"box-{r}-{c}", style="box")
        action = int(layout[r, c])
        label = ("┃" if r % 2 == 1 else "━") if state.edges[action] else "·"
        return Square(label, f"edge-{action}", action)

    rows = tuple(tuple(square(r, c) for c in range(layout.shape[1])) for r in range(layout.shape[0]))
    return BoardView(rows, widths=tuple(1 if c % 2 == 0 else 4 for c in range(layout.shape[1])))


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
    action_layout=action_layout,
    read_board=read_board,
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
