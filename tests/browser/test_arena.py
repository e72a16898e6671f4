"""The arena in a real browser: `muzero-arena` on a free localhost port, Debian's chromium clicking on the
boards: a whole tic-tac-toe game against the shipped model, then a few connect-four moves with the
agent's analysis; a screenshot of the page is saved (to $ARENA_SCREENSHOT as well, when set)."""

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.arena.conftest import build_models_folder
from tests.browser.conftest import arena_latency, free_port, start_server


@pytest.fixture(scope="module")
def arena_url(tmp_path_factory):
    models = build_models_folder(tmp_path_factory.mktemp("browser-models"))
    port = free_port()
    command = [str(Path(sys.executable).parent / "muzero-arena"), "--port", str(port), "--models", str(models)]
    with start_server([*command, "--no-browser"], port, ready_path="/_stcore/health", timeout=90):
        yield f"http://127.0.0.1:{port}/"


@pytest.mark.slow
def test_a_tictactoe_game_and_connect_four_moves_by_clicking_on_the_board(browser, arena_url, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    arena = arena_latency.ArenaPage(page, arena_url)
    assert "Player 1 (human) to move" in arena.text()
    for _ in range(5):
        if "Game over" in arena.text():
            break
        free = [key for key, label in arena.labels("cell-").items() if label not in ("X", "O")]
        marks = sum(label in ("X", "O") for label in arena.labels("cell-").values())
        arena.click_square(free[0])
        arena.wait_until(
            lambda m=marks: (
                sum(v in ("X", "O") for v in arena.labels("cell-").values()) >= m + 2 or "Game over" in arena.text()
            )
        )
    assert "Game over" in arena.text() and ("wins" in arena.text() or "Draw" in arena.text())

    arena.choose_game("connect4")
    arena.set_simulations(50)
    for column in (3, 3, 2):
        arena.reply_seconds(column)
    assert arena.discs() == 6
    arena.wait_until(lambda: "Agent move 6" in arena.text())  # the disc is drawn before the analysis below it
    text = arena.text()
    assert "Agent move 6" in text and "Expected line:" in text and "Network alone against the search" in text
    screenshot = tmp_path / "arena.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
    if os.environ.get("ARENA_SCREENSHOT"):
        shutil.copy(screenshot, os.environ["ARENA_SCREENSHOT"])

    page.set_viewport_size({"width": 420, "height": 900})  # a phone: Streamlit stacks columns below 640 px
    page.wait_for_timeout(500)
    boxes = [box for b in page.locator(".st-key-board button").all() if (box := b.bounding_box()) is not None]
    rows = sorted({round(box["y"]) for box in boxes})
    assert len(boxes) == 42 and len(rows) == 6  # the board keeps its shape: 6 rows of 7, not 42 stacked
