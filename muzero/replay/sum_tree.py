"""A sum tree over non-negative leaf weights: O(log N) batched proportional sampling and updates, numpy only.

The tree is a complete binary tree in one float64 array (node i has children 2i and 2i+1, the root is node 1,
leaf j is node `leaf_count + j`). Every inner node is recomputed as the sum of its two children (never
updated by differences), so its value is a function of the leaves alone: no drift, and a tree rebuilt from
the same leaves is bit-for-bit identical.
"""

from __future__ import annotations

import numpy as np


class SumTree:
    """Leaf weights w[0..size-1] (float64 >= 0) with sampling of j with probability w[j] / sum(w)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a sum tree needs at least one leaf, got size {size}")
        self.size = size
        self.leaf_count = 1 << max(0, (size - 1).bit_length())  # the smallest power of two >= size
        self.depth = self.leaf_count.bit_length() - 1  # levels below the root
        self.nodes = np.zeros(2 * self.leaf_count, dtype=np.float64)  # [2 * leaf_count], node 0 unused

    @property
    def total(self) -> float:
        return float(self.nodes[1])

    @property
    def nbytes(self) -> int:
        return int(self.nodes.nbytes)

    def leaves(self, indices: np.ndarray | slice = slice(None)) -> np.ndarray:
        """The leaf weights at `indices` (all leaves by default)."""
        return self.nodes[self.leaf_count : self.leaf_count + self.size][indices]

    def set(self, indices: np.ndarray, weights: np.ndarray) -> None:
        """Sets the leaves at `indices` (int[M]; a repeated index: its last weight) and their ancestors."""
        nodes = np.asarray(indices, dtype=np.int64) + self.leaf_count  # [M]
        self.nodes[nodes] = weights
        for _ in range(self.depth):
            nodes = nodes // 2  # repeated parents are recomputed to the same sum
            self.nodes[nodes] = self.nodes[2 * nodes] + self.nodes[2 * nodes + 1]

    def set_all(self, weights: np.ndarray) -> None:
        """Replaces every leaf (float64[size]) and rebuilds the tree level by level."""
        self.nodes[:] = 0.0
        self.nodes[self.leaf_count : self.leaf_count + self.size] = weights
        for level in range(self.depth - 1, -1, -1):  # level l holds nodes 2^l .. 2^(l+1)-1
            first, last = 1 << level, 1 << (level + 1)
            left_children = self.nodes[2 * first : 2 * last : 2]
            right_children = self.nodes[2 * first + 1 : 2 * last : 2]
            self.nodes[first:last] = left_children + right_children

    def sample(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """`count` leaf indices (int64), drawn with replacement with probability weight / total."""
        if self.total <= 0.0:
            raise ValueError("cannot sample from a sum tree whose weights are all zero")
        targets = rng.random(count) * self.total  # [count], uniform in [0, total)
        nodes = np.ones(count, dtype=np.int64)  # [count], all at the root
        for _ in range(self.depth):
            left = 2 * nodes
            left_sum, right_sum = self.nodes[left], self.nodes[left + 1]
            # Go right when the target lies past the left subtree, unless rounding put it past a zero subtree.
            go_right = ((targets >= left_sum) & (right_sum > 0.0)) | (left_sum <= 0.0)
            targets = np.where(go_right, targets - left_sum, targets)
            nodes = left + go_right
        return nodes - self.leaf_count
