"""The agents of the arena's seats, on model bundles only (onnxruntime and numpy: the arena never loads
torch or ray), kept per page session, and an agent's move with its analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arena.analysis import MoveAnalysis, analyse
from arena.match import Match, Seat
from muzero.core.errors import UserError
from muzero.faces.agent import Agent
from muzero.faces.games import same_game
from muzero.model.bundle import is_bundle
from muzero.play.player import LiveSearch


def load_agent(cache: dict[tuple, Any], seat: Seat, simulations: int, temperature: float) -> Agent:
    """The agent of a model seat (loaded once per path and settings); UserError for a path that is not a
    model bundle."""
    key = (seat.path, simulations, temperature)
    if key not in cache:
        path = Path(seat.path)
        if not path.exists():
            raise UserError(f"{seat.path} does not exist: give a model bundle folder")
        if not is_bundle(path):
            raise UserError(
                f"{seat.path} is not a model bundle (no model.json): the arena plays bundles; "
                "export a run with muzero-export"
            )
        cache[key] = Agent.load(path, num_simulations=simulations, temperature=temperature, seed=0)
    return cache[key]


def check_plays(agent: Agent, match: Match, seat: Seat) -> None:
    """UserError when the agent's model is of another game (or other game arguments) than the match."""
    game = agent.config.game
    if not same_game(game, match.game):
        raise UserError(f"{seat.label} is a model of {game.text()}, not of {match.game.text()}")


def agent_move(match: Match, agent: Agent, live: LiveSearch | None = None) -> MoveAnalysis:
    """The agent searches the position of `match` (`live` hears of it as it goes), plays its move there, and
    tells what it found."""
    result = agent.search(match.env, live=live)
    analysis = analyse(result, ply=len(match.moves), dynamics=agent.params.dynamics)
    match.analyses[analysis.ply] = analysis
    match.play(analysis.action)
    return analysis


def analyse_position(match: Match, agent: Agent, live: LiveSearch | None = None) -> MoveAnalysis:
    """What `agent` thinks of the position on the board for the side to move (nothing is played)."""
    return analyse(agent.search(match.env, live=live), ply=len(match.moves), dynamics=agent.params.dynamics)
