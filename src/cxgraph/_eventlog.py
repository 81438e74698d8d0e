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
import gzip
import os
import sys
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
from attrs import frozen

from cxgraph import _fields as F
from cxgraph.errors import CxgraphError
from cxgraph.io import UnsupportedFormatError

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "DEFAULT_ACTIVITY",
    "DEFAULT_CASE",
    "DEFAULT_RESOURCE",
    "DEFAULT_TIMESTAMP",
    "EventColumns",
    "EventLogError",
    "read_events",
]

DEFAULT_CASE = "case:concept:name"
DEFAULT_ACTIVITY = "concept:name"
DEFAULT_TIMESTAMP = "time:timestamp"
DEFAULT_RESOURCE = "org:resource"

#: File suffixes an event log may have, and the kind each means.
LOG_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xes": "xes"}
CSV_DELIMITERS = (",", ";", "\t", "|")
#: XES attribute elements (nested ``list``/``container`` values are skipped).
XES_ATTRIBUTES = frozenset({"string", "date", "int", "float", "boolean", "id"})
#: Show a progress bar (on a terminal) when reading an XES file larger than this.
PROGRESS_BYTES = 50 * 2**20
#: Encode the columns in threads from this many events (below, starting
#: threads costs more than it saves).
THREAD_EVENTS = 100_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


class EventLogError(CxgraphError, ValueError):
    """An event log cannot be read: a missing column, a bad value, a malformed file."""


def require(module: str, extra: str, purpose: str) -> Any:
    """Import an optional package, or say which extra installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = f"{purpose} needs {module.split('.')[0]}: pip install 'cxgraph[{extra}]'"
        raise ImportError(msg) from exc


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


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
        f"or a path to a .csv, .parquet, .xes or .xes.gz file; got {F.describe(events)}"
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


def resolve_columns(
    found: Sequence[str],
    *,
    case: str,
    activity: str,
    timestamp: str,
    resource: str | None,
) -> str | None:
    """Check the columns asked for exist; return the resource column to use, or None.

    The default resource column (``org:resource``) may be absent (then no
    owners); any column named explicitly must exist.

    Raises
    ------
    EventLogError
        Naming every missing column with its keyword and the columns found.

    Examples
    --------
    >>> resolve_columns(["c", "a", "t"], case="c", activity="a", timestamp="t",
    ...                 resource="org:resource") is None
    True
    >>> resolve_columns(["c", "a", "t"], case="case", activity="a", timestamp="t", resource=None)
    Traceback (most recent call last):
    ...
    cxgraph._eventlog.EventLogError: case='case': no such column in the event log (columns: 'c', 'a', 't')
    """  # noqa: E501
    have = set(found)
    asked = [("case", case), ("activity", activity), ("timestamp", timestamp)]
    if resource is not None and (resource != DEFAULT_RESOURCE or resource in have):
        asked.append(("resource", resource))
    missing = [
        f"{keyword}={column!r}: no such column in the event log "
        f"{F.choices_text(column, list(found), word='columns')}"
        for keyword, column in asked
        if column not in have
    ]
    if missing:
        raise EventLogError("\n".join(missing))
    return resource if resource is not None and resource in have else None


# -- errors about rows ------------------------------------------------------


def null_error(keyword: str, column: str, count: int, row: int) -> EventLogError:
    """The error for events with no case id or no activity."""
    what = {"case": "case id", "activity": "activity"}.get(keyword, keyword)
    events = "1 event has" if count == 1 else f"{count} events have"
    msg = (
        f"{keyword}={column!r}: {events} no {what}, the first at row {row} "
        "(rows count from 0): fill them in or drop those rows"
    )
    return EventLogError(msg)


def timestamp_error(column: str, count: int, row: int, value: Any) -> EventLogError:
    """The error for timestamps that are missing or cannot be read."""
    if value is None:
        what = f"row {row} has no timestamp"
    else:
        what = f"cannot read {str(value)!r} at row {row} as a timestamp"
    total = f"; {count} rows in all" if count > 1 else ""
    msg = (
        f"timestamp={column!r}: {what} (rows count from 0){total}: use ISO 8601 "
        "such as '2024-05-01T14:30:00+02:00'"
    )
    return EventLogError(msg)


def empty_error(source: str) -> EventLogError:
    """The error for a log with no events."""
    return EventLogError(f"the event log {source} has no events")


# -- the columns ------------------------------------------------------------


@frozen(kw_only=True, eq=False)
class EventColumns:
    """An event log as integer columns, one entry per event in input order.

    Attributes
    ----------
    case
        Case codes (int64), numbered by first appearance; ``cases[code]`` is the id.
    cases
        The case ids as they were in the log (not turned into text).
    activity
        Activity codes (int64), numbered by first appearance.
    activities
        The activity names (text), by code.
    time
        Microseconds since 1970-01-01 UTC (int64), or the numbers of a numeric
        column.
    resource
        Resource codes (int64, -1 where the event has none), or None when the
        log has no resource column.
    resources
        The resource names (text), by code.
    source
        Where the log came from, for messages.
    """

    case: npt.NDArray[np.int64]
    cases: npt.NDArray[Any]
    activity: npt.NDArray[np.int64]
    activities: tuple[str, ...]
    time: npt.NDArray[Any]
    resource: npt.NDArray[np.int64] | None
    resources: tuple[str, ...]
    source: str

    def __len__(self) -> int:
        return int(self.case.shape[0])

    def order(self) -> npt.NDArray[np.intp]:
        """Event positions sorted by case, then time; ties keep input order.

        The same positions as a stable ``np.lexsort((time, case))``, found
        faster by :func:`case_time_order`.

        Examples
        --------
        >>> import numpy as np
        >>> cols = EventColumns(case=np.array([0, 1, 0]), cases=np.array(["a", "b"]),
        ...     activity=np.array([0, 0, 1]), activities=("x", "y"),
        ...     time=np.array([5, 1, 5]), resource=None, resources=(), source="log")
        >>> cols.order().tolist()
        [0, 2, 1]
        """
        return case_time_order(self.case, self.time)


def case_time_order(case: npt.NDArray[np.int64], time: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """Positions sorted by case code, then time; ties keep input order.

    Equal to a stable ``np.lexsort((time, case))`` for case codes >= 0, but
    cheaper on the logs one meets: a log already in (case, time) order is
    returned as is (a stable sort of sorted rows moves nothing); a log in
    time order (as systems write them) needs only a stable sort by case; any
    other is sorted stably by time, then stably by case. Sorting by case is a
    counting sort (case codes are dense), ten times faster than a comparison
    sort on millions of events.

    Examples
    --------
    >>> import numpy as np
    >>> case_time_order(np.array([0, 1, 0, 1]), np.array([3, 1, 2, 1])).tolist()
    [2, 0, 1, 3]
    >>> case_time_order(np.array([0, 0, 1]), np.array([1, 1, 0])).tolist()
    [0, 1, 2]
    """
    n = int(case.shape[0])
    if n < 2:
        return np.arange(n, dtype=np.intp)
    later = time[1:] >= time[:-1]
    if bool(later.all()):
        return stable_by_code(case)
    step = case[1:] - case[:-1]
    if bool((step >= 0).all()) and bool((later | (step > 0)).all()):
        return np.arange(n, dtype=np.intp)
    by_time = np.argsort(time, kind="stable")
    return by_time[stable_by_code(case[by_time])]


def stable_by_code(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Positions sorted stably by codes >= 0: a counting sort when pandas has one.

    pandas' ``groupsort_indexer`` (what its groupby uses) is O(n + codes);
    without it, numpy's stable sort gives the same positions.

    Examples
    --------
    >>> import numpy as np
    >>> stable_by_code(np.array([2, 0, 2, 1, 0])).tolist()
    [1, 4, 3, 0, 2]
    """
    n = int(codes.shape[0])
    counting_sort = _counting_sort()
    if n and counting_sort is not None:
        try:
            indexer, _ = counting_sort(codes.astype(np.intp, copy=False), int(codes.max()) + 1)
        except (TypeError, ValueError):  # pragma: no cover - pandas changed its private API
            pass
        else:
            return np.asarray(indexer, dtype=np.intp)
    return np.argsort(codes, kind="stable")


@cache
def _counting_sort() -> Any:
    """pandas' counting sort, or None (looked up once, on first use: pandas is optional)."""
    try:
        from pandas._libs.algos import groupsort_indexer
    except ImportError:  # pragma: no cover - without pandas, or pandas moved it
        return None
    return groupsort_indexer


def read_events(
    events: Any,
    *,
    case: str = DEFAULT_CASE,
    activity: str = DEFAULT_ACTIVITY,
    timestamp: str = DEFAULT_TIMESTAMP,
    resource: str | None = DEFAULT_RESOURCE,
) -> EventColumns:
    """Read an event log into :class:`EventColumns`.

    Parameters
    ----------
    events
        A pandas or polars DataFrame, a pyarrow Table, or a path to a ``.csv``,
        ``.parquet``, ``.xes`` or ``.xes.gz`` file.
    case, activity, timestamp
        The columns of case ids, activity names and timestamps.
    resource
        The column of resources (who performed the event). The default,
        ``org:resource``, may be absent; a column named explicitly must exist;
        None reads none.

    Returns
    -------
    EventColumns
        Codes numbered by first appearance in input order.

    Raises
    ------
    EventLogError
        For a missing column (naming the keyword, the column asked for and
        the columns found), an event without case id or activity, a timestamp
        that is missing or cannot be read, a malformed file, or a Spark
        DataFrame (read those with ``discover(..., engine="spark")``).
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
    >>> read_events(log, activity="Activity")
    Traceback (most recent call last):
    ...
    cxgraph._eventlog.EventLogError: activity='Activity': no such column in the event log (columns: 'case:concept:name', 'concept:name', 'time:timestamp')
    """  # noqa: E501
    kind = log_kind(events)
    source = describe_source(events, kind)
    if kind == "spark":
        msg = (
            "a Spark DataFrame is read by Spark: use discover(..., engine='spark'), "
            "or collect it first with df.toPandas()"
        )
        raise EventLogError(msg)
    if kind == "xes":
        wanted = [case, activity, timestamp] + ([resource] if resource else [])
        data, found = read_xes(Path(events), wanted)
        res = resolve_columns(
            found, case=case, activity=activity, timestamp=timestamp, resource=resource
        )
        table: Mapping[str, Any] = {k: np.asarray(v, dtype=object) for k, v in data.items()}
    else:
        if kind == "csv":
            found, delimiter = csv_header(Path(events))
        elif kind == "parquet":
            found = parquet_columns(Path(events))
        else:
            found = frame_columns(events, kind)
        res = resolve_columns(
            found, case=case, activity=activity, timestamp=timestamp, resource=resource
        )
        needed = list(dict.fromkeys([case, activity, timestamp] + ([res] if res else [])))
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
    return columns_from(
        table,
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=res,
        source=source,
    )


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


def columns_from(
    table: Mapping[str, Any],
    *,
    case: str,
    activity: str,
    timestamp: str,
    resource: str | None,
    source: str,
) -> EventColumns:
    """Encode the columns of a table (arrow arrays, pandas Series or numpy arrays).

    On a large log the columns are encoded in threads at once (arrow's and
    pandas' encoders and arrow's timestamp parser release the GIL); results
    are taken in the same order as one after another, so the first problem
    found is the same error either way.
    """

    def codes(column: str) -> Any:
        return factorize(table[column])

    jobs: dict[str, Callable[[], Any]] = {
        "case": partial(codes, case),
        "time": partial(timestamps, table[timestamp], timestamp),
        "activity": partial(codes, activity),
    }
    if resource is not None:
        jobs["resource"] = partial(codes, resource)
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2 or _length(table[case]) < THREAD_EVENTS:
        return _encode(jobs, case=case, activity=activity, source=source)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return _encode(
            {name: f.result for name, f in futures.items()},
            case=case,
            activity=activity,
            source=source,
        )


def _length(values: Any) -> int:
    try:
        return len(values)
    except TypeError:  # pragma: no cover - every column kind read has a length
        return 0


def _encode(
    results: Mapping[str, Callable[[], Any]], *, case: str, activity: str, source: str
) -> EventColumns:
    """Check and assemble encoded columns, in the order the checks have always run."""
    case_codes, case_labels = results["case"]()
    n = int(case_codes.shape[0])
    if n == 0:
        raise empty_error(source)
    _check_nulls(case_codes, "case", case)
    act_codes, act_labels = results["activity"]()
    _check_nulls(act_codes, "activity", activity)
    act_codes, activities = as_text(act_codes, act_labels)
    time = results["time"]()
    res_codes = None
    resources: tuple[str, ...] = ()
    if "resource" in results:
        res_codes, res_labels = results["resource"]()
        res_codes, resources = as_text(res_codes, res_labels)
    return EventColumns(
        case=case_codes,
        cases=case_labels,
        activity=act_codes,
        activities=activities,
        time=time,
        resource=res_codes,
        resources=resources,
        source=source,
    )


def _check_nulls(codes: npt.NDArray[np.int64], keyword: str, column: str) -> None:
    missing = codes < 0
    if missing.any():
        raise null_error(keyword, column, int(missing.sum()), int(np.argmax(missing)))


def factorize(values: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any]]:
    """Codes (int64, -1 for missing) numbered by first appearance, and the labels.

    Arrow arrays are dictionary-encoded by arrow; anything else goes through
    ``pandas.factorize`` when pandas is installed, else ``numpy.unique``
    (renumbered by first appearance, so the result does not depend on which).

    Examples
    --------
    >>> import numpy as np
    >>> codes, labels = factorize(np.array(["b", None, "a", "b"], dtype=object))
    >>> codes.tolist(), labels.tolist()
    ([0, -1, 1, 0], ['b', 'a'])
    """
    mod = type(values).__module__.split(".")[0]
    if mod == "pyarrow":
        return _factorize_arrow(values)
    if mod == "pandas" or _has("pandas"):
        import pandas as pd

        codes, uniques = pd.factorize(values)
        return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)
    return _factorize_numpy(np.asarray(values, dtype=object))


def _factorize_arrow(values: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray) and values.num_chunks == 1:
        values = values.chunk(0)
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    encoded = pc.dictionary_encode(values)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    if not chunks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    # A chunked encoding shares one growing dictionary; the last chunk's is the whole.
    codes = np.concatenate(
        [c.indices.cast(pa.int64()).fill_null(-1).to_numpy() for c in chunks]
    ).astype(np.int64, copy=False)
    labels = np.asarray(chunks[-1].dictionary.to_numpy(zero_copy_only=False), dtype=object)
    return codes, labels


def _factorize_numpy(values: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any]]:
    missing = np.array([_is_missing(v) for v in values], dtype=bool)
    codes = np.full(values.shape[0], -1, dtype=np.int64)
    present = values[~missing]
    if present.shape[0] == 0:
        return codes, np.zeros(0, dtype=object)
    keys = present.astype(str)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    by_first = np.argsort(first, kind="stable")
    rank = np.empty_like(by_first)
    rank[by_first] = np.arange(by_first.shape[0])
    codes[~missing] = rank[inverse.reshape(-1)]
    labels = present[first[by_first]]
    return codes, np.asarray(labels, dtype=object)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def as_text(
    codes: npt.NDArray[np.int64], labels: npt.NDArray[Any]
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Labels as text; labels equal as text (``1`` and ``"1"``) become one code."""
    names = [str(v) for v in labels.tolist()]
    if len(set(names)) == len(names):
        return codes, tuple(names)
    index: dict[str, int] = {}
    remap = np.array([index.setdefault(n, len(index)) for n in names], dtype=np.int64)
    merged = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    return merged, tuple(index)


# -- timestamps -------------------------------------------------------------


def timestamps(values: Any, column: str) -> npt.NDArray[Any]:
    """Timestamps as int64 microseconds since 1970 UTC (numbers stay numbers).

    Raises
    ------
    EventLogError
        Naming the first timestamp that is missing or cannot be read.
    """
    mod = type(values).__module__.split(".")[0]
    if mod == "pyarrow":
        return _times_arrow(values, column)
    if mod == "pandas" and _has("pyarrow"):
        import pandas as pd

        # Text goes through arrow's ISO 8601 cast, as a CSV or Parquet file does:
        # ten times faster than pandas' parser; _times_arrow falls back to
        # pandas for anything arrow cannot read in one go (mixed offsets or not).
        if pd.api.types.is_string_dtype(values.dtype):
            import pyarrow as pa

            try:
                text = pa.array(values, from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                text = None
            if text is not None:
                return _times_arrow(text, column)
    if mod == "pandas" or _has("pandas"):
        return _times_pandas(values, column)
    return _times_python(np.asarray(values, dtype=object), column)


def _times_arrow(values: Any, column: str) -> npt.NDArray[Any]:
    import pyarrow as pa

    t = values.type
    if pa.types.is_dictionary(t):
        values = values.cast(t.value_type)
        t = values.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return _numbers(values, column, values.null_count)
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        target = pa.timestamp("us", tz=t.tz) if pa.types.is_timestamp(t) else pa.timestamp("us")
        us = values.cast(target).cast(pa.int64())
        return _checked_ints(us, values, column)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        # Arrow parses ISO 8601 fast but only all-with-offset or all-without;
        # a mix, or anything stranger, goes to pandas (or Python) below.
        for target in (pa.timestamp("us", tz="UTC"), pa.timestamp("us")):
            try:
                us = values.cast(target).cast(pa.int64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            return _checked_ints(us, values, column)
    if _has("pandas"):
        return _times_pandas(values.to_pandas(), column)
    return _times_python(np.asarray(values.to_pylist(), dtype=object), column)


def _checked_ints(us: Any, raw: Any, column: str) -> npt.NDArray[np.int64]:
    if us.null_count:
        import pyarrow as pa

        if isinstance(us, pa.ChunkedArray):
            us = us.combine_chunks()
        missing = np.asarray(us.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        row = int(np.argmax(missing))
        raise timestamp_error(column, int(missing.sum()), row, None)
    return np.asarray(us.to_numpy(), dtype=np.int64)


def _numbers(values: Any, column: str, nulls: int) -> npt.NDArray[Any]:
    arr = np.asarray(values.to_numpy() if nulls == 0 else values.to_pandas(), dtype=np.float64)
    missing = np.isnan(arr)
    if missing.any():
        raise timestamp_error(column, int(missing.sum()), int(np.argmax(missing)), None)
    if np.array_equal(arr, np.floor(arr)) and np.abs(arr).max(initial=0) < 2**53:
        return arr.astype(np.int64)
    return arr


def _times_pandas(values: Any, column: str) -> npt.NDArray[Any]:
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(values)
    series = series.reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        arr = series.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(arr)
        if missing.any():
            raise timestamp_error(column, int(missing.sum()), int(np.argmax(missing)), None)
        if np.array_equal(arr, np.floor(arr)) and np.abs(arr).max(initial=0) < 2**53:
            return arr.astype(np.int64)
        return arr
    parsed = pd.to_datetime(series, utc=True, format="ISO8601", errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        value = series.iloc[row]
        raise timestamp_error(column, int(bad.sum()), row, None if pd.isna(value) else value)
    return np.asarray(parsed.dt.as_unit("us").to_numpy("int64"), dtype=np.int64)


def _times_python(values: npt.NDArray[Any], column: str) -> npt.NDArray[np.int64]:
    out = np.empty(values.shape[0], dtype=np.int64)
    bad: list[int] = []
    for i, v in enumerate(values.tolist()):
        if _is_missing(v):
            bad.append(i)
            continue
        try:
            dt = v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
        except ValueError:
            bad.append(i)
            continue
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        out[i] = (dt - _EPOCH) // _US
    if bad:
        v = values[bad[0]]
        raise timestamp_error(column, len(bad), bad[0], None if _is_missing(v) else v)
    return out


# -- XES --------------------------------------------------------------------


def read_xes(path: Path, wanted: Sequence[str]) -> tuple[dict[str, list[Any]], list[str]]:
    """Stream an XES (or ``.xes.gz``) file into the wanted columns.

    Returns the wanted columns (lists of text, None where an event has no
    such attribute) and every column found, in order of first appearance.

    Raises
    ------
    EventLogError
        If the file is not well-formed XML (the message gives the line and
        column), not gzip when it says so, or its root is not ``<log>``.
    """
    wanted_set = set(wanted)
    cols: dict[str, list[Any]] = {c: [] for c in dict.fromkeys(wanted)}
    found: dict[str, None] = {}
    try:
        with _open_xes(path) as fh:
            _parse_xes(fh, path, wanted_set, cols, found)
    except ET.ParseError as exc:
        msg = f"malformed XES in {os.fspath(path)!r}: {exc}"
        raise EventLogError(msg) from exc
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        msg = f"cannot read the gzip-compressed XES file {os.fspath(path)!r}: {exc}"
        raise EventLogError(msg) from exc
    return cols, list(found)


class _Progress:
    """A binary file wrapper that advances a tqdm bar as bytes are read."""

    def __init__(self, raw: IO[bytes], bar: Any) -> None:
        self.raw = raw
        self.bar = bar

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bar.update(len(data))
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.bar.close()
        self.raw.close()


class _open_xes:  # noqa: N801 - used like open()
    """Open an XES file (gunzipping ``.gz``), with a progress bar on a terminal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.closers: list[Any] = []

    def __enter__(self) -> IO[bytes]:
        raw: Any = self.path.open("rb")
        self.closers.append(raw)
        size = self.path.stat().st_size
        if size >= PROGRESS_BYTES and sys.stderr.isatty() and _has("tqdm"):
            from tqdm import tqdm

            bar = tqdm(total=size, unit="B", unit_scale=True, desc=self.path.name, leave=False)
            raw = _Progress(raw, bar)
            self.closers.append(raw)
        if self.path.name.lower().endswith(".gz"):
            raw = gzip.GzipFile(fileobj=raw, mode="rb")
            self.closers.append(raw)
        return raw  # type: ignore[no-any-return]

    def __exit__(self, *exc: object) -> None:
        for c in reversed(self.closers):
            c.close()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xes(
    fh: IO[bytes],
    path: Path,
    wanted: set[str],
    cols: dict[str, list[Any]],
    found: dict[str, None],
) -> None:
    stack: list[str] = []
    root: ET.Element | None = None
    trace: dict[str, Any] = {}
    trace_events: list[dict[str, Any]] = []
    event: dict[str, Any] | None = None
    names = list(cols)
    for kind, elem in ET.iterparse(fh, events=("start", "end")):
        tag = _local(elem.tag)
        if kind == "start":
            if root is None:
                root = elem
                if tag != "log":
                    msg = (
                        f"{os.fspath(path)!r} is not an XES event log: its root element is "
                        f"<{tag}>, not <log>"
                    )
                    raise EventLogError(msg)
            stack.append(tag)
            if tag == "trace" and len(stack) == 2:
                trace, trace_events = {}, []
            elif tag == "event" and len(stack) == 3 and stack[1] == "trace":
                event = {}
            elif tag in XES_ATTRIBUTES and len(stack) >= 2:
                parent = stack[-2]
                key = elem.get("key")
                if key is None:
                    continue
                if parent == "event" and event is not None and len(stack) == 4:
                    found.setdefault(key, None)
                    if key in wanted:
                        event[key] = elem.get("value")
                elif parent == "trace" and len(stack) == 3:
                    col = "case:" + key
                    found.setdefault(col, None)
                    if col in wanted:
                        trace[col] = elem.get("value")
            continue
        stack.pop()
        if tag == "event" and event is not None and len(stack) == 2:
            trace_events.append(event)
            event = None
            elem.clear()
        elif tag == "trace" and len(stack) == 1:
            # Trace attributes may follow the events, so rows are made here.
            for ev in trace_events:
                for name in names:
                    cols[name].append(ev.get(name, trace.get(name)))
            trace_events = []
            elem.clear()
            if root is not None:
                root.clear()
    if root is None:  # pragma: no cover - iterparse raises on an empty document
        msg = f"{os.fspath(path)!r} is empty"
        raise EventLogError(msg)


def xes_to_arrow(path: Path, wanted: Sequence[str], purpose: str) -> tuple[Any, list[str]]:
    """Parse an XES file into a pyarrow Table of the wanted columns found (all text)."""
    pa = require("pyarrow", "pandas", purpose)
    data, found = read_xes(path, wanted)
    have = [c for c in data if c in set(found)]
    table = pa.table({c: pa.array(data[c], type=pa.string()) for c in have})
    return table, found
