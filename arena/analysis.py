"""What an agent's search found at one position, as plain data the page draws and a game record keeps:
each candidate move's visits, prior and value for the mover, the network alone beside the search, the
expected line, each player's predicted value, and the searched tree (as nested dicts, and as Graphviz)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from muzero.core.types import SearchResult

TreeDict = dict[str, Any]  # action, visits, prior, value[P], reward[P], to_play, children: [TreeDict]


@dataclass(frozen=True)
class Candidate:
    """One legal move at the root."""

    action: int
    visits: int
    visit_share: float  # visits / all root visits
    prior: float  # the network's policy (legal softmax, no noise)
    value: float | None  # the mover's Q after this move (reward + discount * value); None if unvisited


@dataclass(frozen=True)
class MoveAnalysis:
    """An agent's search at one position (JSON-ready: plain numbers, lists and dicts)."""

    ply: int  # moves played before this position
    player: int  # the player to move, whose move this is
    action: int  # the move chosen
    candidates: list[Candidate]  # legal moves, most visited first
    search_value: list[float]  # the root's backed-up value, every player
    network_value: list[float]  # the network's value of the root, every player (no search)
    line: list[int]  # the expected line: the most visited path from the root
    tree: TreeDict  # the searched tree, visited nodes only, children most visited first
    simulations: int
    dynamics: str = "learned"  # what the search stepped: "learned" (the model) or "rules" (the game itself)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MoveAnalysis:
        candidates = [Candidate(**candidate) for candidate in data["candidates"]]
        return cls(**{**data, "candidates": candidates})


def analyse(result: SearchResult, ply: int, dynamics: str = "learned") -> MoveAnalysis:
    """The analysis of an agent's `search` result at ply `ply`, a search over `dynamics`."""
    player = int(result.to_play)
    visits = np.asarray(result.visit_counts, dtype=np.int64)  # [A]
    total = max(int(visits.sum()), 1)
    candidates = [
        Candidate(
            action=int(action),
            visits=int(visits[action]),
            visit_share=float(visits[action] / total),
            prior=float(result.priors[action]),
            value=_number(result.q_values[action][player]) if visits[action] > 0 else None,
        )
        for action in np.flatnonzero(result.legal_mask)
    ]
    candidates.sort(key=lambda c: (-c.visits, -c.prior, c.action))
    tree = tree_dict(result.tree)
    return MoveAnalysis(
        ply=ply,
        player=player,
        action=int(result.action),
        candidates=candidates,
        search_value=[float(v) for v in result.root_value],
        network_value=[float(v) for v in result.network_value],
        line=expected_line(tree),
        tree=tree,
        simulations=int(total),
        dynamics=dynamics,
    )


def tree_dict(node: Any) -> TreeDict:
    """A `muzero.search.SearchNode` as nested dicts, children most visited first."""
    children = sorted(node.children, key=lambda child: (-child.visits, child.action))
    return {
        "action": node.action,
        "visits": int(node.visits),
        "prior": float(node.prior),
        "value": [float(v) for v in node.value],
        "reward": [float(r) for r in node.reward],
        "to_play": int(node.to_play),
        "terminal": bool(node.terminal),  # the game ended here (known to the rules search; no children)
        "children": [tree_dict(child) for child in children],
    }


def expected_line(tree: TreeDict, longest: int = 12) -> list[int]:
    """The most visited path from the root (its actions), as far as the tree goes."""
    line, node = [], tree
    while node["children"] and len(line) < longest:
        node = node["children"][0]
        line.append(int(node["action"]))
    return line


def tree_graphviz(tree: TreeDict, describe: Callable[[int], str], *, depth: int, children: int) -> str:
    """The tree as Graphviz DOT, `depth` levels below the root and the `children` most visited per node:
    each node's move, visits, prior, the value of the player to move there and that player."""
    lines = [
        "digraph search {",
        '  graph [rankdir=TB, bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fa", fontname="Helvetica", fontsize=10];',
    ]
    _graphviz_node(tree, "n", describe, depth, children, lines)
    lines.append("}")
    return "\n".join(lines)


def _graphviz_node(
    node: TreeDict, name: str, describe: Callable[[int], str], depth: int, children: int, lines: list[str]
) -> None:
    mover = node["to_play"]
    move = "root" if node["action"] is None else describe(int(node["action"]))
    label = (
        f"{move}\\nN={node['visits']}  P={node['prior']:.2f}\\n"
        f"to move: P{mover + 1}\\nvalue for P{mover + 1}: {node['value'][mover]:+.2f}"
    )
    lines.append(f'  {name} [label="{label}"];')
    if depth <= 0:
        return
    for index, child in enumerate(node["children"][:children]):
        child_name = f"{name}_{index}"
        _graphviz_node(child, child_name, describe, depth - 1, children, lines)
        lines.append(f'  {name} -> {child_name} [label="{child["visits"]}", fontsize=9];')


def _number(value: float) -> float | None:
    return None if math.isnan(float(value)) else float(value)
