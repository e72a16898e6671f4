"""The shipped models' strength: each `muzero-eval` command of the table run, its results written as the
README's strength table (between its markers) and as JSON (benchmarks/results/model_strength.json).

    python benchmarks/model_strength.py            # every row (connect four's perfect player needs the solver extra)
    python benchmarks/model_strength.py --no-readme --games-scale 0.1   # a quick look, README untouched
    python benchmarks/model_strength.py --models connect4   # only connect four's rows again
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shlex
import time
from dataclasses import dataclass
from pathlib import Path

from muzero.faces.cli import eval_main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results" / "model_strength.json"
START, END = "<!-- model strength: start -->", "<!-- model strength: end -->"


@dataclass(frozen=True)
class Row:
    model: str  # a folder under models/
    against: str | None  # None: a one-player model, evaluated on greedy episodes
    games: int  # per seat (episodes of a one-player model)
    options: tuple[str, ...] = ()  # more muzero-eval options

    def argv(self, games_scale: float) -> list[str]:
        games = str(max(1, round(self.games * games_scale)))
        played = ["--episodes", games] if self.against is None else ["--against", self.against, "--games", games]
        return [f"models/{self.model}", *played, "--seed", "7", *self.options]


ROWS = (
    Row("tictactoe", "random", 100),
    Row("tictactoe", "perfect", 300),
    Row("connect4", "random", 100),
    *(Row("connect4", f"alphabeta:{depth}", 50) for depth in (1, 2, 3, 4, 5)),
    Row("connect4", "perfect", 10, ("--opening-plies", "0")),  # from the empty board: can it win as first?
    Row("dots_and_boxes_3p", "random", 100),
    Row("dots_and_boxes_3p", "greedy", 100),
    Row("pig", "optimal", 200),  # the goal: >= 48% over both seats in 1,000 games per seat (optimal: 50%)
    Row("pig", "hold20", 200),
    Row("pig_3p", "hold20", 100),  # against two hold20 players: >= 40% over the seats (a third: 33%)
    Row("cartpole", None, 100),
)


def evaluate(row: Row, games_scale: float) -> dict:
    argv = row.argv(games_scale)
    output = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(output):
        status = eval_main([*argv, "--json"])
    if status != 0:
        raise SystemExit(f"muzero-eval {shlex.join(argv)} failed with status {status}")
    report = json.loads(output.getvalue())
    return {"command": f"muzero-eval {shlex.join(argv)}", "seconds": time.perf_counter() - start, "report": report}


def seat_cell(seat: dict) -> str:
    return f"{seat['wins']} / {seat['draws']} / {seat['losses']}"


def table(results: list[dict]) -> str:
    lines = [
        "| model | against | games per seat | W / D / L in each seat (first seat first) | wins | command |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        report = result["report"]
        model = f"`{Path(report['model']).name}` (step {report['training_step']:,})"
        if "episodes" in report:  # a one-player model: its return, no seats
            low, high = report["return_interval"]
            mean = f"return {report['return_mean']:.1f} [{low:.1f}, {high:.1f}]"
            cells = f"greedy episodes | {report['episodes']} | {mean} | –"
        else:
            seats = ", ".join(seat_cell(seat) for seat in report["seats"])
            cells = f"{report['against']} | {report['games_per_seat']} | {seats} | {report['total']['win_rate']:.0%}"
        lines.append(f"| {model} | {cells} | `{result['command']}` |")
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """`text` with the lines between the markers replaced by `block` (the markers must be there)."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"README.md lacks the markers {START} ... {END}")
    return f"{head}{START}\n{block}\n{END}{tail}"


def kept_results(path: Path) -> dict[str, dict]:
    """The rows of an earlier run (its JSON), by command, each with the date it was measured."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return {row["command"]: {"date": data.get("date", "")} | row for row in data["rows"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games-scale", type=float, default=1.0, help="scale every row's games (a quick look)")
    parser.add_argument("--no-readme", action="store_true", help="print the table, leave README.md alone")
    parser.add_argument(
        "--models", nargs="+", help="rerun only these models' rows; the others keep their last results (--json)"
    )
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    previous = kept_results(args.json) if args.models else {}
    results = []
    for row in ROWS:
        command = f"muzero-eval {shlex.join(row.argv(args.games_scale))}"
        if args.models and row.model not in args.models:
            results.extend([previous[command]] if command in previous else [])  # never measured: left out
            continue
        results.append(evaluate(row, args.games_scale) | {"date": time.strftime("%Y-%m-%d")})
        print(table(results[-1:]).splitlines()[-1], flush=True)
        save(args.json, results)  # each row as it comes: a failing row loses none before it
    command = "python benchmarks/model_strength.py" + (
        f" --games-scale {args.games_scale:g}" if args.games_scale != 1 else ""
    )
    dates = sorted({result.get("date", "") for result in results} - {""})
    block = f"Measured {', '.join(dates)} with `{command}`:\n\n{table(results)}"
    print(block)
    if not args.no_readme:
        README.write_text(replace_block(README.read_text(), block))
    save(args.json, results)


def save(path: Path, results: list[dict]) -> None:
    """The rows measured so far (and those kept) as JSON, written atomically."""
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "rows": results}, indent=1) + "\n")
    partial.replace(path)


if __name__ == "__main__":
    main()
