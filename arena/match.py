"""A game in the arena, without Streamlit: the table, who holds each seat, the moves so far and what the
agents thought of theirs. Undo and loading a record replay the moves from the start (the games are
deterministic), so a match is fully described by its setup and its moves."""

from __future__ import annotations

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

    def undo(self) -> bool:
        """Back to the previous human turn (the moves after it undone); False when there is none."""
        humans = [ply for ply, mover in enumerate(self.movers) if self.seats[mover].is_human]
        if not humans:
            return False
        back_to = humans[-1]
        self.moves = self.moves[:back_to]
        self.analyses = {ply: analysis for ply, analysis in self.analyses.items() if ply < back_to}
        self.restart()
        return True

    def describe(self, action: int) -> str:
        """A move in words, as the game's board names it."""
        return describe_action(self.game.name, int(action), self.game.args)

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
