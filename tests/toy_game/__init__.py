"""A toy game declared the way docs/adding-a-game.md tells: Nim, its perfect player and its board."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs.definition import BoardView, GameArgs, GameDefinition, OpponentKind, Square
from envs.opponents import legal_actions
from tests.toy_game.env import MOST_TAKEN, env


class PerfectNimPlayer:
    """Leaves a multiple of four stones whenever it can, else takes one stone."""

    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, env: Any) -> int:
        stones = int(np.flatnonzero(env.observe(env.agent_selection)["observation"])[0])
        winning = stones % (MOST_TAKEN + 1)
        return winning - 1 if winning else int(self.rng.choice(legal_actions(env)))


def describe_action(action: int, game_args: GameArgs) -> str:
    return f"take {action + 1}"


def read_board(env: Any) -> BoardView:
    stones = env.unwrapped.stones
    pile = tuple(Square("●", f"stone-{i}", style="dot") for i in range(stones)) or (Square("", "empty", style="dot"),)
    moves = tuple(Square(describe_action(a, {}), f"take-{a + 1}", a) for a in range(MOST_TAKEN))
    return BoardView((pile, moves))


GAME = GameDefinition(
    name="nim",
    title="nim",
    make_env=env,
    default_args={"stones": 7},
    opponents=(OpponentKind("perfect", PerfectNimPlayer),),
    evaluation_opponents=("random", "perfect"),
    describe_action=describe_action,
    action_layout=lambda game_args: (tuple(range(MOST_TAKEN)),),
    read_board=read_board,
)
