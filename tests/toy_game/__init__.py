"""A toy game declared the way docs/adding-a-game.md tells: Nim, its perfect player and its board."""

from __future__ import annotations

from typing import Any

import numpy as np

from envs import picture as pic
from envs.definition import GameArgs, GameDefinition, OpponentKind
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


def draw_board(env, last_action):  # what the arena shows: plain data (envs.picture), no Streamlit here
    stones = env.unwrapped.stones
    marks = tuple(pic.Mark(pic.DISC, (0.1 + i, 0.1, 0.8, 0.8), pic.GRID) for i in range(stones))
    labels = tuple(
        pic.Mark(pic.TEXT, (1.5 * a, 1.2, 1.4, 0.6), pic.LABEL, text=describe_action(a, {})) for a in range(MOST_TAKEN)
    )
    legal = env.observe(env.agent_selection)["action_mask"] if env.agents else [0] * MOST_TAKEN
    spots = tuple(pic.MoveSpot(a, (1.5 * a, 1.2, 1.4, 0.6)) for a in range(MOST_TAKEN) if legal[a])
    pieces = (pic.Mark(pic.DISC, (0, 0, 1, 1), pic.player(0)), pic.Mark(pic.DISC, (0, 0, 1, 1), pic.player(1)))
    return pic.BoardPicture(max(stones, 4.5), 2.0, marks + labels, spots, pieces, ("#d62728", "#1f77b4"))


GAME = GameDefinition(
    name="nim",
    title="nim",
    make_env=env,
    default_args={"stones": 7},
    opponents=(OpponentKind("perfect", PerfectNimPlayer),),
    evaluation_opponents=("random", "perfect"),
    describe_action=describe_action,
    draw_board=draw_board,
)
