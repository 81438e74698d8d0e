"""Time in observed journeys: how long each transition, each case and each phase takes.

:func:`performance` measures an event log: for every directly-follows pair
of activities (named by the step ids ``discover`` gives them), the count and
the mean, median, 90th percentile, minimum and maximum of the time between
the two events; the cycle time of the cases (first to last event); and, with
a designed journey, how often each hand-off's ``sla`` is breached and how
long each phase with an ``expected_duration`` really takes.

How it is measured: the log is read as ``discover`` reads it (the same
keywords, defaults, column detection and errors); a case is ordered by time,
ties keep the row order, and ``start_timestamp`` only orders: gaps are
between ``timestamp`` values, which must be date-times. All arithmetic is on
whole microseconds: counts, minima, maxima and sums are exact integers, and
each statistic is the exact value rounded once to a float of seconds.
Quantiles interpolate linearly between order statistics (numpy's default)
at ``h = (n - 1) q`` worked out exactly, so both engines give the same bits:
``numpy`` (default; in memory, sorting the gaps within each pair) and
``duckdb`` (window functions in SQL, out of core: only a few order
statistics per group come back to Python). With a journey, events meet
steps as in :func:`~cxgraph.conformance` (by id, else by name); see
:class:`SlaBreach` and :class:`PhaseTime` for what is measured.

Examples
--------
>>> import pandas as pd
>>> from cxgraph.mining.performance import performance
>>> log = pd.DataFrame({
...     "case:concept:name": ["c1", "c1", "c1", "c2", "c2"],
...     "concept:name": ["Visit", "Pay", "Ship", "Visit", "Pay"],
...     "time:timestamp": ["2024-05-01 10:00", "2024-05-01 10:10", "2024-05-02 10:10",
...                        "2024-05-01 12:00", "2024-05-01 12:30"]})
>>> result = performance(log)
>>> [(t.source, t.target, t.count, t.median_s) for t in result]
[('visit', 'pay', 2, 1200.0), ('pay', 'ship', 1, 86400.0)]
>>> print(result.summary())
5 events in 2 cases, 2 transitions; a case takes 12.3 h at the median (mean 12.3 h, p90 21.8 h)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import field, frozen

from cxgraph._util.numbers import span_text
from cxgraph.analyses.flow import step_label
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.mining.arithmetic import QUANTILES, grouped, stats
from cxgraph.mining.variants import check_engine
from cxgraph.model.classes import Journey

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.mining.duckdb_engine import EventsRelation
    from cxgraph.mining.sequences import Sequences

__all__ = [
    "QUANTILES",
    "JourneyMatchError",
    "Performance",
    "PhaseTime",
    "SlaBreach",
    "TransitionTime",
    "performance",
]

_US = 1_000_000
_ONE_US = timedelta(microseconds=1)


class JourneyMatchError(CxgraphError, ValueError):
    """No activity of the event log is a step of the journey (by id or by name)."""


@frozen(kw_only=True)
class TransitionTime:
    """The time between one activity and the next, over every time it happens.

    ``source`` and ``target`` are the step ids ``discover`` gives the
    activities; times are in seconds.
    """

    source: str
    target: str
    count: int
    mean_s: float
    median_s: float
    p90_s: float
    min_s: float
    max_s: float


@frozen(kw_only=True)
class SlaBreach:
    """How often a hand-off with an ``sla`` took longer than it.

    ``observed`` counts the source directly followed by the target,
    ``breached`` those with a gap strictly over ``sla_s``; ``share`` is
    ``breached / observed`` (None when never observed).
    """

    source: str
    target: str
    sla_s: float
    observed: int
    breached: int
    share: float | None


@frozen(kw_only=True)
class PhaseTime:
    """How long cases spend in a phase with an ``expected_duration``.

    ``cases`` counts the cases with an event in the phase; the times (None
    when there are none) run from a case's first event in the phase to its
    next event in a later phase, or its last event; ``share_over`` is the
    share of those cases strictly over ``expected_s``.
    """

    phase: str
    expected_s: float
    cases: int
    mean_s: float | None
    median_s: float | None
    p90_s: float | None
    share_over: float | None


@frozen(kw_only=True, repr=False)
class Performance(AnalysisResult[TransitionTime]):
    """Time per observed transition, per case and, with a journey, per hand-off and phase.

    Findings are one :class:`TransitionTime` per directly-follows pair, by
    source then target in ``discover``'s step order. Besides them:
    ``events``; ``cases``, the cycle times of the cases (first to last
    event; a one-event case counts with 0) as ``{count, mean_s, median_s,
    p90_s}``; ``sla_breaches`` (one :class:`SlaBreach` per hand-off with an
    ``sla``, in the journey's order) and ``phases`` (one :class:`PhaseTime`
    per phase with an ``expected_duration``, in phase order).
    """

    name: ClassVar[str] = "performance"
    title: ClassVar[str] = "Time per transition"

    events: int
    cases: Mapping[str, Any] = field(hash=False)
    sla_breaches: tuple[SlaBreach, ...] = ()
    phases: tuple[PhaseTime, ...] = ()
    #: Names by id: ``step_names`` of the log's steps (``discover``'s ids), ``plan_names``
    #: of the journey's steps and phases (``{"step": ..., "phase": ...}``).
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)
    plan_names: Mapping[str, Mapping[str, str]] = field(factory=dict, eq=False, hash=False)

    def slowest(self) -> tuple[TransitionTime, ...]:
        """The transitions slowest first: by median, then mean, then their order here."""
        ranked = sorted(
            enumerate(self.findings), key=lambda p: (-p[1].median_s, -p[1].mean_s, p[0])
        )
        return tuple(t for _, t in ranked)

    def describe(self, finding: TransitionTime) -> str:
        """The transition in plain words: how often, and how long it takes."""
        n = finding.count
        return (
            f"{step_label(self.step_names, finding.source)} → "
            f"{step_label(self.step_names, finding.target)}: "
            f"{n} time{'s' if n != 1 else ''}, median {span_text(finding.median_s)} "
            f"(mean {span_text(finding.mean_s)}, p90 {span_text(finding.p90_s)}, "
            f"from {span_text(finding.min_s)} to {span_text(finding.max_s)})"
        )

    def describe_sla(self, sla: SlaBreach) -> str:
        """A hand-off's SLA in plain words: how often it was breached."""
        names = self.plan_names.get("step", {})
        head = (
            f"SLA {span_text(sla.sla_s)} from {step_label(names, sla.source)} "
            f"to {step_label(names, sla.target)}"
        )
        if not sla.observed:
            return f"{head}: never observed"
        return f"{head}: breached {sla.breached} of {sla.observed} times ({sla.share:.0%})"

    def describe_phase(self, phase: PhaseTime) -> str:
        """A phase's time in plain words, against its expected duration."""
        label = step_label(self.plan_names.get("phase", {}), phase.phase)
        head = f"Phase {label} (expected {span_text(phase.expected_s)})"
        if not phase.cases:
            return f"{head}: no case reaches it"
        n = phase.cases
        return (
            f"{head}: {n} case{'s' if n != 1 else ''}, median {span_text(phase.median_s)} "
            f"(mean {span_text(phase.mean_s)}, p90 {span_text(phase.p90_s)}), "
            f"{phase.share_over:.0%} over"
        )

    def line_count(self) -> int:
        """How many lines :meth:`lines` gives: SLAs, phases, then transitions."""
        return len(self.sla_breaches) + len(self.phases) + len(self.findings)

    def lines(self, limit: int | None = None) -> list[str]:
        """SLAs, phases, then transitions in plain words, at most ``limit`` lines."""
        out = [self.describe_sla(s) for s in self.sla_breaches]
        out += [self.describe_phase(p) for p in self.phases]
        out += [self.describe(t) for t in self.findings]
        if limit is not None and len(out) > limit:
            out = [*out[:limit], f"... and {len(out) - limit} more"]
        return out

    def summary(self) -> str:
        """How many events, cases and transitions, and how long a case takes."""
        n, c = self.events, self.cases
        k, m = len(self.findings), c["count"]
        text = (
            f"{n} event{'s' if n != 1 else ''} in {m} case{'s' if m != 1 else ''}, "
            f"{k} transition{'s' if k != 1 else ''}; a case takes "
            f"{span_text(c['median_s'])} at the median "
            f"(mean {span_text(c['mean_s'])}, p90 {span_text(c['p90_s'])})"
        )
        if self.sla_breaches:
            hit = sum(1 for s in self.sla_breaches if s.breached)
            text += f"; {hit} of {len(self.sla_breaches)} SLAs breached"
        if self.phases:
            late = sum(1 for p in self.phases if p.share_over)
            text += f"; {late} of {len(self.phases)} phases over their expected time in some case"
        return text


# -- statistics both engines share -------------------------------------------


@frozen(kw_only=True)
class _Design:
    """What a journey asks of a log: its steps, hand-offs with an SLA, phases with a time."""

    journey: Journey
    ids: tuple[str, ...]
    step_phase: tuple[int, ...]  # phase index per step, -1 for none
    slas: tuple[tuple[int, int, int], ...]  # (source step, target step, sla in microseconds)
    phases: tuple[tuple[int, int], ...]  # (phase index, expected microseconds)

    @classmethod
    def of(cls, journey: Journey) -> _Design:
        ids = tuple(s.id for s in journey.steps)
        at = {sid: i for i, sid in enumerate(ids)}
        phase_at = {p.id: i for i, p in enumerate(journey.phases)}
        slas = [(at[h.source], at[h.target], h.sla) for h in journey.handoffs]
        times = [(i, p.expected_duration) for i, p in enumerate(journey.phases)]
        in_phase = (phase_at.get(getattr(s, "phase", None) or "", -1) for s in journey.steps)
        return cls(
            journey=journey,
            ids=ids,
            step_phase=tuple(in_phase),
            slas=tuple((u, v, x // _ONE_US) for u, v, x in slas if x is not None),
            phases=tuple((i, x // _ONE_US) for i, x in times if x is not None),
        )  # fmt: skip

    def match(self, activities: tuple[str, ...]) -> npt.NDArray[np.int64]:
        """Step per activity code (-1: none), matched as by conformance; none is an error."""
        from cxgraph.graph import compile_graph
        from cxgraph.mining.conformance import _match, _Plan
        from cxgraph.mining.discovery import _listed

        step_of = _match(_Plan(self.journey, compile_graph(self.journey)), self.journey, activities)
        if not (step_of >= 0).any():
            msg = (
                f"no activity of the event log is a step of the journey {self.journey.id!r} "
                f"(by id or by name): the log has {_listed(activities)}; the journey has "
                f"{_listed(self.ids) or 'no steps'}"
            )
            raise JourneyMatchError(msg)
        return step_of


def _check_times(time_kind: str, column: str | None) -> None:
    from cxgraph.readwrite.columns import EventLogError

    if time_kind != "datetime":
        no_times = "the log was read without timestamps (timestamp=None): name a column of them"
        numbers = (
            f"the timestamp column {column!r} holds numbers: convert them first, e.g. "
            f"df[{column!r}] = pandas.to_datetime(df[{column!r}], unit='s')"
        )
        msg = f"performance() needs date-times, but {no_times if time_kind == 'row' else numbers}"
        raise EventLogError(msg)


def performance(
    events: Any,
    journey: Journey | None = None,
    *,
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str | None = "time:timestamp",
    resource: str | None = "org:resource",
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    engine: str = "numpy",
) -> Performance:
    """Time per observed transition and per case; SLA breaches and phase times of a journey.

    Parameters
    ----------
    events
        The event log, as for :func:`~cxgraph.discover`: a pandas or polars
        DataFrame, a pyarrow Table, or a path to a ``.csv``, ``.parquet``,
        ``.xes`` or ``.xes.gz`` file.
    journey
        A designed journey: its hand-offs with an ``sla`` and its phases with
        an ``expected_duration`` are checked against the log (events matched
        to steps by id, else by name, as :func:`~cxgraph.conformance` does).
    case, activity, timestamp, resource, start_timestamp, lifecycle
        The columns, as for :func:`~cxgraph.discover` (same defaults and
        detection). ``timestamp`` must hold date-times; ``start_timestamp``
        only orders the events.
    engine
        ``numpy`` (in memory) or ``duckdb`` (out of core); the same results.

    Returns
    -------
    Performance
        One :class:`TransitionTime` (``source, target, count, mean_s,
        median_s, p90_s, min_s, max_s``) per directly-follows pair, with the
        cases' cycle times, ``sla_breaches`` and ``phases``.

    Raises
    ------
    TypeError
        If ``journey`` is neither None nor a Journey.
    EventLogError
        For an unknown engine or ``engine='spark'``, a log read without
        timestamps or with numbers for times, and every reading error of
        :func:`~cxgraph.discover` (a missing column, a bad value, an empty log).
    JourneyMatchError
        If no activity of the log is a step of ``journey``.
    AmbiguousActivityError
        If an activity is no step's id and the name of several steps.

    Examples
    --------
    >>> import pandas as pd
    >>> import cxgraph as cx
    >>> from datetime import timedelta
    >>> plan = cx.Journey(id="shop", name="Shop",
    ...     phases=[cx.Phase(id="buy", name="Buy", expected_duration=timedelta(minutes=15))],
    ...     touchpoints=[cx.Touchpoint(id="visit", name="Visit", phase="buy"),
    ...                  cx.Touchpoint(id="pay", name="Pay", phase="buy")],
    ...     handoffs=[cx.Handoff(source="visit", target="pay", sla=timedelta(minutes=20))])
    >>> log = pd.DataFrame({"case": ["c1", "c1", "c2", "c2"],
    ...                     "step": ["Visit", "Pay", "Visit", "Pay"],
    ...                     "time": ["2024-05-01 10:00", "2024-05-01 10:10",
    ...                              "2024-05-01 12:00", "2024-05-01 12:30"]})
    >>> result = performance(log, plan, case="case", activity="step", timestamp="time")
    >>> result.sla_breaches[0].breached, result.sla_breaches[0].share
    (1, 0.5)
    >>> print(result.describe_phase(result.phases[0]))
    Phase 'Buy' (buy) (expected 15 min): 2 cases, median 20 min (mean 20 min, p90 28 min), 50% over
    """
    from cxgraph.readwrite import eventlog as EL

    check_engine(engine, "performance")
    if journey is not None and not isinstance(journey, Journey):
        msg = f"performance() takes a Journey or None as journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    design = _Design.of(journey) if journey is not None else None
    columns: dict[str, Any] = {"case": case, "activity": activity, "timestamp": timestamp,
                               "resource": resource, "start_timestamp": start_timestamp,
                               "lifecycle": lifecycle}  # fmt: skip
    if engine == "numpy":
        from cxgraph.mining.sequences import read_sequences

        seq = read_sequences(events, **columns)
        _check_times(seq.time_kind, seq.cols.columns.get("timestamp"))
        step_of = design.match(seq.activities) if design is not None else None
        parts = _numpy_parts(seq, design, step_of)
        activities, ids, n_events = seq.activities, seq.ids, seq.n_events
    else:
        activities, parts, n_events = _duckdb_parts(events, EL.log_kind(events), columns, design)
        if design is not None:
            design.match(activities)
        from cxgraph.mining.sequences import step_ids

        ids = step_ids(activities)
    return _assemble(parts, activities, ids, n_events, design)


#: What an engine hands back: ``pairs`` (source code, target code) -> (n, total,
#: values at ranks); ``cycle`` likewise for the cases; ``slas`` hand-off number
#: -> (observed, breached); ``phases`` phase number -> (n, total, values, over).
_Parts = dict[str, Any]


def _assemble(
    parts: _Parts, acts: tuple[str, ...], ids: tuple[str, ...], events: int, design: _Design | None
) -> Performance:
    findings = [
        TransitionTime(source=ids[s], target=ids[t], **stats(*got))
        for (s, t), got in sorted(parts["pairs"].items())
    ]
    cycle = stats(*parts["cycle"])
    slas: list[SlaBreach] = []
    phases: list[PhaseTime] = []
    # fmt: off
    if design is not None:
        for k, (s, t, sla) in enumerate(design.slas):
            seen, over = parts["slas"].get(k, (0, 0))
            slas.append(SlaBreach(
                source=design.ids[s], target=design.ids[t], sla_s=sla / _US,
                observed=seen, breached=over, share=over / seen if seen else None))
        for p, expected in design.phases:
            n, total, at, over = parts["phases"].get(p, (0, 0, {}, 0))
            st = stats(n, total, at) if n else dict.fromkeys(("mean_s", "median_s", "p90_s"))
            phases.append(PhaseTime(
                phase=design.journey.phases[p].id, expected_s=expected / _US, cases=n,
                mean_s=st["mean_s"], median_s=st["median_s"], p90_s=st["p90_s"],
                share_over=over / n if n else None))
    # fmt: on
    plan: dict[str, dict[str, str]] = {}
    if design is not None:
        j = design.journey
        plan = {"step": {s.id: s.name for s in j.steps}, "phase": {p.id: p.name for p in j.phases}}
    return Performance(
        findings=tuple(findings),
        events=events,
        cases=MappingProxyType({k: cycle[k] for k in ("count", "mean_s", "median_s", "p90_s")}),
        sla_breaches=tuple(slas),
        phases=tuple(phases),
        step_names=MappingProxyType(dict(zip(ids, acts, strict=True))),
        plan_names=MappingProxyType(plan),
    )


# -- the numpy engine --------------------------------------------------------


def _numpy_parts(
    seq: Sequences, design: _Design | None, step_of: npt.NDArray[np.int64] | None
) -> _Parts:
    import numpy as np

    a, t = seq.activity, seq.time.astype(np.int64, copy=False)
    k = len(seq.activities)
    same = ~seq.lasts()[:-1]
    key = (a[:-1] * k + a[1:])[same]
    gap = (t[1:] - t[:-1])[same]
    codes, starts, sorted_gaps, groups = grouped(key, gap)
    pairs = {divmod(int(c), k): g for c, g in zip(codes.tolist(), groups, strict=True)}
    first, last = seq.bounds[:-1], seq.bounds[1:] - 1
    cycles = t[last] - t[first]
    _, _, _, (cycle,) = grouped(np.zeros(cycles.shape[0], dtype=np.int64), cycles)
    parts: _Parts = {"pairs": pairs, "cycle": cycle, "slas": {}, "phases": {}}
    if design is None or step_of is None:
        return parts
    # SLAs: per activity pair the gaps are sorted, so its breaches are one search.
    pair_steps = step_of[codes // k], step_of[codes % k]
    counts = np.diff(np.append(starts, sorted_gaps.shape[0]))
    for h, (s, tg, sla) in enumerate(design.slas):
        seen = over = 0
        for g in np.flatnonzero((pair_steps[0] == s) & (pair_steps[1] == tg)).tolist():
            lo, n = int(starts[g]), int(counts[g])
            seen += n
            over += n - int(np.searchsorted(sorted_gaps[lo : lo + n], sla, side="right"))
        if seen:
            parts["slas"][h] = (seen, over)
    phase_of = np.array([*design.step_phase, -1], dtype=np.int64)[step_of][a]
    case_of = np.repeat(np.arange(seq.n_cases), np.diff(seq.bounds))
    everything = np.arange(a.shape[0])
    for p, expected in design.phases:
        inside = np.flatnonzero(phase_of == p)
        if inside.shape[0] == 0:
            continue
        c = case_of[inside]
        keep = np.ones(c.shape[0], dtype=bool)
        keep[1:] = c[1:] != c[:-1]
        start, c = inside[keep], c[keep]
        # The next event at or after each position that is in a later phase.
        later = np.where(phase_of > p, everything, a.shape[0])
        nxt = np.minimum.accumulate(later[::-1])[::-1][start]
        end = np.minimum(nxt, last[c])
        spent = t[end] - t[start]
        _, _, _, (grp,) = grouped(np.zeros(spent.shape[0], dtype=np.int64), spent)
        parts["phases"][p] = (*grp, int((spent > expected).sum()))
    return parts


# -- the duckdb engine -------------------------------------------------------


def _picks_sql(tag: str, rel: str, over: str = "NULL") -> str:
    """Rows (tag, g1, g2, n, total, i, v, nover) with the values at :func:`ranks` per group.

    ``rel`` has columns ``g1``, ``g2`` (the group), ``v`` (the values, BIGINT
    microseconds) and whatever ``over`` (a window count per group) reads.
    """
    wanted = ["0", "n - 1"]
    for num, den in QUANTILES:
        wanted += [f"(n - 1) * {num} // {den}", f"(n - 1) * {num} // {den} + 1"]
    return f"""
SELECT '{tag}' AS tag, CAST(k1 AS VARCHAR), CAST(k2 AS VARCHAR), n, total, i, v, nover FROM (
  SELECT g1 AS k1, g2 AS k2, v,
         ROW_NUMBER() OVER (PARTITION BY g1, g2 ORDER BY v) - 1 AS i,
         COUNT(*) OVER (PARTITION BY g1, g2) AS n,
         CAST(SUM(v) OVER (PARTITION BY g1, g2) AS HUGEINT) AS total,
         CAST({over} AS BIGINT) AS nover
  FROM {rel}
) q WHERE i IN ({", ".join(wanted)})"""


def _duckdb_parts(
    events: Any, kind: str, columns: dict[str, Any], design: _Design | None
) -> tuple[tuple[str, ...], _Parts, int]:
    from cxgraph.mining.duckdb_engine import _literal, duckdb_query

    def query(log: EventsRelation) -> str:
        _check_times(log.time_kind, log.cols.timestamp)
        ctes = [
            "cx_gap AS MATERIALIZED (SELECT c, pos, a, nxt, tu, "
            "LEAD(tu) OVER (PARTITION BY c ORDER BY pos) - tu AS gap FROM cx_flow)",
            "cx_pairs AS (SELECT a AS g1, nxt AS g2, gap AS v FROM cx_gap WHERE nxt IS NOT NULL)",
            "cx_cycle AS (SELECT NULL AS g1, NULL AS g2, MAX(CASE WHEN nxt IS NULL THEN tu END)"
            " - MAX(CASE WHEN pos = 1 THEN tu END) AS v FROM cx_gap GROUP BY c)",
        ]
        selects = [_picks_sql("pair", "cx_pairs"), _picks_sql("cycle", "cx_cycle")]
        if design is not None:
            _journey_sql(design, _literal, ctes, selects)
        return ", " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects)

    _, activities, rows = duckdb_query(
        events, kind, query, **columns, purpose="performance(engine='duckdb')"
    )
    groups: dict[tuple[str, Any, Any], tuple[int, int, dict[int, int], int]] = {}
    for tag, g1, g2, n, total, i, v, over in rows:
        got = groups.setdefault((tag, g1, g2), (int(n), int(total or 0), {}, int(over or 0)))
        if i is not None:
            got[2][int(i)] = int(v)
    code = {name: i for i, name in enumerate(activities)}
    parts: _Parts = {"pairs": {}, "slas": {}, "phases": {}}
    for (tag, g1, g2), (n, total, at, over) in groups.items():
        if tag == "pair":
            parts["pairs"][(code[g1], code[g2])] = (n, total, at)
        elif tag == "cycle":
            parts["cycle"] = (n, total, at)
        elif tag == "sla":
            parts["slas"][int(g1)] = (n, over)
        else:
            parts["phases"][int(g1)] = (n, total, at, over)
    # Every event but the last of its case starts a pair.
    n_events = parts["cycle"][0] + sum(g[0] for g in parts["pairs"].values())
    return activities, parts, n_events


def _journey_sql(
    design: _Design, literal: Callable[[str], str], ctes: list[str], selects: list[str]
) -> None:
    """Add the SQL of a journey: activity text -> step and phase, SLAs, phase times."""
    # Ids win over names; a name of several steps is left out here (an error once
    # the activities are known, as in conformance).
    named: dict[str, list[int]] = defaultdict(list)
    for i, step in enumerate(design.journey.steps):
        named[step.name].append(i)
    by_text = {name: at[0] for name, at in named.items() if len(at) == 1}
    by_text.update({sid: i for i, sid in enumerate(design.ids)})
    if not by_text:
        return
    rows = ", ".join(f"({literal(txt)}, {i}, {design.step_phase[i]})" for txt, i in by_text.items())
    ctes += [
        f"cx_map AS (SELECT * FROM (VALUES {rows}) m(txt, step, ph))",
        "cx_st AS MATERIALIZED (SELECT e.c, e.pos, e.tu, e.nxt, e.gap, m1.step AS s1, "
        "COALESCE(m1.ph, -1) AS p1, m2.step AS s2 FROM cx_gap e "
        "LEFT JOIN cx_map m1 ON e.a = m1.txt LEFT JOIN cx_map m2 ON e.nxt = m2.txt)",
    ]
    if design.slas:
        slas = ", ".join(f"({k}, {s}, {t}, {sla})" for k, (s, t, sla) in enumerate(design.slas))
        ctes.append(f"cx_sla AS (SELECT * FROM (VALUES {slas}) h(k, s, t, sla))")
        selects.append(
            "SELECT 'sla', CAST(k AS VARCHAR), NULL, COUNT(*), NULL, NULL, NULL, "
            "SUM(CASE WHEN gap > sla THEN 1 ELSE 0 END) FROM cx_st e "
            "JOIN cx_sla h ON e.s1 = h.s AND e.s2 = h.t GROUP BY k"
        )
    if design.phases:
        expected = ", ".join(f"({p}, {x})" for p, x in design.phases)
        ctes += [
            f"cx_expected AS (SELECT * FROM (VALUES {expected}) x(p, x))",
            "cx_pstart AS (SELECT c, p1 AS p, MIN(pos) AS spos, ARG_MIN(tu, pos) AS stu "
            "FROM cx_st WHERE p1 IN (SELECT p FROM cx_expected) GROUP BY c, p1)",
            "cx_last AS (SELECT c, tu AS ltu FROM cx_st WHERE nxt IS NULL)",
            # From the first event in the phase to the next in a later phase, else the last.
            "cx_phase AS (SELECT s.p AS g1, NULL AS g2, x.x AS x, "
            "COALESCE(ARG_MIN(e.tu, e.pos), l.ltu) - s.stu AS v FROM cx_pstart s "
            "JOIN cx_last l ON l.c = s.c JOIN cx_expected x ON x.p = s.p "
            "LEFT JOIN cx_st e ON e.c = s.c AND e.p1 > s.p AND e.pos > s.spos "
            "GROUP BY s.c, s.p, s.stu, l.ltu, x.x)",
        ]
        over = "SUM(CASE WHEN v > x THEN 1 ELSE 0 END) OVER (PARTITION BY g1, g2)"
        selects.append(_picks_sql("phase", "cx_phase", over))
