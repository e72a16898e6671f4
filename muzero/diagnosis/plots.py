"""The plots of a diagnosis report, drawn from its JSON data with matplotlib's Agg canvas (no display, no pyplot
state, so a Streamlit page can draw them too): errors against the horizon, and one game's traces."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

PLOT_FILES = ("reward_error.png", "value_error.png", "next_player_accuracy.png", "policy.png", "trace.png")
PLAYER_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


def draw_plots(report: dict[str, Any], folder: Path) -> list[Path]:
    """Draws every plot of `report` (the data of report.json) as a PNG file in `folder`; the paths."""
    # here, not at the top: matplotlib is needed only to draw, and takes a while to import
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drawers = (draw_reward_error, draw_value_error, draw_next_player, draw_policy, draw_trace)
    paths = []
    for name, draw in zip(PLOT_FILES, drawers, strict=True):
        figure = Figure(figsize=(6.4, 3.6) if draw is not draw_trace else (9.0, 2.4 * players_of(report) + 0.6))
        FigureCanvasAgg(figure)
        draw(figure, report)
        figure.tight_layout()
        figure.savefig(folder / name, dpi=90)
        paths.append(folder / name)
    return paths


def players_of(report: dict[str, Any]) -> int:
    return len(report["horizons"][0]["value_error_per_player"])


def column(rows: Sequence[dict[str, Any]], key: str) -> list[float]:
    """A figure over the horizons, NaN where it has no value (matplotlib leaves a gap)."""
    return [float("nan") if row[key] is None else row[key] for row in rows]


def per_player_lines(axes: Any, rows: Sequence[dict[str, Any]], key: str, players: int) -> None:
    """One line per player of the per-player figure `key` over the horizons."""
    horizons = [row["horizon"] for row in rows]
    for player in range(players):
        values = [float("nan") if row[key] is None or row[key][player] is None else row[key][player] for row in rows]
        axes.plot(horizons, values, marker="o", color=colour(player), label=f"player {player + 1}")


def colour(player: int) -> str:
    return PLAYER_COLOURS[player % len(PLAYER_COLOURS)]


def integer_ticks(axes: Any) -> None:
    from matplotlib.ticker import MaxNLocator  # here, as everywhere in this module: matplotlib only to draw

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))


def finish(axes: Any, title: str, ylabel: str) -> None:
    integer_ticks(axes)
    axes.set_title(title)
    axes.set_xlabel("k: model steps from the real position")
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)


def draw_reward_error(figure: Any, report: dict[str, Any]) -> None:
    rows = [row for row in report["horizons"] if row["horizon"] > 0]
    axes = figure.add_subplot()
    per_player_lines(axes, rows, "reward_error_per_player", players_of(report))
    axes.plot([row["horizon"] for row in rows], column(rows, "reward_error"), "k--", label="all players")
    finish(axes, "Reward error against the horizon", "mean |predicted - real reward|")


def draw_value_error(figure: Any, report: dict[str, Any]) -> None:
    rows = report["horizons"]
    axes = figure.add_subplot()
    per_player_lines(axes, rows, "value_error_per_player", players_of(report))
    axes.plot([row["horizon"] for row in rows], column(rows, "value_error"), "k--", label="all players")
    finish(axes, "Value error against the horizon", "mean |value - real return|")


def draw_next_player(figure: Any, report: dict[str, Any]) -> None:
    rows = [row for row in report["horizons"] if row["horizon"] > 0]
    horizons = [row["horizon"] for row in rows]
    axes = figure.add_subplot()
    axes.plot(horizons, column(rows, "next_player_accuracy"), "k-o", label="all positions")
    if any(row["extra_turn_positions"] for row in rows):
        axes.plot(horizons, column(rows, "extra_turn_accuracy"), "-s", color="#9467bd", label="extra turns")
    axes.set_ylim(-0.05, 1.05)
    finish(axes, "Next-player accuracy against the horizon", "share right")


def draw_policy(figure: Any, report: dict[str, Any]) -> None:
    rows = report["horizons"]
    horizons = [row["horizon"] for row in rows]
    left, right = figure.subplots(1, 2)
    left.plot(horizons, column(rows, "policy_top1"), "k-o", label="top-1 agreement")
    left.set_ylim(-0.05, 1.05)
    finish(left, "Policy head: best move", "share as the search's")
    right.plot(horizons, column(rows, "policy_kl"), "k-o", label="KL(search || head)")
    finish(right, "Policy head: KL", "nats")


def draw_trace(figure: Any, report: dict[str, Any]) -> None:
    trace, players = report["trace"], players_of(report)
    decisions = list(range(len(trace["real_rewards"])))
    grid = figure.subplots(players, 2, squeeze=False)
    for player in range(players):
        values, rewards = grid[player]
        values.step(range(len(trace["real_returns"])), pick(trace["real_returns"], player), where="post", color="k")
        values.lines[-1].set_label("real return")
        values.plot(pick(trace["imagined_values"], player), "--o", color=colour(player), label="imagined (from move 1)")
        network = pick(trace["network_values"], player)
        values.plot(decisions, network, ":x", color="grey", label="network at the position")
        rewards.plot(decisions, pick(trace["real_rewards"], player), "-o", color="k", label="real reward")
        rewards.plot(decisions, pick(trace["imagined_rewards"], player), "--o", color=colour(player), label="imagined")
        values.set_ylabel(f"player {player + 1}")
        for axes in (values, rewards):
            integer_ticks(axes)
            axes.grid(alpha=0.3)
            axes.legend(fontsize=7)
    grid[0][0].set_title(f"Game {trace['game'] + 1}: value of each player after t moves")
    grid[0][1].set_title("Reward of each player after move t + 1")
    grid[-1][0].set_xlabel("t: moves played")
    grid[-1][1].set_xlabel("t")


def pick(rows: Sequence[Sequence[float]], player: int) -> list[float]:
    return [row[player] for row in rows]
