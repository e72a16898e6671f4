"""The analysis views: candidate moves on a board-shaped heat map and in a table, the network against the
search, the expected line with each player's predicted value, the search tree, and the values over the game."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from arena.analysis import MoveAnalysis, tree_graphviz
from arena.match import Match


def show_analysis(match: Match, analysis: MoveAnalysis, title: str) -> None:
    st.subheader(title)
    chosen = match.describe(analysis.action)
    st.markdown(f"**{match.player_name(analysis.player)}** · {analysis.simulations} simulations · chose **{chosen}**")
    st.markdown(heat_map_html(match, analysis), unsafe_allow_html=True)
    st.dataframe(candidate_table(match, analysis), hide_index=True, width="stretch")
    st.markdown("**Network alone against the search** (value of each player at this position)")
    st.dataframe(value_table(match, analysis), hide_index=True, width="stretch")
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
    """Each player's predicted value (the search's, at every analysed move) over the game so far."""
    if not match.analyses:
        return
    data = {
        match.player_name(p): [match.analyses[ply].search_value[p] for ply in sorted(match.analyses)]
        for p in range(match.num_players)
    }
    frame = pd.DataFrame(data, index=pd.Index(sorted(match.analyses), name="move"))
    st.markdown("**Predicted value of each player over the game**")
    st.line_chart(frame, height=220)


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


def board_cells(match: Match) -> list[list[int | None]]:
    """The actions laid out as the board shows them (None where a square is no move)."""
    game = match.game.name
    if game == "tictactoe":
        return [[col * 3 + row for col in range(3)] for row in range(3)]
    if game == "connect4":
        return [list(range(7))]
    if game == "dots_and_boxes":
        state = match.env.unwrapped.state
        rows, cols, horizontal = state.rows, state.cols, (state.rows + 1) * state.cols
        grid: list[list[int | None]] = []
        for r in range(2 * rows + 1):
            line: list[int | None] = []
            for c in range(2 * cols + 1):
                if r % 2 == 0 and c % 2 == 1:
                    line.append((r // 2) * cols + c // 2)
                elif r % 2 == 1 and c % 2 == 0:
                    line.append(horizontal + (r // 2) * (cols + 1) + c // 2)
                else:
                    line.append(None)
            grid.append(line)
        return grid
    actions = list(range(match.legal_mask.size))
    return [actions[i : i + 8] for i in range(0, len(actions), 8)]


HEAT_CSS = """
<style>
table.heat { border-collapse: separate; border-spacing: 3px; margin-bottom: 0.5rem; }
table.heat td { min-width: 3.8rem; height: 3.4rem; text-align: center; font-size: 0.75rem; border-radius: 4px; }
table.heat td.off { background: transparent; border: none; min-width: 0.6rem; }
</style>
"""
