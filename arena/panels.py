"""The analysis views: the candidate moves in a table (they are drawn on the board too), the network against
the search, the expected line as the real game plays it, the search tree to unfold (each node's board a click
away), and the values over the game, whose points jump to their position."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from arena.analysis import MoveAnalysis, replayed_line, tree_line
from arena.boards import draw_board
from arena.markup import (
    Words,
    learned_code,
    mover_at,
    moves_before_chance,
    node_at,
    node_label,
    tree_html,
    value_graph_svg,
)
from arena.match import Match
from arena.view import OnClick, clickable
from muzero.core.errors import UserError


def show_analysis(match: Match, analysis: MoveAnalysis, title: str) -> None:
    """`match` is the game at the analysed position (`analysis.ply` moves played)."""
    st.subheader(title)
    over = "the game's rules" if analysis.dynamics == "rules" else "the learned model"
    player = match.player_name(analysis.player)
    st.markdown(
        f"**{player}** · {analysis.simulations} simulations over {over} · best: **{match.describe(analysis.action)}**"
    )
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
    """The most visited path as the real game plays it from the analysed position: each move with the player
    who makes it and that player's value after it; it stops where the game ends."""
    try:
        steps, ended = replayed_line(match.table.clone(), match.timestep, analysis.tree)
    except UserError:  # a game of chance refuses copies: the line as the tree has it
        steps, ended = tree_line(analysis.tree), False
    words = [f"P{step.player + 1} {match.describe(step.action)} ({step.value:+.2f})" for step in steps]
    if not words:
        return "(the search went no deeper than the root)"
    then = " · then chance draws" if steps[-1].chance else ""
    return " → ".join(words) + (" · the game ends" if ended else then)


def show_tree(match: Match, analysis: MoveAnalysis) -> None:
    """The tree, unfolded node by node; a node's "board" link shows its position below the tree."""
    key = f"tree-{analysis.ply}"
    with st.expander("Search tree", expanded=False):
        st.caption('Unfold a node to see its replies; "board" shows the position there.')

        def picked(value: str) -> None:
            if value.startswith("node:"):
                st.session_state.tree_node = (analysis.ply, value.removeprefix("node:"))

        clickable(tree_html(analysis.tree, match.describe, outcome_words(match, analysis)), key, picked)
        picked_node = st.session_state.get("tree_node")
        if picked_node is not None and picked_node[0] == analysis.ply:
            node_board(match, analysis, picked_node[1])


def outcome_words(match: Match, analysis: MoveAnalysis) -> Callable[[int], str]:
    """How the tree names chance's outcomes: the game's own (a die's face) in a search over the rules, the
    model's code in a learned model's search (its codes are learned, not the game's outcomes)."""
    return match.describe_outcome if analysis.dynamics == "rules" else learned_code


def node_board(match: Match, analysis: MoveAnalysis, path: str) -> None:
    """The position at a tree node: the analysed position with the node's moves played (as far as the rules
    allow: a learned model's tree can go past the end of the game)."""
    try:
        actions, node = node_at(analysis.tree, path)
    except (IndexError, ValueError):
        return
    shown = match.at(len(match.moves))
    played, before_chance = 0, moves_before_chance(analysis.tree, path)
    for action in before_chance:
        if shown.over or not shown.legal_mask[action]:
            break
        shown.play(action)
        played += 1
    mover = mover_at(analysis.tree, path, analysis.player)
    words = node_label(node, mover, Words(match.describe, outcome_words(match, analysis))) if actions else "the root"
    cut = "" if played == len(actions) else f" (the game ends after {played} of its {len(actions)} moves)"
    if len(before_chance) < len(actions):
        cut = f" (the board shows the position before chance draws, after {played} of its {len(actions)} steps)"
    st.markdown(f"**Node:** {words}{cut}")
    draw_board(shown, lambda _action: None, clickable_now=False)


def value_chart(match: Match, on_click: OnClick) -> None:
    """Each player's predicted value (the search's, at every analysed position) over the game; a click on a
    point shows that position."""
    if not match.analyses:
        return
    plies = sorted(match.analyses)
    series = [[match.analyses[ply].search_value[p] for ply in plies] for p in range(match.num_players)]
    names = [match.player_name(p) for p in range(match.num_players)]
    st.markdown("**Predicted value of each player over the game** (click a point to see its position)")
    clickable(value_graph_svg(plies, series, names), "value-graph", on_click)
