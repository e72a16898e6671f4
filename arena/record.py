"""Game records: a match's setup, its moves and the analysis of each agent move, as JSON; read back to
step through the game with its analyses."""

from __future__ import annotations

import json
from typing import Any

from arena.analysis import MoveAnalysis
from arena.match import Match, Seat
from muzero.core.config import GameConfig
from muzero.core.errors import UserError

FORMAT = "muzero-arena-record"
VERSION = 1


def record_json(match: Match) -> str:
    """The match as a JSON document (moves as played, analyses by ply)."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "game": match.game.name,
        "game_args": match.game.args,
        "seed": match.seed,
        "seats": [{"kind": seat.kind, "path": seat.path, "label": seat.label} for seat in match.seats],
        "moves": match.moves,
        "move_names": [match.describe(action) for action in match.moves],
        "returns": [float(r) for r in match.returns],
        "result": match.result_text(),
        "analyses": {str(ply): analysis.to_dict() for ply, analysis in sorted(match.analyses.items())},
    }
    return json.dumps(data, indent=1)


def match_from_record(text: str | bytes) -> Match:
    """The match a record describes, with every move replayed; UserError for anything else."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"this file is not a game record (not JSON: {error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UserError("this file is not a game record of the arena")
    if data.get("version") != VERSION:
        raise UserError(f"this game record has version {data.get('version')}; the arena reads {VERSION}")
    try:
        match = Match(
            GameConfig(str(data["game"]), dict(data["game_args"])),
            [Seat(**seat) for seat in data["seats"]],
            seed=int(data["seed"]),
            moves=[int(action) for action in data["moves"]],
        )
        match.analyses = {int(ply): MoveAnalysis.from_dict(item) for ply, item in _analyses(data).items()}
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, UserError):
            raise
        raise UserError(f"this game record is damaged ({type(error).__name__}: {error})") from None
    return match


def _analyses(data: dict[str, Any]) -> dict[str, Any]:
    analyses = data.get("analyses", {})
    if not isinstance(analyses, dict):
        raise ValueError("analyses must be a table by ply")
    return analyses
