"""The arena in a real browser: the time from a human's click on the connect-four board to the agent's reply
shown on that board, at several simulation counts (Debian's chromium driven by Playwright).

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
DISCS = ("🔴", "🟡")
DISC_COUNT = """() => [...document.querySelectorAll('.st-key-board button')]
    .filter(b => b.offsetParent !== null && /🔴|🟡/u.test(b.innerText)).length"""
# Clicks a square in the page itself and times, with the page's own clock, until the board shows `target`
# discs or the game is over: no round trip of the test driver in the measurement.
TIMED_CLICK = """async ([key, target]) => {
    const discs = () => [...document.querySelectorAll('.st-key-board button')]
        .filter(b => b.offsetParent !== null && /🔴|🟡/u.test(b.innerText)).length;
    const over = () => document.body.innerText.includes('Game over');
    const start = performance.now();
    document.querySelector(`.st-key-${key} button`).click();
    while (discs() < target && !over()) { await new Promise(r => requestAnimationFrame(r)); }
    return (performance.now() - start) / 1000;
}"""


class ArenaPage:
    """The arena page in a Playwright page: choose the game, set the simulations, click squares, read it."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        page.goto(url)
        page.wait_for_selector(".st-key-board button", timeout=60_000)

    def text(self) -> str:
        return self.page.inner_text("section.main, [data-testid='stMain']")

    def labels(self, prefix: str) -> dict[str, str]:
        """Board squares by key (`cell-...`, `edge-...`) -> their label."""
        found = {}
        for element in self.page.query_selector_all(f"[class*='st-key-{prefix}']"):
            key = next(c for c in element.get_attribute("class").split() if c.startswith(f"st-key-{prefix}"))
            found[key.removeprefix("st-key-")] = element.inner_text().strip()
        return found

    def discs(self) -> int:
        """Discs on the connect-four board, counted in the page in one call (the timing polls it)."""
        return self.page.evaluate(DISC_COUNT)

    def click_square(self, key: str) -> None:
        self.page.click(f".st-key-{key} button")

    def wait_until(self, condition, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not reach the expected state")
            time.sleep(0.01)

    def choose_game(self, game: str) -> None:
        self.page.click(".st-key-game input")
        self.page.get_by_role("option", name=game, exact=True).click()
        self.wait_until(lambda: bool(self.labels("cell-")) and self._board_of(game))

    def _board_of(self, game: str) -> bool:
        keys = self.labels("cell-")
        return any(key.count("-") == 2 for key in keys) if game == "connect4" else len(keys) == 9

    def set_simulations(self, simulations: int) -> None:
        box = self.page.locator(".st-key-simulations input")
        box.fill(str(simulations))
        box.press("Enter")
        time.sleep(1.0)  # the page reruns with the new setting

    def new_game(self) -> None:
        self.page.click(".st-key-new-game button")
        self.wait_until(lambda: self.discs() == 0 and "Game over" not in self.text())

    def reply_seconds(self, column: int) -> float:
        """Clicks a connect-four column and times until the agent's disc is on the board too (a new game
        first when the last one is over)."""
        if "Game over" in self.text():
            self.new_game()
        return self.page.evaluate(TIMED_CLICK, [f"cell-0-{column}", self.discs() + 2])


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
        for count in simulations:
            arena = ArenaPage(browser.new_page(viewport={"width": 1280, "height": 900}), url)
            arena.choose_game("connect4")
            arena.set_simulations(count)
            times = [arena.reply_seconds(column) for column in (3, 2, 4, 3, 2, 4, 1, 5)[:moves]]
            rows.append({"simulations": count, "median_s": statistics.median(times), "max_s": max(times), "all": times})
            print(f"{count:5d} simulations: median {statistics.median(times):.3f} s, max {max(times):.3f} s")
        browser.close()
    return {"what": "click on the connect-four board to the agent's reply shown", "rows": rows}


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
