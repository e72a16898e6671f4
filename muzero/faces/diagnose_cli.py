"""muzero-diagnose: where does the learned model drift from the real game?

Plays games with the model (against itself, a reference player or another model), unrolls the model along the
moves really played, compares it with the games per horizon and per player, prints a summary table and writes
report.json, report.md and PNG plots. A bundle runs on onnxruntime alone (no torch).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from muzero.core.errors import UserError
from muzero.diagnosis import SELF, CheckSettings, about_line, check_model, summary_table, worst_text, write_report
from muzero.diagnosis.chance import chance_line
from muzero.faces.agent import NO_DYNAMICS
from muzero.faces.cli import eval_opponent, load_eval_agent, user_errors_exit_2
from muzero.faces.cli_help import DefaultsHelpFormatter, add_version
from muzero.faces.games import reference_players_text


def diagnose_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muzero-diagnose",
        description="Where does the learned model drift from the real game? Plays games, unrolls the model along "
        "the moves played and compares it with the game: rewards, values, next player and policy, k steps ahead.",
        formatter_class=DefaultsHelpFormatter,
    )
    parser.add_argument("model", help="a model bundle folder, a run folder or a checkpoint file")
    parser.add_argument("--games", type=int, default=20, help="games to play")
    parser.add_argument("--horizon", type=int, default=5, help="model steps unrolled from each position")
    parser.add_argument(
        "--against",
        default=SELF,
        help=f"self (the model in every seat), a reference player: {reference_players_text()}; or another model of "
        "the same game",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the games, opponents and sampling")
    parser.add_argument("--out", help="the report folder (default: diagnosis/MODEL_NAME)")
    parser.add_argument("--simulations", type=int, help="search simulations per move (default: the model's own)")
    parser.add_argument(
        "--temperature",
        type=float,
        default=0.25,
        help="sample moves by visits^(1/T), so that games differ (0 = the best move: one game repeated against itself)",
    )
    parser.add_argument("--worst", type=int, default=5, help="positions where the model is most wrong to show")
    parser.add_argument(
        "--threads", type=int, default=1, help="onnxruntime threads per model bundle (0 = onnxruntime's default)"
    )
    parser.add_argument(
        "--average-symmetries",
        action=argparse.BooleanOptionalAction,
        help="diagnose the model averaged over every symmetry of the game (default: the model's config)",
    )
    add_version(parser)
    return parser


@user_errors_exit_2("muzero-diagnose")
def diagnose_main(argv: Sequence[str] | None = None) -> int:
    args = diagnose_parser().parse_args(argv)
    settings = CheckSettings(games=args.games, horizon=args.horizon, seed=args.seed, worst=args.worst)
    started = time.monotonic()
    agent = load_eval_agent(args.model, args)
    if not agent.dynamics_trained:
        raise UserError(f"{NO_DYNAMICS}: it searches with the game's own rules, which are exact; nothing to check")
    if agent.plays_gymnasium:
        raise UserError(
            "muzero-diagnose checks models of PettingZoo games; for a Gymnasium model use muzero-eval --episodes"
        )
    opponent = None if args.against == SELF else eval_opponent(args.against, agent, args)
    out = Path(args.out) if args.out else Path("diagnosis") / model_name(args.model)
    diagnosis = check_model(
        agent, opponent, settings, model=args.model, against=args.against, on_progress=show_progress
    )
    written = write_report(diagnosis, out)
    report = diagnosis.as_dict()
    print(about_line(report))
    print(summary_table(report))
    if report["chance"]:
        print(chance_line(report["chance"]))
    if report["worst"]:
        print(f"most wrong: {worst_text(report['worst'][0])}")
    print(f"wrote {out}: {', '.join(path.name for path in written)} ({time.monotonic() - started:.1f} s)")
    return 0


def model_name(model: str) -> str:
    """The name of a model's report folder: its folder's name, or a checkpoint file's name without .pt."""
    path = Path(model).resolve()
    return path.stem if path.is_file() else path.name


def show_progress(finished: int, games: int, moves: int) -> None:
    """A progress line on a terminal (nothing when stderr is a file or a pipe)."""
    if sys.stderr.isatty():
        end = "\n" if finished == games else ""
        print(f"\rmuzero-diagnose: {finished}/{games} games finished, {moves} moves", end=end, file=sys.stderr)
