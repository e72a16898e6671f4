"""2048 end to end: trained over its rules with chance nodes (each move's new tile), exported, its greedy
episodes scored by the torch-free bundle and `muzero-eval --episodes`, and played in the arena, whose tree
names the new tiles."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

import envs
from muzero.faces.agent import Agent
from muzero.faces.cli import eval_main, export_main, train_main
from tests.arena.conftest import APP
from tests.arena.test_pig import settings


def test_2048_trains_with_chance_nodes_and_plays_from_its_bundle_and_in_the_arena(tmp_path, monkeypatch, capsys):
    run, bundle = tmp_path / "run", tmp_path / "models" / "2048"
    argv = ["2048", "--sync", "--steps", "4", "--out", str(run), "--quiet"]
    assert train_main([*argv, *settings("run.checkpoint_interval=4", "selfplay.max_moves=60")]) == 0
    assert export_main([str(run), "--out", str(bundle)]) == 0
    agent = Agent.load(bundle, num_simulations=16)  # a bundle: onnxruntime and numpy only
    env = envs.game_definition("2048").make_env()
    env.reset(seed=2)
    result = agent.search(env)
    moved = max(result.tree.children, key=lambda child: child.visits)
    assert moved.chance and sum(outcome.prior for outcome in moved.children) <= 1.0 + 1e-6
    capsys.readouterr()
    assert eval_main([str(bundle), "--episodes", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["episodes"] == 2 and report["return_mean"] > 0

    monkeypatch.setenv("MUZERO_ARENA_MODELS", str(bundle.parent))
    page = AppTest.from_file(APP, default_timeout=120)
    page.run()
    page.number_input(key="simulations").set_value(8).run()
    page.selectbox(key="game").set_value("2048").run()
    assert not page.exception, page.exception
    assert page.session_state["match"].seats[0].is_human  # a one-player game: you play, the agent hints
    seat = page.selectbox(key="seat-2048-[]-0")
    seat.set_value(seat.options[1]).run()  # the model's seat: watch it play
    page.button(key="next-move").click().run()
    assert not page.exception, page.exception
    match = page.session_state["match"]
    assert len(match.moves) == 1
    tree = match.analyses[0].tree
    assert tree["children"][0]["chance"] and tree["children"][0]["children"][0]["outcome"]
