"""The Spark engine of ``discover``: the DuckDB query, in Spark SQL, for logs that
outgrow one machine.

The log is a Spark DataFrame, a CSV or Parquet path read by Spark (CSV with
every column as text, as the other engines read it), or a pandas, polars or
arrow frame (XES parsed to one first) handed to Spark. Spark uses the
DataFrame's session, the active or default one, or starts one with
``SparkSession.builder.getOrCreate()`` (once per process: later calls reuse
it). A job sets the session's time zone (UTC), shuffle partitions (sized
to the log, :func:`_partitions`) and cache compression (off) and puts the
user's values back after; the windowed events are cached while several
queries read them, and only small tables come back to the driver.

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
nulls) and, when it holds a double quote, ``multiLine`` (a quoted field may
hold a line break, as for the other engines; Spark then reads each file in
one task, so a file without quotes is read in pieces). Every error of
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

from cxgraph.mining.counts import (
    AGGREGATES,
    LogCounts,
    aggregate_sql,
    counts_from_rows,
    flow_sql,
)
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
    """The DataFrame's session, the active or default one, or a new local one (quiet
    unless ``verbose``).

    A session cxgraph starts is the process's default session from then on,
    so later calls (from any thread) reuse it rather than paying Spark's
    start-up again. It writes none of Spark's log to the terminal and shows
    no console progress bar. A running session is reused as it is: what a
    job needs (:func:`_job_settings`) is set for the job and put back.
    """
    if kind == "spark":
        return events.sparkSession
    from pyspark.errors import PySparkException
    from pyspark.sql import SparkSession

    try:
        return SparkSession.active()
    except PySparkException:  # no session in this process yet
        pass
    builder = SparkSession.builder.appName("cxgraph")
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


#: Input bytes (Spark's estimate of the log as read) per shuffle partition.
PARTITION_BYTES = 64 * 2**20


def _partitions(spark: Any, df: Any) -> int:
    """Shuffle partitions sized to the data: one per core the session has, more when
    the log is larger than :data:`PARTITION_BYTES` per core.

    Spark's default (200) cuts a million events into pieces too small to be
    worth a task each; a few per core keep every core busy. The size is
    Spark's own estimate of the plan (file sizes, or rows times row width),
    which costs no pass over the data.
    """
    try:
        cores = int(spark.sparkContext.defaultParallelism)
    except Exception:  # Spark Connect has no SparkContext: keep its setting
        return int(spark.conf.get("spark.sql.shuffle.partitions"))
    try:
        size = int(str(df._jdf.queryExecution().optimizedPlan().stats().sizeInBytes()))
    except Exception:  # no estimate: one partition per core
        size = 0
    return max(1, cores, -(-size // PARTITION_BYTES))


@contextmanager
def _job_settings(spark: Any, settings: dict[str, str]) -> Iterator[None]:
    """Set the session's configuration for one job, and put the old values back."""
    old = {key: spark.conf.get(key) for key in settings}
    try:
        for key, value in settings.items():
            spark.conf.set(key, value)
        yield
    finally:
        for key, value in old.items():
            spark.conf.set(key, value)


def _has_quotes(path: Path) -> bool:
    """Whether a file holds a double quote anywhere (read in chunks, stopping at the first)."""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            if b'"' in chunk:
                return True
    return False


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
        # multiLine: a quoted field may hold a line break, as for the other engines. Spark
        # then reads the file in one task, so a file without a quote (no field can hold a
        # line break) is read line by line, in pieces, one task per piece.
        df = spark.read.csv(
            os.fspath(events),
            header=True,
            sep=delimiter,
            quote='"',
            escape='"',
            mode="FAILFAST",
            multiLine=_has_quotes(Path(events)),
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
    # Each time column's text and whether it is in the grammar, once per row, before
    # the expressions that read them (a regular expression is the costly part).
    t_pre, t, t_raw, t_zoned = _time(cols.timestamp, types, "__cx_t")
    s_pre, s, s_raw, s_zoned = _time(cols.start_timestamp, types, "__cx_s")
    for name, sql in [*t_pre, *s_pre]:
        df = df.withColumn(name, F.expr(sql))
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
    # Date-times are already microseconds since 1970 UTC (see _time).
    ev = ev.withColumn("tu", F.col("t") if timed else F.col("rn"))
    tag = uuid.uuid4().hex
    events_view, flow_view = f"cx_events_{tag}", f"cx_flow_{tag}"
    settings = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(_partitions(spark, df)),
        # The cached windowed events live for a few queries: compressing them costs
        # more than it saves (a fifth of the job at 1M events).
        "spark.sql.inMemoryColumnarStorage.compressed": "false",
    }
    flow = None

    def row_index(rn: Any) -> int:
        # Spark's ids skip between partitions: a row's index is how many come before.
        return int(ev.filter(F.col("rn") < int(rn)).count())

    try:
        with _job_settings(spark, settings):
            ev.createOrReplaceTempView(events_view)
            bar.update()
            # The windowed events without the times' text and checks (those are read from
            # the events): the sort and the shuffle before it carry no more than they need.
            flow = spark.sql(
                flow_sql(events_view, outcomes=bool(outcomes), carry=["tu"], next_time=timed)
            ).drop(*_CHECKED)
            if timed:
                # Read by every query that follows: computed once.
                flow = flow.persist()
            # The checks' columns are there for the SQL to name, as nothing (pruned unread).
            blank = [F.lit(None).cast(kind).alias(name) for name, kind in _CHECKED.items()]
            flow.select("*", *blank).createOrReplaceTempView(flow_view)
            rows = _aggregate_rows(spark, flow_view, events_view)
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


#: The columns of :func:`~cxgraph.mining.counts.aggregate_sql` that the grouped rows use.
_GROUPED = ("ga", "gn", "gr", "a", "nxt2", "r", *AGGREGATES[:6])
#: The events' columns only the whole log's checks read, and their types when blank.
_CHECKED = {
    "s_raw": "string",
    "s_zoned": "boolean",
    "t": "string",
    "t_raw": "string",
    "t_zoned": "boolean",
}


def _aggregate_rows(spark: Any, flow: str, events: str) -> list[tuple[Any, ...]]:
    """The rows of :func:`~cxgraph.mining.counts.aggregate_sql`, in two queries.

    In one query the whole log's checks (``MIN_BY`` of text) make Spark sort
    every grouping set's copy of every event (a sort aggregate; a hash
    aggregate holds numbers only), and carry the times' text through the
    window. Here the counts come from the windowed events ``flow`` (Spark
    prunes the checks from that query, so it hashes), and the checks, which
    look at single events, from the ``events`` (given the window's columns
    as constants, and the other grouping set filtered out before
    aggregating); the whole log's row joins the two.
    """
    grouped = aggregate_sql(flow, sets="(a), (a, nxt2), (a, r), (r), ()")
    rows = [
        tuple(r) for r in spark.sql(f"SELECT {', '.join(_GROUPED)} FROM ({grouped}) q").collect()
    ]
    single = (
        f"(SELECT *, CAST(1 AS INT) AS pos, TRUE AS kept, CAST(NULL AS STRING) AS nxt, "
        f"CAST(NULL AS STRING) AS nxt2, CAST(NULL AS INT) AS stop FROM {events})"
    )
    whole = aggregate_sql(single, sets="(), (a, nxt2, r)")
    query = (
        f"SELECT {', '.join(AGGREGATES[6:])} FROM ({whole}) q WHERE ga = 1 AND gn = 1 AND gr = 1"
    )
    (checks,) = [tuple(r) for r in spark.sql(query).collect()] or [(None,) * (len(AGGREGATES) - 6)]
    pad = (None,) * len(checks)
    return [r + (checks if r[:3] == (1, 1, 1) else pad) for r in rows]


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


def _time(
    column: str | None, types: dict[str, str], name: str
) -> tuple[list[tuple[str, str]], str, str, str]:
    """An orderable time from a column, its text for messages, and whether it has an
    offset: the rules of the numpy engine, in Spark SQL.

    A date-time is given as microseconds since 1970 UTC, the number durations
    are measured in: it orders the events and is the ``tu`` of the window.

    Text is matched to the grammar once per row: the columns to add first
    (``name``, ``name_ok`` and ``name_at``: the text, whether it is a time,
    and where its offset starts) come with the expressions that read them.
    In the grammar an offset can only follow a time, after the 10-character
    date, so it is found with string functions, not more regular expressions.
    """
    nothing, no_text = "CAST(NULL AS BOOLEAN)", "CAST(NULL AS STRING)"
    if column is None:
        return [], "0", no_text, nothing
    col, dtype = _col(column), types[column].lower()
    kind = _kind(dtype)
    if kind == "number":
        if dtype in ("float", "double"):
            return [], f"CASE WHEN isnan({col}) THEN NULL ELSE {col} END", no_text, nothing
        return [], col, no_text, nothing
    if kind == "time":
        # Dates and local times read in the session's UTC.
        return [], f"unix_micros(CAST({col} AS TIMESTAMP))", no_text, nothing
    text, ok, at = _col(name), _col(f"{name}_ok"), _col(f"{name}_at")
    pre = [
        (name, f"CAST({col} AS STRING)"),
        (f"{name}_ok", f"{text} RLIKE {_sql_text(f'^(?:{EL.ISO_TIME})' + _END)}"),
        # Where an offset's sign is (0: none): the date holds no '+', and a time no sign.
        (f"{name}_at", f"greatest(instr({text}, '+'), locate('-', {text}, 11))"),
    ]
    utc = f"endswith({text}, 'Z')"
    zoned = f"({utc} OR {at} > 0)"
    local = (
        f"CASE WHEN {utc} THEN substring({text}, 1, length({text}) - 1) "
        f"WHEN {at} > 0 THEN substring({text}, 1, {at} - 1) ELSE {text} END"
    )
    # Spark reads offsets only up to 18 hours and wants seconds before one: the
    # local time is cast, and the offset (hh, hhmm or hh:mm) taken off by hand.
    size = f"length({text}) - {at}"
    hours = f"CAST(substring({text}, {at} + 1, 2) AS BIGINT)"
    minutes = f"CAST(right({text}, 2) AS BIGINT)"
    offset = (
        f"CASE WHEN {at} > 0 THEN (CASE WHEN substring({text}, {at}, 1) = '-' THEN -1 ELSE 1 END)"
        f" * ({hours} * 60 + CASE WHEN {size} > 2 THEN {minutes} ELSE 0 END) * 60000000"
        " ELSE 0 END"
    )
    time = f"unix_micros(try_cast({local} AS TIMESTAMP)) - {offset}"
    return pre, f"CASE WHEN {ok} THEN {time} END", text, f"CASE WHEN {ok} THEN {zoned} END"


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
