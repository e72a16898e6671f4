"""The arena in a real browser: the time from a human's click on the connect-four board to the agent's reply
shown on that board, at several simulation counts, and the page's first paint (the board drawn) on a fresh
server and again (Debian's chromium driven by Playwright, the page's own clock).

    .venv/bin/python benchmarks/arena_latency.py --simulations 100 400 --moves 8

Starts `muzero-arena` on a free localhost port with the models folder given (default: models/). Also the
page driver the browser tests use (`ArenaPage`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "arena_latency.json"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# the pieces on the board (not the pieces shown under the pointer, nor the legend's)
PIECES = "svg.board g.mark:not(.ghost):is(.player-0, .player-1, .player-2, .player-3):is(.disc, .cross, .ring)"
PIECE_COUNT = f"() => document.querySelectorAll('{PIECES}').length"
# Clicks a move in the page itself and times, with the page's own clock, until the board shows `target`
# pieces or the game is over: no round trip of the test driver in the measurement.
TIMED_CLICK = f"""async ([action, target]) => {{
    const pieces = () => document.querySelectorAll('{PIECES}').length;
    const over = () => document.body.innerText.includes('Game over');
    const start = performance.now();
    document.querySelector(`svg.board [data-click="move:${{action}}"] rect.target`)
        .dispatchEvent(new MouseEvent('click', {{bubbles: true}}));
    while (pieces() < target && !over()) {{ await new Promise(r => requestAnimationFrame(r)); }}
    return (performance.now() - start) / 1000;
}}"""
FIRST_PAINT = """() => new Promise((resolve) => {
    const done = () => document.querySelector('svg.board');
    const tick = () => done() ? resolve(performance.now() / 1000) : requestAnimationFrame(tick);
    tick();
})"""


class ArenaPage:
    """The arena page in a Playwright page: choose the game, set the simulations, click moves on the SVG
    board, read it."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        page.goto(url)
        page.wait_for_selector("svg.board", timeout=60_000)

    def text(self) -> str:
        return self.page.inner_text("section.main, [data-testid='stMain']")

    def pieces(self) -> int:
        """Pieces on the board, counted in the page in one call (the timing polls it)."""
        return self.page.evaluate(PIECE_COUNT)

    def legal_moves(self) -> list[int]:
        """The moves the interactive board offers (none while an agent thinks: the board is a still picture)."""
        found = self.page.eval_on_selector_all(
            "svg.board [data-click^='move:']", "nodes => nodes.map(n => n.getAttribute('data-click'))"
        )
        return [int(value.removeprefix("move:")) for value in found]

    def marked(self, note: str) -> int:
        """Marks of the board with a note ("win", "last")."""
        return self.page.evaluate(f"() => document.querySelectorAll('svg.board g.mark.{note}').length")

    def click_move(self, action: int) -> None:
        self.page.locator(f"svg.board [data-click='move:{action}'] rect.target").click()

    def click(self, selector: str) -> None:
        self.page.locator(selector).first.click()

    def wait_until(self, condition, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not reach the expected state")
            time.sleep(0.02)

    def settled(self) -> bool:
        """The page has finished its runs: twice, 0.3 s apart (a run may start another), Streamlit runs no
        script and the board is interactive, or the game over."""
        return self._quiet() and (self.page.wait_for_timeout(300) or self._quiet())

    def _quiet(self) -> bool:
        if self.page.locator("[data-testid='stStatusWidget']").count():
            return False
        return "thinking:" not in self.text() and bool(self.legal_moves() or "Game over" in self.text())

    def choose(self, key: str, option: str) -> None:
        self.page.click(f".st-key-{key} input")
        self.page.get_by_role("option", name=option, exact=True).click()
        time.sleep(0.5)

    def choose_game(self, game: str) -> None:
        self.choose("game", game)
        sizes = {"tictactoe": 9, "connect4": 7}
        self.wait_until(lambda: len(self.legal_moves()) == sizes.get(game, len(self.legal_moves()) or -1))

    def set_simulations(self, simulations: int) -> None:
        box = self.page.locator(".st-key-simulations input")
        box.fill(str(simulations))
        box.press("Enter")
        time.sleep(1.0)  # the page reruns with the new setting

    def new_game(self) -> None:
        self.page.click(".st-key-new-game button")
        self.wait_until(lambda: self.pieces() == 0 and "Game over" not in self.text())

    def reply_seconds(self, column: int) -> float:
        """Clicks a connect-four column and times until the agent's disc is on the board too (a new game
        first when the last one is over)."""
        if "Game over" in self.text():
            self.new_game()
        self.wait_until(lambda: column in self.legal_moves())
        return self.page.evaluate(TIMED_CLICK, [column, self.pieces() + 2])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def arena_server(models: Path, port: int):
    """`muzero-arena` on 127.0.0.1:PORT until the block ends."""
    command = [str(Path(sys.executable).parent / "muzero-arena"), "--port", str(port), "--models", str(models)]
    process = subprocess.Popen([*command, "--no-browser"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("muzero-arena did not start") from None
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=20)


def measure(models: Path, simulations: list[int], moves: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright, arena_server(models, free_port()) as url:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        paints = [first_paint(browser, url) for _ in range(2)]  # the server's first page (cold), then warm
        print(f"first paint: {paints[0]:.2f} s cold, {paints[1]:.2f} s warm")
        for count in simulations:
            arena = ArenaPage(browser.new_page(viewport={"width": 1280, "height": 900}), url)
            arena.choose_game("connect4")
            arena.set_simulations(count)
            times = [arena.reply_seconds(column) for column in (3, 2, 4, 3, 2, 4, 1, 5)[:moves]]
            rows.append({"simulations": count, "median_s": statistics.median(times), "max_s": max(times), "all": times})
            print(f"{count:5d} simulations: median {statistics.median(times):.3f} s, max {max(times):.3f} s")
        browser.close()
    return {
        "what": "click on the connect-four board to the agent's reply shown; the board's first paint",
        "first_paint_cold_s": paints[0],
        "first_paint_warm_s": paints[1],
        "rows": rows,
    }


def first_paint(browser: Any, url: str) -> float:
    """Seconds from the page's navigation to the board drawn, by the page's own clock."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url, wait_until="commit")
    seconds = page.evaluate(FIRST_PAINT)
    page.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, nargs="+", default=[100, 400])
    parser.add_argument("--moves", type=int, default=8, help="human moves timed per setting (at most 8)")
    parser.add_argument("--models", type=Path, default=ROOT / "models")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = measure(args.models, args.simulations, args.moves)
    args.output.write_text(json.dumps(report, indent=1))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
