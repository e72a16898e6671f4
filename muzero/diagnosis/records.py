"""The games a diagnosis reads: the diagnosed agent against itself, a reference player or another model,
many games at once (one batched search per turn), every decision recorded as the agent's roots see it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from muzero.core.types import Decision
from muzero.diagnosis.chance import SAMPLES_PER_GAME, ChanceSample, chance_sample
from muzero.model.inference import chance_codes_of
from muzero.play.player import SearchPlayer
from muzero.search import chosen_actions

# (finished games, all games, moves played so far) -> None: how far the games have come
GamesProgress = Callable[[int, int, int], None]
PlayerFactory = Callable[[int], Any]  # seed -> a reference player with act(env) -> action


@dataclass(frozen=True)
class GameRecord:
    """One played game: its T decisions t = 0..T-1, each as the player to move saw it."""

    observations: np.ndarray  # float32[T, *observation_shape]: what to_play[t] saw (a search root's input)
    to_play: np.ndarray  # int64[T]: the player who decided at t
    legal_masks: np.ndarray  # bool[T, A]: the legal actions at t
    actions: np.ndarray  # int64[T]: the action taken at t
    rewards: np.ndarray  # float32[T, P]: every player's reward between decision t and decision t+1
    policies: np.ndarray  # float32[T, A]: the diagnosed agent's search policy at t; NaN where it did not search
    boards: tuple[str, ...]  # the position before decision t, as text
    agent_seats: tuple[int, ...]  # the seats the diagnosed agent held
    # the real chance nodes of its first moves (a model with chance codes, in a game with chance; else none)
    chance_samples: tuple[ChanceSample, ...] = ()

    @property
    def length(self) -> int:
        return int(self.actions.shape[0])

    @property
    def searched(self) -> np.ndarray:
        """bool[T]: the decisions where the diagnosed agent searched (its policy is known)."""
        return ~np.isnan(self.policies[:, 0])

    @property
    def extra_turns(self) -> np.ndarray:
        """bool[T]: the decisions taken by the same player as the one before (dots and boxes: a box completed)."""
        extra = np.zeros(self.length, dtype=bool)
        extra[1:] = self.to_play[1:] == self.to_play[:-1]
        return extra

    def returns(self, discount: float) -> np.ndarray:
        """float32[T + 1, P]: each player's discounted return from decision t on; 0 after the last one."""
        returns = np.zeros((self.length + 1, self.rewards.shape[1]), dtype=np.float32)
        for t in range(self.length - 1, -1, -1):
            returns[t] = self.rewards[t] + np.float32(discount) * returns[t + 1]
        return returns


@dataclass
class _GameInProgress:
    """The decisions of a game being played, appended move by move."""

    agent_seats: tuple[int, ...]
    observations: list[np.ndarray] = field(default_factory=list)
    to_play: list[int] = field(default_factory=list)
    legal_masks: list[np.ndarray] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    rewards: list[np.ndarray] = field(default_factory=list)
    policies: list[np.ndarray] = field(default_factory=list)
    boards: list[str] = field(default_factory=list)
    chance_samples: list[ChanceSample] = field(default_factory=list)

    def add(self, decision: Decision, board: str, policy: np.ndarray | None, action: int, rewards: np.ndarray) -> None:
        """One decision (a `Decision` read before the move), the move and the rewards after it."""
        self.observations.append(decision.observation)
        self.to_play.append(int(decision.to_play))
        self.legal_masks.append(decision.legal_mask)
        self.boards.append(board)
        self.policies.append(np.full(decision.legal_mask.shape, np.nan, np.float32) if policy is None else policy)
        self.actions.append(int(action))
        self.rewards.append(np.asarray(rewards, dtype=np.float32))

    def finished(self) -> GameRecord:
        return GameRecord(
            observations=np.stack(self.observations).astype(np.float32),
            to_play=np.array(self.to_play, dtype=np.int64),
            legal_masks=np.stack(self.legal_masks).astype(bool),
            actions=np.array(self.actions, dtype=np.int64),
            rewards=np.stack(self.rewards).astype(np.float32),
            policies=np.stack(self.policies).astype(np.float32),
            boards=tuple(self.boards),
            agent_seats=self.agent_seats,
            chance_samples=tuple(self.chance_samples),
        )


def play_recorded_games(
    agent: SearchPlayer,
    opponent: PlayerFactory | SearchPlayer | None = None,
    *,
    games: int,
    seed: int = 0,
    on_progress: GamesProgress | None = None,
) -> list[GameRecord]:
    """Plays `games` games of the agent's game and records every decision.

    `opponent` None: the agent holds every seat. Otherwise game i puts the agent in seat i % P and the opponent
    in the others: a reference player (`opponent(seed + i)`, one per game) or another model (a `SearchPlayer`,
    all its positions in one batched search). Game i is reset with `seed + i`.
    """
    tables = [agent.game.make_game() for _ in range(games)]
    timesteps = [table.reset(seed=seed + index) for index, table in enumerate(tables)]
    num_players = tables[0].num_players
    seats = [_agent_seats(opponent, index, num_players) for index in range(games)]
    references = _reference_players(opponent, games, seed)
    in_progress = [_GameInProgress(seats[index]) for index in range(games)]
    active = [index for index in range(games) if not timesteps[index].terminal]
    moves = 0
    sample_chance = chance_codes_of(agent.model) > 0
    while active:
        agent_turn = [i for i in active if timesteps[i].to_play in seats[i]]
        policies, actions = _agent_moves(agent, [tables[i].env for i in agent_turn], agent_turn)
        actions |= _opponent_moves(opponent, references, tables, [i for i in active if i not in actions])
        for index in active:
            decision = agent.game.observe(tables[index].env)
            board = board_text(tables[index].env, decision.observation)
            if sample_chance and len(in_progress[index].chance_samples) < SAMPLES_PER_GAME:
                sample = chance_sample(tables[index], decision, actions[index])
                in_progress[index].chance_samples.extend([sample] if sample is not None else [])
            timesteps[index] = tables[index].step(actions[index])
            in_progress[index].add(decision, board, policies.get(index), actions[index], timesteps[index].rewards)
        moves += len(active)
        active = [i for i in active if not timesteps[i].terminal]
        if on_progress is not None:
            on_progress(games - len(active), games, moves)
    return [game.finished() for game in in_progress]


def _agent_seats(opponent: object, index: int, num_players: int) -> tuple[int, ...]:
    return tuple(range(num_players)) if opponent is None else (index % num_players,)


def _reference_players(opponent: object, games: int, seed: int) -> list[Any]:
    if opponent is None or isinstance(opponent, SearchPlayer):
        return []
    return [opponent(seed + index) for index in range(games)]


def _agent_moves(
    agent: SearchPlayer, envs: Sequence[Any], indices: Sequence[int]
) -> tuple[dict[int, np.ndarray], dict[int, int]]:
    """One batched search over the agent's positions: its policy and its move in each game."""
    if not indices:
        return {}, {}
    output = agent.search_many(envs)
    actions = chosen_actions(output, agent.temperature, agent.rng)
    policies = {index: output.policy[j].astype(np.float32) for j, index in enumerate(indices)}
    return policies, {index: int(actions[j]) for j, index in enumerate(indices)}


def _opponent_moves(
    opponent: PlayerFactory | SearchPlayer | None, references: list[Any], tables: list[Any], indices: list[int]
) -> dict[int, int]:
    """The opponent's moves in the games `indices` (a model's in one batched search)."""
    if not indices:
        return {}
    if isinstance(opponent, SearchPlayer):
        return dict(zip(indices, opponent.act_many([tables[i].env for i in indices]), strict=True))
    return {index: int(references[index].act(tables[index].env)) for index in indices}


CHANNEL_SYMBOLS = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BOARD_LEGEND = (
    "Boards are drawn from the observation of the player to move (unless the game draws its own): one character "
    "per square, the first observation plane that is not zero there (1: plane 0, 2: plane 1, ...), '.' for none."
)


def board_text(env: Any, observation: np.ndarray) -> str:
    """The position as text: the env's own drawing when it renders "ansi", else `observation_text`."""
    if getattr(env, "render_mode", None) == "ansi":
        drawing = env.render()
        if isinstance(drawing, str):
            return drawing
    return observation_text(observation)


def observation_text(observation: np.ndarray) -> str:
    """An observation as text. Planes (C, H, W): one character per square, the symbol of its first non-zero
    channel (1 for channel 0, 2 for channel 1, ...; `.` for none); (H, W): the values rounded; else the flat
    vector rounded."""
    if observation.ndim == 3:
        on = observation != 0  # bool[C, H, W]
        first = np.argmax(on, axis=0)  # int[H, W]: the first non-zero channel of each square
        symbols = np.array(list(CHANNEL_SYMBOLS))[first % len(CHANNEL_SYMBOLS)]  # str[H, W]
        symbols[~on.any(axis=0)] = "."
        return "\n".join("".join(row) for row in symbols)
    if observation.ndim == 2:
        return "\n".join(" ".join(f"{value:g}" for value in np.round(row, 2)) for row in observation)
    return np.array2string(np.round(observation.reshape(-1), 2), max_line_width=80)
