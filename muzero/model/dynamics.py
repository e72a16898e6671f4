"""What the search tree steps: the learned model's latents (MuZero, the default), or copies of the real game
(the game's own rules: AlphaZero-style search with this project's per-player value vectors).

Both are a `Dynamics`: the search roots of B positions, and the `recurrent_fn` of the search seam. The search
itself (`muzero.search`) is the same tree, selection and backup for both; `search.dynamics` chooses.

- `LearnedDynamics`: h at the roots, g and f inside the tree; rewards, the next player and values predicted.
  With chance codes each move goes into an afterstate (a chance node over the predicted code distribution).
- `RulesDynamics`: the tree's "latents" are the indices of game copies it keeps; stepping a node clones its
  game and steps the copy, so rewards, the next player (extra turns included) and the end of the game are the
  rules' own, exactly. The network (h and f: `initial_inference` on the copy's observation) gives the prior,
  masked to the legal moves, and the value vector only. A node where the game ended is worth 0 and its
  children are absorbing (no reward, value 0, no network call). In a game with chance (its copies declare
  `chance_outcomes`), a move that leaves chance to draw makes a chance node with the rules' own outcome
  probabilities, valued at the expectation over its outcomes (each outcome's reward plus discount times the
  network's value there): expectimax with the real outcomes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from muzero.core.errors import UserError
from muzero.core.types import Decision, Game, TimeStep
from muzero.model.inference import Model, chance_codes_of, root_batch
from muzero.search import RecurrentOutput, RootBatch

LEARNED = "learned"
RULES = "rules"
DYNAMICS = (LEARNED, RULES)  # the values of `search.dynamics`


class Dynamics(Protocol):
    """The search roots of positions, and how the tree steps from a node."""

    def roots(self, decisions: Sequence[Decision], games: Sequence[Game] | None = None) -> RootBatch: ...

    def recurrent_inference(
        self, latents: np.ndarray, actions: np.ndarray, from_chance: np.ndarray | None = None
    ) -> RecurrentOutput: ...


def dynamics_of(model: Model, dynamics: str, discount: float = 1.0) -> Dynamics:
    """The dynamics named `dynamics` ("learned" or "rules") around `model`; the search's `discount` values
    the chance nodes of the rules."""
    if dynamics == RULES:
        return RulesDynamics(model, discount)
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
    """MuZero: the tree steps the learned model's latents; a model with chance codes (Stochastic MuZero) moves
    into afterstates, the search's chance nodes, whose outcomes are its codes."""

    def __init__(self, model: Model) -> None:
        self.model = model

    def roots(self, decisions: Sequence[Decision], games: Sequence[Game] | None = None) -> RootBatch:
        roots = decision_roots(self.model, decisions)
        return dataclasses.replace(roots, chance_outcomes=chance_codes_of(self.model))

    def recurrent_inference(
        self, latents: np.ndarray, actions: np.ndarray, from_chance: np.ndarray | None = None
    ) -> RecurrentOutput:
        if from_chance is None:  # a model without chance codes takes no third argument
            return self.model.recurrent_inference(latents, actions)
        return self.model.recurrent_inference(latents, actions, from_chance)


class RulesDynamics:
    """The tree steps copies of the real game (each node's game a `clone()` of its parent's, stepped once)."""

    def __init__(self, model: Model, discount: float = 1.0) -> None:
        self.model, self.discount = model, discount
        self.games: list[Game] = []  # the game at each node of the current search, by index
        self.ended: list[bool] = []  # whether the game is over at that node
        self.chance_outcomes = 0  # C: the chance outcomes of the searched game (0: it has no chance)

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
        self.chance_outcomes = int(getattr(self.games[0], "chance_outcomes", 0))
        network = decision_roots(self.model, decisions)
        return RootBatch(
            latents=np.arange(len(games), dtype=np.int64),
            policy_logits=network.policy_logits,
            values=network.values,
            to_play=network.to_play,
            legal_mask=network.legal_mask,
            chance_outcomes=self.chance_outcomes,
        )

    def recurrent_inference(
        self, latents: np.ndarray, actions: np.ndarray, from_chance: np.ndarray | None = None
    ) -> RecurrentOutput:
        """Steps a copy of node latents[b]'s game by actions[b] for every b (where bool[B] `from_chance`, the
        node is a chance node and chance draws outcome actions[b]); the network values the copies."""
        batch_size, num_players = len(latents), self.games[0].num_players
        rewards = np.zeros((batch_size, num_players), np.float32)  # float32[B, P]
        terminal = np.zeros(batch_size, np.bool_)  # bool[B]
        new_nodes = np.empty(batch_size, np.int64)  # int64[B]
        chance = np.zeros((batch_size, max(self.chance_outcomes, 1)), np.float32)  # float32[B, C]
        live: list[tuple[int, Decision]] = []  # (row, decision) of the copies at a decision
        for row, (node, action) in enumerate(zip(latents.tolist(), actions.tolist(), strict=True)):
            game, ended = self.games[node], self.ended[node]
            if not ended:  # past the end of a game the copy stays as it is: absorbing
                game = game.clone()
                drawn = from_chance is not None and from_chance[row]
                step = game.resolve_chance(action) if drawn else game.step(action)
                rewards[row], ended = step.rewards, step.terminal
                probabilities = chance_probabilities(game)
                if probabilities is not None:
                    chance[row] = probabilities
                    live.extend(outcomes(game, probabilities, row, step.to_play))
                elif not ended:
                    live.append((row, step))
            new_nodes[row], terminal[row] = len(self.games), ended
            self.games.append(game)
            self.ended.append(ended)
        policy_logits, values, next_player = self.evaluate(live, batch_size, num_players)
        return RecurrentOutput(new_nodes, rewards, next_player, policy_logits, values, terminal, chance)

    def evaluate(
        self, live: list[tuple[int, Decision]], batch_size: int, num_players: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(float32[B, A] policy logits, -inf where illegal; float32[B, P] values; float32[B, P] one-hot next
        player) with one network call for the decisions of `live`; ended rows: uniform logits, value 0. A
        chance node's row is valued at the expectation over its outcomes, whose `OutcomeStep`s are in
        `live`: the sum of probability * (reward + discount * value)."""
        num_actions = self.games[0].num_actions
        policy_logits = np.zeros((batch_size, num_actions), np.float32)
        values = np.zeros((batch_size, num_players), np.float32)
        next_player = np.zeros((batch_size, num_players), np.float32)
        for row, outcome in [entry for entry in live if ends_game(entry[1])]:  # worth its reward alone
            values[row] += outcome.probability * outcome.rewards
            next_player[row, outcome.mover] = 1.0
        live = [entry for entry in live if not ends_game(entry[1])]
        if not live:
            return policy_logits, values, next_player
        network = decision_roots(self.model, [decision for _, decision in live])
        for index, (row, decision) in enumerate(live):
            if isinstance(decision, OutcomeStep):
                values[row] += decision.probability * (decision.rewards + self.discount * network.values[index])
                next_player[row, decision.mover] = 1.0
                continue
            policy_logits[row] = np.where(network.legal_mask[index], network.policy_logits[index], -np.inf)
            values[row] = network.values[index]
            next_player[row, network.to_play[index]] = 1.0
        return policy_logits, values, next_player


@dataclass(frozen=True)
class OutcomeStep(TimeStep):
    """One outcome of a chance node, as `RulesDynamics.evaluate` values it: the step after chance drew it,
    its probability, and the player who moved into the chance node."""

    probability: float = 0.0
    mover: int = 0


def ends_game(decision: Decision) -> bool:
    """Whether `decision` is a chance outcome that ends the game (valued without a network call)."""
    return isinstance(decision, OutcomeStep) and decision.terminal


def chance_probabilities(game: Game) -> np.ndarray | None:
    """float[C]: the outcome probabilities where `game` waits for chance (a game with chance), else None."""
    probabilities = getattr(game, "chance_probabilities", None)
    return None if probabilities is None else probabilities()


def outcomes(game: Game, probabilities: np.ndarray, row: int, mover: int) -> list[tuple[int, Decision]]:
    """(row, OutcomeStep) of each possible outcome of `game`'s chance node, which `mover` moved into; an
    ended outcome's value is its reward alone."""
    steps = []
    for outcome in np.flatnonzero(probabilities > 0).tolist():
        step = game.clone().resolve_chance(outcome)
        steps.append((row, OutcomeStep(**vars(step), probability=float(probabilities[outcome]), mover=mover)))
    return steps
