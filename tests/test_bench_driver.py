"""benchmarks/run_all.py (`make bench`): the docs block, the headline rows and a failed script, without running
any benchmark."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run_all.py"
spec = importlib.util.spec_from_file_location("run_all", SCRIPT)
run_all = importlib.util.module_from_spec(spec)
sys.modules["run_all"] = run_all  # dataclasses look their module up there
spec.loader.exec_module(run_all)

# Small samples of each script's JSON, in the shapes they write.
SEARCH = {
    "machine": "x86_64",
    "cores": 1,
    "rows": [
        {
            "model": "constant",
            "batched": {"batch_size": 1, "num_simulations": 50, "simulations_per_second": 128650.8},
            "reference": {"batch_size": 1, "num_simulations": 50, "simulations_per_second": 12650.1},
            "speedup": 10.17,
        },
        {
            "model": "constant",
            "batched": {"batch_size": 64, "num_simulations": 50, "simulations_per_second": 1311047.2},
            "reference": {"batch_size": 64, "num_simulations": 50, "simulations_per_second": 30978.6},
            "speedup": 42.32,
        },
        {
            "model": "connect4 default network",
            "batched": {"batch_size": 64, "num_simulations": 50, "simulations_per_second": 7894.0},
            "reference": {"batch_size": 64, "num_simulations": 50, "simulations_per_second": 983.0},
            "speedup": 8.03,
            "network_share": 0.96,
        },
    ],
}
SELFPLAY = {
    "game": "tictactoe",
    "cpus": 2,
    "rows": [
        {"mode": "synchronous", "workers": 0, "positions_per_second": 1628.7},
        *(
            {
                "mode": "ray",
                "workers": workers,
                "batches_per_request": 1,
                "cpu_share_per_worker": 0.9,
                "positions_per_second": 1079.0 * workers,
                "positions_per_second_with_learner": 1051.3,
                "learner_steps_per_second_with_selfplay": 36.1,
                "learner_steps_per_second_alone": 49.5,
            }
            for workers in (1, 2)
        ),
    ],
}
INFERENCE = {
    "machine": {"cpus": 2, "torch": "2.13.0+cpu"},
    "latency": [
        {
            "game": "tictactoe",
            "network": "mlp",
            "batch": batch,
            "backend": backend,
            "initial_ms": ms,
            "recurrent_ms": ms,
        }
        for batch in (1, 64)
        for backend, ms in (("torch 1 thread", 0.58), ("onnxruntime 1 thread", 0.09), ("torch 2 threads", 0.6))
    ],
    "agent_moves": [{"game": "tictactoe", "simulations": 100, "backend": "torch 1 thread", "move_ms": 80.0}],
    "speedup": [{"game": "tictactoe", "initial_batch1": 6.2, "recurrent_batch1": 11.0, "agent_move": 3.1}],
}
REPLAY = {
    "capacity": 100000,
    "batch_size": 256,
    "unroll_steps": 5,
    "games": {
        "tictactoe-like": {
            "total_bytes_per_position_compact": 132.97,
            "total_bytes_per_position_float32": 186.97,
            "sample_batch_ms": 1.395,
        }
    },
}
LEARNER = {
    "machine": {"processor": "x86_64"},
    "seconds": 5.0,
    "rounds": 4,
    "rows": [
        {"game": "tictactoe", "settings": [], "network": "mlp", "batch_size": 128, "steps_per_second_fused": 83.5},
        {
            "game": "dots_and_boxes",
            "settings": ["game.players=3"],
            "network": "mlp",
            "batch_size": 128,
            "steps_per_second_fused": 47.7,
        },
    ],
}
OPPONENTS = {
    "alphabeta_connect_four_empty_board": {"depth": 7, "median_s": 0.0355, "count": 5},
    "perfect_tictactoe_empty_board": {"first_call_with_solve_s": 0.0185, "later_calls": {"median_s": 7e-05}},
}
SAMPLES = {
    "search_speed": SEARCH,
    "selfplay_throughput": SELFPLAY,
    "inference_latency": INFERENCE,
    "replay_memory": REPLAY,
    "learner_speed": LEARNER,
    "opponents": OPPONENTS,
}


def test_every_benchmark_has_a_sample_and_a_headline_reader() -> None:
    names = [benchmark.name for benchmark in run_all.BENCHMARKS]
    assert sorted(names) == sorted(SAMPLES) == sorted(run_all.HEADLINES)
    assert all((SCRIPT.parent / f"{name}.py").is_file() for name in names)


def test_the_commands_write_to_the_given_output_and_quick_shortens_them(tmp_path: Path) -> None:
    by_name = {benchmark.name: benchmark for benchmark in run_all.BENCHMARKS}
    selfplay = by_name["selfplay_throughput"].command(tmp_path / "s.json", quick=False)
    assert selfplay[1] == "benchmarks/selfplay_throughput.py"
    assert selfplay[-2:] == ["--output", str(tmp_path / "s.json")]
    assert "--workers 1 2" in " ".join(selfplay) and "--seconds" not in selfplay
    quick = by_name["selfplay_throughput"].command(tmp_path / "s.json", quick=True)
    assert "--seconds" in quick and "--workers 1 2" in " ".join(quick)


def test_headline_rows_have_numbers_and_units() -> None:
    benchmarks = {name: {"command": "x", "seconds": 1.0, "result": result} for name, result in SAMPLES.items()}
    rows = run_all.headline_rows(benchmarks)
    assert all("error" not in entry for entry in benchmarks.values())
    assert {row["benchmark"] for row in rows} == set(SAMPLES)
    for row in rows:
        assert set(row) == {"benchmark", "figure", "value", "unit"}
        assert isinstance(row["value"], float) and row["unit"] and row["figure"]
    figures = {(row["benchmark"], row["figure"]): (row["value"], row["unit"]) for row in rows}
    search = "constant model (tree work only), batch 64, 50 simulations"
    assert figures[("search_speed", f"{search}, batched")] == (1311047.2, "simulations/s")
    assert figures[("search_speed", f"{search}, batched / reference")] == (42.32, "x")
    assert not any("batch 1," in figure for name, figure in figures if name == "search_speed")  # largest batch
    assert figures[("selfplay_throughput", "tictactoe, synchronous loop")] == (1628.7, "positions/s")
    assert figures[("selfplay_throughput", "tictactoe, Ray, 2 workers")] == (2158.0, "positions/s")
    assert figures[("selfplay_throughput", "tictactoe, Ray, 1 worker, learner steps beside self-play")] == (
        36.1,
        "steps/s",
    )
    inference = "tictactoe, recurrent_inference batch 1"
    assert figures[("inference_latency", f"{inference}, torch 1 thread")] == (0.58, "ms")
    assert figures[("inference_latency", f"{inference}, onnxruntime 1 thread")] == (0.09, "ms")
    assert figures[("inference_latency", f"{inference}, onnxruntime speed-up")] == (11.0, "x")
    assert figures[("replay_memory", "tictactoe-like, bytes per position")] == (132.97, "bytes")
    assert figures[("replay_memory", "tictactoe-like, sample a batch of 256")] == (1.395, "ms")
    assert figures[("learner_speed", "dots_and_boxes game.players=3, mlp, batch 128")] == (47.7, "steps/s")
    assert figures[("opponents", "alpha-beta connect four depth 7, move")] == pytest.approx((35.5, "ms"))


def test_a_result_without_its_figures_is_an_error() -> None:
    benchmarks = {"opponents": {"command": "x", "seconds": 1.0, "result": {"pinned_cpu": 0}}}
    assert run_all.headline_rows(benchmarks) == []
    assert "no headline figures" in benchmarks["opponents"]["error"]


def report(rows: list[dict], quick: bool = False) -> dict:
    machine = {"cpu": "Test CPU", "logical_cores": 2, "memory_gib": 23.4, "platform": "Linux", "python": "3.11.7"}
    machine |= {"torch": "2.13.0", "onnxruntime": "1.31.1", "numpy": "2.1.0"}
    benchmarks = {"opponents": {"command": "x", "seconds": 1.0, "result": OPPONENTS}}
    return {
        "date": "2026-12-05T10:00:00+00:00",
        "machine": machine,
        "quick": quick,
        "benchmarks": benchmarks,
        "rows": rows,
    }


def test_the_docs_block_replaces_only_the_text_between_the_markers(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    before = "# Benchmarks\n\nIntro.\n\n## All benchmarks (make bench)\n\n"
    after = "\n\n## Search speed\n\nkept | as | is\n"
    docs.write_text(f"{before}{run_all.START}\nold table\n{run_all.END}{after}")
    rows = run_all.opponent_rows(OPPONENTS)
    run_all.write_docs(report(rows), "benchmarks/results/bench.json", docs)
    text = docs.read_text()
    assert text.startswith(before + run_all.START + "\n") and text.endswith(run_all.END + after)
    assert "old table" not in text
    block = text[text.index(run_all.START) : text.index(run_all.END)]
    assert "Date: 2026-12-05" in block and "Test CPU, 2 logical cores, 23.4 GiB" in block
    assert "`make bench`" in block and "| benchmark | figure | value | unit |" in block
    assert "| opponents | alpha-beta connect four depth 7, move | 35.5 | ms |" in block
    run_all.write_docs(report(rows), "benchmarks/results/bench.json", docs)
    assert docs.read_text() == text  # rewriting is stable


def test_the_docs_block_is_inserted_after_the_introduction_when_missing(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    intro, rest = "# Benchmarks\n\nIntro line.\n\n", "## Test suite\n\n| a | b |\n"
    docs.write_text(intro + rest)
    run_all.write_docs(report([], quick=True), "/tmp/bench.json", docs)
    text = docs.read_text()
    assert text.startswith(intro + run_all.HEADING + "\n\n" + run_all.START + "\n")
    assert text.endswith(run_all.END + "\n\n" + rest)
    assert text.count(run_all.START) == text.count(run_all.END) == 1
    assert "Quick run" in text


def fake_runner(failing: str) -> Callable[[list[str]], subprocess.CompletedProcess[str]]:
    """Writes each sample to the command's --output; the `failing` script exits 1 with a traceback."""

    def run(command: list[str]) -> subprocess.CompletedProcess[str]:
        name = Path(command[1]).stem
        if name == failing:
            return subprocess.CompletedProcess(command, 1, "", "Traceback ...\nRuntimeError: boom\n")
        Path(command[command.index("--output") + 1]).write_text(json.dumps(SAMPLES[name]))
        return subprocess.CompletedProcess(command, 0, f"{name} done\n", "")

    return run


def test_a_failed_script_is_recorded_and_the_exit_status_is_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run_all, "run_command", fake_runner("learner_speed"))
    results = tmp_path / "bench.json"
    assert run_all.main(["--quick", "--no-docs", "--results", str(results)]) == 1
    bench = json.loads(results.read_text())
    assert bench["quick"] is True and set(bench["machine"]) >= {"cpu", "logical_cores", "memory_gib", "torch"}
    failed = bench["benchmarks"]["learner_speed"]
    assert "RuntimeError: boom" in failed["error"] and "result" not in failed
    assert "benchmarks/learner_speed.py" in failed["command"] and "--rounds 1" in failed["command"]
    assert bench["benchmarks"]["opponents"]["result"] == OPPONENTS
    assert {row["benchmark"] for row in bench["rows"]} == set(SAMPLES) - {"learner_speed"}
    failure_lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("failed:")]
    assert len(failure_lines) == 1 and "learner_speed" in failure_lines[0]


def test_all_scripts_succeeding_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_all, "run_command", fake_runner("none"))
    assert run_all.main(["--no-docs", "--results", str(tmp_path / "bench.json")]) == 0
