"""Journeys from data: discover a journey from an event log.

:func:`discover` reads an event log (one row per event: case id, activity,
timestamp, perhaps a resource) and returns a :class:`~cxgraph.Journey` whose
touchpoints are the activities and whose transitions are the
directly-follows relation, each with its ``count`` and ``probability``.

How the log becomes a journey:

- Events are ordered by timestamp within a case; ties keep the input's row
  order. Reading rules (CSV as text, ISO 8601 timestamps converted to UTC,
  rows counted from 0 in messages) are those of ``cxgraph._eventlog``.
- Each activity is a touchpoint whose ``name`` is the activity and whose
  ``id`` is its slug (see :func:`slug`); slugs that clash get ``-2``,
  ``-3`` in order of first appearance in the log, and ``end`` is reserved.
  Touchpoints, and then outcomes, are listed in order of first appearance.
- Transitions carry ``count`` (how often one activity directly follows the
  other in a case; a repeat ``a a`` is a self-loop) and ``probability``,
  ``count`` over all flow out of the step, the flow into outcomes included.
  Edges out of a step are listed by target in step order. Each probability
  is ``count / total`` as a float, so they sum to 1 within a few units in
  the last place (far inside validation's 1e-9); should they ever not (past
  millions of edges out of one step), the last edge gets ``1 - (sum of the
  others)``. Entry probabilities follow the same rule.
- ``entries`` carry how many cases start at each step, and the share.
- Each case's last event flows into the outcome ``end`` (kind ``exit``,
  name ``End``, made only when some case ends there), unless ``outcomes``
  marks its activity as an outcome: then the case ends at that outcome.
  Outcomes are terminal in cxgraph, so a case is cut at its first outcome
  event: the events after it are left out, with a :class:`~cxgraph.CxgraphWarning`
  saying how many, and the journey's ``extensions["discover"]`` keeps the
  numbers (``events``, ``cases``, ``events_after_outcomes``, ``cases_cut``).
- Owners come from the resource column: a touchpoint's owner is the resource
  that performed most of its events (ties by name), kind ``role``. With
  ``owners={resource: team}`` each event counts for its resource's team
  instead, and the touchpoint's owner is the team with most events (ties by
  name), kind ``team``; a resource missing from the mapping stands for itself
  (kind ``role``, with a warning). Owner ids are slugs by the same rule,
  names the resource or team; only owners of some touchpoint are listed.
  Outcomes have no owner.

Errors rather than guesses: a missing column, an event without case id or
activity, a timestamp that is missing or cannot be read, and a log with no
events are each a :class:`~cxgraph.CxgraphError` (also a ``ValueError``)
naming the keyword, the column, the first row at fault (rows count from 0)
and how many rows; no event is dropped silently. A malformed XES file names
the line and column. A case of a single event is an entry that flows
straight to its end.

Engines, all giving identical journeys: ``numpy`` (default; in memory,
vectorised: a stable sort by case and time, pairs counted with
``np.bincount``), ``duckdb`` (SQL window functions straight on a CSV or
Parquet file or a registered frame, out of core; needs ``cxgraph[duckdb]``)
and ``spark`` (the same query in Spark SQL, for logs that outgrow one
machine; needs ``cxgraph[spark]``).

Examples
--------
>>> import pandas as pd
>>> import cxgraph as cx
>>> from cxgraph.analyses.mining import discover
>>> log = pd.DataFrame({
...     "case:concept:name": ["c1", "c1", "c1", "c2", "c2"],
...     "concept:name": ["Visit", "Add to cart", "Pay", "Visit", "Visit"],
...     "time:timestamp": ["2024-05-01 10:00", "2024-05-01 10:02", "2024-05-01 10:05",
...                        "2024-05-02 09:00", "2024-05-02 09:30"],
... })
>>> j = discover(log, outcomes={"Pay": "success"})
>>> [(t.source, t.target, t.count, t.probability) for t in j.transitions]
[('visit', 'visit', 1, 0.3333333333333333), ('visit', 'add-to-cart', 1, 0.3333333333333333), ('visit', 'end', 1, 0.3333333333333333), ('add-to-cart', 'pay', 1, 1.0)]
>>> [(e.step, e.count) for e in j.entries]
[('visit', 2)]
"""  # noqa: E501

from __future__ import annotations

import math
import re
import warnings
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from cxgraph import _fields as F
from cxgraph.errors import CxgraphWarning
from cxgraph.model import OUTCOME_KINDS

if TYPE_CHECKING:
    from cxgraph._eventlog import EventColumns
    from cxgraph.model import Journey

__all__ = ["ENGINES", "LogCounts", "discover", "slug", "unique_ids"]

#: The engines :func:`discover` can use.
ENGINES = ("numpy", "duckdb", "spark")
#: The id of the outcome a case flows into when it ends at no outcome activity.
END = "end"
#: Count pairs with a dense ``bincount`` up to this many possible codes, else ``unique``.
DENSE_LIMIT = 1 << 24
#: How far from 1 the shares out of a step may sum before the last is adjusted.
SUM_TOLERANCE = 1e-12

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, *, empty: str = "step") -> str:
    """The slug of a name: lower case, each run of characters other than ``a-z0-9``
    becomes ``-``, ``-`` trimmed at both ends; ``empty`` if nothing is left.

    Examples
    --------
    >>> slug("Register request"), slug("  Pay (online) "), slug("Überprüfung"), slug("!?")
    ('register-request', 'pay-online', 'berpr-fung', 'step')
    """
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or empty


def unique_ids(names: Iterable[str], *, reserved: Collection[str] = ()) -> list[str]:
    """Slugs of the names in order; a clash gets ``-2``, ``-3`` (in that order).

    A reserved id is never given out: a name whose slug is reserved gets ``-2``.

    Examples
    --------
    >>> unique_ids(["Pay", "pay", "PAY!", "End"], reserved={"end"})
    ['pay', 'pay-2', 'pay-3', 'end-2']
    """
    taken = set(reserved)
    out: list[str] = []
    for name in names:
        base = slug(name)
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}-{k}", k + 1
        taken.add(candidate)
        out.append(candidate)
    return out


@frozen(kw_only=True)
class LogCounts:
    """What an engine hands back: the small aggregated tables of a log.

    Every engine computes these; :func:`discover` builds the journey from
    them, so engines agree by construction once their counts agree.

    ``activities`` and ``resources`` are in order of first appearance among
    the events kept (``resources`` is None when the log has no resource
    column); ``pairs`` are ``(activity, next activity, count)``; ``ends``
    ``(activity, count)`` of cases ending at a non-outcome activity;
    ``starts`` ``(activity, count)``; ``resource_counts``
    ``(activity, resource, count)``. ``events`` and ``cases`` count the whole
    log; ``cut_events`` and ``cut_cases`` the events left out after an
    outcome, and the cases they came from. Tables may come in any order.
    """

    activities: tuple[str, ...]
    resources: tuple[str, ...] | None
    pairs: tuple[tuple[str, str, int], ...]
    ends: tuple[tuple[str, int], ...]
    starts: tuple[tuple[str, int], ...]
    resource_counts: tuple[tuple[str, str, int], ...]
    events: int
    cases: int
    cut_events: int = 0
    cut_cases: int = 0


def discover(
    events: Any,
    *,
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str = "time:timestamp",
    resource: str | None = "org:resource",
    owners: Mapping[str, str] | None = None,
    outcomes: Mapping[str, str] | None = None,
    engine: str = "numpy",
) -> Journey:
    """Discover a journey from an event log: activities, directly-follows counts, owners.

    Parameters
    ----------
    events
        The event log: a pandas or polars DataFrame, a pyarrow Table, a Spark
        DataFrame (engine ``spark`` only), or a path to a ``.csv``,
        ``.parquet``, ``.xes`` or ``.xes.gz`` file.
    case, activity, timestamp
        The columns of case ids, activity names and timestamps.
    resource
        The column of resources (who performed each event). The default,
        ``org:resource``, may be absent: then the steps have no owner. A
        column named explicitly must exist; None ignores resources.
    owners
        Resource → team: each event counts for its resource's team, and a
        touchpoint is owned by the team with most events (kind ``team``).
    outcomes
        Activity → outcome kind (``success``, ``failure`` or ``exit``): these
        activities become outcomes, and a case ends at the first of them.
    engine
        ``numpy`` (in memory), ``duckdb`` (out of core) or ``spark``.

    Returns
    -------
    Journey
        Touchpoints per activity, outcomes, owners, entries and transitions
        with ``count`` and ``probability``; named after the file (or
        ``discovered``), with the log's numbers in ``extensions["discover"]``.

    Raises
    ------
    CxgraphError
        For an unknown engine, a bad ``outcomes`` or ``owners`` mapping, a
        missing column (naming the keyword, the column asked for and the
        columns found), an event without case id or activity, a timestamp
        that is missing or cannot be read (naming the row and value), an
        empty log, or a malformed file. These are also ``ValueError``.
    FileNotFoundError
        If a path names no file.
    ImportError
        If the engine or the file format needs a package that is not
        installed; the message names the extra to install.

    Warns
    -----
    CxgraphWarning
        When events after an outcome are left out, an outcome activity does
        not occur in the log, or a resource is missing from ``owners``.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case": [1, 1, 2], "step": ["Call", "Fix", "Call"],
    ...                     "time": [1, 2, 1], "who": ["Ann", "Bob", "Ann"]})
    >>> j = discover(log, case="case", activity="step", timestamp="time", resource="who")
    >>> [(t.id, t.owner) for t in j.touchpoints], [o.id for o in j.owners]
    ([('call', 'ann'), ('fix', 'bob')], ['ann', 'bob'])
    >>> discover(log, engine="pandas")
    Traceback (most recent call last):
    ...
    cxgraph._eventlog.EventLogError: unknown engine 'pandas' (choices: 'numpy', 'duckdb', 'spark')
    """
    from cxgraph import _eventlog as EL

    if engine not in ENGINES:
        msg = f"unknown engine {engine!r} {F.choices_text(engine, ENGINES, word='choices')}"
        raise EL.EventLogError(msg)
    outcome_kinds = _check_outcomes(outcomes)
    team_of = _check_owners(owners, resource)
    kind = EL.log_kind(events)
    if engine == "numpy":
        cols = EL.read_events(
            events, case=case, activity=activity, timestamp=timestamp, resource=resource
        )
        counts = numpy_counts(cols, outcome_kinds)
    else:
        if engine == "duckdb":
            from cxgraph._mining_duckdb import duckdb_counts as engine_counts
        else:
            from cxgraph._mining_spark import spark_counts as engine_counts
        counts = engine_counts(
            events,
            kind,
            case=case,
            activity=activity,
            timestamp=timestamp,
            resource=resource,
            outcomes=tuple(outcome_kinds),
        )
    if team_of is not None and counts.resources is None:
        msg = (
            f"owners= maps resources to teams, but the event log has no resource column "
            f"{resource!r}: name it with resource='...'"
        )
        raise EL.EventLogError(msg)
    return build_journey(counts, outcomes=outcome_kinds, owners=team_of, stem=EL.log_stem(events))


def _check_outcomes(outcomes: Any) -> dict[str, str]:
    from cxgraph._eventlog import EventLogError

    if outcomes is None:
        return {}
    if not isinstance(outcomes, Mapping):
        msg = f"outcomes= maps activities to outcome kinds, got {F.describe(outcomes)}"
        raise EventLogError(msg)
    problems = []
    for act, kind in outcomes.items():
        if not isinstance(act, str):
            problems.append(f"outcomes: the activity {act!r} is not text")
        elif kind not in OUTCOME_KINDS:
            problems.append(
                f"outcomes[{act!r}]: unknown outcome kind {kind!r} "
                f"{F.choices_text(str(kind), OUTCOME_KINDS, word='choices')}"
            )
    if problems:
        raise EventLogError("\n".join(problems))
    return dict(outcomes)


def _check_owners(owners: Any, resource: str | None) -> dict[str, str] | None:
    from cxgraph._eventlog import EventLogError

    if owners is None:
        return None
    if not isinstance(owners, Mapping):
        msg = f"owners= maps resources to teams, got {F.describe(owners)}"
        raise EventLogError(msg)
    bad = [
        f"owners[{k!r}]: {F.describe(v)} is not a team name"
        for k, v in owners.items()
        if not isinstance(v, str)
    ]
    if bad:
        raise EventLogError("\n".join(bad))
    if resource is None:
        msg = "owners= maps resources to teams, but resource=None reads no resources"
        raise EventLogError(msg)
    return {str(k): v for k, v in owners.items()}


# -- the numpy engine -------------------------------------------------------


def numpy_counts(cols: EventColumns, outcomes: Collection[str]) -> LogCounts:
    """Count the flows of a log in memory, vectorised (no loop over events).

    :meth:`EventColumns.order` sorts the events by (case, time) (ties keep
    row order); a case starts after the events of the case codes before it; directly-follows pairs
    are encoded as ``source * K + target`` and counted with ``np.bincount``.
    Cutting cases at their first outcome is a cumulative sum of outcome
    events, taken relative to each case's start.
    """
    import numpy as np

    n, k = len(cols), len(cols.activities)
    order = cols.order()
    a = cols.activity[order]
    # The order groups cases by code, so each case starts after the events of
    # the codes before it: counting them is cheaper than gathering the codes.
    per_case = np.bincount(cols.case)
    per_case = per_case[per_case > 0]
    n_cases = int(per_case.shape[0])
    first = np.zeros(n, dtype=bool)
    first[np.cumsum(per_case) - per_case] = True
    is_out = np.zeros(k, dtype=bool)
    is_out[[i for i, name in enumerate(cols.activities) if name in outcomes]] = True
    o = is_out[a]
    cut_events = cut_cases = 0
    if o.any():
        before = np.cumsum(o) - o
        start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        keep = before == before[start]
        cut_events = int(n - keep.sum())
        if cut_events:
            continues = np.zeros(n, dtype=bool)
            continues[:-1] = ~first[1:]
            cut_cases = int((o & keep & continues).sum())
            order, a, first, o = order[keep], a[keep], first[keep], o[keep]
    m = a.shape[0]
    last = np.ones(m, dtype=bool)
    last[:-1] = first[1:]
    # Every consecutive pair gets a code; pairs across a case boundary get the
    # spare code k * k, counted and dropped (cheaper than compressing twice).
    pairs = a[:-1] * k
    pairs += a[1:]
    pairs[last[:-1]] = k * k
    pair_codes, pair_n = _count(pairs, k * k + 1)
    if pair_codes.shape[0] and pair_codes[-1] == k * k:
        pair_codes, pair_n = pair_codes[:-1], pair_n[:-1]
    ends = np.bincount(a[last & ~o], minlength=k)
    starts = np.bincount(a[first], minlength=k)
    act_order = _first_seen(a, order, k, n, cut_events > 0)
    names = cols.activities
    resources: tuple[str, ...] | None = None
    res_counts: list[tuple[str, str, int]] = []
    if cols.resource is not None:
        # Counts per (activity, resource) do not depend on the order, so
        # unless events were cut they come from the columns as read, ungathered.
        cut = cut_events > 0
        r_all, a_all = (cols.resource[order], a) if cut else (cols.resource, cols.activity)
        valid = r_all >= 0
        # Most logs name a resource on every event: no need to compress then.
        everyone = bool(valid.all())
        r, ra = (r_all, a_all) if everyone else (r_all[valid], a_all[valid])
        n_res = len(cols.resources)
        keys = ra * n_res
        keys += r  # in place: one temporary the size of the log, not two
        codes, counts = _count(keys, k * n_res)
        res_counts = [
            (names[c // n_res], cols.resources[c % n_res], n_)
            for c, n_ in zip(codes.tolist(), counts.tolist(), strict=True)
        ]
        rows = (order if everyone else order[valid]) if cut else order
        res_order = _first_seen(r, rows, n_res, n, cut)
        resources = tuple(cols.resources[i] for i in res_order)
    return LogCounts(
        activities=tuple(names[i] for i in act_order),
        resources=resources,
        pairs=tuple(
            (names[c // k], names[c % k], n_)
            for c, n_ in zip(pair_codes.tolist(), pair_n.tolist(), strict=True)
        ),
        ends=tuple((names[i], int(ends[i])) for i in np.flatnonzero(ends).tolist()),
        starts=tuple((names[i], int(starts[i])) for i in np.flatnonzero(starts).tolist()),
        resource_counts=tuple(res_counts),
        events=n,
        cases=n_cases,
        cut_events=cut_events,
        cut_cases=cut_cases,
    )


def _count(codes: Any, size: int) -> tuple[Any, Any]:
    """Distinct codes and how often each occurs (dense bincount when small enough)."""
    import numpy as np

    if size <= DENSE_LIMIT:
        counts = np.bincount(codes, minlength=size)
        nz = np.flatnonzero(counts)
        return nz, counts[nz]
    return np.unique(codes, return_counts=True)


def _first_seen(codes: Any, rows: Any, size: int, n: int, cut: bool) -> list[int]:
    """Codes present, in order of their first row (codes are numbered so already,
    unless events were cut)."""
    import numpy as np

    if not cut:
        return np.flatnonzero(np.bincount(codes, minlength=size)).tolist()
    first = np.full(size, n, dtype=np.int64)
    np.minimum.at(first, codes, rows)
    present = np.flatnonzero(first < n)
    ordered: list[int] = present[np.argsort(first[present], kind="stable")].tolist()
    return ordered


# -- the SQL engines share one query ---------------------------------------


def flow_sql(events: str, *, outcomes: bool) -> str:
    """The windowed events: position in the case, next activity, where it is cut.

    ``events`` names a relation with columns ``rn`` (row order), ``c`` (case,
    text), ``a`` (activity, text), ``t`` (orderable time), ``t_raw`` (time as
    text), ``r`` (resource, text or NULL) and ``o`` (is an outcome activity).
    Portable between DuckDB and Spark SQL.
    """
    stop = (
        "MIN(CASE WHEN o THEN pos END) OVER (PARTITION BY c)"
        if outcomes
        else "CAST(NULL AS BIGINT)"
    )
    return f"""
SELECT rn, c, a, r, t, t_raw, o, pos, nxt, stop,
       (stop IS NULL OR pos <= stop) AS kept,
       CASE WHEN stop IS NOT NULL AND pos >= stop THEN NULL ELSE nxt END AS nxt2
FROM (
  SELECT rn, c, a, r, t, t_raw, o, pos, nxt, {stop} AS stop
  FROM (
    SELECT rn, c, a, r, t, t_raw, o,
           ROW_NUMBER() OVER (PARTITION BY c ORDER BY t, rn) AS pos,
           LEAD(a) OVER (PARTITION BY c ORDER BY t, rn) AS nxt
    FROM {events}
  ) s
) q"""


def aggregate_sql(flow: str) -> str:
    """The small tables of :class:`LogCounts` in one pass: one ``GROUPING SETS``
    aggregation over (activity), (activity, next), (activity, resource),
    (resource) and the whole log, told apart by ``GROUPING()``."""

    def count(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    return f"""
SELECT GROUPING(a) AS ga, GROUPING(nxt2) AS gn, GROUPING(r) AS gr, a, nxt2, r,
       COUNT(*) AS n,
       {count("kept")} AS k,
       MIN(CASE WHEN kept THEN rn END) AS first_rn,
       {count("pos = 1")} AS starts,
       {count("kept AND nxt2 IS NULL AND NOT o")} AS ends,
       {count("pos = stop AND nxt IS NOT NULL")} AS cut_cases,
       {count("c IS NULL")} AS nocase_n, MIN(CASE WHEN c IS NULL THEN rn END) AS nocase_rn,
       {count("a IS NULL")} AS noact_n, MIN(CASE WHEN a IS NULL THEN rn END) AS noact_rn,
       {count("t IS NULL")} AS notime_n, MIN(CASE WHEN t IS NULL THEN rn END) AS notime_rn,
       MIN_BY(t_raw, CASE WHEN t IS NULL THEN rn END) AS notime_value
FROM {flow}
GROUP BY GROUPING SETS ((a), (a, nxt2), (a, r), (r), ())"""


def counts_from_rows(
    rows: Sequence[Sequence[Any]],
    *,
    case: str,
    activity: str,
    timestamp: str,
    has_resource: bool,
    source: str,
    row_index: Any = None,
) -> LogCounts:
    """Turn the rows of :func:`aggregate_sql` into :class:`LogCounts`, raising the
    same errors as the numpy engine for an empty log, a missing case id or
    activity, or a bad timestamp. ``row_index`` maps a row number as the
    engine wrote it to the row's index (Spark's ids are not consecutive)."""
    from cxgraph import _eventlog as EL

    def at(rn: Any) -> int:
        return int(rn) if row_index is None else int(row_index(rn))

    by: dict[tuple[int, int, int], list[Sequence[Any]]] = defaultdict(list)
    for row in rows:
        by[(int(row[0]), int(row[1]), int(row[2]))].append(row)
    total = by[(1, 1, 1)][0] if by[(1, 1, 1)] else None
    if total is None or not total[6]:
        raise EL.empty_error(source)
    (n, k, _, cases, _, cut_cases, nc_n, nc_rn, na_n, na_rn, nt_n, nt_rn, nt_value) = total[6:]
    error = None
    if nc_n:
        error = EL.null_error("case", case, int(nc_n), at(nc_rn))
    elif na_n:
        error = EL.null_error("activity", activity, int(na_n), at(na_rn))
    elif nt_n:
        error = EL.timestamp_error(timestamp, int(nt_n), at(nt_rn), nt_value)
    if error is not None:
        raise error
    acts = sorted((r for r in by[(0, 1, 1)] if r[7]), key=lambda r: r[8])
    res_first = sorted((r for r in by[(1, 1, 0)] if r[5] is not None and r[7]), key=lambda r: r[8])
    return LogCounts(
        activities=tuple(r[3] for r in acts),
        resources=tuple(r[5] for r in res_first) if has_resource else None,
        pairs=tuple((r[3], r[4], int(r[7])) for r in by[(0, 0, 1)] if r[4] is not None),
        ends=tuple((r[3], int(r[10])) for r in acts if r[10]),
        starts=tuple((r[3], int(r[9])) for r in acts if r[9]),
        resource_counts=tuple(
            (r[3], r[5], int(r[7])) for r in by[(0, 1, 0)] if r[5] is not None and r[7]
        ),
        events=int(n),
        cases=int(cases),
        cut_events=int(n - k),
        cut_cases=int(cut_cases),
    )


# -- from counts to a journey ------------------------------------------------


def _shares(counts: Sequence[int]) -> list[float]:
    """``count / total`` each, summing to 1 within validation's 1e-9.

    Each share is correctly rounded, so their exact sum is off by at most
    ``len(counts) * 2**-53``: below 1e-9 up to millions of edges. Past that
    the last share becomes 1 minus the others, so the sum still holds.
    """
    total = sum(counts)
    probs = [c / total for c in counts]
    if abs(math.fsum(probs) - 1.0) > SUM_TOLERANCE:  # pragma: no cover - millions of edges
        probs[-1] = max(0.0, 1.0 - math.fsum(probs[:-1]))
    return probs


def _warn(message: str) -> None:
    # stacklevel 4: _warn <- build_journey <- discover <- the caller.
    warnings.warn(message, CxgraphWarning, stacklevel=4)


def _listed(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def build_journey(
    counts: LogCounts,
    *,
    outcomes: Mapping[str, str],
    owners: Mapping[str, str] | None,
    stem: str | None,
) -> Journey:
    """Build the journey from the counts (the part every engine shares)."""
    from cxgraph.model import Entry, Journey, Outcome, Owner, Touchpoint, Transition

    acts = counts.activities
    step_id = dict(zip(acts, unique_ids(acts, reserved={END}), strict=True))
    touch = [a for a in acts if a not in outcomes]
    finals = [a for a in acts if a in outcomes]
    rank = {a: i for i, a in enumerate([*touch, *finals])}
    absent = [a for a in outcomes if a not in step_id]
    if absent:
        _warn(
            f"outcome activit{'y' if len(absent) == 1 else 'ies'} {_listed(absent)} "
            f"never occur{'s' if len(absent) == 1 else ''} in the event log "
            f"{F.choices_text(absent[0], list(acts), word='activities')}"
        )
    if counts.cut_events:
        _warn(
            f"{counts.cut_events} event{'s' if counts.cut_events != 1 else ''} in "
            f"{counts.cut_cases} case{'s' if counts.cut_cases != 1 else ''} came after an "
            "outcome and were left out: an outcome ends a journey"
        )

    owner_of: dict[str, str] = {}
    owner_list: list[Owner] = []
    if counts.resources is not None:
        teams = owners or {}
        missing = [r for r in counts.resources if owners is not None and r not in teams]
        if missing:
            _warn(
                f"{len(missing)} resource{'s are' if len(missing) != 1 else ' is'} not in "
                f"owners= and stand{'s' if len(missing) == 1 else ''} for "
                f"{'itself' if len(missing) == 1 else 'themselves'}: {_listed(missing)}"
            )
        tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for act, res, n in counts.resource_counts:
            if act not in outcomes:
                tally[act][teams.get(res, res)] += n
        chosen = {
            act: min(t.items(), key=lambda kv: (-kv[1], kv[0]))[0] for act, t in tally.items()
        }
        used = set(chosen.values())
        names = [o for o in dict.fromkeys(teams.get(r, r) for r in counts.resources) if o in used]
        ids = dict(zip(names, unique_ids(names), strict=True))
        team_names = set(teams.values())
        owner_list = [
            Owner(id=ids[o], name=o, kind="team" if o in team_names else "role") for o in names
        ]
        owner_of = {act: ids[o] for act, o in chosen.items()}

    flows: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    end_rank = len(rank)
    for src, tgt, n in counts.pairs:
        flows[src].append((rank[tgt], step_id[tgt], n))
    for src, n in counts.ends:
        flows[src].append((end_rank, END, n))
    transitions: list[Transition] = []
    for src in sorted(flows, key=rank.__getitem__):
        edges = sorted(flows[src])
        probs = _shares([n for _, _, n in edges])
        transitions += [
            Transition(source=step_id[src], target=tgt, count=n, probability=p)
            for (_, tgt, n), p in zip(edges, probs, strict=True)
        ]
    starts = sorted(counts.starts, key=lambda s: rank[s[0]])
    entries = [
        Entry(step=step_id[a], count=n, probability=p)
        for (a, n), p in zip(starts, _shares([n for _, n in starts]), strict=True)
    ]
    outcome_steps = [Outcome(id=step_id[a], name=a, kind=outcomes[a]) for a in finals]  # type: ignore[arg-type]
    if counts.ends:
        outcome_steps.append(Outcome(id=END, name="End", kind="exit"))
    return Journey(
        id=slug(stem, empty="discovered") if stem is not None else "discovered",
        name=f"Discovered from {stem}" if stem is not None else "Discovered journey",
        description=f"Discovered from {_events(counts.events)} in {_cases(counts.cases)}.",
        owners=tuple(owner_list),
        touchpoints=tuple(Touchpoint(id=step_id[a], name=a, owner=owner_of.get(a)) for a in touch),
        outcomes=tuple(outcome_steps),
        entries=tuple(entries),
        transitions=tuple(transitions),
        extensions={
            "discover": {
                "events": counts.events,
                "cases": counts.cases,
                "events_after_outcomes": counts.cut_events,
                "cases_cut": counts.cut_cases,
            }
        },
    )


def _events(n: int) -> str:
    return f"{n} event{'s' if n != 1 else ''}"


def _cases(n: int) -> str:
    return f"{n} case{'s' if n != 1 else ''}"
