"""The arena runs on model bundles with onnxruntime and numpy: importing it and playing a game against a
model loads neither torch nor ray."""

import os
import subprocess
import sys

from tests.arena.conftest import APP, ROOT

PLAY_A_MOVE = f"""
import sys
from streamlit.testing.v1 import AppTest
page = AppTest.from_file({APP!r}, default_timeout=120)
page.run()
page.text_input(key="move-entry").input("b2").run()
assert not page.exception, page.exception
assert len(page.session_state["match"].moves) == 2, "the model did not answer"
print(sorted(name for name in ("torch", "ray") if name in sys.modules))
"""


def test_playing_against_a_model_in_the_arena_loads_neither_torch_nor_ray(models_folder):
    environment = {**os.environ, "MUZERO_ARENA_MODELS": str(models_folder)}
    completed = subprocess.run(
        [sys.executable, "-c", PLAY_A_MOVE], capture_output=True, text=True, timeout=300, cwd=ROOT, env=environment
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "[]"
