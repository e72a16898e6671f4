"""The browser harness works: a static page served by `python -m http.server`, a click, a screenshot."""

import sys

from tests.browser.conftest import free_port, start_server

PAGE = """<!doctype html>
<html>
  <head><meta charset="utf-8"><title>smoke</title></head>
  <body>
    <p id="status">waiting</p>
    <button id="go" onclick="document.getElementById('status').textContent = 'clicked'">Go</button>
  </body>
</html>
"""


def test_click_changes_text(page, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)]
    with start_server(command, port, ready_path="/index.html", timeout=30):
        page.goto(f"http://127.0.0.1:{port}/index.html")
        status = page.locator("#status")
        assert status.text_content() == "waiting"
        page.get_by_role("button", name="Go").click()
        page.wait_for_function("document.getElementById('status').textContent === 'clicked'")
        assert status.text_content() == "clicked"
        screenshot = tmp_path / "smoke.png"
        page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 0
    assert screenshot.read_bytes().startswith(b"\x89PNG")
