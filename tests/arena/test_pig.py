"""Pig, a game of chance, end to end: trained over its rules with chance nodes (a roll's six faces, 1/6 each)
and with the learned model, exported, searched by the torch-free bundle, evaluated against its optimal player
and played in the arena, where the expected line stops where chance draws and the tree shows the outcomes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import envs
import envs.pig as pig_game
from arena.analysis import replayed_line, tree_dict
from arena.markup import tree_html
from envs.pig import rules
from envs.rules_game import RulesGame
from muzero.core.config import SearchConfig
from muzero.faces.agent import Agent
from muzero.faces.cli import eval_main, export_main, train_main
from muzero.model.dynamics import RulesDynamics
from muzero.search import extract_tree, search
from tests.arena.conftest import APP
from tests.muzero.test_rules_search import ProjectionModel
from tests.muzero.test_training import TINY

RNG = np.random.default_rng(0)


def settings(*extra: str) -> list[str]:
    return [arg for setting in [*TINY, *extra] for arg in ("--set", setting)]


def test_pig_trains_over_its_rules_with_chance_nodes_and_its_torch_free_bundle_searches_them(tmp_path, capsys):
    run, bundle = tmp_path / "run", tmp_path / "pig"
    argv = ["pig", "--sync", "--steps", "4", "--out", str(run), "--quiet"]
    assert train_main([*argv, *settings("run.checkpoint_interval=4", "search.dynamics=rules")]) == 0
    assert export_main([str(run), "--out", str(bundle)]) == 0
    agent = Agent.load(bundle, num_simulations=30)  # a bundle: onnxruntime and numpy only
    assert agent.params.dynamics == "rules"
    env = envs.game_definition("pig").make_env()
    env.reset(seed=1)
    result = agent.search(env)
    roll = next(child for child in result.tree.children if child.action == rules.ROLL)
    assert roll.chance and sorted(outcome.action for outcome in roll.children) == list(range(rules.FACES))
    assert sum(outcome.prior for outcome in roll.children) == pytest.approx(1.0)


def test_the_arena_names_the_outcomes_and_the_expected_line_stops_where_chance_draws() -> None:
    game = RulesGame(rules.PigRules(2, 20), rules.PigState((12, 15), 4, 0, 20))
    dynamics = RulesDynamics(ProjectionModel(game))
    roots = dynamics.roots([game.current_decision()], [game])
    output = search(roots, dynamics.recurrent_inference, SearchConfig(num_simulations=60, dynamics="rules"), RNG)
    tree = tree_dict(extract_tree(output, 0))
    roll = next(child for child in tree["children"] if child["action"] == rules.ROLL)
    assert roll["chance"] and all(outcome["outcome"] for outcome in roll["children"])
    steps, ended = replayed_line(game.clone(), game.clone().timestep(np.zeros(2)), {**tree, "children": [roll]})
    assert [(step.action, step.chance) for step in steps] == [(rules.ROLL, True)] and not ended
    describe = envs.game_definition("pig").describe_action
    markup = tree_html(tree, lambda a: describe(a, {}), lambda o: pig_game.describe_outcome(o, {}))
    assert "chance: die shows 1 · N=" in markup and "probability 0.17" in markup
    assert "P1 roll · N=" in markup and "then chance draws" in markup


def test_a_learned_models_tree_names_its_codes_and_a_rules_tree_the_games_outcomes() -> None:
    from types import SimpleNamespace

    from arena.panels import outcome_words

    match = SimpleNamespace(describe_outcome=lambda outcome: pig_game.describe_outcome(outcome, {}))
    assert outcome_words(match, SimpleNamespace(dynamics="learned"))(3) == "learned code 3"
    assert outcome_words(match, SimpleNamespace(dynamics="rules"))(3) == "die shows 4"


@pytest.mark.slow
def test_pig_trains_evaluates_against_optimal_and_plays_in_the_arena(tmp_path, monkeypatch, capsys):
    run, bundle = tmp_path / "run", tmp_path / "models" / "pig"
    argv = ["pig", "--sync", "--steps", "6", "--out", str(run), "--quiet"]
    learned = ("search.dynamics=learned", "replay.unroll_steps=5", "network.chance_codes=6")  # learned chance
    assert train_main([*argv, *settings("run.checkpoint_interval=6", *learned)]) == 0
    assert export_main([str(run), "--out", str(bundle)]) == 0
    capsys.readouterr()
    assert eval_main([str(bundle), "--against", "optimal", "--games", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"]["games"] == 4

    monkeypatch.setenv("MUZERO_ARENA_MODELS", str(bundle.parent))
    page = AppTest.from_file(APP, default_timeout=120)
    page.run()
    page.number_input(key="simulations").set_value(8).run()
    page.selectbox(key="game").set_value("pig").run()
    seats = {box.key[-1]: box for box in page.selectbox if box.key and box.key.startswith("seat-pig")}
    seats["1"].set_value(seats["1"].options[0]).run()  # the human second
    seats["0"].set_value(seats["0"].options[1]).run()  # the model first: it moves at once
    assert not page.exception, page.exception
    match = page.session_state["match"]
    assert match.moves and all(move in (0, 1) for move in match.moves)
    assert match.analyses  # the model moved, so its search is shown
    assert any(element.value.startswith("**Expected line:**") for element in page.markdown)
