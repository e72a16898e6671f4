"""The arena's Model check view (Streamlit's AppTest): a small diagnosis of a seat's model run on demand shows
the per-horizon table, the plots and the worst positions; a report folder written by muzero-diagnose is read
(a report of another game with a warning); a folder without a report and a model of another game are said
in the page."""

from streamlit.testing.v1 import AppTest

from muzero.faces.diagnose_cli import diagnose_main
from tests.arena.conftest import APP


def model_check_page() -> AppTest:
    page = AppTest.from_file(APP, default_timeout=180)
    page.run()
    page.radio(key="view").set_value("Model check").run()
    assert not page.exception, page.exception
    return page


def test_a_small_diagnosis_of_the_seats_model_shows_the_table_plots_and_worst_positions(arena_models):
    page = model_check_page()
    assert page.selectbox(key="check-model").value.startswith("tictactoe")  # the shipped model in seat 2
    page.number_input(key="check-games").set_value(1)
    page.number_input(key="check-horizon").set_value(2)
    page.number_input(key="check-simulations").set_value(2).run()
    page.button(key="check-run").click().run()
    assert not page.exception and not page.error, (page.exception, page.error)
    summary = page.table[0].value
    assert list(summary.index) == ["0", "1", "2"] and {"value err", "next player", "KL"} <= set(summary.columns)
    assert summary.loc["1", "next player"].endswith("%") and summary.loc["0", "next player"] == "–"
    assert len(page.get("image")) == 5  # errors against the horizon (4) and the game's traces
    assert page.code and "k = " in " ".join(element.value for element in page.markdown)


def test_a_report_folder_is_read_and_one_of_another_game_is_flagged(arena_models, tmp_path, capsys):
    folder = tmp_path / "dots_report"
    argv = [str(arena_models / "dots_3p"), "--games", "1", "--horizon", "2", "--simulations", "2"]
    assert diagnose_main([*argv, "--out", str(folder)]) == 0
    capsys.readouterr()
    page = model_check_page()
    page.text_input(key="check-folder").input(str(folder)).run()
    page.button(key="check-read").click().run()
    assert not page.exception, page.exception
    assert "This report is of dots_and_boxes" in page.warning[0].value
    assert list(page.table[0].value.index) == ["0", "1", "2"]


def test_a_folder_without_a_report_is_said_in_the_page(arena_models, tmp_path):
    page = model_check_page()
    page.text_input(key="check-folder").input(str(tmp_path)).run()
    page.button(key="check-read").click().run()
    assert not page.exception and "holds no report.json" in page.error[0].value


def test_a_model_of_another_game_is_said_in_the_page_and_not_offered_for_a_check(arena_models):
    page = model_check_page()
    page.selectbox(key="seat-tictactoe-[]-1").set_value("a bundle by path…").run()
    page.text_input(key="seat-tictactoe-[]-1-path").input(str(arena_models / "dots_3p")).run()
    assert not page.exception and "is a model of dots_and_boxes" in page.error[0].value
    assert "Choose a model for a seat" in page.info[0].value
