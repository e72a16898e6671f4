"""Pig, the dice game, for 2 to 4 players: its pure rules (`rules.py`, the die's faces as chance outcomes),
its AEC env (`env.py`, the die rolled by the env), its reference players (`optimal.py`: the two-player policy
that maximises the chance of winning, by value iteration; `hold20`) and its board.

A copy of a game is pig's pure rules at its position (`rules.PigRules`): a roll there leads to an afterstate
that waits for the die's outcome, so a search over copies has exact chance nodes (each face, probability
1/6) and never knows the roll to come (a copy of the env would: it carries the die's generator)."""

from __future__ import annotations

from typing import Any

from envs import picture as pic
from envs.definition import ArgumentChoice, GameArgs, GameDefinition, OpponentKind
from envs.pig import rules
from envs.pig.env import env
from envs.pig.players import Hold20PigPlayer, OptimalPigPlayer, state_of
from envs.rules_game import RulesGame

COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")
TRACK = 10.0  # board units of a score track: the target's points
LEFT, ROW = 1.2, 1.0  # the label column, the height of a player's row
DEFAULT_ARGS = {"players": 2, "target": rules.DEFAULT_TARGET}


def describe_action(action: int, game_args: GameArgs) -> str:
    return rules.ACTION_NAMES[action] if 0 <= action < len(rules.ACTION_NAMES) else f"action {action}"


def evaluation_opponents(game_args: GameArgs) -> tuple[str, ...]:
    """hold20 and, for two players, optimal (it plays two-player games only)."""
    return ("hold20", "optimal") if game_args["players"] == 2 else ("random", "hold20")


def describe_outcome(outcome: int, game_args: GameArgs) -> str:
    return f"die shows {outcome + 1}"


def _row(state: rules.PigState, player: int) -> list[pic.Mark]:
    """Player `player`'s track: banked points in their colour, the mover's turn total after them."""
    y, unit = 0.2 + player * ROW, TRACK / state.target
    marks = [pic.Mark(pic.TEXT, (0.0, y, LEFT, 0.7), pic.player(player), text=f"P{player + 1}")]
    marks.append(pic.Mark(pic.RECT, (LEFT, y + 0.1, TRACK, 0.5), pic.OPEN, round=0.1))
    banked = min(state.scores[player], state.target) * unit
    if banked:
        marks.append(pic.Mark(pic.RECT, (LEFT, y + 0.1, banked, 0.5), pic.player(player), round=0.1))
    if player == state.to_play and state.turn_total and not state.over:
        extra = min(state.turn_total * unit, TRACK - banked)
        marks.append(pic.Mark(pic.RECT, (LEFT + banked, y + 0.25, extra, 0.2), pic.player(player), note=pic.LAST))
    note = pic.WIN if state.winner == player else ""
    text = f"{state.scores[player]}" + (f" +{state.turn_total}" if player == state.to_play and state.turn_total else "")
    marks.append(pic.Mark(pic.TEXT, (LEFT + TRACK, y, 2.0, 0.7), pic.LABEL, text=text, note=note))
    return marks


def draw_board(env: Any, last_action: int | None) -> pic.BoardPicture:
    """A score track per player (banked points, the turn's total of the player rolling), the die's last face,
    and a roll and a hold button while the game goes on."""
    state = state_of(env)
    marks = [mark for player in range(state.players) for mark in _row(state, player)]
    y = 0.3 + state.players * ROW
    roll = getattr(env.unwrapped, "last_roll", None)
    said = f"rolled {roll}" if roll else ("held" if last_action == rules.HOLD else "")
    note = pic.LAST if last_action is not None else ""
    marks.append(pic.Mark(pic.TEXT, (LEFT, y, 3.6, 0.8), pic.LABEL, text=said or "to roll", note=note))
    spots = []
    for action in map(int, rules.legal_mask(state).nonzero()[0]):
        box = (LEFT + 4.0 + 3.2 * action, y, 2.8, 0.8)
        marks.append(pic.Mark(pic.RECT, box, pic.OPEN, round=0.2))
        marks.append(pic.Mark(pic.TEXT, box, pic.LABEL, text=rules.ACTION_NAMES[action]))
        spots.append(pic.MoveSpot(action, box))
    pieces = tuple(pic.Mark(pic.RECT, (0.1, 0.1, 0.8, 0.8), pic.player(p), round=0.1) for p in range(state.players))
    return pic.BoardPicture(LEFT + TRACK + 2.0, y + 1.0, tuple(marks), tuple(spots), pieces, COLOURS[: state.players])


def copy_state(env: Any) -> RulesGame:
    """A copy at the env's position over pig's pure rules: it rolls no die (a roll waits for its outcome)."""
    state = state_of(env)
    return RulesGame(rules.PigRules(state.players, state.target), state)


GAME = GameDefinition(
    name="pig",
    title="pig",
    make_env=env,
    default_args=DEFAULT_ARGS,
    opponents=(OpponentKind("optimal", OptimalPigPlayer), OpponentKind("hold20", Hold20PigPlayer)),
    evaluation_opponents=("hold20", "optimal"),
    evaluation_opponents_for=evaluation_opponents,
    describe_action=describe_action,
    describe_outcome=describe_outcome,
    draw_board=draw_board,
    arguments=(
        ArgumentChoice("players", "pig-players", tuple((str(n), {"players": n}) for n in (2, 3, 4))),
        ArgumentChoice("target", "pig-target", tuple((str(t), {"target": t}) for t in (100, 50, 20))),
    ),
    copy_state=copy_state,
)
