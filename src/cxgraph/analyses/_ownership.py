"""Ownership traversal shared by the hand-off and silo analyses.

Every step plays one of three roles for ownership (design.md, section 1):

``owned``
    A touchpoint with an owner, or an employee or automated decision point
    (these always have one).
``transparent``
    A customer decision or an outcome: they have no owner, so responsibility
    is looked for across them, from the last owned step before them to the
    next owned step after.
``gap``
    A touchpoint without an owner. It is *not* transparent: it stops the
    search, and a hand-off into or out of it has nobody on one side.

A :class:`Hop` joins two steps that are not transparent (owned or gap) by a
chain of edges whose inner steps are all transparent: the direct edge when
there is one, else the chain through customer decisions and outcomes.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="J",
...     owners=[cx.Owner(id="mkt", name="Marketing", kind="department"),
...             cx.Owner(id="sales", name="Sales", kind="department")],
...     touchpoints=[cx.Touchpoint(id="form", name="Request a demo", owner="mkt"),
...                  cx.Touchpoint(id="call", name="Discovery call", owner="sales")],
...     decision_points=[cx.DecisionPoint(id="ready", name="Ready to talk?",
...                                       decided_by="customer")],
...     transitions=[cx.Transition(source="form", target="ready"),
...                  cx.Transition(source="ready", target="call")])
>>> ownership_hops(cx.compile_graph(j))
[Hop(source='form', target='call', via=('ready',))]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

import networkx as nx

from cxgraph._util.cache import cached
from cxgraph.analyses.flow import FLOW_KINDS, flow_model, require_journey
from cxgraph.analyses.flow import step_label as _label
from cxgraph.graph import entry_weights
from cxgraph.model.classes import Journey

if TYPE_CHECKING:
    from cxgraph.analyses.markov_model import MarkovModel

__all__ = [
    "ALL_KINDS",
    "Hop",
    "flow_model",
    "grouped_by_pair",
    "hop_flows",
    "label",
    "names_of",
    "ownership_hops",
    "require_journey",
    "step_roles",
    "successors",
    "via_text",
]

T = TypeVar("T")

Role = Literal["owned", "transparent", "gap"]

#: Ownership and silo analyses follow every kind of edge.
ALL_KINDS = ("transition", "handoff", "trigger")


class Hop(NamedTuple):
    """Two steps that are not transparent, joined through transparent ones.

    ``via`` holds the transparent steps between ``source`` and ``target`` in
    order (empty for a direct edge); the chain of edges is ``source``,
    ``*via``, ``target`` taken pairwise.
    """

    source: str
    target: str
    via: tuple[str, ...]

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """The edges of the chain, in order."""
        chain = (self.source, *self.via, self.target)
        return tuple(pairwise(chain))


def step_roles(g: nx.DiGraph[str]) -> dict[str, Role]:
    """Each step's role for ownership: ``owned``, ``transparent`` or ``gap``."""
    roles: dict[str, Role] = {}
    for node, data in g.nodes(data=True):
        if data.get("owner") is not None:
            roles[node] = "owned"
        elif data["kind"] == "touchpoint":
            roles[node] = "gap"
        else:
            roles[node] = "transparent"
    return roles


def ownership_hops(
    g: nx.DiGraph[str],
    *,
    roles: Mapping[str, Role] | None = None,
    succ: Mapping[str, list[str]] | None = None,
) -> list[Hop]:
    """Every hop between steps that are not transparent, sorted by (source, target).

    One hop per (source, target) pair: the shortest chain through
    transparent steps, ties broken by the smallest sequence of step ids, so
    the answer does not depend on the order edges were declared in. A
    breadth-first search from each owned or gap step marks each transparent
    step once, so a loop of customer decisions ends the search instead of
    hanging it; the work is at most (owned and gap steps) times (edges out
    of transparent steps).

    Parameters
    ----------
    g
        A graph from :func:`cxgraph.compile_graph`.
    roles
        The roles of :func:`step_roles`, when the caller has them already.
    succ
        The successors to follow, from :func:`successors`: by default along
        every kind of edge (ownership follows triggers too); the customer
        flow passes ``successors(g, FLOW_KINDS)``.
    """
    if roles is None and succ is None:
        # Inside ``analyze`` the default hops are shared by the analyses that
        # ask for them (unowned hand-offs, silo boundaries).
        return cached(g, "ownership_hops", lambda: _hops(step_roles(g), successors(g, ALL_KINDS)))
    roles = step_roles(g) if roles is None else roles
    return _hops(roles, successors(g, ALL_KINDS) if succ is None else succ)


def _hops(roles: Mapping[str, Role], succ: Mapping[str, list[str]]) -> list[Hop]:
    # Sorted successors make breadth-first order lexicographic: the first
    # chain to reach a step is the shortest, and the smallest among equals.
    hops: list[Hop] = []
    for source in sorted(n for n, r in roles.items() if r != "transparent"):
        parent: dict[str, str] = {}
        queue = deque([source])
        while queue:
            u = queue.popleft()
            for v in succ[u]:
                if roles[v] == "transparent":
                    if v not in parent:
                        parent[v] = u
                        queue.append(v)
                    continue
                if v in parent:
                    continue
                parent[v] = u
                via: list[str] = []
                w = u
                while w != source:
                    via.append(w)
                    w = parent[w]
                hops.append(Hop(source, v, tuple(reversed(via))))
    hops.sort(key=lambda h: (h.source, h.target))
    return hops


def successors(g: nx.DiGraph[str], kinds: Iterable[str]) -> dict[str, list[str]]:
    """Each step's successors along edges of these kinds, sorted by id (read-only)."""
    follow = frozenset(kinds)
    return cached(g, "successors:" + ",".join(sorted(follow)), lambda: _successors(g, follow))


def _successors(g: nx.DiGraph[str], follow: frozenset[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for u, nbrs in g.adjacency():
        vs = [v for v, e in nbrs.items() if e["kind"] in follow]
        if len(vs) > 1:
            vs.sort()
        out[u] = vs
    return out


def _reach(succ: Mapping[str, list[str]], sources: Iterable[str]) -> set[str]:
    """Every step reachable from ``sources`` (themselves included)."""
    seen = set(sources)
    stack = list(seen)
    while stack:
        for v in succ[stack.pop()]:
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return seen


def hop_flows(
    journey: Journey, g: nx.DiGraph[str], model: MarkovModel | None
) -> list[float | None]:
    """Expected traversals per journey of each hop of ``ownership_hops(g)``, in its order.

    The share of journeys, when the hop has no loop: the expected visits of
    the hop's source times the probability of each customer-flow edge along
    its chain; a trigger fires every time its source runs (factor 1). None
    for every hop when ``model`` is None, and for hops out of steps that
    only triggers reach (the customer-flow model does not visit them).
    Inside ``analyze`` the list is made once, for the analyses that weigh
    hops (unowned hand-offs, silo boundaries); they pick a hop's flow by
    its position, with no hashing of hops.
    """
    hops = ownership_hops(g)
    if model is None:
        return [None] * len(hops)
    return cached(model, "hop_flows:" + str(id(g)), lambda: _flows(journey, g, hops, model))


def _flows(
    journey: Journey, g: nx.DiGraph[str], hops: list[Hop], model: MarkovModel
) -> list[float | None]:
    ancillary = cached(g, "ancillary", lambda: _ancillary(journey, g))
    visits, probability = model.expected_visits.get, model.transition_probability.get
    adj = dict(g.adjacency())
    out: list[float | None] = []
    for hop in hops:
        flow: float | None = None
        u = hop.source
        if u not in ancillary:
            flow = float(visits(u, 0.0))
            for v in (*hop.via, hop.target):
                if adj[u][v]["kind"] != "trigger":
                    flow *= float(probability((u, v), 0.0))
                u = v
        out.append(flow)
    return out


def _ancillary(journey: Journey, g: nx.DiGraph[str]) -> set[str]:
    """Steps reached from an entry only with the help of triggers."""
    entries = list(entry_weights(journey)[0])
    return _reach(successors(g, ALL_KINDS), entries) - _reach(successors(g, FLOW_KINDS), entries)


def names_of(journey: Journey) -> Mapping[str, Mapping[str, str]]:
    """Names by kind of object (``step``, ``owner``, ``decision``), then id.

    Ids are unique only within a kind (an owner and a step may share one),
    hence one mapping per kind; ``decision`` holds the customer decisions, so
    a chain can say what it passes through.
    """
    groups: dict[str, Any] = {
        "step": journey.steps,
        "owner": journey.owners,
        "decision": [d for d in journey.decision_points if d.owner is None],
    }
    return MappingProxyType(
        {k: MappingProxyType({o.id: o.name for o in group}) for k, group in groups.items()}
    )


def label(names: Mapping[str, Mapping[str, str]], kind: str, ref: str | None) -> str:
    """An object by name and id (``'Discovery call' (call)``), or ``nobody`` for None."""
    if ref is None:
        return "nobody"
    if kind == "owner":
        return names.get(kind, {}).get(ref) or ref
    return _label(names.get(kind, {}), ref)


def via_text(names: Mapping[str, Mapping[str, str]], via: Iterable[str]) -> str:
    """Words for a chain: ``through the customer's decision 'Ready?' (ready)``.

    With a leading space, to follow the target; empty for a direct edge.
    """
    parts = [
        ("the customer's decision " if v in names.get("decision", {}) else "the outcome ")
        + label(names, "step", v)
        for v in via
    ]
    return f" through {' and '.join(parts)}" if parts else ""


def grouped_by_pair(
    items: Iterable[T],
    ends: Callable[[T], tuple[str | None, str | None]],
    names: Mapping[str, Mapping[str, str]],
) -> list[tuple[tuple[str | None, str | None], list[T]]]:
    """``items`` grouped by their two owners (or silos): most first, then by the owners' names."""
    groups: dict[tuple[str | None, str | None], list[T]] = {}
    for item in items:
        groups.setdefault(ends(item), []).append(item)
    return sorted(
        groups.items(),
        key=lambda kv: (
            -len(kv[1]),
            label(names, "owner", kv[0][0]),
            label(names, "owner", kv[0][1]),
        ),
    )
