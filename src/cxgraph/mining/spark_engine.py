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
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
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


def _session(events: Any, kind: str, *, verbose: bool = False) -> Any:
    """The DataFrame's session, the active one, or a new local one (quiet unless ``verbose``).

    A session cxgraph starts quietly writes none of Spark's log to the
    terminal and shows no console progress bar; it uses few shuffle
    partitions (a journey's tables are small). A running session is reused
    as it is.
    """
    if kind == "spark":
        return events.sparkSession
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("cxgraph").config(
        "spark.sql.shuffle.partitions", str(max(2, os.cpu_count() or 2))
    )
    if verbose:
        return builder.getOrCreate()
    # Quiet: no console progress bar, and the JVM Spark starts writes its
    # start-up chatter (and later log lines) to /dev/null, not to the user's
    # terminal; errors still reach Python as exceptions. Only the JVM's copy
    # of the standard error is redirected: this process's is put back at once.
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        spark = builder.getOrCreate()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    spark.sparkContext.setLogLevel("ERROR")
    return spark


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
    timestamp: str | None,
    resource: str | None,
    outcomes: tuple[str, ...],
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    verbose: bool = False,
) -> LogCounts:
    """Count a log's flows with Spark (see the module docstring)."""
    EL.require("pyspark", "spark", "discover(engine='spark')")
    from pyspark.sql import functions as F

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
    with _bar(verbose) as bar:
        spark = _session(events, kind, verbose=verbose)
        bar.update()
        numbered = False
        if kind == "spark":
            df = events
            cols = ask(list(df.columns))
        elif kind == "csv":
            found, delimiter = EL.csv_header(Path(events))
            cols = ask(found)
            df = spark.read.csv(
                os.fspath(events), header=True, sep=delimiter, quote='"', escape='"'
            )
            if len(df.columns) == len(found):
                # Spark keeps a byte-order mark in the first name and renames blanks.
                df = df.toDF(*found)
        elif kind == "parquet":
            df = spark.read.parquet(os.fspath(events))
            cols = ask(list(df.columns))
        else:
            EL.require("pyarrow", "spark", "discover(engine='spark') on a frame")
            import pyarrow as pa

            if kind == "xes":
                wanted = [c for c in (case, activity, timestamp, resource, start_timestamp) if c]
                wanted.append(EL.LIFECYCLE)
                purpose = "discover(engine='spark')"
                table, found = EL.xes_to_arrow(Path(events), wanted, purpose)
                cols = ask(found)
                if any(c not in table.column_names for c in cols.needed):
                    table, found = EL.xes_to_arrow(Path(events), cols.needed, purpose)
                table = table.select(cols.needed)
            else:
                cols = ask(EL.frame_columns(events, kind))
                table = _to_arrow(events, kind, cols.needed)
            if cols.lifecycle is not None:
                table = pa.table(
                    EL.keep_lifecycle(
                        dict(zip(table.column_names, table.columns, strict=True)), cols.lifecycle
                    )
                )
            table = table.append_column(_ROW, pa.array(range(table.num_rows), type=pa.int64()))
            try:
                df = spark.createDataFrame(table)
            except (TypeError, ValueError):  # pragma: no cover - Spark before 4.0 takes pandas
                df = spark.createDataFrame(table.to_pandas())
            numbered = True
        needed = cols.needed
        df = df.select(*(F.col(_col(c)) for c in needed), *([F.col(_ROW)] if numbered else []))
        if cols.lifecycle is not None and not numbered:
            life = F.lower(F.col(_col(EL.LIFECYCLE)).cast("string"))
            hit = life == cols.lifecycle.lower()
            if not df.filter(hit).limit(1).count():
                values = [
                    r[0]
                    for r in df.select(F.col(_col(EL.LIFECYCLE)).cast("string"))
                    .distinct()
                    .limit(100)
                    .collect()
                ]
                raise EL.lifecycle_error(cols.lifecycle, values)
            df = df.filter(F.col(_col(EL.LIFECYCLE)).isNull() | hit)
        if not numbered:
            df = df.withColumn(_ROW, F.monotonically_increasing_id())
        types = dict(df.dtypes)

        def time(column: str | None) -> Any:
            if column is None:
                return F.lit(0)
            kind_ = types[column].lower()
            if kind_.startswith(_TIME_TYPES) or kind_.startswith(_NUMBER_TYPES):
                return F.col(_col(column))
            return F.expr(f"try_cast(CAST({_col(column)} AS STRING) AS TIMESTAMP)")

        def raw(column: str | None) -> Any:
            return F.col(_col(column)).cast("string") if column else F.lit(None).cast("string")

        res = cols.resource
        ev = df.select(
            F.col(_ROW).alias("rn"),
            F.col(_col(cols.case)).cast("string").alias("c"),
            F.col(_col(cols.activity)).cast("string").alias("a"),
            time(cols.start_timestamp).alias("s"),
            raw(cols.start_timestamp).alias("s_raw"),
            time(cols.timestamp).alias("t"),
            raw(cols.timestamp).alias("t_raw"),
            (F.col(_col(res)).cast("string") if res else F.lit(None).cast("string")).alias("r"),
        )
        ev = ev.withColumn("o", F.col("a").isin(list(outcomes)) if outcomes else F.lit(False))
        tag = uuid.uuid4().hex
        events_view, flow_view = f"cx_events_{tag}", f"cx_flow_{tag}"
        old_tz = spark.conf.get("spark.sql.session.timeZone")
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        flow = None

        def row_index(rn: Any) -> int:
            # Spark's ids skip between partitions: a row's index is how many come before.
            return int(ev.filter(F.col("rn") < int(rn)).count())

        def at(rn: Any) -> int:
            return int(rn) if numbered else row_index(rn)

        try:
            ev.createOrReplaceTempView(events_view)
            if cols.start_timestamp is not None:
                bad = spark.sql(
                    f"SELECT COUNT(*), MIN(rn), MIN_BY(s_raw, rn) FROM {events_view} "
                    "WHERE s IS NULL"
                ).collect()[0]
                if bad[0]:
                    raise EL.timestamp_error(
                        cols.start_timestamp,
                        int(bad[0]),
                        at(bad[1]),
                        bad[2],
                        keyword="start_timestamp",
                    )
            bar.update()
            flow = spark.sql(flow_sql(events_view, outcomes=bool(outcomes))).persist()
            flow.createOrReplaceTempView(flow_view)
            rows = [tuple(r) for r in spark.sql(aggregate_sql(flow_view)).collect()]
            bar.update()
            return counts_from_rows(
                rows,
                case=cols.case,
                activity=cols.activity,
                timestamp=cols.timestamp,
                has_resource=res is not None,
                source=source,
                row_index=None if numbered else row_index,
                columns=cols.record(),
            )
        finally:
            if flow is not None:
                flow.unpersist()
            spark.catalog.dropTempView(events_view)
            spark.catalog.dropTempView(flow_view)
            spark.conf.set("spark.sql.session.timeZone", old_tz)


@contextmanager
def _bar(verbose: bool) -> Iterator[Any]:
    """One progress bar for the job (session, reading, counting), on a terminal only."""
    import importlib.util

    if importlib.util.find_spec("tqdm") is not None:
        from tqdm import tqdm

        with tqdm(
            total=3, desc="discover (spark)", unit="step", disable=None, leave=verbose
        ) as bar:
            yield bar
        return

    class _Nothing:
        def update(self, n: int = 1) -> None:
            pass

    yield _Nothing()
