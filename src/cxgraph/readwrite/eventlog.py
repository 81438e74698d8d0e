"""Read an event log into plain columns, for ``discover`` and ``conformance``.

An event log is one row per event with (at least) a case id, an activity and
a timestamp, and perhaps a resource. It arrives as a pandas or polars frame, a
pyarrow table, or a path to a CSV, Parquet, XES or ``.xes.gz`` file.
:func:`read_events` turns any of them into :class:`EventColumns`: integer
codes for cases, activities and resources (numbered in order of first
appearance), and timestamps as integers, ready for vectorised work.

Rules every reader and every engine follows, so that they agree:

- Rows are numbered from 0 in input order (the header of a CSV file is not a
  row; in XES, events count in document order). Error messages name rows so.
- Every CSV column is read as text, and only an empty field is missing
  (``NA`` or ``null`` are text); the delimiter (``,``, ``;``, tab or ``|``)
  is the one the header line uses most. Every row has as many fields as the
  header (blank lines are no rows), and a quote that opens a field closes
  it: a ragged row or an unclosed quote is an error naming the row and its
  line in the file. (DuckDB is stricter on text after a closing quote and on
  mixed line endings, and reads past empty fields at the end of a row.)
- Timestamps: text is ISO 8601 as one grammar has it
  (:data:`~cxgraph.readwrite.columns.ISO_TIME`): a date ``YYYY-MM-DD``,
  perhaps ``T`` or a space and a time ``hh``, ``hh:mm``, ``hh:mm:ss`` or
  with a fraction (cut to the microsecond), and after a time perhaps ``Z``
  or an offset ``+hh``, ``+hhmm`` or ``+hh:mm``. Nothing else is a time: not
  a five-digit year (``10000-01-01``), not ``24:00``. Times with an offset
  are converted to UTC, so a log mixing time zones orders correctly; times
  without one are taken as they are (as if UTC). One column may not mix the
  two (``10:00`` beside ``10:00+02:00`` cannot be ordered): that is an error
  naming the first row of the rarer kind. Date-time columns are used to the
  microsecond (nanoseconds are floored); a numeric column orders events by
  its numbers (a step counter; integers exactly, NaN is missing).
- What a column may hold: case ids, activities and resources are text,
  numbers, booleans or dates (read as text); timestamps are text, dates and
  times, or numbers. A column of lists, structs, maps or bytes (or a column
  of booleans for times) is an error naming the column and what it holds.
- A missing case id or activity, or a timestamp that is missing or cannot be
  read, is an error naming the first such row and how many there are. A
  missing resource is allowed: the event counts for no one.
- A file no engine can read (a damaged or mis-named Parquet file, binary
  data named ``.csv``) is an :class:`EventLogError` naming the file and what
  is wrong, never the engine's own exception.
- XES: trace attributes become ``case:`` columns (``case:concept:name`` is
  the trace's name), event attributes keep their keys (one without a
  ``value`` is missing); ``<global>`` defaults are not applied. An
  ``<event>`` outside a ``<trace>``, or a ``<trace>`` or ``<log>`` anywhere
  else than its place, is an error, never skipped. Parsed with the standard
  library's streaming parser (a DOCTYPE's entities are expanded within
  expat's limits: an entity bomb or an external entity is a malformed file),
  clearing each trace once read, so memory holds only the needed columns.

Examples
--------
>>> import pandas as pd
>>> log = pd.DataFrame({"case:concept:name": ["c1", "c1", "c2"],
...                     "concept:name": ["visit", "buy", "visit"],
...                     "time:timestamp": ["2024-05-01T10:00", "2024-05-01T10:05",
...                                        "2024-05-02T09:00"]})
>>> cols = read_events(log)
>>> cols.activities, cols.activity.tolist(), cols.resource is None
(('visit', 'buy'), [0, 1, 0], True)
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from cxgraph._util import progress
from cxgraph._util.text import describe
from cxgraph.readwrite.columns import (
    DEFAULT_ACTIVITY,
    DEFAULT_CASE,
    DEFAULT_RESOURCE,
    DEFAULT_TIMESTAMP,
    ISO_TIME,
    ISO_ZONED,
    LOG_SUFFIXES,
    OUT_OF_RANGE,
    THREAD_EVENTS,
    EventColumns,
    EventLogError,
    _encode,
    _has,
    _length,
    as_text,
    empty_error,
    factorize,
    null_error,
    require,
    timestamp_error,
    zone_mix_error,
)
from cxgraph.readwrite.files import UnsupportedFormatError
from cxgraph.readwrite.logfiles import (
    _check_utf8,
    _header_only,
    check_quotes,
    csv_header,
    csv_problem,
    describe_source,
    first_line,
    parquet_problem,
    read_error,
)
from cxgraph.readwrite.roles import (
    LIFECYCLE,
    LogColumns,
    MissingColumnError,
    check_kinds,
    keep_lifecycle,
    lifecycle_error,
    resolve_columns,
    value_kind,
)
from cxgraph.readwrite.times import time_kind, timestamps
from cxgraph.readwrite.xes import read_xes, xes_to_arrow

# The errors and helpers the discovery engines use, re-exported so that they
# read one module: ``from cxgraph.readwrite import eventlog as EL``.
__all__ = [
    "DEFAULT_ACTIVITY",
    "DEFAULT_CASE",
    "DEFAULT_RESOURCE",
    "DEFAULT_TIMESTAMP",
    "ISO_TIME",
    "ISO_ZONED",
    "LIFECYCLE",
    "OUT_OF_RANGE",
    "EventColumns",
    "EventLogError",
    "LogColumns",
    "MissingColumnError",
    "check_kinds",
    "check_quotes",
    "column_asker",
    "csv_header",
    "csv_problem",
    "describe_source",
    "empty_error",
    "first_line",
    "keep_lifecycle",
    "lifecycle_error",
    "log_kind",
    "null_error",
    "parquet_problem",
    "read_error",
    "read_events",
    "require",
    "resolve_columns",
    "timestamp_error",
    "value_kind",
    "xes_to_arrow",
    "zone_mix_error",
]

# -- what kind of log -------------------------------------------------------


def log_kind(events: Any) -> str:
    """Name the kind of event log: a frame kind, or a file kind from the suffix.

    One of ``pandas``, ``polars``, ``arrow``, ``spark`` (frames, told apart
    without importing their packages) or ``csv``, ``parquet``, ``xes``
    (paths; ``.xes.gz`` is ``xes``).

    Raises
    ------
    FileNotFoundError
        If a path names no file.
    UnsupportedFormatError
        If a path's suffix is not a known log format.
    EventLogError
        If ``events`` is neither a frame nor a path.

    Examples
    --------
    >>> import pyarrow as pa
    >>> log_kind(pa.table({"a": [1]}))
    'arrow'
    >>> log_kind("no-such-log.xes.gz")
    Traceback (most recent call last):
    ...
    FileNotFoundError: [Errno 2] No such file or directory: 'no-such-log.xes.gz'
    """
    mod = type(events).__module__.split(".")[0]
    name = type(events).__name__
    if mod == "pandas" and name == "DataFrame":
        return "pandas"
    if mod == "polars" and name == "DataFrame":
        return "polars"
    if mod == "pyarrow" and name in ("Table", "RecordBatch"):
        return "arrow"
    if mod == "pyspark" and name == "DataFrame":
        return "spark"
    if isinstance(events, str | os.PathLike):
        path = Path(events)
        kind = path_kind(path)
        if not path.exists():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fspath(path))
        return kind
    msg = (
        "an event log is a pandas or polars DataFrame, a pyarrow Table, a Spark DataFrame "
        f"or a path to a .csv, .parquet, .xes or .xes.gz file; got {describe(events)}"
    )
    raise EventLogError(msg)


def path_kind(path: Path) -> str:
    """The file kind from the suffix (``.xes.gz`` is ``xes``)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-2:] == [".xes", ".gz"]:
        return "xes"
    suffix = suffixes[-1] if suffixes else ""
    if suffix in LOG_SUFFIXES:
        return LOG_SUFFIXES[suffix]
    msg = (
        f"cannot tell the format of the event log {os.fspath(path)!r} from its suffix "
        f"{suffix!r}: use .csv, .parquet, .xes or .xes.gz"
    )
    raise UnsupportedFormatError(msg)


def log_stem(events: Any) -> str | None:
    """The file name without its log suffixes, for naming a journey; None for a frame."""
    if not isinstance(events, str | os.PathLike):
        return None
    name = Path(events).name
    lower = name.lower()
    for suffix in (".xes.gz", ".csv", ".parquet", ".pq", ".xes"):
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


# -- columns ----------------------------------------------------------------


def frame_columns(events: Any, kind: str) -> list[str]:
    """The column names of a frame."""
    if kind == "arrow":
        return [str(c) for c in events.schema.names]
    return [str(c) for c in events.columns]


def parquet_columns(path: Path) -> list[str]:
    """The column names of a Parquet file or folder."""
    pq = require("pyarrow.parquet", "pandas", "reading Parquet event logs")
    try:
        schema = pq.read_schema(path) if path.is_file() else pq.ParquetDataset(path).schema
    except (OSError, ValueError) as exc:  # arrow's errors are both
        raise read_error(path, "parquet", str(exc)) from exc
    return [str(n) for n in schema.names]


def read_events(
    events: Any,
    *,
    case: str = DEFAULT_CASE,
    activity: str = DEFAULT_ACTIVITY,
    timestamp: str | None = DEFAULT_TIMESTAMP,
    resource: str | None = DEFAULT_RESOURCE,
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    segment: str | None = None,
) -> EventColumns:
    """Read an event log into :class:`EventColumns`.

    Parameters
    ----------
    events
        A pandas or polars DataFrame, a pyarrow Table, or a path to a ``.csv``,
        ``.parquet``, ``.xes`` or ``.xes.gz`` file.
    case, activity, timestamp
        The columns of case ids, activity names and timestamps. Left at their
        defaults (the XES names), a log without them is searched for the
        usual names (:mod:`cxgraph.readwrite.roles`). ``timestamp=None``
        reads no times: events keep the file's order.
    resource
        The column of resources (who performed the event). The default,
        ``org:resource``, may be absent; a column named explicitly must exist;
        None reads none.
    start_timestamp
        A column of start times: each case is ordered by start, then end time.
    lifecycle
        Keep only the events whose ``lifecycle:transition`` is this value (any
        case of letters), and those without one.
    segment
        A column to read as text codes too (``EventColumns.segment``): the
        case attribute ``discover(segment=)`` splits cases by.

    Returns
    -------
    EventColumns
        Codes numbered by first appearance in input order. With ``lifecycle``,
        rows (also in messages) count the events kept.

    Raises
    ------
    MissingColumnError
        For a missing or ambiguous column (naming the keyword, the column
        asked for and the columns found).
    EventLogError
        For an event without case id or activity, a timestamp that is missing
        or cannot be read, a ``lifecycle`` value no event has, a malformed
        file, or a Spark DataFrame (read those with
        ``discover(..., engine="spark")``).
    FileNotFoundError
        If a path names no file.
    UnsupportedFormatError
        If a path's suffix is not a known log format.
    ImportError
        If reading the log needs a package that is not installed; the message
        names the extra to install.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case:concept:name": [1, 1], "concept:name": ["b", "a"],
    ...                     "time:timestamp": ["2024-01-01 10:00+01:00", "2024-01-01T08:30Z"]})
    >>> cols = read_events(log)
    >>> [cols.activities[i] for i in cols.activity[cols.order()]]
    ['a', 'b']
    >>> [cols.activities[i] for i in read_events(log, timestamp=None).activity]
    ['b', 'a']
    >>> read_events(log, activity="Activity")
    Traceback (most recent call last):
    ...
    cxgraph.readwrite.roles.MissingColumnError: activity='Activity': no such column in the event log (columns: 'case:concept:name', 'concept:name', 'time:timestamp')
    """  # noqa: E501
    kind = log_kind(events)
    source = describe_source(events, kind)
    if kind == "spark":
        msg = (
            "a Spark DataFrame is read by Spark: discover(..., engine='spark') reads one; "
            "for anything else, collect it first with df.toPandas()"
        )
        raise EventLogError(msg)
    ask, wanted = column_asker(
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
        segment=segment,
    )
    if kind == "xes":
        data, found = read_xes(Path(events), wanted)
        cols = ask(found)
        if any(c not in data for c in cols.needed):  # found by a usual name: read it too
            data, found = read_xes(Path(events), [*wanted, *cols.needed])
        table: Mapping[str, Any] = {k: np.asarray(data[k], dtype=object) for k in cols.needed}
    else:
        if kind == "csv":
            found, delimiter = csv_header(Path(events))
        elif kind == "parquet":
            found = parquet_columns(Path(events))
        else:
            found = frame_columns(events, kind)
        cols = ask(found)
        needed = cols.needed
        if kind == "csv":
            table = read_csv_columns(Path(events), needed, delimiter)
        elif kind == "parquet":
            pq = require("pyarrow.parquet", "pandas", "reading Parquet event logs")
            try:
                with contextlib.ExitStack() as stack:
                    path = Path(events)
                    bar = stack.enter_context(progress.reading(path)) if path.is_file() else None
                    t = pq.read_table(bar or events, columns=needed)
            except (OSError, ValueError) as exc:  # a damaged file: arrow's errors are both
                raise read_error(events, kind, str(exc)) from exc
            table = {c: t.column(c) for c in needed}
            _check_utf8(table, source)
        elif kind == "polars":
            require("pyarrow", "polars", "reading a polars DataFrame")
            t = events.select(needed).to_arrow()
            table = {c: t.column(c) for c in needed}
        elif kind == "arrow":
            table = {c: events.column(c) for c in needed}
        else:
            table = {c: events[c] for c in needed}
    check_kinds({k: (c, value_kind(table[c])) for k, c in cols.by_role().items()})
    if cols.lifecycle is not None:
        table = keep_lifecycle(table, cols.lifecycle)
    return columns_from(table, cols, source=source)


def column_asker(
    *,
    case: str,
    activity: str,
    timestamp: str | None,
    resource: str | None,
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    segment: str | None = None,
) -> tuple[Callable[[Sequence[str]], LogColumns], list[str]]:
    """What every engine asks of a log's columns: :func:`resolve_columns` with the
    keywords given, and the XES attributes to read at first (the columns named,
    and the lifecycle)."""
    ask = partial(
        resolve_columns,
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
        segment=segment,
    )
    named = (case, activity, timestamp, resource, start_timestamp, segment)
    return ask, [*(c for c in named if c), LIFECYCLE]


def read_csv_columns(path: Path, columns: list[str], delimiter: str) -> dict[str, Any]:
    """Read some columns of a CSV file as text (pyarrow if installed, else pandas)."""
    if _has("pyarrow"):
        import pyarrow as pa
        from pyarrow import csv as pacsv

        try:
            with progress.reading(path) as bar:
                table = pacsv.read_csv(
                    bar or path,
                    parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                    convert_options=pacsv.ConvertOptions(
                        include_columns=columns,
                        column_types=dict.fromkeys(columns, pa.string()),
                        strings_can_be_null=True,
                        null_values=[""],
                    ),
                )
        except (pa.ArrowInvalid, OSError) as exc:
            if _header_only(path):  # arrow cannot read a header without a line end
                return {c: pa.chunked_array([], pa.string()) for c in columns}
            raise read_error(path, "csv", str(exc)) from exc
        check_quotes(path, delimiter)
        return {c: table.column(c) for c in columns}
    pd = require("pandas", "pandas", "reading CSV event logs")
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            usecols=columns,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
        )
    except (ValueError, OSError) as exc:
        raise read_error(path, "csv", str(exc)) from exc
    return {c: frame[c] for c in columns}


def columns_from(table: Mapping[str, Any], cols: LogColumns, *, source: str) -> EventColumns:
    """Encode the columns of a table (arrow arrays, pandas Series or numpy arrays).

    On a large log the columns are encoded in threads at once (arrow's and
    pandas' encoders and arrow's timestamp parser release the GIL); results
    are taken in the same order as one after another, so the first problem
    found is the same error either way.
    """
    case, activity, timestamp, resource = cols.case, cols.activity, cols.timestamp, cols.resource

    def codes(column: str) -> Any:
        return factorize(table[column])

    def row_numbers() -> Any:
        return np.arange(_length(table[case]), dtype=np.int64)

    jobs: dict[str, Callable[[], Any]] = {
        "case": partial(codes, case),
        "time": (
            partial(timestamps, table[timestamp], timestamp)
            if timestamp is not None
            else row_numbers
        ),
        "activity": partial(codes, activity),
    }
    if resource is not None:
        jobs["resource"] = partial(codes, resource)
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2 or _length(table[case]) < THREAD_EVENTS:
        out = _encode(jobs, case=case, activity=activity, source=source)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {name: pool.submit(job) for name, job in jobs.items()}
            out = _encode(
                {name: f.result for name, f in futures.items()},
                case=case,
                activity=activity,
                source=source,
            )
    start = None
    if cols.start_timestamp is not None:
        try:
            start = timestamps(table[cols.start_timestamp], cols.start_timestamp)
        except EventLogError as exc:
            text = str(exc).replace("timestamp=", "start_timestamp=", 1)
            raise EventLogError(text) from None
    kind = "row" if timestamp is None else time_kind(table[timestamp])
    seg_codes: Any = None
    segments: tuple[str, ...] = ()
    if cols.segment is not None:
        seg_codes, segments = as_text(*factorize(table[cols.segment]))
    return attrs.evolve(
        out,
        start=start,
        columns=cols.record(),
        time_kind=kind,
        segment=seg_codes,
        segments=segments,
    )
