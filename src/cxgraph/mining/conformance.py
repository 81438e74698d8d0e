"""Conformance: how far observed journeys stray from the planned one.

:func:`conformance` checks an event log against a journey (the plan), case
by case, and reports every deviation, typed as in CJML (the Customer
Journey Modeling Language: planned versus actual journeys):

``ad_hoc``
    An event that is no step of the plan. Its ``step`` is the activity as
    the log has it.
``irregular``
    A planned event the plan cannot reach from the planned event before it
    (through one or more transitions or hand-offs: a repeat ``a a`` needs a
    loop through ``a``). The first planned event of a case is irregular when
    no entry reaches it (an entry reaches itself), so a plan without entries
    makes every first event irregular.
``missing``
    A planned step that lies on every planned path between two consecutive
    planned events (or between the entries and the first planned event) and
    never occurs anywhere in the case. Its ``position`` is that of the event
    before which it was missed. A step skipped several times (around a loop)
    is reported at each place.
``failing``
    The case ends in a failure outcome, or stops at a step that cannot end
    the journey: a step that is not an outcome and has no transition or
    hand-off into one. Judged on the case's last planned event (ad hoc
    events after it do not change it), at that event's position; an exit
    outcome is a planned way out, not a failure.

How events meet the plan:

- Events are ordered by timestamp within a case; ties keep the log's row
  order (the reading rules of ``cxgraph.readwrite.eventlog``). ``position`` is the
  event's index in its case in that order, from 0, ad hoc events included.
- An activity matches the step whose ``id`` it equals, else the step whose
  ``name`` it equals; exact text, case-sensitive. Ids win: when an activity
  is one step's id and another step's name, it is the first. An activity that
  is no id and the name of several steps is ambiguous and an error.
- Irregular events, missing steps and failing ends are worked out over the
  planned events only: ad hoc events are left out first, so ``a x b`` is
  judged as ``a b`` plus one ad hoc ``x``. After an irregular event the case
  goes on from where it is, so the next event is judged from it.
- A case whose events are all ad hoc gets only ``ad_hoc`` deviations.
- Customer flow only: triggers do not move the customer.

The plan is worked out once per call, from each distinct step some event
follows: one dominator tree (networkx) from a virtual start joined to the
step's successors (or to the entries, for first events) gives both what the
plan can reach and what it must pass. Everything per event is vectorised
(numpy), so the work grows with the log's distinct directly-follows pairs,
not with its events.

Examples
--------
>>> import pandas as pd
>>> import cxgraph as cx
>>> from cxgraph.mining.conformance import conformance
>>> plan = cx.Journey(id="j", name="Plan",
...     touchpoints=[cx.Touchpoint(id=s, name=s.upper()) for s in "abc"],
...     outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
...     transitions=[cx.Transition(source=u, target=v)
...                  for u, v in [("a", "b"), ("b", "c"), ("c", "done")]])
>>> log = pd.DataFrame({"case:concept:name": [1, 1, 2, 2, 2],
...                     "concept:name": ["a", "c", "b", "A", "c"],
...                     "time:timestamp": [1, 2, 1, 2, 3]})
>>> result = conformance(plan, log)
>>> for line in result.lines():
...     print(line)
Case 1: 'B' (b) was skipped before 'C' (c) (position 1)
Case 2: 'A' (a) at position 1 cannot follow 'B' (b) in the plan
>>> result.summary()
'2 cases, none conforming: 1 irregular (50%), 1 with missing steps (50%)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import networkx as nx
import numpy as np
from attrs import field, frozen

from cxgraph._util.dominators import immediate_dominators_of
from cxgraph.analyses.flow import customer_flow, step_label
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model.classes import Journey
from cxgraph.readwrite.columns import DEFAULT_ACTIVITY, DEFAULT_CASE, DEFAULT_TIMESTAMP
from cxgraph.readwrite.eventlog import read_events

if TYPE_CHECKING:
    import numpy.typing as npt

    from cxgraph.readwrite.columns import EventColumns

__all__ = [
    "KINDS",
    "AmbiguousActivityError",
    "Conformance",
    "Deviation",
    "KindRate",
    "StepRate",
    "conformance",
]

#: The deviation kinds, in the order findings at one position list them.
KINDS: tuple[str, ...] = ("ad_hoc", "irregular", "missing", "failing")
_AD_HOC, _IRREGULAR, _MISSING, _FAILING = range(4)

# Cannot collide with a step: ids never contain '<' or '>'.
_START = "<start>"

_HEADS = {
    "ad_hoc": "{n} with ad hoc events",
    "irregular": "{n} irregular",
    "missing": "{n} with missing steps",
    "failing": "{n} failing",
}


class AmbiguousActivityError(CxgraphError, ValueError):
    """An activity in the log is the name of several steps and the id of none."""


@frozen(kw_only=True)
class Deviation:
    """One way a case strays from the plan.

    ``case`` is the case id as the log has it; ``kind`` one of :data:`KINDS`;
    ``step`` the step id (for ``ad_hoc``, the activity); ``position`` the
    event's index in its case (for ``missing``, the event before which the
    step was missed).
    """

    case: Any
    kind: str
    step: str
    position: int


@frozen(kw_only=True)
class KindRate:
    """How many cases show a kind of deviation, and their share of all cases."""

    kind: str
    cases: int
    rate: float


@frozen(kw_only=True)
class StepRate:
    """Deviations of one kind at one step.

    ``deviations`` counts the findings, ``cases`` the cases with at least one.
    ``relevant`` counts the cases the step concerns: those where it occurs,
    plus those where it is missing; ``rate`` is ``cases / relevant`` (how
    often the step goes wrong when it matters) and ``share`` is ``cases`` over
    all cases. For an ad hoc activity, ``relevant`` is the cases where it
    occurs, so its ``rate`` is 1 and ``share`` says how common it is.
    """

    step: str
    kind: str
    deviations: int
    cases: int
    relevant: int
    rate: float
    share: float


@frozen(kw_only=True, repr=False)
class Conformance(AnalysisResult[Deviation]):
    """Every deviation of every case from the plan, with rates.

    Findings are sorted by case (as the log's ids sort; as text when they do
    not compare), position, kind (in the order of :data:`KINDS`) and step.
    Besides the findings: ``cases`` (in the log), ``conforming`` (cases with
    no deviation) and ``conforming_share``; ``by_kind`` (one
    :class:`KindRate` per kind, in the order of :data:`KINDS`, zeros
    included) and ``by_step`` (one :class:`StepRate` per step and kind with
    any deviation, by kind then step).
    """

    name: ClassVar[str] = "conformance"
    title: ClassVar[str] = "Conformance to the plan"

    cases: int
    conforming: int
    conforming_share: float
    by_kind: tuple[KindRate, ...]
    by_step: tuple[StepRate, ...]
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)
    # (case, position) -> (the planned step there, the planned step before it
    # or None), for the findings whose words need them.
    context: Mapping[tuple[Any, int], tuple[str, str | None]] = field(
        factory=dict, eq=False, hash=False
    )
    outcome_ids: frozenset[str] = field(factory=frozenset, eq=False, hash=False)

    @property
    def rates(self) -> dict[str, float]:
        """Kind -> share of cases with at least one deviation of that kind."""
        return {r.kind: r.rate for r in self.by_kind}

    def describe(self, finding: Deviation) -> str:
        """The deviation in plain words, steps by name."""
        head = f"Case {finding.case}"
        if finding.kind == "ad_hoc":
            return f"{head}: {finding.step!r} at position {finding.position} is not in the plan"
        label = step_label(self.step_names, finding.step)
        at, before = self.context.get((finding.case, finding.position), (None, None))
        if finding.kind == "irregular":
            if before is None:
                return (
                    f"{head}: {label} at position {finding.position} is not where the plan "
                    "starts (no entry reaches it)"
                )
            return (
                f"{head}: {label} at position {finding.position} cannot follow "
                f"{step_label(self.step_names, before)} in the plan"
            )
        if finding.kind == "missing":
            where = "" if at is None else f" before {step_label(self.step_names, at)}"
            return f"{head}: {label} was skipped{where} (position {finding.position})"
        if finding.step in self.outcome_ids:
            # Only a failure outcome makes a failing finding at an outcome.
            return f"{head}: ends in the failure outcome {label} (position {finding.position})"
        return (
            f"{head}: stops at {label}, which cannot end the journey (position {finding.position})"
        )

    def summary(self) -> str:
        """How many cases conform, and how many show each kind of deviation."""
        n = self.cases
        head = f"{n} case{'s' if n != 1 else ''}"
        if self.conforming == n:
            return f"{head}, all conforming"
        ok = "none" if self.conforming == 0 else f"{self.conforming} ({self.conforming_share:.0%})"
        parts = [
            f"{_HEADS[r.kind].format(n=r.cases)} ({r.rate:.0%})" for r in self.by_kind if r.cases
        ]
        return f"{head}, {ok} conforming: " + ", ".join(parts)


# -- the plan ---------------------------------------------------------------


class _Plan:
    """The plan's steps by index, and what it can reach and must pass, worked out lazily."""

    def __init__(self, journey: Journey, graph: nx.DiGraph[str]) -> None:
        self.ids: tuple[str, ...] = tuple(s.id for s in journey.steps)
        self.index = {sid: i for i, sid in enumerate(self.ids)}
        self.flow = customer_flow(graph)
        self.flow.add_node(_START)
        self.entries = [s for s in entry_weights(journey)[0] if s in self.index]
        outcomes = {o.id: o.kind for o in journey.outcomes}
        self.outcomes = frozenset(outcomes)
        # Whether a case whose last planned event is this step is failing.
        self.fails = np.array(
            [
                outcomes[sid] == "failure"
                if sid in outcomes
                else not any(v in outcomes for v in self.flow.successors(sid))
                for sid in self.ids
            ],
            dtype=bool,
        )
        self._trees: dict[int, dict[str, str]] = {}

    def tree(self, source: int) -> dict[str, str]:
        """Immediate dominators from just after ``source`` (-1: from the entries).

        The virtual start stands for "one step on from source", so its
        successors are source's successors (or the entries, which count as
        reached with no step taken). Keys are the steps reachable that way.
        """
        tree = self._trees.get(source)
        if tree is None:
            flow = self.flow
            flow.remove_edges_from(list(flow.out_edges(_START)))
            starts = self.entries if source < 0 else list(flow.successors(self.ids[source]))
            flow.add_edges_from((_START, s) for s in starts)
            tree = immediate_dominators_of(flow, _START)
            self._trees[source] = tree
        return tree

    def pair(self, source: int, target: int) -> tuple[bool, list[int]]:
        """Whether the plan reaches ``target`` after ``source``, and the steps it must pass."""
        tree = self.tree(source)
        sid = self.ids[target]
        if sid not in tree:
            return False, []
        passed = []
        node = tree[sid]
        while node != _START:
            passed.append(self.index[node])
            node = tree[node]
        return True, [w for w in passed if w != source and w != target]


def _match(plan: _Plan, journey: Journey, activities: Sequence[str]) -> npt.NDArray[np.int64]:
    """Step index per activity code (-1: ad hoc): by id first, then by name."""
    by_name: dict[str, list[str]] = {}
    for s in journey.steps:
        by_name.setdefault(s.name, []).append(s.id)
    out = np.full(len(activities), -1, dtype=np.int64)
    ambiguous = []
    for code, act in enumerate(activities):
        if act in plan.index:
            out[code] = plan.index[act]
            continue
        named = by_name.get(act, [])
        if len(named) == 1:
            out[code] = plan.index[named[0]]
        elif named:
            ambiguous.append(f"{act!r} names the steps " + ", ".join(map(repr, named)))
    if ambiguous:
        msg = (
            "cannot tell which step an activity of the event log is: "
            + "; ".join(ambiguous)
            + ". Log those events by step id, or give the steps distinct names"
        )
        raise AmbiguousActivityError(msg)
    return out


# -- the analysis -----------------------------------------------------------


def conformance(
    journey: Journey,
    events: Any,
    *,
    case: str = DEFAULT_CASE,
    activity: str = DEFAULT_ACTIVITY,
    timestamp: str = DEFAULT_TIMESTAMP,
) -> Conformance:
    """Check an event log against a planned journey: every deviation, per case.

    Parameters
    ----------
    journey
        The plan.
    events
        The event log: a pandas or polars DataFrame, a pyarrow Table, or a
        path to a ``.csv``, ``.parquet``, ``.xes`` or ``.xes.gz`` file.
    case, activity, timestamp
        The columns of case ids, activities (matched to step ids, else
        names) and timestamps, with the defaults of
        :func:`~cxgraph.mining.discovery.discover`.

    Returns
    -------
    Conformance
        One :class:`Deviation` (``case, kind, step, position``) per
        deviation, as the module docstring defines them, with rates per kind
        and per step.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    EventLogError
        If the log cannot be read: a missing column (naming the keyword, the
        column and the columns found), a log with no events, an event with no
        case id or activity, a timestamp that cannot be read.
    AmbiguousActivityError
        If an activity is no step's id and the name of several steps.
    FileNotFoundError
        If a path names no file.
    UnsupportedFormatError
        If a path's suffix is not a known log format.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxgraph as cx
    >>> plan = cx.Journey(id="j", name="Plan",
    ...     touchpoints=[cx.Touchpoint(id="visit", name="Visit"),
    ...                  cx.Touchpoint(id="pay", name="Pay")],
    ...     outcomes=[cx.Outcome(id="bought", name="Bought", kind="success")],
    ...     transitions=[cx.Transition(source="visit", target="pay"),
    ...                  cx.Transition(source="pay", target="bought")])
    >>> log = pd.DataFrame({"case": ["c1", "c1", "c1", "c2"],
    ...                     "step": ["Visit", "Chat", "Pay", "Visit"],
    ...                     "time": ["2024-05-01 10:00", "2024-05-01 10:01",
    ...                              "2024-05-01 10:02", "2024-05-02 09:00"]})
    >>> result = conformance(plan, log, case="case", activity="step", timestamp="time")
    >>> [(d.case, d.kind, d.step, d.position) for d in result]
    [('c1', 'ad_hoc', 'Chat', 1), ('c2', 'failing', 'visit', 0)]
    >>> result.rates
    {'ad_hoc': 0.5, 'irregular': 0.0, 'missing': 0.0, 'failing': 0.5}
    >>> print(result.describe(result[1]))
    Case c2: stops at 'Visit' (visit), which cannot end the journey (position 0)
    """
    if not isinstance(journey, Journey):
        msg = f"conformance() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    plan = _Plan(journey, compile_graph(journey))
    cols = read_events(events, case=case, activity=activity, timestamp=timestamp, resource=None)
    step_of = _match(plan, journey, cols.activities)
    return _check(plan, journey, cols, step_of)


def _within_case(case_s: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each event's index in its case, for events sorted by case."""
    n = case_s.shape[0]
    new = np.ones(n, dtype=bool)
    new[1:] = case_s[1:] != case_s[:-1]
    start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    return np.arange(n, dtype=np.int64) - start


def _case_ranks(labels: list[Any]) -> npt.NDArray[np.int64]:
    """Rank of each case code when the case ids are sorted (as text if they do not compare)."""
    codes = list(range(len(labels)))
    try:
        ordered = sorted(codes, key=labels.__getitem__)
    except TypeError:
        ordered = sorted(codes, key=lambda c: (type(labels[c]).__name__, str(labels[c])))
    ranks = np.empty(len(labels), dtype=np.int64)
    ranks[ordered] = np.arange(len(labels))
    return ranks


def _isin_sorted(
    keys: npt.NDArray[np.int64], table: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Whether each key is in a sorted array of unique keys."""
    if table.shape[0] == 0:
        return np.zeros(keys.shape[0], dtype=bool)
    at = np.minimum(np.searchsorted(table, keys), table.shape[0] - 1)
    return np.asarray(table[at] == keys)


def _check(
    plan: _Plan, journey: Journey, cols: EventColumns, step_of: npt.NDArray[np.int64]
) -> Conformance:
    n_steps = len(plan.ids)
    order = cols.order()
    case_s = cols.case[order]
    act_s = cols.activity[order]
    step_s = step_of[act_s]
    pos_s = _within_case(case_s)

    # Findings as parallel arrays: case code, position, kind, label. Labels
    # 0..n_steps-1 are steps; n_steps + activity code is an ad hoc activity.
    f_case: list[npt.NDArray[np.int64]] = []
    f_pos: list[npt.NDArray[np.int64]] = []
    f_kind: list[npt.NDArray[np.int64]] = []
    f_label: list[npt.NDArray[np.int64]] = []

    def add(c: Any, p: Any, kind: int, label: Any) -> None:
        f_case.append(np.asarray(c, dtype=np.int64))
        f_pos.append(np.asarray(p, dtype=np.int64))
        f_kind.append(np.full(f_case[-1].shape[0], kind, dtype=np.int64))
        f_label.append(np.asarray(label, dtype=np.int64))

    ad_hoc = np.flatnonzero(step_s < 0)
    add(case_s[ad_hoc], pos_s[ad_hoc], _AD_HOC, n_steps + act_s[ad_hoc])

    planned = np.flatnonzero(step_s >= 0)
    pc, ps, ppos = case_s[planned], step_s[planned], pos_s[planned]
    m = planned.shape[0]
    prev = np.full(m, -1, dtype=np.int64)
    present = np.unique(pc * n_steps + ps) if m else np.zeros(0, dtype=np.int64)
    context: dict[tuple[Any, int], tuple[str, str | None]] = {}
    case_labels = cols.cases.tolist()
    miss_c = miss_w = np.zeros(0, dtype=np.int64)
    if m:
        first = np.ones(m, dtype=bool)
        first[1:] = pc[1:] != pc[:-1]
        prev[1:] = ps[:-1]
        prev[first] = -1
        # One plan question per distinct (previous step, step) pair, not per event.
        pairs, inverse = np.unique((prev + 1) * n_steps + ps, return_inverse=True)
        inverse = inverse.reshape(-1)
        reach = np.zeros(pairs.shape[0], dtype=bool)
        passed: list[list[int]] = []
        for k, key in enumerate(pairs.tolist()):
            ok, must = plan.pair(key // n_steps - 1, key % n_steps)
            reach[k] = ok
            passed.append(must)

        bad = np.flatnonzero(~reach[inverse])
        add(pc[bad], ppos[bad], _IRREGULAR, ps[bad])

        # Candidates: (event, step it must have passed), then keep the steps
        # that never occur in the case.
        lens = np.array([len(p) for p in passed], dtype=np.int64)
        flat = np.array([w for p in passed for w in p], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
        ev = np.flatnonzero(lens[inverse] > 0)
        counts = lens[inverse[ev]]
        rep = np.repeat(ev, counts)
        within = np.arange(rep.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts)
        w = flat[np.repeat(offsets[inverse[ev]], counts) + within]
        gone = ~_isin_sorted(pc[rep] * n_steps + w, present)
        rep, w = rep[gone], w[gone]
        add(pc[rep], ppos[rep], _MISSING, w)
        miss_c, miss_w = pc[rep], w

        last = np.ones(m, dtype=bool)
        last[:-1] = pc[:-1] != pc[1:]
        ends = np.flatnonzero(last)
        ends = ends[plan.fails[ps[ends]]]
        add(pc[ends], ppos[ends], _FAILING, ps[ends])

        # Words for irregular and missing findings: the step there and the one before.
        for i in np.unique(np.concatenate((bad, rep))).tolist():
            before = int(prev[i])
            context[(case_labels[int(pc[i])], int(ppos[i]))] = (
                plan.ids[int(ps[i])],
                plan.ids[before] if before >= 0 else None,
            )

    fc, fp, fk, fl = (np.concatenate(a) for a in (f_case, f_pos, f_kind, f_label))
    labels = [*plan.ids, *cols.activities]
    label_rank = np.empty(len(labels), dtype=np.int64)
    label_rank[sorted(range(len(labels)), key=labels.__getitem__)] = np.arange(len(labels))
    case_rank = _case_ranks(case_labels)
    o = np.lexsort((label_rank[fl], fk, fp, case_rank[fc]))
    fc, fp, fk, fl = fc[o], fp[o], fk[o], fl[o]
    findings = tuple(
        Deviation(case=case_labels[c], kind=KINDS[k], step=labels[lab], position=p)
        for c, p, k, lab in zip(fc.tolist(), fp.tolist(), fk.tolist(), fl.tolist(), strict=True)
    )

    n_cases = len(case_labels)
    deviant = np.unique(fc).shape[0]
    by_kind = tuple(
        KindRate(kind=kind, cases=int(c), rate=int(c) / n_cases)
        for kind, c in zip(
            KINDS, [np.unique(fc[fk == k]).shape[0] for k in range(len(KINDS))], strict=True
        )
    )
    by_step = _step_rates(
        fc, fk, fl, labels, n_cases, n_steps, present, miss_c, miss_w, case_s, act_s, step_s
    )
    return Conformance(
        findings=findings,
        cases=n_cases,
        conforming=n_cases - deviant,
        conforming_share=(n_cases - deviant) / n_cases,
        by_kind=by_kind,
        by_step=by_step,
        step_names=MappingProxyType({s.id: s.name for s in journey.steps}),
        context=MappingProxyType(context),
        outcome_ids=plan.outcomes,
    )


def _step_rates(
    fc: npt.NDArray[np.int64],
    fk: npt.NDArray[np.int64],
    fl: npt.NDArray[np.int64],
    labels: list[str],
    n_cases: int,
    n_steps: int,
    present: npt.NDArray[np.int64],
    miss_c: npt.NDArray[np.int64],
    miss_w: npt.NDArray[np.int64],
    case_s: npt.NDArray[np.int64],
    act_s: npt.NDArray[np.int64],
    step_s: npt.NDArray[np.int64],
) -> tuple[StepRate, ...]:
    """Per (step, kind) with any deviation: findings, cases, relevant cases, rates."""
    n_labels = len(labels)
    if fc.shape[0] == 0:
        return ()
    group = fl * len(KINDS) + fk
    keys, deviations = np.unique(group, return_counts=True)
    case_keys = np.unique(group * n_cases + fc)
    cases = np.bincount(np.searchsorted(keys, case_keys // n_cases), minlength=keys.shape[0])
    # Cases a step concerns: where it occurs, or where it is missing.
    seen = present
    if miss_c.shape[0]:
        seen = np.union1d(present, miss_c * n_steps + miss_w)
    relevant = np.zeros(n_labels, dtype=np.int64)
    if n_steps:
        relevant[:n_steps] = np.bincount(seen % n_steps, minlength=n_steps)
    ad = step_s < 0
    if ad.any():
        n_act = n_labels - n_steps
        pairs = np.unique(case_s[ad] * n_act + act_s[ad])
        relevant[n_steps:] = np.bincount(pairs % n_act, minlength=n_act)
    rows = []
    for key, dev, c in zip(keys.tolist(), deviations.tolist(), cases.tolist(), strict=True):
        label, kind = divmod(key, len(KINDS))
        rel = int(relevant[label])
        rows.append(
            StepRate(
                step=labels[label],
                kind=KINDS[kind],
                deviations=dev,
                cases=c,
                relevant=rel,
                rate=c / rel if rel else 0.0,
                share=c / n_cases,
            )
        )
    rows.sort(key=lambda r: (KINDS.index(r.kind), r.step))
    return tuple(rows)
