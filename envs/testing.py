"""Conformance checks that any `muzero.core.types.Game` can be run through.

`check_game(game)` plays seeded random games and raises `ConformanceError` at the first broken promise:
shapes and dtypes, legal masks never empty before the end, reward vectors, determinism under a seed,
terminal handling, illegal actions rejected without changing the state, symmetries, and copies (`clone()`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from muzero.core.errors import IllegalActionError, UserError
from muzero.core.symmetry import Symmetry
from muzero.core.types import Game, TimeStep

NOT_DETERMINISTIC = "not deterministic under a seed, or changed by a refused action"


class ConformanceError(AssertionError):
    """A game broke one of the promises of the `Game` protocol."""


@dataclass(frozen=True)
class ConformanceReport:
    episodes: int  # games played to the end
    steps: int  # decisions taken in all of them
    returns: np.ndarray  # float32[episodes, num_players]: every player's total reward per game


def check_game(game: Game, *, episodes: int = 3, seed: int = 0, max_steps: int = 10_000) -> ConformanceReport:
    """Runs every check on `game`; returns what was played."""
    _check_sizes(game)
    rng = np.random.default_rng(seed)
    steps, returns = 0, []
    for episode in range(episodes):
        timesteps, actions = _play_random(game, seed + episode, rng, max_steps)
        _check_replay_is_identical(game, seed + episode, actions, timesteps)
        _check_step_after_end_refused(game)
        _check_symmetries(game, seed + episode, actions, timesteps)
        _check_copy(game, seed + episode, actions, timesteps)
        steps += len(actions)
        returns.append(np.sum([t.rewards for t in timesteps], axis=0))
    return ConformanceReport(episodes, steps, np.array(returns, dtype=np.float32))


def _check_sizes(game: Game) -> None:
    _expect(isinstance(game.num_players, int) and game.num_players >= 1, "num_players must be an int >= 1")
    _expect(isinstance(game.num_actions, int) and game.num_actions >= 1, "num_actions must be an int >= 1")
    shape = game.observation_shape
    _expect(isinstance(shape, tuple) and all(isinstance(n, int) and n > 0 for n in shape), "bad shape")


def _play_random(game: Game, seed: int, rng: np.random.Generator, max_steps: int) -> tuple[list[TimeStep], list[int]]:
    timesteps, actions = [game.reset(seed=seed)], []
    _check_timestep(game, timesteps[0], first=True)
    while not timesteps[-1].terminal:
        _expect(len(actions) < max_steps, f"no end after {max_steps} steps")
        action = int(rng.choice(np.flatnonzero(timesteps[-1].legal_mask)))
        actions.append(action)
        timesteps.append(game.step(action))
        _check_timestep(game, timesteps[-1], first=False)
    return timesteps, actions


def _check_timestep(game: Game, timestep: TimeStep, *, first: bool) -> None:
    _expect(isinstance(timestep, TimeStep), f"expected a TimeStep, got {type(timestep).__name__}")
    observation, rewards, mask = timestep.observation, timestep.rewards, timestep.legal_mask
    _expect(observation.dtype == np.float32, f"observation dtype {observation.dtype}, expected float32")
    _expect(observation.shape == game.observation_shape, f"observation shape {observation.shape}")
    _expect(np.all(np.isfinite(observation)), "observation has NaN or inf")
    _expect(rewards.dtype == np.float32 and rewards.shape == (game.num_players,), f"rewards {rewards!r}")
    _expect(np.all(np.isfinite(rewards)), "rewards have NaN or inf")
    _expect(mask.dtype == np.bool_ and mask.shape == (game.num_actions,), f"legal_mask {mask!r}")
    _expect(isinstance(timestep.terminal, bool), "terminal must be a bool")
    _expect(isinstance(timestep.to_play, int) and 0 <= timestep.to_play < game.num_players, "bad to_play")
    if first:
        _expect(not timestep.terminal, "the game is over at reset")
        _expect(not rewards.any(), "rewards at reset must be zero")
    if timestep.terminal:
        _expect(not mask.any(), "legal_mask must be all False once the game is over")
    else:
        _expect(mask.any(), "legal_mask is empty before the end of the game")


def _check_replay_is_identical(game: Game, seed: int, actions: list[int], expected: list[TimeStep]) -> None:
    """Same seed, same actions -> same timesteps, even with illegal actions tried (and refused) on the way."""
    timestep = game.reset(seed=seed)
    _expect_same(timestep, expected[0], "reset")
    for index, action in enumerate(actions):
        _try_illegal_actions(game, timestep)
        timestep = game.step(action)
        _expect_same(timestep, expected[index + 1], f"step {index + 1}")


def _check_copy(game: Game, seed: int, actions: list[int], expected: list[TimeStep]) -> None:
    """A game that offers `clone()`: a copy taken mid-game plays the rest of the game as the game did, and the
    game itself, stepped after its copy, still does (the two never share state)."""
    if not hasattr(game, "clone"):
        return
    middle = len(actions) // 2
    game.reset(seed=seed)
    for action in actions[:middle]:
        game.step(action)
    try:
        copy = game.clone()
    except UserError as error:  # a game that refuses copies says why in one line
        _expect("\n" not in str(error), f"a refused copy must say why in one line, not {str(error)!r}")
        return
    for index in range(middle, len(actions)):
        where = f"step {index + 1} of a copy"
        step = copy.step(actions[index])
        if getattr(copy, "chance_probabilities", lambda: None)() is not None:
            copy, drawn = _outcome_drawn(copy, step.rewards, expected[index + 1], where)
            step = dataclasses.replace(drawn, rewards=step.rewards + drawn.rewards)
        _expect_same(step, expected[index + 1], where, "a copy does not play as the game")
    for index in range(middle, len(actions)):
        where = f"step {index + 1} of the game after copying"
        _expect_same(game.step(actions[index]), expected[index + 1], where, "a copy does not play as the game")


def _outcome_drawn(copy: Game, move_rewards: np.ndarray, expected: TimeStep, where: str) -> tuple[Game, TimeStep]:
    """A copy waiting for chance after a move of `move_rewards`: (the copy after the outcome the game drew, its
    step), the game's step being one of the outcomes of declared probability > 0."""
    probabilities = copy.chance_probabilities()
    _expect(np.isclose(np.sum(probabilities), 1.0), f"{where}: chance probabilities sum to {np.sum(probabilities)}")
    for outcome in np.flatnonzero(probabilities > 0).tolist():
        drawn = copy.clone()
        step = drawn.resolve_chance(outcome)
        if _same(dataclasses.replace(step, rewards=move_rewards + step.rewards), expected):
            return drawn, step
    raise ConformanceError(f"{where}: what chance drew in the game is none of the copy's outcomes")


def _try_illegal_actions(game: Game, timestep: TimeStep) -> None:
    illegal = [*np.flatnonzero(~timestep.legal_mask)[:1].tolist(), game.num_actions, -1]
    for action in illegal:
        try:
            game.step(action)
        except IllegalActionError as error:
            _expect(str(action) in str(error), f"the error for action {action} does not name it: {error}")
        else:
            raise ConformanceError(f"illegal action {action} was accepted")


def _check_symmetries(game: Game, seed: int, actions: list[int], expected: list[TimeStep]) -> None:
    """For each declared symmetry, the mapped actions give the mapped observations and legal masks with the
    same rewards, players and ends."""
    symmetries = tuple(getattr(game, "symmetries", ()))
    if symmetries:
        identity = symmetries[0]
        _expect(
            np.array_equal(identity.action_image, np.arange(game.num_actions))
            and np.array_equal(identity.observation_source, np.arange(identity.observation_source.size)),
            "the first symmetry must be the identity",
        )
    for number, symmetry in enumerate(symmetries):
        symmetry.require_sizes(game.observation_shape, game.num_actions)
        if _has_chance(game):  # the same seed draws the same numbers, not the mapped outcomes: the game's own
            continue  # tests check its map on its rules (e.g. tests/envs/test_game2048.py)
        timestep = game.reset(seed=seed)
        for index in range(len(expected)):
            if index > 0:
                timestep = game.step(int(symmetry.actions(np.int64(actions[index - 1]))))
            where = f"step {index}"
            _expect_same(timestep, _mapped(expected[index], symmetry, game), where, f"symmetry {number} does not hold")


def _has_chance(game: Game) -> bool:
    """Whether the game's copies wait for chance: replaying its seed cannot replay a mapped game."""
    clone = getattr(game, "clone", None)
    return clone is not None and int(getattr(clone(), "chance_outcomes", 0)) > 0


def _mapped(timestep: TimeStep, symmetry: Symmetry, game: Game) -> TimeStep:
    return TimeStep(
        observation=symmetry.observations(timestep.observation, game.observation_shape),
        to_play=timestep.to_play,
        rewards=timestep.rewards,
        legal_mask=symmetry.action_vectors(timestep.legal_mask),
        terminal=timestep.terminal,
    )


def _check_step_after_end_refused(game: Game) -> None:
    try:
        game.step(0)
    except IllegalActionError:
        return
    raise ConformanceError("a step after the end of the game was accepted")


def _expect_same(actual: TimeStep, expected: TimeStep, where: str, broken: str = NOT_DETERMINISTIC) -> None:
    _expect(_same(actual, expected), f"{broken}, at {where}")


def _same(actual: TimeStep, expected: TimeStep) -> bool:
    return (
        actual.to_play == expected.to_play
        and actual.terminal == expected.terminal
        and np.array_equal(actual.observation, expected.observation)
        and np.array_equal(actual.rewards, expected.rewards)
        and np.array_equal(actual.legal_mask, expected.legal_mask)
    )


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceError(message)
