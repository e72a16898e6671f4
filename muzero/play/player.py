"""A model with its search, playing in PettingZoo AEC envs of its game or, for a one-player Gymnasium game,
on observations: what `muzero.Agent` is, handed its game instead of looking it up by name (the run's evaluator
plays its network with one)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from muzero.core.config import SearchConfig
from muzero.core.errors import UserError
from muzero.core.game_kit import GameKit, GameSpec
from muzero.core.types import Decision, Game, SearchResult
from muzero.model.dynamics import DYNAMICS, RULES, dynamics_of
from muzero.model.inference import Model
from muzero.model.symmetric_model import SymmetryAveragedModel
from muzero.search import Progress, RootBatch, SearchOutput, chosen_actions, extract_tree, search


@dataclass(frozen=True)
class PlaySettings:
    """How an agent plays; None takes the model's own search settings."""

    num_simulations: int | None = None  # simulations per move (None: search.num_simulations)
    temperature: float = 0.0  # 0: the search's choice; else moves sampled by visits^(1/T)
    seed: int | None = None  # of the agent's random choices
    average_symmetries: bool | None = None  # None: search.average_symmetries_at_play
    # what the tree steps (muzero.model.dynamics): "learned" or "rules"; None: the model's search.dynamics.
    # A network trained with one search can be played with the other (with the learned model only where its
    # dynamics were trained: replay.unroll_steps > 0)
    dynamics: str | None = None

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise UserError(f"temperature must be >= 0, got {self.temperature}")
        if self.dynamics not in (None, *DYNAMICS):
            raise UserError(f"dynamics must be one of {', '.join(DYNAMICS)}, got {self.dynamics!r}")


DEFAULT_PLAY = PlaySettings()  # the model's own settings, best move


@dataclass(frozen=True)
class LiveSearch:
    """Hears of one search as it goes: `report(result so far, simulations done)` every `every` simulations."""

    every: int
    report: Callable[[SearchResult, int], None]


class SearchPlayer:
    """Plays the move its search prefers (temperature 0) or samples by visit counts: `model` searched with the
    `search` settings (at play: no root noise, `settings.num_simulations` if given) in the game `game`."""

    def __init__(
        self,
        model: Model,
        search: SearchConfig,
        game: GameKit,
        settings: PlaySettings = DEFAULT_PLAY,
        training_step: int | None = None,
    ) -> None:
        average = settings.average_symmetries
        average = search.average_symmetries_at_play if average is None else average
        self.model = symmetry_averaged(model, game.spec) if average else model
        self.averages_symmetries = self.model is not model  # False for a game that declares no symmetries
        self.game, self.temperature = game, settings.temperature
        self.training_step = training_step  # learner steps behind the weights, when known
        self.params: SearchConfig = search_at_play(search, settings)
        self.dynamics = dynamics_of(self.model, self.params.dynamics, self.params.discount)  # what the tree steps
        self.rng = np.random.default_rng(settings.seed)

    @property
    def plays_gymnasium(self) -> bool:
        """Whether the game is a one-player Gymnasium env: then the agent acts on observations, not on envs."""
        return self.game.env_name is None

    def act(self, position: Any, info: dict | None = None) -> int:
        """The agent's move (always legal): in a PettingZoo AEC env of its game at the agent's turn, or, for a
        Gymnasium game, at an observation (`info["action_mask"]`, when given, restricts the actions)."""
        return self.act_many([position], None if info is None else [info])[0]

    def act_many(self, positions: Sequence[Any], infos: Sequence[dict] | None = None) -> list[int]:
        """Moves at several positions (envs, or observations with their infos) at once, with one batched search."""
        return self.act_on(self.decisions(positions, infos), self.games_at(positions))

    def act_on(self, decisions: Sequence[Decision], games: Sequence[Game] | None = None) -> list[int]:
        """Moves at decisions already read (a `Game`'s time steps are decisions; the search over the rules also
        takes the games, left untouched), with one batched search."""
        output = self.run_search(self.dynamics.roots(decisions, games))
        return [int(a) for a in chosen_actions(output, self.temperature, self.rng)]

    def run_search(self, roots: RootBatch, progress: Progress | None = None) -> SearchOutput:
        """The agent's search from roots of its dynamics (`progress`: hears of it along the way)."""
        return search(roots, self.dynamics.recurrent_inference, self.params, self.rng, progress)

    def play_episode(self, env: Any, seed: int | None = None, max_steps: int | None = None) -> float:
        """Plays one episode of a Gymnasium env of the agent's game (wrappers welcome: `RecordVideo`, a
        `render_mode`) and returns its undiscounted return; ends at termination, truncation or `max_steps`."""
        if not self.plays_gymnasium:
            raise UserError("play_episode plays Gymnasium envs; this model plays a PettingZoo game: use act(env)")
        observation, info = env.reset(seed=seed)
        total, steps, over = 0.0, 0, False
        while not over and (max_steps is None or steps < max_steps):
            observation, reward, terminated, truncated, info = env.step(self.act(observation, info))
            total, steps, over = total + float(reward), steps + 1, bool(terminated or truncated)
        return total

    def search(self, position: Any, info: dict | None = None, live: LiveSearch | None = None) -> SearchResult:
        """The agent's search at a position (an env, or an observation with its info): its chosen move, root
        statistics and tree; `live` hears of the search so far every `live.every` simulations."""
        roots = self.roots([position], None if info is None else [info])
        progress = None
        if live is not None:
            progress = Progress(live.every, lambda output, done: live.report(self._result(roots, output), done))
        output = self.run_search(roots, progress)
        return self._result(roots, output, int(chosen_actions(output, self.temperature, self.rng)[0]))

    def _result(self, roots: RootBatch, output: SearchOutput, action: int | None = None) -> SearchResult:
        """Root 0 of a search's output (the search's own choice of move where `action` is None)."""
        return SearchResult(
            action=int(output.action[0]) if action is None else action,
            to_play=int(roots.to_play[0]),
            legal_mask=roots.legal_mask[0],
            visit_counts=output.visit_counts[0],
            priors=output.priors[0],
            policy=output.policy[0],
            q_values=output.q_values[0],
            root_value=output.root_values[0],
            network_value=roots.values[0],
            tree=extract_tree(output, 0),
        )

    def search_many(self, envs: Sequence[Any]) -> SearchOutput:
        """One batched search over the positions of several envs."""
        return self.run_search(self.roots(envs))

    def roots(self, positions: Sequence[Any], infos: Sequence[dict] | None = None) -> RootBatch:
        """The search roots of positions (envs, each checked to be of this agent's game, or observations)."""
        return self.dynamics.roots(self.decisions(positions, infos), self.games_at(positions))

    def games_at(self, positions: Sequence[Any]) -> list[Game] | None:
        """Copies of the game at each position, for the search over the rules (None for the learned model)."""
        if self.params.dynamics != RULES:
            return None
        if self.plays_gymnasium or self.game.game_at is None:
            raise UserError(
                f"this model searches with the rules of {self.game.config.name}, which need the game itself, not "
                'an observation: use muzero-eval (it plays the game), or search.dynamics = "learned"'
            )
        return [self.game.game_at(env) for env in positions]

    def decisions(self, positions: Sequence[Any], infos: Sequence[dict] | None = None) -> list[Decision]:
        """What the player to move sees at each position: envs of a PettingZoo game (each checked to be of this
        game and not over), observations (with their Gymnasium infos) of a Gymnasium game."""
        if self.plays_gymnasium:
            infos = infos if infos is not None else [{}] * len(positions)
            return [self.observed(observation, info) for observation, info in zip(positions, infos, strict=True)]
        decisions = []
        for env in positions:
            self.check_env(env)
            decisions.append(self.game.observe(env))
        return decisions

    def observed(self, observation: Any, info: dict | None) -> Decision:
        """A Gymnasium observation as a decision; one of another shape is a one-line error."""
        if hasattr(observation, "step") and hasattr(observation, "reset"):
            raise UserError("this model plays a Gymnasium env: give act() the observation (and info), not the env")
        shape = self.game.spec.observation_shape
        encode = self.game.encode_observation
        try:
            array = np.asarray(observation if encode is None else encode(observation), dtype=np.float32)
        except (ValueError, TypeError, AssertionError):  # not an observation of the env's space
            array = np.asarray(observation, dtype=np.float32)
        if array.size != int(np.prod(shape)):
            raise UserError(
                f"this model plays {self.game.config.name}: observations of shape {shape}, not {array.shape}"
            )
        mask = (info or {}).get("action_mask")
        legal = np.ones(self.game.spec.num_actions, bool) if mask is None else np.asarray(mask, dtype=bool)
        return Decision(array.reshape(shape), 0, legal)

    def check_env(self, env: Any) -> None:
        """Refuses an env of another game, or of a game that is over, with a one-line error."""
        if not hasattr(env, "agent_selection"):
            raise UserError(f"this model plays {self.game.config.name}: give it a PettingZoo AEC env of that game")
        name = getattr(env, "metadata", {}).get("name")
        if name != self.game.env_name:
            raise UserError(f"this model plays {self.game.config.name} ({self.game.env_name}), not {name}")
        if not env.agents or all(env.terminations.get(a) or env.truncations.get(a) for a in env.agents):
            raise UserError("the game in this env is over: there is no move to make")


def search_at_play(config: SearchConfig, settings: PlaySettings) -> SearchConfig:
    """The search settings of an agent at play: no root noise, and its own number of simulations and dynamics
    where `settings` give them."""
    params = config.at_play()
    if settings.num_simulations is not None:
        params = dataclasses.replace(params, num_simulations=settings.num_simulations)
    if settings.dynamics is not None:
        params = dataclasses.replace(params, dynamics=settings.dynamics)
    return params


def symmetry_averaged(model: Model, spec: GameSpec) -> Model:
    """`model` averaged over the symmetries its game declares; the model itself for a game with none."""
    if len(spec.symmetries) < 2:
        return model
    return SymmetryAveragedModel(model, spec.symmetries, spec.observation_shape)
