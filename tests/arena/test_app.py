"""The arena page through its own widgets (Streamlit's AppTest): a whole game against a model with the
result shown, an illegal click refused, the analysis and the tree after an agent move, a model of another
game refused, three-player dots-and-boxes to the end, undo, and a game record read back."""

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


def board_labels(page: AppTest) -> dict[str, str]:
    return {button.key: button.label for button in page.button if button.key.startswith(("cell-", "edge-"))}


def status_text(page: AppTest) -> str:
    return " ".join(element.value for element in [*page.info, *page.success])


def click_first_free_cell(page: AppTest) -> None:
    labels = board_labels(page)
    free = [key for key, label in labels.items() if label not in ("X", "O")]
    page.button(key=free[0]).click().run()


def test_a_whole_tictactoe_game_against_the_shipped_model_ends_with_its_result(arena_models):
    page = start_page()
    assert "Player 1 (human) to move" in status_text(page)
    for _ in range(5):
        if page.success:
            break
        click_first_free_cell(page)
        assert not page.exception, page.exception
    assert page.success and "Game over" in page.success[0].value
    assert any(word in page.success[0].value for word in ("wins", "Draw"))
    marks = list(board_labels(page).values())
    assert marks.count("X") >= 3 and marks.count("O") >= 2  # the model answered every move without a click


def test_an_illegal_click_is_refused_and_the_board_is_unchanged(arena_models):
    page = start_page()
    page.button(key="cell-4").click().run()
    before = board_labels(page)
    page.button(key="cell-4").click().run()  # the centre is taken
    assert board_labels(page) == before
    assert page.warning and "not a legal move" in page.warning[0].value


def test_the_analysis_and_the_tree_show_after_an_agent_move(arena_models):
    page = start_page()
    page.button(key="cell-0").click().run()
    text = " ".join(element.value for element in page.markdown)
    assert "Agent move 2" in " ".join(element.value for element in page.subheader)
    assert "<table class='heat'>" in text and "Expected line:" in text and "25 simulations" in text
    assert len(page.table) == 2  # the candidates, and the network against the search
    candidates = page.table[0].value
    assert set(candidates.index) == {f"cell {col}{row}" for col in "abc" for row in "123"} - {"cell a1"}
    assert candidates["visits"].sum() == 25
    assert page.get("graphviz_chart") and "digraph search" in page.get("graphviz_chart")[0].proto.spec


def test_a_model_of_another_game_is_refused_and_the_game_goes_on(arena_models):
    page = start_page()
    page.button(key="cell-4").click().run()
    seat = page.selectbox(key="seat-tictactoe-[]-1")
    seat.set_value("a bundle by path…").run()
    page.text_input(key="seat-tictactoe-[]-1-path").input(str(arena_models / "dots_3p")).run()
    errors = " ".join(element.value for element in page.error)
    assert "is a model of dots_and_boxes" in errors and not page.exception
    assert list(board_labels(page).values()).count("X") == 1  # the game in progress is kept


def test_a_model_that_searches_with_the_rules_plays_and_says_so(arena_models):
    page = start_page()
    seat = page.selectbox(key="seat-tictactoe-[]-1")
    seat.set_value("a bundle by path…").run()
    page.text_input(key="seat-tictactoe-[]-1-path").input(str(arena_models / "tictactoe_rules")).run()
    page.button(key="cell-0").click().run()
    assert not page.exception and not page.error, page.error
    text = " ".join(element.value for element in page.markdown)
    assert "25 simulations over the game's rules" in text
    assert list(board_labels(page).values()).count("O") == 1  # the model answered


def test_three_player_dots_and_boxes_with_one_human_is_played_to_the_end(arena_models):
    page = start_page(simulations=4)
    page.selectbox(key="game").set_value("dots_and_boxes").run()
    seats = [s.value for s in page.selectbox if s.key.startswith("seat-")]
    assert seats == ["human", "dots_3p (step 7)", "dots_3p (step 7)"]
    for _ in range(30):
        if page.success:
            break
        edges = [b for b in page.button if b.key.startswith("edge-") and b.label == "·"]
        edges[0].click().run()
        assert not page.exception, page.exception
    assert page.success and "Game over" in page.success[0].value
    assert sum(label in ("━", "┃") for label in board_labels(page).values()) == 24  # every edge drawn


def test_undo_goes_back_to_the_previous_human_turn(arena_models):
    page = start_page()
    page.button(key="cell-4").click().run()
    page.button(key="undo").click().run()
    assert set(board_labels(page).values()) == {"\u2003"}
    assert "Player 1 (human) to move" in status_text(page)


def test_a_game_record_reads_back_with_its_moves_and_analyses():
    match = Match(GameConfig("tictactoe"), [Seat("human"), Seat("human")])
    for action in (4, 0, 8):
        match.play(action)
    text = record_json(match)
    again = match_from_record(text)
    assert again.moves == [4, 0, 8] and again.to_play == 1
    np.testing.assert_array_equal(again.returns, match.returns)


def test_any_pettingzoo_game_is_playable_with_the_generic_view(arena_models):
    page = start_page()
    page.selectbox(key="game").set_value("another game…").run()
    page.text_input(key="other-game").input("pettingzoo:pettingzoo.classic.connect_four_v3").run()
    actions = [b for b in page.button if b.key.startswith("action-")]
    assert [b.label for b in actions] == [str(column) for column in range(7)]
    page.button(key="action-3").click().run()
    assert "Player 2 (human) to move" in status_text(page) and not page.exception


def test_an_empty_models_folder_is_said_in_the_page_and_humans_can_still_play(tmp_path, monkeypatch):
    monkeypatch.setenv("MUZERO_ARENA_MODELS", str(tmp_path))
    page = start_page()
    assert any("No model bundles" in element.value for element in page.warning)
    page.button(key="cell-4").click().run()
    assert "Player 2 (human) to move" in status_text(page) and not page.exception


def test_two_models_are_watched_one_move_per_click_or_on_autoplay(arena_models):
    page = start_page(simulations=8)
    seat = page.selectbox(key="seat-tictactoe-[]-0")
    seat.set_value(next(option for option in seat.options if option.startswith("tictactoe (step"))).run()
    assert [m for m in board_labels(page).values() if m in ("X", "O")] == []  # nobody moves by itself
    page.button(key="next-move").click().run()
    assert list(board_labels(page).values()).count("X") == 1
    page.toggle(key="autoplay").set_value(True).run()
    assert page.success and "Game over" in page.success[0].value  # the agents played the game out
