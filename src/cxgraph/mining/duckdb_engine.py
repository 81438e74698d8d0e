"""The DuckDB engine of ``discover``: window functions straight on the log, out of core.

The log is scanned where it lies (``read_csv`` with every column as text and
the dialect given, not sniffed; ``read_parquet``; or a registered pandas,
polars or arrow frame; XES is parsed to an arrow table first) and numbered as
it is read with ``row_number() OVER ()``, which DuckDB keeps in scan order
while ``preserve_insertion_order`` is on (set here), so ties in time keep the
row order. ``LEAD`` over ``PARTITION BY case ORDER BY time, row`` pairs each
event with the next; only the small aggregated tables come back to Python.

Times follow the rules of :mod:`cxgraph.readwrite.eventlog` to the letter:
text is matched to the one grammar (``regexp_full_match``) before
``TRY_CAST(... AS TIMESTAMPTZ)`` in a connection whose time zone is UTC (so
offsets convert to UTC and times without one are taken as they are); NaN is
a missing number; nanoseconds are floored to the microsecond. Every
``duckdb.Error`` (a file it cannot read, a value it cannot convert) becomes
an :class:`~cxgraph.readwrite.eventlog.EventLogError` in one place, worded
as the other engines word it (:func:`~cxgraph.readwrite.eventlog.read_error`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from attrs import frozen

from cxgraph._util.text import choices_text
from cxgraph.mining.counts import LogCounts, aggregate_sql, counts_from_rows, flow_sql
from cxgraph.readwrite import eventlog as EL

__all__ = ["EventsRelation", "duckdb_counts", "duckdb_query"]

#: DuckDB type names (their start) by the kind of values they hold.
_KINDS = (
    ("STRUCT", "struct"),
    ("MAP", "map"),
    ("UNION", "other"),
    ("TIMESTAMP", "time"),
    ("DATE", "time"),
    ("TIME", "time of day"),
    ("INTERVAL", "duration"),
    ("BLOB", "binary"),
    ("BIT", "binary"),
    ("BOOLEAN", "boolean"),
    ("VARCHAR", "text"),
    ("ENUM", "text"),
    ('"NULL"', "null"),
    ("NULL", "null"),
)
_NUMBERS = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
    "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "VARINT", "BIGNUM",
)  # fmt: skip
#: Days of microseconds that fit in 64 bits (as the numpy engine counts them).
_MAX_DAYS = (2**63 - 1) // (86_400 * 10**6)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _kind(type_name: str) -> str:
    """The kind of values (``cxgraph.readwrite.roles.KIND_WORDS``) a DuckDB type holds."""
    name = type_name.strip().upper()
    if name.endswith("]"):  # VARCHAR[] and INTEGER[3]
        return "list"
    if name.split("(")[0] in _NUMBERS:
        return "number"
    return next((kind for start, kind in _KINDS if name.startswith(start)), "other")


def duckdb_counts(
    events: Any,
    kind: str,
    *,
    case: str,
    activity: str,
    timestamp: str | None,
    resource: str | None,
    outcomes: tuple[str, ...],
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
) -> LogCounts:
    """Count a log's flows with DuckDB (see the module docstring)."""
    duckdb = EL.require("duckdb", "duckdb", "discover(engine='duckdb')")
    if kind == "spark":
        msg = "a Spark DataFrame is read by Spark: use discover(..., engine='spark')"
        raise EL.EventLogError(msg)
    ask = partial(
        EL.resolve_columns,
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
    )
    # The XES attributes to read at first: the columns asked for, and the lifecycle.
    wanted = [c for c in (case, activity, timestamp, resource, start_timestamp) if c]
    con = duckdb.connect()
    try:
        return _counts(con, events, kind, ask, [*wanted, EL.LIFECYCLE], outcomes)
    except duckdb.InterruptException:
        # DuckDB turns Ctrl-C into an error of its own: it is the user's interrupt.
        raise KeyboardInterrupt from None
    except duckdb.Error as exc:
        # The one place DuckDB's own errors become ours, worded as every engine words them.
        raise EL.read_error(events, kind, str(exc)) from exc
    finally:
        con.close()


#: Grouping sets for the checks alone: each grouping column once, and the whole log.
_CHECKS = "(a), (nxt2), (r), ()"


def duckdb_query(
    events: Any,
    kind: str,
    query: Callable[[EventsRelation], str],
    *,
    case: str,
    activity: str,
    timestamp: str | None,
    resource: str | None,
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    extra: tuple[str, ...] = (),
    purpose: str = "engine='duckdb'",
) -> tuple[EventsRelation, tuple[str, ...], list[Any]]:
    """Check a log as :func:`duckdb_counts` does, then run ``query(relation)`` on it.

    Returns the relation, the activities in order of first appearance (as
    ``discover`` lists them), and the query's rows.

    ``query`` gets the :class:`EventsRelation` and returns SQL that may use
    the common table ``cx_events`` (the events) and ``cx_flow`` (the events
    with ``pos`` in their case and ``nxt``, the next activity, as in
    :func:`~cxgraph.mining.counts.flow_sql`); the rows come back as DuckDB
    gives them. A log with a missing case id, activity or time raises the
    same error as on the numpy engine before ``query`` runs.
    """
    duckdb = EL.require("duckdb", "duckdb", purpose)
    if kind == "spark":
        msg = f"a Spark DataFrame is read by Spark, not by {purpose}"
        raise EL.EventLogError(msg)
    ask = partial(
        EL.resolve_columns,
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
    )
    wanted = [c for c in (case, activity, timestamp, resource, start_timestamp) if c]
    con = duckdb.connect()
    try:
        log = _events(con, events, kind, ask, [*wanted, EL.LIFECYCLE], (), extra)
        carry = ["tu", *(_ident(c) for c in extra)]
        common = (
            f"WITH cx_events AS ({log.sql}),\n"
            f"cx_flow AS MATERIALIZED ({flow_sql('cx_events', outcomes=False, carry=carry)})\n"
        )
        checks = con.execute(common + aggregate_sql("cx_flow", sets=_CHECKS), log.params)
        activities = log.counts(checks.fetchall()).activities
        rows = con.execute(common + query(log), log.params).fetchall()
        return log, activities, rows
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except duckdb.Error as exc:
        raise EL.read_error(events, kind, str(exc)) from exc
    finally:
        con.close()


def _counts(
    con: Any,
    events: Any,
    kind: str,
    ask: Any,
    wanted: list[str],
    outcomes: tuple[str, ...],
) -> LogCounts:
    log = _events(con, events, kind, ask, wanted, outcomes)
    query = (
        f"WITH cx_events AS ({log.sql}),\n"
        f"cx_flow AS MATERIALIZED ({flow_sql('cx_events', outcomes=bool(outcomes))})\n"
        f"{aggregate_sql('cx_flow')}"
    )
    rows = con.execute(query, log.params).fetchall()
    return log.counts(rows)


@frozen(kw_only=True)
class EventsRelation:
    """A log as DuckDB sees it: the SQL of its events and how to read the answers.

    ``sql`` selects ``rn`` (row order), ``c`` (case, text), ``a`` (activity,
    text), ``s`` and ``t`` (orderable start and end times), ``tu`` (the time
    as BIGINT microseconds since 1970 UTC, or the number of a numeric
    column, or the row number), ``r`` (resource or NULL), ``o`` (an outcome
    activity) and the text of the times for the checks; ``params`` are its
    query parameters; ``time_kind`` is ``datetime``, ``number`` or ``row``
    as :class:`~cxgraph.readwrite.columns.EventColumns` says it.
    """

    sql: str
    params: list[Any]
    cols: Any
    source: str
    time_kind: str

    def counts(self, rows: Any) -> LogCounts:
        """:class:`LogCounts` from the rows of :func:`aggregate_sql`, raising the log's errors."""
        cols = self.cols
        return counts_from_rows(
            rows,
            case=cols.case,
            activity=cols.activity,
            timestamp=cols.timestamp,
            start_timestamp=cols.start_timestamp,
            has_resource=cols.resource is not None,
            source=self.source,
            columns=cols.record(),
        )


def _events(
    con: Any,
    events: Any,
    kind: str,
    ask: Any,
    wanted: list[str],
    outcomes: tuple[str, ...],
    extra: tuple[str, ...] = (),
) -> EventsRelation:
    """The events of a log as SQL (see :class:`EventsRelation`); ``extra`` columns
    are carried along as text under their own names."""
    source = EL.describe_source(events, kind)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    if kind == "csv":
        found, delimiter = EL.csv_header(Path(events))
        cols = ask(found)
        # The dialect is given, not sniffed: a ragged row or an unclosed quote is
        # an error (as for the other engines), never a guess. Columns go by position.
        names = {c: f"c{i}" for i, c in reversed(list(enumerate(found)))}
        spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(found)))
        scan = (
            f"read_csv({_literal(os.fspath(events))}, header = true, auto_detect = false, "
            f"columns = {{{spec}}}, delim = {_literal(delimiter)}, quote = '\"', "
            "escape = '\"')"
        )
        _check_extra(extra, found, source)
        keep = [*cols.needed, *(c for c in extra if c not in cols.needed)]
        renamed = ", ".join(f"{_ident(names[c])} AS {_ident(c)}" for c in keep)
        relation = f"(SELECT {renamed} FROM {scan})"
    elif kind == "parquet":
        path = Path(events)
        pattern = os.fspath(path / "**" / "*.parquet") if path.is_dir() else os.fspath(path)
        relation = f"read_parquet({_literal(pattern)})"
        found = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
        cols = ask(found)
        _check_extra(extra, found, source)
    else:
        if kind == "xes":
            purpose = "discover(engine='duckdb') on XES"
            frame, found = EL.xes_to_arrow(Path(events), [*wanted, *extra], purpose)
            cols = ask(found)
            if any(c not in frame.column_names for c in cols.needed):
                frame, found = EL.xes_to_arrow(Path(events), [*cols.needed, *extra], purpose)
        else:
            frame = events
            found = EL.frame_columns(events, kind)
            cols = ask(found)
        _check_extra(extra, found, source)
        needed = [*cols.needed, *(c for c in extra if c not in cols.needed)]
        if kind == "polars":
            EL.require("pyarrow", "polars", "discover(engine='duckdb') on a polars frame")
            frame = frame.select(needed).to_arrow()
        elif kind == "pandas":
            frame = frame[needed]
        con.register("cx_source", frame)
        relation = "cx_source"
    described = con.execute(
        f"DESCRIBE SELECT {', '.join(_ident(c) for c in cols.needed)} FROM {relation}"
    ).fetchall()
    types = {str(r[0]): str(r[1]) for r in described}
    EL.check_kinds({k: (c, _kind(types[c])) for k, c in cols.by_role().items()})
    if cols.lifecycle is not None:
        relation = _keep_lifecycle(con, relation, cols.lifecycle)
    t, t_raw, t_zoned = _time(cols.timestamp, types)
    s, s_raw, s_zoned = _time(cols.start_timestamp, types)
    if cols.timestamp is None:
        time_kind, tu = "row", "rn"
    elif _kind(types[cols.timestamp]) == "number":
        time_kind, tu = "number", "t"
    else:
        time_kind = "datetime"
        # Dates and nanosecond times are microseconds already; the rest are timestamps.
        name = types[cols.timestamp].upper()
        micro = name == "DATE" or name.startswith(("TIMESTAMP_NS", "TIMESTAMPTZ_NS"))
        tu = "t" if micro else "epoch_us(t)"
    res = cols.resource
    r_expr = f"CAST({_ident(res)} AS VARCHAR)" if res else "CAST(NULL AS VARCHAR)"
    o_expr = "list_contains(CAST(? AS VARCHAR[]), a)" if outcomes else "FALSE"
    carried = "".join(f", CAST({_ident(c)} AS VARCHAR) AS {_ident(c)}" for c in extra)
    outer = "".join(f", {_ident(c)}" for c in extra)
    sql = f"""
SELECT rn, c, a, s, s_raw, s_zoned, t, t_raw, t_zoned, {tu} AS tu, r, {o_expr} AS o{outer} FROM (
  SELECT row_number() OVER () - 1 AS rn,
         CAST({_ident(cols.case)} AS VARCHAR) AS c,
         CAST({_ident(cols.activity)} AS VARCHAR) AS a,
         {s} AS s, {s_raw} AS s_raw, {s_zoned} AS s_zoned,
         {t} AS t, {t_raw} AS t_raw, {t_zoned} AS t_zoned,
         {r_expr} AS r{carried}
  FROM {relation}
) e"""
    return EventsRelation(
        sql=sql,
        params=[list(outcomes)] if outcomes else [],
        cols=cols,
        source=source,
        time_kind=time_kind,
    )


def _check_extra(extra: tuple[str, ...], found: list[str], source: str) -> None:
    missing = [c for c in extra if c not in found]
    if missing:
        msg = (
            f"the event log {source} has no column {missing[0]!r} "
            f"{choices_text(missing[0], found, word='columns')}"
        )
        raise EL.EventLogError(msg)


def _time(column: str | None, types: dict[str, str]) -> tuple[str, str, str]:
    """An orderable time from a column, its text for messages, and whether it has an offset.

    The rules of the numpy engine: text by the one grammar, numbers as they
    are (NaN missing), nanoseconds floored to microseconds, dates beyond
    64-bit microseconds out of range.
    """
    nothing = "CAST(NULL AS BOOLEAN)"
    if column is None:
        return "0", "CAST(NULL AS VARCHAR)", nothing
    col, name = _ident(column), types[column].upper()
    kind = _kind(name)
    no_text = "CAST(NULL AS VARCHAR)"  # a NULL here is a missing time, not unreadable text
    if kind == "number":
        if name in ("FLOAT", "DOUBLE"):
            return f"CASE WHEN isnan({col}) THEN NULL ELSE {col} END", no_text, nothing
        return col, no_text, nothing
    if kind == "time":
        if name.startswith(("TIMESTAMP_NS", "TIMESTAMPTZ_NS")):
            ns = f"CAST({col} AS TIMESTAMP_NS)"
            # Floored to microseconds as the numpy engine does; DuckDB's infinities
            # are the ends of the 64-bit range there.
            floor = (
                f"CASE WHEN isinf({ns}) THEN (CASE WHEN {ns} > TIMESTAMP_NS '1970-01-01' "
                f"THEN {(2**63 - 1) // 1000} ELSE {-(2**63) // 1000} END) ELSE epoch_us({ns}) END"
            )
            return floor, no_text, nothing
        if name == "DATE":
            days = f"({col} - DATE '1970-01-01')"
            in_range = f"NOT isinf({col}) AND abs({days}) <= {_MAX_DAYS}"
            return (
                f"CASE WHEN {in_range} THEN {days} * {86_400 * 10**6} END",
                f"CASE WHEN {col} IS NOT NULL THEN {_literal(EL.OUT_OF_RANGE)} END",
                nothing,
            )
        return col, no_text, nothing
    text = f"CAST({col} AS VARCHAR)"
    grammar = f"regexp_full_match({text}, {_literal(EL.ISO_TIME)})"
    # DuckDB wants minutes after the hour: '2024-05-01T10+02' is read as '...10:00+02'
    # (only where the plain cast failed: COALESCE does not compute what it need not).
    minutes = f"regexp_replace({text}, '^(.{{10}}[T ][0-9]{{2}})(Z|[+-].*)?$', '\\1:00\\2')"
    cast = f"coalesce(TRY_CAST({text} AS TIMESTAMPTZ), TRY_CAST({minutes} AS TIMESTAMPTZ))"
    # In the grammar, a Z, a + or a - after the date can only start an offset.
    zoned = f"({text} LIKE '%Z' OR contains({text}, '+') OR {text} LIKE '__________%-%')"
    return (
        f"CASE WHEN {grammar} THEN {cast} END",
        text,
        f"CASE WHEN {grammar} THEN {zoned} END",
    )


def _keep_lifecycle(con: Any, relation: str, value: str) -> str:
    """The relation's events whose lifecycle is ``value`` (any case) or missing."""
    life = f"CAST({_ident(EL.LIFECYCLE)} AS VARCHAR)"
    hit = f"lower({life}) = {_literal(value.lower())}"
    found = con.execute(f"SELECT COUNT(*) FROM {relation} WHERE {hit}").fetchone()
    if not found or not found[0]:
        values = con.execute(f"SELECT DISTINCT {life} FROM {relation} LIMIT 100").fetchall()
        raise EL.lifecycle_error(value, [v[0] for v in values])
    return f"(SELECT * FROM {relation} WHERE {life} IS NULL OR {hit})"
