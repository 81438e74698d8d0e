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
  is the one the header line uses most.
- Timestamps: text is read as ISO 8601 (``2024-05-01T14:30:00+02:00``, a
  space instead of ``T``, ``Z``, or a date alone). Times with an offset are
  converted to UTC, so a log mixing time zones orders correctly; times
  without one are taken as they are (as if UTC). Date-time columns are used
  as they are, to the microsecond; a numeric column orders events by its
  numbers (a step counter).
- A missing case id or activity, or a timestamp that is missing or cannot be
  read, is an error naming the first such row and how many there are. A
  missing resource is allowed: the event counts for no one.
- XES: trace attributes become ``case:`` columns (``case:concept:name`` is
  the trace's name), event attributes keep their keys; ``<global>`` defaults
  are not applied. Parsed with the standard library's streaming parser,
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

import csv
import errno
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from cxgraph._util.text import describe
from cxgraph.readwrite.columns import (
    CSV_DELIMITERS,
    DEFAULT_ACTIVITY,
    DEFAULT_CASE,
    DEFAULT_RESOURCE,
    DEFAULT_TIMESTAMP,
    LOG_SUFFIXES,
    THREAD_EVENTS,
    EventColumns,
    EventLogError,
    _encode,
    _has,
    _length,
    empty_error,
    factorize,
    null_error,
    require,
    timestamp_error,
    timestamps,
)
from cxgraph.readwrite.files import UnsupportedFormatError
from cxgraph.readwrite.roles import (
    LIFECYCLE,
    LogColumns,
    MissingColumnError,
    lifecycle_error,
    resolve_columns,
)
from cxgraph.readwrite.xes import read_xes, xes_to_arrow

# The errors and helpers the discovery engines use, re-exported so that they
# read one module: ``from cxgraph.readwrite import eventlog as EL``.
__all__ = [
    "DEFAULT_ACTIVITY",
    "DEFAULT_CASE",
    "DEFAULT_RESOURCE",
    "DEFAULT_TIMESTAMP",
    "LIFECYCLE",
    "EventColumns",
    "EventLogError",
    "LogColumns",
    "MissingColumnError",
    "describe_source",
    "empty_error",
    "keep_lifecycle",
    "lifecycle_error",
    "log_kind",
    "null_error",
    "read_events",
    "require",
    "resolve_columns",
    "timestamp_error",
    "xes_to_arrow",
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


def csv_header(path: Path) -> tuple[list[str], str]:
    """The column names of a CSV file and its delimiter (the one the header uses most).

    Raises
    ------
    EventLogError
        If the file is empty or its first line is not text.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            line = fh.readline()
    except UnicodeDecodeError as exc:
        msg = f"the event log {os.fspath(path)!r} is not UTF-8 text: {exc}"
        raise EventLogError(msg) from exc
    if not line.strip():
        msg = f"the event log {os.fspath(path)!r} is empty: expected a header row of column names"
        raise EventLogError(msg)
    delimiter = max(CSV_DELIMITERS, key=line.count)
    header = next(csv.reader([line], delimiter=delimiter))
    return header, delimiter


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
    except (OSError, ValueError) as exc:
        msg = f"cannot read the Parquet event log {os.fspath(path)!r}: {exc}"
        raise EventLogError(msg) from exc
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
            "a Spark DataFrame is read by Spark: use discover(..., engine='spark'), "
            "or collect it first with df.toPandas()"
        )
        raise EventLogError(msg)
    ask = partial(
        resolve_columns,
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
    )
    if kind == "xes":
        wanted = [c for c in (case, activity, timestamp, resource, start_timestamp) if c]
        wanted.append(LIFECYCLE)
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
            t = pq.read_table(events, columns=needed)
            table = {c: t.column(c) for c in needed}
        elif kind == "polars":
            require("pyarrow", "polars", "reading a polars DataFrame")
            t = events.select(needed).to_arrow()
            table = {c: t.column(c) for c in needed}
        elif kind == "arrow":
            table = {c: events.column(c) for c in needed}
        else:
            table = {c: events[c] for c in needed}
    if cols.lifecycle is not None:
        table = keep_lifecycle(table, cols.lifecycle)
    return columns_from(table, cols, source=source)


def keep_lifecycle(table: Mapping[str, Any], value: str) -> dict[str, Any]:
    """The rows whose lifecycle is ``value`` (any case of letters) or missing.

    Raises
    ------
    EventLogError
        If no event has that lifecycle, listing the values the log has.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    life = table[LIFECYCLE]
    arr = life if isinstance(life, pa.ChunkedArray | pa.Array) else pa.array(life, from_pandas=True)
    arr = pc.cast(arr, pa.string())
    lower = pc.utf8_lower(arr)
    hit = pc.equal(lower, value.lower())
    if not pc.any(hit).as_py():
        raise lifecycle_error(value, pc.unique(arr).to_pylist())
    mask = np.asarray(pc.fill_null(hit, True).to_numpy(zero_copy_only=False), dtype=bool)
    out: dict[str, Any] = {}
    for name, column in table.items():
        if isinstance(column, pa.ChunkedArray | pa.Array):
            out[name] = column.filter(pa.array(mask))
        elif hasattr(column, "iloc"):
            out[name] = column[mask].reset_index(drop=True)
        else:
            out[name] = np.asarray(column, dtype=object)[mask]
    return out


def describe_source(events: Any, kind: str) -> str:
    """A short name of the log for messages: the path, or the kind of frame."""
    if isinstance(events, str | os.PathLike):
        return repr(os.fspath(events))
    return {
        "pandas": "(a pandas DataFrame)",
        "polars": "(a polars DataFrame)",
        "arrow": "(a pyarrow Table)",
        "spark": "(a Spark DataFrame)",
    }.get(kind, "")


def read_csv_columns(path: Path, columns: list[str], delimiter: str) -> dict[str, Any]:
    """Read some columns of a CSV file as text (pyarrow if installed, else pandas)."""
    if _has("pyarrow"):
        import pyarrow as pa
        from pyarrow import csv as pacsv

        try:
            table = pacsv.read_csv(
                path,
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=columns,
                    column_types=dict.fromkeys(columns, pa.string()),
                    strings_can_be_null=True,
                    null_values=[""],
                ),
            )
        except (pa.ArrowInvalid, OSError) as exc:
            msg = f"cannot read the CSV event log {os.fspath(path)!r}: {exc}"
            raise EventLogError(msg) from exc
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
        msg = f"cannot read the CSV event log {os.fspath(path)!r}: {exc}"
        raise EventLogError(msg) from exc
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
    return attrs.evolve(out, start=start, columns=cols.record())
