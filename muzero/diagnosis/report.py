"""A diagnosis as files: report.json (every figure per horizon and per player), report.md (tables, the worst
positions, the plots) and the PNG plots; reading a report folder back; the summary table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from muzero.core.errors import UserError
from muzero.diagnosis.chance import chance_line
from muzero.diagnosis.diagnose import REPORT_FORMAT, Diagnosis
from muzero.diagnosis.plots import PLOT_FILES, draw_plots
from muzero.diagnosis.records import BOARD_LEGEND
from muzero.model.bundle import write_file_atomically

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
SUMMARY_COLUMNS = ("k", "positions", "reward err", "value err", "next player", "extra turns", "policy top-1", "KL")


def write_report(diagnosis: Diagnosis, folder: str | Path) -> list[Path]:
    """Writes report.json, report.md and the plots into `folder` (created if needed); the paths written."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"cannot write the report into {folder}: {error.strerror}") from None
    report = diagnosis.as_dict()
    plots = draw_plots(report, folder)
    json_path, md_path = folder / REPORT_JSON, folder / REPORT_MD
    write_file_atomically(md_path, report_markdown(report).encode())
    write_file_atomically(json_path, json.dumps(report, indent=1).encode())  # last: a folder with it is complete
    return [json_path, md_path, *plots]


def read_report(folder: str | Path) -> dict[str, Any]:
    """The report in a folder written by `write_report`; a one-line UserError if there is none."""
    path = Path(folder) / REPORT_JSON
    if not path.is_file():
        raise UserError(f"{folder} holds no {REPORT_JSON}: write one with muzero-diagnose MODEL --out {folder}")
    try:
        report = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{path} cannot be read as JSON: {error}") from None
    if not isinstance(report, dict) or report.get("format") != REPORT_FORMAT:
        raise UserError(f"{path} is not a muzero-diagnose report")
    return report


def plot_paths(folder: str | Path) -> list[Path]:
    """The plots a report folder holds."""
    return [Path(folder) / name for name in PLOT_FILES if (Path(folder) / name).is_file()]


def figure(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:.1%}" if percent else f"{value:.3f}"


def summary_rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per horizon: k, positions, reward and value error, next-player accuracy (all, extra turns),
    policy top-1 agreement and KL."""
    return [
        (
            str(row["horizon"]),
            str(row["positions"]),
            figure(row["reward_error"]),
            figure(row["value_error"]),
            figure(row["next_player_accuracy"], percent=True),
            figure(row["extra_turn_accuracy"], percent=True) if row["extra_turn_positions"] else "–",
            figure(row["policy_top1"], percent=True),
            figure(row["policy_kl"]),
        )
        for row in report["horizons"]
    ]


def summary_table(report: dict[str, Any]) -> str:
    """The per-horizon figures as an aligned text table (the terminal summary)."""
    lines = [SUMMARY_COLUMNS, *summary_rows(report)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(SUMMARY_COLUMNS))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in lines)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def per_player_rows(report: dict[str, Any], key: str, percent: bool = False) -> list[list[str]]:
    """One row per horizon of a per-player figure (`key`), a column per player."""
    players = len(report["horizons"][0]["value_error_per_player"])
    table = []
    for row in report["horizons"]:
        values = row[key] or [None] * players
        table.append([str(row["horizon"]), *(figure(value, percent) for value in values)])
    return table


def count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def about_line(report: dict[str, Any]) -> str:
    about, games = report["about"], report["games"]
    parts = [
        f"{about.get('model', 'a model')} ({about.get('game', '?')}, step {about.get('training_step', '?')})",
        f"against {about.get('against', '?')}",
        f"{count(games['games'], 'game')} ({games['distinct_games']} distinct), {games['positions']} positions, "
        f"{count(games['extra_turns'], 'extra turn')}",
        f"{about.get('simulations', '?')} simulations, temperature {about.get('temperature', '?')}",
    ]
    return ", ".join(parts)


def report_markdown(report: dict[str, Any]) -> str:
    players = len(report["horizons"][0]["value_error_per_player"])
    player_header = ["k", *(f"player {p + 1}" for p in range(players))]
    lines = [
        "# Model check: the learned model against the real game",
        "",
        about_line(report) + ".",
        "",
        "k is the number of model steps from a real position along the moves really played (k = 0: the initial",
        "inference at the position itself). Errors are mean absolute errors; the value is compared with the real",
        "return from t+k; next player: the next-player head against who really moved (extra turns: the same",
        "player again); policy: the policy head against the search's policy where the agent searched.",
        "",
        *markdown_table(SUMMARY_COLUMNS, summary_rows(report)),
        "",
        "## Reward error per player",
        "",
        *markdown_table(player_header, per_player_rows(report, "reward_error_per_player")),
        "",
        "## Value error per player",
        "",
        *markdown_table(player_header, per_player_rows(report, "value_error_per_player")),
        "",
        "## Next-player accuracy by the player really to move",
        "",
        *markdown_table(player_header, per_player_rows(report, "next_player_accuracy_per_player", percent=True)),
        "",
        *chance_markdown(report),
        *worst_markdown(report),
        "## Plots",
        "",
        *(f"![{name}]({name})" for name in PLOT_FILES),
        "",
    ]
    return "\n".join(lines)


def chance_markdown(report: dict[str, Any]) -> list[str]:
    """The chance section, for a model with chance codes in a game with chance; nothing otherwise."""
    if not report.get("chance"):
        return []
    return [
        "## Chance: the learned codes against the real outcomes",
        "",
        "At the afterstate of each move played (the first moves of each game), the model's predicted code",
        "distribution against the real outcome probabilities carried onto the codes by the model's encoder.",
        "",
        chance_line(report["chance"]) + ".",
        "",
    ]


def worst_markdown(report: dict[str, Any]) -> list[str]:
    lines = ["## Where the model is most wrong", "", BOARD_LEGEND, ""]
    for position in report["worst"]:
        lines += [f"- {worst_text(position)}", "", "  ```", *(f"  {line}" for line in position["board"].split("\n"))]
        lines += ["  ```", ""]
    return lines


def worst_text(position: dict[str, Any]) -> str:
    """One worst position in words: where, how far, what the model said against what happened."""

    def numbers(values: Sequence[float] | None) -> str:
        return "–" if values is None else "(" + ", ".join(f"{value:+.2f}" for value in values) + ")"

    text = (
        f"game {position['game'] + 1}, move {position['move'] + 1}, player {position['to_play'] + 1} to move, "
        f"k = {position['horizon']} along {list(position['actions'])}: error {position['error']:.3f}; "
        f"value {numbers(position['predicted_value'])} against the real return {numbers(position['real_return'])}"
    )
    if position["horizon"] > 0:
        text += f"; reward {numbers(position['predicted_reward'])} against {numbers(position['real_reward'])}"
        real = position["real_next_player"]
        text += f"; next player {position['predicted_next_player'] + 1} against " + (
            "the end of the game" if real is None else f"{real + 1}"
        )
    return text
