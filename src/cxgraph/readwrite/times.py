"""Timestamps of an event log: one grammar for text, microseconds since 1970 UTC.

Split from :mod:`cxgraph.readwrite.columns` (which keeps the grammar and the
errors); every engine of ``discover`` reads times by these rules.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from cxgraph.readwrite.columns import (
    _EPOCH,
    _INT64_MAX,
    _US,
    ISO_TIME,
    ISO_ZONED,
    OUT_OF_RANGE,
    _has,
    _is_missing,
    timestamp_error,
    zone_mix_error,
)

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["time_kind", "timestamps"]


def timestamps(values: Any, column: str) -> npt.NDArray[Any]:
    """Timestamps as int64 microseconds since 1970 UTC (numbers stay numbers).

    Text is read by one grammar, :data:`ISO_TIME`, on every engine; times with
    a UTC offset convert to UTC, times without are taken as they are, and a
    column may not mix the two. Date-time columns are floored to the
    microsecond. A numeric column keeps its numbers (integers exactly).

    Raises
    ------
    EventLogError
        Naming the first timestamp that is missing, cannot be read or is out
        of range (and how many); the first of the rarer kind when text times
        with and without an offset mix; or a column that holds no times
        (lists, booleans, ...).

    Examples
    --------
    >>> timestamps(["2024-05-01T10:00Z", "2024-05-01T12:00+02:00"], "t").tolist()
    [1714557600000000, 1714557600000000]
    >>> timestamps(["2024-05-01T10:00", "2024-05-01T10:00+02:00"], "t")
    Traceback (most recent call last):
    ...
    cxgraph.readwrite.columns.EventLogError: timestamp='t': 1 time has a UTC offset and 1 has none; the first with one is '2024-05-01T10:00+02:00' at row 1 (rows count from 0): a time without an offset cannot be ordered against one with; give every time an offset (such as +02:00 or Z), or none
    """  # noqa: E501
    mod = type(values).__module__.split(".")[0]
    if mod != "pyarrow" and _has("pyarrow"):
        # Frames and XES text go through arrow too: one set of rules, and the fast parser.
        arrow = _as_arrow(values)
        if arrow is not None:
            return _times_arrow(arrow, column)
    if mod == "pyarrow":
        return _times_arrow(values, column)
    return _times_objects(list(values), column)


def time_kind(values: Any) -> str:
    """``number`` when a timestamp column holds numbers, else ``datetime``.

    Numbers only order events; text and date-time columns are times.

    Examples
    --------
    >>> time_kind(np.array([1, 2])), time_kind(["2024-05-01T10:00Z"])
    ('number', 'datetime')
    """
    t = getattr(values, "type", None)
    if type(values).__module__.split(".")[0] == "pyarrow" and t is not None:
        import pyarrow as pa

        if pa.types.is_dictionary(t):
            t = t.value_type
        numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
        return "number" if numeric else "datetime"
    kind = getattr(getattr(values, "dtype", None), "kind", "O")
    if kind in "iuf":
        return "number"
    if kind == "O":
        for v in values:
            if v is None or (isinstance(v, float) and v != v):
                continue
            plain = isinstance(v, int | float | np.integer | np.floating)
            return "number" if plain and not isinstance(v, bool | np.bool_) else "datetime"
    return "datetime"


def _as_arrow(values: Any) -> Any:
    import pyarrow as pa

    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None  # mixed Python objects: read one by one


def _times_arrow(values: Any, column: str) -> npt.NDArray[Any]:
    import pyarrow as pa

    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    t = values.type
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return _numbers(values, column)
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return _micros(values, column)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        # Arrow parses ISO 8601 fast, but only all-with-offset or all-without;
        # a mix, or anything stranger, is looked at row by row.
        for target in (pa.timestamp("us", tz="UTC"), pa.timestamp("us")):
            try:
                us = values.cast(target).cast(pa.int64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            return _checked_ints(us, column)
        return _texts_checked(values, column)
    # Anything else (string views, nulls; lists and such are refused before
    # this by the readers' check of kinds) is read value by value.
    return _times_objects(values.to_pylist(), column)


def _missing_mask(values: Any) -> npt.NDArray[np.bool_] | None:
    if not values.null_count:
        return None
    return np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _checked_ints(us: Any, column: str) -> npt.NDArray[np.int64]:
    missing = _missing_mask(us)
    if missing is not None:
        raise timestamp_error(column, int(missing.sum()), int(np.argmax(missing)), None)
    return np.asarray(us.to_numpy(), dtype=np.int64)


def _numbers(values: Any, column: str) -> npt.NDArray[Any]:
    """Numbers as they are: integers exactly, floats as floats (integral ones as integers)."""
    import pyarrow as pa

    t = values.type
    missing = _missing_mask(values)
    if pa.types.is_integer(t):
        if missing is not None:
            raise timestamp_error(column, int(missing.sum()), int(np.argmax(missing)), None)
        ints = np.asarray(values.to_numpy())
        if ints.dtype == np.uint64 and ints.max(initial=0) > _INT64_MAX:
            return ints  # too large for int64: ordered as they are
        return ints.astype(np.int64, copy=False)
    if pa.types.is_decimal(t):
        values = values.cast(pa.float64())
    arr = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    nan = np.isnan(arr)  # a null is NaN here too
    if nan.any():
        raise timestamp_error(column, int(nan.sum()), int(np.argmax(nan)), None)
    return _integral(arr)


def _integral(arr: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
    if np.array_equal(arr, np.floor(arr)) and np.abs(arr).max(initial=0) < 2**53:
        return arr.astype(np.int64)
    return arr


#: Microseconds per unit of an arrow date-time type.
_UNIT_US = {"s": 10**6, "ms": 1000, "us": 1, "day": 86_400 * 10**6}


def _micros(values: Any, column: str) -> npt.NDArray[np.int64]:
    """A date-time column as microseconds: floored from nanoseconds, checked for range."""
    import pyarrow as pa

    t = values.type
    if pa.types.is_date32(t):
        unit, raw = "day", values.cast(pa.int32()).cast(pa.int64())
    elif pa.types.is_date64(t):
        unit, raw = "ms", values.cast(pa.int64())
    else:
        unit, raw = t.unit, values.cast(pa.int64())
    missing = _missing_mask(raw)
    arr = np.asarray(raw.fill_null(0).to_numpy(), dtype=np.int64)
    if unit == "ns":
        return_us = np.floor_divide(arr, 1000)
        far = None
    else:
        factor = _UNIT_US[unit]
        limit = _INT64_MAX // factor
        far = (arr > limit) | (arr < -limit) if factor > 1 else None
        return_us = np.where(far, 0, arr) * factor if far is not None else arr
    bad = missing if far is None else (far if missing is None else far | missing)
    if bad is not None and bad.any():
        row = int(np.argmax(bad))
        value = None if missing is not None and missing[row] else OUT_OF_RANGE
        raise timestamp_error(column, int(bad.sum()), row, value)
    return np.asarray(return_us, dtype=np.int64)


def _texts_checked(values: Any, column: str) -> npt.NDArray[np.int64]:
    """Text times row by row: the grammar, then arrow (or pandas), then no mix of kinds."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()

    def matches(pattern: str) -> npt.NDArray[np.bool_]:
        hit = pc.match_substring_regex(values, f"^(?:{pattern})$").fill_null(False)
        return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)

    ok, zoned = matches(ISO_TIME), matches(ISO_ZONED)
    # Fractions past the microsecond are cut, as every engine cuts them.
    cut = pc.replace_substring_regex(values, r"(\.[0-9]{6})[0-9]+", r"\1")
    us = np.zeros(len(values), dtype=np.int64)
    parsed = np.zeros(len(values), dtype=bool)
    for mask, tz in ((zoned, "UTC"), (ok & ~zoned, None)):
        rows = np.flatnonzero(mask)
        if not rows.shape[0]:
            continue
        part = cut.filter(pa.array(mask))
        try:
            got = np.asarray(part.cast(pa.timestamp("us", tz=tz)).cast(pa.int64()).to_numpy())
            good = np.ones(rows.shape[0], dtype=bool)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a day that does not exist
            got, good = _parse_texts(part.to_pylist())
        us[rows] = got
        parsed[rows[good]] = True
    texts = values.to_pylist() if not parsed.all() or zoned.any() else []
    return _checked_texts(us, parsed, zoned, texts, column)


def _checked_texts(
    us: npt.NDArray[np.int64],
    parsed: npt.NDArray[np.bool_],
    zoned: npt.NDArray[np.bool_],
    texts: list[Any],
    column: str,
) -> npt.NDArray[np.int64]:
    """Raise for the first text not read, then for a mix of kinds; else the times."""
    if not parsed.all():
        bad = ~parsed
        row = int(np.argmax(bad))
        raise timestamp_error(column, int(bad.sum()), row, texts[row])
    naive = ~zoned
    if zoned.any() and naive.any():
        z, n = int(np.argmax(zoned)), int(np.argmax(naive))
        raise zone_mix_error(
            column, (int(zoned.sum()), z, texts[z]), (int(naive.sum()), n, texts[n])
        )
    return us


def _parse_texts(texts: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Microseconds of ISO 8601 texts (already matched to the grammar) and which were read."""
    import re

    texts = [re.sub(r"(\.[0-9]{6})[0-9]+", r"\1", text) for text in texts]
    if _has("pandas"):
        import pandas as pd

        parsed = pd.to_datetime(pd.Series(texts, dtype=object), utc=True, format="ISO8601",
                                errors="coerce")  # fmt: skip
        good = ~parsed.isna().to_numpy()
        us = parsed.dt.as_unit("us").to_numpy("int64", na_value=0)
        return np.asarray(us, dtype=np.int64), good
    out = np.zeros(len(texts), dtype=np.int64)
    ok = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        with contextlib.suppress(ValueError):
            out[i], ok[i] = _micros_of(datetime.fromisoformat(text)), True
    return out, ok


def _micros_of(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - _EPOCH) // _US


def _times_objects(items: list[Any], column: str) -> npt.NDArray[Any]:
    """Timestamps from Python objects, one by one: text by the grammar, datetimes as they
    are, numbers when all are numbers (for logs arrow cannot take, or without arrow)."""
    import re

    if items and all(isinstance(v, int | float) and not isinstance(v, bool) for v in items):
        arr = np.asarray(items, dtype=np.float64)
        if all(isinstance(v, int) for v in items) and np.abs(arr).max() < 2**63:
            return np.asarray(items, dtype=np.int64)
        nan = np.isnan(arr)
        if nan.any():
            raise timestamp_error(column, int(nan.sum()), int(np.argmax(nan)), None)
        return _integral(arr)
    grammar, with_zone = re.compile(ISO_TIME), re.compile(ISO_ZONED)
    n = len(items)
    us = np.zeros(n, dtype=np.int64)
    parsed = np.zeros(n, dtype=bool)
    zoned = np.zeros(n, dtype=bool)
    text_rows: list[int] = []
    for i, v in enumerate(items):
        if isinstance(v, str):
            if grammar.fullmatch(v):
                text_rows.append(i)
                zoned[i] = with_zone.fullmatch(v) is not None
        elif isinstance(v, datetime) and not _is_missing(v):
            us[i], parsed[i], zoned[i] = _micros_of(v), True, v.tzinfo is not None
    if text_rows:
        got, good = _parse_texts([items[i] for i in text_rows])
        rows = np.array(text_rows, dtype=np.intp)
        us[rows] = got
        parsed[rows[good]] = True
    texts = [None if _is_missing(v) else v for v in items]
    return _checked_texts(us, parsed, zoned, texts, column)
