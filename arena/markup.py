"""The HTML of the page's clickable views besides the board: the move list, the value graph and the search
tree. Each element that jumps somewhere carries a `data-click` ("ply:7", "node:0.2") for `arena.view`."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from arena.analysis import TreeDict

LINE_COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e")
TREE_DEPTH = 8  # levels of the tree written out (deeper nodes are rarely visited more than once)


def move_list_html(names: Sequence[str], movers: Sequence[int], current: int) -> str:
    """The moves as numbered chips ("3. P1 b2"); `current` (moves played before the position shown) marked."""
    start = "current" if current == 0 else ""
    chips = [f'<span class="move start {start}" data-click="ply:0">start</span>']
    for index, (name, mover) in enumerate(zip(names, movers, strict=True)):
        css = "move current" if index + 1 == current else "move"
        chips.append(
            f'<span class="{css}" data-click="ply:{index + 1}" title="position after move {index + 1}">'
            f"{index + 1}. P{mover + 1} {html.escape(name)}</span>"
        )
    return f'<div class="moves">{"".join(chips)}</div>'


def value_graph_svg(
    plies: list[int], series: list[list[float]], names: list[str], width: int = 520, height: int = 180
) -> str:
    """Each player's predicted value at the analysed positions (ply i: before move i + 1), a point per
    position that jumps there on a click, with a zero line and a legend."""
    low = min(-1.0, *(min(values) for values in series))
    high = max(1.0, *(max(values) for values in series))
    span_x = max(plies[-1] - plies[0], 1)

    def point(ply: int, value: float) -> tuple[float, float]:
        return 30 + (width - 40) * (ply - plies[0]) / span_x, 10 + (height - 40) * (high - value) / (high - low)

    zero = point(plies[0], 0.0)[1]
    parts = [f'<line x1="30" x2="{width - 10}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#bbb" stroke-dasharray="4"/>']
    for player, values in enumerate(series):
        colour = LINE_COLOURS[player % len(LINE_COLOURS)]
        points = [point(ply, value) for ply, value in zip(plies, values, strict=True)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for ply, value, (x, y) in zip(plies, values, points, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" data-click="ply:{ply}">'
                f"<title>before move {ply + 1}: {html.escape(names[player])} {value:+.2f}</title></circle>"
            )
        parts.append(
            f'<text x="{30 + 130 * player}" y="{height - 8}" font-size="11" fill="{colour}">'
            f"{html.escape(names[player])}</text>"
        )
    labels = (
        f'<text x="2" y="14" font-size="10">{high:+.1f}</text>'
        f'<text x="2" y="{height - 28}" font-size="10">{low:+.1f}</text>'
    )
    return (
        f'<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="values over the game">{"".join(parts)}{labels}</svg>'
    )


def numbered_outcome(outcome: int) -> str:
    return f"outcome {outcome}"


def learned_code(outcome: int) -> str:
    """A learned model's chance outcome: one of its codes, which it learned from the games, not the game's."""
    return f"learned code {outcome}"


@dataclass(frozen=True)
class Words:
    """How the tree names a move and a chance outcome."""

    action: Callable[[int], str]
    outcome: Callable[[int], str] = numbered_outcome


def tree_html(
    tree: TreeDict, describe: Callable[[int], str], describe_outcome: Callable[[int], str] = numbered_outcome
) -> str:
    """The searched tree as nested, collapsible nodes (the root's children open), zoom buttons above it; a
    chance node's children are its outcomes, each with its probability."""
    words = Words(describe, describe_outcome)
    zoom = (
        '<div class="zoom"><button data-zoom="1.15" title="larger">A+</button>'
        '<button data-zoom="0.87" title="smaller">A−</button></div>'
    )
    children = "".join(
        _node(child, str(index), tree["to_play"], words, 1) for index, child in enumerate(tree["children"])
    )
    root = f"<div>root: P{tree['to_play'] + 1} to move, {tree['visits']} visits</div>"
    return f'{zoom}<div class="tree">{root}{children}</div>'


def node_label(node: TreeDict, mover: int, words: Words) -> str:
    """A node in words: the move and who made it (or the outcome chance drew, with its probability), visits,
    prior, that player's value after it, who moves next (or that chance draws)."""
    value = node["reward"][mover] + node["value"][mover]
    after = f"then P{node['to_play'] + 1} to move"
    if node.get("terminal"):
        after = "game over"
    elif node.get("chance"):
        after = "then chance draws"
    if node.get("outcome"):
        what = f"chance: {words.outcome(int(node['action']))} · N={node['visits']} · probability {node['prior']:.2f}"
    else:
        what = f"P{mover + 1} {words.action(int(node['action']))} · N={node['visits']} · prior {node['prior']:.2f}"
    return f"{what} · value for P{mover + 1} {value:+.2f} · {after}"


def _node(node: TreeDict, path: str, mover: int, words: Words, depth: int) -> str:
    label = html.escape(node_label(node, mover, words))
    if node.get("terminal"):
        label = f'<span class="ended">{label}</span>'
    show = f'<span class="show" data-click="node:{path}">board</span>'
    kids = node["children"] if depth < TREE_DEPTH else []
    if not kids:
        return f'<div class="leaf">{label}{show}</div>'
    inner = "".join(
        _node(child, f"{path}.{index}", node["to_play"], words, depth + 1) for index, child in enumerate(kids)
    )
    return f'<details data-path="{path}"><summary>{label}{show}</summary>{inner}</details>'


def node_at(tree: TreeDict, path: str) -> tuple[list[int], TreeDict]:
    """The actions from the root to the node at `path` ("0.2": the root's first child's third), and the node."""
    actions, node = [], tree
    for index in (int(part) for part in path.split(".") if part != ""):
        node = node["children"][index]
        actions.append(int(node["action"]))
    return actions, node


def moves_before_chance(tree: TreeDict, path: str) -> list[int]:
    """The moves from the root toward the node at `path` up to the first one that leaves chance to draw (a
    board cannot show what chance will draw)."""
    actions, node = [], tree
    for index in (int(part) for part in path.split(".") if part != ""):
        node = node["children"][index]
        if node.get("chance") or node.get("outcome"):
            break
        actions.append(int(node["action"]))
    return actions


def mover_at(tree: TreeDict, path: str, root_player: int) -> int:
    """Who made the move into the node at `path` (below a chance node: who moved into it), by the tree."""
    mover, node = root_player, tree
    for index in (int(part) for part in path.split(".") if part != ""):
        mover, node = int(node["to_play"]), node["children"][index]
    return mover
