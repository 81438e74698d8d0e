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
row order (for a DataFrame built otherwise, its partition order).

Times follow the rules of :mod:`cxgraph.readwrite.eventlog`: text is matched
to the one grammar (``RLIKE``), its local time cast with ``try_cast(... AS
TIMESTAMP)`` with the session time zone set to UTC for the duration of the
job (and restored after), and its UTC offset taken off by hand (Spark reads
offsets only up to 18 hours); NaN is a missing number. A CSV file is read
with ``mode=FAILFAST`` (a ragged row is an error, not a row padded with
nulls) and ``multiLine`` (a quoted field may hold a line break, as for the
other engines; Spark then reads each file in one task). Every error of
Spark's (``PySparkException``, ``Py4JJavaError``) becomes an
:class:`~cxgraph.readwrite.eventlog.EventLogError` in one place, worded as
the other engines word it (:func:`~cxgraph.readwrite.eventlog.read_error`).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cxgraph.mining.counts import LogCounts, aggregate_sql, counts_from_rows, flow_sql
from cxgraph.mining.observed import Observed, sql_observed
from cxgraph.readwrite import eventlog as EL

__all__ = ["spark_counts"]

_ROW = "__cxgraph_row__"
#: Spark type names (their start) by the kind of values they hold.
_KINDS = (
    ("string", "text"),
    ("varchar", "text"),
    ("char", "text"),
    ("boolean", "boolean"),
    ("timestamp", "time"),
    ("date", "time"),
    ("interval", "duration"),
    ("binary", "binary"),
    ("array", "list"),
    ("struct", "struct"),
    ("map", "map"),
    ("void", "null"),
    ("tinyint", "number"),
    ("smallint", "number"),
    ("int", "number"),
    ("bigint", "number"),
    ("float", "number"),
    ("double", "number"),
    ("decimal", "number"),
)


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
    times: bool = True,
) -> tuple[LogCounts, Observed | None]:
    """Count a log's flows with Spark (see the module docstring), and with
    date-times measure what a discovered journey keeps (``mining.observed``)."""
    EL.require("pyspark", "spark", "discover(engine='spark')")
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    ask, wanted = EL.column_asker(
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
    )
    with _bar(verbose) as bar:
        try:
            return _counts(events, kind, ask, wanted, outcomes, verbose, bar, times)
        except (PySparkException, Py4JJavaError) as exc:
            # The one place Spark's own errors become ours, worded as every engine words them.
            raise EL.read_error(events, kind, _spark_detail(exc)) from exc


def _spark_detail(exc: BaseException) -> str:
    """Spark's explanation: the Java exception's message, not py4j's wrapping of it."""
    lines = [line.strip() for line in str(exc).splitlines()]
    lines = [
        line.lstrip(": ") for line in lines if line and not line.startswith("An error occurred")
    ]
    text = lines[0] if lines else type(exc).__name__
    return text.split("Exception: ", 1)[-1] if text.startswith(("org.", "java.")) else text


def _counts(
    events: Any,
    kind: str,
    ask: Any,
    wanted: list[str],
    outcomes: tuple[str, ...],
    verbose: bool,
    bar: Any,
    times: bool = True,
) -> tuple[LogCounts, Observed | None]:
    from pyspark.sql import functions as F

    source = EL.describe_source(events, kind)
    spark = _session(events, kind, verbose=verbose)
    bar.update()
    numbered = False
    if kind == "spark":
        df = events
        cols = ask(list(df.columns))
    elif kind == "csv":
        found, delimiter = EL.csv_header(Path(events))
        cols = ask(found)
        EL.check_quotes(Path(events), delimiter)
        # FAILFAST: a ragged row is an error, as for the other engines, not a row padded;
        # multiLine: a quoted field may hold a line break, as for the other engines.
        df = spark.read.csv(
            os.fspath(events),
            header=True,
            sep=delimiter,
            quote='"',
            escape='"',
            mode="FAILFAST",
            multiLine=True,
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
            purpose = "discover(engine='spark')"
            table, found = EL.xes_to_arrow(Path(events), wanted, purpose)
            cols = ask(found)
            if any(c not in table.column_names for c in cols.needed):
                table, found = EL.xes_to_arrow(Path(events), cols.needed, purpose)
            table = table.select(cols.needed)
        else:
            cols = ask(EL.frame_columns(events, kind))
            table = _to_arrow(events, kind, cols.needed)
        EL.check_kinds({k: (c, EL.value_kind(table.column(c))) for k, c in cols.by_role().items()})
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
    types = dict(df.dtypes)
    EL.check_kinds({k: (c, _kind(types[c])) for k, c in cols.by_role().items()})
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

    res = cols.resource
    t, t_raw, t_zoned = _time(cols.timestamp, types)
    s, s_raw, s_zoned = _time(cols.start_timestamp, types)
    ev = df.select(
        F.col(_ROW).alias("rn"),
        F.col(_col(cols.case)).cast("string").alias("c"),
        F.col(_col(cols.activity)).cast("string").alias("a"),
        F.expr(s).alias("s"),
        F.expr(s_raw).alias("s_raw"),
        F.expr(s_zoned).alias("s_zoned"),
        F.expr(t).alias("t"),
        F.expr(t_raw).alias("t_raw"),
        F.expr(t_zoned).alias("t_zoned"),
        # An empty resource is none, as the numpy engine reads it.
        (
            F.nullif(F.col(_col(res)).cast("string"), F.lit(""))
            if res
            else F.lit(None).cast("string")
        ).alias("r"),
    )
    ev = ev.withColumn("o", F.col("a").isin(list(outcomes)) if outcomes else F.lit(False))
    timed = times and cols.timestamp is not None and _kind(types[cols.timestamp]) != "number"
    # Microseconds since 1970 UTC (dates and local times read in the session's UTC).
    ev = ev.withColumn("tu", F.expr("unix_micros(CAST(t AS TIMESTAMP))") if timed else F.col("rn"))
    tag = uuid.uuid4().hex
    events_view, flow_view = f"cx_events_{tag}", f"cx_flow_{tag}"
    old_tz = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    flow = None

    def row_index(rn: Any) -> int:
        # Spark's ids skip between partitions: a row's index is how many come before.
        return int(ev.filter(F.col("rn") < int(rn)).count())

    try:
        ev.createOrReplaceTempView(events_view)
        bar.update()
        flow = spark.sql(
            flow_sql(events_view, outcomes=bool(outcomes), carry=["tu"], next_time=timed)
        ).persist()
        flow.createOrReplaceTempView(flow_view)
        rows = [tuple(r) for r in spark.sql(aggregate_sql(flow_view)).collect()]
        bar.update()
        counts = counts_from_rows(
            rows,
            case=cols.case,
            activity=cols.activity,
            timestamp=cols.timestamp,
            start_timestamp=cols.start_timestamp,
            has_resource=res is not None,
            source=source,
            row_index=None if numbered else row_index,
            columns=cols.record(),
        )
        if not timed:
            return counts, None

        def run(query: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in spark.sql(query).collect()]

        return counts, sql_observed(run, flow_view, dialect="spark")
    finally:
        if flow is not None:
            flow.unpersist()
        spark.catalog.dropTempView(events_view)
        spark.catalog.dropTempView(flow_view)
        spark.conf.set("spark.sql.session.timeZone", old_tz)


def _kind(dtype: str) -> str:
    """The kind of values (``cxgraph.readwrite.roles.KIND_WORDS``) a Spark type holds."""
    name = dtype.strip().lower()
    for starts, kind in _KINDS:
        if name.startswith(starts):
            return kind
    return "other"


#: The end of the text in a Java regular expression (its $ also matches before a
#: last newline).
_END = r"\z"


def _sql_text(text: str) -> str:
    """A Spark SQL string literal (backslashes are escapes there)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _time(column: str | None, types: dict[str, str]) -> tuple[str, str, str]:
    """An orderable time from a column, its text for messages, and whether it has an
    offset: the rules of the numpy engine, in Spark SQL."""
    nothing, no_text = "CAST(NULL AS BOOLEAN)", "CAST(NULL AS STRING)"
    if column is None:
        return "0", no_text, nothing
    col, name = _col(column), types[column].lower()
    kind = _kind(name)
    if kind == "number":
        if name in ("float", "double"):
            return f"CASE WHEN isnan({col}) THEN NULL ELSE {col} END", no_text, nothing
        return col, no_text, nothing
    if kind == "time":
        return col, no_text, nothing
    text = f"CAST({col} AS STRING)"
    grammar = f"{text} RLIKE {_sql_text(f'^(?:{EL.ISO_TIME})' + _END)}"
    zoned = f"{text} RLIKE {_sql_text(f'^(?:{EL.ISO_ZONED})' + _END)}"
    # Spark reads offsets only up to 18 hours and wants seconds before one: the
    # local time is cast, and the offset taken off by hand.
    zone = _sql_text("(Z|([+-])([0-9]{2}):?([0-9]{2})?)$")
    local = f"CASE WHEN {zoned} THEN regexp_replace({text}, {zone}, '') ELSE {text} END"
    sign = f"CASE regexp_extract({text}, {zone}, 2) WHEN '-' THEN -1 WHEN '+' THEN 1 ELSE 0 END"
    hours = f"coalesce(try_cast(regexp_extract({text}, {zone}, 3) AS BIGINT), 0)"
    minutes = f"coalesce(try_cast(regexp_extract({text}, {zone}, 4) AS BIGINT), 0)"
    offset = f"CASE WHEN {zoned} THEN ({sign}) * ({hours} * 60 + {minutes}) * 60000000 ELSE 0 END"
    time = f"timestamp_micros(unix_micros(try_cast({local} AS TIMESTAMP)) - {offset})"
    return f"CASE WHEN {grammar} THEN {time} END", text, f"CASE WHEN {grammar} THEN {zoned} END"


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
