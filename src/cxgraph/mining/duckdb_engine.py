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
    timestamp: str,
    resource: str | None,
    outcomes: tuple[str, ...],
) -> LogCounts:
    """Count a log's flows with DuckDB (see the module docstring)."""
    duckdb = EL.require("duckdb", "duckdb", "discover(engine='duckdb')")
    source = EL.describe_source(events, kind)
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
        elif kind == "parquet":
            path = Path(events)
            pattern = os.fspath(path / "**" / "*.parquet") if path.is_dir() else os.fspath(path)
            relation = f"read_parquet({_literal(pattern)})"
            found = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
        elif kind == "spark":
            msg = "a Spark DataFrame is read by Spark: use discover(..., engine='spark')"
            raise EL.EventLogError(msg)
        else:
            wanted = [case, activity, timestamp] + ([resource] if resource else [])
            if kind == "xes":
                frame, found = EL.xes_to_arrow(
                    Path(events), wanted, "discover(engine='duckdb') on XES"
                )
            else:
                found = EL.frame_columns(events, kind)
                frame = events
            relation = "cx_source"
        res = EL.resolve_columns(
            found, case=case, activity=activity, timestamp=timestamp, resource=resource
        )
        if relation == "cx_source":
            needed = list(dict.fromkeys([case, activity, timestamp] + ([res] if res else [])))
            if kind == "polars":
                EL.require("pyarrow", "polars", "discover(engine='duckdb') on a polars frame")
                frame = frame.select(needed).to_arrow()
            elif kind == "pandas":
                frame = frame[needed]
            con.register("cx_source", frame)
        ts_type = str(
            con.execute(f"DESCRIBE SELECT {_ident(timestamp)} FROM {relation}").fetchall()[0][1]
        ).upper()
        if ts_type.startswith(_TIME_TYPES) or ts_type.startswith(_NUMBER_TYPES):
            t_expr = _ident(timestamp)
        else:
            t_expr = f"TRY_CAST(CAST({_ident(timestamp)} AS VARCHAR) AS TIMESTAMPTZ)"
        r_expr = f"CAST({_ident(res)} AS VARCHAR)" if res else "CAST(NULL AS VARCHAR)"
        o_expr = "list_contains(CAST(? AS VARCHAR[]), a)" if outcomes else "FALSE"
        events_sql = f"""
SELECT rn, c, a, t, t_raw, r, {o_expr} AS o FROM (
  SELECT row_number() OVER () - 1 AS rn,
         CAST({_ident(case)} AS VARCHAR) AS c,
         CAST({_ident(activity)} AS VARCHAR) AS a,
         {t_expr} AS t,
         CAST({_ident(timestamp)} AS VARCHAR) AS t_raw,
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
            rows = con.execute(query, params).fetchall()
        except duckdb.Error as exc:
            msg = f"DuckDB could not read the event log {source}: {exc}"
            raise EL.EventLogError(msg) from exc
    finally:
        con.close()
    return counts_from_rows(
        rows,
        case=case,
        activity=activity,
        timestamp=timestamp,
        has_resource=res is not None,
        source=source,
    )
