"""One recurrent step of a model with chance codes, on numpy: a move from a decision goes into an afterstate
(phi and psi: a chance node with the predicted code distribution), a code drawn at an afterstate goes into
the next state (g and f: a decision node). A batch holds both kinds of rows; each part runs once on its own."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from muzero.search import RecurrentOutput

# (latents, actions) -> (afterstates, chance_probabilities float32[B, C], values float32[B, P])
AfterstateFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
RecurrentStepFn = Callable[[np.ndarray, np.ndarray], RecurrentOutput]


def chance_step(
    afterstate_fn: AfterstateFn,
    recurrent_fn: RecurrentStepFn,
    latents: np.ndarray,
    actions: np.ndarray,
    from_chance: np.ndarray | None,
    shape: tuple[int, int, int],
) -> RecurrentOutput:
    """The step of each row b: `actions[b]` from the state `latents[b]` into its afterstate, or where bool[B]
    `from_chance` (None: nowhere), the code `actions[b]` from the afterstate `latents[b]` into the next state.

    `shape` is (A actions, P players, C codes). An afterstate row has no reward and no policy (its outcomes are
    drawn, not chosen), its value is psi's and its chance probabilities psi's (a row not all 0: a chance node);
    a next-state row has g's and f's answers and no chance probabilities."""
    num_actions, num_players, codes = shape
    batch = len(actions)
    drawn = np.zeros(batch, np.bool_) if from_chance is None else np.asarray(from_chance, np.bool_)
    moved = ~drawn
    latents_out = np.empty_like(latents)
    rewards = np.zeros((batch, num_players), np.float32)
    next_player_logits = np.zeros((batch, num_players), np.float32)
    policy_logits = np.zeros((batch, num_actions), np.float32)
    values = np.zeros((batch, num_players), np.float32)
    chance_probabilities = np.zeros((batch, codes), np.float32)
    if moved.any():
        afterstates, probabilities, afterstate_values = afterstate_fn(latents[moved], actions[moved])
        latents_out[moved], chance_probabilities[moved], values[moved] = afterstates, probabilities, afterstate_values
    if drawn.any():
        step = recurrent_fn(latents[drawn], actions[drawn])
        latents_out[drawn], rewards[drawn], values[drawn] = step.latents, step.rewards, step.values
        next_player_logits[drawn], policy_logits[drawn] = step.next_player_logits, step.policy_logits
    return RecurrentOutput(
        latents_out, rewards, next_player_logits, policy_logits, values, chance_probabilities=chance_probabilities
    )
