"""A model with its search, playing in PettingZoo AEC envs of its game: what `muzero.Agent` is, handed its
game instead of looking it up by name (the run's evaluator plays its network with one)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from muzero.config import ExperimentConfig, SearchConfig
from muzero.errors import UserError
from muzero.game_kit import GameKit, GameSpec
from muzero.inference import Model, root_batch
from muzero.search import RootBatch, SearchOutput, chosen_actions, extract_tree, search
from muzero.symmetric_model import SymmetryAveragedModel
from muzero.types import SearchResult


@dataclass(frozen=True)
class PlaySettings:
    """How an agent plays; None takes the model's own config."""

    num_simulations: int | None = None  # simulations per move (None: search.num_simulations)
    temperature: float = 0.0  # 0: the search's choice; else moves sampled by visits^(1/T)
    seed: int | None = None  # of the agent's random choices
    average_symmetries: bool | None = None  # None: search.average_symmetries_at_play

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise UserError(f"temperature must be >= 0, got {self.temperature}")


DEFAULT_PLAY = PlaySettings()  # the model's own settings, best move


class SearchPlayer:
    """Plays the move its search prefers (temperature 0) or samples by visit counts."""

    def __init__(
        self,
        model: Model,
        config: ExperimentConfig,
        game: GameKit,
        settings: PlaySettings = DEFAULT_PLAY,
        training_step: int | None = None,
    ) -> None:
        if game.env_name is None:
            raise UserError("Agent.act plays PettingZoo AEC envs; this model was trained on a Gymnasium env")
        average = settings.average_symmetries
        average = config.search.average_symmetries_at_play if average is None else average
        self.model = symmetry_averaged(model, game.spec) if average else model
        self.averages_symmetries = self.model is not model  # False for a game that declares no symmetries
        self.config, self.game, self.temperature = config, game, settings.temperature
        self.training_step = training_step  # learner steps behind the weights, when known
        self.params: SearchConfig = search_at_play(config.search, settings.num_simulations)
        self.rng = np.random.default_rng(settings.seed)

    def act(self, env: Any) -> int:
        """The agent's move in `env`, a PettingZoo AEC env of its game at the agent's turn (always legal)."""
        return self.act_many([env])[0]

    def act_many(self, envs: Sequence[Any]) -> list[int]:
        """Moves in several envs at once, with one batched search."""
        output = self.search_many(envs)
        return [int(a) for a in chosen_actions(output, self.temperature, self.rng)]

    def search(self, env: Any) -> SearchResult:
        """The agent's search at the position of `env` (its chosen move, root statistics and tree)."""
        roots = self.roots([env])
        output = search(roots, self.model.recurrent_inference, self.params, self.rng)
        action = int(chosen_actions(output, self.temperature, self.rng)[0])
        return SearchResult(
            action=action,
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
        return search(self.roots(envs), self.model.recurrent_inference, self.params, self.rng)

    def roots(self, envs: Sequence[Any]) -> RootBatch:
        """The search roots of the positions of `envs`, each checked to be of this agent's game."""
        decisions = []
        for env in envs:
            self.check_env(env)
            decisions.append(self.game.observe(env))
        return root_batch(
            self.model,
            np.stack([d.observation for d in decisions]),
            np.array([d.to_play for d in decisions]),
            np.stack([d.legal_mask for d in decisions]),
        )

    def check_env(self, env: Any) -> None:
        """Refuses an env of another game, or of a game that is over, with a one-line error."""
        name = getattr(env, "metadata", {}).get("name")
        if name != self.game.env_name:
            raise UserError(f"this model plays {self.config.game.name} ({self.game.env_name}), not {name}")
        if not env.agents or all(env.terminations.get(a) or env.truncations.get(a) for a in env.agents):
            raise UserError("the game in this env is over: there is no move to make")


def search_at_play(config: SearchConfig, num_simulations: int | None) -> SearchConfig:
    """The search settings of an agent at play: no root noise, and its own number of simulations if given."""
    params = config.at_play()
    return params if num_simulations is None else dataclasses.replace(params, num_simulations=num_simulations)


def symmetry_averaged(model: Model, spec: GameSpec) -> Model:
    """`model` averaged over the symmetries its game declares; the model itself for a game with none."""
    if len(spec.symmetries) < 2:
        return model
    return SymmetryAveragedModel(model, spec.symmetries, spec.observation_shape)
