"""The DuckDB engine of ``discover``: window functions straight on the log, out of core.

The log is scanned where it lies (``read_csv`` with every column as text and
the dialect given, not sniffed; ``read_parquet``; or a registered pandas,
polars or arrow frame; XES is parsed to an arrow table first) and its rows
numbered as read, so ties in time keep the row order: a Parquet file by
the row numbers it keeps (``file_row_number``, after the rows of the files
before it in a folder), which leaves the scan parallel; anything else with
``row_number() OVER ()``, which DuckDB keeps in scan order while
``preserve_insertion_order`` is on (set here), on one thread. One window
over ``PARTITION BY case ORDER BY time, row`` pairs each event with the
next (:func:`~cxgraph.mining.counts.window_sql`), carrying flags rather
than text, and one ``GROUP BY`` counts them
(:func:`~cxgraph.mining.counts.tally_sql`); only the small aggregated tables
come back to Python. Each job has its own connection with a memory limit
(:data:`DEFAULT_MEMORY_LIMIT`, or :data:`MEMORY_LIMIT_VARIABLE` from the
environment) and a spill folder of its own (under
:data:`TEMP_DIRECTORY_VARIABLE` or the system's temporary folder), removed
when the job ends however it ends: DuckDB spills what does not fit, so a log
larger than memory is counted to the end. A process killed outright cleans
nothing up; the next job on the host removes the folders such processes
left (:mod:`cxgraph._util.scratch`).

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
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
from attrs import frozen

from cxgraph._util import progress
from cxgraph._util.scratch import scratch_folder
from cxgraph.errors import CxgraphError, CxgraphWarning
from cxgraph.mining.counts import (
    AGGREGATES,
    LogCounts,
    counts_from_rows,
    tally_sql,
    window_sql,
)
from cxgraph.mining.filters import Filters, kept_variants
from cxgraph.mining.observed import Observed, sql_observed
from cxgraph.readwrite import eventlog as EL

__all__ = ["EventsRelation", "duckdb_counts", "duckdb_query", "duckdb_segments"]

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
    filters: Filters | None = None,
    segment: str | None = None,
    only: str | None = None,
    times: bool = True,
) -> tuple[LogCounts, tuple[int, int] | None, Observed | None]:
    """Count a log's flows with DuckDB (see the module docstring).

    Returns the counts; when ``filters`` select cases by variant, how many
    cases and events they kept; and with date-times, the measurements a
    discovered journey keeps (:mod:`cxgraph.mining.observed`). ``only``
    keeps the cases of one value of ``segment`` (``discover_by``).
    """
    ask, wanted = EL.column_asker(
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
        segment=segment,
    )
    spark = "a Spark DataFrame is read by Spark: use discover(..., engine='spark')"
    with _connected(events, kind, "discover(engine='duckdb')", spark) as con:
        log = _events(con, events, kind, ask, wanted, outcomes)
        if (filters is None or not filters.on_cases) and segment is None:
            counts, observed = _counts(con, log, outcomes, times)
            return counts, None, observed
        return _filtered_counts(
            con, log, outcomes, filters or Filters(), segment, only, times=times
        )


@contextmanager
def _connected(events: Any, kind: str, purpose: str, spark: str) -> Iterator[Any]:
    """A DuckDB connection for one job; DuckDB's own errors become ours on the way out.

    ``spark`` is the message for a Spark DataFrame, which DuckDB does not read.
    """
    duckdb = EL.require("duckdb", "duckdb", purpose)
    if kind == "spark":
        raise EL.EventLogError(spark)
    limit, temp_parent = _settings()
    # A folder of its own for what DuckDB spills, removed with everything in it;
    # making it first removes those that killed processes on this host left.
    temp = scratch_folder(SPILL_PREFIX, temp_parent)
    con = None
    try:
        con = duckdb.connect()
        _configure(con, duckdb, limit, temp)
        yield con
    except duckdb.InterruptException:
        # DuckDB turns Ctrl-C into an error of its own: it is the user's interrupt.
        raise KeyboardInterrupt from None
    except duckdb.OutOfMemoryException as exc:
        where = temp_parent or tempfile.gettempdir()
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else "out of memory"
        msg = (
            f"DuckDB needed more memory than its limit of {limit}, even spilling to "
            f"{where} ({said}): set the environment variable {MEMORY_LIMIT_VARIABLE} "
            "higher (for example 8GiB), or free some room there"
        )
        raise CxgraphError(msg) from exc
    except duckdb.Error as exc:
        # The one place DuckDB's own errors become ours, worded as every engine words them.
        raise EL.read_error(events, kind, str(exc)) from exc
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(temp, ignore_errors=True)


#: How each job's spill folder is named: ``cxgraph-duckdb-<host>-<pid>-<random>``.
SPILL_PREFIX = "cxgraph-duckdb-"
#: The environment variables that override DuckDB's memory limit and temporary folder.
MEMORY_LIMIT_VARIABLE = "CXGRAPH_DUCKDB_MEMORY_LIMIT"
TEMP_DIRECTORY_VARIABLE = "CXGRAPH_DUCKDB_TEMP_DIRECTORY"
#: The memory limit when the environment sets none: DuckDB spills past it.
DEFAULT_MEMORY_LIMIT = "2GiB"


def _settings() -> tuple[str, str | None]:
    """The memory limit and the folder to spill under (None: the system's temporary folder)."""
    limit = os.environ.get(MEMORY_LIMIT_VARIABLE, "").strip() or DEFAULT_MEMORY_LIMIT
    parent = os.environ.get(TEMP_DIRECTORY_VARIABLE, "").strip() or None
    if parent is not None and not Path(parent).is_dir():
        msg = (
            f"{TEMP_DIRECTORY_VARIABLE}={parent!r} is not a folder: set it to an existing "
            "folder with room for what DuckDB spills, or unset it to use the system's "
            "temporary folder"
        )
        raise CxgraphError(msg)
    return limit, parent


def _configure(con: Any, duckdb: Any, limit: str, temp: str) -> None:
    """DuckDB's settings for one job: UTC, row order kept, the memory limit, where to spill."""
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"SET temp_directory = {_literal(temp)}")
    try:
        con.execute(f"SET memory_limit = {_literal(limit)}")
    except duckdb.Error:
        msg = (
            f"{MEMORY_LIMIT_VARIABLE}={limit!r} is not a memory size DuckDB reads: "
            "give one like 4GiB or 512MB, or unset it for the default "
            f"({DEFAULT_MEMORY_LIMIT})"
        )
        raise CxgraphError(msg) from None


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
    segment: str | None = None,
    purpose: str = "engine='duckdb'",
) -> tuple[EventsRelation, tuple[str, ...], list[Any]]:
    """Check a log as :func:`duckdb_counts` does, then run ``query(relation)`` on it.

    Returns the relation, the activities in order of first appearance (as
    ``discover`` lists them), and the query's rows.

    ``query`` gets the :class:`EventsRelation` and returns SQL that may use
    the common table ``cx_events`` (the events; the SQL follows its ``WITH``,
    so it may add tables of its own after a comma) and the table ``cx_flow``
    (the events with ``pos`` in their case and ``nxt``, the next activity, as
    :func:`~cxgraph.mining.counts.window_sql` gives them; ``g`` is the
    ``segment`` column as text, or NULL); the rows come back as DuckDB
    gives them. A log with a missing case id, activity or time raises the
    same error as on the numpy engine before ``query`` runs.
    """
    ask, wanted = EL.column_asker(
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
        segment=segment,
    )
    spark = f"a Spark DataFrame is read by Spark, not by {purpose}"
    with _connected(events, kind, purpose, spark) as con:
        log = _events(con, events, kind, ask, wanted, ())
        # The windowed events are kept in a table (spilled as need be), so the
        # checks and the query read them, not make them twice.
        flow = log.window(f"({log.sql})", outcomes=False, carry=["tu", "g"])
        with progress.polling(con, purpose):
            con.execute(f"CREATE TEMP TABLE cx_flow AS {flow}", log.params)
        activities = log.counts(con, con.execute(log.tally("cx_flow")).fetchall()).activities
        sql = f"WITH cx_events AS ({log.sql})\n" + query(log)
        with progress.polling(con, purpose):
            rows = con.execute(sql, log.params).fetchall()
        return log, activities, rows


def _counts(
    con: Any, log: EventsRelation, outcomes: tuple[str, ...], times: bool = True
) -> tuple[LogCounts, Observed | None]:
    if log.time_kind != "datetime" or not times:
        flow = log.window(f"({log.sql})", outcomes=bool(outcomes))
        with progress.polling(con, "discover (duckdb)"):
            rows = con.execute(log.tally(f"({flow})"), log.params).fetchall()
        return log.counts(con, rows), None
    # With times, the windowed events are kept for the measurements too.
    with progress.polling(con, "discover (duckdb)"):
        con.execute(
            "CREATE TEMP TABLE cx_flow AS "
            + log.window(f"({log.sql})", outcomes=bool(outcomes), carry=["tu"], next_time=True),
            log.params,
        )
    counts = log.counts(con, con.execute(log.tally("cx_flow")).fetchall())
    return counts, _observed(con)


def _observed(con: Any) -> Observed:
    """The times and variants of the events in the table ``cx_flow`` (see ``observed``)."""
    with progress.polling(con, "discover (duckdb): times"):
        return sql_observed(lambda q: con.execute(q).fetchall(), "cx_flow", dialect="duckdb")


def _filtered_counts(
    con: Any,
    log: EventsRelation,
    outcomes: tuple[str, ...],
    filters: Filters,
    segment: str | None,
    only: str | None = None,
    *,
    times: bool = True,
) -> tuple[LogCounts, tuple[int, int] | None, Observed | None]:
    """The counts of the cases the variant filters keep, with segments per activity.

    The whole log is checked first (a bad row in a case the filters drop is
    still an error, as on the numpy engine); then one table of cases (their
    variant, segment and first row) decides which cases stay.
    """
    every = log.window(f"({log.sql})", outcomes=False)
    whole = log.counts(con, con.execute(log.tally(f"({every})"), log.params).fetchall())
    order = "ORDER BY s, t, rn"
    with progress.polling(con, "discover (duckdb): cases"):
        con.execute(
            f"CREATE TEMP TABLE cx_cases AS SELECT c, list(a {order}) AS v, "
            f"first(g {order}) AS g, first(rn {order}) AS rn0, COUNT(DISTINCT g) AS ng, "
            "MIN(rn) AS rmin, "
            f"COUNT(*) AS n FROM ({log.sql}) e GROUP BY c",
            log.params,
        )
    if segment is not None:
        _check_segments(con, segment, warn=only is None or only == _first_segment(con))
    kept: tuple[int, int] | None = None
    where = ""
    events, cases = whole.events, whole.cases
    if only is not None:
        con.execute(f"DELETE FROM cx_cases WHERE g IS DISTINCT FROM {_literal(only)}")
        found = con.execute("SELECT COUNT(*), SUM(n) FROM cx_cases").fetchone()
        cases, events = int(found[0]), int(found[1] or 0)
    if only is not None and not filters.on_cases:
        where = "WHERE c IN (SELECT c FROM cx_cases)"
    if filters.on_cases:
        ranked = "SELECT v, COUNT(*) AS n FROM cx_cases GROUP BY v ORDER BY n DESC, v"
        sizes = [int(r[0]) for r in con.execute(f"SELECT n FROM ({ranked})").fetchall()]
        m = kept_variants(sizes, filters)
        con.execute(
            "CREATE TEMP TABLE cx_keep AS SELECT c FROM cx_cases "
            f"WHERE v IN (SELECT v FROM ({ranked}) LIMIT {m})"
        )
        found = con.execute(
            "SELECT COUNT(*), SUM(n) FROM cx_cases WHERE c IN (SELECT c FROM cx_keep)"
        ).fetchone()
        kept = (int(found[0]), int(found[1] or 0))
        where = "WHERE c IN (SELECT c FROM cx_keep)"
    timed = times and log.time_kind == "datetime"
    with progress.polling(con, "discover (duckdb)"):
        con.execute(
            "CREATE TEMP TABLE cx_flow AS "
            + log.window(
                f"(SELECT e.*, k.g AS cg FROM ({log.sql}) e JOIN cx_cases k USING (c) {where})",
                outcomes=bool(outcomes),
                carry=["cg", "tu"],
                next_time=timed,
            ),
            log.params,
        )
    counts = log.counts(con, con.execute(log.tally("cx_flow")).fetchall())
    counts = attrs.evolve(counts, events=events, cases=cases)
    if segment is not None:
        rows = con.execute(
            "SELECT a, cg, COUNT(*), MIN(rn) FROM cx_flow WHERE kept GROUP BY a, cg"
        ).fetchall()
        first: dict[str, int] = {}
        for _, g, _, rn in rows:
            first[g] = min(first.get(g, rn), rn)
        counts = attrs.evolve(
            counts,
            segments=tuple(sorted(first, key=first.__getitem__)),
            segment_counts=tuple((a, g, int(n)) for a, g, n, _ in rows),
        )
    return counts, kept, _observed(con) if timed else None


def _first_segment(con: Any) -> Any:
    """The segment that appears first (``discover_by`` warns once, for it)."""
    row = con.execute(f"{SEGMENT_ORDER.format(cases='cx_cases')} LIMIT 1").fetchone()
    return row[0] if row else None


#: The segments in order of first appearance: of the first row of any of their cases.
SEGMENT_ORDER = "SELECT g FROM {cases} WHERE g IS NOT NULL GROUP BY g ORDER BY MIN(rmin)"


def duckdb_segments(events: Any, kind: str, **columns: Any) -> list[str]:
    """The values of ``segment`` in order of first appearance (for ``discover_by``)."""
    order = "ORDER BY s, t, rn"
    cases = f"(SELECT first(g {order}) AS g, MIN(rn) AS rmin FROM cx_events GROUP BY c)"
    _, _, rows = duckdb_query(
        events,
        kind,
        lambda _: SEGMENT_ORDER.format(cases=cases),
        purpose="discover_by(engine='duckdb')",
        **columns,
    )
    return [str(r[0]) for r in rows]


def _check_segments(con: Any, column: str, *, warn: bool = True) -> None:
    """The segment errors and warning of the numpy engine, from the table of cases."""
    missing, row, several = con.execute(
        "SELECT COUNT(*) FILTER (WHERE g IS NULL), MIN(rn0) FILTER (WHERE g IS NULL), "
        "COUNT(*) FILTER (WHERE ng > 1) FROM cx_cases"
    ).fetchone()
    if missing:
        msg = (
            f"segment={column!r}: {missing} case(s) have no value on their first "
            f"event, the first at row {row} (rows count from 0): fill the column in, or drop "
            "those cases"
        )
        raise EL.EventLogError(msg)
    if several and warn:
        n = int(several)
        warnings.warn(
            f"segment={column!r}: {n} case{'s have' if n != 1 else ' has'} more than one "
            "value; each case counts for the value on its first event",
            CxgraphWarning,
            stacklevel=5,
        )


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

    @property
    def order(self) -> str:
        """The order of a case's events: start time, time (those the log has), then row."""
        times = [("s", self.cols.start_timestamp), ("t", self.cols.timestamp)]
        return ", ".join([name for name, column in times if column is not None] + ["rn"])

    def window(self, events: str, **how: Any) -> str:
        """:func:`~cxgraph.mining.counts.window_sql` over ``events`` in this log's order."""
        starts = self.cols.start_timestamp is not None
        return window_sql(events, order=self.order, starts=starts, **how)

    def tally(self, flow: str) -> str:
        """:func:`~cxgraph.mining.counts.tally_sql` for this log's columns."""
        return tally_sql(flow, starts=self.cols.start_timestamp is not None)

    def counts(self, con: Any, rows: Any) -> LogCounts:
        """:class:`LogCounts` from the rows of :meth:`tally`, raising the log's errors.

        The text of a time that fails a check is read back by its row number,
        only then (the window carries flags, not texts).
        """
        cols = self.cols
        rows = _shown(con, self, [tuple(r) for r in rows])
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


def _shown(con: Any, log: EventsRelation, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with the text of each time an error will show, read back by row number."""
    at = {name: i for i, name in enumerate(AGGREGATES, 6)}
    whole = next((r for r in rows if r[:3] == (1, 1, 1)), None)
    if whole is None:
        return rows
    wanted: dict[str, str] = {}  # the check's name: the column of its text
    for prefix, raw, missing in (("t", "t_raw", "notime"), ("s", "s_raw", "nostart")):
        if whole[at[f"{missing}_n"]]:
            wanted[missing] = raw
        elif whole[at[f"{prefix}_zoned_n"]] and whole[at[f"{prefix}_naive_n"]]:
            wanted[f"{prefix}_zoned"] = wanted[f"{prefix}_naive"] = raw
    if not wanted:
        return rows
    numbers = sorted({int(whole[at[f"{name}_rn"]]) for name in wanted})
    found = con.execute(
        f"SELECT rn, t_raw, s_raw FROM ({log.sql}) e WHERE rn IN ({', '.join(map(str, numbers))})",
        log.params,
    ).fetchall()
    texts = {(int(rn), "t_raw"): t for rn, t, _ in found} | {
        (int(rn), "s_raw"): s for rn, _, s in found
    }
    filled = list(whole)
    for name, raw in wanted.items():
        text = texts.get((int(whole[at[f"{name}_rn"]]), raw))
        filled[at[f"{name}_value"]] = "" if text is None else "=" + str(text)
    return [tuple(filled) if r is whole else r for r in rows]


def _events(
    con: Any,
    events: Any,
    kind: str,
    ask: Any,
    wanted: list[str],
    outcomes: tuple[str, ...],
) -> EventsRelation:
    """The events of a log as SQL (see :class:`EventsRelation`)."""
    source = EL.describe_source(events, kind)
    # Rows are numbered as read, for ties in time and for messages. A Parquet
    # file knows each row's number, so its scan stays parallel; elsewhere a
    # window numbers the rows (and holds the scan to one thread).
    numbered: tuple[str, str] | None = None
    row = "row_number() OVER () - 1"
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
        renamed = ", ".join(f"{_ident(names[c])} AS {_ident(c)}" for c in cols.needed)
        relation = f"(SELECT {renamed} FROM {scan})"
    elif kind == "parquet":
        path = Path(events)
        pattern = os.fspath(path / "**" / "*.parquet") if path.is_dir() else os.fspath(path)
        relation = f"read_parquet({_literal(pattern)})"
        found = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
        cols = ask(found)
        # (Not with lifecycle: rows then count the events kept. Not when the
        # log has columns of the names DuckDB would add.)
        if cols.lifecycle is None and not {"file_row_number", "filename"} & set(found):
            numbered = _parquet_numbered(con, pattern, path.is_dir())
    else:
        if kind == "xes":
            purpose = "discover(engine='duckdb') on XES"
            frame, found = EL.xes_to_arrow(Path(events), wanted, purpose)
            cols = ask(found)
            if any(c not in frame.column_names for c in cols.needed):
                frame, found = EL.xes_to_arrow(Path(events), cols.needed, purpose)
        else:
            frame = events
            cols = ask(EL.frame_columns(events, kind))
        needed = cols.needed
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
    if numbered is not None:
        relation, row = numbered
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
    # An empty resource is none, as the numpy engine reads it (CSV reads it as missing).
    r_expr = f"NULLIF(CAST({_ident(res)} AS VARCHAR), '')" if res else "CAST(NULL AS VARCHAR)"
    o_expr = "list_contains(CAST(? AS VARCHAR[]), a)" if outcomes else "FALSE"
    seg = cols.segment
    g_expr = f"CAST({_ident(seg)} AS VARCHAR)" if seg else "CAST(NULL AS VARCHAR)"
    sql = f"""
SELECT rn, c, a, s, s_raw, s_zoned, t, t_raw, t_zoned, {tu} AS tu, r, g, {o_expr} AS o FROM (
  SELECT {row} AS rn,
         CAST({_ident(cols.case)} AS VARCHAR) AS c,
         CAST({_ident(cols.activity)} AS VARCHAR) AS a,
         {s} AS s, {s_raw} AS s_raw, {s_zoned} AS s_zoned,
         {t} AS t, {t_raw} AS t_raw, {t_zoned} AS t_zoned,
         {r_expr} AS r, {g_expr} AS g
  FROM {relation}
) e"""
    return EventsRelation(
        sql=sql,
        params=[list(outcomes)] if outcomes else [],
        cols=cols,
        source=source,
        time_kind=time_kind,
    )


def _parquet_numbered(con: Any, pattern: str, folder: bool) -> tuple[str, str]:
    """A Parquet scan with each row's number in the log, from the files' own row numbers.

    The files of a folder are read in DuckDB's order (as ``row_number() OVER
    ()`` numbers them); a file's rows start after those of the files before.
    """
    scan = f"read_parquet({_literal(pattern)}, file_row_number = true, filename = true)"
    if not folder:
        return scan, "file_row_number"
    files = con.execute(
        f"SELECT file_name, num_rows FROM parquet_file_metadata({_literal(pattern)})"
    ).fetchall()
    start, cases = 0, []
    for name, rows in files:
        cases.append(f"WHEN {_literal(str(name))} THEN {start}")
        start += int(rows)
    return scan, f"file_row_number + CASE filename {' '.join(cases)} END"


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
