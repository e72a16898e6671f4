"""The models the arena offers: every model bundle in a folder (one level of subfolders), read without
loading it, and the reason each unreadable one is left out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from muzero.core.config import GameConfig
from muzero.core.errors import UserError
from muzero.faces.games import same_game
from muzero.model.bundle import is_bundle, read_bundle


@dataclass(frozen=True)
class ModelEntry:
    """A readable bundle: where it is and what it plays."""

    path: str
    name: str  # the folder's name
    game: str
    game_args: dict[str, Any]
    training_step: int

    def plays(self, game: str, args: dict[str, Any]) -> bool:
        return same_game(GameConfig(self.game, self.game_args), GameConfig(game, args))

    @property
    def label(self) -> str:
        return f"{self.name} (step {self.training_step:,})"


@dataclass(frozen=True)
class Catalog:
    models: tuple[ModelEntry, ...]
    problems: tuple[str, ...]  # one line per folder that looks like a bundle but cannot be read

    def of_game(self, game: str, args: dict[str, Any]) -> list[ModelEntry]:
        return [model for model in self.models if model.plays(game, args)]


def find_models(folder: str | Path) -> Catalog:
    """The bundles in `folder` and its subfolders; a missing folder is an empty catalog with a problem."""
    folder = Path(folder)
    if not folder.is_dir():
        return Catalog((), (f"the models folder {folder} does not exist",))
    candidates = [folder, *sorted(path for path in folder.iterdir() if path.is_dir())]
    models, problems = [], []
    for path in candidates:
        if not is_bundle(path):
            continue
        try:
            info = read_bundle(path).info
        except UserError as error:
            problems.append(f"{path.name}: {error}")
            continue
        models.append(ModelEntry(str(path), path.name, info.game, dict(info.game_args), info.training_step))
    return Catalog(tuple(models), tuple(problems))
