"""Directly-follows counts of an event log.

The numpy engine, and the SQL that the DuckDB and Spark engines share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:
    from cxgraph.readwrite.columns import EventColumns

from cxgraph._util.numbers import DENSE_LIMIT

__all__ = ["LogCounts"]


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
    #: The column read for each role (see ``EventColumns.columns``).
    columns: Mapping[str, str | None] = field(factory=dict)
    #: The segments (``discover(segment=)``) in order of first appearance, or None.
    segments: tuple[str, ...] | None = None
    #: ``(activity, segment, events)`` among the events kept.
    segment_counts: tuple[tuple[str, str, int], ...] = ()


# -- the numpy engine -------------------------------------------------------


def numpy_counts(cols: EventColumns, outcomes: Collection[str], segment: Any = None) -> LogCounts:
    """Count the flows of a log in memory, vectorised (no loop over events).

    :meth:`EventColumns.order` sorts the events by (case, time) (ties keep
    row order); a case starts after the events of the case codes before it; directly-follows pairs
    are encoded as ``source * K + target`` and counted with ``np.bincount``.
    Cutting cases at their first outcome is a cumulative sum of outcome
    events, taken relative to each case's start. ``segment`` gives each event
    its case's segment code (into ``cols.segments``), counted per activity.
    """
    import numpy as np

    n, k = len(cols), len(cols.activities)
    order = cols.order()
    # The smallest integers that hold a pair's code: gathering and combining
    # codes of 2 bytes moves a quarter of the memory that 8-byte codes do.
    small = _code_dtype(k * k + 1)
    a = cols.activity.astype(small)[order]
    # The order groups cases by code, so each case starts after the events of
    # the codes before it: counting them is cheaper than gathering the codes.
    per_case = np.bincount(cols.case)
    per_case = per_case[per_case > 0]
    n_cases = int(per_case.shape[0])
    bounds = np.cumsum(per_case)
    heads, tails = bounds - per_case, bounds - 1  # each case's first and last event
    is_out = np.zeros(k, dtype=bool)
    is_out[[i for i, name in enumerate(cols.activities) if name in outcomes]] = True
    cut_events = cut_cases = 0
    if is_out.any():
        o = is_out[a]
        first = np.zeros(n, dtype=bool)
        first[heads] = True
        before = np.cumsum(o) - o
        start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
        keep = before == before[start]
        cut_events = int(n - keep.sum())
        if cut_events:
            continues = np.zeros(n, dtype=bool)
            continues[:-1] = ~first[1:]
            cut_cases = int((o & keep & continues).sum())
            order, a = order[keep], a[keep]
            # Every case keeps its first event, so it keeps as many cases.
            heads = np.flatnonzero(first[keep])
            tails = np.append(heads[1:] - 1, a.shape[0] - 1)
    # Every consecutive pair gets a code; pairs across a case boundary get the
    # spare code k * k, counted and dropped (cheaper than compressing twice).
    pairs = a[:-1] * k
    pairs += a[1:]
    pairs[tails[:-1]] = k * k
    # A case's last activity ends it, unless it is an outcome (its flow is to that).
    finals = np.bincount(a[tails], minlength=k)
    ends = np.where(is_out, 0, finals)
    starts = np.bincount(a[heads], minlength=k)
    if k * k + 1 <= DENSE_LIMIT:
        dense = np.bincount(pairs, minlength=k * k + 1)
        pair_codes = np.flatnonzero(dense[: k * k])
        pair_n = dense[pair_codes]
        if cut_events:
            act_order = _first_seen(a, order, k, n, True)
        else:
            # Every event is followed within its case or ends it: the
            # activities present, numbered by first appearance, without a pass.
            per_act = dense[: k * k].reshape(k, k).sum(axis=1) + finals
            act_order = np.flatnonzero(per_act).tolist()
    else:
        pair_codes, pair_n = _count(pairs, k * k + 1)
        if pair_codes.shape[0] and pair_codes[-1] == k * k:
            pair_codes, pair_n = pair_codes[:-1], pair_n[:-1]
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
        wide = _code_dtype(k * n_res)
        keys = np.multiply(ra, n_res, dtype=wide)
        keys += r  # in place: one temporary the size of the log, not two
        if not cut and k * n_res <= DENSE_LIMIT:
            # Resource codes are numbered by first appearance: those present in
            # code order, read off the counts without another pass.
            dense = np.bincount(keys, minlength=k * n_res)
            codes = np.flatnonzero(dense)
            counts = dense[codes]
            res_order = np.flatnonzero(dense.reshape(k, n_res).sum(axis=0)).tolist()
        else:
            codes, counts = _count(keys, k * n_res)
            rows = (order if everyone else order[valid]) if cut else order
            res_order = _first_seen(r, rows, n_res, n, cut)
        res_counts = [
            (names[c // n_res], cols.resources[c % n_res], n_)
            for c, n_ in zip(codes.tolist(), counts.tolist(), strict=True)
        ]
        resources = tuple(cols.resources[i] for i in res_order)
    seg_counts: list[tuple[str, str, int]] = []
    segments: tuple[str, ...] | None = None
    if segment is not None:
        g = segment[order]
        n_seg = len(cols.segments)
        codes, counts = _count(a.astype(np.int64) * n_seg + g, k * n_seg)
        seg_counts = [
            (names[c // n_seg], cols.segments[c % n_seg], n_)
            for c, n_ in zip(codes.tolist(), counts.tolist(), strict=True)
        ]
        seg_order = _first_seen(g, order, n_seg, n, True)
        segments = tuple(cols.segments[i] for i in seg_order)
    return LogCounts(
        segments=segments,
        segment_counts=tuple(seg_counts),
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
        columns=cols.columns,
    )


def _code_dtype(size: int) -> Any:
    """The smallest signed integer type that holds the codes 0 .. size - 1."""
    import numpy as np

    for dtype in (np.int16, np.int32):
        if size <= np.iinfo(dtype).max:
            return dtype
    return np.int64


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


def flow_sql(
    events: str, *, outcomes: bool, carry: Sequence[str] = (), next_time: bool = False
) -> str:
    """The windowed events: position in the case, next activity, where it is cut.

    ``events`` names a relation with columns ``rn`` (row order), ``c`` (case,
    text), ``a`` (activity, text), ``s`` (orderable start time, or a constant
    when the log has none), ``t`` (orderable time), ``r`` (resource, text or
    NULL), ``o`` (is an outcome activity) and, for the checks of
    :func:`aggregate_sql`, ``t_raw``, ``s_raw`` (the times as text, NULL
    where missing) and ``t_zoned``, ``s_zoned`` (whether a text time has a
    UTC offset; NULL when not text). A case is ordered by start, time, then row.
    ``carry`` names more columns of ``events`` to keep (quoted as needed);
    ``next_time`` adds ``ntu``, the next event's ``tu`` (``events`` must have
    ``tu``, the time in microseconds). Portable between DuckDB and Spark SQL.
    """
    stop = (
        "MIN(CASE WHEN o THEN pos END) OVER (PARTITION BY c)"
        if outcomes
        else "CAST(NULL AS BIGINT)"
    )
    keep = ", ".join(["rn, c, a, r, s, s_raw, s_zoned, t, t_raw, t_zoned, o", *carry])
    lead = (
        ",\n           LEAD(tu) OVER (PARTITION BY c ORDER BY s, t, rn) AS ntu" if next_time else ""
    )
    outer = keep + (", ntu" if next_time else "")
    return f"""
SELECT {outer}, pos, nxt, stop,
       (stop IS NULL OR pos <= stop) AS kept,
       CASE WHEN stop IS NOT NULL AND pos >= stop THEN NULL ELSE nxt END AS nxt2
FROM (
  SELECT {outer}, pos, nxt, {stop} AS stop
  FROM (
    SELECT {keep},
           ROW_NUMBER() OVER (PARTITION BY c ORDER BY s, t, rn) AS pos,
           LEAD(a) OVER (PARTITION BY c ORDER BY s, t, rn) AS nxt{lead}
    FROM {events}
  ) s
) q"""


#: The columns of :func:`aggregate_sql` after the grouping flags and keys, in order.
AGGREGATES = (
    "n", "k", "first_rn", "starts", "ends", "cut_cases",
    "nocase_n", "nocase_rn", "noact_n", "noact_rn", "notime_n", "notime_rn", "notime_value",
    "t_zoned_n", "t_zoned_rn", "t_zoned_value", "t_naive_n", "t_naive_rn", "t_naive_value",
    "nostart_n", "nostart_rn", "nostart_value",
    "s_zoned_n", "s_zoned_rn", "s_zoned_value", "s_naive_n", "s_naive_rn", "s_naive_value",
)  # fmt: skip


def aggregate_sql(flow: str, *, sets: str = "(a), (a, nxt2), (a, r), (r), ()") -> str:
    """The small tables of :class:`LogCounts` in one pass: one ``GROUPING SETS``
    aggregation over (activity), (activity, next), (activity, resource),
    (resource) and the whole log, told apart by ``GROUPING()``; the whole
    log's row also carries the checks (:data:`AGGREGATES`): how many rows lack
    a case, an activity or a readable time, the first of each, and how many
    text times have a UTC offset and how many not. Fewer ``sets`` (each of
    ``a``, ``nxt2`` and ``r`` must be in one) give the checks for less work."""

    def count(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    def first(cond: str, name: str, value: str | None = None) -> str:
        out = f"{count(cond)} AS {name}_n, MIN(CASE WHEN {cond} THEN rn END) AS {name}_rn"
        if value is not None:
            # MIN_BY passes over a NULL value: a missing one is '' and a present one
            # starts with '=', so that the first row's value comes back either way.
            shown = f"CASE WHEN {value} IS NULL THEN '' ELSE concat('=', {value}) END"
            out += f", MIN_BY({shown}, CASE WHEN {cond} THEN rn END) AS {name}_value"
        return out

    return f"""
SELECT GROUPING(a) AS ga, GROUPING(nxt2) AS gn, GROUPING(r) AS gr, a, nxt2, r,
       COUNT(*) AS n,
       {count("kept")} AS k,
       MIN(CASE WHEN kept THEN rn END) AS first_rn,
       {count("pos = 1")} AS starts,
       {count("kept AND nxt2 IS NULL AND NOT o")} AS ends,
       {count("pos = stop AND nxt IS NOT NULL")} AS cut_cases,
       {first("c IS NULL", "nocase")}, {first("a IS NULL", "noact")},
       {first("t IS NULL", "notime", "t_raw")},
       {first("t_zoned", "t_zoned", "t_raw")}, {first("NOT t_zoned", "t_naive", "t_raw")},
       {first("s IS NULL", "nostart", "s_raw")},
       {first("s_zoned", "s_zoned", "s_raw")}, {first("NOT s_zoned", "s_naive", "s_raw")}
FROM {flow}
GROUP BY GROUPING SETS ({sets})"""


def counts_from_rows(
    rows: Sequence[Sequence[Any]],
    *,
    case: str,
    activity: str,
    timestamp: str | None,
    has_resource: bool,
    source: str,
    start_timestamp: str | None = None,
    row_index: Any = None,
    columns: Mapping[str, str | None] | None = None,
) -> LogCounts:
    """Turn the rows of :func:`aggregate_sql` into :class:`LogCounts`, raising the
    same errors as the numpy engine for an empty log, a missing case id or
    activity, or a bad timestamp. ``row_index`` maps a row number as the
    engine wrote it to the row's index (Spark's ids are not consecutive)."""
    from cxgraph.readwrite import eventlog as EL

    def at(rn: Any) -> int:
        return int(rn) if row_index is None else int(row_index(rn))

    by: dict[tuple[int, int, int], list[Sequence[Any]]] = defaultdict(list)
    for row in rows:
        by[(int(row[0]), int(row[1]), int(row[2]))].append(row)
    whole = by[(1, 1, 1)][0] if by[(1, 1, 1)] else None
    if whole is None or not whole[6]:
        raise EL.empty_error(source)
    total = dict(zip(AGGREGATES, whole[6:], strict=True))
    n, k, cases, cut_cases = total["n"], total["k"], total["starts"], total["cut_cases"]

    def problem(name: str) -> tuple[int, int, Any]:
        shown = total.get(f"{name}_value")  # '' for a missing value, else '=' and the value
        return int(total[f"{name}_n"]), at(total[f"{name}_rn"]), shown[1:] if shown else None

    error = None
    if total["nocase_n"]:
        error = EL.null_error("case", case, *problem("nocase")[:2])
    elif total["noact_n"]:
        error = EL.null_error("activity", activity, *problem("noact")[:2])
    else:
        for keyword, column, prefix, missing in (
            ("timestamp", timestamp, "t", "notime"),
            ("start_timestamp", start_timestamp, "s", "nostart"),
        ):
            if total[f"{missing}_n"]:
                error = EL.timestamp_error(column or "", *problem(missing), keyword=keyword)
            elif total[f"{prefix}_zoned_n"] and total[f"{prefix}_naive_n"]:
                zoned, naive = problem(f"{prefix}_zoned"), problem(f"{prefix}_naive")
                error = EL.zone_mix_error(column or "", zoned, naive, keyword=keyword)
            if error is not None:
                break
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
        columns=dict(columns or {}),
    )


# -- the lean query: one window, one or two groupings ------------------------


def window_sql(
    events: str,
    *,
    order: str,
    outcomes: bool,
    carry: Sequence[str] = (),
    next_time: bool = False,
    starts: bool = False,
) -> str:
    """The windowed events, carrying only what the counts need.

    Where :func:`flow_sql` carries every column of the checks (the times as
    text among them) through the window and ranks each case twice, this
    computes one window over ``PARTITION BY c ORDER BY order``: the position
    ``pos``, the next activity ``nxt`` and, with ``outcomes``, how many
    outcomes came before (a running sum over the same order, so the sort is
    shared), whence ``kept`` and ``nxt2`` as :func:`flow_sql` gives them. The
    checks ride along as flags: ``nc`` (no case), ``nt`` (no readable time),
    ``tz`` (a text time with an offset; NULL when not text) and, with
    ``starts``, ``ns`` and ``sz`` for the start time. What a failed check
    shows (the row's text) is looked up afterwards, by row number, only when
    a check fails (``EventsRelation.counts`` of the DuckDB engine).
    """
    window = f"PARTITION BY c ORDER BY {order}"
    before = (
        "COALESCE(SUM(CASE WHEN o THEN 1 ELSE 0 END) OVER "
        f"({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
        if outcomes
        else "0"
    )
    flags = ["c IS NULL AS nc", "t IS NULL AS nt", "t_zoned AS tz"]
    if starts:
        flags += ["s IS NULL AS ns", "s_zoned AS sz"]
    keep = ", ".join(["rn, c, a, r, o", *flags, *carry])
    lead = f",\n         LEAD(tu) OVER ({window}) AS ntu" if next_time else ""
    outer = ", ".join(
        ["rn, c, a, r, o", *(f.rsplit(" ", 1)[-1] for f in flags), *carry]
        + (["ntu"] if next_time else [])
    )
    return f"""
SELECT {outer}, pos, nxt, before = 0 AS kept,
       CASE WHEN before > 0 OR o THEN NULL ELSE nxt END AS nxt2
FROM (
  SELECT {keep}{lead},
         ROW_NUMBER() OVER ({window}) AS pos,
         LEAD(a) OVER ({window}) AS nxt,
         {before} AS before
  FROM {events}
) w"""


def tally_sql(flow: str, *, starts: bool = False) -> str:
    """The rows of :func:`aggregate_sql` from :func:`window_sql`'s events, in two steps.

    One ``GROUP BY`` of the events by (activity, next activity, resource)
    builds a single hash table, small for any real log; the grouping sets of
    :func:`aggregate_sql` are then summed over that small table, not over the
    events (grouping sets over the events build one hash table per set). The
    texts of failed checks are NULL: ``EventsRelation.counts`` of the DuckDB
    engine reads them back by row number when a check fails.
    """

    def count(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    checks = [("nocase", "nc"), ("noact", "a IS NULL"), ("notime", "nt")]
    checks += [("t_zoned", "tz"), ("t_naive", "NOT tz")]
    if starts:
        checks += [("nostart", "ns"), ("s_zoned", "sz"), ("s_naive", "NOT sz")]
    inner = [
        "COUNT(*) AS n",
        f"{count('kept')} AS k",
        "MIN(CASE WHEN kept THEN rn END) AS first_rn",
        f"{count('pos = 1')} AS starts",
        f"{count('kept AND nxt2 IS NULL AND NOT o')} AS ends",
        f"{count('o AND kept AND nxt IS NOT NULL')} AS cut_cases",
    ]
    for name, cond in checks:
        inner += [f"{count(cond)} AS {name}_n", f"MIN(CASE WHEN {cond} THEN rn END) AS {name}_rn"]
    done = {name for name, _ in checks}
    outer = []
    for column in AGGREGATES:
        name = column.rsplit("_", 1)[0]
        if column.endswith("_value"):
            outer.append(f"CAST(NULL AS VARCHAR) AS {column}")
        elif column.endswith(("_n", "_rn")) and name not in done | {"first"}:
            outer.append(f"{'0' if column.endswith('_n') else 'NULL'} AS {column}")
        elif column.endswith("rn"):
            outer.append(f"MIN({column}) AS {column}")
        else:
            outer.append(f"SUM({column}) AS {column}")
    return f"""
SELECT GROUPING(a) AS ga, GROUPING(nxt2) AS gn, GROUPING(r) AS gr, a, nxt2, r,
       {", ".join(outer)}
FROM (
  SELECT a, nxt2, r, {", ".join(inner)}
  FROM {flow}
  GROUP BY a, nxt2, r
) cx_groups
GROUP BY GROUPING SETS ((a), (a, nxt2), (a, r), (r), ())"""
