"""``cx.lint``: warnings about journeys that are legal but suspicious."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from cxgraph.errors import Problem
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model import DecisionPoint, Journey, Outcome, Touchpoint

__all__ = ["lint"]

_CUSTOMER_LANES = ("customer", "frontstage")
_INTERNAL_LANES = ("backstage", "support")


def _flow_graph(G: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """The customer flow: transitions and hand-offs, no triggers."""
    return nx.restricted_view(  # type: ignore[return-value]
        G, [], [(u, v) for u, v, k in G.edges(data="kind") if k == "trigger"]
    )


def _reach(G: nx.DiGraph[str], sources: list[str]) -> set[str]:
    seen: set[str] = set()
    for s in sources:
        if s in G and s not in seen:
            seen |= nx.descendants(G, s) | {s}
    return seen


def lint(journey: Journey) -> tuple[Problem, ...]:
    """Return warnings about a valid journey that is legal but suspicious.

    Codes: ``unreachable``, ``dead_end``, ``few_options``, ``no_owner``,
    ``no_channel``, ``phase_backwards``, ``mot_without_metric``,
    ``backstage_facing_customer``, ``persona_unserved`` (see the problem-code
    table in the docs).

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A", owner="web", channel="site")],
    ...     owners=[cx.Owner(id="web", name="Web team", kind="team")],
    ...     channels=[cx.Channel(id="site", name="Website", kind="digital")])
    >>> for p in cx.lint(j):
    ...     print(p)
    $.touchpoints[0]: 'a' is a dead end: it is not an outcome and nothing leads on from it
    """
    G = compile_graph(journey)
    flow = _flow_graph(G)
    out: list[Problem] = []
    where: dict[str, str] = {}
    for name in ("touchpoints", "decision_points", "outcomes"):
        for i, s in enumerate(getattr(journey, name)):
            where[s.id] = f"$.{name}[{i}]"
    entries = list(entry_weights(journey)[0])
    reachable = _reach(G, entries)
    customer = _reach(flow, entries)
    for s in journey.steps:
        if s.id not in reachable:
            out.append(
                Problem(
                    where[s.id],
                    "unreachable",
                    f"{s.id!r} cannot be reached from any entry (by transitions, hand-offs "
                    "or triggers)",
                )
            )
    for s in journey.steps:
        if isinstance(s, Outcome):
            continue
        n_out = flow.out_degree(s.id)
        ancillary = s.id in reachable and s.id not in customer
        if n_out == 0 and not ancillary and G.out_degree(s.id) == 0:
            out.append(
                Problem(
                    where[s.id],
                    "dead_end",
                    f"{s.id!r} is a dead end: it is not an outcome and nothing leads on from it",
                )
            )
        if isinstance(s, DecisionPoint) and n_out < 2:
            out.append(
                Problem(
                    where[s.id],
                    "few_options",
                    f"decision {s.id!r} has {n_out} option{'s' if n_out != 1 else ''}; "
                    "a decision needs at least two ways on",
                )
            )
    for s in journey.touchpoints:
        if s.owner is None:
            out.append(
                Problem(
                    where[s.id],
                    "no_owner",
                    f"touchpoint {s.id!r} has no owner: nobody is accountable for it",
                )
            )
        # Backstage and support steps are internal; they have no customer channel.
        if s.channel is None and s.lane in _CUSTOMER_LANES:
            out.append(
                Problem(
                    where[s.id],
                    "no_channel",
                    f"touchpoint {s.id!r} faces the customer but has no channel",
                )
            )
        if s.moment_of_truth and not s.metrics:
            out.append(
                Problem(
                    where[s.id],
                    "mot_without_metric",
                    f"{s.id!r} is a declared moment of truth with no metric to watch it",
                )
            )
    edge_where = {}
    for name in ("transitions", "handoffs"):
        for i, e in enumerate(getattr(journey, name)):
            edge_where[e.source, e.target] = (f"$.{name}[{i}]", e.label)
    for (u, v), (path, label) in edge_where.items():
        iu, iv = G.nodes[u]["phase_index"], G.nodes[v]["phase_index"]
        if iu is not None and iv is not None and iv < iu and not label:
            out.append(
                Problem(
                    path,
                    "phase_backwards",
                    f"{u!r} -> {v!r} goes back from phase {journey.phases[iu].id!r} to "
                    f"{journey.phases[iv].id!r}: give the edge a label if this loop is meant",
                )
            )
        su, sv = journey.step(u), journey.step(v)
        if _faces_customer(su) and _is_internal(sv) or _is_internal(su) and _faces_customer(sv):
            out.append(
                Problem(
                    path,
                    "backstage_facing_customer",
                    f"{u!r} -> {v!r} joins the customer directly to a backstage step; "
                    "put a frontstage touchpoint between them",
                )
            )
    out += _persona_problems(journey, flow, entries)
    return tuple(out)


def _faces_customer(step: object) -> bool:
    if isinstance(step, Touchpoint):
        return step.lane == "customer"
    return isinstance(step, DecisionPoint) and step.decided_by == "customer"


def _is_internal(step: object) -> bool:
    return isinstance(step, Touchpoint) and step.lane in _INTERNAL_LANES


def _persona_problems(
    journey: Journey, flow: nx.DiGraph[str], entries: list[str]
) -> list[Problem]:
    """Personas that no path from an entry to an outcome serves throughout."""
    out: list[Problem] = []
    outcomes = {o.id for o in journey.outcomes}
    serves: dict[str, set[str]] = defaultdict(set)
    for t in journey.touchpoints:
        for p in t.personas:
            serves[p].add(t.id)
    for i, persona in enumerate(journey.personas):
        allowed = [
            s.id
            for s in journey.steps
            if not isinstance(s, Touchpoint) or not s.personas or s.id in serves[persona.id]
        ]
        sub = flow.subgraph(allowed)
        reached = _reach(sub, [e for e in entries if e in sub])
        ok = bool(reached & outcomes) if outcomes else bool(reached)
        if not ok:
            out.append(
                Problem(
                    f"$.personas[{i}]",
                    "persona_unserved",
                    f"no path from an entry {'to an outcome ' if outcomes else ''}serves "
                    f"persona {persona.id!r} throughout",
                )
            )
    return out
