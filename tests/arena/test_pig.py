"""Pig, a game of chance, end to end: trained with the learned model (its copies are refused, so the rules
search says why in one line), exported, evaluated against its optimal player, and played in the arena, where
the expected line is the tree's own (a copy would know the next roll)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from muzero.faces.cli import eval_main, export_main, train_main
from tests.arena.conftest import APP
from tests.muzero.test_training import TINY


def settings(*extra: str) -> list[str]:
    return [arg for setting in [*TINY, *extra] for arg in ("--set", setting)]


def test_the_rules_search_on_pig_is_refused_in_one_line(tmp_path, capsys):
    argv = ["pig", "--sync", "--steps", "2", "--out", str(tmp_path / "run"), "--quiet"]
    assert train_main([*argv, *settings("search.dynamics=rules")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("muzero-train: error: pig has chance outcomes") and "\n" not in error
    assert not (tmp_path / "run").exists()  # refused before the run folder


@pytest.mark.slow
def test_pig_trains_evaluates_against_optimal_and_plays_in_the_arena(tmp_path, monkeypatch, capsys):
    run, bundle = tmp_path / "run", tmp_path / "models" / "pig"
    argv = ["pig", "--sync", "--steps", "6", "--out", str(run), "--quiet"]
    assert train_main([*argv, *settings("run.checkpoint_interval=6", "search.dynamics=learned")]) == 0
    assert export_main([str(run), "--out", str(bundle)]) == 0
    capsys.readouterr()
    assert eval_main([str(bundle), "--against", "optimal", "--games", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["games"] == 4

    monkeypatch.setenv("MUZERO_ARENA_MODELS", str(bundle.parent))
    page = AppTest.from_file(APP, default_timeout=120)
    page.run()
    page.number_input(key="simulations").set_value(8).run()
    page.selectbox(key="game").set_value("pig").run()
    match = page.session_state["match"]
    assert [match.describe(int(a)) for a in match.legal_mask.nonzero()[0]] == ["roll"]  # a turn starts rolling
    for _ in range(6):  # roll until the model has moved (a 1 passes the die to it)
        if page.session_state["match"].over or "Agent move" in " ".join(e.value for e in page.subheader):
            break
        page.text_input(key="move-entry").input("roll").run()
        assert not page.exception, page.exception
    match = page.session_state["match"]
    assert match.moves and all(move in (0, 1) for move in match.moves)
    if match.analyses:
        assert any(element.value.startswith("**Expected line:**") for element in page.markdown)
