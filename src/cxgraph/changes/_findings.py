"""The compared findings and headline numbers of one journey version, for :func:`diff`.

Each version's analyses run once (inside the shared cache ``diff`` opens) and
both the keyed findings and the measures are read off the same results.
"""

from __future__ import annotations

from typing import Any

from cxgraph.analyses.branches import branches
from cxgraph.analyses.handoffs import UnownedHandoffs, unowned_handoffs
from cxgraph.analyses.lint import lint
from cxgraph.analyses.markov import markov
from cxgraph.analyses.moments import MomentsOfTruth, moments_of_truth
from cxgraph.analyses.silos import SiloBoundaries, silo_boundaries
from cxgraph.errors import CxgraphError
from cxgraph.model.classes import Journey


def lint_keys(j: Journey) -> dict[str, Any]:
    """``code:thing`` for every lint warning: the step, edge, persona or path it is about."""
    lists: dict[str, tuple[Any, ...]] = {
        "touchpoints": j.touchpoints,
        "decision_points": j.decision_points,
        "outcomes": j.outcomes,
        "personas": j.personas,
    }
    edges: dict[str, tuple[Any, ...]] = {
        "transitions": j.transitions,
        "handoffs": j.handoffs,
        "triggers": j.triggers,
    }
    out: dict[str, Any] = {}
    for p in lint(j):
        thing = p.path
        head, _, rest = p.path.removeprefix("$.").partition("[")
        index = rest.split("]", 1)[0]
        if index.isdigit() and rest.endswith("]") and rest.count("]") == 1:
            i = int(index)
            if head in lists and i < len(lists[head]):
                thing = lists[head][i].id
            elif head in edges and i < len(edges[head]):
                e = edges[head][i]
                thing = f"{e.source}>{e.target}"
            elif head == "entries" and i < len(j.entries):
                thing = j.entries[i].step
        out.setdefault(f"{p.code}:{thing}", {"code": p.code, "path": p.path, "message": p.message})
    return out


def analyses(j: Journey) -> tuple[UnownedHandoffs, SiloBoundaries, MomentsOfTruth]:
    """The three compared analyses, run once each (findings and measures share them)."""
    return unowned_handoffs(j), silo_boundaries(j), moments_of_truth(j)


def findings(
    j: Journey, uh: UnownedHandoffs, sb: SiloBoundaries, mot: MomentsOfTruth
) -> dict[str, dict[str, Any]]:
    """The keyed findings of each compared analysis, and the customer-visible crossings.

    The values are the findings themselves (lint's as plain dicts); only those
    introduced or resolved are made plain, by the caller.
    """
    return {
        "unowned_handoffs": {f"{f.source}>{f.target}:{f.reason}": f for f in uh.findings},
        "silo_boundaries": {f"{f.source}>{f.target}": f for f in sb.findings},
        "moments_of_truth": {f.step: f for f in mot.findings},
        "lint": lint_keys(j),
    }


def measures(
    j: Journey, uh: UnownedHandoffs, sb: SiloBoundaries, mot: MomentsOfTruth
) -> dict[str, float | None]:
    conv: float | None = None
    steps: float | None = None
    try:
        model = markov(j)
    except CxgraphError:
        pass
    else:
        conv, steps = model.conversion_probability, model.expected_steps
    return {
        "steps": len(j.steps),
        "edges": len(j.edges),
        "owners": len(j.owners),
        "unowned_handoffs": len(uh.chains),
        "silo_crossings": len(sb.findings),
        "customer_visible_crossings": sb.customer_visible,
        "moments_of_truth": len(mot.findings),
        "path_count": branches(j, max_paths=1).path_count,
        "conversion_probability": conv,
        "expected_steps": steps,
    }
