"""The decision boundary: where a journey's outcome gets settled.

Every step is ``open``, ``committed`` or ``lost``. A *committed* step is one
from which every way on ends in success (the customer is won, whatever they
do next), a *lost* one is one from which no way on does; the rest are open.
Success outcomes are committed, failure and exit outcomes lost. The
*boundary* is the edges from an open step into a committed or lost one: the
moves where the outcome gets fixed, each with its flow (expected traversals
per journey). Once across, a journey never comes back to an open step, so
a boundary edge is crossed at most once per journey and the flows of the
boundary add up to the share of journeys whose outcome is settled along
the way.

With probabilities (a Markov model whose basis is ``probability`` or
``count``) the status comes from the exact chance of success,
``conversion_from`` (``P(success | the journey is at the step)``, from
:meth:`~cxgraph.analyses.markov_model.MarkovModel.conversions`, one sparse
solve for every step): committed when it is at least ``1 - 1e-9``, lost when
it is at most ``1e-9`` (the tolerance absorbs round-off only). Ways on with
probability 0 are never taken and do not count. Without probabilities (basis
``uniform`` or ``mixed``, or a journey the Markov model rejects) the status
is structural: committed when every end the step can reach (an outcome, a
dead end, or a loop with no way out) is a success outcome, lost when none
is, over every transition and hand-off the map draws; ``flow`` is then None.

``conversion_from`` is a number wherever the map settles it: on every step
the entries reach when probabilities are known, and on every committed (1)
or lost (0) step, where it does not depend on the probabilities. It is None
on an open step without probabilities, and on an open step no entry
reaches: no journey is ever there, so there is nothing to condition on (the
Markov model's ``conversion_from`` raises for such a step). A step no entry
reaches is judged structurally over the ways on with a positive
probability; a boundary edge out of it has flow 0.

Triggers move the organisation, not the customer, and are ignored.

The findings, and so ``to_records()``, ``to_frame()`` and the report's lines,
are the boundary edges: a few places to act on, where a list of every step
would bury them. The per-step records (``step, status, conversion_from,
reached``) are in ``DecisionBoundary.steps``.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="Order",
...     touchpoints=[cx.Touchpoint(id="demo", name="Sees a demo"),
...                  cx.Touchpoint(id="sign", name="Signs the order form"),
...                  cx.Touchpoint(id="onboard", name="Onboarding")],
...     outcomes=[cx.Outcome(id="won", name="Customer", kind="success"),
...               cx.Outcome(id="lost", name="Walks away", kind="exit")],
...     transitions=[cx.Transition(source="demo", target="sign", probability=0.62),
...                  cx.Transition(source="demo", target="lost", probability=0.38),
...                  cx.Transition(source="sign", target="onboard", probability=1.0),
...                  cx.Transition(source="onboard", target="won", probability=1.0)])
>>> result = decision_boundary(j)
>>> result.to_records()
[{'source': 'demo', 'target': 'sign', 'flow': 0.62}, {'source': 'demo', 'target': 'lost', 'flow': 0.38}]
>>> [(s.step, s.status, s.conversion_from) for s in result.steps]
[('demo', 'open', 0.62), ('lost', 'lost', 0.0), ('onboard', 'committed', 1.0), ('sign', 'committed', 1.0), ('won', 'committed', 1.0)]
>>> print(result.summary())
2 boundary edges where the outcome gets settled: 62% of journeys cross into committed steps, 38% into lost ones (steps: 3 committed, 1 lost, 1 open)
>>> for line in result.lines():
...     print(line)
After 'Sees a demo' (demo) the outcome is settled: 62% of journeys go on to 'Signs the order form' (sign), from where every way on ends in success
After 'Sees a demo' (demo) the outcome is settled: 38% of journeys go on to 'Walks away' (lost), an exit outcome
"""  # noqa: E501

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

from attrs import field, frozen

from cxgraph._util.numbers import pct_text
from cxgraph._util.text import article, choices_text, plural
from cxgraph.analyses.flow import markov_or_reason, require_journey, step_label
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.graph import entry_weights
from cxgraph.model.classes import Journey

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.analyses.markov_model import MarkovModel

    BoolArray = npt.NDArray[np.bool_]
    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

__all__ = [
    "STATUSES",
    "TOLERANCE",
    "BoundaryEdge",
    "DecisionBoundary",
    "StepStatus",
    "decision_boundary",
]

#: Every status a step can have.
STATUSES: tuple[str, ...] = ("open", "committed", "lost")
#: How close to 1 (0) ``conversion_from`` must come for a step to be committed
#: (lost) when probabilities are known: round-off of the solve, nothing more.
TOLERANCE = 1e-9

_FOR_GOOD = {
    "committed": "every way on ends in success",
    "lost": "no way on ends in success",
}


@frozen(kw_only=True)
class StepStatus:
    """One step: ``open``, ``committed`` or ``lost``, and its chance of success.

    ``conversion_from`` is ``P(success | the journey is at the step)``, or
    None where the map does not settle it (see the module docstring);
    ``reached`` says whether an entry reaches the step along the ways on.
    """

    step: str
    status: str
    conversion_from: float | None
    reached: bool


@frozen(kw_only=True)
class BoundaryEdge:
    """An edge from an open step into a committed or lost one: the outcome gets fixed here.

    ``flow`` is the expected number of traversals per journey (the share of
    journeys that cross here), None without probabilities.
    """

    source: str
    target: str
    flow: float | None


@frozen(kw_only=True, repr=False)
class DecisionBoundary(AnalysisResult[BoundaryEdge]):
    """Where the outcome gets settled: the boundary edges, and every step's status.

    Findings (and ``to_records()``): the boundary edges ``source, target,
    flow``, the largest flow first (then by source and target; by source and
    target alone without probabilities). Besides them: ``steps`` (one
    :class:`StepStatus` per step, sorted by id), ``probabilities_known``
    (statuses from the Markov chain's numbers rather than the structure),
    ``basis`` (of the Markov model, None when it could not be built),
    ``into_committed`` and ``into_lost`` (the shares of journeys that cross
    the boundary into a committed or a lost step: sums of flows, None
    without probabilities), ``note`` (why the statuses are structural, empty
    when they are not), ``step_names`` and ``outcome_kinds`` (outcome id →
    kind, for the words).
    """

    name: ClassVar[str] = "decision_boundary"
    title: ClassVar[str] = "Decision boundary"

    steps: tuple[StepStatus, ...]
    probabilities_known: bool
    basis: str | None
    into_committed: float | None
    into_lost: float | None
    note: str = ""
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)
    outcome_kinds: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    def status(self, step: str) -> str:
        """The status of ``step``: ``open``, ``committed`` or ``lost``.

        Raises
        ------
        CxgraphError
            If ``step`` is not a step of the journey.
        """
        i = bisect.bisect_left(self.steps, step, key=lambda s: s.step)
        if i < len(self.steps) and self.steps[i].step == step:
            return self.steps[i].status
        known = choices_text(str(step), [s.step for s in self.steps])
        msg = f"decision_boundary: unknown step {step!r} {known}"
        raise CxgraphError(msg)

    def summary(self) -> str:
        """How many boundary edges, how many journeys cross, how many steps of each status."""
        counts = Counter(s.status for s in self.steps)
        tally = ", ".join(f"{counts[s]} {s}" for s in ("committed", "lost", "open"))
        if not self.steps:
            text = "no decision boundary: the journey has no steps"
        elif not self.findings and not counts["open"]:
            text = f"no decision boundary: every step is settled already ({tally})"
        elif not self.findings:
            text = f"no decision boundary: no open step leads into a settled one ({tally})"
        else:
            text = f"{plural(len(self.findings), 'boundary edge')} where the outcome gets settled"
            if self.into_committed is not None and self.into_lost is not None:
                text += (
                    f": {pct_text(self.into_committed)} of journeys cross into committed steps, "
                    f"{pct_text(self.into_lost)} into lost ones"
                )
            text += f" (steps: {tally})"
        unreached = sum(not s.reached for s in self.steps)
        if unreached and self.steps:
            text += f"; {plural(unreached, 'step')} no entry reaches"
        if not self.probabilities_known and self.steps:
            text += (
                f"; structural ({self.note}): a step is committed when every way on ends "
                "in success and lost when none does"
            )
        return text

    def describe(self, finding: BoundaryEdge) -> str:
        """One boundary edge in words: after which step the outcome is settled, and how."""
        source = step_label(self.step_names, finding.source)
        target = step_label(self.step_names, finding.target)
        status = self.status(finding.target)
        kind = self.outcome_kinds.get(finding.target)
        # An outcome ends the journey; a step has ways on, all settled one way.
        there = (
            f"{target}, {article(kind)} outcome"
            if kind is not None
            else f"{target}, from where {_FOR_GOOD.get(status, status)}"
        )
        if finding.flow is None:
            return f"After {source} the outcome can be settled: the journey may go on to {there}"
        if finding.flow <= 0.0:
            return (
                f"After {source} the outcome would be settled on the way to {there}; "
                f"but no entry reaches {source}"
            )
        return (
            f"After {source} the outcome is settled: {pct_text(finding.flow)} of journeys go on "
            f"to {there}"
        )


def decision_boundary(journey: Journey) -> DecisionBoundary:
    """Find where the outcome of the journey gets settled.

    Parameters
    ----------
    journey
        The journey to analyse.

    Returns
    -------
    DecisionBoundary
        The boundary edges (``source, target, flow``) as findings, the
        largest flow first, and every step's status and ``conversion_from``
        in ``steps`` (see the module docstring for the rules).

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    Without probabilities the statuses are structural: 'Trial' can still go
    either way, 'Pays' can only end in success.

    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="trial", name="Trial"),
    ...                  cx.Touchpoint(id="pay", name="Pays")],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
    ...               cx.Outcome(id="gone", name="Gone", kind="exit")],
    ...     transitions=[cx.Transition(source="trial", target="pay"),
    ...                  cx.Transition(source="trial", target="gone"),
    ...                  cx.Transition(source="pay", target="won")])
    >>> result = decision_boundary(j)
    >>> [(e.source, e.target, e.flow) for e in result]
    [('trial', 'gone', None), ('trial', 'pay', None)]
    >>> result.status("pay"), result.status("trial")
    ('committed', 'open')
    """
    import numpy as np

    journey = require_journey(journey, "decision_boundary")
    model, reason = markov_or_reason(journey)
    known = model is not None and model.probabilities_known
    if model is None:
        note = "the Markov model could not be built: " + reason.removeprefix("no removal effects: ")
    elif not known:
        note = f"probabilities unknown, basis {model.basis!r}"
    else:
        note = ""
    chain = model if known else None
    ids = [s.id for s in journey.steps]
    index = {sid: i for i, sid in enumerate(ids)}
    kinds = {o.id: o.kind for o in journey.outcomes}
    if chain is not None:
        # Probability-0 edges are never taken: they are no way on.
        ways = [e for e, p in chain.transition_probability.items() if p > 0.0]
    else:
        ways = [(e.source, e.target) for e in journey.transitions]
        ways += [(e.source, e.target) for e in journey.handoffs]
    src = np.fromiter((index[u] for u, _ in ways), dtype=np.intp, count=len(ways))
    dst = np.fromiter((index[v] for _, v in ways), dtype=np.intp, count=len(ways))
    outcome = np.fromiter((s in kinds for s in ids), dtype=bool, count=len(ids))
    success = np.fromiter((kinds.get(s) == "success" for s in ids), dtype=bool, count=len(ids))
    status, chance = _structural(src, dst, success)
    if chain is not None:
        numbers = chain.conversions()
        at = np.fromiter((index[s] for s in numbers), dtype=np.intp, count=len(numbers))
        x = np.fromiter(numbers.values(), dtype=np.float64, count=len(numbers))
        status[at] = np.where(
            x >= 1.0 - TOLERANCE, _COMMITTED, np.where(x <= TOLERANCE, _LOST, _OPEN)
        )
        chance[at] = x
    # Outcomes by kind, whatever reaches them.
    status[outcome] = np.where(success[outcome], _COMMITTED, _LOST)
    chance[outcome] = success[outcome]
    starts, _ = entry_weights(journey)
    first = np.fromiter((index[s] for s, w in starts.items() if w > 0), dtype=np.intp)
    reached = _reach(src, dst, first, len(ids))
    crossing = np.flatnonzero((status[src] == _OPEN) & (status[dst] != _OPEN))
    findings = _edges([ways[k] for k in crossing.tolist()], chain)
    into: dict[str, float | None] = {"committed": None, "lost": None}
    if chain is not None:
        code = {"committed": _COMMITTED, "lost": _LOST}
        for side in into:
            into[side] = min(
                1.0,
                math.fsum(f.flow or 0.0 for f in findings if status[index[f.target]] == code[side]),
            )
    order = sorted(range(len(ids)), key=ids.__getitem__)
    rows = zip(
        [ids[i] for i in order],
        status[order].tolist(),
        chance[order].tolist(),
        reached[order].tolist(),
        strict=True,
    )
    return DecisionBoundary(
        findings=findings,
        steps=tuple(
            StepStatus(
                step=sid,
                status=STATUSES[code_],
                conversion_from=None if math.isnan(c) else c,
                reached=r,
            )
            for sid, code_, c, r in rows
        ),
        probabilities_known=known,
        basis=None if model is None else model.basis,
        into_committed=into["committed"],
        into_lost=into["lost"],
        note=note,
        step_names=MappingProxyType({s.id: s.name for s in journey.steps}),
        outcome_kinds=MappingProxyType(kinds),
    )


def _edges(edges: list[tuple[str, str]], chain: MarkovModel | None) -> tuple[BoundaryEdge, ...]:
    """The boundary edges with their flows, the largest flow first."""
    if chain is None:
        return tuple(BoundaryEdge(source=u, target=v, flow=None) for u, v in sorted(edges))
    flow = chain.edge_flow
    out = [BoundaryEdge(source=u, target=v, flow=flow[u, v]) for u, v in edges]
    # Flows are rounded for ranking: equal shares tie whatever the last bits say.
    out.sort(key=lambda e: (-round(e.flow or 0.0, 9), e.source, e.target))
    return tuple(out)


# Status codes: indices into STATUSES.
_OPEN, _COMMITTED, _LOST = 0, 1, 2


def _structural(src: IntArray, dst: IntArray, success: BoolArray) -> tuple[IntArray, FloatArray]:
    """Each step's status code and chance of success from the map's structure alone.

    A step that cannot reach a success outcome is lost (every end it reaches
    is a failure, an exit, a dead end or a loop with no way out); a step
    that can, and cannot reach a lost step, is committed; the rest are open.
    Their chance is 1 (committed) or 0 (lost) whatever the probabilities;
    NaN (unknown) for an open step. Two searches backwards over the ways on.
    """
    import numpy as np

    n = success.size
    good = _reach(dst, src, np.flatnonzero(success), n)
    doomed = _reach(dst, src, np.flatnonzero(~good), n)
    status = np.where(~good, _LOST, np.where(doomed, _OPEN, _COMMITTED)).astype(np.intp)
    chance = np.where(status == _COMMITTED, 1.0, np.where(status == _LOST, 0.0, np.nan))
    return status, chance


def _reach(frm: IntArray, to: IntArray, start: IntArray, n: int) -> BoolArray:
    """Which of ``n`` steps the links ``frm -> to`` lead to from ``start`` (included).

    One breadth-first search from a virtual root (index ``n``) joined to ``start``.
    """
    import numpy as np
    from scipy import sparse
    from scipy.sparse import csgraph

    rows = np.concatenate([frm, np.full(start.size, n, dtype=np.intp)])
    cols = np.concatenate([to, start])
    links = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
    order = csgraph.breadth_first_order(links, n, directed=True, return_predecessors=False)
    seen = np.zeros(n + 1, dtype=bool)
    seen[order] = True
    return seen[:n]
