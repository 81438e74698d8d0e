"""The Spark engine of ``discover``: the DuckDB query, in Spark SQL, for logs that
outgrow one machine.

The log is a Spark DataFrame, a CSV or Parquet path read by Spark (CSV with
every column as text, as the other engines read it), or a pandas, polars or
arrow frame (XES parsed to one first) handed to Spark. Spark uses the active
session, or starts one with ``SparkSession.builder.getOrCreate()``.

Row order, for ties in time: a frame from Python is numbered before it goes
to Spark. A file or a Spark DataFrame is numbered with
``monotonically_increasing_id()`` straight after reading, before any
shuffle: the ids grow with the partition and with the position inside it,
and Spark's file partitions follow the file's byte order, so the ids follow
row order (for a DataFrame built otherwise, its partition order). Text
timestamps are cast with ``try_cast(... AS TIMESTAMP)`` with the session
time zone set to UTC for the duration of the job (and restored after), so
offsets convert to UTC and times without one are taken as they are.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from cxgraph.mining.counts import LogCounts, aggregate_sql, counts_from_rows, flow_sql
from cxgraph.readwrite import eventlog as EL

__all__ = ["spark_counts"]

_ROW = "__cxgraph_row__"
_TIME_TYPES = ("timestamp", "date")
_NUMBER_TYPES = ("tinyint", "smallint", "int", "bigint", "float", "double", "decimal")


def _col(name: str) -> str:
    """A column reference that survives dots, colons and backticks in the name."""
    return "`" + name.replace("`", "``") + "`"


def _session(events: Any, kind: str) -> Any:
    if kind == "spark":
        return events.sparkSession
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    return active if active is not None else SparkSession.builder.getOrCreate()


def _to_arrow(events: Any, kind: str, needed: list[str]) -> Any:
    """A frame from Python as an arrow table of the needed columns."""
    import pyarrow as pa

    if kind == "pandas":
        return pa.Table.from_pandas(events[needed], preserve_index=False)
    if kind == "polars":
        return events.select(needed).to_arrow()
    return events.select(needed)


def spark_counts(
    events: Any,
    kind: str,
    *,
    case: str,
    activity: str,
    timestamp: str,
    resource: str | None,
    outcomes: tuple[str, ...],
) -> LogCounts:
    """Count a log's flows with Spark (see the module docstring)."""
    EL.require("pyspark", "spark", "discover(engine='spark')")
    from pyspark.sql import functions as F

    source = EL.describe_source(events, kind)
    spark = _session(events, kind)
    wanted = [case, activity, timestamp] + ([resource] if resource else [])
    numbered = False
    if kind == "spark":
        df = events
        found = list(df.columns)
    elif kind == "csv":
        found, delimiter = EL.csv_header(Path(events))
        df = spark.read.csv(os.fspath(events), header=True, sep=delimiter, quote='"', escape='"')
        if len(df.columns) == len(found):
            # Spark keeps a byte-order mark in the first name and renames blanks.
            df = df.toDF(*found)
    elif kind == "parquet":
        df = spark.read.parquet(os.fspath(events))
        found = list(df.columns)
    else:
        EL.require("pyarrow", "spark", "discover(engine='spark') on a frame")
        import pyarrow as pa

        if kind == "xes":
            table, found = EL.xes_to_arrow(Path(events), wanted, "discover(engine='spark')")
        else:
            found = EL.frame_columns(events, kind)
    res = EL.resolve_columns(
        found, case=case, activity=activity, timestamp=timestamp, resource=resource
    )
    needed = list(dict.fromkeys([case, activity, timestamp] + ([res] if res else [])))
    if kind in ("pandas", "polars", "arrow", "xes"):
        if kind != "xes":
            table = _to_arrow(events, kind, needed)
        table = table.append_column(_ROW, pa.array(range(table.num_rows), type=pa.int64()))
        try:
            df = spark.createDataFrame(table)
        except (TypeError, ValueError):  # pragma: no cover - Spark before 4.0 takes pandas
            df = spark.createDataFrame(table.to_pandas())
        numbered = True
    df = df.select(*(F.col(_col(c)) for c in needed), *([F.col(_ROW)] if numbered else []))
    if not numbered:
        df = df.withColumn(_ROW, F.monotonically_increasing_id())
    types = dict(df.dtypes)
    ts_type = types[timestamp].lower()
    if ts_type.startswith(_TIME_TYPES) or ts_type.startswith(_NUMBER_TYPES):
        t = F.col(_col(timestamp))
    else:
        t = F.expr(f"try_cast(CAST({_col(timestamp)} AS STRING) AS TIMESTAMP)")
    ev = df.select(
        F.col(_ROW).alias("rn"),
        F.col(_col(case)).cast("string").alias("c"),
        F.col(_col(activity)).cast("string").alias("a"),
        t.alias("t"),
        F.col(_col(timestamp)).cast("string").alias("t_raw"),
        (F.col(_col(res)).cast("string") if res else F.lit(None).cast("string")).alias("r"),
    )
    ev = ev.withColumn("o", F.col("a").isin(list(outcomes)) if outcomes else F.lit(False))
    tag = uuid.uuid4().hex
    events_view, flow_view = f"cx_events_{tag}", f"cx_flow_{tag}"
    old_tz = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    flow = None
    try:
        ev.createOrReplaceTempView(events_view)
        flow = spark.sql(flow_sql(events_view, outcomes=bool(outcomes))).persist()
        flow.createOrReplaceTempView(flow_view)
        rows = [tuple(r) for r in spark.sql(aggregate_sql(flow_view)).collect()]

        def row_index(rn: Any) -> int:
            # Spark's ids skip between partitions: a row's index is how many come before.
            return int(ev.filter(F.col("rn") < int(rn)).count())

        return counts_from_rows(
            rows,
            case=case,
            activity=activity,
            timestamp=timestamp,
            has_resource=res is not None,
            source=source,
            row_index=None if numbered else row_index,
        )
    finally:
        if flow is not None:
            flow.unpersist()
        spark.catalog.dropTempView(events_view)
        spark.catalog.dropTempView(flow_view)
        spark.conf.set("spark.sql.session.timeZone", old_tz)
