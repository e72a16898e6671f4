"""`muzero.Agent`: a trained model with its search, playing in PettingZoo AEC envs of its game.

An agent needs only a `Model` and the config (which a model bundle carries as a dict in model.json).
`Agent.load` takes a model bundle folder (then it runs on onnxruntime and imports neither torch nor ray), a
run folder (its latest checkpoint) or a checkpoint file (both with torch).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from muzero.bundle import INITIAL_FILE, is_bundle
from muzero.config import ExperimentConfig, SearchConfig
from muzero.errors import UserError
from muzero.inference import Model, OnnxModel, TorchModel, root_batch
from muzero.search import RootBatch, SearchOutput, chosen_actions, extract_tree, search
from muzero.types import SearchResult


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
        training_step: int | None = None,
        average_symmetries: bool | None = None,
    ) -> None:
        if temperature < 0:
            raise UserError(f"temperature must be >= 0, got {temperature}")
        if average_symmetries is None:
            average_symmetries = config.search.average_symmetries_at_play
        self.model = symmetry_averaged(model, config) if average_symmetries else model
        self.averages_symmetries = self.model is not model  # False for a game that declares no symmetries
        self.config, self.temperature = config, temperature
        self.training_step = training_step  # learner steps behind the weights, when known
        params = config.search.at_play()
        if num_simulations is not None:
            params = dataclasses.replace(params, num_simulations=num_simulations)
        self.params: SearchConfig = params
        self.rng = np.random.default_rng(seed)
        self.env_name = _env_name(config)

    @classmethod
    def load(
        cls,
        path: str | Path,
        num_simulations: int | None = None,
        temperature: float = 0.0,
        seed: int | None = None,
        *,
        threads: int = 1,
        average_symmetries: bool | None = None,
    ) -> Agent:
        """An agent from a model bundle folder, a run folder (its latest checkpoint) or a checkpoint file.

        `threads`: onnxruntime intra-op threads for a bundle (0: onnxruntime's default); checkpoints run
        on torch with its current thread setting. `average_symmetries`: evaluate positions under every
        symmetry of the game and average (None: the config's search.average_symmetries_at_play).
        """
        options = {
            "num_simulations": num_simulations,
            "temperature": temperature,
            "seed": seed,
            "average_symmetries": average_symmetries,
        }
        path = Path(path)
        if not path.exists():
            raise UserError(f"{path} does not exist: give a model bundle folder, a run folder or a checkpoint file")
        if is_bundle(path):
            return cls.from_bundle(path, threads=threads, **options)
        if path.is_dir() and not (path / "checkpoints").is_dir():
            raise UserError(_not_a_model(path))
        return cls.from_checkpoint(path, **options)

    @classmethod
    def from_bundle(cls, path: str | Path, *, threads: int = 1, **options: Any) -> Agent:
        """An agent on onnxruntime from a model bundle folder; imports neither torch nor ray."""
        model = OnnxModel.load(path, intra_op_threads=threads)
        config = model.info.experiment_config()
        return cls(model, config, training_step=model.info.training_step, **options)

    @classmethod
    def from_checkpoint(cls, path: str | Path, **options: Any) -> Agent:
        """An agent on torch from a checkpoint file or a run folder's latest checkpoint."""
        from muzero import components
        from muzero.checkpoint import load_checkpoint

        checkpoint = load_checkpoint(path)
        config = checkpoint.config
        spec = components.game_spec(components.game_factory(config.game)())
        network = components.build_network(config, spec)
        try:
            network.load_state_dict(checkpoint.network_state)
        except RuntimeError as error:
            reason = str(error).splitlines()[0][:200]
            raise UserError(f"the weights in {path} do not fit the network of its config: {reason}") from None
        return cls(TorchModel(network), config, training_step=checkpoint.counters.training_step, **options)

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
            tree=extract_tree(output, 0),
        )

    def search_many(self, envs: Sequence[Any]) -> SearchOutput:
        """One batched search over the positions of several envs."""
        return search(self.roots(envs), self.model.recurrent_inference, self.params, self.rng)

    def roots(self, envs: Sequence[Any]) -> RootBatch:
        """The search roots of the positions of `envs`, each checked to be of this agent's game."""
        from envs.pettingzoo_game import observe

        decisions = []
        for env in envs:
            self.check_env(env)
            decisions.append(observe(env, env.agent_selection))
        return root_batch(
            self.model,
            np.stack([d.observation for d in decisions]),
            np.array([d.to_play for d in decisions]),
            np.stack([d.legal_mask for d in decisions]),
        )

    def check_env(self, env: Any) -> None:
        """Refuses an env of another game with a one-line error."""
        name = getattr(env, "metadata", {}).get("name")
        if name != self.env_name:
            raise UserError(f"this model plays {self.config.game.name} ({self.env_name}), not {name}")
        if not env.agents or all(env.terminations.get(a) or env.truncations.get(a) for a in env.agents):
            raise UserError("the game in this env is over: there is no move to make")


def symmetry_averaged(model: Model, config: ExperimentConfig) -> Model:
    """`model` averaged over the symmetries its game declares; the model itself for a game with none."""
    import envs
    from muzero.symmetric_model import SymmetryAveragedModel

    game = envs.make(config.game.name, **config.game.args)
    symmetries = tuple(getattr(game, "symmetries", ()))
    if len(symmetries) < 2:
        return model
    return SymmetryAveragedModel(model, symmetries, tuple(game.observation_shape))


def _env_name(config: ExperimentConfig) -> str:
    import envs

    if config.game.name.startswith("gym:"):
        raise UserError("Agent.act plays PettingZoo AEC envs; this model was trained on a Gymnasium env")
    return envs.make_env(config.game.name, **config.game.args).metadata.get("name", config.game.name)


def _not_a_model(path: Path) -> str:
    if (path / INITIAL_FILE).exists():
        return f"{path} has {INITIAL_FILE} but no model.json: an unfinished export; re-export it with muzero-export"
    return f"{path} is neither a model bundle (no model.json) nor a run folder (no checkpoints/)"
