"""Every speed and memory benchmark in one go (`make bench`): one results file and one table.

Runs search_speed, selfplay_throughput (1 and 2 Ray workers), inference_latency, replay_memory, learner_speed
and opponents, each as a subprocess writing its JSON to a temporary folder, then writes
benchmarks/results/bench.json (the machine, each script's command, wall time and full JSON, and the headline
rows) and rewrites the block between `<!-- make bench: start -->` and `<!-- make bench: end -->` in
docs/benchmarks.md with the table of headline rows. A script that fails is recorded with its error; the others
still run, and the exit status is 1.

    python benchmarks/run_all.py [--quick] [--no-docs] [--results PATH]

`--quick` passes each script its shortest durations (a check that the driver works, not figures to cite).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "bench.json"
DOCS = ROOT / "docs" / "benchmarks.md"
START = "<!-- make bench: start -->"
END = "<!-- make bench: end -->"
HEADING = "## All benchmarks (make bench)"
ERROR_CHARS = 4000  # the tail of a failed script's output kept in bench.json

Row = dict[str, object]  # {"benchmark", "figure", "value", "unit"}


@dataclass(frozen=True)
class Benchmark:
    name: str  # the script is benchmarks/<name>.py
    args: tuple[str, ...]  # always passed
    quick_args: tuple[str, ...]  # added with --quick

    def command(self, output: Path, quick: bool) -> list[str]:
        extra = self.quick_args if quick else ()
        script = f"benchmarks/{self.name}.py"
        return [sys.executable, script, *self.args, *extra, "--output", str(output)]


BENCHMARKS = (
    Benchmark("search_speed", (), ("--repeats", "2", "--reference-repeats", "1")),
    Benchmark("selfplay_throughput", ("--workers", "1", "2"), ("--seconds", "1")),
    Benchmark("inference_latency", (), ("--seconds", "0.1", "--moves", "2")),
    Benchmark("replay_memory", (), ()),
    Benchmark("learner_speed", (), ("--seconds", "1", "--rounds", "1")),
    Benchmark("opponents", (), ("--moves", "2")),
)


# --- running -------------------------------------------------------------------------------------------------


def run_command(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Runs one benchmark script from the repository root, its output captured."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def run_benchmark(benchmark: Benchmark, folder: Path, quick: bool) -> dict[str, object]:
    """{"command", "seconds", "result"} of one script, or {"command", "seconds", "error"} when it failed."""
    output = folder / f"{benchmark.name}.json"
    command = benchmark.command(output, quick)
    print(f"== {benchmark.name}: {shlex.join(command)}", flush=True)
    start = time.perf_counter()
    completed = run_command(command)
    entry: dict[str, object] = {"command": shlex.join(command), "seconds": round(time.perf_counter() - start, 1)}
    print(completed.stdout, end="", flush=True)
    if completed.returncode != 0:
        text = (completed.stderr or completed.stdout or "").strip()
        entry["error"] = f"exit status {completed.returncode}: {text[-ERROR_CHARS:]}"
        return entry
    try:
        entry["result"] = json.loads(output.read_text())
    except (OSError, ValueError) as error:
        entry["error"] = f"no readable JSON at {output}: {error}"
    return entry


# --- headline rows -------------------------------------------------------------------------------------------


def row(benchmark: str, figure: str, value: float, unit: str) -> Row:
    return {"benchmark": benchmark, "figure": figure, "value": float(value), "unit": unit}


def search_rows(result: dict) -> list[Row]:
    """Batched and reference simulations/s and their ratio, per model, at the largest batch."""
    largest = max(r["batched"]["batch_size"] for r in result["rows"])
    rows = []
    for r in result["rows"]:
        if r["batched"]["batch_size"] != largest:
            continue
        model = "constant model (tree work only)" if r["model"] == "constant" else r["model"]
        label = f"{model}, batch {largest}, {r['batched']['num_simulations']} simulations"
        rows += [
            row("search_speed", f"{label}, batched", r["batched"]["simulations_per_second"], "simulations/s"),
            row("search_speed", f"{label}, reference", r["reference"]["simulations_per_second"], "simulations/s"),
            row("search_speed", f"{label}, batched / reference", r["speedup"], "x"),
        ]
    return rows


def selfplay_rows(result: dict) -> list[Row]:
    """Positions/s of the synchronous loop and of each Ray worker count, and the learner's steps/s beside them."""
    game, rows = result["game"], []
    for r in result["rows"]:
        if r["mode"] == "synchronous":
            rows.append(
                row("selfplay_throughput", f"{game}, synchronous loop", r["positions_per_second"], "positions/s")
            )
            continue
        label = f"{game}, Ray, {r['workers']} worker{'s' if r['workers'] > 1 else ''}"
        rows += [
            row("selfplay_throughput", label, r["positions_per_second"], "positions/s"),
            row(
                "selfplay_throughput",
                f"{label}, with the learner training",
                r["positions_per_second_with_learner"],
                "positions/s",
            ),
            row(
                "selfplay_throughput",
                f"{label}, learner steps beside self-play",
                r["learner_steps_per_second_with_selfplay"],
                "steps/s",
            ),
        ]
    return rows


def inference_rows(result: dict) -> list[Row]:
    """Batch-1 latency of torch and onnxruntime (1 thread each) and the onnxruntime speed-up, per game."""
    rows = []
    for ratios in result["speedup"]:
        game = ratios["game"]
        pick = {r["backend"]: r for r in result["latency"] if r["game"] == game and r["batch"] == 1}
        for call in ("initial", "recurrent"):
            label = f"{game}, {call}_inference batch 1"
            rows += [
                row("inference_latency", f"{label}, torch 1 thread", pick["torch 1 thread"][f"{call}_ms"], "ms"),
                row(
                    "inference_latency",
                    f"{label}, onnxruntime 1 thread",
                    pick["onnxruntime 1 thread"][f"{call}_ms"],
                    "ms",
                ),
                row("inference_latency", f"{label}, onnxruntime speed-up", ratios[f"{call}_batch1"], "x"),
            ]
        rows.append(row("inference_latency", f"{game}, agent move, onnxruntime speed-up", ratios["agent_move"], "x"))
    return rows


def replay_rows(result: dict) -> list[Row]:
    """Bytes per stored position (compact and float32 storage) and the time to sample a batch, per game shape."""
    rows = []
    for game, r in result["games"].items():
        rows += [
            row("replay_memory", f"{game}, bytes per position", r["total_bytes_per_position_compact"], "bytes"),
            row(
                "replay_memory",
                f"{game}, bytes per position, float32 observations",
                r["total_bytes_per_position_float32"],
                "bytes",
            ),
            row("replay_memory", f"{game}, sample a batch of {result['batch_size']}", r["sample_batch_ms"], "ms"),
        ]
    return rows


def learner_rows(result: dict) -> list[Row]:
    """Learner steps/s (fused optimizer, as the learner runs) per preset network."""
    rows = []
    for r in result["rows"]:
        game = " ".join([r["game"], *r["settings"]])
        label = f"{game}, {r['network']}, batch {r['batch_size']}"
        rows.append(row("learner_speed", label, r["steps_per_second_fused"], "steps/s"))
    return rows


def opponent_rows(result: dict) -> list[Row]:
    """Median empty-board move time of alpha-beta connect four and the perfect tic-tac-toe player's first move."""
    alphabeta = result["alphabeta_connect_four_empty_board"]
    tictactoe = result["perfect_tictactoe_empty_board"]
    return [
        row(
            "opponents", f"alpha-beta connect four depth {alphabeta['depth']}, move", 1e3 * alphabeta["median_s"], "ms"
        ),
        row(
            "opponents",
            "perfect tic-tac-toe, first move (with the solve)",
            1e3 * tictactoe["first_call_with_solve_s"],
            "ms",
        ),
    ]


HEADLINES: dict[str, Callable[[dict], list[Row]]] = {
    "search_speed": search_rows,
    "selfplay_throughput": selfplay_rows,
    "inference_latency": inference_rows,
    "replay_memory": replay_rows,
    "learner_speed": learner_rows,
    "opponents": opponent_rows,
}


def headline_rows(benchmarks: dict[str, dict]) -> list[Row]:
    """The headline rows of every benchmark with a result; a result they cannot be read from gets an error."""
    rows: list[Row] = []
    for name, entry in benchmarks.items():
        if "result" not in entry:
            continue
        try:
            rows += HEADLINES[name](entry["result"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
            entry["error"] = f"no headline figures in its JSON: {error!r}"
    return rows


# --- the machine ---------------------------------------------------------------------------------------------


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)  # kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, object]:
    return {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": version("torch"),
        "onnxruntime": version("onnxruntime"),
        "numpy": version("numpy"),
    }


def machine_line(info: dict[str, object]) -> str:
    packages = ", ".join(f"{name} {info[name]}" for name in ("torch", "onnxruntime", "numpy") if info.get(name))
    return (
        f"{info['cpu']}, {info['logical_cores']} logical cores, {info['memory_gib']} GiB, {info['platform']}, "
        f"Python {info['python']}, {packages}"
    )


# --- docs/benchmarks.md --------------------------------------------------------------------------------------


def format_value(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def docs_block(report: dict, results_path: str) -> str:
    """The lines between the markers: date, machine, command, the table and any failed benchmark."""
    lines = [
        "",
        f"Date: {report['date'][:10]}. Machine: {machine_line(report['machine'])}.",
        f"Command: `make bench` (`benchmarks/run_all.py`; each script's command line, wall time and full JSON are"
        f" in `{results_path}`).",
    ]
    if report["quick"]:
        lines.append("Quick run (`--quick`, shortest durations): a check of the driver, not figures to cite.")
    failed = [name for name, entry in report["benchmarks"].items() if "error" in entry]
    if failed:
        lines.append(f"Failed (the error is in `{results_path}`): {', '.join(failed)}.")
    lines += ["", "| benchmark | figure | value | unit |", "|---|---|---|---|"]
    lines += [
        f"| {r['benchmark']} | {r['figure']} | {format_value(r['value'])} | {r['unit']} |" for r in report["rows"]
    ]
    return "\n".join([*lines, ""])


def replace_block(text: str, block: str) -> str:
    """`text` with the lines between the markers replaced by `block`; without markers, the heading and the
    markers go before the first `## ` heading (after the introduction), or at the end."""
    start, end = text.find(START), text.find(END)
    if start != -1 and end > start:
        return text[: start + len(START)] + "\n" + block + text[end:]
    section = f"{HEADING}\n\n{START}\n{block}{END}\n\n"
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("## "):
            return "".join(lines[:index]) + section + "".join(lines[index:])
    return text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"


def write_docs(report: dict, results_path: str, docs: Path = DOCS) -> None:
    docs.write_text(replace_block(docs.read_text(), docs_block(report, results_path)))


# --- the driver ----------------------------------------------------------------------------------------------


def display_path(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def collect(quick: bool, benchmarks: tuple[Benchmark, ...] = BENCHMARKS) -> dict:
    """Runs every benchmark and returns the report that bench.json holds."""
    report: dict = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds")}
    report |= {"machine": machine(), "quick": quick, "benchmarks": {}}
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        for benchmark in benchmarks:
            report["benchmarks"][benchmark.name] = run_benchmark(benchmark, Path(folder), quick)
    report["rows"] = headline_rows(report["benchmarks"])
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shortest durations: checks the driver works")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the results file to write")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report = collect(args.quick)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(report, indent=1) + "\n")
    if not args.no_docs:
        write_docs(report, display_path(args.results))
    for r in report["rows"]:
        print(f"{r['benchmark']:20} {r['figure']:75} {format_value(r['value']):>12} {r['unit']}")
    print(f"wrote {args.results} in {time.perf_counter() - start:.0f} s")
    failed = [name for name, entry in report["benchmarks"].items() if "error" in entry]
    if failed:
        print(f"failed: {', '.join(failed)} (the error is in {args.results})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
