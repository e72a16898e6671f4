"""A game's `BoardPicture` (envs/picture.py) as SVG: its marks, a click target per legal move with the piece
shown under the pointer, and the search's candidates drawn on the board (visit share as a halo, the share and
the mover's value as text on each move). Plain strings: the page's component puts them on the page."""

from __future__ import annotations

import html
from collections.abc import Sequence

from arena.analysis import Candidate
from envs import picture as pic
from envs.picture import BoardPicture, Mark, MoveSpot

UNIT = 64  # pixels per board unit at full size; the SVG scales down to its column
ROLE_COLOURS = {
    pic.BOARD: "#1d4fa3",
    pic.HOLE: "#f5f7fb",
    pic.GRID: "#333",
    pic.LABEL: "#667",
    pic.OPEN: "#dde1e8",
    pic.DRAWN: "#222",
}
HALO = "#2ca02c"  # the candidates' colour


def board_svg(picture: BoardPicture, candidates: Sequence[Candidate] = (), chosen: int | None = None) -> str:
    """The whole board; `candidates` (the search's, if any) drawn on their moves, `chosen` outlined."""
    parts = [_mark(mark, picture) for mark in picture.marks if mark.note != pic.WIN or mark.shape != pic.LINE]
    parts += [_mark(mark, picture) for mark in picture.marks if mark.note == pic.WIN and mark.shape == pic.LINE]
    spots = {spot.action: spot for spot in picture.spots}
    parts += [_candidate(spots[c.action], c, c.action == chosen) for c in candidates if c.action in spots]
    parts += [_spot(spot, picture) for spot in picture.spots]
    width, height = picture.width * UNIT, picture.height * UNIT
    return (
        f'<svg class="board" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        'style="width: 100%; max-width: 520px; height: auto; display: block; margin: 0 auto" '
        f'aria-label="the board">{"".join(parts)}</svg>'
    )


def legend_html(picture: BoardPicture, names: Sequence[str], to_play: int | None) -> str:
    """Each player's piece and name, the player to move in bold."""
    items = []
    for index, (piece, name) in enumerate(zip(picture.pieces, names, strict=False)):
        icon = f'<svg viewBox="0 0 {UNIT} {UNIT}" width="22" height="22">{_mark(piece, picture)}</svg>'
        weight = " to-play" if index == to_play else ""
        items.append(f'<span class="who{weight}">{icon} {html.escape(name)}</span>')
    return f'<div class="legend">{"".join(items)}</div>'


def _colour(role: str, picture: BoardPicture) -> str:
    if role.startswith("player-"):
        index = int(role.split("-")[1])
        return picture.colours[index % len(picture.colours)]
    if role.startswith("tone-") and picture.tones:
        return picture.tones[int(role.split("-")[1]) % len(picture.tones)]
    return ROLE_COLOURS.get(role, "#888")


def _mark(mark: Mark, picture: BoardPicture, extra: str = "") -> str:
    x, y, w, h = (value * UNIT for value in mark.box)
    colour = _colour(mark.colour, picture)
    css = f"mark {mark.shape} {mark.colour} {mark.note} {extra}".strip()
    draw = {pic.DISC: _disc, pic.RING: _ring, pic.CROSS: _cross, pic.RECT: _rect, pic.LINE: _line}.get(
        mark.shape, _text
    )
    body = draw(x, y, w, h, colour, mark)
    last = _last_dot(x, y, w, h) if mark.note == pic.LAST and mark.shape != pic.LINE else ""
    return f'<g class="{css}">{body}{last}</g>'


def _disc(x: float, y: float, w: float, h: float, colour: str, mark: Mark) -> str:
    outline = ' stroke="#111" stroke-width="5"' if mark.note == pic.WIN else ""
    return f'<circle cx="{x + w / 2:.1f}" cy="{y + h / 2:.1f}" r="{min(w, h) / 2:.1f}" fill="{colour}"{outline}/>'


def _ring(x: float, y: float, w: float, h: float, colour: str, mark: Mark) -> str:
    return (
        f'<circle cx="{x + w / 2:.1f}" cy="{y + h / 2:.1f}" r="{min(w, h) * 0.32:.1f}" fill="none" '
        f'stroke="{colour}" stroke-width="{UNIT * 0.11:.1f}"/>'
    )


def _rect(x: float, y: float, w: float, h: float, colour: str, mark: Mark) -> str:
    opacity = ' fill-opacity="0.35"' if mark.colour.startswith("player-") else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{mark.round * UNIT:.1f}" '
        f'fill="{colour}"{opacity}/>'
    )


def _text(x: float, y: float, w: float, h: float, colour: str, mark: Mark) -> str:
    size = min(h * 0.8, UNIT * 0.45, w / (0.62 * max(len(mark.text), 1)))  # the words fit their box
    return (
        f'<text x="{x + w / 2:.1f}" y="{y + h / 2:.1f}" fill="{colour}" font-size="{size:.0f}" '
        f'text-anchor="middle" dominant-baseline="central">{html.escape(mark.text)}</text>'
    )


def _cross(x: float, y: float, w: float, h: float, colour: str, mark: Mark) -> str:
    inset, width = min(w, h) * 0.22, UNIT * 0.11
    return (
        f'<path d="M{x + inset:.1f},{y + inset:.1f} L{x + w - inset:.1f},{y + h - inset:.1f} '
        f'M{x + w - inset:.1f},{y + inset:.1f} L{x + inset:.1f},{y + h - inset:.1f}" '
        f'stroke="{colour}" stroke-width="{width:.1f}" stroke-linecap="round" fill="none"/>'
    )


def _line(x: float, y: float, w: float, h: float, colour: str, mark: Mark) -> str:
    width = {pic.OPEN: 0.05, pic.DRAWN: 0.1}.get(mark.colour, 0.1) * UNIT
    if mark.note == pic.WIN:
        width = 0.14 * UNIT
    dash = ' stroke-dasharray="6 6"' if mark.colour == pic.OPEN else ""
    halo = (
        f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + w:.1f}" y2="{y + h:.1f}" stroke="#ffd400" '
        f'stroke-width="{width * 2.6:.1f}" stroke-linecap="round" opacity="0.7"/>'
        if mark.note == pic.LAST
        else ""
    )
    return (
        f'{halo}<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + w:.1f}" y2="{y + h:.1f}" stroke="{colour}" '
        f'stroke-width="{width:.1f}" stroke-linecap="round"{dash}/>'
    )


def _last_dot(x: float, y: float, w: float, h: float) -> str:
    """A small ring in the middle of the last move's piece."""
    return (
        f'<circle class="last-move" cx="{x + w / 2:.1f}" cy="{y + h / 2:.1f}" r="{min(w, h) * 0.12:.1f}" '
        'fill="none" stroke="#fff" stroke-width="3"/>'
    )


def _spot(spot: MoveSpot, picture: BoardPicture) -> str:
    """A legal move: its ghost piece (shown on hover) under a transparent target that plays it."""
    x, y, w, h = (value * UNIT for value in spot.box)
    ghost = _mark(spot.ghost, picture, "ghost") if spot.ghost is not None else ""
    return (
        f'<g class="spot" data-click="move:{spot.action}" data-action="{spot.action}">{ghost}'
        f'<rect class="target" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="transparent"/></g>'
    )


def _candidate(spot: MoveSpot, candidate: Candidate, chosen: bool) -> str:
    """A halo whose opacity is the move's visit share, its share in percent and the mover's value after it."""
    cx, cy = (value * UNIT for value in spot.anchor)
    radius = UNIT * 0.42
    value = "" if candidate.value is None else f"{candidate.value:+.2f}"
    ring = ' stroke="#0b5d0b" stroke-width="4"' if chosen else ""
    return (
        f'<g class="candidate" data-action="{candidate.action}">'
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{HALO}" '
        f'fill-opacity="{0.15 + 0.7 * candidate.visit_share:.2f}"{ring}/>'
        f'<text x="{cx:.1f}" y="{cy - UNIT * 0.08:.1f}" font-size="{UNIT * 0.24:.0f}" text-anchor="middle" '
        f'font-weight="bold" fill="#08310a">{100 * candidate.visit_share:.0f}%</text>'
        f'<text x="{cx:.1f}" y="{cy + UNIT * 0.2:.1f}" font-size="{UNIT * 0.2:.0f}" text-anchor="middle" '
        f'fill="#08310a">{value}</text></g>'
    )
