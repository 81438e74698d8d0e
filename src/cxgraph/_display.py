"""HTML for Jupyter: escaped, inline CSS only, no JavaScript, never raising."""

from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxgraph.model import Journey

_TABLE = "border-collapse:collapse;font-size:12px;margin:4px 0"
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left"


def esc(value: object) -> str:
    """Escape any value for HTML text or attributes."""
    return html.escape(str(value), quote=True)


def table(header: list[str], rows: list[list[object]]) -> str:
    """A small inline-styled HTML table; every cell escaped."""
    head = "".join(f'<th style="{_CELL}">{esc(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{esc(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def safe_html(render: object, fallback: str) -> str:
    """Call ``render()``; on any failure show the text fallback in <pre>."""
    try:
        return str(render())  # type: ignore[operator]
    except Exception:  # display must never raise in a notebook
        return f"<pre>{esc(fallback)}</pre>"


def journey_html(journey: Journey) -> str:
    """A journey's summary: counts and a phase by owner table of its steps."""

    def render() -> str:
        counts = [
            ("steps", len(journey.steps)),
            ("touchpoints", len(journey.touchpoints)),
            ("decision points", len(journey.decision_points)),
            ("outcomes", len(journey.outcomes)),
            ("transitions", len(journey.transitions)),
            ("hand-offs", len(journey.handoffs)),
            ("triggers", len(journey.triggers)),
            ("owners", len(journey.owners)),
            ("personas", len(journey.personas)),
        ]
        summary = ", ".join(f"{n} {esc(k)}" for k, n in counts)
        phase_names = {p.id: p.name for p in journey.phases}
        owner_names = {o.id: o.name for o in journey.owners}
        cells: Counter[tuple[str, str]] = Counter()
        for s in (*journey.touchpoints, *journey.decision_points):
            phase = phase_names.get(s.phase or "", "(no phase)")
            owner = owner_names.get(s.owner or "", "(customer / no owner)")
            cells[phase, owner] += 1
        phases = [p.name for p in journey.phases] + (
            ["(no phase)"] if any(k[0] == "(no phase)" for k in cells) else []
        )
        owners = sorted({k[1] for k in cells})
        rows: list[list[object]] = [
            [o, *(cells.get((p, o), "") for p in phases)] for o in owners
        ]
        state = "" if journey.state == "current" else f" ({esc(journey.state)} state)"
        return (
            f'<div style="font-family:sans-serif">'
            f"<strong>Journey {esc(journey.name)}</strong> <code>{esc(journey.id)}</code>{state}"
            f"<p>{summary}</p>"
            f"{table(['owner', *phases], rows) if rows else ''}"
            f"<pre style='display:none'>{esc(repr(journey))}</pre></div>"
        )

    return safe_html(render, repr(journey))
