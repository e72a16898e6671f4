"""Pure rules of Pig, the dice game, for 2 to 4 players (numpy only).

On a turn the player to move rolls a die as often as they like: a 1 ends the turn and loses the points of
the turn; any other face adds to the turn's total. Holding banks the turn's total and passes the die on; a
turn starts with a roll (holding a total of 0 is no move). The first player whose banked score (or banked
score plus the turn's total, when they hold) reaches the target wins.

A step is a decision (ROLL or HOLD) and, after ROLL, a chance outcome: the die's face, each of 1 to 6 with
probability 1/6 (`CHANCE_OUTCOMES`, `chance_probabilities`). `after_roll(state, face)` applies an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from muzero.core.errors import IllegalActionError, UserError
from muzero.core.types import Decision

ROLL, HOLD = 0, 1
ACTION_NAMES = ("roll", "hold")
FACES = 6
CHANCE_OUTCOMES = tuple(range(1, FACES + 1))  # the die's faces
MIN_PLAYERS, MAX_PLAYERS = 2, 4
DEFAULT_TARGET = 100
NOBODY = -1


@dataclass(frozen=True)
class PigState:
    """One position: each player's banked score, the turn's total so far, who rolls, who won."""

    scores: tuple[int, ...]
    turn_total: int
    to_play: int
    target: int
    winner: int = NOBODY

    @property
    def players(self) -> int:
        return len(self.scores)

    @property
    def over(self) -> bool:
        return self.winner != NOBODY


def validate_arguments(players: int, target: int) -> None:
    if not MIN_PLAYERS <= players <= MAX_PLAYERS:
        raise UserError(f"pig is for {MIN_PLAYERS} to {MAX_PLAYERS} players, got {players}")
    if target < 2:
        raise UserError(f"pig's target must be at least 2 points, got {target}")


def initial_state(players: int = 2, target: int = DEFAULT_TARGET) -> PigState:
    validate_arguments(players, target)
    return PigState((0,) * players, 0, 0, target)


def legal_mask(state: PigState) -> np.ndarray:
    """ROLL whenever the game goes on; HOLD once the turn has points to bank."""
    mask = np.zeros(2, dtype=bool)
    if not state.over:
        mask[ROLL], mask[HOLD] = True, state.turn_total > 0
    return mask


def hold(state: PigState) -> PigState:
    """Banks the turn's total: the player wins at the target, else the next player rolls."""
    if not legal_mask(state)[HOLD]:
        raise IllegalActionError("hold is no move here: " + ("the game is over" if state.over else "roll first"))
    scores = list(state.scores)
    scores[state.to_play] += state.turn_total
    won = scores[state.to_play] >= state.target
    after = (state.to_play + 1) % state.players
    return PigState(tuple(scores), 0, state.to_play if won else after, state.target, state.to_play if won else NOBODY)


def after_roll(state: PigState, face: int) -> PigState:
    """The die shows `face` after the mover rolled: a 1 passes the turn with nothing banked; a total that
    reaches the target with the banked score wins at once (holding would)."""
    if state.over:
        raise IllegalActionError("roll is no move here: the game is over")
    if face not in CHANCE_OUTCOMES:
        raise ValueError(f"a die shows 1 to {FACES}, not {face}")
    if face == 1:
        return PigState(state.scores, 0, (state.to_play + 1) % state.players, state.target)
    total = state.turn_total + face
    if state.scores[state.to_play] + total >= state.target:
        scores = list(state.scores)
        scores[state.to_play] += total
        return PigState(tuple(scores), 0, state.to_play, state.target, state.to_play)
    return PigState(state.scores, total, state.to_play, state.target)


def chance_probabilities() -> np.ndarray:
    """The probability of each face of `CHANCE_OUTCOMES` after a roll."""
    return np.full(FACES, 1.0 / FACES)


def rewards(before: PigState, after: PigState) -> np.ndarray:
    """+1 to the winner and -1 to every other player when a step ends the game, else nothing."""
    result = np.zeros(before.players, dtype=np.float32)
    if after.over and not before.over:
        result[:] = -1.0
        result[after.winner] = 1.0
    return result


@dataclass(frozen=True)
class Rolled:
    """The afterstate of a roll: the mover rolled at `before`, the die not read yet (a chance node)."""

    before: PigState


class PigRules:
    """The pure rules behind `envs.rules_game.RulesGame`, with the die as a chance outcome: ROLL leads to a
    `Rolled` afterstate, whose outcome k (the face k + 1, probability 1/6 each) `resolve` applies. A copy of a
    game at a `PigState` knows nothing of the next roll."""

    name = "pig"
    num_actions = 2
    chance_outcomes = FACES

    def __init__(self, players: int = 2, target: int = DEFAULT_TARGET) -> None:
        validate_arguments(players, target)
        self.num_players, self.target = players, target
        self.observation_shape = (players + 1, 1, target)  # as the env's planes, channels first

    def initial(self) -> PigState:
        return initial_state(self.num_players, self.target)

    def decision(self, state: PigState) -> Decision:
        return Decision(mover_observation(state), state.to_play, legal_mask(state))

    def play(self, state: PigState, action: int) -> tuple[PigState | Rolled, np.ndarray]:
        if action == HOLD:
            after = hold(state)
            return after, rewards(state, after)
        return Rolled(state), np.zeros(state.players, dtype=np.float32)

    def is_over(self, state: PigState | Rolled) -> bool:
        return isinstance(state, PigState) and state.over

    def chance_probabilities(self, state: PigState | Rolled) -> np.ndarray | None:
        """The probability of each outcome at an afterstate (a roll made), None at a decision."""
        return chance_probabilities() if isinstance(state, Rolled) else None

    def resolve(self, state: Rolled, outcome: int) -> tuple[PigState, np.ndarray]:
        after = after_roll(state.before, outcome + 1)
        return after, rewards(state.before, after)

    def mover(self, state: Rolled) -> int:
        return state.before.to_play


@lru_cache(maxsize=1 << 16)
def mover_observation(state: PigState) -> np.ndarray:
    """float32[players + 1, 1, target]: the mover's planes, channels first, as the env's (read-only; a search
    meets the same positions again and again)."""
    grid = observation_planes(state, state.to_play)  # int8[1, target, players + 1]
    observation = np.ascontiguousarray(grid.transpose(2, 0, 1), dtype=np.float32)
    observation.flags.writeable = False
    return observation


def observation_planes(state: PigState, observer: int) -> np.ndarray:
    """int8[1, target, players + 1]: channel k (k < players) counts the banked score of player
    (observer + k) % players in unary along the target's points, the last channel the turn's total."""
    grid = np.zeros((1, state.target, state.players + 1), dtype=np.int8)
    for k in range(state.players):
        grid[0, : min(state.scores[(observer + k) % state.players], state.target), k] = 1
    grid[0, : min(state.turn_total, state.target), state.players] = 1
    return grid
