"""What a game declares about itself, once, in its own folder: the records of `GameDefinition`.

A registered game is one folder under `envs/` whose `GAME` is a `GameDefinition`, and one entry in
`envs.registry.GAMES`. Everything else (the registry, the reference opponents, the run's evaluator, the arena)
looks a game up there and reads what it declares: no other module names a game.

What the arena shows is plain data: a game draws its board as an `envs.picture.BoardPicture` (which the arena
turns into SVG) and offers its arguments as `ArgumentChoice`s; the game never imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from envs.picture import BoardPicture
from muzero.core.symmetry import Symmetry
from muzero.core.types import Player

GameArgs = Mapping[str, Any]  # a game's keyword arguments, e.g. {"players": 3, "rows": 3, "cols": 3}


@dataclass(frozen=True)
class ArgumentChoice:
    """One choice of game arguments the arena offers, e.g. the board's size."""

    label: str  # "board (boxes)"
    key: str  # its widget's name on the page
    options: tuple[tuple[str, GameArgs], ...]  # (what the page shows, the arguments it sets)
    default: int = 0  # index of the option chosen at first


@dataclass(frozen=True)
class OpponentKind:
    """A reference player of a game, asked for by name (and a level, for `alphabeta:DEPTH`)."""

    name: str  # "perfect", "alphabeta"
    make: Callable[..., Player]  # make(seed) -> Player, or make(seed, level) for a kind with a level
    level: str = ""  # the name of its level ("DEPTH"): then asked for as NAME:LEVEL
    levels: tuple[int, int] = (0, 0)  # the accepted levels, inclusive
    level_note: str = ""  # said when a level is refused (what a level costs)
    title: str = ""  # how messages name it ("alpha-beta"); empty: its name

    @property
    def asked_as(self) -> str:
        """NAME, or NAME:LEVEL for a kind with a level."""
        return f"{self.name}:{self.level}" if self.level else self.name

    @property
    def shown(self) -> str:
        """How it is asked for, as help and error messages list it."""
        if not self.level:
            return self.name
        low, high = self.levels
        return f"{self.name}:{self.level} ({self.level} {low} to {high})"


def no_symmetries(**game_args: Any) -> tuple[Symmetry, ...]:
    return ()


def numbered_action(action: int, game_args: GameArgs) -> str:
    return f"action {action}"


def numbered_outcome(outcome: int, game_args: GameArgs) -> str:
    return f"outcome {outcome}"


def _empty_args() -> GameArgs:
    return MappingProxyType({})


@dataclass(frozen=True)
class GameDefinition:
    """Everything a registered game declares about itself."""

    name: str  # the name users type: muzero-train NAME
    title: str  # the name people read: "tic-tac-toe"
    make_env: Callable[..., Any]  # make_env(**game_args) -> a fresh PettingZoo AEC env
    default_args: GameArgs = field(default_factory=_empty_args)  # the arguments left out mean these
    symmetries: Callable[..., tuple[Symmetry, ...]] = no_symmetries  # (**game_args) -> identity first
    opponents: tuple[OpponentKind, ...] = ()  # its reference players ("random" plays every game)
    evaluation_opponents: tuple[str, ...] = ("random",)  # those a run's evaluator plays it against
    # (game arguments) -> the evaluator's opponents where they depend on the arguments; None: the tuple above
    evaluation_opponents_for: Callable[[GameArgs], tuple[str, ...]] | None = None
    # uniformly random moves that open each evaluation game, so that deterministic players do not repeat one
    # game (connect four: 2); the reference players of the other games break their ties at random instead
    opening_plies: int = 0
    describe_action: Callable[[int, GameArgs], str] = numbered_action  # a move in words
    describe_outcome: Callable[[int, GameArgs], str] = numbered_outcome  # a chance outcome in words (a game of chance)
    # (AEC env, the last move played or None) -> the board as a picture (envs.picture); None: the arena draws the
    # observation as a grid where it is board-shaped, else the env's text
    draw_board: Callable[[Any, int | None], BoardPicture] | None = None
    arguments: tuple[ArgumentChoice, ...] = ()  # the arena's choices of game arguments
    # a cheap copy of a live game's state: (AEC env of this game) -> a `Game` at the same position that can be
    # stepped and copied again without touching the env (pure rules); None: a deep copy of the env
    copy_state: Callable[[Any], Any] | None = None

    def opponent_kind(self, name: str) -> OpponentKind | None:
        return next((kind for kind in self.opponents if kind.name == name), None)

    def evaluators(self, game_args: GameArgs) -> tuple[str, ...]:
        """The opponents a run's evaluator plays this game with these arguments against."""
        if self.evaluation_opponents_for is None:
            return self.evaluation_opponents
        return self.evaluation_opponents_for(self.full_args(game_args))

    def full_args(self, game_args: GameArgs) -> dict[str, Any]:
        """The arguments with the defaults filled in: equal exactly when two argument sets make the same game."""
        return {**self.default_args, **game_args}
