"""`muzero.Agent`: a trained model with its search, playing in PettingZoo AEC envs of its game."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from muzero.config import ExperimentConfig
from muzero.errors import UserError
from muzero.inference import Model, root_batch
from muzero.search import SearchOutput, SearchParams, search, select_actions


class Agent:
    """Plays the move its search prefers (temperature 0) or samples by visit counts."""

    def __init__(
        self,
        model: Model,
        config: ExperimentConfig,
        *,
        num_simulations: int | None = None,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> None:
        from muzero.selfplay import search_params

        self.model, self.config, self.temperature = model, config, temperature
        params = search_params(config.search, with_noise=False)
        if num_simulations is not None:
            if num_simulations < 1:
                raise UserError(f"num_simulations must be at least 1, got {num_simulations}")
            params = SearchParams(**{**params.__dict__, "num_simulations": num_simulations})
        self.params: SearchParams = params
        self.rng = np.random.default_rng(seed)
        self.env_name = _env_name(config)

    @classmethod
    def load(
        cls,
        path: str | Path,
        num_simulations: int | None = None,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> Agent:
        """An agent from a run folder (its latest checkpoint) or a checkpoint file."""
        from muzero import components
        from muzero.checkpoint import load_checkpoint
        from muzero.inference import TorchModel

        checkpoint = load_checkpoint(path)
        config = checkpoint.config
        spec = components.game_spec(components.game_factory(config.game)())
        network = components.build_network(config, spec)
        network.load_state_dict(checkpoint.network_state)
        return cls(TorchModel(network), config, num_simulations=num_simulations, temperature=temperature, seed=seed)

    def act(self, env: Any) -> int:
        """The agent's move in `env`, a PettingZoo AEC env of its game at the agent's turn (always legal)."""
        return self.act_many([env])[0]

    def act_many(self, envs: Sequence[Any]) -> list[int]:
        """Moves in several envs at once, with one batched search."""
        output = self.search_many(envs)
        return [int(a) for a in select_actions(output.visit_counts, self.temperature, self.rng)]

    def search_many(self, envs: Sequence[Any]) -> SearchOutput:
        from envs.pettingzoo_game import observe

        decisions = []
        for env in envs:
            self.check_env(env)
            decisions.append(observe(env, env.agent_selection))
        roots = root_batch(
            self.model,
            np.stack([d.observation for d in decisions]),
            np.array([d.to_play for d in decisions]),
            np.stack([d.legal_mask for d in decisions]),
        )
        return search(roots, self.model.recurrent_inference, self.params, self.rng)

    def check_env(self, env: Any) -> None:
        """Refuses an env of another game with a one-line error."""
        name = getattr(env, "metadata", {}).get("name")
        if name != self.env_name:
            raise UserError(f"this model plays {self.config.game.name} ({self.env_name}), not {name}")
        if not env.agents or all(env.terminations.get(a) or env.truncations.get(a) for a in env.agents):
            raise UserError("the game in this env is over: there is no move to make")


def _env_name(config: ExperimentConfig) -> str:
    import envs

    if config.game.name.startswith("gym:"):
        raise UserError("Agent.act plays PettingZoo AEC envs; this model was trained on a Gymnasium env")
    return envs.make_env(config.game.name, **config.game.args).metadata.get("name", config.game.name)
