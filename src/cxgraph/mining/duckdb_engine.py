"""The DuckDB engine of ``discover``: window functions straight on the log, out of core.

The log is scanned where it lies (``read_csv`` with every column as text,
``read_parquet``, or a registered pandas, polars or arrow frame; XES is parsed
to an arrow table first) and numbered as it is read with
``row_number() OVER ()``, which DuckDB keeps in scan order while
``preserve_insertion_order`` is on (set here), so ties in time keep the row
order. ``LEAD`` over ``PARTITION BY case ORDER BY time, row`` pairs each
event with the next; only the small aggregated tables come back to Python.
Text timestamps are cast with ``TRY_CAST(... AS TIMESTAMPTZ)`` in a
connection whose time zone is UTC, so offsets convert to UTC and times
without one are taken as they are, as the numpy engine does.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

from cxgraph.mining.counts import LogCounts, aggregate_sql, counts_from_rows, flow_sql
from cxgraph.readwrite import eventlog as EL

__all__ = ["duckdb_counts"]

_TIME_TYPES = ("TIMESTAMP", "DATE")
_NUMBER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
    source = EL.describe_source(events, kind)
    ask = partial(
        EL.resolve_columns,
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
    )
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = true")
        if kind == "csv":
            found, delimiter = EL.csv_header(Path(events))
            relation = (
                f"read_csv({_literal(os.fspath(events))}, header = true, all_varchar = true, "
                f"delim = {_literal(delimiter)}, quote = '\"', escape = '\"')"
            )
            cols = ask(found)
        elif kind == "parquet":
            path = Path(events)
            pattern = os.fspath(path / "**" / "*.parquet") if path.is_dir() else os.fspath(path)
            relation = f"read_parquet({_literal(pattern)})"
            found = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
            cols = ask(found)
        elif kind == "spark":
            msg = "a Spark DataFrame is read by Spark: use discover(..., engine='spark')"
            raise EL.EventLogError(msg)
        else:
            if kind == "xes":
                wanted = [c for c in (case, activity, timestamp, resource, start_timestamp) if c]
                wanted.append(EL.LIFECYCLE)
                purpose = "discover(engine='duckdb') on XES"
                frame, found = EL.xes_to_arrow(Path(events), wanted, purpose)
                cols = ask(found)
                if any(c not in frame.column_names for c in cols.needed):
                    frame, found = EL.xes_to_arrow(Path(events), cols.needed, purpose)
            else:
                found = EL.frame_columns(events, kind)
                frame = events
                cols = ask(found)
            relation = "cx_source"
            needed = cols.needed
            if kind == "polars":
                EL.require("pyarrow", "polars", "discover(engine='duckdb') on a polars frame")
                frame = frame.select(needed).to_arrow()
            elif kind == "pandas":
                frame = frame[needed]
            con.register("cx_source", frame)
        if cols.lifecycle is not None:
            relation = _keep_lifecycle(con, relation, cols.lifecycle)
        t_expr = _time(con, relation, cols.timestamp) if cols.timestamp else "0"
        t_raw = f"CAST({_ident(cols.timestamp)} AS VARCHAR)" if cols.timestamp else "NULL"
        s_col = cols.start_timestamp
        s_expr = _time(con, relation, s_col) if s_col else "0"
        s_raw = f"CAST({_ident(s_col)} AS VARCHAR)" if s_col else "NULL"
        res = cols.resource
        r_expr = f"CAST({_ident(res)} AS VARCHAR)" if res else "CAST(NULL AS VARCHAR)"
        o_expr = "list_contains(CAST(? AS VARCHAR[]), a)" if outcomes else "FALSE"
        events_sql = f"""
SELECT rn, c, a, s, s_raw, t, t_raw, r, {o_expr} AS o FROM (
  SELECT row_number() OVER () - 1 AS rn,
         CAST({_ident(cols.case)} AS VARCHAR) AS c,
         CAST({_ident(cols.activity)} AS VARCHAR) AS a,
         {s_expr} AS s,
         {s_raw} AS s_raw,
         {t_expr} AS t,
         {t_raw} AS t_raw,
         {r_expr} AS r
  FROM {relation}
) e"""
        query = (
            f"WITH cx_events AS ({events_sql}),\n"
            f"cx_flow AS MATERIALIZED ({flow_sql('cx_events', outcomes=bool(outcomes))})\n"
            f"{aggregate_sql('cx_flow')}"
        )
        params = [list(outcomes)] if outcomes else []
        try:
            if s_col is not None:
                bad = con.execute(
                    f"WITH cx_events AS ({events_sql}) SELECT COUNT(*), MIN(rn), "
                    "MIN_BY(s_raw, rn) FROM cx_events WHERE s IS NULL",
                    params,
                ).fetchone()
                if bad is not None and bad[0]:
                    raise EL.timestamp_error(
                        s_col, int(bad[0]), int(bad[1]), bad[2], keyword="start_timestamp"
                    )
            rows = con.execute(query, params).fetchall()
        except duckdb.Error as exc:
            msg = f"DuckDB could not read the event log {source}: {exc}"
            raise EL.EventLogError(msg) from exc
    finally:
        con.close()
    return counts_from_rows(
        rows,
        case=cols.case,
        activity=cols.activity,
        timestamp=cols.timestamp,
        has_resource=res is not None,
        source=source,
        columns=cols.record(),
    )


def _time(con: Any, relation: str, column: str) -> str:
    """An orderable time from a column: as it is when it is a time or a number, else cast."""
    kind = str(con.execute(f"DESCRIBE SELECT {_ident(column)} FROM {relation}").fetchall()[0][1])
    if kind.upper().startswith(_TIME_TYPES) or kind.upper().startswith(_NUMBER_TYPES):
        return _ident(column)
    return f"TRY_CAST(CAST({_ident(column)} AS VARCHAR) AS TIMESTAMPTZ)"


def _keep_lifecycle(con: Any, relation: str, value: str) -> str:
    """The relation's events whose lifecycle is ``value`` (any case) or missing."""
    life = f"CAST({_ident(EL.LIFECYCLE)} AS VARCHAR)"
    hit = f"lower({life}) = {_literal(value.lower())}"
    found = con.execute(f"SELECT COUNT(*) FROM {relation} WHERE {hit}").fetchone()
    if not found or not found[0]:
        values = con.execute(f"SELECT DISTINCT {life} FROM {relation} LIMIT 100").fetchall()
        raise EL.lifecycle_error(value, [v[0] for v in values])
    return f"(SELECT * FROM {relation} WHERE {life} IS NULL OR {hit})"
