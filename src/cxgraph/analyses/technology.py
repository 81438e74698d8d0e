"""The technology landscape: which systems the journey runs on, and where they fail it.

Per declared system (``Technology.systems``, in declared order), a record
``system, status, owner, steps, phases, owners, share``: the touchpoints
that list it (journey order), the phases of those steps (phase order; a step
without a phase adds none), the owners of those steps (declared order; the
system's own ``owner`` is who runs it) and ``share``, the probability that a
journey touches at least one of its steps (not a sum of visits).

``share`` is exact, from the Markov model's absorbing chain
(:meth:`~cxgraph.analyses.markov_model.MarkovModel.reach_probability`, one
sparse solve per system): the customer moves along transitions and
hand-offs, as in :func:`~cxgraph.markov`, and a trigger fires every time its
source runs, so a journey also touches a system when it visits a step that
starts one of the system's steps through triggers alone. It is known only
when the journey's numbers are data (basis ``probability`` or ``count``);
otherwise every share is None and ``reason`` says why (equal splits of
unweighted edges are a guess, not a share of journeys). A system one of
whose steps an internal flow reaches by moving on along a transition after
a trigger (the model does not say how such flows branch) has share None too.

The findings (``to_records()``: ``kind, step, system, source, target``,
unused fields None), sorted by kind in this order, then by system, step,
source and target:

``retired_in_use``
    A step of a current-state journey (``state="current"``) on a retired
    system: one finding per step and system.
``planned_in_current``
    A step of a current-state journey on a planned system: the map mixes
    today with the roadmap.
``system_gate``
    A system every path from an entry to a success outcome passes through
    one of its steps: a single point of failure. Paths follow the customer
    flow (transitions and hand-offs, probability-0 edges included); a step
    a trigger starts does not count, since the customer succeeds whether or
    not the internal flow does. None when no success outcome is reachable.
``rekeying``
    An edge (transition, hand-off or trigger) between two touchpoints that
    both run on systems but share none, and that carries nothing (a
    transition never does; a hand-off or trigger with empty ``carries``):
    the data is typed in again. Only direct edges count; a decision point
    has no systems, so an edge into or out of one is never a re-keying.

``matrix[phase][system]`` counts the system's steps in each phase: every
declared phase in order, then ``None`` for the steps without a phase when
any system's step has none (``phases`` lists the columns), every system,
zeros included. A journey that declares no systems gives an empty result
that says so.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.technology import technology
>>> j = cx.Journey(id="shop", name="Shop",
...     phases=[cx.Phase(id="buy", name="Buy"), cx.Phase(id="care", name="Care")],
...     systems=[cx.System(id="web", name="Web shop"),
...              cx.System(id="billing", name="Old billing", status="retired"),
...              cx.System(id="crm", name="CRM")],
...     touchpoints=[
...         cx.Touchpoint(id="cart", name="Cart", phase="buy", systems=["web"]),
...         cx.Touchpoint(id="pay", name="Pay", phase="buy", systems=["web", "billing"]),
...         cx.Touchpoint(id="call", name="Call us", phase="care", systems=["crm"])],
...     outcomes=[cx.Outcome(id="done", name="Done", kind="success"),
...               cx.Outcome(id="gone", name="Gone", kind="exit")],
...     transitions=[cx.Transition(source="cart", target="pay", probability=0.5),
...                  cx.Transition(source="cart", target="gone", probability=0.5),
...                  cx.Transition(source="pay", target="call", probability=0.2),
...                  cx.Transition(source="pay", target="done", probability=0.8),
...                  cx.Transition(source="call", target="done")])
>>> result = technology(j)
>>> [(f.kind, f.system, f.step, f.source, f.target) for f in result]
[('retired_in_use', 'billing', 'pay', None, None),
 ('system_gate', 'billing', None, None, None),
 ('system_gate', 'web', None, None, None),
 ('rekeying', None, None, 'pay', 'call')]

Every journey starts at the cart (share 1); half of them pay (0.5), and a
fifth of those call (0.5 × 0.2 = 0.1):

>>> [(s.system, s.steps, s.share) for s in result.systems]
[('web', ('cart', 'pay'), 1.0), ('billing', ('pay',), 0.5), ('crm', ('call',), 0.1)]
>>> dict(result.matrix["buy"]), dict(result.matrix["care"])
({'web': 2, 'billing': 1, 'crm': 0}, {'web': 0, 'billing': 0, 'crm': 1})
>>> print(result.summary())
3 systems, all used by steps; 'Old billing' is retired but 1 step of this
current journey still uses it; 2 system gates (every path to success touches
each of them); 1 re-keying (data typed in again)
>>> print(result.describe(result[0]))
'Pay' (pay) runs on 'Old billing' (billing), which is retired
>>> print(result.describe(result[3]))
Nothing is carried from 'Pay' (pay) on 'Web shop', 'Old billing' to 'Call us'
(call) on 'CRM': the data is typed in again
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import ClassVar

from attrs import field, frozen

from cxgraph._util.numbers import pct_text
from cxgraph._util.text import plural
from cxgraph.analyses.flow import require_journey, step_label
from cxgraph.analyses.markov import markov
from cxgraph.analyses.markov_model import MarkovModel
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.graph import entry_weights
from cxgraph.model.classes import Handoff, Journey, System, Touchpoint, Transition, Trigger

__all__ = ["KINDS", "SystemUse", "Technology", "TechnologyFinding", "technology"]

#: The finding kinds, in the order the findings list them.
KINDS: tuple[str, ...] = ("retired_in_use", "planned_in_current", "system_gate", "rekeying")


@frozen(kw_only=True)
class TechnologyFinding:
    """One finding about the systems behind the journey.

    ``step`` and ``system`` are set for ``retired_in_use`` and
    ``planned_in_current``, ``system`` alone for ``system_gate``, ``source``
    and ``target`` (the edge) for ``rekeying``; the others are None.
    """

    kind: str
    step: str | None
    system: str | None
    source: str | None
    target: str | None


@frozen(kw_only=True)
class SystemUse:
    """One system and how the journey uses it (see :mod:`cxgraph.analyses.technology`).

    ``share`` is the probability that a journey touches at least one of its
    ``steps``; None when the journey's probabilities are unknown.
    """

    system: str
    status: str
    owner: str | None
    steps: tuple[str, ...]
    phases: tuple[str, ...]
    owners: tuple[str, ...]
    share: float | None


Matrix = Mapping[str | None, Mapping[str, int]]


@frozen(kw_only=True, repr=False)
class Technology(AnalysisResult[TechnologyFinding]):
    """The systems behind the journey, the findings about them and a phase × system matrix.

    ``systems`` holds one :class:`SystemUse` per declared system, in
    declared order; ``phases`` the matrix columns (phase ids in order, then
    None for steps without a phase when there are any); ``matrix[phase][system]``
    the step counts; ``state`` the journey's state; ``basis`` the Markov
    basis the shares rest on (``probability`` or ``count``), None when they
    are unknown, and then ``reason`` says why.
    """

    name: ClassVar[str] = "technology"
    title: ClassVar[str] = "Technology landscape"

    state: str
    systems: tuple[SystemUse, ...]
    phases: tuple[str | None, ...]
    matrix: Matrix = field(hash=False)
    basis: str | None
    reason: str
    #: Names by kind of object (``step``, ``system``), then id.
    names: Mapping[str, Mapping[str, str]] = field(factory=dict, eq=False, hash=False)

    @property
    def gates(self) -> tuple[str, ...]:
        """The ids of the systems every path to success touches, in finding order."""
        return tuple(str(f.system) for f in self.findings if f.kind == "system_gate")

    def use(self, system: str) -> SystemUse:
        """The record of one system.

        Raises
        ------
        KeyError
            If no system has this id; the message lists the known ones.
        """
        for s in self.systems:
            if s.system == system:
                return s
        known = ", ".join(repr(s.system) for s in self.systems) or "none"
        msg = f"no system {system!r} in the technology landscape (known: {known})"
        raise KeyError(msg)

    def _step(self, ref: str | None) -> str:
        return step_label(self.names.get("step", {}), str(ref))

    def _system(self, ref: str | None) -> str:
        return step_label(self.names.get("system", {}), str(ref))

    def _systems_of(self, step: str | None) -> str:
        on = [s.system for s in self.systems if step in s.steps]
        names = self.names.get("system", {})
        return ", ".join(repr(names.get(s, s)) for s in on)

    def describe(self, finding: TechnologyFinding) -> str:
        """The finding in plain words, steps and systems by name."""
        if finding.kind == "retired_in_use":
            step, system = self._step(finding.step), self._system(finding.system)
            return f"{step} runs on {system}, which is retired"
        if finding.kind == "planned_in_current":
            return (
                f"{self._step(finding.step)} runs on {self._system(finding.system)}, which is "
                "only planned: this current-state map shows a system not yet in place"
            )
        if finding.kind == "system_gate":
            text = (
                f"{self._system(finding.system)} is on every path to success: "
                "a single point of failure"
            )
            share = self.use(str(finding.system)).share
            if share is not None:
                text += f" (touched by {pct_text(share)} of journeys)"
            return text
        return (
            f"Nothing is carried from {self._step(finding.source)} on "
            f"{self._systems_of(finding.source)} to {self._step(finding.target)} on "
            f"{self._systems_of(finding.target)}: the data is typed in again"
        )

    def summary(self) -> str:
        """How many systems are used, what is retired or planned, the gates and re-keyings."""
        n = len(self.systems)
        if not n:
            return "no systems: the journey names no technology behind its steps"
        used = sum(1 for s in self.systems if s.steps)
        if not used:
            return f"{plural(n, 'system')} declared, none used by a step"
        head = plural(n, "system") + (
            ", all used by steps" if used == n else f", {used} used by steps"
        )
        parts = [head]
        names = self.names.get("system", {})
        for kind, word in (("retired_in_use", "retired"), ("planned_in_current", "only planned")):
            counts: dict[str, int] = {}
            for f in self.findings:
                if f.kind == kind:
                    counts[str(f.system)] = counts.get(str(f.system), 0) + 1
            for s in self.systems:
                k = counts.get(s.system)
                if k:
                    verb = "still use" if kind == "retired_in_use" else "use"
                    verb = verb + "s" if k == 1 else verb
                    parts.append(
                        f"{names.get(s.system, s.system)!r} is {word} but "
                        f"{plural(k, 'step')} of this current journey {verb} it"
                    )
        gates = len(self.gates)
        rekey = sum(1 for f in self.findings if f.kind == "rekeying")
        if gates:
            them = "it" if gates == 1 else "each of them"
            parts.append(f"{plural(gates, 'system gate')} (every path to success touches {them})")
        if rekey:
            parts.append(f"{plural(rekey, 're-keying', 're-keyings')} (data typed in again)")
        if not self.findings:
            parts.append(
                "nothing retired or planned in use, no single point of failure, no re-keying"
            )
        if self.basis is None:
            parts.append(f"shares unknown: {self.reason}")
        else:
            loose = [repr(names.get(s.system, s.system)) for s in self.systems if s.share is None]
            if loose:
                parts.append(
                    f"share unknown for {', '.join(loose)}: an internal flow reaches "
                    f"{'it' if len(loose) == 1 else 'them'} after a trigger"
                )
        return "; ".join(parts)


def technology(journey: Journey) -> Technology:
    """Map the systems behind the journey: who uses them, how many journeys touch them, the risks.

    See the module docstring for the records, the findings and how ``share``
    is computed.

    Parameters
    ----------
    journey
        The journey to analyse.

    Returns
    -------
    Technology
        Findings ``kind, step, system, source, target`` sorted by kind, then
        ids; ``systems``, ``phases``, ``matrix``, ``basis`` and ``reason``.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> technology(cx.Journey(id="j", name="J")).summary()
    'no systems: the journey names no technology behind its steps'
    >>> technology("journey.yaml")
    Traceback (most recent call last):
    ...
    TypeError: technology() takes a Journey, got str
    """
    journey = require_journey(journey, "technology")
    names = MappingProxyType(
        {
            "step": MappingProxyType({s.id: s.name for s in journey.steps}),
            "system": MappingProxyType({s.id: s.name for s in journey.systems}),
        }
    )
    if not journey.systems:
        return Technology(
            findings=(),
            state=journey.state,
            systems=(),
            phases=(),
            matrix=MappingProxyType({}),
            basis=None,
            reason="the journey declares no systems",
            names=names,
        )
    steps_of: dict[str, list[str]] = {s.id: [] for s in journey.systems}
    for tp in journey.touchpoints:
        for sid in dict.fromkeys(tp.systems):
            steps_of[sid].append(tp.id)

    # Who starts whom through triggers, and the customer flow.
    trigger_pred: dict[str, list[str]] = {s.id: [] for s in journey.steps}
    flow_succ: dict[str, list[str]] = {s.id: [] for s in journey.steps}
    all_succ: dict[str, list[str]] = {s.id: [] for s in journey.steps}
    trigger_succ: dict[str, list[str]] = {s.id: [] for s in journey.steps}
    for e in journey.edges:
        all_succ[e.source].append(e.target)
        if isinstance(e, Trigger):
            trigger_pred[e.target].append(e.source)
            trigger_succ[e.source].append(e.target)
        else:
            flow_succ[e.source].append(e.target)
    entries = list(entry_weights(journey)[0])
    touching = {sid: _closure(steps, trigger_pred) for sid, steps in steps_of.items()}

    model, basis, reason = _model(journey)
    unknown = _branching(entries, flow_succ, trigger_succ, all_succ)
    shares: dict[str, float | None] = {}
    for sid, steps in steps_of.items():
        if model is None or unknown.intersection(steps):
            shares[sid] = None
        elif not steps:
            shares[sid] = 0.0
        else:
            shares[sid] = model.reach_probability(sorted(touching[sid]))

    tps = {tp.id: tp for tp in journey.touchpoints}
    systems = tuple(
        _use(journey, [tps[t] for t in steps_of[s.id]], s, shares[s.id]) for s in journey.systems
    )
    phases, matrix = _matrix(journey, steps_of)

    findings: list[TechnologyFinding] = []
    status = {s.id: s.status for s in journey.systems}
    if journey.state == "current":
        for tp in journey.touchpoints:
            for sid in dict.fromkeys(tp.systems):
                kind = {"retired": "retired_in_use", "planned": "planned_in_current"}.get(
                    status[sid]
                )
                if kind is not None:
                    findings.append(_finding(kind, step=tp.id, system=sid))
    successes = {o.id for o in journey.outcomes if o.kind == "success"}
    if _reaches(entries, flow_succ, successes, frozenset()):
        for sid, steps in steps_of.items():
            if steps and not _reaches(entries, flow_succ, successes, frozenset(steps)):
                findings.append(_finding("system_gate", system=sid))
    on = {tp.id: set(tp.systems) for tp in journey.touchpoints if tp.systems}
    seen: set[tuple[str, str]] = set()
    for e in journey.edges:
        u, v = e.source, e.target
        if u not in on or v not in on or on[u] & on[v] or (u, v) in seen:
            continue
        if isinstance(e, Transition) or (isinstance(e, Handoff | Trigger) and not e.carries):
            seen.add((u, v))
            findings.append(_finding("rekeying", source=u, target=v))
    findings.sort(
        key=lambda f: (
            KINDS.index(f.kind),
            f.system or "",
            f.step or "",
            f.source or "",
            f.target or "",
        )
    )
    return Technology(
        findings=tuple(findings),
        state=journey.state,
        systems=systems,
        phases=phases,
        matrix=matrix,
        basis=basis,
        reason=reason,
        names=names,
    )


def _finding(
    kind: str,
    *,
    step: str | None = None,
    system: str | None = None,
    source: str | None = None,
    target: str | None = None,
) -> TechnologyFinding:
    return TechnologyFinding(kind=kind, step=step, system=system, source=source, target=target)


def _model(journey: Journey) -> tuple[MarkovModel | None, str | None, str]:
    """The Markov model when its numbers are data, its basis, or None and why not."""
    try:
        model = markov(journey)
    except CxgraphError as exc:
        return None, None, f"the Markov model cannot be built ({exc})"
    if model.probabilities_known:
        return model, model.basis, ""
    if model.basis == "mixed":
        return None, None, "some steps give probabilities or counts and others do not"
    return None, None, "the journey gives no probabilities or counts"


def _closure(start: Iterable[str], succ: Mapping[str, list[str]]) -> frozenset[str]:
    """Every step reachable from ``start`` along ``succ`` (the start included)."""
    seen = set(start)
    queue = deque(seen)
    while queue:
        u = queue.popleft()
        for v in succ[u]:
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return frozenset(seen)


def _branching(
    entries: list[str],
    flow_succ: Mapping[str, list[str]],
    trigger_succ: Mapping[str, list[str]],
    all_succ: Mapping[str, list[str]],
) -> frozenset[str]:
    """The steps an internal flow can reach by moving on along a transition after a trigger.

    A trigger fires every time its source runs, so the steps triggers alone
    start are touched exactly when their starter is; how a flow goes on from
    there along transitions and hand-offs the customer's chain does not say.
    """
    customer = _closure(entries, flow_succ)
    started = _closure({v for u in customer for v in trigger_succ[u]}, trigger_succ)
    return _closure({v for u in started for v in flow_succ[u]}, all_succ)


def _reaches(
    entries: list[str],
    flow_succ: Mapping[str, list[str]],
    targets: set[str],
    blocked: frozenset[str],
) -> bool:
    """Whether the customer flow leads from an entry to one of ``targets`` avoiding ``blocked``."""
    seen = {e for e in entries if e not in blocked}
    queue = deque(seen)
    while queue:
        u = queue.popleft()
        if u in targets:
            return True
        for v in flow_succ[u]:
            if v not in seen and v not in blocked:
                seen.add(v)
                queue.append(v)
    return False


def _use(journey: Journey, tps: list[Touchpoint], system: System, share: float | None) -> SystemUse:
    phases = {tp.phase for tp in tps}
    owners = {tp.owner for tp in tps}
    return SystemUse(
        system=system.id,
        status=system.status,
        owner=system.owner,
        steps=tuple(tp.id for tp in tps),
        phases=tuple(p.id for p in journey.phases if p.id in phases),
        owners=tuple(o.id for o in journey.owners if o.id in owners),
        share=share,
    )


def _matrix(
    journey: Journey, steps_of: Mapping[str, list[str]]
) -> tuple[tuple[str | None, ...], Matrix]:
    phase_of = {tp.id: tp.phase for tp in journey.touchpoints}
    loose = any(phase_of[s] is None for steps in steps_of.values() for s in steps)
    columns: tuple[str | None, ...] = (*(p.id for p in journey.phases), *((None,) if loose else ()))
    counts = {(p, s): 0 for p in columns for s in steps_of}
    for sid, steps in steps_of.items():
        for step in steps:
            counts[phase_of[step], sid] += 1
    table = {p: MappingProxyType({s: counts[p, s] for s in steps_of}) for p in columns}
    return columns, MappingProxyType(table)
