"""Event-log columns: default names, errors, ``EventColumns``.

And encoding case ids, activities and timestamps to arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import frozen

from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy.typing as npt


__all__ = [
    "DEFAULT_ACTIVITY",
    "DEFAULT_CASE",
    "DEFAULT_RESOURCE",
    "DEFAULT_TIMESTAMP",
    "EventColumns",
    "EventLogError",
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
#: Encode the columns in threads from this many events (below, starting
#: threads costs more than it saves).
THREAD_EVENTS = 100_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)

# -- what text is a timestamp -------------------------------------------------
# One grammar for every engine, written so that Python's ``re``, RE2 (arrow,
# DuckDB) and Java (Spark) read it alike; always matched against the whole text.
# It is what arrow's ISO 8601 parser reads (the numpy engine's fast path), with
# fractions of any length (cut to the microsecond).
_DATE = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = "[T ]([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?)?"
_ZONE = "(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)"
#: ISO 8601 text every engine reads as a timestamp: a date, perhaps a time
#: (hours, minutes, seconds, a fraction) and a UTC offset after the time.
ISO_TIME = f"{_DATE}({_TIME}{_ZONE}?)?"
#: The timestamps of :data:`ISO_TIME` that carry a UTC offset.
ISO_ZONED = f"{_DATE}{_TIME}{_ZONE}"
#: The value an engine reports for a date-time outside the microsecond range.
OUT_OF_RANGE = "\uffffout of range"
_INT64_MAX = 2**63 - 1


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


def timestamp_error(
    column: str, count: int, row: int, value: Any, keyword: str = "timestamp"
) -> EventLogError:
    """The error for timestamps that are missing, cannot be read or are out of range."""
    total = f"; {count} rows in all" if count > 1 else ""
    if value == OUT_OF_RANGE:
        msg = (
            f"{keyword}={column!r}: the time at row {row} is out of range (rows count from "
            f"0){total}: microseconds since 1970 must fit in 64 bits (about 290,000 years "
            "either way)"
        )
        return EventLogError(msg)
    if value is None:
        what = f"row {row} has no timestamp"
    else:
        what = f"cannot read {str(value)!r} at row {row} as a timestamp"
    msg = (
        f"{keyword}={column!r}: {what} (rows count from 0){total}: use ISO 8601 "
        "such as '2024-05-01T14:30:00+02:00'"
    )
    return EventLogError(msg)


def zone_mix_error(
    column: str,
    zoned: tuple[int, int, Any],
    naive: tuple[int, int, Any],
    keyword: str = "timestamp",
) -> EventLogError:
    """The error for text times with and without a UTC offset in one column.

    ``zoned`` and ``naive`` are (how many, first row, its text). The message
    names the first row of the smaller kind (of the later one on a tie).
    """
    (n_zoned, row_zoned, _), (n_naive, row_naive, _) = zoned, naive
    odd_zoned = (n_zoned, -row_zoned) < (n_naive, -row_naive)
    _, row, value = zoned if odd_zoned else naive
    times = "1 time has" if n_zoned == 1 else f"{n_zoned} times have"
    others = "1 has" if n_naive == 1 else f"{n_naive} have"
    msg = (
        f"{keyword}={column!r}: {times} a UTC offset and {others} none; the first "
        f"{'with' if odd_zoned else 'without'} one is {str(value)!r} at row {row} "
        "(rows count from 0): a time without an offset cannot be ordered against one "
        "with; give every time an offset (such as +02:00 or Z), or none"
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
        column, or the row numbers when the log is read without timestamps.
    resource
        Resource codes (int64, -1 where the event has none), or None when the
        log has no resource column.
    resources
        The resource names (text), by code.
    source
        Where the log came from, for messages.
    start
        Start times (as ``time``) of an interval log, or None.
    segment, segments
        Codes and names of a segment column (``read_events(segment=)``).
    time_kind
        What ``time`` holds: ``datetime`` (microseconds), ``number`` (a
        numeric column's own values) or ``row`` (row numbers).
    columns
        The column used for each role (``case``, ``activity``, ``timestamp``,
        ``resource``, and ``start_timestamp`` when read).
    """

    case: npt.NDArray[np.int64]
    cases: npt.NDArray[Any]
    activity: npt.NDArray[np.int64]
    activities: tuple[str, ...]
    time: npt.NDArray[Any]
    resource: npt.NDArray[np.int64] | None
    resources: tuple[str, ...]
    source: str
    start: npt.NDArray[Any] | None = None
    columns: Mapping[str, str | None] = {}
    #: ``datetime`` when ``time`` is microseconds, ``number`` for a numeric
    #: column (its own units), ``row`` when the log was read without times.
    time_kind: str = "datetime"
    #: Segment codes (int64, -1 where missing) when a segment column was read.
    segment: npt.NDArray[np.int64] | None = None
    segments: tuple[str, ...] = ()

    def subset(self, keep: npt.NDArray[np.bool_]) -> EventColumns:
        """The events where ``keep`` is True.

        Activities and resources are numbered again by first appearance among
        the events kept, as a log of those events alone would number them;
        case and segment codes are left as they are.
        """
        import attrs

        def take(values: Any) -> Any:
            return None if values is None else values[keep]

        activity, activities = _renumber(self.activity[keep], self.activities)
        resource, resources = self.resource, self.resources
        if resource is not None:
            resource, resources = _renumber(resource[keep], resources)
        return attrs.evolve(
            self,
            case=self.case[keep],
            activity=activity,
            activities=activities,
            time=self.time[keep],
            resource=resource,
            resources=resources,
            start=take(self.start),
            segment=take(self.segment),
        )

    def __len__(self) -> int:
        return int(self.case.shape[0])

    def order(self) -> npt.NDArray[np.intp]:
        """Event positions sorted by case, then time; ties keep input order.

        The same positions as a stable ``np.lexsort((time, case))``, found
        faster by :func:`case_time_order`. An interval log (with ``start``)
        is sorted by case, then start, then end time (pm4py's rule).

        Examples
        --------
        >>> import numpy as np
        >>> cols = EventColumns(case=np.array([0, 1, 0]), cases=np.array(["a", "b"]),
        ...     activity=np.array([0, 0, 1]), activities=("x", "y"),
        ...     time=np.array([5, 1, 5]), resource=None, resources=(), source="log")
        >>> cols.order().tolist()
        [0, 2, 1]
        """
        if self.start is not None:
            return np.lexsort((self.time, self.start, self.case))
        return case_time_order(self.case, self.time)


def _renumber(
    codes: npt.NDArray[np.int64], names: tuple[str, ...]
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Codes numbered 0, 1, ... by first appearance, and their names (-1 stays -1)."""
    n = codes.shape[0]
    first = np.full(len(names), n, dtype=np.int64)
    valid = codes >= 0
    np.minimum.at(first, codes[valid], np.flatnonzero(valid))
    present = np.flatnonzero(first < n)
    present = present[np.argsort(first[present], kind="stable")]
    new = np.full(len(names) + 1, -1, dtype=np.int64)
    new[present] = np.arange(present.shape[0])
    return new[codes], tuple(names[i] for i in present.tolist())


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
        if "" in resources:
            # An empty resource is none (a CSV file reads it as missing too).
            res_codes, resources = _without_empty(res_codes, resources)
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


def _without_empty(
    codes: npt.NDArray[np.int64], names: tuple[str, ...]
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Codes with the name ``""`` made missing (-1), the names after it moved down."""
    gone = names.index("")
    out = np.where(codes == gone, -1, codes)
    out = np.where(out > gone, out - 1, out)
    return out, names[:gone] + names[gone + 1 :]


def _check_nulls(codes: npt.NDArray[np.int64], keyword: str, column: str) -> None:
    missing = codes < 0
    if missing.any():
        raise null_error(keyword, column, int(missing.sum()), int(np.argmax(missing)))


def factorize(values: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any]]:
    """Codes (int64, -1 for missing) numbered by first appearance, and the labels.

    Arrow arrays, and pandas columns of text held by arrow (pandas' ``str``
    and ``string[pyarrow]``), are dictionary-encoded by arrow; anything else goes through
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
    arrow = _arrow_text(values) if mod == "pandas" else None
    if arrow is not None:
        # Text held by arrow (pandas' default ``str`` columns, ``string[pyarrow]``):
        # arrow encodes it in place, without pandas' copies of codes and labels.
        return _factorize_arrow(arrow)
    if mod == "pandas" or _has("pandas"):
        import pandas as pd

        codes, uniques = pd.factorize(values)
        return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)
    return _factorize_numpy(np.asarray(values, dtype=object))


def _arrow_text(values: Any) -> Any:
    """The arrow array of a pandas Series or array of arrow-backed text, else None."""
    dtype = getattr(values, "dtype", None)
    if getattr(dtype, "storage", None) != "pyarrow" and "[pyarrow]" not in str(dtype):
        return None
    import pyarrow as pa

    try:
        arrow = pa.array(values, from_pandas=True)  # no copy: the arrow array pandas holds
    except (pa.ArrowException, TypeError, ValueError):  # pragma: no cover - pandas changed
        return None
    return arrow if pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type) else None


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
    # Indices without nulls are read as they are (int32) and widened once.
    codes = np.concatenate(
        [(c.indices.fill_null(-1) if c.null_count else c.indices).to_numpy() for c in chunks],
        dtype=np.int64,
    )
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
