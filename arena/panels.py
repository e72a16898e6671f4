"""The analysis views: candidate moves on a board-shaped heat map and in a table, the network against the
search, the expected line with each player's predicted value, the search tree, and the values over the game."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

import envs
from arena.analysis import MoveAnalysis, tree_graphviz
from arena.match import Match


def show_analysis(match: Match, analysis: MoveAnalysis, title: str) -> None:
    st.subheader(title)
    chosen = match.describe(analysis.action)
    over = "the game's rules" if analysis.dynamics == "rules" else "the learned model"
    player = match.player_name(analysis.player)
    st.markdown(f"**{player}** · {analysis.simulations} simulations over {over} · chose **{chosen}**")
    st.markdown(heat_map_html(match, analysis), unsafe_allow_html=True)
    st.table(candidate_table(match, analysis).set_index("move"), border="horizontal")
    st.markdown("**Network alone against the search** (value of each player at this position)")
    st.table(value_table(match, analysis).set_index("player"), border="horizontal")
    st.markdown(f"**Expected line:** {line_text(match, analysis)}")
    show_tree(match, analysis)


def candidate_table(match: Match, analysis: MoveAnalysis) -> pd.DataFrame:
    rows = [
        {
            "move": match.describe(c.action),
            "visits": c.visits,
            "visit share": round(c.visit_share, 3),
            "prior (network)": round(c.prior, 3),
            "value for mover": None if c.value is None else round(c.value, 3),
        }
        for c in analysis.candidates
    ]
    return pd.DataFrame(rows)


def value_table(match: Match, analysis: MoveAnalysis) -> pd.DataFrame:
    rows = [
        {"player": match.player_name(p), "network": round(net, 3), "search": round(found, 3)}
        for p, (net, found) in enumerate(zip(analysis.network_value, analysis.search_value, strict=True))
    ]
    return pd.DataFrame(rows)


def line_text(match: Match, analysis: MoveAnalysis) -> str:
    """The most visited path, each move with the player the model expects to make it."""
    steps, node, mover = [], analysis.tree, analysis.player
    for action in analysis.line:
        child = next(c for c in node["children"] if c["action"] == action)
        steps.append(f"P{mover + 1} {match.describe(action)} ({child['value'][mover]:+.2f})")
        node, mover = child, child["to_play"]
    return " → ".join(steps) if steps else "(the search went no deeper than the root)"


def show_tree(match: Match, analysis: MoveAnalysis) -> None:
    with st.expander("Search tree", expanded=False):
        left, right = st.columns(2)
        depth = left.slider("depth", 1, 6, 2, key=f"tree-depth-{analysis.ply}")
        children = right.slider("children per node", 1, 10, 3, key=f"tree-children-{analysis.ply}")
        st.graphviz_chart(tree_graphviz(analysis.tree, match.describe, depth=depth, children=children))


def value_chart(match: Match) -> None:
    """Each player's predicted value (the search's, at every analysed move) over the game so far: a small
    SVG drawn here (a charting library's widget took half of the page's time after a move)."""
    if not match.analyses:
        return
    plies = sorted(match.analyses)
    series = [[match.analyses[ply].search_value[p] for ply in plies] for p in range(match.num_players)]
    names = [match.player_name(p) for p in range(match.num_players)]
    st.markdown("**Predicted value of each player over the game**")
    st.markdown(value_svg(plies, series, names), unsafe_allow_html=True)


LINE_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e")


def value_svg(
    plies: list[int], series: list[list[float]], names: list[str], width: int = 520, height: int = 180
) -> str:
    """Lines of `series[p][i]` (player p's value at move plies[i] + 1) with a zero line and a legend."""
    low = min(-1.0, *(min(values) for values in series))
    high = max(1.0, *(max(values) for values in series))
    span_x = max(plies[-1] - plies[0], 1)

    def point(ply: int, value: float) -> str:
        x = 30 + (width - 40) * (ply - plies[0]) / span_x
        y = 10 + (height - 40) * (high - value) / (high - low)
        return f"{x:.1f},{y:.1f}"

    zero = point(plies[0], 0.0).split(",")[1]
    parts = [f'<line x1="30" x2="{width - 10}" y1="{zero}" y2="{zero}" stroke="#bbb" stroke-dasharray="4"/>']
    for player, values in enumerate(series):
        colour = LINE_COLOURS[player % len(LINE_COLOURS)]
        points = " ".join(point(ply, value) for ply, value in zip(plies, values, strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(
            f'<text x="{30 + 130 * player}" y="{height - 8}" font-size="11" fill="{colour}">'
            f"{html.escape(names[player])}</text>"
        )
    labels = (
        f'<text x="2" y="14" font-size="10">{high:+.1f}</text>'
        f'<text x="2" y="{height - 28}" font-size="10">{low:+.1f}</text>'
    )
    return f'<svg width="{width}" height="{height}" role="img">{"".join(parts)}{labels}</svg>'


def heat_map_html(match: Match, analysis: MoveAnalysis) -> str:
    """The board's shape with each candidate's visit share as colour and visits, prior and value as text."""
    by_action = {c.action: c for c in analysis.candidates}
    cells = board_cells(match)
    rows = []
    for row in cells:
        tds = []
        for action in row:
            candidate = by_action.get(action) if action is not None else None
            tds.append(_heat_cell(match, candidate, analysis.action))
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return "<table class='heat'>" + "".join(rows) + "</table>" + HEAT_CSS


def _heat_cell(match: Match, candidate, chosen: int) -> str:
    if candidate is None:
        return "<td class='off'></td>"
    alpha = 0.15 + 0.85 * candidate.visit_share
    value = "–" if candidate.value is None else f"{candidate.value:+.2f}"
    border = "2px solid #1f4e99" if candidate.action == chosen else "1px solid #ccd"
    title = html.escape(match.describe(candidate.action))
    return (
        f"<td title='{title}' style='background: rgba(31, 119, 180, {alpha:.2f}); border: {border}'>"
        f"<b>{candidate.visits}</b><br>p&nbsp;{candidate.prior:.2f}<br>{value}</td>"
    )


def board_cells(match: Match) -> tuple[tuple[int | None, ...], ...]:
    """The actions laid out as the board shows them (None where a square is no move); an unregistered game's
    actions in rows of 8."""
    definition = envs.game_definition(match.game.name)
    if definition is not None and definition.action_layout is not None:
        return definition.action_layout(match.game.args)
    actions = list(range(match.legal_mask.size))
    return tuple(tuple(actions[i : i + 8]) for i in range(0, len(actions), 8))


HEAT_CSS = """
<style>
table.heat { border-collapse: separate; border-spacing: 3px; margin-bottom: 0.5rem; }
table.heat td { min-width: 3.8rem; height: 3.4rem; text-align: center; font-size: 0.75rem; border-radius: 4px; }
table.heat td.off { background: transparent; border: none; min-width: 0.6rem; }
</style>
"""
