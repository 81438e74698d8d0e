"""``cx.lint``: warnings about journeys that are legal but suspicious.

Each warning is a :class:`~cxgraph.Problem` with a stable code (documented
with the validation codes in ``docs/problems.md``), a ``$.`` path to the part
of the file it is about and a message that says how to fix it. Warnings come
in document order, so they read top to bottom alongside the file.
"""

from __future__ import annotations

from typing import cast

import networkx as nx

from cxgraph.analyses.flow import CUSTOMER_LANES
from cxgraph.errors import Problem
from cxgraph.graph import compile_graph, entry_weights, persona_reach, persona_steps
from cxgraph.model.checks import in_document_order
from cxgraph.model.classes import DecisionPoint, Journey, Outcome, Step, Touchpoint

__all__ = ["LINT_CODES", "lint"]

#: Every code :func:`lint` can give, in the order of the docs' table.
LINT_CODES: tuple[str, ...] = (
    "no_entry",
    "duplicate_entry",
    "unreachable",
    "dead_end",
    "few_options",
    "no_owner",
    "no_channel",
    "phase_backwards",
    "mot_without_metric",
    "backstage_facing_customer",
    "persona_unserved",
    "persona_step_unreached",
)

_INTERNAL_LANES = ("backstage", "support")


def _flow_graph(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """The customer flow: transitions and hand-offs, no triggers."""
    triggers = [(u, v) for u, v, d in graph.edges(data=True) if d["kind"] == "trigger"]
    return nx.restricted_view(graph, [], triggers)  # type: ignore[return-value]


def _reach(graph: nx.DiGraph[str], sources: list[str]) -> set[str]:
    seen: set[str] = set()
    for s in sources:
        if s in graph and s not in seen:
            seen |= nx.descendants(graph, s) | {s}
    return seen


def lint(journey: Journey) -> tuple[Problem, ...]:
    """Return warnings about a valid journey that is legal but suspicious.

    Codes, each documented with an example in ``docs/problems.md``:

    - ``no_entry``: no step can start the journey (every step has an inflow
      and no entries are declared);
    - ``duplicate_entry``: a step listed twice under ``entries``;
    - ``unreachable``: a step no entry reaches by any edge, triggers included;
    - ``dead_end``: a step other than an outcome with no transition or
      hand-off out of it, outside ancillary flows (steps reached only through
      triggers, which may simply end);
    - ``few_options``: a decision point with fewer than two ways on;
    - ``no_owner``: a touchpoint with no owner (one warning for the whole
      journey when it defines no owners at all);
    - ``no_channel``: a touchpoint in the customer or frontstage lane with no
      channel (backstage and support steps need none; one warning when the
      journey defines no channels at all);
    - ``phase_backwards``: a transition or hand-off into an earlier phase
      with no ``label`` saying the loop is meant;
    - ``mot_without_metric``: a declared moment of truth with no metric;
    - ``backstage_facing_customer``: a transition or hand-off joining a
      customer step (customer lane, or a customer's decision) directly to a
      backstage or support step;
    - ``persona_unserved``: a persona that no path from an entry to an
      outcome serves throughout (every touchpoint on it lists other personas);
    - ``persona_step_unreached``: a touchpoint that lists a persona whose
      journeys never reach it (every way there passes a touchpoint whose
      personas leave that persona out; :func:`cxgraph.for_persona` drops it).

    Parameters
    ----------
    journey
        A :class:`~cxgraph.Journey` (always valid: building one validates it).

    Returns
    -------
    tuple of Problem
        The warnings in document order; empty when there is nothing to say.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A", owner="web", channel="site")],
    ...     owners=[cx.Owner(id="web", name="Web team", kind="team")],
    ...     channels=[cx.Channel(id="site", name="Website", kind="digital")])
    >>> for p in cx.lint(j):
    ...     print(p.code, "|", p)
    dead_end | $.touchpoints[0]: 'a' is a dead end: it is not an outcome and no transition or hand-off leads on from it; add one to the next step or to an outcome
    """  # noqa: E501
    # Typed callers cannot get here; untyped ones get a clear error, not an AttributeError.
    if not isinstance(cast(object, journey), Journey):
        msg = f"lint() takes a Journey, got {type(journey).__name__}"
        raise TypeError(msg)
    graph = compile_graph(journey)
    flow = _flow_graph(graph)
    where: dict[str, str] = {}
    for name in ("touchpoints", "decision_points", "outcomes"):
        for i, s in enumerate(getattr(journey, name)):
            where[s.id] = f"$.{name}[{i}]"
    entries = list(entry_weights(journey)[0])
    out: list[Problem] = []
    out += _entry_problems(journey, entries)
    out += _step_problems(journey, graph, flow, entries, where)
    out += _edge_problems(journey, graph)
    out += _persona_problems(journey, flow, entries)
    out += _persona_steps(journey, graph, entries)
    if not out:
        return ()
    from cxgraph.readwrite.converter import document_outline

    return tuple(in_document_order(out, document_outline(journey, (p.path for p in out))))


def _entry_problems(journey: Journey, entries: list[str]) -> list[Problem]:
    out: list[Problem] = []
    if journey.steps and not entries:
        out.append(
            Problem(
                "$.entries",
                "no_entry",
                "no step can start the journey: every step has a transition, hand-off or "
                "trigger into it and no entries are declared; list where journeys start "
                "under entries",
            )
        )
    first: dict[str, int] = {}
    for i, e in enumerate(journey.entries):
        if e.step in first:
            out.append(
                Problem(
                    f"$.entries[{i}]",
                    "duplicate_entry",
                    f"step {e.step!r} is listed as an entry twice (first at "
                    f"$.entries[{first[e.step]}]): keep one, with the combined probability "
                    "or count",
                )
            )
        else:
            first[e.step] = i
    return out


def _step_problems(
    journey: Journey,
    graph: nx.DiGraph[str],
    flow: nx.DiGraph[str],
    entries: list[str],
    where: dict[str, str],
) -> list[Problem]:
    out: list[Problem] = []
    reachable = _reach(graph, entries)
    customer = _reach(flow, entries)
    for s in journey.steps:
        # With no entry at all, no_entry already says it; one warning per step adds nothing.
        if entries and s.id not in reachable:
            out.append(
                Problem(
                    where[s.id],
                    "unreachable",
                    f"{s.id!r} cannot be reached from any entry (by transitions, hand-offs "
                    "or triggers): add an edge into it, list it under entries, or remove it",
                )
            )
        if isinstance(s, Outcome):
            continue
        n_out = flow.out_degree(s.id)
        ancillary = s.id in reachable and s.id not in customer
        if n_out == 0 and not ancillary:
            if graph.out_degree(s.id):
                text = (
                    f"{s.id!r} is a dead end for the customer: only triggers leave it, and a "
                    "trigger does not move the customer; add a transition or hand-off to the "
                    "next step or to an outcome"
                )
            else:
                text = (
                    f"{s.id!r} is a dead end: it is not an outcome and no transition or "
                    "hand-off leads on from it; add one to the next step or to an outcome"
                )
            out.append(Problem(where[s.id], "dead_end", text))
        if isinstance(s, DecisionPoint) and n_out < 2:
            options = f"{n_out} option{'s' if n_out != 1 else ''}"
            out.append(
                Problem(
                    where[s.id],
                    "few_options",
                    f"decision {s.id!r} has {options}: a decision needs at least two ways "
                    "on; add the missing options, or make it a touchpoint",
                )
            )
    out += _touchpoint_problems(journey, where)
    return out


def _touchpoint_problems(journey: Journey, where: dict[str, str]) -> list[Problem]:
    out: list[Problem] = []
    tps = journey.touchpoints
    facing = [t for t in tps if t.lane in CUSTOMER_LANES]
    # A journey with no owners (or channels) at all, such as one discovered from
    # an event log, gets one warning rather than one per touchpoint.
    if tps and not journey.owners:
        out.append(
            Problem(
                "$.owners",
                "no_owner",
                f"the journey defines no owners, so nobody is accountable for any of its "
                f"{len(tps)} touchpoint{'s' if len(tps) != 1 else ''}: add the teams, roles "
                "or systems responsible and set each touchpoint's owner",
            )
        )
    if facing and not journey.channels:
        out.append(
            Problem(
                "$.channels",
                "no_channel",
                f"the journey defines no channels, so none of its {len(facing)} "
                f"customer-facing touchpoint{'s' if len(facing) != 1 else ''} says where it "
                "happens: add channels (web, phone, store, ...) and set each touchpoint's "
                "channel",
            )
        )
    for s in tps:
        if s.owner is None and journey.owners:
            out.append(
                Problem(
                    where[s.id],
                    "no_owner",
                    f"touchpoint {s.id!r} has no owner, so nobody is accountable for it: set "
                    "owner to the team, role or system responsible",
                )
            )
        # Backstage and support steps are internal; they have no customer channel.
        if s.channel is None and s.lane in CUSTOMER_LANES and journey.channels:
            out.append(
                Problem(
                    where[s.id],
                    "no_channel",
                    f"touchpoint {s.id!r} faces the customer (lane {s.lane!r}) but has no "
                    "channel: set channel to where it happens",
                )
            )
        if s.moment_of_truth and not s.metrics:
            out.append(
                Problem(
                    where[s.id],
                    "mot_without_metric",
                    f"{s.id!r} is a declared moment of truth with no metric to watch it: add "
                    "one (csat, ces, nps, conversion, ...) under metrics",
                )
            )
    return out


def _edge_problems(journey: Journey, graph: nx.DiGraph[str]) -> list[Problem]:
    out: list[Problem] = []
    steps = {s.id: s for s in journey.steps}
    for name in ("transitions", "handoffs"):
        for i, e in enumerate(getattr(journey, name)):
            path = f"$.{name}[{i}]"
            u, v = e.source, e.target
            iu, iv = graph.nodes[u]["phase_index"], graph.nodes[v]["phase_index"]
            if iu is not None and iv is not None and iv < iu and not e.label:
                out.append(
                    Problem(
                        path,
                        "phase_backwards",
                        f"{u!r} -> {v!r} goes back from phase {journey.phases[iu].id!r} to "
                        f"the earlier {journey.phases[iv].id!r}: if this loop is meant, give "
                        "the edge a label saying why; else check the steps' phases",
                    )
                )
            su, sv = steps[u], steps[v]
            if (_faces_customer(su) and _is_internal(sv)) or (
                _is_internal(su) and _faces_customer(sv)
            ):
                inner = sv if _is_internal(sv) else su
                lane = inner.lane if isinstance(inner, Touchpoint) else ""
                out.append(
                    Problem(
                        path,
                        "backstage_facing_customer",
                        f"{u!r} -> {v!r} joins the customer directly to {inner.id!r} in the "
                        f"{lane} lane, behind the line of visibility; put a frontstage "
                        "touchpoint between them, or use a trigger if the customer does not "
                        "wait for it",
                    )
                )
    return out


def _faces_customer(step: Step) -> bool:
    if isinstance(step, Touchpoint):
        return step.lane == "customer"
    return isinstance(step, DecisionPoint) and step.decided_by == "customer"


def _is_internal(step: Step) -> bool:
    return isinstance(step, Touchpoint) and step.lane in _INTERNAL_LANES


def _persona_problems(journey: Journey, flow: nx.DiGraph[str], entries: list[str]) -> list[Problem]:
    """Personas that no path from an entry to an outcome serves throughout."""
    out: list[Problem] = []
    outcomes = {o.id for o in journey.outcomes}
    if not entries:
        return out
    for i, persona in enumerate(journey.personas):
        sub = flow.subgraph(persona_steps(journey, persona.id))
        reached = _reach(sub, [e for e in entries if e in sub])
        ok = bool(reached & outcomes) if outcomes else bool(reached)
        if not ok:
            target = "to an outcome " if outcomes else ""
            out.append(
                Problem(
                    f"$.personas[{i}]",
                    "persona_unserved",
                    f"no path from an entry {target}serves persona {persona.id!r} "
                    "throughout: each one passes a touchpoint whose personas leave it out; "
                    "add it to those touchpoints' personas, or add touchpoints for it",
                )
            )
    return out


def _persona_steps(journey: Journey, graph: nx.DiGraph[str], entries: list[str]) -> list[Problem]:
    """Touchpoints that list a persona whose journeys never reach them."""
    out: list[Problem] = []
    # A touchpoint no entry reaches at all is unreachable for everyone: that
    # warning says it once.
    reached = _reach(graph, entries)
    listed = [(i, t) for i, t in enumerate(journey.touchpoints) if t.personas and t.id in reached]
    for persona in journey.personas:
        p = persona.id
        starts, reach = persona_reach(journey, p)
        if not starts:  # no entry is the persona's: persona_unserved says so once
            continue
        # Where the persona's journey stops: the first steps past it (touchpoints
        # for others); each warning names those from which its touchpoint is reached.
        past = {v for u in reach for v in graph.successors(u) if v not in reach}
        for i, t in listed:
            if p not in t.personas or t.id in reach:
                continue
            stops = past & (nx.ancestors(graph, t.id) | {t.id})
            blocking = [s.id for s in journey.touchpoints if s.id in stops]
            shown = ", ".join(repr(b) for b in blocking[:3]) + (
                ", ..." if len(blocking) > 3 else ""
            )
            way = (
                f"each way there passes {'one of ' if len(blocking) > 1 else ''}{shown}, "
                f"whose personas leave {p!r} out"
                if blocking
                else f"no edge leads there from the steps {p!r} takes"
            )
            at = t.personas.index(p)
            out.append(
                Problem(
                    f"$.touchpoints[{i}].personas[{at}]",
                    "persona_step_unreached",
                    f"touchpoint {t.id!r} lists persona {p!r}, but no journey of {p!r} "
                    f"reaches it: {way}; add {p!r} to the personas of a touchpoint on the "
                    f"way, or take {p!r} off this one",
                )
            )
    return out
