"""The arena in a real browser: `muzero-arena` on a free localhost port, Debian's chromium clicking on the SVG
board itself: a whole tic-tac-toe game against the shipped model, a connect-four game to its end with the
winning line marked, a three-player dots-and-boxes game, pig played by its roll and hold buttons, 2048's tiles
slid by its move buttons, the move list's navigation and a branch, the hint,
the expected line never longer than the moves left, the board on a phone-sized window, and a hint's
candidates drawn on the connect-four board. Screenshots are saved (to $ARENA_SCREENSHOTS as well, when set:
the README's come from here)."""

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.arena.conftest import build_models_folder
from tests.browser.conftest import arena_latency, free_port, start_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def arena_url(tmp_path_factory):
    models = build_models_folder(tmp_path_factory.mktemp("browser-models"))
    port = free_port()
    command = [str(Path(sys.executable).parent / "muzero-arena"), "--port", str(port), "--models", str(models)]
    with start_server([*command, "--no-browser"], port, ready_path="/_stcore/health", timeout=90):
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture
def arena(browser, arena_url):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        yield arena_latency.ArenaPage(page, arena_url)
    finally:
        page.close()


def screenshot(arena, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    arena.page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    if os.environ.get("ARENA_SCREENSHOTS"):
        shutil.copy(path, Path(os.environ["ARENA_SCREENSHOTS"]) / path.name)


def play_out(arena, moves_per_reply: int, pick=min, limit: int = 60) -> None:
    """Clicks a legal move whenever the board offers one, until the game is over."""
    for _ in range(limit):
        arena.wait_until(arena.settled)
        if "Game over" in arena.text():
            return
        before = arena.pieces()
        arena.click_move(pick(arena.legal_moves()))
        arena.wait_until(lambda b=before: arena.pieces() >= b + moves_per_reply or "Game over" in arena.text())
    raise AssertionError("the game did not end")


def test_a_whole_tictactoe_game_against_the_shipped_model_by_clicking_the_board(arena, tmp_path):
    assert "Player 1 (human) to move" in arena.text() and sorted(arena.legal_moves()) == list(range(9))
    labels = set(arena.page.locator("svg.board g.label text").all_text_contents())
    assert {"a", "b", "c", "1", "2", "3"} <= labels  # the coordinates the moves are named by
    arena.click_move(4)
    arena.wait_until(lambda: arena.pieces() == 2 and arena.settled() and "Expected line:" in arena.text())
    assert arena.marked("last") == 1 and 4 not in arena.legal_moves()
    assert "Agent move 2" in arena.text()
    play_out(arena, 2)
    assert re.search(r"Game over\. .*(wins|Draw)", arena.text())
    screenshot(arena, tmp_path, "arena-tictactoe")


def test_connect_four_to_its_end_with_the_winning_line_marked(arena, tmp_path):
    arena.choose_game("connect4")
    arena.set_simulations(25)
    columns = iter([3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4] * 3)
    play_out(arena, 2, pick=lambda legal: next(c for c in columns if c in legal))
    text = arena.text()
    assert "Game over" in text
    if "Draw" not in text:
        assert arena.marked("win") >= 4  # the four in a row (the line through them too)
    screenshot(arena, tmp_path, "arena-connect4")


def test_three_player_dots_and_boxes_is_played_to_its_end_on_the_board(arena, tmp_path):
    arena.set_simulations(4)
    arena.choose_game("dots_and_boxes")
    arena.wait_until(lambda: len(arena.legal_moves()) == 24)
    assert arena.page.locator(".view .legend .who").count() == 3
    for _ in range(30):
        arena.wait_until(arena.settled)
        if "Game over" in arena.text():
            break
        legal = arena.legal_moves()
        arena.click_move(legal[0])
        left = len(legal)
        arena.wait_until(lambda n=left: len(arena.legal_moves()) < n or "Game over" in arena.text())
    assert "Game over" in arena.text()
    screenshot(arena, tmp_path, "arena-dots-and-boxes")


def test_the_move_list_walks_the_game_and_a_different_move_starts_a_branch(arena):
    arena.click_move(0)
    arena.wait_until(lambda: arena.pieces() == 2 and arena.settled())
    arena.click_move(min(arena.legal_moves()))
    arena.wait_until(lambda: arena.pieces() == 4 and arena.settled())
    arena.click(".view .moves [data-click='ply:1']")
    arena.wait_until(lambda: "Position after move 1 of 4" in arena.text() and arena.pieces() == 1)
    arena.click(".st-key-nav-first button")
    arena.wait_until(lambda: arena.pieces() == 0)
    arena.click(".st-key-nav-last button")
    arena.wait_until(lambda: arena.pieces() == 4)
    arena.click(".st-key-nav-first button")
    arena.wait_until(lambda: arena.pieces() == 0 and arena.legal_moves())
    arena.click_move(8)  # another first move: a branch, which the model answers
    arena.wait_until(lambda: arena.pieces() == 2 and arena.settled())
    assert "Back to the other line (4 moves" in arena.text()
    arena.click(".st-key-branch-0 button")
    arena.wait_until(lambda: arena.pieces() == 4)


def test_a_hint_draws_the_candidates_on_the_board_and_the_line_never_outlasts_the_game(arena):
    arena.click(".st-key-hint button")
    arena.wait_until(lambda: "This position" in arena.text() and arena.settled())
    candidates = arena.page.locator("svg.board g.candidate").count()
    assert candidates >= 1 and arena.pieces() == 0  # the hint plays nothing
    for ply, first in ((1, 0), (3, 1)):  # a1, then a2: the model's replies leave a position near the end
        arena.click_move(first if first in arena.legal_moves() else min(arena.legal_moves()))
        arena.wait_until(lambda p=ply: arena.settled() and f"Agent move {p + 1}" in arena.text())
    left = len(arena.legal_moves())
    line = arena.text().split("Expected line:")[1].split("\n")[0]
    assert line.count("→") + 1 <= left + 1  # the agent's move and the moves after it, as the game allows


def test_the_board_keeps_its_shape_on_a_phone(arena):
    arena.choose_game("connect4")
    arena.page.set_viewport_size({"width": 420, "height": 900})
    arena.page.wait_for_timeout(500)
    box = arena.page.locator("svg.board").first.bounding_box()
    assert box is not None and box["width"] <= 420 and 0.6 < box["height"] / box["width"] < 1.1
    arena.click_move(3)
    arena.wait_until(lambda: arena.pieces() == 2)


def test_connect_fours_candidates_are_drawn_on_the_board_after_a_hint(arena, tmp_path):
    arena.choose_game("connect4")
    arena.set_simulations(100)
    for ply, column in ((1, 3), (3, 2)):
        arena.click_move(column)
        arena.wait_until(lambda p=ply: arena.settled() and f"Agent move {p + 1}" in arena.text())
    arena.click(".st-key-hint button")
    arena.wait_until(lambda: "This position" in arena.text() and arena.settled())
    shares = arena.page.locator("svg.board g.candidate").count()
    assert 1 <= shares <= len(arena.legal_moves()) and arena.pieces() == 4
    screenshot(arena, tmp_path, "arena-analysis")


def test_pig_is_played_to_its_end_by_clicking_roll_and_hold(arena, tmp_path):
    arena.choose_game("pig")
    arena.choose("pig-target", "20")  # no model plays to 20 points: both seats are human
    arena.wait_until(lambda: arena.legal_moves() == [0])  # a turn starts with a roll
    for _ in range(120):
        arena.wait_until(arena.settled)
        if "Game over" in arena.text():
            break
        legal = arena.legal_moves()
        arena.click_move(1 if 1 in legal else 0)  # bank whatever the roll gave
        arena.page.wait_for_timeout(200)
    assert "Game over" in arena.text() and arena.marked("win") >= 1
    assert re.search(r"rolled [2-6]|held", arena.text())
    screenshot(arena, tmp_path, "arena-pig")


def test_2048_tiles_slide_when_the_move_buttons_are_clicked(arena, tmp_path):
    arena.choose_game("2048")
    labels = lambda: arena.page.locator("svg.board g.label text").all_text_contents()  # noqa: E731
    assert "score 0" in labels()
    for _ in range(12):
        arena.wait_until(arena.settled)
        if "Game over" in arena.text():
            break
        arena.click_move(min(arena.legal_moves()))
        arena.page.wait_for_timeout(200)
    tiles = [text for text in labels() if text.isdigit()]
    assert len(tiles) >= 3 and arena.marked("last") >= 1  # the new tile chance placed is marked
    screenshot(arena, tmp_path, "arena-2048")
