"""A game in the arena, without Streamlit: the table, who holds each seat, the moves so far, the lines left
behind when a move from an earlier position started a branch, and what the agents thought of their moves.
Undo, stepping through the game and loading a record replay the moves from the start (the games are
deterministic), so a match is fully described by its setup and its moves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import envs
from arena.analysis import MoveAnalysis
from envs.definition import numbered_action
from muzero.core.config import GameConfig
from muzero.core.errors import UserError
from muzero.core.types import Game, TimeStep

HUMAN = "human"


@dataclass(frozen=True)
class Seat:
    """Who plays a seat: a human, or a model bundle (or run folder) by path."""

    kind: str  # HUMAN or "model"
    path: str = ""  # the model's path, for a model seat
    label: str = "human"  # what the page shows

    @property
    def is_human(self) -> bool:
        return self.kind == HUMAN


@dataclass
class Match:
    """One game: its setup, the moves played, each agent move's analysis, and the live table."""

    game: GameConfig
    seats: list[Seat]
    seed: int = 0
    moves: list[int] = field(default_factory=list)
    analyses: dict[int, MoveAnalysis] = field(default_factory=dict)  # ply -> the analysis of that agent move
    table: Game | None = None
    timestep: TimeStep | None = None
    returns: np.ndarray | None = None  # float32[P]: every player's total reward so far
    movers: list[int] = field(default_factory=list)  # the player who made each move
    branches: list[list[int]] = field(default_factory=list)  # earlier lines, left where another move was played

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        """The table at the start, then the moves replayed."""
        moves, self.moves, self.movers = list(self.moves), [], []
        self.table = envs.make(self.game.name, **self.game.args)
        self.timestep = self.table.reset(seed=self.seed)
        self.returns = np.zeros(self.num_players, dtype=np.float32)
        for action in moves:
            self._apply(action)

    @property
    def num_players(self) -> int:
        return int(self.table.num_players)

    @property
    def env(self) -> Any:
        """The live PettingZoo AEC env (what agents search and boards draw)."""
        return self.table.env

    @property
    def over(self) -> bool:
        return bool(self.timestep.terminal)

    @property
    def to_play(self) -> int:
        return int(self.timestep.to_play)

    @property
    def legal_mask(self) -> np.ndarray:
        return self.timestep.legal_mask

    @property
    def seat_to_play(self) -> Seat:
        return self.seats[self.to_play]

    @property
    def human_to_play(self) -> bool:
        return not self.over and self.seat_to_play.is_human

    def play(self, action: int) -> None:
        """Plays `action` for the player to move; an illegal one raises a one-line UserError, changing nothing."""
        if self.over:
            raise UserError("the game is over: start a new game")
        if not (0 <= action < self.legal_mask.size and self.legal_mask[action]):
            raise UserError(f"{self.describe(action)} is not a legal move here")
        self._apply(action)

    def _apply(self, action: int) -> None:
        self.movers.append(self.to_play)
        self.timestep = self.table.step(int(action))
        self.returns = self.returns + self.timestep.rewards
        self.moves.append(int(action))

    def at(self, ply: int) -> Match:
        """The position after the first `ply` moves, as a match of its own (same seats, analyses up to there)."""
        ply = max(0, min(ply, len(self.moves)))
        shown = Match(self.game, self.seats, seed=self.seed, moves=self.moves[:ply])
        shown.analyses = {p: analysis for p, analysis in self.analyses.items() if p < ply}
        return shown

    def play_from(self, ply: int, action: int) -> None:
        """Plays `action` at the position after `ply` moves: the game's next move if it is the one played there,
        else a branch (the line after `ply` is kept in `branches`, the game goes on from the new move)."""
        if ply >= len(self.moves):
            self.play(action)
            return
        if self.moves[ply] == action:
            return
        self.at(ply).play(action)  # refuses an illegal move before anything changes
        self.branches.append(list(self.moves))
        self.truncate(ply)
        self.play(action)

    def truncate(self, ply: int) -> None:
        """Back to the position after `ply` moves, the moves and analyses after it dropped."""
        self.moves = self.moves[:ply]
        self.analyses = {p: analysis for p, analysis in self.analyses.items() if p < ply}
        self.restart()

    def switch_to(self, branch: int) -> None:
        """Makes `branches[branch]` the game's line, the current line kept as a branch in its place."""
        line = self.branches[branch]
        common = next((i for i, (a, b) in enumerate(zip(line, self.moves, strict=False)) if a != b), 0)
        self.branches[branch] = list(self.moves)
        self.truncate(min(common, len(self.moves)))
        for action in line[len(self.moves) :]:
            self.play(action)

    def undo(self) -> bool:
        """Back to the previous human turn (the moves after it undone); False when there is none."""
        humans = [ply for ply, mover in enumerate(self.movers) if self.seats[mover].is_human]
        if not humans:
            return False
        self.truncate(humans[-1])
        return True

    def describe(self, action: int) -> str:
        """A move in words, as the game's board names it."""
        return describe_action(self.game.name, int(action), self.game.args)

    def describe_outcome(self, outcome: int) -> str:
        """A chance outcome in words (the die's face), as the game names it."""
        definition = envs.game_definition(self.game.name)
        return definition.describe_outcome(outcome, self.game.args) if definition else f"outcome {outcome}"

    def result_text(self) -> str:
        """Who won (the best total reward), or a draw; empty while the game goes on."""
        if not self.over:
            return ""
        best = float(self.returns.max())
        winners = [player for player in range(self.num_players) if self.returns[player] == best]
        if len(winners) == self.num_players:
            return "Draw."
        names = " and ".join(self.player_name(player) for player in winners)
        return f"{names} {'win' if len(winners) > 1 else 'wins'}."

    def player_name(self, player: int) -> str:
        return f"Player {player + 1} ({self.seats[player].label})"


def describe_action(game: str, action: int, args: dict[str, Any]) -> str:
    """A move in words, as the game names it (an unregistered game: its number)."""
    definition = envs.game_definition(game)
    return definition.describe_action(action, args) if definition else numbered_action(action, args)


def parse_moves(game: str, args: dict[str, Any], text: str, num_actions: int) -> list[int]:
    """A move list typed or pasted ("b2 a1 c3", "4 4 3", "cell b2, cell a1", action numbers with a #): the
    moves it names, by the names the board gives them; UserError naming the first word that is no move."""
    names = {}
    for action in range(num_actions):
        name = describe_action(game, action, args).lower()
        names[name] = action
        names.setdefault(name.split()[-1], action)
        names[f"#{action}"] = action
    words = [word for word in re.split(r"[\s;]+|,(?=\s|$)", text.lower().strip()) if word]
    moves, index = [], 0
    while index < len(words):
        pair = " ".join(words[index : index + 2])
        if pair in names:
            moves.append(names[pair])
            index += 2
        elif words[index] in names:
            moves.append(names[words[index]])
            index += 1
        elif words[index].rstrip(".").isdigit() and words[index].endswith("."):
            index += 1  # a move number, as in "1. b2 2. a1"
        else:
            raise UserError(
                f"{words[index]!r} is no move of this game (moves are named like {describe_action(game, 0, args)!r})"
            )
    return moves
