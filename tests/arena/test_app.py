"""The arena page through its own widgets (Streamlit's AppTest; the SVG board is a custom component that
AppTest cannot click, so moves go through the page's move box here and through the board in tests/browser): a
whole game against a model with the result shown, an illegal move refused, the analysis and the tree after an
agent move, a model of another game refused, three-player dots and boxes to the end, undo, walking the game
and a branch, a hint, a pasted move list, a game record read back."""

import numpy as np
from streamlit.testing.v1 import AppTest

from arena.match import Match, Seat
from arena.record import match_from_record, record_json
from muzero.core.config import GameConfig
from tests.arena.conftest import APP


def start_page(simulations: int = 25) -> AppTest:
    page = AppTest.from_file(APP, default_timeout=120)
    page.run()
    page.number_input(key="simulations").set_value(simulations).run()
    assert not page.exception, page.exception
    return page


def enter(page: AppTest, text: str) -> None:
    page.text_input(key="move-entry").input(text).run()
    assert not page.exception, page.exception


def status_text(page: AppTest) -> str:
    return " ".join(element.value for element in [*page.info, *page.success])


def match_of(page: AppTest) -> Match:
    return page.session_state["match"]


def markdown_text(page: AppTest) -> str:
    return " ".join(element.value for element in page.markdown)


def test_a_whole_tictactoe_game_against_the_shipped_model_ends_with_its_result(arena_models):
    page = start_page()
    assert "Player 1 (human) to move" in status_text(page)
    for _ in range(5):
        if page.success:
            break
        match = match_of(page)
        free = int(np.flatnonzero(match.legal_mask)[0])
        enter(page, match.describe(free))
    assert page.success and "Game over" in page.success[0].value
    assert any(word in page.success[0].value for word in ("wins", "Draw"))
    movers = match_of(page).movers
    assert movers.count(0) >= 3 and movers.count(1) >= 2  # the model answered every move without a click


def test_an_illegal_move_is_refused_and_the_game_is_unchanged(arena_models):
    page = start_page()
    enter(page, "b2")
    before = list(match_of(page).moves)
    enter(page, "b2")  # the centre is taken
    assert match_of(page).moves == before
    assert page.warning and "not a legal move" in page.warning[0].value
    enter(page, "z9")
    assert "no move of this game" in page.warning[0].value and match_of(page).moves == before


def test_the_analysis_the_line_and_the_tree_show_after_an_agent_move(arena_models):
    page = start_page()
    enter(page, "a1")
    assert "Agent move 2" in " ".join(element.value for element in page.subheader)
    text = markdown_text(page)
    assert "Expected line:" in text and "25 simulations" in text
    assert len(page.table) == 2  # the candidates, and the network against the search
    candidates = page.table[0].value
    assert set(candidates.index) == {f"cell {col}{row}" for col in "abc" for row in "123"} - {"cell a1"}
    assert candidates["visits"].sum() == 25
    tree = match_of(page).analyses[1].tree
    assert sum(child["visits"] for child in tree["children"]) == 25


def test_a_model_of_another_game_is_refused_and_the_game_goes_on(arena_models):
    page = start_page()
    enter(page, "b2")
    seat = page.selectbox(key="seat-tictactoe-[]-1")
    seat.set_value("a bundle by path…").run()
    page.text_input(key="seat-tictactoe-[]-1-path").input(str(arena_models / "dots_3p")).run()
    errors = " ".join(element.value for element in page.error)
    assert "is a model of dots_and_boxes" in errors and not page.exception
    assert match_of(page).moves[0] == 4  # the game in progress is kept


def test_a_model_that_searches_with_the_rules_plays_and_says_so(arena_models):
    page = start_page()
    seat = page.selectbox(key="seat-tictactoe-[]-1")
    seat.set_value("a bundle by path…").run()
    page.text_input(key="seat-tictactoe-[]-1-path").input(str(arena_models / "tictactoe_rules")).run()
    enter(page, "a1")
    assert not page.error, page.error
    assert "25 simulations over the game's rules" in markdown_text(page)
    assert len(match_of(page).moves) == 2  # the model answered


def test_three_player_dots_and_boxes_with_one_human_is_played_to_the_end(arena_models):
    page = start_page(simulations=4)
    page.selectbox(key="game").set_value("dots_and_boxes").run()
    seats = [s.value for s in page.selectbox if s.key.startswith("seat-")]
    assert seats == ["human", "dots_3p (step 7)", "dots_3p (step 7)"]
    for _ in range(30):
        if page.success:
            break
        match = match_of(page)
        enter(page, f"#{int(np.flatnonzero(match.legal_mask)[0])}")
    assert page.success and "Game over" in page.success[0].value
    assert len(match_of(page).moves) == 24  # every edge drawn


def test_two_players_of_dots_and_boxes_say_why_the_seats_are_human(arena_models):
    page = start_page()
    page.selectbox(key="game").set_value("dots_and_boxes").run()
    page.selectbox(key="dots-players").set_value("2").run()
    assert [s.value for s in page.selectbox if s.key.startswith("seat-")] == ["human", "human"]
    captions = " ".join(element.value for element in page.caption)
    assert "No model here plays dots_and_boxes" in captions and "players 3" in captions


def test_undo_goes_back_to_the_previous_human_turn(arena_models):
    page = start_page()
    enter(page, "b2")
    page.button(key="undo").click().run()
    assert match_of(page).moves == []
    assert "Player 1 (human) to move" in status_text(page)


def test_the_game_is_walked_move_by_move_and_a_different_move_starts_a_branch(arena_models):
    page = start_page()
    enter(page, "a1")
    enter(page, match_of(page).describe(int(np.flatnonzero(match_of(page).legal_mask)[0])))
    line = list(match_of(page).moves)
    assert len(line) == 4
    page.button(key="nav-first").click().run()
    assert "Position after move 0 of 4" in status_text(page)
    page.button(key="nav-forward").click().run()
    assert "Position after move 1 of 4" in status_text(page)
    page.button(key="nav-last").click().run()
    assert "Player 1 (human) to move** (move 5)" in status_text(page)
    page.button(key="nav-first").click().run()
    enter(page, "c3")  # another first move: a branch, and the model answers it
    match = match_of(page)
    assert match.moves[0] == 8 and len(match.moves) == 2 and match.branches == [line]
    page.button(key="branch-0").click().run()
    assert match_of(page).moves == line and match_of(page).branches[0][0] == 8


def test_a_hint_analyses_the_position_for_the_human(arena_models):
    page = start_page()
    page.button(key="hint").click().run()
    assert "This position" in " ".join(element.value for element in page.subheader)
    assert page.table[0].value["visits"].sum() == 25 and match_of(page).moves == []


def test_a_pasted_move_list_sets_up_a_position(arena_models):
    page = start_page()
    page.selectbox(key="game").set_value("connect4").run()
    page.selectbox(key="seat-connect4-[]-1").set_value("human").run()
    enter(page, "1. 4 2. 4 3. 3")
    assert match_of(page).moves == [3, 3, 2] and "Player 2 (human) to move** (move 4)" in status_text(page)


def test_a_move_list_with_an_illegal_or_unknown_move_is_said_and_changes_nothing(arena_models):
    page = start_page()
    page.selectbox(key="seat-tictactoe-[]-1").set_value("human").run()
    enter(page, "b2 a1 b2")
    assert match_of(page).moves == [] and "Cell b2 is not a legal move here" in page.warning[0].value
    enter(page, "b2 k7")
    assert match_of(page).moves == [] and "'k7' is no move of this game" in page.warning[0].value


def test_a_named_strength_sets_the_simulations(arena_models):
    page = start_page()
    page.selectbox(key="level").set_value("strong (400 simulations)").run()
    assert page.number_input(key="simulations").value == 400
    page.number_input(key="simulations").set_value(30).run()
    assert page.selectbox(key="level").value == "custom"  # simulations typed by hand are no named level
    page.number_input(key="simulations").set_value(25).run()
    assert page.selectbox(key="level").value == "quick (25 simulations)"


def test_a_game_record_reads_back_with_its_moves_and_analyses():
    match = Match(GameConfig("tictactoe"), [Seat("human"), Seat("human")])
    for action in (4, 0, 8):
        match.play(action)
    text = record_json(match)
    again = match_from_record(text)
    assert again.moves == [4, 0, 8] and again.to_play == 1
    np.testing.assert_array_equal(again.returns, match.returns)


def test_connect_four_by_its_pettingzoo_name_is_the_registered_game_with_its_models(arena_models):
    page = start_page()
    page.selectbox(key="game").set_value("another game…").run()
    page.text_input(key="other-game").input("pettingzoo:pettingzoo.classic.connect_four_v3").run()
    assert match_of(page).game.name == "connect4"
    assert page.selectbox(key="seat-connect4-[]-1").value.startswith("connect4")


def test_any_other_pettingzoo_game_is_playable_with_the_generic_view(arena_models):
    page = start_page()
    page.selectbox(key="game").set_value("another game…").run()
    page.text_input(key="other-game").input("pettingzoo:pettingzoo.classic.go_v5").run()
    assert not page.exception and not page.error, page.error
    assert "as a grid" in " ".join(element.value for element in page.caption)
    assert [b.key for b in page.button if b.key.startswith("action-")] == ["action-361"]  # the pass: no cell
    enter(page, "#60")  # a cell, as the board's click would play it
    assert "Player 2 (human) to move" in status_text(page)
    page.button(key="action-361").click().run()
    assert match_of(page).moves == [60, 361] and not page.exception


def test_an_empty_models_folder_is_said_in_the_page_and_humans_can_still_play(tmp_path, monkeypatch):
    monkeypatch.setenv("MUZERO_ARENA_MODELS", str(tmp_path))
    page = start_page()
    assert any("No model bundles" in element.value for element in page.warning)
    enter(page, "b2")
    assert "Player 2 (human) to move" in status_text(page)


def test_two_models_are_watched_one_move_per_click_or_on_autoplay(arena_models):
    page = start_page(simulations=8)
    seat = page.selectbox(key="seat-tictactoe-[]-0")
    seat.set_value(next(option for option in seat.options if option.startswith("tictactoe (step"))).run()
    assert match_of(page).moves == []  # nobody moves by itself
    page.button(key="next-move").click().run()
    assert len(match_of(page).moves) == 1
    page.toggle(key="autoplay").set_value(True).run()
    assert page.success and "Game over" in page.success[0].value  # the agents played the game out
