"""The README's Python examples run as written, from the repository root of a fresh clone.

Every ```python block is executed in a fresh namespace, except a block whose first line is a comment
`# needs ...` (e.g. `# needs a run folder`): it needs something a fresh clone does not have, and is
reported as skipped with that reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NEEDS = re.compile(r"#\s*needs\s+(.+)")


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a markdown text, dedented (blocks inside list items are indented)."""
    blocks = []
    for match in re.finditer(r"^([ \t]*)```python\n(.*?)^\1```", text, re.MULTILINE | re.DOTALL):
        indent = match.group(1)
        lines = match.group(2).splitlines()
        blocks.append("\n".join(line.removeprefix(indent) for line in lines) + "\n")
    return blocks


BLOCKS = python_blocks(README.read_text())


PRINTED_NUMBER = re.compile(r"^print\(.*\)\s*#\s*(-?\d[\d,]*(?:\.\d+)?)\b")  # print(...)  # 500.0: ...


def printed_numbers(block: str) -> list[str | None]:
    """For each top-level print of a block, the number its comment says it prints (None: no number)."""
    lines = [line for line in block.splitlines() if line.startswith("print(")]
    return [match.group(1) if (match := PRINTED_NUMBER.match(line)) else None for line in lines]


def needs(block: str) -> str | None:
    """What a block needs beyond a fresh clone (its first line `# needs ...`), or None."""
    match = NEEDS.fullmatch(block.lstrip().splitlines()[0].strip())
    return match.group(1) if match else None


def run(block: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "__readme__"}
    exec(compile(block, str(README), "exec"), namespace)
    return namespace


def test_the_readme_has_its_examples() -> None:
    runnable = [block for block in BLOCKS if needs(block) is None]
    assert len(runnable) >= 3
    assert sum("agent_iter()" in block for block in runnable) == 1  # the play loop with the shipped bundle
    assert any('Agent.load("models/tictactoe"' in block and ".search(" in block for block in runnable)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    block = BLOCKS[index]
    if (reason := needs(block)) is not None:
        pytest.skip(f"README block {index} needs {reason}")
    namespace = run(block, monkeypatch)
    if "agent_iter()" in block:  # the play loop: a finished game, every player's total, one winner or a draw
        env, returns = namespace["env"], namespace["returns"]
        assert not env.agents, "the game is not over"
        assert set(returns) == set(env.possible_agents)
        assert sorted(returns.values()) in ([-1.0, 1.0], [0.0, 0.0])


@pytest.mark.parametrize("index", [i for i, block in enumerate(BLOCKS) if any(printed_numbers(block))])
def test_the_numbers_a_readme_example_says_it_prints_are_what_it_prints(index, monkeypatch, capsys):
    block = BLOCKS[index]
    if (reason := needs(block)) is not None:
        pytest.skip(f"README block {index} needs {reason}")
    run(block, monkeypatch)
    printed = capsys.readouterr().out.splitlines()
    claimed = printed_numbers(block)
    assert len(printed) == len(claimed), printed  # one line per print
    for line, number in zip(printed, claimed, strict=True):
        if number is not None:
            assert line == number, f"README says {number}, the example prints {line}"
