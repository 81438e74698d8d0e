"""Unowned hand-offs: where responsibility passes with nobody accountable.

Customer decisions and outcomes have no owner and are transparent: a
hand-off is looked for between the last owned step before them and the next
owned step after, following transitions, hand-offs and triggers. A finding
names those two steps as ``source`` and ``target`` and the transparent steps
between them as ``via`` (empty for a direct edge). Between two steps the
shortest chain is taken, ties broken by the smallest sequence of step ids, so
each pair is judged once and on the same chain every time. A touchpoint with
no owner is not transparent: it is a gap, and the chain stops there.

Reasons, one finding per (source, target) pair and reason:

``no_owner``
    A declared :class:`~cxgraph.Handoff` on the chain has ``owner=None``,
    *whatever the owners of its two ends*: declaring a hand-off says that
    responsibility passes there, and one with nobody accountable for it
    arriving is a gap even inside one team. Also a
    :class:`~cxgraph.Trigger` with ``owner=None`` between two different
    owners (a trigger inside one owner's work is that owner's business).
``undeclared``
    The two ends have different owners and the chain is made of plain
    transitions only: responsibility passes with no hand-off declared.
``step_unowned``
    One end is a touchpoint with no owner (a step handing to itself, a
    repeat, passes nothing and is left out).
``context_dropped``
    The chain holds a Handoff, none of its Handoffs carries anything, and it
    arrives at a touchpoint the customer sees (lane ``customer`` or
    ``frontstage``): the customer will have to repeat themselves.

Owners are compared only when both ends have one; a gap end is reported as
``step_unowned`` instead. A chain with an owned step on one side only (it
starts at an entry decision or ends in outcomes) hands nothing from or to
anyone and is not reported. A journey in which no step has an owner (one
discovered from events without a resource column) yields no findings and
``ownership_known`` is False.

``flow`` is the expected number of journeys passing the chain, per journey:
the Markov model's expected visits of ``source`` times the probability of
each customer-flow edge on the chain (a trigger counts as firing every time
its source runs). On a journey without loops it is the share of journeys.
It is None when probabilities are unknown (basis ``uniform`` or ``mixed``,
or a flow the Markov model cannot solve) and for chains out of steps that
only triggers reach.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.handoffs import unowned_handoffs
>>> j = cx.Journey(id="j", name="Demo request",
...     owners=[cx.Owner(id="mkt", name="Marketing", kind="department"),
...             cx.Owner(id="sales", name="Sales", kind="department")],
...     touchpoints=[cx.Touchpoint(id="demo-form", name="Request a demo", owner="mkt"),
...                  cx.Touchpoint(id="discovery-call", name="Discovery call",
...                                owner="sales")],
...     decision_points=[cx.DecisionPoint(id="ready", name="Ready to talk?",
...                                       decided_by="customer")],
...     outcomes=[cx.Outcome(id="gone", name="Goes dark", kind="exit")],
...     transitions=[cx.Transition(source="demo-form", target="ready"),
...                  cx.Transition(source="ready", target="discovery-call"),
...                  cx.Transition(source="ready", target="gone")])
>>> result = unowned_handoffs(j)
>>> result[0]
UnownedHandoff(source='demo-form', target='discovery-call', from_owner='mkt', to_owner='sales', reason='undeclared', via=('ready',), flow=None)
>>> print(result.describe(result[0]))
Marketing hands 'Request a demo' (demo-form) to Sales at 'Discovery call' (discovery-call) through the customer's decision 'Ready to talk?' (ready) with no hand-off declared: nobody is accountable for it
"""  # noqa: E501

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from attrs import field, frozen

from cxgraph.analyses._ownership import (
    Hop,
    grouped_by_pair,
    hop_flows,
    label,
    names_of,
    ownership_hops,
    step_roles,
    via_text,
)
from cxgraph.analyses.flow import CUSTOMER_LANES, flow_model, require_journey
from cxgraph.analyses.results import AnalysisResult
from cxgraph.graph import compile_graph
from cxgraph.model.classes import Journey

__all__ = [
    "REASONS",
    "HandoffChain",
    "OwnerPair",
    "UnownedHandoff",
    "UnownedHandoffs",
    "unowned_handoffs",
]

Reason = Literal["context_dropped", "no_owner", "step_unowned", "undeclared"]

#: Every reason, in the order findings are sorted by.
REASONS: tuple[Reason, ...] = ("context_dropped", "no_owner", "step_unowned", "undeclared")


@frozen(kw_only=True)
class UnownedHandoff:
    """One place where responsibility passes with nobody accountable.

    ``source`` and ``target`` are the owned (or unowned touchpoint) steps on
    either side, ``via`` the customer decisions and outcomes between them,
    ``from_owner`` and ``to_owner`` their owners (None for a touchpoint
    without owner), ``flow`` the share of journeys passing it (expected
    passes per journey; None when probabilities are unknown).
    """

    source: str
    target: str
    from_owner: str | None
    to_owner: str | None
    reason: Reason
    via: tuple[str, ...]
    flow: float | None


#: Each reason in plain words, as the page and the text say it.
REASON_WORDS: Mapping[str, str] = {
    "undeclared": "no hand-off declared",
    "no_owner": "declared with nobody accountable",
    "step_unowned": "a step nobody owns",
    "context_dropped": "no context carried: the customer repeats themselves",
}


@frozen(kw_only=True)
class HandoffChain:
    """One unowned hand-off: a chain ``(source, target)`` with every reason it has.

    The fields are those of :class:`UnownedHandoff`, with ``reasons`` (in
    :data:`REASONS` order) in place of the one ``reason``.
    """

    source: str
    target: str
    from_owner: str | None
    to_owner: str | None
    via: tuple[str, ...]
    flow: float | None
    reasons: tuple[Reason, ...]


@frozen(kw_only=True)
class OwnerPair:
    """The unowned hand-offs from one owner to another.

    ``routes`` counts the chains, ``passes`` sums their flows (expected
    passes per journey; None when probabilities are unknown) and ``chains``
    holds them, as in :attr:`UnownedHandoffs.chains`.
    """

    from_owner: str | None
    to_owner: str | None
    routes: int
    passes: float | None
    chains: tuple[HandoffChain, ...]


@frozen(kw_only=True, repr=False)
class UnownedHandoffs(AnalysisResult[UnownedHandoff]):
    """Every unowned hand-off, sorted by (source, target, reason).

    The findings are one per chain and reason; ``chains`` has one record per
    chain ``(source, target)`` with all its reasons, in the same order, and
    is what the headline counts: a chain that is undeclared and drops context
    is one unowned hand-off. ``len()`` stays the number of findings.
    ``ownership_known`` is False when no step of the journey has an owner:
    then there are no findings, because nothing could be checked.
    """

    name: ClassVar[str] = "unowned_handoffs"
    title: ClassVar[str] = "Unowned hand-offs"

    ownership_known: bool
    #: Names by kind of object (``step``, ``owner``, ``decision``), then id.
    names: Mapping[str, Mapping[str, str]] = field(factory=dict, eq=False, hash=False)
    #: One record per chain, all its reasons together (derived from the findings).
    chains: tuple[HandoffChain, ...] = field(default=(), eq=False, hash=False)

    def by_reason(self) -> dict[str, int]:
        """How many chains have each reason, every reason listed."""
        counts = Counter(r for c in self.chains for r in c.reasons)
        return {r: counts[r] for r in REASONS}

    def by_owner_pair(self) -> tuple[OwnerPair, ...]:
        """The chains grouped by (from owner, to owner): most routes first, then names."""
        return tuple(
            OwnerPair(
                from_owner=a,
                to_owner=b,
                routes=len(cs),
                passes=(
                    None
                    if any(c.flow is None for c in cs)
                    else math.fsum(c.flow for c in cs if c.flow is not None)
                ),
                chains=tuple(cs),
            )
            for (a, b), cs in grouped_by_pair(
                self.chains, lambda c: (c.from_owner, c.to_owner), self.names
            )
        )

    def line_count(self) -> int:
        """How many lines :meth:`lines` gives in all: one per chain."""
        return len(self.chains)

    def lines(self, limit: int | None = None) -> list[str]:
        """The chains in plain words, one line each with all its reasons, at most ``limit``."""
        shown = self.chains if limit is None else self.chains[:limit]
        out = [self.describe_chain(c) for c in shown]
        if limit is not None and len(self.chains) > limit:
            out.append(f"... and {len(self.chains) - limit} more")
        return out

    def describe_chain(self, chain: HandoffChain) -> str:
        """One chain in plain words: who hands what to whom, and every way it is unowned."""
        n = self.names
        src, dst = label(n, "step", chain.source), label(n, "step", chain.target)
        via = via_text(n, chain.via)
        if chain.from_owner is None or chain.to_owner is None:
            text = _gap_text(n, chain.from_owner, chain.to_owner, src, dst, via)
            rest = [REASON_WORDS[r] for r in chain.reasons if r != "step_unowned"]
        else:
            text = (
                f"{label(n, 'owner', chain.from_owner)} hands {src} to "
                f"{label(n, 'owner', chain.to_owner)} at {dst}{via}"
            )
            rest = [REASON_WORDS[r] for r in chain.reasons]
        if rest:
            text += ": " + "; ".join(rest)
        return text + _flow_text(chain.flow)

    def describe(self, finding: UnownedHandoff) -> str:
        """The hand-off in plain words: who hands what to whom, and what is missing."""
        n = self.names
        src, dst = label(n, "step", finding.source), label(n, "step", finding.target)
        via = via_text(n, finding.via)
        hands = (
            f"{label(n, 'owner', finding.from_owner)} hands {src} to "
            f"{label(n, 'owner', finding.to_owner)} at {dst}{via}"
        )
        if finding.reason == "no_owner":
            text = f"{hands}: declared, but nobody is accountable for it arriving"
        elif finding.reason == "undeclared":
            text = f"{hands} with no hand-off declared: nobody is accountable for it"
        elif finding.reason == "context_dropped":
            text = f"{hands} carrying no context: the customer has to repeat themselves"
        else:
            text = _gap_text(n, finding.from_owner, finding.to_owner, src, dst, via)
        return text + _flow_text(finding.flow)

    def summary(self) -> str:
        """How many unowned hand-offs (chains), and how many have each reason, in words."""
        if not self.ownership_known:
            return "ownership is unknown: no step has an owner, so no hand-off could be checked"
        n = len(self.chains)
        if not n:
            return "no unowned hand-offs: every change of owner is declared and owned"
        head = f"{n} unowned hand-off{'s' if n != 1 else ''}"
        counts = {r: k for r, k in self.by_reason().items() if k}
        if n == 1:
            return f"{head}, with {' and '.join(_SHORT[r] for r in counts)}"
        if len(counts) == 1:
            return f"{head}, all with {_SHORT[next(iter(counts))]}"
        return f"{head}: {self.reasons_text()}"

    def reasons_text(self) -> str:
        """How many chains have each reason, most first: ``17 with no hand-off declared, ...``."""
        counts = {r: k for r, k in self.by_reason().items() if k}
        ranked = sorted(counts.items(), key=lambda rk: (-rk[1], REASONS.index(rk[0])))
        return ", ".join(f"{k} with {_SHORT[r]}" for r, k in ranked)


#: Reasons as the summary counts them ("3 with ...").
_SHORT = {
    "undeclared": "no hand-off declared",
    "no_owner": "nobody accountable",
    "step_unowned": "a step nobody owns",
    "context_dropped": "context dropped",
}


def _gap_text(
    n: Mapping[str, Mapping[str, str]],
    from_owner: str | None,
    to_owner: str | None,
    src: str,
    dst: str,
    via: str,
) -> str:
    """A chain with an unowned end, in words."""
    if from_owner is None and to_owner is None:
        return f"{src} leads{via} to {dst} and nobody owns either"
    if from_owner is None:
        return f"{src}, which nobody owns, leads{via} to {dst} ({label(n, 'owner', to_owner)})"
    return f"{label(n, 'owner', from_owner)} hands {src}{via} to {dst}, which nobody owns"


def _chains(findings: tuple[UnownedHandoff, ...]) -> tuple[HandoffChain, ...]:
    """The findings merged per (source, target), reasons in order; findings come sorted."""
    # Group first and build each chain once: rebuilding a frozen chain per
    # reason cost seconds at 100,000 steps.
    merged: dict[tuple[str, str], list[UnownedHandoff]] = {}
    for f in findings:
        merged.setdefault((f.source, f.target), []).append(f)
    return tuple(
        HandoffChain(
            source=group[-1].source,
            target=group[-1].target,
            from_owner=group[-1].from_owner,
            to_owner=group[-1].to_owner,
            via=group[-1].via,
            flow=group[-1].flow,
            reasons=tuple(f.reason for f in group),
        )
        for group in merged.values()
    )


def _flow_text(flow: float | None) -> str:
    if flow is None:
        return ""
    if flow <= 1.0:
        return f" ({flow:.1%} of journeys)"
    return f" ({flow:.2f} times per journey)"


def unowned_handoffs(journey: Journey) -> UnownedHandoffs:
    """Find every place where responsibility passes with nobody accountable.

    See the module docstring for the four reasons, the transparent steps and
    ``flow``.

    Parameters
    ----------
    journey
        The journey to check.

    Returns
    -------
    UnownedHandoffs
        One finding (``source, target, from_owner, to_owner, reason, via,
        flow``) per (source, target) pair and reason, sorted by (source,
        target, reason).

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     owners=[cx.Owner(id="web", name="Web team", kind="team"),
    ...             cx.Owner(id="sdr", name="SDR team", kind="team")],
    ...     touchpoints=[cx.Touchpoint(id="form", name="Contact form", owner="web"),
    ...                  cx.Touchpoint(id="call", name="SDR calls", owner="sdr")],
    ...     handoffs=[cx.Handoff(source="form", target="call", probability=1.0)],
    ...     entries=["form"])
    >>> for f in unowned_handoffs(j):
    ...     print(f.source, f.target, f.reason, f.flow)
    form call context_dropped 1.0
    form call no_owner 1.0
    >>> unowned_handoffs(j).summary()
    '1 unowned hand-off, with context dropped and nobody accountable'
    >>> print(unowned_handoffs(j).lines()[0])
    Web team hands 'Contact form' (form) to SDR team at 'SDR calls' (call): no context carried: the customer repeats themselves; declared with nobody accountable (100.0% of journeys)
    >>> unowned_handoffs("journey.yaml")
    Traceback (most recent call last):
    ...
    TypeError: unowned_handoffs() takes a Journey, got str
    """  # noqa: E501
    journey = require_journey(journey, "unowned_handoffs")
    names = names_of(journey)
    g = compile_graph(journey)
    roles = step_roles(g)
    if "owned" not in roles.values():
        return UnownedHandoffs(findings=(), ownership_known=False, names=names)
    found: list[tuple[int, Hop, Reason]] = []
    # Plain dicts of the graph's nodes and edges: many times faster to index
    # than its views, once per hop.
    node: dict[str, dict[str, Any]] = dict(g.nodes.items())
    adj = dict(g.adjacency())
    # One pass over each hop's edges, the reasons tested in REASONS order
    # (a hundred thousand hops: no per-hop dicts or lists of reasons).
    for i, hop in enumerate(ownership_hops(g)):
        src, dst = hop.source, hop.target
        handoff = trigger = carried = handoff_unowned = trigger_unowned = False
        for e in [adj[src][dst]] if not hop.via else [adj[u][v] for u, v in hop.edges]:
            kind = e["kind"]
            if kind == "handoff":
                handoff = True
                carried = carried or bool(e["carries"])
                handoff_unowned = handoff_unowned or e["owner"] is None
            elif kind == "trigger":
                trigger = True
                trigger_unowned = trigger_unowned or e["owner"] is None
        a, target = node[src].get("owner"), node[dst]
        b = target.get("owner")
        differ = a is not None and b is not None and a != b
        if (
            handoff
            and not carried
            and target["kind"] == "touchpoint"
            and target["lane"] in CUSTOMER_LANES
        ):
            found.append((i, hop, "context_dropped"))
        if handoff_unowned or (differ and trigger_unowned):
            found.append((i, hop, "no_owner"))
        if src != dst and (roles[src] == "gap" or roles[dst] == "gap"):
            found.append((i, hop, "step_unowned"))
        if differ and not handoff and not trigger:
            found.append((i, hop, "undeclared"))
    flows = hop_flows(journey, g, flow_model(journey)) if found else []
    findings = tuple(
        UnownedHandoff(
            source=hop.source,
            target=hop.target,
            from_owner=node[hop.source].get("owner"),
            to_owner=node[hop.target].get("owner"),
            reason=reason,
            via=hop.via,
            flow=flows[i],
        )
        for i, hop, reason in found
    )
    # Hops come sorted by (source, target) and reasons in REASONS order.
    return UnownedHandoffs(
        findings=findings, ownership_known=True, names=names, chains=_chains(findings)
    )
