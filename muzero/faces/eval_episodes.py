"""`muzero-eval MODEL --episodes N` for a one-player (Gymnasium) model: the return of greedy episodes, with a
95% interval of its mean, and optionally a video of the first episode recorded by Gymnasium's `RecordVideo`.

The interval never leaves the returns an episode can have, where the env tells them: an episode lasts at most
its time limit (`spec.max_episode_steps`, and `selfplay.max_moves`) and earns per step what the env's
`reward_range` declares (or, for an env that declares none, Gymnasium documents: CartPole's +1 a step).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym

from muzero.core.errors import UserError
from muzero.evaluation.evaluate import play_episodes
from muzero.evaluation.returns import ReturnStats
from muzero.faces.agent import Agent

GYM_PREFIX = "gym:"
DEFAULT_EPISODES = 20
# per-step rewards that Gymnasium documents for envs that declare no `reward_range` (env name, no version)
DOCUMENTED_STEP_REWARDS = {"CartPole": (1.0, 1.0)}
# frames are drawn off-screen: SDL needs no display and no sound (and then asks for no XDG_RUNTIME_DIR)
OFF_SCREEN_SDL = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def episodes_report(agent: Agent, args: argparse.Namespace) -> dict[str, Any]:
    """The returns of `--episodes` fresh episodes (seeds `--seed`, `--seed` + 1, ...), played at once."""
    episodes = DEFAULT_EPISODES if args.episodes is None else args.episodes
    if episodes < 1:
        raise UserError(f"--episodes must be at least 1, got {episodes}")
    returns = play_episodes(agent, agent.game.make_game, episodes, args.seed, agent.config.selfplay.max_moves)
    stats = ReturnStats.of(returns)
    bounds = return_bounds(agent, agent.config.selfplay.max_moves)
    report = {
        "model": args.model,
        "game": agent.config.game.name,
        "game_args": agent.config.game.args,
        "training_step": agent.training_step,
        "simulations": agent.params.num_simulations,
        "temperature": args.temperature,
        "episodes": episodes,
        "return_mean": stats.mean,
        "return_interval": clip([stats.mean - stats.half_interval, stats.mean + stats.half_interval], bounds),
        "possible_returns": bounds and list(bounds),
        "return_std": stats.std,
        "return_min": stats.minimum,
        "return_max": stats.maximum,
        "returns": returns,
    }
    if args.video:
        report["video"] = record_video(agent, Path(args.video), args.seed)
    return report


def return_bounds(agent: Agent, max_moves: int) -> tuple[float, float] | None:
    """The lowest and highest return an episode of the model's env can have, or None where the env does not tell
    both its time limit and its per-step rewards."""
    env_id = agent.config.game.name.removeprefix(GYM_PREFIX)
    try:
        env = gym.make(env_id, **agent.config.game.args)
    except gym.error.Error:
        return None
    limit = env.spec.max_episode_steps if env.spec is not None else None
    rewards = getattr(env.unwrapped, "reward_range", None) or DOCUMENTED_STEP_REWARDS.get(env_id.split("-v")[0])
    env.close()
    if limit is None or rewards is None or not all(math.isfinite(value) for value in rewards):
        return None
    steps = min(limit, max_moves)
    low, high = rewards
    return min(low, low * steps), max(high, high * steps)  # an episode lasts 1 to `steps` steps


def clip(interval: list[float], bounds: tuple[float, float] | None) -> list[float]:
    """`interval` within `bounds` (unchanged without bounds)."""
    if bounds is None:
        return interval
    return [min(max(value, bounds[0]), bounds[1]) for value in interval]


@contextlib.contextmanager
def off_screen_sdl() -> Iterator[None]:
    """SDL's dummy video and audio drivers while the block runs, unless the environment chose drivers."""
    chosen = {name: value for name, value in OFF_SCREEN_SDL.items() if name not in os.environ}
    os.environ.update(chosen)
    try:
        yield
    finally:
        for name in chosen:
            os.environ.pop(name, None)


def record_video(agent: Agent, folder: Path, seed: int) -> dict[str, Any]:
    """Plays one episode (seed `seed`) in the game's Gymnasium env wrapped in `RecordVideo`; its file and return."""
    with off_screen_sdl():  # SDL reads its drivers when the env first renders
        return _record_video(agent, folder, seed)


def _record_video(agent: Agent, folder: Path, seed: int) -> dict[str, Any]:
    env_id = agent.config.game.name.removeprefix(GYM_PREFIX)
    try:
        env = gym.make(env_id, render_mode="rgb_array", **agent.config.game.args)
    except gym.error.Error as error:
        raise UserError(f"--video: {env_id} cannot render frames: {error}") from None
    if "rgb_array" not in env.metadata.get("render_modes", []):
        raise UserError(f"--video: {env_id} does not render rgb_array frames")
    try:
        env = gym.wrappers.RecordVideo(env, str(folder), name_prefix=env_id.replace("/", "-"), disable_logger=True)
    except gym.error.DependencyNotInstalled as error:
        raise UserError(f"--video needs moviepy: pip install moviepy ({error})") from None
    before = set(folder.glob("*.mp4"))
    episode_return = agent.play_episode(env, seed=seed, max_steps=agent.config.selfplay.max_moves)
    env.close()
    written = sorted(set(folder.glob("*.mp4")) - before)
    return {"files": [str(path) for path in written], "return": episode_return}


def episodes_text(report: dict[str, Any]) -> str:
    low, high = report["return_interval"]
    lines = [
        f"{report['model']} ({report['game']}, step {report['training_step']}, {report['simulations']} simulations), "
        f"{report['episodes']} episodes",
        f"return {report['return_mean']:,.1f}  95% interval [{low:,.1f}, {high:,.1f}]  "
        f"std {report['return_std']:,.1f}  min {report['return_min']:,.1f}  max {report['return_max']:,.1f}",
    ]
    if "video" in report:
        video = report["video"]
        lines.append(f"video of one episode (return {video['return']:,.1f}): {', '.join(video['files']) or 'none'}")
    return "\n".join(lines)
