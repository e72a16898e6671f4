"""What the search tree steps: the learned model's latents (MuZero, the default), or copies of the real game
(the game's own rules: AlphaZero-style search with this project's per-player value vectors).

Both are a `Dynamics`: the search roots of B positions, and the `recurrent_fn` of the search seam. The search
itself (`muzero.search`) is the same tree, selection and backup for both; `search.dynamics` chooses.

- `LearnedDynamics`: h at the roots, g and f inside the tree; rewards, the next player and values predicted.
- `RulesDynamics`: the tree's "latents" are the indices of game copies it keeps; stepping a node clones its
  game and steps the copy, so rewards, the next player (extra turns included) and the end of the game are the
  rules' own, exactly. The network (h and f: `initial_inference` on the copy's observation) gives the prior,
  masked to the legal moves, and the value vector only. A node where the game ended is worth 0 and its
  children are absorbing (no reward, value 0, no network call).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from muzero.core.errors import UserError
from muzero.core.types import Decision, Game
from muzero.model.inference import Model, root_batch
from muzero.search import RecurrentOutput, RootBatch

LEARNED = "learned"
RULES = "rules"
DYNAMICS = (LEARNED, RULES)  # the values of `search.dynamics`


class Dynamics(Protocol):
    """The search roots of positions, and how the tree steps from a node."""

    def roots(self, decisions: Sequence[Decision], games: Sequence[Game] | None = None) -> RootBatch: ...

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput: ...


def dynamics_of(model: Model, dynamics: str) -> Dynamics:
    """The dynamics named `dynamics` ("learned" or "rules") around `model`."""
    if dynamics == RULES:
        return RulesDynamics(model)
    if dynamics == LEARNED:
        return LearnedDynamics(model)
    raise UserError(f"search.dynamics must be one of {', '.join(DYNAMICS)}, got {dynamics!r}")


def decision_roots(model: Model, decisions: Sequence[Decision]) -> RootBatch:
    """The network's roots of decisions (latents as the model's own)."""
    return root_batch(
        model,
        np.stack([d.observation for d in decisions]),
        np.array([d.to_play for d in decisions]),
        np.stack([d.legal_mask for d in decisions]),
    )


class LearnedDynamics:
    """MuZero: the tree steps the learned model's latents."""

    def __init__(self, model: Model) -> None:
        self.model = model

    def roots(self, decisions: Sequence[Decision], games: Sequence[Game] | None = None) -> RootBatch:
        return decision_roots(self.model, decisions)

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        return self.model.recurrent_inference(latents, actions)


class RulesDynamics:
    """The tree steps copies of the real game (each node's game a `clone()` of its parent's, stepped once)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.games: list[Game] = []  # the game at each node of the current search, by index
        self.ended: list[bool] = []  # whether the game is over at that node

    def roots(self, decisions: Sequence[Decision], games: Sequence[Game] | None = None) -> RootBatch:
        """The roots of `decisions`, each at the position of its game (left untouched: nodes step copies)."""
        if games is None or len(games) != len(decisions):
            raise UserError(
                "the search over the game's rules needs the game at each position (a PettingZoo env, or a game "
                'that can be copied); search.dynamics = "learned" searches observations alone'
            )
        for game in games:
            if not callable(getattr(game, "clone", None)):
                raise UserError(f'{type(game).__name__} cannot be copied: use search.dynamics = "learned"')
        self.games = [game.clone() for game in games]  # once: a live env's copy is dearer than a copy's
        self.ended = [not d.legal_mask.any() for d in decisions]
        network = decision_roots(self.model, decisions)
        return RootBatch(
            latents=np.arange(len(games), dtype=np.int64),
            policy_logits=network.policy_logits,
            values=network.values,
            to_play=network.to_play,
            legal_mask=network.legal_mask,
        )

    def recurrent_inference(self, latents: np.ndarray, actions: np.ndarray) -> RecurrentOutput:
        """Steps a copy of node latents[b]'s game by actions[b] for every b; the network values the copies."""
        batch_size = len(latents)
        num_players = self.games[0].num_players
        rewards = np.zeros((batch_size, num_players), np.float32)  # float32[B, P]
        terminal = np.zeros(batch_size, np.bool_)  # bool[B]
        new_nodes = np.empty(batch_size, np.int64)  # int64[B]
        live: list[tuple[int, Decision]] = []  # (row, decision) of the copies still in play
        for row, (node, action) in enumerate(zip(latents.tolist(), actions.tolist(), strict=True)):
            game, ended = self.games[node], self.ended[node]
            if not ended:  # past the end of a game the copy stays as it is: absorbing
                game = game.clone()
                step = game.step(action)
                rewards[row], ended = step.rewards, step.terminal
                if not ended:
                    live.append((row, step))
            new_nodes[row], terminal[row] = len(self.games), ended
            self.games.append(game)
            self.ended.append(ended)
        policy_logits, values, next_player = self.evaluate(live, batch_size, num_players)
        return RecurrentOutput(new_nodes, rewards, next_player, policy_logits, values, terminal)

    def evaluate(
        self, live: list[tuple[int, Decision]], batch_size: int, num_players: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(float32[B, A] policy logits, -inf where illegal; float32[B, P] values; float32[B, P] one-hot next
        player) with one network call for the rows in play; ended rows: uniform logits, value 0."""
        num_actions = self.games[0].num_actions
        policy_logits = np.zeros((batch_size, num_actions), np.float32)
        values = np.zeros((batch_size, num_players), np.float32)
        next_player = np.zeros((batch_size, num_players), np.float32)
        if not live:
            return policy_logits, values, next_player
        rows = np.array([row for row, _ in live])
        decisions = [decision for _, decision in live]
        network = decision_roots(self.model, decisions)
        policy_logits[rows] = np.where(network.legal_mask, network.policy_logits, -np.inf)
        values[rows] = network.values
        next_player[rows, network.to_play] = 1.0
        return policy_logits, values, next_player
