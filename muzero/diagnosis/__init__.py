"""muzero-diagnose's core: where the learned model drifts from the real game.

`play_recorded_games` plays and records games of a `SearchPlayer` (against itself, a reference player or another
model); `diagnose` unrolls any `muzero.model.inference.Model` along the moves really played and compares it with the
games, per horizon and per player; `check_model` does both; `write_report` writes report.json, report.md and
the plots. No torch, no game imported: the player brings its `GameKit`.
"""

from muzero.diagnosis.check import SELF, CheckSettings, about_run, check_model
from muzero.diagnosis.diagnose import Diagnosis, Trace, WorstPosition, diagnose
from muzero.diagnosis.measure import HorizonFigures
from muzero.diagnosis.records import GameRecord, observation_text, play_recorded_games
from muzero.diagnosis.report import about_line, plot_paths, read_report, summary_table, worst_text, write_report

__all__ = [
    "SELF",
    "CheckSettings",
    "Diagnosis",
    "GameRecord",
    "HorizonFigures",
    "Trace",
    "WorstPosition",
    "about_line",
    "about_run",
    "check_model",
    "diagnose",
    "observation_text",
    "play_recorded_games",
    "plot_paths",
    "read_report",
    "summary_table",
    "worst_text",
    "write_report",
]
