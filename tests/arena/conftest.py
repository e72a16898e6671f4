"""A models folder for the arena's tests: the shipped tic-tac-toe bundle, a small random 3-player
dots-and-boxes bundle and a damaged one."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "arena" / "app.py")


def build_models_folder(folder: Path) -> Path:
    """The shipped tic-tac-toe (and connect-four, pig and 2048, when shipped) bundles, a random tic-tac-toe bundle that
    searches with the rules, a random 3-player dots-and-boxes bundle, a random connect-four one where none
    is shipped, and a damaged bundle."""
    from muzero.training.export import export_network
    from tests.muzero.test_export import random_network

    shutil.copytree(ROOT / "models" / "tictactoe", folder / "tictactoe")
    if (ROOT / "models" / "connect4").is_dir():
        shutil.copytree(ROOT / "models" / "connect4", folder / "connect4")
    else:
        config, network = random_network("connect4", [], seed=2)
        export_network(network, config, folder / "connect4", training_step=3)
    for shipped in ("pig", "pig_3p", "2048"):
        if (ROOT / "models" / shipped).is_dir():
            shutil.copytree(ROOT / "models" / shipped, folder / shipped)
    config, network = random_network("tictactoe", ["search.dynamics=rules", "replay.unroll_steps=0"], seed=3)
    export_network(network, config, folder / "tictactoe_rules", training_step=5)
    dots = ["game.players=3", "search.num_simulations=8", "search.dynamics=learned", "replay.unroll_steps=3"]
    config, network = random_network("dots_and_boxes", dots, seed=1)  # the learned search: the model check reads it
    export_network(network, config, folder / "dots_3p", training_step=7)
    damaged = folder / "damaged"
    damaged.mkdir()
    (damaged / "model.json").write_text("{not json")
    return folder


@pytest.fixture(scope="session")
def models_folder(tmp_path_factory) -> Path:
    return build_models_folder(tmp_path_factory.mktemp("arena-models"))


@pytest.fixture
def arena_models(models_folder, monkeypatch) -> Path:
    """The arena page reads this models folder."""
    monkeypatch.setenv("MUZERO_ARENA_MODELS", str(models_folder))
    return models_folder
