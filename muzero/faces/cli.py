"""Console scripts. A user mistake prints one line `muzero-xxx: error: ...` and exits with code 2."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from functools import partial, wraps
from pathlib import Path

from muzero.core.config import ExperimentConfig, load_config, validate, with_overrides
from muzero.core.errors import UserError
from muzero.core.game_kit import check_network_fits_game
from muzero.distributed.messages import DistributedSettings
from muzero.evaluation.elo import fit_elo
from muzero.evaluation.evaluate import (
    PlayerFactory,
    evaluate_all_seats,
    pair_matrices,
    round_robin,
    seat_summary,
    total_summary,
)
from muzero.faces.agent import Agent
from muzero.faces.cli_help import DefaultsHelpFormatter, add_version
from muzero.faces.eval_episodes import DEFAULT_EPISODES, episodes_report, episodes_text
from muzero.faces.games import experiment_config, game_kit, game_names, reference_players_text, same_game, spec_of
from muzero.faces.resume import require_budget_left, resumable_changes
from muzero.model.bundle import is_bundle, read_bundle
from muzero.model.dynamics import RULES

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


def train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muzero-train", description="Train MuZero on a game by self-play.", formatter_class=DefaultsHelpFormatter
    )
    parser.add_argument(
        "game",
        nargs="?",
        help=f"a registered game ({', '.join(game_names())}), pettingzoo:MODULE or gym:ID (not needed with --resume)",
    )
    parser.add_argument(
        "--minutes",
        type=float,
        help="stop once the run has lasted this many minutes of wall-clock time in all, over all its resumes, "
        "from the start of its self-play and learner on (their start-up and filling the replay buffer included)",
    )
    parser.add_argument("--steps", type=int, help="stop once the run has taken this many learner steps in all")
    parser.add_argument("--out", help="the run folder (default: runs/GAME/TIME)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR from its last checkpoint")
    parser.add_argument("--config", help="a TOML file of settings, applied over the game's preset")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="SECTION.FIELD=VALUE",
        help="override one setting, e.g. --set search.num_simulations=100 (repeatable; with --resume only those "
        "a resume may change, docs/settings.md)",
    )
    parser.add_argument("--workers", type=int, help="self-play workers on Ray (default: CPUs - 1)")
    parser.add_argument("--ray-address", help="join this Ray cluster (e.g. HEAD_IP:6379) instead of a local Ray")
    parser.add_argument("--sync", action="store_true", help="train in this process, without Ray")
    parser.add_argument("--quiet", action="store_true", help="no live progress line")
    add_version(parser)
    return parser


@user_errors_exit_2("muzero-train")
def train_main(argv: Sequence[str] | None = None) -> int:
    args = train_parser().parse_args(argv)
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers must be at least 1, got {args.workers}")
    if args.sync and (args.workers is not None or args.ray_address):
        raise UserError("--sync trains in this process; drop --workers and --ray-address, or drop --sync")
    _require_positive_limits(args)
    config, run_dir = _resumed_run(args) if args.resume else _new_run(args)
    game = game_kit(config.game)  # bad game arguments stop here
    check_network_fits_game(config.network, game.spec, config.game.name)
    if config.search.dynamics == RULES:
        game.make_game().clone()  # a game whose copies are refused (one of chance) says why, before anything starts
    # here, not at the top: the trainers import torch and ray, which muzero-eval on a bundle does without
    from muzero.distributed.driver import default_workers, run_from_cli
    from muzero.training.train import RunSetup

    print(f"muzero-train: {config.game.name}, run folder {run_dir}", file=sys.stderr)
    setup = RunSetup(config, run_dir, game, resume=bool(args.resume), show_progress=not args.quiet)
    workers = args.workers or default_workers()
    settings = None if args.sync else DistributedSettings(workers=workers, ray_address=args.ray_address)
    return run_from_cli(setup, settings)


def _require_positive_limits(args: argparse.Namespace) -> None:
    """Refuses a limit that would stop the run before its first step, before anything starts."""
    if args.steps is not None and args.steps < 1:
        raise UserError(f"--steps must be at least 1, got {args.steps}")
    if args.minutes is not None and not args.minutes > 0:
        raise UserError(f"--minutes must be more than 0, got {args.minutes:g}")


def _require_config_file(path: str | None) -> None:
    if path is not None and Path(path).is_dir():
        raise UserError(f"--config {path} is a folder; give a TOML file of settings")
    if path is not None and not Path(path).is_file():
        raise UserError(f"--config {path} does not exist; give a TOML file of settings")


def _new_run(args: argparse.Namespace) -> tuple[ExperimentConfig, Path]:
    from muzero.training.run_folder import default_run_dir  # here, not at the top: the run folder imports torch

    if not args.game:
        raise UserError(f"name a game to train ({', '.join(game_names())}), or --resume RUN_DIR")
    _require_config_file(args.config)
    config = _with_limits(experiment_config(args.game, args.config, args.settings), args)
    run_dir = Path(args.out) if args.out else default_run_dir(config.game.name)
    if (run_dir / "checkpoints").exists():
        raise UserError(f"{run_dir} already holds a run; continue it with --resume {run_dir}, or choose another --out")
    return config, run_dir


def _resumed_run(args: argparse.Namespace) -> tuple[ExperimentConfig, Path]:
    from muzero.training.run_folder import RunFolder  # here, not at the top: the run folder imports torch

    folder = RunFolder(args.resume)
    if args.out or args.config:
        raise UserError("--resume continues the run where it is: drop --out and --config")
    counters = folder.latest().counters  # a missing or corrupt checkpoint stops here, before anything is written
    saved = load_config(folder.config_path)
    config = with_overrides(saved, list(args.settings))
    if args.game and args.game != config.game.name:
        raise UserError(f"{folder.path} is a run of {config.game.name}, not {args.game}")
    changes = resumable_changes(saved, config)
    config = _with_limits(config, args)
    require_budget_left(folder.path, config, counters)
    for setting, (before, after) in changes.items():
        print(f"muzero-train: resuming with {setting} = {after!r} (was {before!r})", file=sys.stderr)
    return config, folder.path


def _with_limits(config: ExperimentConfig, args: argparse.Namespace) -> ExperimentConfig:
    run = config.run
    if args.minutes is not None:
        run = dataclasses.replace(run, minutes=args.minutes)
    if args.steps is not None:
        run = dataclasses.replace(run, training_steps=args.steps)
    config = dataclasses.replace(config, run=run)
    validate(config)
    return config


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muzero-export",
        description="Export a checkpoint as a model bundle: initial.onnx, recurrent.onnx and model.json.",
        formatter_class=DefaultsHelpFormatter,
    )
    parser.add_argument("source", help="a run folder (its latest checkpoint) or a checkpoint file")
    parser.add_argument("--out", required=True, help="the bundle folder to write, e.g. models/GAME")
    parser.add_argument(
        "--simulations", type=int, help="search simulations per move at play (default: those of its training)"
    )
    parser.add_argument(
        "--force", action="store_true", help="write over the model bundle already in --out (its files are replaced)"
    )
    add_version(parser)
    return parser


def require_free_bundle_folder(out: Path, force: bool) -> None:
    """Refuses, before anything is read or written, to write over a model bundle unless `force`."""
    if is_bundle(out) and not force:
        raise UserError(f"--out {out} already holds a model bundle; give --force to replace it, or another --out")


@user_errors_exit_2("muzero-export")
def export_main(argv: Sequence[str] | None = None) -> int:
    args = export_parser().parse_args(argv)
    require_free_bundle_folder(Path(args.out), args.force)
    # here, not at the top: the export imports torch, which muzero-eval on a bundle does without
    from muzero.training.export import export_checkpoint

    out = export_checkpoint(args.source, args.out, spec_of, simulations=args.simulations)
    bundle = read_bundle(out)
    info = bundle.info
    paths = (bundle.initial_path, bundle.recurrent_path, bundle.afterstate_path, bundle.encoder_path)
    graphs = [path.name for path in paths if path is not None]
    print(
        f"muzero-export: wrote {out} ({info.game}, step {info.training_step}, {info.search['num_simulations']} "
        f"simulations per move): {', '.join(graphs)}, model.json"
    )
    return 0


def eval_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muzero-eval",
        description="Play a model against an opponent in every seat, or several models in a round robin (Elo).",
        formatter_class=DefaultsHelpFormatter,
    )
    parser.add_argument("model", nargs="?", help="a model bundle folder, a run folder or a checkpoint file")
    parser.add_argument(
        "--against",
        help=f"a reference player: {reference_players_text()} (connect four's perfect player needs the solver "
        "extra); or another model (default: random)",
    )
    parser.add_argument(
        "--opening-plies",
        type=int,
        help="uniformly random moves that open each game, so that deterministic players play different games "
        "(default: the game's, 2 for connect four, else 0)",
    )
    parser.add_argument("--round-robin", nargs="+", metavar="MODEL", help="play every pair of these models; Elo table")
    parser.add_argument("--games", type=int, default=20, help="games per seat, per pair in a round robin")
    parser.add_argument("--simulations", type=int, help="search simulations per move (default: each model's own)")
    parser.add_argument(
        "--dynamics",
        choices=("learned", "rules"),
        help="what the search steps: the learned model, or copies of the game (its own rules, AlphaZero-style) "
        "(default: each model's own, model.json's search.dynamics)",
    )
    parser.add_argument(
        "--temperature", type=float, default=0.0, help="sample moves by visits^(1/T); 0 = the best move"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the games, opponents and sampling")
    parser.add_argument(
        "--threads", type=int, default=1, help="onnxruntime threads per model bundle (0 = onnxruntime's default)"
    )
    parser.add_argument(
        "--average-symmetries",
        action=argparse.BooleanOptionalAction,
        help="evaluate positions under every symmetry of the game and average (default: each model's config)",
    )
    parser.add_argument(
        "--episodes",
        type=int,
        help=f"one-player models: greedy episodes to play (default {DEFAULT_EPISODES}); prints the "
        "mean return with its 95%% interval, which never leaves the returns an episode can have where the env "
        "tells them (its time limit times its per-step rewards, e.g. CartPole-v1: 1 to 500)",
    )
    parser.add_argument("--video", metavar="DIR", help="one-player models: record one episode's video into DIR")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_version(parser)
    return parser


@user_errors_exit_2("muzero-eval")
def eval_main(argv: Sequence[str] | None = None) -> int:
    args = eval_parser().parse_args(argv)
    if args.games < 1:
        raise UserError(f"--games must be at least 1, got {args.games}")
    if args.round_robin and args.model:
        raise UserError("give either MODEL (with --against) or --round-robin MODEL MODEL ..., not both")
    if not args.round_robin and not args.model:
        raise UserError("give a MODEL to evaluate, or --round-robin MODEL MODEL ...")
    report = round_robin_report(args) if args.round_robin else model_report(args)
    print(json.dumps(report, indent=1) if args.json else report_text(report))
    return 0


def model_report(args: argparse.Namespace) -> dict:
    """One model: its returns on greedy episodes (a one-player game) or its games against `--against`."""
    agent = load_eval_agent(args.model, args)
    if agent.game.spec.num_players == 1:
        if args.against is not None:
            raise UserError("a one-player model has no opponent: it plays --episodes N")
        if args.video and not agent.plays_gymnasium:
            raise UserError("--video records Gymnasium envs; this one-player game is a PettingZoo env")
        return episodes_report(agent, args)
    if args.episodes is not None or args.video:
        raise UserError("--episodes and --video are for one-player models; use --against and --games")
    args.against = args.against or "random"
    return match_report(agent, args)


def load_eval_agent(path: str, args: argparse.Namespace) -> Agent:
    return Agent.load(
        path,
        num_simulations=args.simulations,
        temperature=args.temperature,
        seed=args.seed,
        threads=args.threads,
        average_symmetries=args.average_symmetries,
        dynamics=getattr(args, "dynamics", None),
    )


def require_same_game(agent: Agent, other: Agent, model: str, other_model: str) -> None:
    game, other_game = agent.config.game, other.config.game
    if not same_game(game, other_game):
        raise UserError(
            f"{other_model} is a model of {other_game.text()} but {model} plays {game.text()}: "
            "models must play the same game"
        )


def eval_opponent(name: str, agent: Agent, args: argparse.Namespace) -> PlayerFactory | Agent:
    """A reference opponent by name, or another model (same game) when `name` is a path."""
    try:
        agent.game.make_opponent(name, args.seed)
    except UserError as error:
        if not Path(name).exists():
            raise UserError(f"{error}; or a model: a bundle folder, run folder or checkpoint") from None
        other = load_eval_agent(name, args)
        require_same_game(agent, other, args.model, name)
        return other
    return partial(agent.game.make_opponent, name)


def note_deterministic(opponent_is_model: bool, temperature: float) -> None:
    if opponent_is_model and temperature == 0:
        print(
            "muzero-eval: note: two models at --temperature 0 play the same game again and again in each seat; "
            "use e.g. --temperature 0.25 for varied games",
            file=sys.stderr,
        )


def match_report(agent: Agent, args: argparse.Namespace) -> dict:
    opponent = eval_opponent(args.against, agent, args)
    note_deterministic(hasattr(opponent, "act_many"), args.temperature)
    opening_plies = agent.game.opening_plies if args.opening_plies is None else args.opening_plies
    if opening_plies < 0:
        raise UserError(f"--opening-plies must be 0 or more, got {opening_plies}")
    results = evaluate_all_seats(
        agent, opponent, agent.game.make_game, games_per_seat=args.games, seed=args.seed, opening_plies=opening_plies
    )
    return {
        "model": args.model,
        "game": agent.config.game.name,
        "game_args": agent.config.game.args,
        "training_step": agent.training_step,
        "against": args.against,
        "games_per_seat": args.games,
        "simulations": agent.params.num_simulations,
        "dynamics": agent.params.dynamics,
        "average_symmetries": agent.averages_symmetries,
        "temperature": args.temperature,
        "opening_plies": opening_plies,
        "seats": [seat_summary(result) for result in results],
        "total": total_summary(results),
    }


def round_robin_report(args: argparse.Namespace) -> dict:
    models = list(args.round_robin)
    if len(models) < 2:
        raise UserError("--round-robin needs at least two models")
    agents = [load_eval_agent(model, args) for model in models]
    for model, agent in zip(models[1:], agents[1:], strict=True):
        require_same_game(agents[0], agent, models[0], model)
    note_deterministic(True, args.temperature)
    pairs = round_robin(agents, agents[0].game.make_game, games_per_seat=args.games, seed=args.seed)
    scores, games = pair_matrices(pairs, len(models))
    ratings = fit_elo(scores, games)
    return {
        "game": agents[0].config.game.name,
        "games_per_seat": args.games,
        "elo_anchor": "mean 0 (maximum likelihood, draws = half points, one virtual draw per pair)",
        "models": [
            {"model": m, "elo": float(r), "points": float(scores[i].sum()), "games": int(games[i].sum())}
            for i, (m, r) in enumerate(zip(models, ratings, strict=True))
        ],
        "pairs": [
            {"first": models[p.first], "second": models[p.second], "wins": p.wins, "draws": p.draws, "losses": p.losses}
            for p in pairs
        ],
    }


def report_text(report: dict) -> str:
    if "episodes" in report:
        return episodes_text(report)
    if "pairs" in report:
        lines = [f"round robin, {report['game']}, {report['games_per_seat']} games per seat and pair"]
        lines.append(f"Elo: {report['elo_anchor']}")
        lines += [
            f"{row['elo']:+8.1f}  {row['points']:6.1f} / {row['games']:<5d} {row['model']}"
            for row in sorted(report["models"], key=lambda row: -row["elo"])
        ]
        lines += [f"{p['first']} vs {p['second']}: {p['wins']}W {p['draws']}D {p['losses']}L" for p in report["pairs"]]
        return "\n".join(lines)
    lines = [
        f"{report['model']} ({report['game']}, step {report['training_step']}, {report['simulations']} simulations "
        f"over the {'rules' if report['dynamics'] == 'rules' else 'learned model'}) "
        f"against {report['against']}, {report['games_per_seat']} games per seat"
        + (f", each opened by {report['opening_plies']} random moves" if report["opening_plies"] else ""),
        "seat  games distinct  wins draws losses   win rate [95%]          loss rate [95%]",
    ]
    rows = [(str(seat["seat"]), seat) for seat in report["seats"]] + [("all", report["total"])]
    lines += [
        f"{name:<5}{row['games']:6d}{row['distinct_games']:9d}{row['wins']:6d}{row['draws']:6d}{row['losses']:7d}   "
        f"{rates(row)}"
        for name, row in rows
    ]
    return "\n".join(lines)


def rates(row: dict) -> str:
    def rate(value: float, interval: list[float]) -> str:
        return f"{value:6.1%} [{interval[0]:5.1%}, {interval[1]:5.1%}]"

    return f"{rate(row['win_rate'], row['win_interval'])}   {rate(row['loss_rate'], row['loss_interval'])}"
