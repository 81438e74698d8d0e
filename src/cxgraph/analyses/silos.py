"""Silo boundaries: where the journey crosses from one silo to another.

The silo of an owner is the root of its ``parent`` chain
(:func:`cxgraph.graph.owner_silos`); with ``level="owner"`` owners are
compared instead. As for hand-offs, customer decisions and outcomes are
transparent: a crossing joins the last owned step before them to the next
owned step after (``source`` and ``target``), through ``via``, following
transitions, hand-offs and triggers; between two steps the shortest chain is
taken, ties broken by the smallest sequence of step ids. A touchpoint with no
owner has no silo and breaks the chain: nothing crosses into or out of it,
and the next owned step after it starts afresh.

A crossing is ``customer_visible`` when both ends are touchpoints in lane
``customer`` or ``frontstage`` (decision points sit behind the line of
visibility), and a ``channel_switch`` when both ends have a channel and the
channels differ.

Besides the crossings (the findings):

``silos``, ``counts``, ``flows``
    The silos that own at least one step, in the order their root owners
    are declared, and silo × silo matrices (``counts[from][to]``, zeros
    included) of the number of crossings and of their expected flow per
    journey (the Markov model's expected visits of the source times the
    probabilities along the chain, a trigger firing every time its source
    runs). ``flows`` is None when probabilities are unknown; crossings out
    of steps only triggers reach carry no customer flow and add nothing.
``min_per_path``, ``mean_per_path``, ``max_per_path``
    Crossings per entry-to-outcome path of the customer flow (transitions
    and hand-offs; triggers do not move the customer), never by listing
    paths. Each step is paired with the silo of the last owned step before
    it (a transparent step reached from two silos appears twice; after a
    touchpoint without owner there is none), which makes a crossing a
    property of an edge. ``min_per_path`` is exact: the fewest crossings of
    any way from an entry to an outcome, loops included (0-1 breadth-first
    search over the pairs). For the mean and the maximum this graph
    is condensed into its strongly connected components and counted by
    dynamic programming over that DAG: a loop is one component and counts
    once, so a path through it counts every crossing inside it once, as if
    the customer went round it once, and loops never unroll. Each distinct
    edge between components is a distinct route, and ``mean_per_path`` is
    the mean over routes, each weighing the same (on a journey without loops
    the routes are exactly its paths); ``max_per_path`` bounds every path
    that visits no step twice. All three are None when no entry reaches an
    outcome.
``customer_visible``, ``channel_switches``
    How many crossings the customer sees, and how many switch channel.
``ping_pongs``
    Silo sequences A → B → A along the customer flow (sales → support →
    sales), each with its steps: the last A step, the B steps on the
    shortest way through B, and the next A step. One per pair of crossings
    (into B, back out of B), so at most the square of the crossings, each
    found by one breadth-first search through B.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.silos import silo_boundaries
>>> j = cx.Journey(id="j", name="Support",
...     owners=[cx.Owner(id="sales", name="Sales", kind="department"),
...             cx.Owner(id="ae", name="Account executives", kind="team", parent="sales"),
...             cx.Owner(id="support", name="Support", kind="department")],
...     touchpoints=[cx.Touchpoint(id="buy", name="Buy", owner="ae"),
...                  cx.Touchpoint(id="ticket", name="Open a ticket", owner="support"),
...                  cx.Touchpoint(id="upsell", name="Upsell call", owner="sales")],
...     outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
...     transitions=[cx.Transition(source="buy", target="ticket"),
...                  cx.Transition(source="ticket", target="upsell"),
...                  cx.Transition(source="upsell", target="won")])
>>> result = silo_boundaries(j)
>>> [(c.source, c.target, c.from_silo, c.to_silo) for c in result]
[('buy', 'ticket', 'sales', 'support'), ('ticket', 'upsell', 'support', 'sales')]
>>> result.counts["sales"]["support"], result.max_per_path
(1, 2)
>>> result.ping_pongs[0]
PingPong(silos=('sales', 'support', 'sales'), steps=('buy', 'ticket', 'upsell'))
>>> print(result.describe(result[0]))
Sales hands 'Buy' (buy) to Support at 'Open a ticket' (ticket); the customer sees it
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar, TypeVar

import networkx as nx
from attrs import field, frozen

from cxgraph.analyses._base import AnalysisResult
from cxgraph.analyses._ownership import (
    Hop,
    Role,
    flow_model,
    hop_flows,
    label,
    names_of,
    ownership_hops,
    require_journey,
    step_roles,
    successors,
    via_text,
)
from cxgraph.analyses.engagement import CUSTOMER_LANES
from cxgraph.analyses.moments import FLOW_KINDS
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model import Journey

__all__ = ["LEVELS", "PingPong", "SiloBoundaries", "SiloCrossing", "silo_boundaries"]

#: The levels silos can be compared at.
LEVELS: tuple[str, ...] = ("silo", "owner")


@frozen(kw_only=True)
class SiloCrossing:
    """One place where the journey passes from one silo (or owner) to another.

    ``via`` holds the customer decisions and outcomes between ``source`` and
    ``target``; ``from_silo`` and ``to_silo`` are owner ids (the silo roots,
    or the owners themselves at ``level="owner"``).
    """

    source: str
    target: str
    via: tuple[str, ...]
    from_silo: str
    to_silo: str
    customer_visible: bool
    channel_switch: bool


@frozen(kw_only=True)
class PingPong:
    """Silos A → B → A along the customer flow, with the owned steps passed.

    ``steps`` runs from the last step in A through the steps in B to the
    next step in A (transparent steps between them left out).
    """

    silos: tuple[str, str, str]
    steps: tuple[str, ...]


T = TypeVar("T", int, float)
Matrix = Mapping[str, Mapping[str, int]]
FlowMatrix = Mapping[str, Mapping[str, float]]


@frozen(kw_only=True, repr=False)
class SiloBoundaries(AnalysisResult[SiloCrossing]):
    """Every silo crossing, sorted by (source, target), with matrices and path statistics.

    See :mod:`cxgraph.analyses.silos` for the fields besides the findings.
    ``ownership_known`` is False when no step has an owner: then nothing
    could be compared and there are no findings.
    """

    name: ClassVar[str] = "silo_boundaries"
    title: ClassVar[str] = "Silo boundaries"

    level: str
    ownership_known: bool
    silos: tuple[str, ...]
    counts: Matrix = field(hash=False)
    flows: FlowMatrix | None = field(hash=False)
    min_per_path: int | None
    mean_per_path: float | None
    max_per_path: int | None
    customer_visible: int
    channel_switches: int
    ping_pongs: tuple[PingPong, ...]
    #: Names by kind of object (``step``, ``owner``, ``decision``), then id.
    names: Mapping[str, Mapping[str, str]] = field(factory=dict, eq=False, hash=False)

    def describe(self, finding: SiloCrossing) -> str:
        """The crossing in plain words: who hands what to whom, and what the customer sees."""
        n = self.names
        text = (
            f"{label(n, 'owner', finding.from_silo)} hands {label(n, 'step', finding.source)} "
            f"to {label(n, 'owner', finding.to_silo)} at {label(n, 'step', finding.target)}"
            f"{via_text(n, finding.via)}"
        )
        if finding.customer_visible:
            text += "; the customer sees it"
        if finding.channel_switch:
            text += "; the channel changes"
        return text

    def summary(self) -> str:
        """How many crossings, how many the customer sees, and per path."""
        what = "silo" if self.level == "silo" else "owner"
        if not self.ownership_known:
            return f"ownership is unknown: no step has an owner, so no {what} crossing was found"
        n = len(self.findings)
        k = len(self.silos)
        text = (
            f"{n} {what} crossing{'s' if n != 1 else ''} between {k} {what}{'s' if k != 1 else ''}"
            f" ({self.customer_visible} seen by the customer, {self.channel_switches} with a "
            f"channel switch, {len(self.ping_pongs)} ping-pong"
            f"{'s' if len(self.ping_pongs) != 1 else ''})"
        )
        if self.mean_per_path is not None:
            text += (
                f"; {self.min_per_path} to {self.max_per_path} per entry-to-outcome path "
                f"(mean {self.mean_per_path:.2f})"
            )
        return text


def silo_boundaries(journey: Journey, *, level: str = "silo") -> SiloBoundaries:
    """Find where the journey crosses silos, how often and where the customer sees it.

    See the module docstring for what counts as a crossing, how loops are
    treated and what the result holds besides the crossings.

    Parameters
    ----------
    journey
        The journey to analyse.
    level
        ``"silo"`` (default) compares the silos of owners (the roots of
        their parent chains); ``"owner"`` compares the owners themselves.

    Returns
    -------
    SiloBoundaries
        One finding (``source, target, via, from_silo, to_silo,
        customer_visible, channel_switch``) per crossing, sorted by (source,
        target).

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        If ``level`` is not one of ``"silo"`` and ``"owner"``.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     owners=[cx.Owner(id="sales", name="Sales", kind="department"),
    ...             cx.Owner(id="ae", name="AEs", kind="team", parent="sales"),
    ...             cx.Owner(id="desk", name="Deal desk", kind="role", parent="sales")],
    ...     touchpoints=[cx.Touchpoint(id="quote", name="Quote", owner="ae"),
    ...                  cx.Touchpoint(id="approve", name="Approve", owner="desk")],
    ...     transitions=[cx.Transition(source="quote", target="approve")])
    >>> len(silo_boundaries(j)), len(silo_boundaries(j, level="owner"))
    (0, 1)
    >>> silo_boundaries(j, level="team")
    Traceback (most recent call last):
    ...
    ValueError: unknown level 'team' (choose 'silo' or 'owner')
    """
    journey = require_journey(journey, "silo_boundaries")
    if level not in LEVELS:
        msg = f"unknown level {level!r} (choose 'silo' or 'owner')"
        raise ValueError(msg)
    names = names_of(journey)
    g = compile_graph(journey)
    roles = step_roles(g)
    attr = "silo" if level == "silo" else "owner"
    key = {n: g.nodes[n][attr] for n, r in roles.items() if r == "owned"}
    if not key:
        return SiloBoundaries(
            findings=(),
            level=level,
            ownership_known=False,
            silos=(),
            counts=_matrix((), {}),
            flows=None,
            min_per_path=None,
            mean_per_path=None,
            max_per_path=None,
            customer_visible=0,
            channel_switches=0,
            ping_pongs=(),
            names=names,
        )
    present = set(key.values())
    silos = tuple(o.id for o in journey.owners if o.id in present)

    crossings = [h for h in ownership_hops(g, roles=roles) if _crosses(h, key)]
    findings = tuple(_crossing(g, h, key) for h in crossings)
    counts = {(a, b): 0 for a in silos for b in silos}
    for c in findings:
        counts[c.from_silo, c.to_silo] += 1
    flows: FlowMatrix | None = None
    model = flow_model(journey)
    if model is not None:
        per_hop = hop_flows(journey, g, crossings, model)
        totals = dict.fromkeys(counts, 0.0)
        for h in crossings:
            totals[key[h.source], key[h.target]] += per_hop[h] or 0.0
        flows = _matrix(silos, totals)
    flow_succ = successors(g, FLOW_KINDS)
    lo, mean, hi = _per_path(g, roles, key, flow_succ, list(entry_weights(journey)[0]))
    return SiloBoundaries(
        findings=findings,
        level=level,
        ownership_known=True,
        silos=silos,
        counts=_matrix(silos, counts),
        flows=flows,
        min_per_path=lo,
        mean_per_path=mean,
        max_per_path=hi,
        customer_visible=sum(c.customer_visible for c in findings),
        channel_switches=sum(c.channel_switch for c in findings),
        ping_pongs=_ping_pongs(key, ownership_hops(g, roles=roles, succ=flow_succ)),
        names=names,
    )


def _crosses(hop: Hop, key: Mapping[str, str]) -> bool:
    a, b = key.get(hop.source), key.get(hop.target)
    return a is not None and b is not None and a != b


def _crossing(g: nx.DiGraph[str], hop: Hop, key: Mapping[str, str]) -> SiloCrossing:
    a, b = g.nodes[hop.source], g.nodes[hop.target]
    return SiloCrossing(
        source=hop.source,
        target=hop.target,
        via=hop.via,
        from_silo=key[hop.source],
        to_silo=key[hop.target],
        customer_visible=a.get("lane") in CUSTOMER_LANES and b.get("lane") in CUSTOMER_LANES,
        channel_switch=a.get("channel") is not None
        and b.get("channel") is not None
        and a["channel"] != b["channel"],
    )


def _matrix(
    silos: tuple[str, ...], cells: Mapping[tuple[str, str], T]
) -> Mapping[str, Mapping[str, T]]:
    return MappingProxyType({a: MappingProxyType({b: cells[a, b] for b in silos}) for a in silos})


def _per_path(
    g: nx.DiGraph[str],
    roles: Mapping[str, Role],
    key: Mapping[str, str],
    succ: Mapping[str, list[str]],
    entries: list[str],
) -> tuple[int | None, float | None, int | None]:
    """Min, mean and max crossings per entry-to-outcome path (see the module docstring)."""

    def after(v: str, last: str | None) -> str | None:
        # The silo of the last owned step once v is passed: a gap forgets it.
        return key[v] if roles[v] == "owned" else None if roles[v] == "gap" else last

    starts = [(e, after(e, None)) for e in entries]
    seen = set(starts)
    weight: dict[tuple[tuple[str, str | None], tuple[str, str | None]], int] = {}
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        u, last = node
        for v in succ[u]:
            nxt = (v, after(v, last))
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
            weight[node, nxt] = int(roles[v] == "owned" and last is not None and last != key[v])
    states: nx.DiGraph[tuple[str, str | None]] = nx.DiGraph()
    states.add_nodes_from(starts)
    states.add_edges_from(weight)
    ends = [n for n in states if g.nodes[n[0]]["kind"] == "outcome"]
    if not ends:
        return None, None, None
    # Exact minimum: 0-1 breadth-first search (a crossing costs 1, any other move 0).
    dist = dict.fromkeys(starts, 0)
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        for nxt in states.successors(node):
            w = weight[node, nxt]
            if dist[node] + w < dist.get(nxt, dist[node] + w + 1):
                dist[nxt] = dist[node] + w
                if w:
                    queue.append(nxt)
                else:
                    queue.appendleft(nxt)
    # Mean and maximum: dynamic programming over the DAG of loops.
    dag = nx.condensation(states)
    comp: dict[tuple[str, str | None], int] = dag.graph["mapping"]
    inside = dict.fromkeys(dag, 0)
    between: dict[int, list[tuple[int, int]]] = {c: [] for c in dag}
    for (a, b), w in weight.items():
        if comp[a] == comp[b]:
            inside[comp[a]] += w
        else:
            between[comp[a]].append((comp[b], w))
    # Per component: routes reaching it, their crossings summed, and the most.
    count = dict.fromkeys(dag, 0)
    total = dict.fromkeys(dag, 0)
    most = dict.fromkeys(dag, 0)
    for start in starts:
        count[comp[start]] += 1
    for c in nx.topological_sort(dag):
        total[c] += inside[c] * count[c]
        most[c] += inside[c]
        for d, w in between[c]:
            most[d] = max(most[d], most[c] + w) if count[d] else most[c] + w
            count[d] += count[c]
            total[d] += total[c] + w * count[c]
    # An outcome has no way on, so each is a component of its own.
    end_comps = {comp[n] for n in ends}
    n_routes = sum(count[c] for c in end_comps)
    mean = sum(total[c] for c in end_comps) / n_routes
    return min(dist[n] for n in ends), mean, max(most[c] for c in end_comps)


def _ping_pongs(key: Mapping[str, str], flow_hops: list[Hop]) -> tuple[PingPong, ...]:
    """Every A → B → A sequence along the customer-flow hops (see the module docstring)."""
    onward: dict[str, list[str]] = {n: [] for n in key}
    for h in flow_hops:
        if h.source in key and h.target in key:
            onward[h.source].append(h.target)
    found: list[PingPong] = []
    for x in sorted(key):
        for y in onward[x]:
            a, b = key[x], key[y]
            if a == b:
                continue
            # Breadth first through B from y: each step of B once, so loops end.
            parent: dict[str, str | None] = {y: None}
            queue = deque([y])
            while queue:
                w = queue.popleft()
                for z in onward[w]:
                    if key[z] == b and z not in parent:
                        parent[z] = w
                        queue.append(z)
                    elif key[z] == a:
                        inner: list[str] = []
                        step: str | None = w
                        while step is not None:
                            inner.append(step)
                            step = parent[step]
                        found.append(PingPong(silos=(a, b, a), steps=(x, *reversed(inner), z)))
    found.sort(key=lambda p: (p.steps, p.silos))
    return tuple(found)
