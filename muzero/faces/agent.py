"""`muzero.Agent`: a trained model with its search, playing in PettingZoo AEC envs of its game.

An agent needs only a `Model` and the config (which a model bundle carries as a dict in model.json); it plays
by the config's game and search settings, and keeps the whole config as `Agent.config` for its users.
`Agent.load` takes a model bundle folder (then it runs on onnxruntime and imports neither torch nor ray), a
run folder (its latest checkpoint) or a checkpoint file (both with torch).
"""

from __future__ import annotations

from pathlib import Path

from muzero.core.config import ExperimentConfig
from muzero.core.errors import UserError
from muzero.core.game_kit import GameKit
from muzero.faces.games import game_kit, spec_of
from muzero.model.bundle import INITIAL_FILE, is_bundle
from muzero.model.dynamics import LEARNED
from muzero.model.inference import Model, OnnxModel
from muzero.play.player import DEFAULT_PLAY, PlaySettings, SearchPlayer

NO_DYNAMICS = "this model's dynamics were not trained (replay.unroll_steps = 0)"


class Agent(SearchPlayer):
    """A `SearchPlayer` of the game its config names, searching with the config's [search] settings;
    `Agent.load` reads it from a bundle or a checkpoint."""

    def __init__(
        self,
        model: Model,
        config: ExperimentConfig,
        settings: PlaySettings = DEFAULT_PLAY,
        *,
        training_step: int | None = None,
        game: GameKit | None = None,
    ) -> None:
        super().__init__(model, config.search, game or game_kit(config.game), settings, training_step)
        self.config = config  # the model's config: how it was trained, its [search] the one it plays by
        if self.params.dynamics == LEARNED and not self.dynamics_trained:
            raise UserError(NO_DYNAMICS + ': it searches with the rules (dynamics "rules")')

    @property
    def dynamics_trained(self) -> bool:
        """Whether the model's learned dynamics were trained (they are not where replay.unroll_steps = 0)."""
        return self.config.replay.unroll_steps > 0

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
        dynamics: str | None = None,
    ) -> Agent:
        """An agent from a model bundle folder, a run folder (its latest checkpoint) or a checkpoint file.

        `threads`: onnxruntime intra-op threads for a bundle (0: onnxruntime's default); checkpoints run
        on torch with its current thread setting. `average_symmetries`: evaluate positions under every
        symmetry of the game and average (None: the config's search.average_symmetries_at_play).
        `dynamics`: what the search steps, "learned" (the model's dynamics) or "rules" (copies of the real game,
        AlphaZero-style); None: the config's search.dynamics.
        """
        settings = PlaySettings(num_simulations, temperature, seed, average_symmetries, dynamics)
        path = Path(path)
        if not path.exists():
            raise UserError(f"{path} does not exist: give a model bundle folder, a run folder or a checkpoint file")
        if is_bundle(path):
            return cls.from_bundle(path, settings, threads=threads)
        if path.is_dir() and not (path / "checkpoints").is_dir():
            raise UserError(_not_a_model(path))
        return cls.from_checkpoint(path, settings)

    @classmethod
    def from_bundle(cls, path: str | Path, settings: PlaySettings = DEFAULT_PLAY, *, threads: int = 1) -> Agent:
        """An agent on onnxruntime from a model bundle folder; imports neither torch nor ray."""
        model = OnnxModel.load(path, intra_op_threads=threads)
        return cls(model, model.info.experiment_config(), settings, training_step=model.info.training_step)

    @classmethod
    def from_checkpoint(cls, path: str | Path, settings: PlaySettings = DEFAULT_PLAY) -> Agent:
        """An agent on torch from a checkpoint file or a run folder's latest checkpoint."""
        # here, not at the top: torch is imported only for a checkpoint, so that a bundle plays without it
        from muzero.training.components import load_checkpoint_model

        model, checkpoint = load_checkpoint_model(path, spec_of)
        return cls(model, checkpoint.config, settings, training_step=checkpoint.counters.training_step)


def _not_a_model(path: Path) -> str:
    if (path / INITIAL_FILE).exists():
        return f"{path} has {INITIAL_FILE} but no model.json: an unfinished export; re-export it with muzero-export"
    return f"{path} is neither a model bundle (no model.json) nor a run folder (no checkpoints/)"
