"""Compile a journey to a networkx DiGraph, and rebuild it from one.

One node per step, keyed by its id, with ``kind`` (``touchpoint``,
``decision`` or ``outcome``), every field of the step (an Outcome's own kind
is ``outcome_kind``), the resolved ``silo`` of its owner and its
``phase_index``. One edge per transition, hand-off or trigger, with ``kind``,
every field of its model object, the owners of its two ends (``from_owner``,
``to_owner``) and ``index``, its position in the journey's list of that kind.
``G.graph`` carries provenance and every other journey field, so
:func:`from_graph` rebuilds the journey exactly.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(
...     id="j", name="J",
...     owners=[cx.Owner(id="sales", name="Sales", kind="department"),
...             cx.Owner(id="sdr", name="SDR team", kind="team", parent="sales")],
...     touchpoints=[cx.Touchpoint(id="call", name="Discovery call", owner="sdr")],
...     outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
...     transitions=[cx.Transition(source="call", target="won", probability=1.0)],
... )
>>> G = cx.compile_graph(j)
>>> G.nodes["call"]["silo"], G.nodes["won"]["outcome_kind"]
('sales', 'success')
>>> G.edges["call", "won"]["kind"], G.graph["journey"]
('transition', 'j')
>>> cx.from_graph(G) == j
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import attrs
import networkx as nx

from cxgraph._util.cache import cached
from cxgraph._util.graphs import digraph
from cxgraph._version import __version__
from cxgraph.errors import CxgraphError
from cxgraph.model.classes import (
    DecisionPoint,
    Handoff,
    Journey,
    Outcome,
    Step,
    Touchpoint,
    Transition,
    Trigger,
)
from cxgraph.model.owners import owner_silos

__all__ = [
    "compile_graph",
    "entry_weights",
    "from_graph",
    "owner_silos",
    "persona_reach",
    "persona_steps",
    "step_owner",
]

STEP_KINDS: dict[type, str] = {
    Touchpoint: "touchpoint",
    DecisionPoint: "decision",
    Outcome: "outcome",
}
EDGE_KINDS: dict[type, str] = {Transition: "transition", Handoff: "handoff", Trigger: "trigger"}
_STEP_CLASSES = {v: k for k, v in STEP_KINDS.items()}
_EDGE_CLASSES = {v: k for k, v in EDGE_KINDS.items()}
#: Journey fields kept whole in ``G.graph`` (steps and edges live on nodes and edges).
GRAPH_FIELDS = (
    "name",
    "description",
    "personas",
    "phases",
    "owners",
    "channels",
    "systems",
    "dimensions",
    "entries",
    "extensions",
)
_PROVENANCE = ("journey", "version", "state", "cxgraph_version")


def step_owner(step: Step) -> str | None:
    """The owner of a step; outcomes have none."""
    return None if isinstance(step, Outcome) else step.owner


def compile_graph(journey: Journey) -> nx.DiGraph[str]:
    """Compile a journey to a directed graph with provenance.

    Parameters
    ----------
    journey
        A valid :class:`~cxgraph.Journey`.

    Returns
    -------
    networkx.DiGraph
        Nodes are step ids; see the module docstring for the attributes.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J", phases=[cx.Phase(id="p1", name="P1")],
    ...     touchpoints=[cx.Touchpoint(id="a", name="A", phase="p1"),
    ...                  cx.Touchpoint(id="b", name="B")],
    ...     handoffs=[cx.Handoff(source="a", target="b", carries=["order no."])])
    >>> G = compile_graph(j)
    >>> G.nodes["a"]["phase_index"], G.nodes["b"]["phase_index"]
    (0, None)
    >>> G.edges["a", "b"]["carries"], G.edges["a", "b"]["index"]
    (('order no.',), 0)
    """
    if not isinstance(journey, Journey):
        msg = f"compile_graph() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    return cached(journey, "graph", lambda: _compile(journey))


def _fields(obj: Any) -> dict[str, Any]:
    """``attrs.asdict(obj, recurse=False)``, without its per-call overhead."""
    make = _FIELD_MAKERS.get(type(obj))
    if make is None:
        # One dict display per model class, made the way attrs makes its
        # methods: ``{'id': o.id, ...}`` is twice as fast as a comprehension
        # of getattr calls, on every step and edge of a journey. The names
        # are the class's own attrs fields, never user input.
        names = [a.name for a in attrs.fields(type(obj))]
        source = "lambda o: {" + ", ".join(f"{n!r}: o.{n}" for n in names) + "}"
        make = _FIELD_MAKERS[type(obj)] = eval(source)
    return make(obj)


_FIELD_MAKERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _compile(journey: Journey) -> nx.DiGraph[str]:
    silos = owner_silos(journey)
    phase_index = {p.id: i for i, p in enumerate(journey.phases)}
    owners: dict[str, str | None] = {}
    nodes: list[tuple[str, dict[str, Any]]] = []
    for step in journey.steps:
        attrs_ = _fields(step)
        if isinstance(step, Outcome):
            attrs_["outcome_kind"] = attrs_.pop("kind")
        owner = step_owner(step)
        owners[step.id] = owner
        phase = None if isinstance(step, Outcome) else step.phase
        data: dict[str, Any] = {"kind": STEP_KINDS[type(step)]}
        data.update(attrs_)
        data["silo"] = silos.get(owner) if owner is not None else None
        data["phase_index"] = phase_index.get(phase) if phase is not None else None
        nodes.append((step.id, data))
    groups: tuple[tuple[Transition | Handoff | Trigger, ...], ...] = (
        journey.transitions,
        journey.handoffs,
        journey.triggers,
    )
    edges: list[tuple[str, str, dict[str, Any]]] = []
    for group in groups:
        for i, edge in enumerate(group):
            edata: dict[str, Any] = {"kind": EDGE_KINDS[type(edge)]}
            edata.update(_fields(edge))
            edata["from_owner"] = owners.get(edge.source)
            edata["to_owner"] = owners.get(edge.target)
            edata["index"] = i
            edges.append((edge.source, edge.target, edata))
    # In one pass, as add_node and add_edge one at a time would (the same
    # attributes in the same order, a repeated edge updating the first).
    G = digraph(nodes, edges)
    G.graph["journey"] = journey.id
    G.graph["version"] = journey.version
    G.graph["state"] = journey.state
    G.graph["cxgraph_version"] = __version__
    for name in GRAPH_FIELDS:
        G.graph[name] = getattr(journey, name)
    return G


def _fields_of(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    names = [f.name for f in attrs.fields(cls)]
    return {n: data[n] for n in names if n in data}


def _build(cls: type, data: Mapping[str, Any], what: str) -> Any:
    """One model object from graph attributes; a missing field is a CxgraphError."""
    fields = _fields_of(cls, data)
    missing = [
        f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING and f.name not in fields
    ]
    if missing:
        listed = ", ".join(repr(m) for m in missing)
        msg = (
            f"{what} lacks the attribute{'s' if len(missing) > 1 else ''} {listed} that "
            f"its {cls.__name__} needs (was the graph changed after compile_graph?)"
        )
        raise CxgraphError(msg)
    return cls(**fields)


def from_graph(G: nx.DiGraph[str]) -> Journey:
    """Rebuild the journey a graph was compiled from (order included).

    Raises
    ------
    CxgraphError
        If the graph was not made by :func:`compile_graph` (no provenance) or
        a node or edge lacks its ``kind`` or a required attribute.
    JourneyValidationError
        If the attributes no longer make a valid journey.
    TypeError
        If ``G`` is not a networkx DiGraph.

    Examples
    --------
    >>> import networkx as nx
    >>> from_graph(nx.DiGraph())
    Traceback (most recent call last):
    ...
    cxgraph.errors.CxgraphError: the graph has no cxgraph provenance (G.graph['journey'] is missing): build it with cxgraph.compile_graph
    """  # noqa: E501
    if not isinstance(G, nx.DiGraph):
        msg = f"from_graph() takes a DiGraph from compile_graph, got {type(G).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    missing = [k for k in ("journey", "name") if k not in G.graph]
    if missing:
        msg = (
            f"the graph has no cxgraph provenance (G.graph[{missing[0]!r}] is missing): "
            "build it with cxgraph.compile_graph"
        )
        raise CxgraphError(msg)
    steps: dict[str, list[Step]] = {"touchpoint": [], "decision": [], "outcome": []}
    for node, data in G.nodes(data=True):
        kind = data.get("kind")
        if kind not in _STEP_CLASSES:
            msg = (
                f"node {node!r} has kind {kind!r}; expected 'touchpoint', 'decision' or "
                "'outcome' (was the graph changed after compile_graph?)"
            )
            raise CxgraphError(msg)
        cls = _STEP_CLASSES[kind]
        fields = dict(data)
        del fields["kind"]  # the step kind; an Outcome's own kind is outcome_kind
        if cls is Outcome and "outcome_kind" in fields:
            fields["kind"] = fields["outcome_kind"]
        steps[kind].append(_build(cls, fields, f"node {node!r}"))
    edges: dict[str, list[tuple[int, Any]]] = {"transition": [], "handoff": [], "trigger": []}
    for u, v, data in G.edges(data=True):
        kind = data.get("kind")
        if kind not in _EDGE_CLASSES:
            msg = (
                f"edge {u!r} -> {v!r} has kind {kind!r}; expected 'transition', 'handoff' "
                "or 'trigger'"
            )
            raise CxgraphError(msg)
        cls = _EDGE_CLASSES[kind]
        edge = _build(cls, {"source": u, "target": v, **data}, f"edge {u!r} -> {v!r}")
        edges[kind].append((data.get("index", len(edges[kind])), edge))
    for group in edges.values():
        group.sort(key=lambda pair: pair[0])
    g = G.graph
    return Journey(
        id=g["journey"],
        version=g.get("version", ""),
        state=g.get("state", "current"),
        **{k: g[k] for k in GRAPH_FIELDS if k in g},
        touchpoints=tuple(cast("list[Touchpoint]", steps["touchpoint"])),
        decision_points=tuple(cast("list[DecisionPoint]", steps["decision"])),
        outcomes=tuple(cast("list[Outcome]", steps["outcome"])),
        transitions=tuple(e for _, e in edges["transition"]),
        handoffs=tuple(e for _, e in edges["handoff"]),
        triggers=tuple(e for _, e in edges["trigger"]),
    )


def entry_weights(journey: Journey) -> tuple[dict[str, float], str]:
    """Where journeys start, as step id → probability, and the basis used.

    Declared entries are weighted by ``probability``, else by ``count``, else
    equally; with no declared entries, every step with no inflow (from
    transitions, hand-offs or triggers) is an entry, equally likely.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B")],
    ...     entries=[cx.Entry(step="a", count=3), cx.Entry(step="b", count=1)])
    >>> entry_weights(j)
    ({'a': 0.75, 'b': 0.25}, 'count')
    """
    entries = journey.entries
    if not entries:
        inflow = {e.target for e in journey.edges}
        starts = [s.id for s in journey.steps if s.id not in inflow]
        return ({s: 1.0 / len(starts) for s in starts} if starts else {}), "uniform"
    if all(e.probability is not None for e in entries):
        return {e.step: float(e.probability) for e in entries}, "probability"  # type: ignore[arg-type]
    counts = [e.count for e in entries]
    if all(c is not None for c in counts) and sum(counts) > 0:  # type: ignore[arg-type]
        total = float(sum(counts))  # type: ignore[arg-type]
        return {e.step: e.count / total for e in entries}, "count"  # type: ignore[operator]
    return {e.step: 1.0 / len(entries) for e in entries}, "uniform"


def persona_steps(journey: Journey, persona: str) -> set[str]:
    """The steps one persona may take: touchpoints for everyone or that name it, all the rest.

    A touchpoint with ``personas`` empty is for everyone; decision points and
    outcomes are for everyone.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     personas=[cx.Persona(id="p", name="P"), cx.Persona(id="q", name="Q")],
    ...     touchpoints=[cx.Touchpoint(id="a", name="A"),
    ...                  cx.Touchpoint(id="b", name="B", personas=["q"])])
    >>> sorted(persona_steps(j, "p")), sorted(persona_steps(j, "q"))
    (['a'], ['a', 'b'])
    """
    kept = {t.id for t in journey.touchpoints if not t.personas or persona in t.personas}
    return kept | {d.id for d in journey.decision_points} | {o.id for o in journey.outcomes}


def persona_reach(journey: Journey, persona: str) -> tuple[dict[str, float], set[str]]:
    """Where one persona's journeys start, and every step they can reach.

    The persona travels its :func:`persona_steps`. Of :func:`entry_weights`,
    the starts among those steps (weights as they were, not renormalised;
    empty when no entry is the persona's), and what they reach along
    transitions, hand-offs and triggers between those steps.
    :func:`cxgraph.for_persona` and the trust analysis both slice by it.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     personas=[cx.Persona(id="p", name="P"), cx.Persona(id="q", name="Q")],
    ...     touchpoints=[cx.Touchpoint(id="a", name="A"),
    ...                  cx.Touchpoint(id="b", name="B", personas=["q"]),
    ...                  cx.Touchpoint(id="c", name="C")],
    ...     transitions=[cx.Transition(source="a", target="b"),
    ...                  cx.Transition(source="b", target="c")], entries=["a"])
    >>> starts, reach = persona_reach(j, "p")
    >>> starts, sorted(reach)
    ({'a': 1.0}, ['a'])
    """
    kept = persona_steps(journey, persona)
    starts = {k: w for k, w in entry_weights(journey)[0].items() if k in kept}
    succ: dict[str, list[str]] = {}
    for e in journey.edges:
        if e.source in kept and e.target in kept:
            succ.setdefault(e.source, []).append(e.target)
    reach = set(starts)
    todo = list(starts)
    while todo:
        for t in succ.get(todo.pop(), ()):
            if t not in reach:
                reach.add(t)
                todo.append(t)
    return starts, reach
