"""Dimensions of the journey: the tracks of value a customer can move into.

A restaurant's diner can become a reviewer and loyalty member, and a
business owner among them a catering client: each track is a
:class:`~cxgraph.Dimension` with a ``tier`` (higher is more value), and each
step may belong to one. For each dimension, :func:`dimensions` reports its
steps and their owners, its *entry points* and how many journeys reach it.

Entry points
    The customer-flow edges (transitions and hand-offs) into a step of the
    dimension from a step of a lower tier: the hand-off points into more
    valuable tracks. A step with no dimension counts as the base journey,
    below every tier, so an edge from it into a dimension is an entry point
    too (``from_dimension`` None): a map that tags only its valuable tracks
    still shows where customers move into them. Edges from the same tier or
    a higher one (a member coming back to dine) are not entry points. Each
    entry point carries ``probability``, the share of customers at its
    source who take it (known as in
    :func:`cxgraph.analyses.branches.known_probabilities`), and ``flow``,
    the expected number of times a journey crosses it (from the Markov model,
    when probabilities are known). Journeys that start inside a dimension
    enter it through no edge; ``starts`` lists those entries.

Reach
    ``reach_probability`` is the share of journeys that visit any step of
    the dimension at least once (``markov(journey).reach_probability``),
    only when the Markov model's probabilities are known (basis
    ``probability`` or ``count``); otherwise None, and ``note`` says why.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.dimensions import dimensions
>>> j = cx.Journey(id="j", name="Cafe",
...     dimensions=[cx.Dimension(id="guest", name="Guest", tier=1),
...                 cx.Dimension(id="member", name="Member", tier=2)],
...     touchpoints=[cx.Touchpoint(id="visit", name="Visit", dimension="guest"),
...                  cx.Touchpoint(id="join", name="Join the club", dimension="member")],
...     outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
...     transitions=[cx.Transition(source="visit", target="join", probability=0.25),
...                  cx.Transition(source="visit", target="done", probability=0.75),
...                  cx.Transition(source="join", target="done", probability=1.0)])
>>> result = dimensions(j)
>>> [(d.dimension, d.tier, d.steps) for d in result]
[('guest', 1, ('visit',)), ('member', 2, ('join',))]
>>> print(result.describe(result[1]))  # doctest: +NORMALIZE_WHITESPACE
'Member' (member), tier 2: 1 step; entered by 'Visit' (visit) in Guest ->
'Join the club' (join) 25%; reached by 25% of journeys
>>> result.undimensioned
('done',)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

from attrs import field, frozen

from cxgraph.analyses.branches import known_probabilities
from cxgraph.analyses.flow import FLOW_KINDS, require_journey, step_label
from cxgraph.analyses.markov import markov
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.graph import compile_graph, entry_weights, step_owner
from cxgraph.model.classes import Journey

__all__ = ["DimensionTrack", "Dimensions", "EntryPoint", "dimensions"]


@frozen(kw_only=True)
class EntryPoint:
    """A customer-flow edge into a dimension from a lower tier (or from no dimension).

    ``probability`` is the known share of customers at ``source`` who take
    the edge, ``flow`` the expected times a journey crosses it; each None
    when unknown.
    """

    source: str
    target: str
    from_dimension: str | None
    probability: float | None
    flow: float | None

    def __str__(self) -> str:
        share = "" if self.probability is None else f" ({self.probability:.0%})"
        return f"{self.source} -> {self.target}{share}"


@frozen(kw_only=True)
class DimensionTrack:
    """One dimension: its steps, owners, entry points and reach.

    ``steps`` and ``owners`` are sorted ids; ``starts`` are the journey's
    entries that lie in the dimension; ``entry_points`` are sorted by source
    and target; ``reach_probability`` is None unless probabilities are known.
    """

    dimension: str
    name: str
    tier: int
    steps: tuple[str, ...]
    owners: tuple[str, ...]
    starts: tuple[str, ...]
    entry_points: tuple[EntryPoint, ...]
    reach_probability: float | None


@frozen(kw_only=True, repr=False)
class Dimensions(AnalysisResult[DimensionTrack]):
    """One finding per dimension, by tier and then id, and the steps in none.

    ``undimensioned`` lists the steps that belong to no dimension (sorted);
    ``probabilities_known`` and ``basis`` come from the Markov model
    (``basis`` None when it could not be built, or was not needed because
    the journey has no dimensions), and ``note`` says why reach and flows
    are missing (empty when they are there or there is nothing to reach).
    """

    name: ClassVar[str] = "dimensions"
    title: ClassVar[str] = "Dimensions of the journey"

    undimensioned: tuple[str, ...]
    probabilities_known: bool
    basis: str | None
    note: str = ""
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)
    owner_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    def describe(self, finding: DimensionTrack) -> str:
        """The dimension by name and tier, its size, its entry points and its reach."""
        n = len(finding.steps)
        parts = [f"{n} step{'s' if n != 1 else ''}"]
        if finding.owners:
            owners = ", ".join(self.owner_names.get(o, o) for o in finding.owners)
            parts[0] += f" owned by {owners}"
        if finding.starts:
            parts.append("journeys start here")
        if finding.entry_points:
            names = {f.dimension: f.name for f in self.findings}
            entries = []
            for e in finding.entry_points:
                where = "no dimension"
                if e.from_dimension is not None:
                    where = names.get(e.from_dimension, e.from_dimension)
                share = "" if e.probability is None else f" {e.probability:.0%}"
                entries.append(
                    f"{step_label(self.step_names, e.source)} in {where} -> "
                    f"{step_label(self.step_names, e.target)}{share}"
                )
            parts.append("entered by " + ", ".join(entries))
        if finding.reach_probability is not None:
            parts.append(f"reached by {finding.reach_probability:.0%} of journeys")
        name = step_label({finding.dimension: finding.name}, finding.dimension)
        head = f"{name}, tier {finding.tier}"
        return f"{head}: " + "; ".join(parts)

    def summary(self) -> str:
        """How many dimensions and entry points, and how many steps are in none."""
        n = len(self.findings)
        if not n:
            return "no dimensions"
        points = sum(len(f.entry_points) for f in self.findings)
        free = len(self.undimensioned)
        text = (
            f"{n} dimension{'s' if n != 1 else ''}, {points} entry point"
            f"{'s' if points != 1 else ''}, {free} step{'s' if free != 1 else ''} in no dimension"
        )
        return text + (f" ({self.note})" if self.note else "")


def dimensions(journey: Journey) -> Dimensions:
    """Return each dimension with its steps, owners, entry points and reach.

    Parameters
    ----------
    journey
        The journey to analyse.

    Returns
    -------
    Dimensions
        One finding per dimension (``dimension, name, tier, steps, owners,
        starts, entry_points, reach_probability``), sorted by tier and then
        id; ``undimensioned`` lists the steps in no dimension. See the
        module docstring for entry points and reach.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> dimensions(cx.Journey(id="j", name="J")).summary()
    'no dimensions'
    >>> dimensions("j")
    Traceback (most recent call last):
    ...
    TypeError: dimensions() takes a Journey, got str
    """
    journey = require_journey(journey, "dimensions")
    graph = compile_graph(journey)
    by_id = {s.id: s for s in journey.steps}
    dim_of = {s.id: s.dimension for s in journey.steps}
    tier = {d.id: d.tier for d in journey.dimensions}
    starts = set(entry_weights(journey)[0])
    probs = known_probabilities(graph)

    note = ""
    model = None
    if journey.dimensions:
        try:
            model = markov(journey)
        except CxgraphError as exc:
            # Reach is a bonus on a structural analysis: a flow the Markov
            # model rejects (a closed loop) drops it and says why.
            note = f"no reach or flows: {exc}"
        else:
            if not model.probabilities_known:
                note = f"probabilities unknown (basis {model.basis!r})"
    known = model is not None and model.probabilities_known

    steps: dict[str, list[str]] = defaultdict(list)
    for s in journey.steps:
        if s.dimension is not None:
            steps[s.dimension].append(s.id)
    points: dict[str, list[EntryPoint]] = defaultdict(list)
    for u, v, data in graph.edges(data=True):
        into = dim_of[v]
        if data["kind"] not in FLOW_KINDS or into is None:
            continue
        came = dim_of[u]
        # A step in no dimension is the base journey, below every tier.
        if came is None or tier[came] < tier[into]:
            points[into].append(
                EntryPoint(
                    source=u,
                    target=v,
                    from_dimension=came,
                    probability=probs.get((u, v)),
                    flow=float(model.edge_flow[u, v]) if known and model else None,
                )
            )

    findings = []
    for d in sorted(journey.dimensions, key=lambda d: (d.tier, d.id)):
        members = sorted(steps[d.id])
        owners = {step_owner(by_id[s]) for s in members}
        findings.append(
            DimensionTrack(
                dimension=d.id,
                name=d.name,
                tier=d.tier,
                steps=tuple(members),
                owners=tuple(sorted(o for o in owners if o is not None)),
                starts=tuple(s for s in members if s in starts),
                entry_points=tuple(sorted(points[d.id], key=lambda e: (e.source, e.target))),
                reach_probability=(
                    float(model.reach_probability(members)) if known and model else None
                ),
            )
        )
    return Dimensions(
        findings=tuple(findings),
        undimensioned=tuple(sorted(s for s, d in dim_of.items() if d is None)),
        probabilities_known=known,
        basis=None if model is None else model.basis,
        note=note,
        step_names=MappingProxyType({s.id: s.name for s in journey.steps}),
        owner_names=MappingProxyType({o.id: o.name for o in journey.owners}),
    )
