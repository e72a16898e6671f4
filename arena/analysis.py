"""What an agent's search found at one position, as plain data the page draws and a game record keeps:
each candidate move's visits, prior and value for the mover, the network alone beside the search, the
expected line, each player's predicted value, and the searched tree (as nested dicts)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from muzero.core.types import Game, SearchResult, TimeStep

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


def tree_dict(node: Any, outcome: bool = False) -> TreeDict:
    """A `muzero.search.SearchNode` as nested dicts, children most visited first (`outcome`: the node is an
    outcome of a chance node, its action the outcome and its prior the outcome's probability)."""
    children = sorted(node.children, key=lambda child: (-child.visits, child.action))
    return {
        "action": node.action,
        "visits": int(node.visits),
        "prior": float(node.prior),
        "value": [float(v) for v in node.value],
        "reward": [float(r) for r in node.reward],
        "to_play": int(node.to_play),
        "terminal": bool(node.terminal),  # the game ended here (known to the rules search; no children)
        "chance": bool(getattr(node, "chance", False)),  # chance draws here: the children are its outcomes
        "outcome": outcome,
        "children": [tree_dict(child, bool(getattr(node, "chance", False))) for child in children],
    }


def expected_line(tree: TreeDict, longest: int = 12) -> list[int]:
    """The most visited path from the root (its actions), as far as the tree goes or up to a move that
    leaves chance to draw (the line cannot know the outcome)."""
    line, node = [], tree
    while node["children"] and len(line) < longest and not node.get("chance"):
        node = node["children"][0]
        line.append(int(node["action"]))
    return line


@dataclass(frozen=True)
class LineStep:
    """One move of the expected line, as the real game plays it."""

    player: int  # who makes it (the rules say so, extra turns included)
    action: int
    value: float  # that player's value after it in the search (reward + value below)
    chance: bool = False  # the move leaves chance to draw (a roll): the line stops after it


def replayed_line(game: Game, start: TimeStep, tree: TreeDict, longest: int = 12) -> tuple[list[LineStep], bool]:
    """The expected line (the most visited path) replayed in `game`, a copy of the real game at the analysed
    position (`start`, its time step): it stops where the game ends (then True) or where the tree does. A
    learned model's tree may go on past the end of the game or play a move the rules refuse: those are cut.
    A move into a chance node ends the line (what chance draws is not the search's to say)."""
    steps, node, timestep = [], tree, start
    while node["children"] and len(steps) < longest and not timestep.terminal and not node.get("chance"):
        child = node["children"][0]
        action = int(child["action"])
        if not timestep.legal_mask[action]:
            break
        player = int(timestep.to_play)
        value = float(child["reward"][player] + child["value"][player])
        steps.append(LineStep(player, action, value, bool(child.get("chance"))))
        timestep, node = game.step(action), child
    return steps, bool(timestep.terminal)


def tree_line(tree: TreeDict, longest: int = 12) -> list[LineStep]:
    """The expected line as the tree has it (for a game that cannot be copied to replay it: one of chance),
    each move with the player the tree says makes it."""
    steps, node = [], tree
    while node["children"] and len(steps) < longest and not node.get("chance"):
        child, player = node["children"][0], int(node["to_play"])
        value = float(child["reward"][player] + child["value"][player])
        steps.append(LineStep(player, int(child["action"]), value, bool(child.get("chance"))))
        node = child
    return steps


def _number(value: float) -> float | None:
    return None if math.isnan(float(value)) else float(value)
