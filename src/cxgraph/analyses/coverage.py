"""Coverage: which personas and channels each phase serves, and where the gaps are.

Counts the touchpoints of each persona × phase and channel × phase cell
(a touchpoint with no personas serves every persona) and reports as gaps:

``engagement``
    A persona with no touchpoint in a phase: nothing engages them there.
``single_channel``
    A phase served by one channel only: a customer who cannot or will not use
    it has no other way through.
``no_channel``
    A phase with no touchpoint on any channel at all (the extreme case of
    the one above).

Only touchpoints the customer meets count by default (lanes ``customer`` and
``frontstage``): a backstage step (the kitchen cooking) engages nobody, and
counting it would hide a gap. A phase whose touchpoints all lie outside the
counted lanes (restocking, run entirely backstage) is internal: nobody is
meant to be engaged there, so it has no gaps and is listed in
``internal_phases``. A phase with no touchpoint at all is a gap for everyone.
Touchpoints without a phase are left out of the matrices and counted in
``unphased``.

The module is named for its topic, not ``coverage``, so that the function
re-exported as ``cxgraph.analyses.coverage`` never hides the module.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.coverage import coverage
>>> j = cx.Journey(id="j", name="J",
...     personas=[cx.Persona(id="diner", name="Diner"), cx.Persona(id="boss", name="Owner")],
...     phases=[cx.Phase(id="find", name="Find"), cx.Phase(id="eat", name="Eat")],
...     channels=[cx.Channel(id="web", name="Web", kind="digital"),
...               cx.Channel(id="room", name="Dining room", kind="physical")],
...     touchpoints=[
...         cx.Touchpoint(id="search", name="Search", phase="find", channel="web",
...                       personas=["diner"]),
...         cx.Touchpoint(id="dine", name="Dine", phase="eat", channel="room"),
...         cx.Touchpoint(id="menu", name="Menu", phase="eat", channel="web")])
>>> cov = coverage(j)
>>> dict(cov.persona_phase["boss"])
{'find': 0, 'eat': 2}
>>> for line in cov.lines():
...     print(line)
No touchpoint serves 'Owner' (boss) in 'Find' (find): an engagement gap
'Find' (find) is served by one channel only: 'Web' (web)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import ClassVar

from attrs import field, frozen

from cxgraph.analyses.flow import CUSTOMER_LANES
from cxgraph.analyses.results import AnalysisResult
from cxgraph.model.classes import LANES, Journey

__all__ = ["GAP_KINDS", "Coverage", "CoverageGap", "coverage"]

#: Gap kinds, in the order a phase lists them.
GAP_KINDS: tuple[str, ...] = ("engagement", "no_channel", "single_channel")


#: The lanes counted by default: those where the customer meets the journey.
@frozen(kw_only=True)
class CoverageGap:
    """A gap in a phase: a persona nothing engages, or too few channels.

    ``persona`` is set for ``engagement`` gaps, ``channel`` (the only one)
    for ``single_channel`` gaps; the other is None.
    """

    kind: str
    phase: str
    persona: str | None
    channel: str | None


Matrix = Mapping[str, Mapping[str, int]]


@frozen(kw_only=True, repr=False)
class Coverage(AnalysisResult[CoverageGap]):
    """Coverage gaps (the findings), in phase order, with the matrices they come from.

    ``persona_phase[persona][phase]`` and ``channel_phase[channel][phase]``
    count touchpoints (every declared persona, channel and phase, in journey
    order, zeros included); ``lanes`` are the lanes counted,
    ``internal_phases`` the phases with touchpoints in other lanes only (not
    gaps) and ``unphased`` the counted touchpoints without a phase.
    """

    name: ClassVar[str] = "coverage"
    title: ClassVar[str] = "Coverage"

    persona_phase: Matrix = field(hash=False)
    channel_phase: Matrix = field(hash=False)
    lanes: tuple[str, ...]
    internal_phases: tuple[str, ...]
    unphased: int
    #: Names by kind of object (``persona``, ``phase``, ``channel``), then id.
    names: Mapping[str, Mapping[str, str]] = field(factory=dict, eq=False, hash=False)

    def _name(self, kind: str, ref: str | None) -> str:
        name = self.names.get(kind, {}).get(ref or "")
        return f"{name!r} ({ref})" if name and name != ref else repr(ref)

    def describe(self, finding: CoverageGap) -> str:
        """The gap in plain words, with persona, phase and channel names."""
        phase = self._name("phase", finding.phase)
        if finding.kind == "engagement":
            persona = self._name("persona", finding.persona)
            return f"No touchpoint serves {persona} in {phase}: an engagement gap"
        if finding.kind == "single_channel":
            return (
                f"{phase} is served by one channel only: {self._name('channel', finding.channel)}"
            )
        return f"{phase} has no touchpoint on any channel"

    def summary(self) -> str:
        """How many gaps of each kind."""
        n = {k: sum(g.kind == k for g in self.findings) for k in GAP_KINDS}
        narrow = n["single_channel"] + n["no_channel"]
        return (
            f"{n['engagement']} engagement gap{'s' if n['engagement'] != 1 else ''}, "
            f"{narrow} phase{'s' if narrow != 1 else ''} with fewer than two channels"
        )


def _frozen_matrix(
    rows: Iterable[str], cols: Iterable[str], counts: Mapping[tuple[str, str], int]
) -> Matrix:
    cols = tuple(cols)
    return MappingProxyType(
        {r: MappingProxyType({c: counts.get((r, c), 0) for c in cols}) for r in rows}
    )


def coverage(journey: Journey, *, lanes: Iterable[str] = CUSTOMER_LANES) -> Coverage:
    """Count touchpoints per persona × phase and channel × phase, and find the gaps.

    Parameters
    ----------
    journey
        The journey to analyse.
    lanes
        The blueprint lanes whose touchpoints count (default: ``customer``
        and ``frontstage``, where the customer meets the journey).

    Returns
    -------
    Coverage
        Gaps as findings ``kind, phase, persona, channel`` in phase order
        (then kind as in :data:`GAP_KINDS`, then persona order), and the two
        matrices.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey, or ``lanes`` is a bare string.
    ValueError
        If ``lanes`` names an unknown lane.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     phases=[cx.Phase(id="cook", name="Cooking"), cx.Phase(id="pay", name="Paying")],
    ...     touchpoints=[cx.Touchpoint(id="fry", name="Fry", phase="cook", lane="backstage")])
    >>> cov = coverage(j)
    >>> cov.internal_phases, [(g.kind, g.phase) for g in cov]
    (('cook',), [('no_channel', 'pay')])
    >>> coverage(j, lanes=["kitchen"])
    Traceback (most recent call last):
    ...
    ValueError: unknown lane 'kitchen' in lanes (known: 'customer', 'frontstage', 'backstage', 'support')
    """  # noqa: E501
    if not isinstance(journey, Journey):
        msg = f"coverage() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    if isinstance(lanes, str):
        msg = f"lanes must be a collection of lanes, not the string {lanes!r}: write [{lanes!r}]"
        raise TypeError(msg)
    lanes = tuple(lanes)
    known = ", ".join(repr(lane) for lane in LANES)
    for lane in lanes:
        if lane not in LANES:
            msg = f"unknown lane {lane!r} in lanes (known: {known})"
            raise ValueError(msg)
    personas = [p.id for p in journey.personas]
    phases = [p.id for p in journey.phases]
    channels = [c.id for c in journey.channels]
    by_persona: dict[tuple[str, str], int] = {}
    by_channel: dict[tuple[str, str], int] = {}
    unphased = 0
    counted: set[str] = set()
    uncounted: set[str] = set()
    for tp in journey.touchpoints:
        if tp.phase is None:
            unphased += tp.lane in lanes
            continue
        if tp.lane not in lanes:
            uncounted.add(tp.phase)
            continue
        counted.add(tp.phase)
        for persona in tp.personas or personas:
            by_persona[persona, tp.phase] = by_persona.get((persona, tp.phase), 0) + 1
        if tp.channel is not None:
            by_channel[tp.channel, tp.phase] = by_channel.get((tp.channel, tp.phase), 0) + 1
    gaps: list[CoverageGap] = []
    internal = tuple(p for p in phases if p in uncounted and p not in counted)
    for phase in phases:
        if phase in internal:
            continue
        gaps += [
            CoverageGap(kind="engagement", phase=phase, persona=p, channel=None)
            for p in personas
            if not by_persona.get((p, phase))
        ]
        serving = [c for c in channels if by_channel.get((c, phase))]
        if not serving:
            gaps.append(CoverageGap(kind="no_channel", phase=phase, persona=None, channel=None))
        elif len(serving) == 1:
            gaps.append(
                CoverageGap(kind="single_channel", phase=phase, persona=None, channel=serving[0])
            )
    names = {
        kind: MappingProxyType({o.id: o.name for o in group})
        for kind, group in (
            ("persona", journey.personas),
            ("phase", journey.phases),
            ("channel", journey.channels),
        )
    }
    return Coverage(
        findings=tuple(gaps),
        persona_phase=_frozen_matrix(personas, phases, by_persona),
        channel_phase=_frozen_matrix(channels, phases, by_channel),
        lanes=lanes,
        internal_phases=internal,
        unphased=unphased,
        names=MappingProxyType(names),
    )
