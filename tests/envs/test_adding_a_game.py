"""A game added the way docs/adding-a-game.md says (one folder, one line in `envs.registry.GAMES`) is trained,
exported, evaluated against its own reference player and played in the arena, with nothing else changed."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

import envs.registry
from envs.testing import check_game
from muzero.faces.cli import eval_main, export_main, train_main
from tests.arena.conftest import APP
from tests.muzero.test_training import TINY
from tests.toy_game import GAME as NIM


@pytest.fixture
def nim_registered(monkeypatch):
    """The one line: the toy game's record appended to the registry's tuple."""
    monkeypatch.setattr(envs.registry, "GAMES", (*envs.registry.GAMES, NIM))


def test_a_registered_toy_game_passes_conformance_and_names_its_players(nim_registered):
    check_game(envs.make("nim"), episodes=3)
    assert envs.registry.reference_players("nim") == ["random", "perfect"]
    assert envs.registry.full_arguments("nim", {}) == {"stones": 7}


@pytest.mark.slow
def test_a_toy_game_added_in_one_folder_trains_evaluates_and_shows(nim_registered, tmp_path, monkeypatch, capsys):
    run, bundle = tmp_path / "run", tmp_path / "models" / "nim"
    settings = [arg for setting in [*TINY, "run.checkpoint_interval=6"] for arg in ("--set", setting)]
    assert train_main(["nim", "--sync", "--steps", "6", "--out", str(run), "--quiet", *settings]) == 0
    assert export_main([str(run), "--out", str(bundle)]) == 0
    capsys.readouterr()
    assert eval_main([str(bundle), "--against", "perfect", "--games", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["game"] == "nim" and report["total"]["games"] == 4

    monkeypatch.setenv("MUZERO_ARENA_MODELS", str(bundle.parent))
    page = AppTest.from_file(APP, default_timeout=120)
    page.run()
    page.selectbox(key="game").set_value("nim").run()
    assert [s.value for s in page.selectbox if s.key.startswith("seat-")] == ["human", "nim (step 6)"]
    board = page.session_state["match"]
    assert [board.describe(int(a)) for a in board.legal_mask.nonzero()[0]] == ["take 1", "take 2", "take 3"]
    page.text_input(key="move-entry").input("take 3").run()  # the model answers at once
    assert not page.exception, page.exception
    assert "Agent move 2" in [element.value for element in page.subheader]
    assert "Player 1 (human) to move** (move 3)" in " ".join(element.value for element in page.info)
    assert any("best: **take" in element.value for element in page.markdown)
