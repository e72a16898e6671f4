"""Learner speed: optimisation steps per second of the presets' networks, torch on one thread, with the
fused optimizer kernels the learner uses against torch's per-parameter loop, in the same run.

Each game's buffer is filled by self-play of a fresh network (8 simulations: the data's content does not
change the cost of a step), then the two optimizers take turns, each timed for `--seconds` in each of
`--rounds` rounds on the same batches (the median is reported: a shared machine's speed drifts), and the
optimizer's own step (`optimizer.step()` alone) is timed the same way. Prints a table with the ratios and
writes benchmarks/results/learner_speed.json.

    python benchmarks/learner_speed.py [--seconds 5] [--rounds 4] [--game dots_and_boxes --set game.players=3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from muzero.core.config import ExperimentConfig
from muzero.core.game_kit import GameSpec
from muzero.core.types import Batch
from muzero.faces.games import experiment_config, game_kit
from muzero.replay import ReplayBuffer
from muzero.training import components
from muzero.training.learner import Learner
from muzero.training.selfplay import SelfPlay

RESULTS = Path(__file__).parent / "results" / "learner_speed.json"
DEFAULT_GAMES = {"tictactoe": [], "connect4": [], "dots_and_boxes": ["game.players=3"]}
FILL_SIMULATIONS = 8
BATCHES = 64  # distinct batches cycled through while timing


def filled_buffer(config: ExperimentConfig) -> ReplayBuffer:
    """A buffer holding at least `run.min_replay_positions` positions of self-play by a fresh network."""
    kit = game_kit(config.game)
    fill_config = replace(config, search=replace(config.search, num_simulations=FILL_SIMULATIONS))
    network = components.build_network(fill_config.network, kit.spec)
    model = components.build_inference_model(fill_config.selfplay.inference, network)
    selfplay = SelfPlay(kit.make_game, model, fill_config.search, fill_config.selfplay, np.random.default_rng(0))
    buffer = ReplayBuffer(config.replay, kit.spec, config.discount)
    while buffer.num_positions < config.run.min_replay_positions:
        for trajectory in selfplay.play_move(0).finished:
            buffer.add(trajectory)
    return buffer


def steps_per_second(learner: Learner, batches: list[Batch], seconds: float) -> float:
    for batch in batches[:5]:  # warm-up
        learner.train_step(batch)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        learner.train_step(batches[steps % len(batches)])
        steps += 1
    return steps / (time.perf_counter() - start)


def optimizer_step_ms(learner: Learner, seconds: float) -> float:
    """Milliseconds of one `optimizer.step()` on the gradients of the last training step."""
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        learner.optimizer.step()
        steps += 1
    return 1000 * (time.perf_counter() - start) / steps


def fresh_learner(config: ExperimentConfig, spec: GameSpec) -> Learner:
    """The learner of a freshly initialised network of the config."""
    return components.build_learner(config.learner, config.network, components.build_network(config.network, spec))


def unfused(learner: Learner) -> Learner:
    """The same learner with torch's per-parameter optimizer loop (what torch picks on CPU by default)."""
    learner.fused = None
    for group in learner.optimizer.param_groups:
        group["fused"] = None
    return learner


def game_row(game: str, settings: list[str], seconds: float, rounds: int) -> dict:
    config = experiment_config(game, None, settings)
    spec = game_kit(config.game).spec
    buffer = filled_buffer(config)
    rng = np.random.default_rng(1)
    batches = [buffer.sample(config.learner.batch_size, rng) for _ in range(BATCHES)]
    learners = {
        "fused": fresh_learner(config, spec),
        "loop": unfused(fresh_learner(config, spec)),
    }
    rates: dict[str, list[float]] = {name: [] for name in learners}
    optimizer_ms: dict[str, list[float]] = {name: [] for name in learners}
    for _ in range(rounds):
        for name, learner in learners.items():
            rates[name].append(steps_per_second(learner, batches, seconds))
            for parameter in learner.network.parameters():  # gradients to step on (set_to_none cleared them)
                parameter.grad = torch.full_like(parameter, 1e-3)
            optimizer_ms[name].append(optimizer_step_ms(learner, seconds / 4))
    fused, loop = statistics.median(rates["fused"]), statistics.median(rates["loop"])
    fused_ms, loop_ms = statistics.median(optimizer_ms["fused"]), statistics.median(optimizer_ms["loop"])
    return {
        "game": game,
        "settings": settings,
        "network": config.network.kind,
        "batch_size": config.learner.batch_size,
        "unroll_steps": config.replay.unroll_steps,
        "steps_per_second_fused": round(fused, 1),
        "steps_per_second_loop": round(loop, 1),
        "ratio": round(fused / loop, 2),
        "optimizer_step_ms_fused": round(fused_ms, 3),
        "optimizer_step_ms_loop": round(loop_ms, 3),
        "optimizer_step_ratio": round(loop_ms / fused_ms, 2),
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each timed phase")
    parser.add_argument("--rounds", type=int, default=4, help="timed phases per optimizer (the median counts)")
    parser.add_argument("--game", help="one game with a preset (default: tic-tac-toe, connect four, dots 3p)")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=VALUE", help="config override")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    games = {args.game: args.set} if args.game else DEFAULT_GAMES
    rows = []
    print("| game | network | batch, unroll | steps/s fused | steps/s loop | ratio | optimizer step ms fused / loop |")
    print("|---|---|---|---|---|---|---|")
    for game, settings in games.items():
        row = game_row(game, settings, args.seconds, args.rounds)
        rows.append(row)
        print(
            f"| {game} {' '.join(settings)} | {row['network']} | {row['batch_size']}, {row['unroll_steps']} "
            f"| {row['steps_per_second_fused']} | {row['steps_per_second_loop']} | {row['ratio']}x "
            f"| {row['optimizer_step_ms_fused']} / {row['optimizer_step_ms_loop']} ({row['optimizer_step_ratio']}x) |",
            flush=True,
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    machine = {"processor": platform.processor() or platform.machine(), "torch": torch.__version__}
    args.output.write_text(
        json.dumps({"machine": machine, "seconds": args.seconds, "rounds": args.rounds, "rows": rows}, indent=1)
    )


if __name__ == "__main__":
    main()
