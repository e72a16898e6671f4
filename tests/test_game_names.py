"""A game declares itself once: no module of muzero/, arena/ or envs/ names a registered game outside that
game's own folder (its presets aside). Everything else looks a game up in `envs.registry.GAMES`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import envs.registry

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("muzero", "arena", "envs")


def own_folder(game) -> Path:
    """The folder of the package that declares `game` (envs/NAME/)."""
    package = game.make_env.__module__.split(".")[:2]
    return ROOT.joinpath(*package)


def string_constants(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string in the module but its docstrings."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_module_outside_a_games_folder_names_the_game():
    names = [game.name for game in envs.registry.GAMES]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    folders = {game.name: own_folder(game) for game in envs.registry.GAMES}
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, text in string_constants(path):
                for name in set(pattern.findall(text)):
                    if not path.is_relative_to(folders[name]):
                        found.append(f"{path.relative_to(ROOT)}:{line} names {name!r}")
    assert not found, "\n".join(found)


def test_every_registered_game_lives_in_its_own_folder():
    folders = [own_folder(game) for game in envs.registry.GAMES]
    assert len(set(folders)) == len(folders)
    assert all(folder.parent == ROOT / "envs" and (folder / "__init__.py").is_file() for folder in folders)
