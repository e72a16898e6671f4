"""The two-player Pig policy that maximises the chance of winning, by value iteration over every position
(Neller and Presser, "Optimal Play of the Dice Game Pig", 2004), and the simple `hold20` rule.

P[i, j, k] is the chance that the player to move wins with banked score i, the opponent's j and a turn total
of k; rolling and holding are worth

    roll(i, j, k) = 1/6 (1 - P[j, i, 0]) + 1/6 sum over r = 2..6 of P[i, j, k + r]   (1 where i + k + r >= target)
    hold(i, j, k) = 1 - P[j, i + k, 0]                                              (1 where i + k >= target)

and P = max(roll, hold), holding only with points to bank (k > 0). Iterated until no value moves by 1e-10
(about a second for the target 100 with numpy).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from envs.pig import rules

TOLERANCE = 1e-10
MAX_SWEEPS = 10_000
HOLD_AT = 20  # hold20: bank once the turn's total reaches 20 (or the target)


@dataclass(frozen=True)
class PigSolution:
    """Win chances of the player to move under optimal play, and whether rolling beats holding, per
    (own score, opponent's score, turn total)."""

    target: int
    win: np.ndarray  # float64[target, target, target]
    roll: np.ndarray  # bool[target, target, target]: the optimal move is to roll


@cache
def solve(target: int = rules.DEFAULT_TARGET) -> PigSolution:
    """Value iteration for two players and `target` points (cached per target)."""
    return _iterate(target, None)


def hold20_solution(target: int = rules.DEFAULT_TARGET) -> PigSolution:
    """The win chances when both players hold at 20 (policy evaluation, the same sweeps)."""
    _, _, k = np.meshgrid(*(np.arange(target),) * 3, indexing="ij")
    return _iterate(target, k < HOLD_AT)


def _iterate(target: int, policy: np.ndarray | None) -> PigSolution:
    """Sweeps until no value moves by TOLERANCE: the best of rolling and holding (policy None), or rolling
    where `policy` says so."""
    i, j, k = np.meshgrid(*(np.arange(target),) * 3, indexing="ij")
    live, can_hold = i + k < target, k > 0  # live: the mover has not reached the target yet
    banked = (j * 2 * target + i + k).ravel()  # where hold's next turn start lies in a (target, 2 target) table
    win = np.where(live, 0.5, 1.0)
    for _ in range(MAX_SWEEPS):
        rolled, held = _values(win, banked)
        rolls = ~can_hold | (rolled > held if policy is None else policy)
        new = np.where(live, np.where(rolls, rolled, held), 1.0)
        change = float(np.max(np.abs(new - win)))
        win = new
        if change < TOLERANCE:
            break
    rolled, held = _values(win, banked)
    rolls = ~can_hold | (rolled > held if policy is None else policy)
    return PigSolution(target, win, live & rolls)


def _values(win: np.ndarray, banked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The worth of rolling and of holding at every position, given the current estimate `win` (1 wherever
    the mover's banked score and turn total reach the target)."""
    target = win.shape[0]
    turn_start = win[:, :, 0]  # the mover's chance at the start of a turn: [own, opponent]
    rolled = np.broadcast_to((1.0 - turn_start.T)[:, :, None], win.shape) / rules.FACES  # a 1: (j, i) to move
    ahead = np.concatenate([win, np.ones((target, target, rules.FACES))], axis=2)  # totals past the target win
    for face in rules.CHANCE_OUTCOMES[1:]:
        rolled = rolled + ahead[:, :, face : face + target] / rules.FACES
    starts = np.zeros((target, 2 * target))  # the opponent's chance at a turn start; 0 once the mover banked the target
    starts[:, :target] = turn_start
    held = 1.0 - starts.ravel()[banked].reshape(win.shape)
    return rolled, held


def optimal_action(state: rules.PigState) -> int:
    """ROLL or HOLD for the two-player `state`, as the solution for its target says."""
    if state.players != 2:
        raise ValueError("the optimal Pig policy is computed for two players")
    own, other = state.scores[state.to_play], state.scores[1 - state.to_play]
    if own + state.turn_total >= state.target:
        return rules.HOLD
    return rules.ROLL if solve(state.target).roll[own, other, state.turn_total] else rules.HOLD


def hold20_action(state: rules.PigState) -> int:
    """Roll until the turn's total reaches 20 or would reach the target, then hold (any number of players)."""
    enough = min(HOLD_AT, state.target - state.scores[state.to_play])
    return rules.HOLD if state.turn_total >= enough else rules.ROLL
