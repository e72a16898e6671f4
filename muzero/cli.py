"""Console scripts. A user mistake prints one line `muzero-xxx: error: ...` and exits with code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path

from muzero.errors import UserError

EXIT_USER_ERROR = 2


def user_errors_exit_2(program: str) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Turns a UserError escaping `main` into one line on stderr and exit code 2."""

    def decorate(main: Callable[..., int]) -> Callable[..., int]:
        @wraps(main)
        def wrapped(*args, **kwargs) -> int:
            try:
                return main(*args, **kwargs)
            except UserError as error:
                print(f"{program}: error: {error}", file=sys.stderr)
                return EXIT_USER_ERROR

        return wrapped

    return decorate


def experiment_config(game: str, config_file: str | None, settings: Sequence[str]):
    """Defaults, then the game's preset, then `--config FILE`, then `--set` settings."""
    import envs
    from muzero.config import ExperimentConfig, GameConfig, load_config, with_overrides

    envs.registry.require_known(game)
    config = ExperimentConfig(game=GameConfig(name=game))
    preset = envs.registry.preset_path(game)
    if preset is not None:
        config = load_config(preset, config)
    if config_file:
        config = load_config(config_file, config)
    return with_overrides(config, list(settings))


def train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="muzero-train", description="Train MuZero on a game by self-play.")
    parser.add_argument(
        "game", help="a registered game (tictactoe, connect4, dots_and_boxes), pettingzoo:MODULE or gym:ID"
    )
    parser.add_argument("--minutes", type=float, help="stop after this many minutes of training")
    parser.add_argument("--steps", type=int, help="stop after this many learner steps")
    parser.add_argument("--out", help="the run folder (default: runs/GAME/TIME)")
    parser.add_argument("--config", help="a TOML file of settings, applied over the game's preset")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="SECTION.FIELD=VALUE",
        help="override one setting, e.g. --set search.num_simulations=100 (repeatable)",
    )
    parser.add_argument("--quiet", action="store_true", help="no live progress line")
    return parser


@user_errors_exit_2("muzero-train")
def train_main(argv: Sequence[str] | None = None) -> int:
    import dataclasses

    from muzero.run_folder import default_run_dir

    args = train_parser().parse_args(argv)
    config = experiment_config(args.game, args.config, args.settings)
    run = config.run
    if args.minutes is not None:
        run = dataclasses.replace(run, minutes=args.minutes)
    if args.steps is not None:
        run = dataclasses.replace(run, training_steps=args.steps)
    config = dataclasses.replace(config, run=run)
    from muzero.config import validate

    validate(config)
    run_dir = Path(args.out) if args.out else default_run_dir(config)
    if (run_dir / "checkpoints").exists():
        raise UserError(f"{run_dir} already holds a run; choose another --out")
    from muzero.train import train

    print(f"muzero-train: {config.game.name}, run folder {run_dir}", file=sys.stderr)
    result = train(config, run_dir, show_progress=not args.quiet)
    counters = result.counters
    print(
        f"muzero-train: stopped by {result.stopped_by} after {counters.training_step} steps, "
        f"{counters.games_played} games, {counters.seconds / 60:.1f} minutes; checkpoint {result.checkpoint}"
    )
    return 0
