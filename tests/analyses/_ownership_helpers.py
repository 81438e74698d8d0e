"""Small journeys for the hand-off and silo tests, written in a line each.

Steps: ``tp("a", "sales")`` is a touchpoint owned by ``sales``,
``cd("ready")`` a customer decision, ``ed("ok", "desk")`` an employee
decision, ``out("won")`` an outcome. :func:`journey` declares every owner
and channel the steps and edges name (owners as departments unless
``parents`` gives a parent), so a test states only what it is about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import cxgraph as cx

Step = cx.Touchpoint | cx.DecisionPoint | cx.Outcome
Edge = tuple[str, str] | tuple[str, str, float]


def tp(sid: str, owner: str | None = None, **fields: Any) -> cx.Touchpoint:
    """A touchpoint (frontstage unless ``lane`` says otherwise)."""
    return cx.Touchpoint(id=sid, name=sid.title(), owner=owner, **fields)


def cd(sid: str) -> cx.DecisionPoint:
    """A customer decision: no owner, transparent for ownership."""
    return cx.DecisionPoint(id=sid, name=f"{sid.title()}?", decided_by="customer")


def ed(sid: str, owner: str) -> cx.DecisionPoint:
    """An employee decision, owned."""
    return cx.DecisionPoint(id=sid, name=f"{sid.title()}?", decided_by="employee", owner=owner)


def out(sid: str, kind: str = "success") -> cx.Outcome:
    """An outcome."""
    return cx.Outcome(id=sid, name=sid.title(), kind=kind)  # type: ignore[arg-type]


def _edge_fields(e: Edge) -> dict[str, Any]:
    return {"source": e[0], "target": e[1], **({"probability": e[2]} if len(e) == 3 else {})}


def journey(
    *steps: Step,
    transitions: Iterable[Edge] = (),
    handoffs: Iterable[cx.Handoff] = (),
    triggers: Iterable[cx.Trigger] = (),
    entries: Iterable[str | cx.Entry] = (),
    parents: Mapping[str, str] | None = None,
) -> cx.Journey:
    """A journey of these steps and edges; owners and channels are declared as needed."""
    parents = dict(parents or {})
    handoffs, triggers = list(handoffs), list(triggers)
    named: list[str] = []
    for o in (
        *(getattr(s, "owner", None) for s in steps),
        *(e.owner for e in (*handoffs, *triggers)),
        *parents,
        *parents.values(),
    ):
        if o is not None and o not in named:
            named.append(o)
    channels: list[str] = []
    for s in steps:
        ch = getattr(s, "channel", None)
        if ch is not None and ch not in channels:
            channels.append(ch)
    return cx.Journey(
        id="j",
        name="Test journey",
        owners=[
            cx.Owner(id=o, name=o.title(), kind="department", parent=parents.get(o)) for o in named
        ],
        channels=[cx.Channel(id=c, name=c.title(), kind="digital") for c in channels],
        touchpoints=[s for s in steps if isinstance(s, cx.Touchpoint)],
        decision_points=[s for s in steps if isinstance(s, cx.DecisionPoint)],
        outcomes=[s for s in steps if isinstance(s, cx.Outcome)],
        transitions=[cx.Transition(**_edge_fields(e)) for e in transitions],
        handoffs=handoffs,
        triggers=triggers,
        entries=list(entries),
    )
