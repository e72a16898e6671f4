"""`muzero-eval MODEL --episodes N` for a one-player (Gymnasium) model: the return of greedy episodes, with a
95% interval of its mean, and optionally a video of the first episode recorded by Gymnasium's `RecordVideo`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import gymnasium as gym

from muzero.agent import Agent
from muzero.errors import UserError
from muzero.evaluate import play_episodes
from muzero.returns import ReturnStats

GYM_PREFIX = "gym:"
DEFAULT_EPISODES = 20


def episodes_report(agent: Agent, args: argparse.Namespace) -> dict[str, Any]:
    """The returns of `--episodes` fresh episodes (seeds `--seed`, `--seed` + 1, ...), played at once."""
    episodes = DEFAULT_EPISODES if args.episodes is None else args.episodes
    if episodes < 1:
        raise UserError(f"--episodes must be at least 1, got {episodes}")
    returns = play_episodes(agent, agent.game.make_game, episodes, args.seed, agent.config.selfplay.max_moves)
    stats = ReturnStats.of(returns)
    report = {
        "model": args.model,
        "game": agent.config.game.name,
        "game_args": agent.config.game.args,
        "training_step": agent.training_step,
        "simulations": agent.params.num_simulations,
        "temperature": args.temperature,
        "episodes": episodes,
        "return_mean": stats.mean,
        "return_interval": [stats.mean - stats.half_interval, stats.mean + stats.half_interval],
        "return_std": stats.std,
        "return_min": stats.minimum,
        "return_max": stats.maximum,
        "returns": returns,
    }
    if args.video:
        report["video"] = record_video(agent, Path(args.video), args.seed)
    return report


def record_video(agent: Agent, folder: Path, seed: int) -> dict[str, Any]:
    """Plays one episode (seed `seed`) in the game's Gymnasium env wrapped in `RecordVideo`; its file and return."""
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
