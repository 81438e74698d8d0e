"""Conversion paths from a raw touch log (``cx.paths_from_events``).

A touch log has one row per touch: a case (a customer, a session), the
channel touched and when. It is read as :func:`cxgraph.discover` reads an
event log (:func:`cxgraph.readwrite.eventlog.read_events`: pandas, polars,
pyarrow, CSV, Parquet, XES), the channel column playing the activity's role.
Column defaults and detection are discover's; the channel column, left at
its default ``channel``, is the column of that name in any case of letters,
and otherwise the activity column discover would find (``concept:name``, or
one of ``activity``, ``event``, ``action``, ``step``, ``touchpoint``).

Rules:

- Each case's rows are taken in time order (ties keep input order), and the
  cases in order of first appearance: one :class:`PathRow` per case, with 1
  conversion or 0, ``nulls`` 1 minus that, and ``times`` the touch times in
  seconds since 1970-01-01 UTC (a numeric time column is taken as seconds;
  with ``timestamp=None`` the rows keep the file's order and ``times`` is None).
- ``conversion`` names a boolean column, or else is a value of the channel
  column. As a value: rows with it are no touches and mark the case
  converted; one conversion per case, and touches after the first
  conversion are dropped. As a column: every row is a touch, and the case
  converts when any of its rows is true (``true``, ``false``, ``1``, ``0``,
  ``yes``, ``no`` in any case of letters, or booleans and numbers 0 and 1;
  a missing field is false). None: no case converts.
- ``value`` names a numeric column, summed over all of a case's rows (a
  missing field counts 0). The value belongs to the conversion: a case that
  does not convert has value 0, and a warning counts the cases whose value
  was so left out.
- A case with no touch (only conversion rows) gives no path: it is dropped,
  with a :class:`~cxgraph.errors.CxgraphWarning` counting such cases and
  their conversions.

Examples
--------
>>> import pandas as pd
>>> log = pd.DataFrame({
...     "case:concept:name": ["u1", "u1", "u1", "u2"],
...     "channel": ["search", "email", "purchase", "email"],
...     "time:timestamp": ["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-02"],
... })
>>> data = paths_from_events(log, conversion="purchase")
>>> [(r.path, r.conversions, r.nulls) for r in data]
[(('search', 'email'), 1.0, 0.0), (('email',), 0.0, 1.0)]
>>> data.rows[0].times
(1704067200.0, 1704240000.0)
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxgraph.attribution.path_tables import PathDataError, _num
from cxgraph.attribution.paths import PathData, PathRow
from cxgraph.errors import CxgraphWarning

if TYPE_CHECKING:
    from cxgraph.readwrite.columns import EventColumns

__all__ = ["paths_from_events"]

#: The channel column asked for by default.
DEFAULT_CHANNEL = "channel"
_TRUE = frozenset({"true", "1", "yes", "y", "t", "1.0"})
_FALSE = frozenset({"false", "0", "no", "n", "f", "0.0", ""})


def paths_from_events(
    events: Any,
    *,
    case: str = "case:concept:name",
    channel: str = DEFAULT_CHANNEL,
    timestamp: str | None = "time:timestamp",
    conversion: str | None = None,
    value: str | None = None,
) -> PathData:
    """Read a touch log into conversion paths, one row per case.

    Parameters
    ----------
    events
        A pandas or polars DataFrame, a pyarrow Table, or a path to a
        ``.csv``, ``.parquet``, ``.xes`` or ``.xes.gz`` file.
    case, timestamp
        The columns of case ids and touch times, as :func:`cxgraph.discover`
        takes them (left at their defaults, the usual names are found).
    channel
        The column of channels (the activity role; see the module docs).
    conversion
        A boolean column, or else a value of the channel column that marks a
        conversion (see the module docs); None: no case converts.
    value
        A numeric column of conversion value, summed over a case's rows.

    Returns
    -------
    PathData
        One row per case with a touch, in order of first appearance, with
        touch ``times``; ``channels`` sorted.

    Raises
    ------
    EventLogError
        As :func:`~cxgraph.readwrite.eventlog.read_events` (a missing or
        ambiguous column, named with ``channel=`` for the channels; a
        missing case or channel; a timestamp that cannot be read).
    PathDataError
        If ``conversion`` is neither a column nor a channel value, ``value``
        is no column, a conversion or value field cannot be read (every
        such row listed), or no case has a touch.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case": [1, 1, 2], "channel": ["ad", "shop", "ad"],
    ...                     "time": [10, 20, 5], "bought": [False, True, False],
    ...                     "amount": [0, 30, 0]})
    >>> data = paths_from_events(log, conversion="bought", value="amount")
    >>> [(r.path, r.conversions, r.value, r.times) for r in data]
    [(('ad', 'shop'), 1.0, 30.0, (10.0, 20.0)), (('ad',), 0.0, 0.0, (5.0,))]
    """
    from cxgraph.readwrite import eventlog as EL

    kind = EL.log_kind(events)
    found = _found(events, kind)
    activity = _channel_column(channel, found)
    try:
        cols = EL.read_events(
            events, case=case, activity=activity, timestamp=timestamp, resource=None
        )
    except EL.MissingColumnError as exc:
        text = str(exc).replace("activity=", "channel=").replace("the activities", "the channels")
        raise EL.EventLogError(text) from None
    source = cols.source
    n = int(cols.case.shape[0])
    flags: Any = None
    conv_code = -1
    if conversion is not None:
        if conversion in found and conversion not in (cols.columns.get("activity"),):
            flags = _booleans(_column(events, kind, conversion), conversion, source)
        elif conversion in cols.activities:
            conv_code = cols.activities.index(conversion)
        else:
            from cxgraph._util.text import choices_text

            msg = (
                f"conversion={conversion!r}: neither a column of the touch log "
                f"{choices_text(conversion, found, word='columns')} nor a value of the "
                f"channel column {cols.columns.get('activity')!r} "
                f"{choices_text(conversion, cols.activities, word='values')}"
            )
            raise PathDataError(msg)
    amounts: list[float] = [0.0] * n
    if value is not None:
        if value not in found:
            from cxgraph._util.text import choices_text

            msg = (
                f"value={value!r}: no such column in the touch log "
                f"{choices_text(value, found, word='columns')}"
            )
            raise PathDataError(msg)
        amounts = _amounts(_column(events, kind, value), value, source)
    return _build(cols, flags, conv_code, amounts, source)


def _build(cols: EventColumns, flags: Any, conv_code: int, amounts: Any, source: str) -> PathData:
    """One row per case from the read columns (see the module docs)."""
    import numpy as np

    order = cols.order()
    case_sorted = cols.case[order]
    cuts = np.flatnonzero(np.diff(case_sorted)) + 1
    seconds: list[float] | None = None
    if cols.time_kind == "datetime":
        seconds = (cols.time / 1e6).tolist()
    elif cols.time_kind == "number":
        seconds = np.asarray(cols.time, dtype=np.float64).tolist()
    activity = cols.activity.tolist()
    names = cols.activities
    rows: list[PathRow] = []
    no_touch = no_touch_conv = lost_value = 0
    for block in np.split(order, cuts) if order.size else ():
        idx = block.tolist()
        if flags is not None:
            touches = idx
            converted = any(bool(flags[i]) for i in idx)
        else:
            at = [j for j, i in enumerate(idx) if activity[i] == conv_code]
            converted = bool(at)
            touches = idx[: at[0]] if at else idx
        amount = math.fsum(float(amounts[i]) for i in idx)
        if not converted and amount > 0:
            lost_value += 1
            amount = 0.0
        if not touches:
            no_touch += 1
            no_touch_conv += int(converted)
            continue
        rows.append(
            PathRow(
                path=tuple(names[activity[i]] for i in touches),
                conversions=1.0 if converted else 0.0,
                value=amount,
                nulls=0.0 if converted else 1.0,
                times=None if seconds is None else tuple(seconds[i] for i in touches),
            )
        )
    if not rows:
        msg = f"the touch log {source} has no case with a touch: expected rows of channels"
        raise PathDataError(msg)
    if no_touch:
        warnings.warn(
            f"paths_from_events(): {no_touch} case{'s' if no_touch != 1 else ''} of the "
            f"touch log {source} had no touch, only conversion rows, and gave no path "
            f"({no_touch_conv} conversion{'s' if no_touch_conv != 1 else ''} left out)",
            CxgraphWarning,
            stacklevel=3,
        )
    if lost_value:
        warnings.warn(
            f"paths_from_events(): {lost_value} case{'s' if lost_value != 1 else ''} of the "
            f"touch log {source} had value but no conversion; a path's value is the value "
            "of its conversion, so theirs counts 0",
            CxgraphWarning,
            stacklevel=3,
        )
    conv = [r.conversions for r in rows]
    return PathData(
        findings=tuple(rows),
        channels=tuple(sorted({c for r in rows for c in r.path})),
        total_conversions=math.fsum(conv),
        total_value=math.fsum(r.value for r in rows),
        total_nulls=math.fsum(r.nulls for r in rows),
        source=source,
    )


def _channel_column(channel: str, found: list[str]) -> str:
    """The column asked for the activity role (see the module docs)."""
    from cxgraph.readwrite.columns import DEFAULT_ACTIVITY

    if not isinstance(channel, str):
        msg = f"channel={channel!r}: expected a column name"  # type: ignore[unreachable]
        raise PathDataError(msg)
    if channel != DEFAULT_CHANNEL or channel in found:
        return channel
    same = [c for c in found if c.strip().lower() == DEFAULT_CHANNEL]
    return same[0] if len(same) == 1 else DEFAULT_ACTIVITY


def _found(events: Any, kind: str) -> list[str]:
    """The touch log's column names."""
    from cxgraph.readwrite import eventlog as EL
    from cxgraph.readwrite.xes import read_xes

    if kind == "csv":
        return list(EL.csv_header(Path(events))[0])
    if kind == "parquet":
        return EL.parquet_columns(Path(events))
    if kind == "xes":
        return read_xes(Path(events), [])[1]
    return EL.frame_columns(events, kind)


def _column(events: Any, kind: str, column: str) -> list[Any]:
    """One column's values as Python objects, in row order."""
    from cxgraph.readwrite import eventlog as EL
    from cxgraph.readwrite.xes import read_xes

    if kind == "csv":
        path = Path(events)
        delimiter = EL.csv_header(path)[1]
        got = EL.read_csv_columns(path, [column], delimiter)[column]
        return list(got.to_pylist() if hasattr(got, "to_pylist") else got.tolist())
    if kind == "parquet":
        pq = EL.require("pyarrow.parquet", "pandas", "reading Parquet event logs")
        return list(pq.read_table(events, columns=[column]).column(column).to_pylist())
    if kind == "xes":
        return read_xes(Path(events), [column])[0][column]
    if kind == "arrow":
        return list(events.column(column).to_pylist())
    if kind == "polars":
        return list(events[column].to_list())
    return list(events[column].tolist())


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _booleans(values: list[Any], column: str, source: str) -> list[bool]:
    out: list[bool] = []
    bad: list[str] = []
    for i, x in enumerate(values):
        if _missing(x):
            out.append(False)
            continue
        text = str(x).strip().lower() if not isinstance(x, bool) else str(x).lower()
        if text in _TRUE:
            out.append(True)
        elif text in _FALSE:
            out.append(False)
        else:
            out.append(False)
            bad.append(f"row {i}: {x!r}")
    if bad:
        raise _problems(column, "conversion", "true or false (or 1 or 0, yes or no)", bad, source)
    return out


def _amounts(values: list[Any], column: str, source: str) -> list[float]:
    out: list[float] = []
    bad: list[str] = []
    for i, x in enumerate(values):
        if _missing(x) or (isinstance(x, str) and not x.strip()):
            out.append(0.0)
            continue
        try:
            number = float(x) if not isinstance(x, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            out.append(0.0)
            bad.append(f"row {i}: {x!r}" if math.isnan(number) else f"row {i}: {_num(number)}")
        else:
            out.append(number)
    if bad:
        raise _problems(column, "value", "a number, 0 or more", bad, source)
    return out


def _problems(column: str, keyword: str, expected: str, bad: list[str], source: str) -> Exception:
    shown = bad[:5] + ([f"... and {len(bad) - 5} more"] if len(bad) > 5 else [])
    head = (
        f"{keyword}={column!r}: {len(bad)} field{'s' if len(bad) != 1 else ''} of the "
        f"touch log {source} cannot be read, expected {expected} (rows count from 0):"
    )
    return PathDataError("\n".join([head, *shown]))
