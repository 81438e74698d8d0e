"""Reading conversion-path tables (frames, Arrow, CSV).

Columns, channel lists, numbers, and the errors they raise.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxgraph._util.text import choices_text, describe
from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]


__all__ = ["PathDataError"]

#: Step ids of the journey made from paths; a channel whose slug is one of
#: them gets ``-2``.
START, CONVERSION, NULL = "start", "conversion", "null"
#: Delimiters a CSV header may use (the most frequent one wins, ties in this order).
CSV_DELIMITERS = (",", ";", "\t", "|")
#: How many broken rows an error message lists before "... and N more".
SHOW_PROBLEMS = 20

_DEFAULTS = {
    "path": "path",
    "conversions": "total_conversions",
    "value": "total_conversion_value",
    "nulls": "total_null",
}


class PathDataError(CxgraphError, ValueError):
    """Conversion-path data cannot be read: a missing column or a broken row."""


class _Reader:
    """Columns of one kind of table, by name; numeric ones as float arrays when
    the table already stores numbers, else as a list of Python values."""

    def __init__(self, source: str, columns: list[str], n_rows: int, get: Any) -> None:
        self.source = source
        self.columns = columns
        self.n_rows = n_rows
        self._get = get

    def column(self, name: str, *, numeric: bool) -> Any:
        return self._get(name, numeric)


def _reader(table: Any) -> _Reader:
    """A reader for any of the kinds of table :func:`paths` accepts."""
    import numpy as np

    mod = type(table).__module__.split(".")[0]
    kind = type(table).__name__
    if mod == "pandas" and kind == "DataFrame":

        def get_pandas(name: str, numeric: bool) -> Any:
            s = table[name]
            if numeric and s.dtype.kind in "iuf":
                return s.to_numpy(dtype=np.float64, na_value=np.nan)
            return s.tolist()

        cols = [str(c) for c in table.columns]
        return _Reader("(a pandas DataFrame)", cols, len(table), get_pandas)
    if mod == "polars" and kind == "DataFrame":

        def get_polars(name: str, numeric: bool) -> Any:
            s = table.get_column(name)
            if numeric and s.dtype.is_numeric():
                import polars as pl

                return s.cast(pl.Float64).fill_null(float("nan")).to_numpy()
            return s.to_list()

        return _Reader("(a polars DataFrame)", list(table.columns), table.height, get_polars)
    if mod == "pyarrow" and kind in ("Table", "RecordBatch"):

        def get_arrow(name: str, numeric: bool) -> Any:
            import pyarrow as pa
            import pyarrow.compute as pc

            c = table.column(name)
            if numeric and (pa.types.is_integer(c.type) or pa.types.is_floating(c.type)):
                filled = pc.fill_null(c.cast(pa.float64()), float("nan"))
                return np.asarray(filled.to_numpy(), dtype=np.float64)
            return c.to_pylist()

        return _Reader("(a pyarrow Table)", list(table.schema.names), table.num_rows, get_arrow)
    if isinstance(table, str | os.PathLike):
        return _csv_reader(Path(table))
    if isinstance(table, Sequence) and all(isinstance(r, Mapping) for r in table):
        rows: Sequence[Mapping[str, Any]] = table
        cols = list(dict.fromkeys(str(k) for r in rows for k in r))

        def get_rows(name: str, numeric: bool) -> Any:
            return [r.get(name) for r in rows]

        return _Reader("(a list of rows)", cols, len(rows), get_rows)
    msg = (
        "paths() reads a pandas or polars DataFrame, a pyarrow Table, a list of dicts "
        f"or a path to a CSV file; got {type(table).__name__} ({describe(table)})"
    )
    raise TypeError(msg)


def _csv_reader(path: Path) -> _Reader:
    """Read a CSV file as text; the delimiter is the one the header holds most of."""
    source = repr(os.fspath(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        msg = f"the path data {source} is not UTF-8 text: {exc}"
        raise PathDataError(msg) from exc
    head = text.split("\n", 1)[0]
    if not head.strip():
        msg = f"the path data {source} is empty: expected a header row of column names"
        raise PathDataError(msg)
    delimiter = max(CSV_DELIMITERS, key=head.count)
    try:
        records = [r for r in csv.reader(text.splitlines(), delimiter=delimiter) if r]
    except csv.Error as exc:
        msg = f"cannot read the path data {source} as CSV: {exc}"
        raise PathDataError(msg) from exc
    header, body = [h.strip() for h in records[0]], records[1:]
    where = {h: i for i, h in reversed(list(enumerate(header)))}

    def get_csv(name: str, numeric: bool) -> Any:
        i = where[name]
        return [r[i] if i < len(r) and r[i] != "" else None for r in body]

    return _Reader(source, header, len(body), get_csv)


def _resolve(reader: _Reader, asked: Mapping[str, str | None]) -> dict[str, str | None]:
    """The columns to read; a default ``value`` or ``nulls`` column may be absent."""
    have = set(reader.columns)
    wanted: dict[str, str | None] = {}
    missing = []
    for keyword, column in asked.items():
        if column is None or column in have:
            wanted[keyword] = column
        elif keyword in ("value", "nulls") and column == _DEFAULTS[keyword]:
            wanted[keyword] = None
        else:
            missing.append(
                f"{keyword}={column!r}: no such column in the path data {reader.source} "
                f"{choices_text(column, reader.columns, word='columns')}"
            )
    if missing:
        raise PathDataError("\n".join(missing))
    return wanted


def _split(
    values: list[Any], sep: str, column: str, problems: list[tuple[int, int, str]]
) -> tuple[list[str], list[int]]:
    """Every path's channels, stripped, one after another, and each path's length."""
    where = f"path={column!r}"
    if not all(type(v) is str for v in values):
        for i, v in enumerate(values):
            if type(v) is str:
                continue
            if isinstance(v, str):
                values[i] = str(v)
            elif v is None or (isinstance(v, float) and v != v):
                problems.append((i, 0, f"row {i}, {where}: no path (empty or null)"))
                values[i] = "?"
            else:
                problems.append(
                    (i, 0, f"row {i}, {where}: {describe(v)} is not a path of channel names")
                )
                values[i] = "?"
    # One split of all paths joined: much faster than one split per row.
    lengths = [v.count(sep) + 1 for v in values]
    tokens = [t.strip() for t in sep.join(values).split(sep)]
    if "" in tokens:
        k = 0
        for i, n in enumerate(lengths):
            if "" in tokens[k : k + n]:
                v = values[i]
                if not v.strip():
                    text = "empty path: a path names at least one channel, such as 'search > email'"
                else:
                    shown = v if len(v) <= 60 else v[:57] + "..."
                    text = (
                        f"empty channel in {shown!r}: each {sep!r} must stand between "
                        "two channel names"
                    )
                problems.append((i, 0, f"row {i}, {where}: {text}"))
            k += n
    return tokens, lengths


def _numbers(
    values: Any, keyword: str, column: str, order: int, problems: list[tuple[int, int, str]]
) -> FloatArray:
    """A column as floats; bad entries are reported and read as 0."""
    import numpy as np

    where = f"{keyword}={column!r}"
    if isinstance(values, np.ndarray):
        out = np.array(values, dtype=np.float64)
    else:
        out = np.zeros(len(values))
        for i, v in enumerate(values):
            x = _number(v)
            if x is None:
                problems.append((i, order, f"row {i}, {where}: {describe(v)} is not a number"))
            else:
                out[i] = x
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        what = "value" if keyword == "value" else "count"
        for i in np.flatnonzero(bad).tolist():
            x = float(out[i])
            if x != x:
                text = "no value (empty, null or NaN): fill it in or drop the row"
            elif math.isinf(x):
                text = f"{x} is not a finite number"
            else:
                text = f"negative {what} {_num(x)}: expected a number, 0 or more"
            problems.append((i, order, f"row {i}, {where}: {text}"))
            out[i] = 0.0
    return out


def _number(v: Any) -> float | None:
    """A value as a float (NaN for missing), or None if it is no number."""
    if v is None:
        return math.nan
    if isinstance(v, bool):
        return None
    if isinstance(v, str):
        text = v.strip()
        if not text:
            return math.nan
        try:
            return float(text)
        except ValueError:
            return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _problems_error(problems: list[tuple[int, int, str]], source: str) -> PathDataError:
    problems.sort(key=lambda p: (p[0], p[1]))
    n = len(problems)
    lines = [p[2] for p in problems[:SHOW_PROBLEMS]]
    if n > SHOW_PROBLEMS:
        lines.append(f"... and {n - SHOW_PROBLEMS} more")
    head = f"{n} problem{'s' if n != 1 else ''} in the path data {source}, rows count from 0:"
    return PathDataError("\n".join([head, *lines]))


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else f"{x:.6g}"
