"""`import muzero` and `import envs` stay light: no torch, no ray (the arena runs without them)."""

import subprocess
import sys


def test_import_muzero_and_envs_pulls_in_neither_torch_nor_ray():
    code = "import sys, muzero, envs; print(sorted(m for m in ('torch', 'ray') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
