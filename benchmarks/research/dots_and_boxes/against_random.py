"""Exact expected boxes of one player against uniformly random opponents, for every position of a small board.

A position is the set of drawn edges (a bit mask) and the player to move counted from the studied player
("mover" 0 is that player, mover 1 the next one, ...). Because boxes add up, the expected number of boxes
the studied player still takes depends on nothing else. Two tables are solved by dynamic programming over
the masks, fullest first: `best`, where the studied player maximises its expected boxes (the best any
player can do against random opponents), and `greedy`, where it plays the greedy policy of
`envs.dots_and_boxes.greedy` with ties broken uniformly. The opponents always draw a legal edge uniformly.

Tables hold 2**edges x players float32 values: 3x3 boxes (24 edges), 3 players is 2 x 200 MB, solved in
about a minute on one core.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from envs.dots_and_boxes.rules import adjacent_boxes, box_sides, num_edges

MAX_EDGES = 24


@dataclass(frozen=True)
class AgainstRandomTables:
    """`best[mask, mover]` and `greedy[mask, mover]`: the studied player's expected boxes still to come."""

    rows: int
    cols: int
    players: int
    best: np.ndarray
    greedy: np.ndarray

    def start_value(self, table: np.ndarray, seat: int) -> float:
        """Expected boxes of the player in `seat` (0 moves first) over a whole game."""
        return float(table[0, (-seat) % self.players])

    def best_action_values(self, mask: int) -> dict[int, float]:
        """For the studied player to move (mover 0): every legal edge's expected boxes under `best` play."""
        return {edge: self._edge_value(mask, edge) for edge in range(self.edges) if not mask >> edge & 1}

    @property
    def edges(self) -> int:
        return num_edges(self.rows, self.cols)

    def _edge_value(self, mask: int, edge: int) -> float:
        captured = sum((mask & other) == other for other in other_sides_of_boxes(self.rows, self.cols)[edge])
        mover = 0 if captured else 1 % self.players
        return captured + float(self.best[mask | 1 << edge, mover])


@cache
def other_sides_of_boxes(rows: int, cols: int) -> tuple[tuple[int, ...], ...]:
    """For every edge, one bit mask per adjacent box: the box's three other sides."""
    return tuple(
        tuple(
            sum(1 << side for side in box_sides(rows, cols, row, col) if side != edge)
            for row, col in adjacent_boxes(rows, cols, edge)
        )
        for edge in range(num_edges(rows, cols))
    )


def mask_of(edges: np.ndarray) -> int:
    """The bit mask of a bool[edges] array of drawn edges."""
    return int(sum(1 << int(edge) for edge in np.flatnonzero(edges)))


def solve(rows: int = 3, cols: int = 3, players: int = 3) -> AgainstRandomTables:
    """Both tables, by dynamic programming from the full board back to the empty one."""
    edges = num_edges(rows, cols)
    if edges > MAX_EDGES:
        raise ValueError(f"a board of {edges} edges needs 2**{edges} positions; at most {MAX_EDGES} edges")
    best = np.zeros((1 << edges, players), dtype=np.float32)
    greedy = np.zeros_like(best)
    all_masks = np.arange(1 << edges, dtype=np.uint32)
    drawn_count = np.bitwise_count(all_masks)
    order = np.argsort(drawn_count, kind="stable").astype(np.uint32)
    ends = np.cumsum(np.bincount(drawn_count, minlength=edges + 1))
    others = other_sides_of_boxes(rows, cols)
    for drawn in range(edges - 1, -1, -1):
        masks = order[ends[drawn - 1] if drawn else 0 : ends[drawn]]
        _solve_level(masks, edges - drawn, others, players, best, greedy)
    return AgainstRandomTables(rows, cols, players, best, greedy)


def _solve_level(
    masks: np.ndarray,
    legal_count: int,
    others: tuple[tuple[int, ...], ...],
    players: int,
    best: np.ndarray,
    greedy: np.ndarray,
) -> None:
    """Fill both tables for the masks with the same number of drawn edges (their children are solved)."""
    legal, captured, given = _edge_facts(masks, others)
    greedy_choice = _greedy_choice(legal, captured, given)
    best_value = np.full(len(masks), -np.inf, dtype=np.float32)
    greedy_sum = np.zeros(len(masks), dtype=np.float32)
    random_best = np.zeros((len(masks), players), dtype=np.float32)
    random_greedy = np.zeros_like(random_best)
    for edge in range(len(others)):
        children = masks | np.uint32(1 << edge)
        keeps_turn = captured[edge] > 0
        gain = captured[edge].astype(np.float32)
        for mover in range(players):
            after = np.where(keeps_turn, mover, (mover + 1) % players)
            best_next = np.where(legal[edge], best[children, after], 0.0)
            greedy_next = np.where(legal[edge], greedy[children, after], 0.0)
            if mover == 0:
                best_value = np.maximum(best_value, np.where(legal[edge], gain + best_next, -np.inf))
                greedy_sum += np.where(greedy_choice[edge], gain + greedy_next, 0.0)
            else:
                random_best[:, mover] += best_next
                random_greedy[:, mover] += greedy_next
    best[masks, 0] = best_value
    greedy[masks, 0] = greedy_sum / greedy_choice.sum(axis=0)
    best[masks, 1:] = random_best[:, 1:] / legal_count
    greedy[masks, 1:] = random_greedy[:, 1:] / legal_count


def _edge_facts(masks: np.ndarray, others: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per edge and mask: legal, boxes it completes, boxes it leaves with three sides."""
    shape = (len(others), len(masks))
    legal = np.zeros(shape, dtype=bool)
    captured = np.zeros(shape, dtype=np.uint8)
    given = np.zeros(shape, dtype=np.uint8)
    for edge, box_masks in enumerate(others):
        legal[edge] = (masks >> np.uint32(edge)) & np.uint32(1) == 0
        for other in box_masks:
            sides = np.bitwise_count(masks & np.uint32(other))
            captured[edge] += sides == 3
            given[edge] += sides == 2
    return legal, captured, given


def _greedy_choice(legal: np.ndarray, captured: np.ndarray, given: np.ndarray) -> np.ndarray:
    """bool[edges, masks]: the edges greedy draws among (the most boxes taken, else the fewest left open)."""
    most_taken = np.where(legal, captured, 0).max(axis=0)
    fewest_given = np.where(legal, given, np.iinfo(np.uint8).max).min(axis=0)
    takes_most = (captured == most_taken) & (most_taken > 0)
    gives_fewest = (given == fewest_given) & (most_taken == 0)
    return legal & (takes_most | gives_fewest)
