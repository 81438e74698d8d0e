"""The journey's own HTML view for Jupyter: counts and a phase by owner table, never raising."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey

from cxgraph._util.html import BOX, MUTED, esc, safe_html, table
from cxgraph.model.owners import owner_silos


def state_text(journey: Journey) -> str:
    version = f"version {esc(journey.version)}, " if journey.version else ""
    return f"{version}{esc(journey.state)} state; "


def journey_html(journey: Journey) -> str:
    """A journey's summary: counts and a phase by owner table of its steps.

    The model runs no analyses, so this shows only what the journey holds.
    Rows are owners (sorted by name), columns phases in journey order; a
    cell counts the touchpoints and decision points of that owner in that
    phase.
    """

    def render() -> str:
        counts = [
            ("steps", len(journey.steps)),
            ("touchpoints", len(journey.touchpoints)),
            ("decision points", len(journey.decision_points)),
            ("outcomes", len(journey.outcomes)),
            ("transitions", len(journey.transitions)),
            ("hand-offs", len(journey.handoffs)),
            ("triggers", len(journey.triggers)),
            ("phases", len(journey.phases)),
            ("owners", len(journey.owners)),
            ("silos", len(set(owner_silos(journey).values()))),
            ("channels", len(journey.channels)),
            ("personas", len(journey.personas)),
        ]
        summary = ", ".join(f"{n} {k}" for k, n in counts)
        # Keyed by id (names need not be unique); None is "no phase" / "no owner".
        cells: Counter[tuple[str | None, str | None]] = Counter()
        for tp in journey.touchpoints:
            cells[tp.phase, tp.owner] += 1
        for dp in journey.decision_points:
            cells[dp.phase, dp.owner] += 1
        phases: list[str | None] = [p.id for p in journey.phases]
        if any(k[0] is None for k in cells):
            phases.append(None)
        names = {o.id: o.name for o in journey.owners}
        owned = {k[1] for k in cells if k[1] is not None}
        owners: list[str | None] = [*sorted(owned, key=lambda o: (names[o], o))]
        if any(k[1] is None for k in cells):
            owners.append(None)
        phase_names = {p.id: p.name for p in journey.phases}
        header = [
            "owner / phase",
            *(phase_names[p] if p is not None else "(no phase)" for p in phases),
        ]
        rows: list[list[object]] = [
            [
                names[o] if o is not None else "(customer / no owner)",
                *(cells.get((p, o), "") for p in phases),
            ]
            for o in owners
        ]
        description = (
            f'<div style="{MUTED}">{esc(journey.description)}</div>' if journey.description else ""
        )
        grid = table(header, rows) if rows else ""
        return (
            f'<div style="{BOX}"><div style="font-size:15px;font-weight:600">'
            f"Journey {esc(journey.name)} "
            f'<code style="font-weight:400">{esc(journey.id)}</code></div>'
            f'<div style="{MUTED}">{state_text(journey)}{summary}</div>'
            f"{description}{grid}</div>"
        )

    return safe_html(render, lambda: repr(journey))
