"""Trust and value: where each persona builds or loses trust, and when value turns relational.

Seed 003 asks two questions of a journey map: how do buyer-personas build
and lose trust in the vendor, and when does the value they look for shift
from the product to the relationship? Touchpoints answer them with
``trust`` (``builds`` or ``erodes``) and ``value`` (``product`` or
``relationship``). For all journeys (``persona`` None) and then for each
persona, on the journey that persona travels (the steps and edges
:func:`cxgraph.for_persona` keeps, probabilities renormalised), one record
per phase, in phase order:

================  =================================================================
column            what it holds
================  =================================================================
``persona``       the persona id; None for all journeys
``phase``         the phase id; None for the touchpoints that have no phase
``builds``        how many of the phase's touchpoints build trust
``erodes``        how many erode it
``balance``       the running trust balance up to and including this phase
``product``       how many of the phase's touchpoints give product value
``relationship``  how many give relationship value
================  =================================================================

Only ``balance`` is weighted: each touchpoint that builds trust adds its
weight, each that erodes it takes its weight away, and the sum runs over the
phases in order. The weight is the touchpoint's visit probability (the share
of journeys that ever reach it, from :func:`cxgraph.markov`) when the
probabilities are known (Markov basis ``probability``, or ``count``, whose
shares are data too), and 1 otherwise. Touchpoints with no phase come last,
in a row with phase None, so the last balance is the whole journey's. Every
slice has a row for each phase of the journey (and the None row when any
touchpoint lacks a phase), so the personas' tables line up; a phase a
persona's journey never touches holds zeros and carries the balance on.

Per persona (and all), :attr:`TrustAndValue.summaries` holds:

``value_shift``
    The first phase whose own relationship touchpoints outnumber its own
    product touchpoints (the None row never counts), else None.
``erosion``
    The touchpoints that erode trust on the way most customers go: with
    known probabilities, those at least half the slice's journeys visit (visit
    probability 0.5 or more), highest share first; otherwise those every
    path passes (every way from an entry to an end of the journey, an
    outcome or a step with no way on, goes through them), by id.

A journey where no touchpoint sets ``trust`` or ``value`` gives no records
and says so. A persona no entry serves has no records either; it is listed
in ``without_entry``.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.trust import trust_and_value
>>> j = cx.Journey(id="j", name="Dinner",
...     phases=[cx.Phase(id="awareness", name="Awareness"),
...             cx.Phase(id="purchase", name="Purchase"),
...             cx.Phase(id="retention", name="Retention")],
...     touchpoints=[
...         cx.Touchpoint(id="reviews", name="Reads reviews", phase="awareness", trust="builds"),
...         cx.Touchpoint(id="wait", name="Waits for the table", phase="purchase",
...                       trust="erodes"),
...         cx.Touchpoint(id="eat", name="Eats", phase="purchase", trust="builds",
...                       value="product"),
...         cx.Touchpoint(id="club", name="Joins the club", phase="retention",
...                       value="relationship")],
...     outcomes=[cx.Outcome(id="gone", name="Goes elsewhere", kind="exit"),
...               cx.Outcome(id="back", name="Comes back", kind="success")],
...     transitions=[cx.Transition(source="reviews", target="wait", probability=0.6),
...                  cx.Transition(source="reviews", target="gone", probability=0.4),
...                  cx.Transition(source="wait", target="eat"),
...                  cx.Transition(source="eat", target="club", probability=0.5),
...                  cx.Transition(source="eat", target="back", probability=0.5),
...                  cx.Transition(source="club", target="back")])
>>> result = trust_and_value(j)
>>> [(r.phase, r.builds, r.erodes, round(r.balance, 2), r.product, r.relationship)
...  for r in result]
[('awareness', 1, 0, 1.0, 0, 0), ('purchase', 1, 1, 1.0, 1, 0), ('retention', 0, 0, 1.0, 0, 1)]
>>> result.summaries[None]
TrustSummary(persona=None, value_shift='retention', erosion=('wait',))
>>> print(result.summary())
Trust erodes at 'Waits for the table' (60% of journeys); value turns relational in phase 'Retention'; each touchpoint weighs the share of journeys that visit it (from the map's probabilities)
"""  # noqa: E501

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import ClassVar, TypeVar

import attrs
import networkx as nx
from attrs import field, frozen

from cxgraph._util.dominators import immediate_dominators_of
from cxgraph.analyses.flow import customer_flow, require_journey
from cxgraph.analyses.markov import markov
from cxgraph.analyses.markov_model import MarkovModel
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.graph import compile_graph, entry_weights, persona_reach
from cxgraph.model.classes import Entry, Handoff, Journey, Touchpoint, Transition

__all__ = ["ERODING_SHARE", "TrustAndValue", "TrustPhase", "TrustSummary", "trust_and_value"]

#: The share of journeys that must visit an eroding touchpoint for it to count as erosion.
ERODING_SHARE = 0.5
# Visit probabilities come from floating-point linear algebra: a hand-worked
# 0.5 may arrive a hair below and must still count.
_TOL = 1e-12

# Cannot collide with a step: ids never contain '<' or '>'.
_ROOT = "<entries>"
_SINK = "<ends>"

_BASIS_WORDS = {
    "probability": "from the map's probabilities",
    "count": "from the counts on the map",
}
_UNKNOWN_WORDS = {
    "uniform": "the map gives no probabilities",
    "mixed": "the map gives probabilities for some steps only",
}

_ItemT = TypeVar("_ItemT", bound=Transition | Handoff | Entry)


@frozen(kw_only=True)
class TrustPhase:
    """One phase of one journey slice: trust built and eroded, value given.

    ``persona`` is None for all journeys and ``phase`` None for the
    touchpoints without a phase; the four counts are touchpoints of the
    phase, ``balance`` the running weighted trust balance up to it.
    """

    persona: str | None
    phase: str | None
    builds: int
    erodes: int
    balance: float
    product: int
    relationship: int


@frozen(kw_only=True)
class TrustSummary:
    """The headline of one journey slice (``persona`` None for all journeys).

    ``value_shift`` is the first phase where relationship value outnumbers
    product value (None if none does); ``erosion`` the eroding touchpoints
    most journeys meet (see the module docstring).
    """

    persona: str | None
    value_shift: str | None
    erosion: tuple[str, ...]


@frozen(kw_only=True, repr=False)
class TrustAndValue(AnalysisResult[TrustPhase]):
    """Trust built and eroded, and value given, per phase, for all journeys and per persona.

    The findings are the records of the module docstring: all journeys
    first, then each persona in the journey's order, phases in order.
    Besides them: ``summaries`` (persona id, None for all, to its
    :class:`TrustSummary`), ``bases`` (persona id to the basis of that
    slice's Markov model, None when it could not be built or no touchpoint
    sets ``trust`` or ``value``), ``shares``
    (persona id to the share of journeys that visit each touchpoint in its
    ``erosion``; empty when the slice has no known probabilities),
    ``without_entry`` (personas no entry serves), ``marked`` (whether any
    touchpoint sets ``trust`` or ``value``) and ``notes`` (why a slice's
    Markov model is missing).
    """

    name: ClassVar[str] = "trust_and_value"
    title: ClassVar[str] = "Trust and value"

    summaries: Mapping[str | None, TrustSummary] = field(factory=dict, hash=False)
    bases: Mapping[str | None, str | None] = field(factory=dict, hash=False)
    shares: Mapping[str | None, Mapping[str, float]] = field(factory=dict, hash=False)
    without_entry: tuple[str, ...] = ()
    marked: bool = False
    notes: Mapping[str | None, str] = field(factory=dict, hash=False)
    #: Names by kind of object (``persona``, ``phase``, ``step``), then id.
    names: Mapping[str, Mapping[str, str]] = field(factory=dict, eq=False, hash=False)

    @property
    def basis(self) -> str | None:
        """The basis of the all-journeys Markov model (None when it could not be built)."""
        return self.bases.get(None)

    @property
    def probabilities_known(self) -> bool:
        """True when the all-journeys balance is weighted by visit probabilities."""
        return _known(self.basis)

    def _name(self, kind: str, key: str | None) -> str:
        if key is None:
            return "no phase" if kind == "phase" else "All journeys"
        return repr(self.names.get(kind, {}).get(key, key))

    def describe(self, finding: TrustPhase) -> str:
        """One phase of one slice in plain words: counts and the balance so far."""
        who = self._name("persona", finding.persona)
        phase = (
            "touchpoints with no phase"
            if finding.phase is None
            else self._name("phase", finding.phase)
        )
        return (
            f"{who}, {phase}: {finding.builds} build{'s' if finding.builds == 1 else ''} "
            f"trust, {finding.erodes} erode{'s' if finding.erodes == 1 else ''} it "
            f"(balance {finding.balance:+.2f} so far); value: {finding.product} product, "
            f"{finding.relationship} relationship"
        )

    def headline(self, persona: str | None) -> str:
        """One slice's summary in plain words: where trust erodes, when value turns relational."""
        s = self.summaries[persona]
        shares = self.shares.get(persona, {})
        if s.erosion:
            where = [
                f"{self._name('step', t)} "
                + (f"({shares[t]:.0%} of journeys)" if t in shares else "(every path passes it)")
                for t in s.erosion
            ]
            trust = "Trust erodes at " + _and(where)
        elif _known(self.bases.get(persona)):
            trust = "No eroding touchpoint is visited by half the journeys"
        else:
            trust = "No eroding touchpoint lies on every path"
        value = (
            f"value turns relational in phase {self._name('phase', s.value_shift)}"
            if s.value_shift is not None
            else "value never turns relational (no phase has more relationship than product "
            "touchpoints)"
        )
        return f"{trust}; {value}"

    def summary(self) -> str:
        """One sentence: the all-journeys headline, and what the balance is weighted by."""
        if not self.marked:
            return (
                "no touchpoint says whether it builds or erodes trust or which value it gives: "
                "set trust and value on the touchpoints"
            )
        basis = self.basis
        if basis is not None and _known(basis):
            weight = "each touchpoint weighs the share of journeys that visit it"
            weight += f" ({_BASIS_WORDS[basis]})"
        else:
            why = _UNKNOWN_WORDS.get(basis or "", self.notes.get(None, ""))
            weight = f"each touchpoint counts once ({why}), erosion judged by paths"
        text = f"{self.headline(None)}; {weight}"
        if self.without_entry:
            gone = ", ".join(self._name("persona", p) for p in self.without_entry)
            text += f"; no entry serves {gone}"
        return text

    def _headlines(self) -> list[str]:
        slices = [p for p in self.summaries if p is None or p not in self.without_entry]
        out = []
        for p in slices:
            text = self.headline(p)
            out.append(f"{self._name('persona', p)}: {text[:1].lower()}{text[1:]}")
        return out

    def line_count(self) -> int:
        """A headline per slice, then one line per record."""
        return len(self._headlines()) + len(self.findings) if self.marked else 0

    def lines(self, limit: int | None = None) -> list[str]:
        """Each slice's headline (all journeys first), then the records, at most ``limit``."""
        if not self.marked:
            return []
        out = [*self._headlines(), *(self.describe(f) for f in self.findings)]
        if limit is not None and len(out) > limit:
            return [*out[:limit], f"... and {len(out) - limit} more"]
        return out


def trust_and_value(journey: Journey) -> TrustAndValue:
    """Count trust built and eroded, and value given, per phase, for all journeys and per persona.

    Parameters
    ----------
    journey
        The journey to analyse.

    Returns
    -------
    TrustAndValue
        One record ``persona, phase, builds, erodes, balance, product,
        relationship`` per phase for all journeys (``persona`` None) and for
        each persona, and a :class:`TrustSummary` per slice (see the module
        docstring).

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    Without probabilities every touchpoint counts once, and erosion is what
    every path passes:

    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     personas=[cx.Persona(id="new", name="Newcomer"), cx.Persona(id="reg", name="Regular")],
    ...     phases=[cx.Phase(id="buy", name="Buy"), cx.Phase(id="stay", name="Stay")],
    ...     touchpoints=[
    ...         cx.Touchpoint(id="queue", name="Queues", phase="buy", trust="erodes"),
    ...         cx.Touchpoint(id="deal", name="Gets a deal", phase="buy", value="product"),
    ...         cx.Touchpoint(id="club", name="Loyalty club", phase="stay", trust="builds",
    ...                       value="relationship", personas=["reg"])],
    ...     outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
    ...     transitions=[cx.Transition(source="queue", target="deal"),
    ...                  cx.Transition(source="deal", target="club"),
    ...                  cx.Transition(source="deal", target="done"),
    ...                  cx.Transition(source="club", target="done")])
    >>> result = trust_and_value(j)
    >>> for r in result:
    ...     print(r.persona, r.phase, r.builds, r.erodes, r.balance)
    None buy 0 1 -1.0
    None stay 1 0 0.0
    new buy 0 1 -1.0
    new stay 0 0 -1.0
    reg buy 0 1 -1.0
    reg stay 1 0 0.0
    >>> result.basis, result.summaries["new"]
    ('uniform', TrustSummary(persona='new', value_shift=None, erosion=('queue',)))
    >>> print(result.headline("reg"))
    Trust erodes at 'Queues' (every path passes it); value turns relational in phase 'Stay'
    """
    journey = require_journey(journey, "trust_and_value")
    touchpoints = journey.touchpoints
    names: dict[str, Mapping[str, str]] = {
        "persona": MappingProxyType({p.id: p.name for p in journey.personas}),
        "phase": MappingProxyType({p.id: p.name for p in journey.phases}),
        "step": MappingProxyType({s.id: s.name for s in journey.steps}),
    }
    marked = any(t.trust is not None or t.value is not None for t in touchpoints)
    phases: list[str | None] = [p.id for p in journey.phases]
    if any(t.phase is None for t in touchpoints):
        phases.append(None)
    slices: list[tuple[str | None, Journey | None]] = [(None, journey)]
    slices += [(p.id, _travelled_by(journey, p.id) if marked else None) for p in journey.personas]
    rows: list[TrustPhase] = []
    summaries: dict[str | None, TrustSummary] = {}
    bases: dict[str | None, str | None] = {}
    shares: dict[str | None, Mapping[str, float]] = {}
    notes: dict[str | None, str] = {}
    without: list[str] = []
    for persona, sliced in slices:
        if not marked or sliced is None:
            if marked and persona is not None:
                without.append(persona)
            summaries[persona] = TrustSummary(persona=persona, value_shift=None, erosion=())
            bases[persona] = None
            shares[persona] = MappingProxyType({})
            continue
        found, summaries[persona], bases[persona], shares[persona], note = _one_slice(
            sliced, persona, phases
        )
        rows += found
        if note:
            notes[persona] = note
    return TrustAndValue(
        findings=tuple(rows),
        summaries=MappingProxyType(summaries),
        bases=MappingProxyType(bases),
        shares=MappingProxyType(shares),
        without_entry=tuple(without),
        marked=marked,
        notes=MappingProxyType(notes),
        names=MappingProxyType(names),
    )


def _one_slice(
    journey: Journey, persona: str | None, phases: Sequence[str | None]
) -> tuple[list[TrustPhase], TrustSummary, str | None, Mapping[str, float], str]:
    """The records, summary, basis, erosion shares and note of one journey slice."""
    note = ""
    try:
        model: MarkovModel | None = markov(journey)
    except CxgraphError as exc:
        # A structural analysis must not fail where the chain cannot be
        # solved (a closed loop with no way out): it counts every touchpoint once.
        model, note = None, f"no Markov model: {exc}"
    known = model is not None and model.probabilities_known
    visits: dict[str, float] = {}
    if model is not None and known:
        for t in journey.touchpoints:
            p = model.visit_probability.get(t.id)
            visits[t.id] = model.reach_probability(t.id) if p is None else p
    by_phase: dict[str | None, list[Touchpoint]] = {}
    for t in journey.touchpoints:
        by_phase.setdefault(t.phase, []).append(t)
    rows: list[TrustPhase] = []
    balance = 0.0
    shift: str | None = None
    for phase in phases:
        here = by_phase.get(phase, [])
        weight = {t.id: visits.get(t.id, 1.0) if known else 1.0 for t in here}
        balance += math.fsum(
            weight[t.id] if t.trust == "builds" else -weight[t.id]
            for t in here
            if t.trust is not None
        )
        product = sum(t.value == "product" for t in here)
        relationship = sum(t.value == "relationship" for t in here)
        if shift is None and phase is not None and relationship > product:
            shift = phase
        rows.append(
            TrustPhase(
                persona=persona,
                phase=phase,
                builds=sum(t.trust == "builds" for t in here),
                erodes=sum(t.trust == "erodes" for t in here),
                # Rounded so float noise never shows as -0.00 or 1e-17.
                balance=round(balance, 12) + 0.0,
                product=product,
                relationship=relationship,
            )
        )
    eroding = [t.id for t in journey.touchpoints if t.trust == "erodes"]
    if known:
        often = {t: visits[t] for t in eroding if visits[t] >= ERODING_SHARE - _TOL}
        erosion = tuple(sorted(often, key=lambda t: (-round(often[t], 9), t)))
        found: Mapping[str, float] = MappingProxyType({t: often[t] for t in erosion})
    else:
        passed = _on_every_path(journey)
        erosion = tuple(sorted(t for t in eroding if t in passed))
        found = MappingProxyType({})
    summary = TrustSummary(persona=persona, value_shift=shift, erosion=erosion)
    return rows, summary, None if model is None else model.basis, found, note


def _on_every_path(journey: Journey) -> frozenset[str]:
    """The steps every path from an entry to an end of the journey passes.

    An end is an outcome or a reachable step with no way on (the customer
    flow: transitions and hand-offs). A virtual root joined to every entry
    and a virtual sink joined from every end turn "every path" into
    dominance of the sink; with no end reachable there is no such step.
    """
    flow = customer_flow(compile_graph(journey))
    for step in entry_weights(journey)[0]:
        flow.add_edge(_ROOT, step)
    if _ROOT not in flow:
        return frozenset()
    for step in nx.descendants(flow, _ROOT):
        if flow.out_degree(step) == 0:
            flow.add_edge(step, _SINK)
    if _SINK not in flow:
        return frozenset()
    idom = immediate_dominators_of(flow, _ROOT)
    passed = set()
    node = idom[_SINK]
    while node != _ROOT:
        passed.add(node)
        node = idom[node]
    return frozenset(passed)


def _travelled_by(journey: Journey, persona: str) -> Journey | None:
    """The journey ``persona`` travels, as :func:`cxgraph.for_persona` builds it.

    ``for_persona`` belongs to the edits (layer 5), which an analysis may not
    import. Both take the steps kept from :func:`cxgraph.graph.persona_reach`;
    the renormalising is restated here and a test holds the two equal:
    the probabilities out of each step and of the entries are rescaled over
    what is kept (counts and equal shares the Markov model renormalises by
    itself). None when no entry is the persona's.
    """
    old_starts = entry_weights(journey)[0]
    starts, reach = persona_reach(journey, persona)
    if old_starts and math.fsum(starts.values()) <= 0:
        return None
    if len(reach) == len(journey.steps):
        return journey  # nothing left out: nothing to renormalise
    out: dict[str, list[Transition | Handoff]] = {}
    both: tuple[Transition | Handoff, ...] = (*journey.transitions, *journey.handoffs)
    for flow in both:
        out.setdefault(flow.source, []).append(flow)
    # Two steps are joined by at most one edge: (source, target) names it.
    flows: dict[tuple[str, str], Transition | Handoff] = {}
    for edges in out.values():
        inside = [f for f in edges if f.source in reach and f.target in reach]
        flows.update(((f.source, f.target), f) for f in _reweigh(edges, inside))
    if journey.entries:
        inside_entries = [e for e in journey.entries if e.step in reach]
        entries = tuple(_reweigh(journey.entries, inside_entries))
    elif len(starts) == len(old_starts):
        entries = ()
    else:
        # Fewer implicit entries than before: say where journeys start, as
        # for_persona does, rather than let a step that lost its inflow start one.
        entries = tuple(Entry(step=k, probability=1.0 / len(starts)) for k in starts)
    return attrs.evolve(
        journey,
        touchpoints=tuple(s for s in journey.touchpoints if s.id in reach),
        decision_points=tuple(s for s in journey.decision_points if s.id in reach),
        outcomes=tuple(s for s in journey.outcomes if s.id in reach),
        transitions=tuple(f for f in flows.values() if isinstance(f, Transition)),
        handoffs=tuple(f for f in flows.values() if isinstance(f, Handoff)),
        triggers=tuple(e for e in journey.triggers if e.source in reach and e.target in reach),
        entries=entries,
    )


def _reweigh(group: Sequence[_ItemT], inside: Sequence[_ItemT]) -> list[_ItemT]:
    """``inside`` (part of ``group``, the edges out of one step or the entries) renormalised.

    Probabilities are scaled to sum to 1 over ``inside`` (dropped when they
    sum to 0 there); counts and equal shares stay as they are, since the
    Markov model turns them into shares of what is left.
    """
    if len(inside) == len(group):
        return list(inside)
    probs = [e.probability for e in group]
    if not all(p is not None for p in probs) or math.fsum(p or 0.0 for p in probs) <= 0:
        return list(inside)
    total = math.fsum(e.probability or 0.0 for e in inside)
    if total <= 0:
        return [attrs.evolve(e, probability=None) for e in inside]
    return [
        attrs.evolve(e, probability=min(max((e.probability or 0.0) / total, 0.0), 1.0))
        for e in inside
    ]


def _known(basis: str | None) -> bool:
    return basis in ("probability", "count")


def _and(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
