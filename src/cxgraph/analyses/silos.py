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
    Crossings per entry-to-outcome *route* of the customer flow (transitions
    and hand-offs; triggers do not move the customer), counted by dynamic
    programming, never by listing routes. Each step is paired with the silo
    of the last owned step before it (a transparent step reached from two
    silos appears twice; after a touchpoint without owner there is none),
    which makes a crossing a property of a move between pairs. A customer
    can go round a loop any number of times, so, as for
    :func:`~cxgraph.analyses.branches.branches`, a loop (a strongly
    connected component of the steps) counts once and never unrolls. A route
    is a path through the components from an entry to an outcome, together
    with the pair where it enters each component (the entry, or the target
    of a move from an earlier component) and the pair where it leaves it (the
    source of a move to a later component, or the outcome); inside a loop the
    customer takes the way with the fewest crossings from where the route
    enters to where it leaves. A route's crossings are those, loop by loop,
    plus those of its moves between components. On a journey without loops
    the routes are exactly its paths; with loops there can be more routes
    than ``branches`` counts paths, since it does not tell apart where a
    loop is entered and left. ``min_per_path`` and ``max_per_path``
    are the fewest and the most crossings of a route, ``mean_per_path`` their
    mean with every route weighing the same (route counts and crossing sums
    are exact integers, divided once). The minimum is also the fewest
    crossings of any way at all from an entry to an outcome, loops gone
    round as often as it helps. All three are None when no entry reaches an
    outcome.

    The work is linear in the size of the journey, plus, in each loop, a 0-1
    breadth-first search of the loop from each pair where routes enter it
    (or backwards from each pair where they leave it, when those are fewer).
    Should those searches need more than :data:`MAX_LOOP_WORK` moves in all
    (a large loop entered and left at hundreds of places), ``mean_per_path`` and
    ``max_per_path`` are None and the summary says why; ``min_per_path`` is
    exact whatever the journey.
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
from typing import Any, ClassVar, TypeVar

import networkx as nx
from attrs import field, frozen

from cxgraph._util.dominators import strongly_connected_components
from cxgraph.analyses._ownership import (
    Hop,
    Role,
    grouped_by_pair,
    hop_flows,
    label,
    names_of,
    ownership_hops,
    step_roles,
    successors,
    via_text,
)
from cxgraph.analyses.flow import CUSTOMER_LANES, FLOW_KINDS, flow_model, require_journey
from cxgraph.analyses.results import AnalysisResult
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model.classes import Journey

__all__ = [
    "LEVELS",
    "MAX_LOOP_WORK",
    "PingPong",
    "SiloBoundaries",
    "SiloCrossing",
    "SiloPair",
    "silo_boundaries",
]

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


@frozen(kw_only=True)
class SiloPair:
    """The crossings from one silo to another.

    ``routes`` counts them, ``passes`` is their expected flow per journey (the
    ``flows`` matrix cell; None when probabilities are unknown) and
    ``crossings`` holds them in finding order.
    """

    from_silo: str
    to_silo: str
    routes: int
    passes: float | None
    crossings: tuple[SiloCrossing, ...]


T = TypeVar("T", int, float)
Matrix = Mapping[str, Mapping[str, int]]
FlowMatrix = Mapping[str, Mapping[str, float]]


@frozen(kw_only=True, repr=False)
class SiloBoundaries(AnalysisResult[SiloCrossing]):
    """Every silo crossing, sorted by (source, target), with matrices and route statistics.

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

    def by_silo_pair(self) -> tuple[SiloPair, ...]:
        """The crossings grouped by (from silo, to silo): most routes first, then names."""
        flows = self.flows
        return tuple(
            SiloPair(
                from_silo=str(a),
                to_silo=str(b),
                routes=len(cs),
                passes=None if flows is None else flows[str(a)][str(b)],
                crossings=tuple(cs),
            )
            for (a, b), cs in grouped_by_pair(
                self.findings, lambda c: (c.from_silo, c.to_silo), self.names
            )
        )

    def summary(self) -> str:
        """How many crossings and where, what the customer sees, round trips, per route."""
        what = "silo" if self.level == "silo" else "owner"
        if not self.ownership_known:
            return f"ownership is unknown: no step has an owner, so no {what} crossing was found"
        n = len(self.findings)
        if not n:
            return f"no {what} crossings: one {what} serves the whole journey"
        k = len(self.silos)
        text = (
            f"{n} {what} crossing{'s' if n != 1 else ''} between {k} {what}{'s' if k != 1 else ''}:"
            f" {self.customer_visible} seen by the customer, {self.channel_switches} with a "
            "channel switch"
        )
        p = len(self.ping_pongs)
        if p:
            text += (
                f"; the customer can be sent to another {what} and back (ping-pong) "
                f"{p} way{'s' if p != 1 else ''}"
            )
        if self.mean_per_path is not None and self.min_per_path == self.max_per_path:
            m = self.min_per_path
            text += f"; {m} crossing{'s' if m != 1 else ''} on every route from entry to outcome"
        elif self.mean_per_path is not None:
            text += (
                f"; {self.min_per_path} to {self.max_per_path} crossings per route from entry "
                f"to outcome (mean {self.mean_per_path:.2f}, a loop passed once)"
            )
        elif self.min_per_path is not None:
            text += (
                f"; at least {self.min_per_path} per route from entry to outcome (the mean and "
                "the most were not counted: the loops have too many ways in and out)"
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

    hops = ownership_hops(g)
    crossing_at = [i for i, h in enumerate(hops) if _crosses(h, key)]
    crossings = [hops[i] for i in crossing_at]
    node: dict[str, dict[str, Any]] = dict(g.nodes.items())
    findings = tuple(_crossing(node, h, key) for h in crossings)
    counts = {(a, b): 0 for a in silos for b in silos}
    for c in findings:
        counts[c.from_silo, c.to_silo] += 1
    flows: FlowMatrix | None = None
    model = flow_model(journey)
    if model is not None:
        per_hop = hop_flows(journey, g, model)
        totals = dict.fromkeys(counts, 0.0)
        for i in crossing_at:
            h = hops[i]
            totals[key[h.source], key[h.target]] += per_hop[i] or 0.0
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


def _crossing(
    node: Mapping[str, Mapping[str, Any]], hop: Hop, key: Mapping[str, str]
) -> SiloCrossing:
    a, b = node[hop.source], node[hop.target]
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


#: At most this many moves in all for the searches inside loops that
#: ``mean_per_path`` and ``max_per_path`` need (see the module docstring):
#: about a second of work.
MAX_LOOP_WORK = 2_000_000

Pair = tuple[str, str | None]
Moves = list[list[tuple[int, int]]]


def _per_path(
    g: nx.DiGraph[str],
    roles: Mapping[str, Role],
    key: Mapping[str, str],
    succ: Mapping[str, list[str]],
    entries: list[str],
) -> tuple[int | None, float | None, int | None]:
    """Min, mean and max crossings per entry-to-outcome route (see the module docstring)."""

    def after(v: str, last: str | None) -> str | None:
        # The silo of the last owned step once v is passed: a gap forgets it.
        return key[v] if roles[v] == "owned" else None if roles[v] == "gap" else last

    # The (step, silo carried) pairs reached from the entries, numbered as
    # found (the entries first, one pair each), and the moves between them
    # with their crossings (0 or 1).
    pairs: list[Pair] = [(e, after(e, None)) for e in entries]
    index = {p: i for i, p in enumerate(pairs)}
    moves: Moves = []
    while len(moves) < len(pairs):
        u, last = pairs[len(moves)]
        out = []
        for v in succ[u]:
            nxt = (v, after(v, last))
            j = index.setdefault(nxt, len(pairs))
            if j == len(pairs):
                pairs.append(nxt)
            out.append((j, int(roles[v] == "owned" and last is not None and last != key[v])))
        moves.append(out)
    starts = list(range(len(entries)))
    is_end = [g.nodes[v]["kind"] == "outcome" for v, _ in pairs]
    if not any(is_end):
        return None, None, None
    # Exact minimum over every way, loops gone round any number of times.
    least = _fewest(moves, starts)
    lo = min(d for i, d in least.items() if is_end[i])

    # The loops: components of the steps reached; Tarjan numbers them so
    # that every move between two goes to a lower number.
    steps = {v: n for n, v in enumerate(dict.fromkeys(v for v, _ in pairs))}
    step_comp = strongly_connected_components([[steps[v] for v in succ[u]] for u in steps])
    comp = [step_comp[steps[v]] for v, _ in pairs]
    members: list[list[int]] = [[] for _ in range(max(step_comp) + 1)]
    for i, c in enumerate(comp):
        members[c].append(i)
    inner: Moves = [[] for _ in pairs]
    outer: Moves = [[] for _ in pairs]
    is_entry = [False] * len(pairs)
    is_exit = list(is_end)
    for i in starts:
        is_entry[i] = True
    for i, out in enumerate(moves):
        for j, w in out:
            if comp[i] == comp[j]:
                inner[i].append((j, w))
            else:
                outer[i].append((j, w))
                is_entry[j] = is_exit[i] = True

    # Inside a loop a route takes the fewest crossings from the pair where
    # it enters to the pair where it leaves: one search from each entry
    # pair, or back from each exit pair when those are fewer. The work is
    # known before any search starts, and checked against the budget.
    plans: list[tuple[list[int], list[int], list[int]]] = []
    work = 0
    for group in reversed(members):
        ins = [i for i in group if is_entry[i]]
        outs = [i for i in group if is_exit[i]]
        size = sum(len(inner[i]) for i in group)
        if size:
            work += min(len(ins), len(outs)) * (size + len(group))
        plans.append((group, ins, outs))
    if work > MAX_LOOP_WORK:
        return lo, None, None

    # Per entry pair and then per exit pair: the routes that reach it
    # (exact, however many), their crossings summed, and the most.
    count = [0] * len(pairs)
    total = [0] * len(pairs)
    most = [0] * len(pairs)
    for i in starts:
        count[i] = 1
    routes = crossings = 0
    hi = -1
    for group, ins, outs in plans:
        for x, (n, t, m) in _through(group, ins, outs, inner, count, total, most).items():
            for j, w in outer[x]:
                most[j] = max(most[j], m + w) if count[j] else m + w
                count[j] += n
                total[j] += t + w * n
            if is_end[x]:
                routes += n
                crossings += t
                hi = max(hi, m)
    # Python divides two ints exactly, then rounds once.
    return lo, crossings / routes, hi


def _through(
    group: list[int],
    ins: list[int],
    outs: list[int],
    inner: Moves,
    count: list[int],
    total: list[int],
    most: list[int],
) -> dict[int, list[int]]:
    """Routes, crossings summed and the most at each exit pair of a component a route reaches.

    Each route goes from an entry pair to an exit pair with the fewest
    crossings between them; ``count``, ``total`` and ``most`` hold the
    figures of the routes that reach each entry pair.
    """
    live = [e for e in ins if count[e]]
    out: dict[int, list[int]] = {}

    def add(e: int, x: int, d: int) -> None:
        n, t, m = count[e], total[e] + d * count[e], most[e] + d
        if x in out:
            acc = out[x]
            acc[0] += n
            acc[1] += t
            acc[2] = max(acc[2], m)
        else:
            out[x] = [n, t, m]

    if not any(inner[i] for i in group):
        # No move inside: routes leave from the pair where they enter.
        exits = set(outs)
        for e in live:
            if e in exits:
                add(e, e, 0)
    elif len(live) <= len(outs):
        for e in live:
            near = _fewest(inner, [e])
            for x in outs:
                if x in near:
                    add(e, x, near[x])
    else:
        back: dict[int, list[tuple[int, int]]] = {i: [] for i in group}
        for i in group:
            for j, w in inner[i]:
                back[j].append((i, w))
        for x in outs:
            near = _fewest(back, [x])
            for e in live:
                if e in near:
                    add(e, x, near[e])
    return out


def _fewest(
    moves: Mapping[int, list[tuple[int, int]]] | Moves, sources: list[int]
) -> dict[int, int]:
    """Fewest crossings from ``sources`` to every pair reached: 0-1 breadth-first search."""
    dist = dict.fromkeys(sources, 0)
    queue = deque(sources)
    while queue:
        i = queue.popleft()
        d = dist[i]
        for j, w in moves[i]:
            if d + w < dist.get(j, d + w + 1):
                dist[j] = d + w
                if w:
                    queue.append(j)
                else:
                    queue.appendleft(j)
    return dist


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
