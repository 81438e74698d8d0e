"""Journeys from conversion paths: which channels earn the conversions.

Conversion-path data is the layout of the ChannelAttribution package: one row
per path, the channels a customer met in order (``"search > email > direct"``),
how many journeys along it converted (``total_conversions``), the value of
those conversions (``total_conversion_value``) and how many did not convert
(``total_null``). :func:`paths` reads such a table into :class:`PathData`,
:meth:`PathData.to_journey` turns it into a journey (the first-order Markov
chain of the paths), and :func:`attribution` shares the conversions and their
value out among the channels.

Reading rules:

- The table is a pandas or polars DataFrame, a pyarrow Table, a list of dicts
  (one per row) or a path to a CSV file. The CSV delimiter is the one the
  header line holds most of among ``,``, ``;``, tab and ``|`` (ties go to
  that order), the rule event logs follow; fields are read as text, an empty
  field is missing. Rows count from 0 in messages (a CSV header is no row;
  blank lines are skipped).
- Paths split on ``sep`` (``>`` by default); spaces around separators and
  channel names do not count, so ``"a > b"`` and ``"a>b"`` are the same path.
  A repeat (``"a > a"``) is kept: two touches of ``a``.
- Conversions (and nulls) are counts, value an amount: numbers 0 or more,
  whole or not. The ``value`` and ``nulls`` columns may be absent under their
  default names (then 0 on every row); a column named explicitly must exist,
  and None ignores it. A row may not have value without conversions.
- Every problem in the rows is collected and raised once, naming the row,
  the column and the value.

Attribution models (``model=``):

- ``first_touch``: a path's conversions and value go to its first channel;
- ``last_touch``: to its last channel;
- ``linear``: each touch gets ``1 / len(path)`` of them, repeats included
  (``"a > a > b"`` gives ``a`` two thirds), as ChannelAttribution does;
- ``markov``: the removal effect of each channel,
  ``1 - P(conversion without it) / P(conversion)``, in the first-order chain
  of :meth:`PathData.to_journey` (exact, from
  :func:`cxgraph.analyses.absorbing.markov`; ChannelAttribution simulates it);
  a channel gets ``total conversions * effect / sum of effects``, and the
  same share of the total value.

Rounding: amounts are floats, never rounded to whole conversions. Each
model's column is computed in floating point and then the channel with the
largest amount takes up the rounding residue (``total - math.fsum(column)``),
so every column sums to the data's total within one unit in the last place.

Examples
--------
>>> from cxgraph.analyses.crediting import attribution, paths
>>> data = paths([
...     {"path": "search > email", "total_conversions": 3, "total_null": 1},
...     {"path": "email", "total_conversions": 1, "total_null": 3},
... ])
>>> data.channels, data.total_conversions, data.total_value
(('email', 'search'), 4.0, 0.0)
>>> [(c.channel, c.conversions) for c in attribution(data, model="last_touch")]
[('email', 4.0), ('search', 0.0)]
>>> [(c.channel, round(c.conversions, 6), round(c.removal_effect, 6))
...  for c in attribution(data)]
[('email', 2.666667, 1.0), ('search', 1.333333, 0.5)]
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import field, frozen

from cxgraph import _fields as F
from cxgraph.analyses._base import AnalysisResult, record_of
from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.model import Journey

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

__all__ = [
    "MODELS",
    "Attribution",
    "ChannelCredit",
    "PathData",
    "PathDataError",
    "PathRow",
    "attribution",
    "paths",
]

#: The attribution models :func:`attribution` knows.
MODELS: tuple[str, ...] = ("first_touch", "last_touch", "linear", "markov")
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


# -- results -----------------------------------------------------------------------


@frozen(kw_only=True)
class PathRow:
    """One row of path data: the channels in order and what the path brought."""

    path: tuple[str, ...]
    conversions: float
    value: float
    nulls: float


@frozen(kw_only=True, eq=False)
class _Encoded:
    """The paths as arrays, for vectorised work: channel codes (indices into
    the sorted channels) of every touch, row after row, and per row its
    length, conversions, value and nulls."""

    codes: IntArray
    lengths: IntArray
    conversions: FloatArray
    value: FloatArray
    nulls: FloatArray

    @property
    def starts(self) -> IntArray:
        import numpy as np

        return np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.intp)


@frozen(kw_only=True, repr=False)
class PathData(AnalysisResult[PathRow]):
    """Conversion-path data: the paths as read, their totals and channels.

    Made by :func:`paths`. Iterating gives the rows (:class:`PathRow`, in
    input order; also ``rows``); ``channels`` are the channel names, sorted;
    ``total_conversions``, ``total_value`` and ``total_nulls`` the column
    sums; ``source`` says where the data came from (not part of equality:
    the same paths from a file and from a frame are equal).
    """

    name: ClassVar[str] = "paths"
    title: ClassVar[str] = "Conversion paths"

    channels: tuple[str, ...]
    total_conversions: float
    total_value: float
    total_nulls: float
    source: str = field(default="", eq=False)
    _encoded: _Encoded | None = field(default=None, eq=False, hash=False, alias="encoded")

    @property
    def rows(self) -> tuple[PathRow, ...]:
        """The rows, in input order."""
        return self.findings

    @property
    def step_ids(self) -> dict[str, str]:
        """Channel name → step id in :meth:`to_journey`.

        Ids are slugs by the rule of :func:`cxgraph.analyses.mining.slug`, given
        in channel order; a clash gets ``-2``, ``-3``, and the ids ``start``,
        ``conversion`` and ``null`` are reserved.

        Examples
        --------
        >>> paths([{"path": "Paid Search > start", "total_conversions": 1}]).step_ids
        {'Paid Search': 'paid-search', 'start': 'start-2'}
        """
        from cxgraph.analyses.mining import unique_ids

        ids = unique_ids(self.channels, reserved={START, CONVERSION, NULL})
        return dict(zip(self.channels, ids, strict=True))

    def _arrays(self) -> _Encoded:
        """The rows as arrays (made from the rows when not given)."""
        if self._encoded is not None:
            return self._encoded
        import numpy as np

        index = {c: i for i, c in enumerate(self.channels)}
        rows = self.findings
        return _Encoded(
            codes=np.array([index[c] for r in rows for c in r.path], dtype=np.intp),
            lengths=np.array([len(r.path) for r in rows], dtype=np.intp),
            conversions=np.array([r.conversions for r in rows], dtype=np.float64),
            value=np.array([r.value for r in rows], dtype=np.float64),
            nulls=np.array([r.nulls for r in rows], dtype=np.float64),
        )

    def to_journey(self) -> Journey:
        """The paths as a journey: the first-order Markov chain of the channels.

        One touchpoint ``start`` (the only entry), one touchpoint per channel
        (id from :attr:`step_ids`, name the channel), outcomes ``conversion``
        (success) and ``null`` (exit). Each path weighs ``conversions + nulls``
        on its transitions: ``start`` to its first channel, each channel to
        the next (a repeat ``a > a`` is a self-loop), and its last channel to
        ``conversion`` with weight ``conversions`` and to ``null`` with
        ``nulls``. Transitions carry the summed weight as ``probability``
        (its share of all weight out of the step) and, when every weight is
        a whole number, as ``count``; edges of weight 0 are left out. So
        ``markov(data.to_journey())`` is the first-order Markov model of the
        paths, and its conversion probability is the share of journeys that
        convert.

        Returns
        -------
        Journey
            Id ``paths``; ``extensions["paths"]`` holds the row count and the
            totals.

        Examples
        --------
        >>> from cxgraph.analyses.absorbing import markov
        >>> data = paths([{"path": "ad > ad > shop", "total_conversions": 1, "total_null": 3}])
        >>> j = data.to_journey()
        >>> [(t.source, t.target, t.count) for t in j.transitions]
        [('start', 'ad', 4), ('ad', 'ad', 4), ('ad', 'shop', 4), ('shop', 'conversion', 1), ('shop', 'null', 3)]
        >>> markov(j).conversion_probability
        0.25
        """  # noqa: E501
        import numpy as np

        from cxgraph.analyses.mining import DENSE_LIMIT, _shares
        from cxgraph.model import Entry, Journey, Outcome, Touchpoint, Transition

        enc = self._arrays()
        k = len(self.channels)
        # States: 0 is start, 1..k the channels in sorted order, then the outcomes.
        conv_state, null_state = k + 1, k + 2
        size = k + 3
        weight = enc.conversions + enc.nulls
        n_rows = enc.lengths.shape[0]
        starts = enc.starts
        last = starts + enc.lengths - 1
        touch = enc.codes + 1
        row_of = np.repeat(np.arange(n_rows), enc.lengths)
        inner = np.ones(touch.shape[0], dtype=bool)
        inner[last] = False
        src = np.concatenate(
            [np.zeros(n_rows, dtype=np.intp), touch[inner], touch[last], touch[last]]
        )
        dst = np.concatenate(
            [
                touch[starts],
                touch[1:][inner[:-1]],
                np.full(n_rows, conv_state, dtype=np.intp),
                np.full(n_rows, null_state, dtype=np.intp),
            ]
        )
        w = np.concatenate([weight, weight[row_of[inner]], enc.conversions, enc.nulls])
        keep = w > 0
        codes, w = src[keep] * size + dst[keep], w[keep]
        if size * size <= DENSE_LIMIT:
            dense = np.bincount(codes, weights=w, minlength=size * size)
            pairs = np.flatnonzero(dense)
            sums = dense[pairs]
        else:
            pairs, inverse = np.unique(codes, return_inverse=True)
            sums = np.bincount(inverse.reshape(-1), weights=w, minlength=pairs.shape[0])
        whole = bool(np.all(sums == np.floor(sums)))

        step_id = [START, *self.step_ids.values(), CONVERSION, NULL]
        transitions: list[Transition] = []
        # ``pairs`` is sorted by source, then target: the journey's step order.
        bounds = np.flatnonzero(np.diff(pairs // size)) + 1
        blocks = zip(np.split(pairs, bounds), np.split(sums, bounds), strict=True)
        for block, amounts in blocks if pairs.size else ():
            s = step_id[int(block[0] // size)]
            shares = _shares(amounts.tolist())
            counts = [int(a) for a in amounts.tolist()] if whole else [None] * len(shares)
            transitions += [
                Transition(source=s, target=step_id[t], probability=p, count=c)
                for t, p, c in zip((block % size).tolist(), shares, counts, strict=True)
            ]
        n = len(self.findings)
        return Journey(
            id="paths",
            name="Conversion paths",
            description=(
                f"First-order Markov chain of {n} path{'s' if n != 1 else ''} "
                f"{self.source}".rstrip()
                + f": {_many(self.total_conversions, 'conversion')}, "
                f"{_many(self.total_nulls, 'null')}."
            ),
            touchpoints=(
                Touchpoint(id=START, name="Start"),
                *(
                    Touchpoint(id=sid, name=name)
                    for name, sid in zip(self.channels, step_id[1 : k + 1], strict=True)
                ),
            ),
            outcomes=(
                Outcome(id=CONVERSION, name="Conversion", kind="success"),
                Outcome(id=NULL, name="No conversion", kind="exit"),
            ),
            entries=(Entry(step=START),),
            transitions=tuple(transitions),
            extensions={
                "paths": {
                    "rows": n,
                    "conversions": self.total_conversions,
                    "value": self.total_value,
                    "nulls": self.total_nulls,
                }
            },
        )

    def summary(self) -> str:
        """One sentence: rows, channels and totals."""
        n, k = len(self.findings), len(self.channels)
        return (
            f"{n} path{'s' if n != 1 else ''} over {k} channel{'s' if k != 1 else ''}: "
            f"{_many(self.total_conversions, 'conversion')} (value {_num(self.total_value)}), "
            f"{_many(self.total_nulls, 'null')}"
        )

    def describe(self, finding: PathRow) -> str:
        """One path in plain words."""
        return (
            f"{' > '.join(finding.path)}: {_many(finding.conversions, 'conversion')} "
            f"(value {_num(finding.value)}), {_many(finding.nulls, 'null')}"
        )


@frozen(kw_only=True)
class ChannelCredit:
    """The conversions and value credited to one channel.

    ``removal_effect`` is the share of conversions lost without the channel
    (``markov`` only; None for the other models).
    """

    channel: str
    conversions: float
    value: float
    removal_effect: float | None = None


@frozen(kw_only=True, repr=False)
class Attribution(AnalysisResult[ChannelCredit]):
    """Conversions and value credited to each channel, sorted by channel.

    ``model`` is the model used; ``total_conversions`` and ``total_value`` the
    data's totals, which the channels' amounts sum to; for ``markov``,
    ``conversion_probability`` is the share of journeys that convert in the
    chain (None for the other models). Records are ``channel, conversions,
    value``, plus ``removal_effect`` for ``markov``.
    """

    name: ClassVar[str] = "attribution"
    title: ClassVar[str] = "Channel attribution"

    model: str
    total_conversions: float
    total_value: float
    conversion_probability: float | None = None

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per channel: ``channel, conversions, value`` (and ``removal_effect``)."""
        records = [record_of(f) for f in self.findings]
        if self.model != "markov":
            for r in records:
                del r["removal_effect"]
        return records

    def columns(self) -> list[str]:
        """The record keys."""
        cols = ["channel", "conversions", "value"]
        return [*cols, "removal_effect"] if self.model == "markov" else cols

    def summary(self) -> str:
        """One sentence: the model, the totals and the channels."""
        k = len(self.findings)
        text = (
            f"{self.model} attribution of {_many(self.total_conversions, 'conversion')} "
            f"(value {_num(self.total_value)}) across {k} channel{'s' if k != 1 else ''}"
        )
        if self.conversion_probability is not None:
            text += f"; {_pct(self.conversion_probability)} of journeys convert"
        return text

    def describe(self, finding: ChannelCredit) -> str:
        """One channel's credit in plain words."""
        text = (
            f"{finding.channel!r}: {_many(finding.conversions, 'conversion')} "
            f"({_pct(_share(finding.conversions, self.total_conversions))}), "
            f"value {_num(finding.value)} ({_pct(_share(finding.value, self.total_value))})"
        )
        if finding.removal_effect is not None:
            text += f"; removing it loses {_pct(finding.removal_effect)} of conversions"
        return text


# -- reading -----------------------------------------------------------------------


def paths(
    table: Any,
    *,
    path: str = "path",
    conversions: str = "total_conversions",
    value: str | None = "total_conversion_value",
    nulls: str | None = "total_null",
    sep: str = ">",
) -> PathData:
    """Read conversion-path data (the ChannelAttribution layout).

    Parameters
    ----------
    table
        A pandas or polars DataFrame, a pyarrow Table, a list of dicts (one
        per row), or a path to a CSV file (delimiter ``,``, ``;``, tab or
        ``|``, the one the header line holds most of).
    path
        The column of paths: channel names separated by ``sep``.
    conversions
        The column of conversion counts per path.
    value
        The column of conversion value per path. The default may be absent
        (then 0); a column named explicitly must exist; None ignores it.
    nulls
        The column of journeys along the path that did not convert. As
        ``value``: the default may be absent (then 0).
    sep
        The separator between channels; spaces around it do not count.

    Returns
    -------
    PathData
        The rows in input order, the sorted channels and the totals.

    Raises
    ------
    PathDataError
        For a missing column (naming the keyword, the column asked for and
        the columns found), a column keyword that is not a name, a table
        with no rows, an empty ``sep``, a file that is not UTF-8 text, or broken
        rows: a missing or empty path, an empty channel between separators,
        a count or value that is missing, not a number, not finite or
        negative, or value on a row with no conversions (every problem
        listed, naming the row and the value). Also a ``ValueError``.
    TypeError
        If ``table`` is none of the kinds above.
    FileNotFoundError
        If a path names no file.

    Examples
    --------
    >>> data = paths([{"path": "search>email", "total_conversions": 1, "total_null": 0},
    ...               {"path": " search > search ", "total_conversions": 0, "total_null": 2}])
    >>> [r.path for r in data], data.total_nulls
    ([('search', 'email'), ('search', 'search')], 2.0)
    >>> paths([{"path": "a >> b", "total_conversions": -1}])
    Traceback (most recent call last):
    ...
    cxgraph.analyses.crediting.PathDataError: 2 problems in the path data (a list of rows), rows count from 0:
    row 0, path='path': empty channel in 'a >> b': each '>' must stand between two channel names
    row 0, conversions='total_conversions': negative count -1: expected a number, 0 or more
    >>> paths([{"path": "a", "conversions": 1}])
    Traceback (most recent call last):
    ...
    cxgraph.analyses.crediting.PathDataError: conversions='total_conversions': no such column in the path data (a list of rows) (columns: 'path', 'conversions')
    """  # noqa: E501
    import numpy as np

    if not isinstance(sep, str) or not sep.strip():
        msg = f"sep={sep!r}: expected a separator between channels, such as '>'"
        raise PathDataError(msg)
    sep = sep.strip()
    asked: dict[str, str | None] = {
        "path": path,
        "conversions": conversions,
        "value": value,
        "nulls": nulls,
    }
    for keyword, column in asked.items():
        if not isinstance(column, str) and not (keyword in ("value", "nulls") and column is None):
            allowed = "a column name" + (" or None" if keyword in ("value", "nulls") else "")
            msg = f"{keyword}={column!r}: expected {allowed}"
            raise PathDataError(msg)

    reader = _reader(table)
    n = reader.n_rows
    if n == 0:
        msg = (
            f"the path data {reader.source} has no rows: expected one row per path "
            f"with its channels and conversions"
        )
        raise PathDataError(msg)
    wanted = _resolve(reader, asked)

    problems: list[tuple[int, int, str]] = []
    # The path column always exists once resolved: it has no default to fall back on.
    tokens, lengths = _split(reader.column(path, numeric=False), sep, path, problems)
    numbers: dict[str, FloatArray] = {}
    for order, keyword in enumerate(("conversions", "value", "nulls"), start=1):
        column = wanted[keyword]
        if column is None:
            numbers[keyword] = np.zeros(n)
            continue
        numbers[keyword] = _numbers(
            reader.column(column, numeric=True), keyword, column, order, problems
        )
    if wanted["value"] is not None:
        # Rows whose conversions are broken already have their problem.
        broken = {row for row, order, _ in problems if order == 1}
        bad = np.flatnonzero((numbers["value"] > 0) & (numbers["conversions"] == 0))
        problems += [
            (
                i,
                2,
                f"row {i}, value={wanted['value']!r}: value {_num(float(numbers['value'][i]))} "
                "on a path with no conversions: a path's value is the value of its conversions",
            )
            for i in bad.tolist()
            if i not in broken
        ]
    if problems:
        raise _problems_error(problems, reader.source)

    # Distinct channels in one hashing pass (dict.fromkeys), then sorted: the
    # codes index the sorted channels, so results never depend on row order.
    channels = sorted(dict.fromkeys(tokens))
    rank = {c: i for i, c in enumerate(channels)}
    codes = np.fromiter(map(rank.__getitem__, tokens), dtype=np.intp, count=len(tokens))
    conv, val, nul = numbers["conversions"], numbers["value"], numbers["nulls"]
    lens = np.asarray(lengths, dtype=np.intp)
    bounds = np.cumsum(lens).tolist()
    begin = [0, *bounds[:-1]]
    rows = tuple(
        PathRow(path=tuple(tokens[a:b]), conversions=c, value=v, nulls=z)
        for a, b, c, v, z in zip(
            begin, bounds, conv.tolist(), val.tolist(), nul.tolist(), strict=True
        )
    )
    return PathData(
        findings=rows,
        channels=tuple(channels),
        total_conversions=math.fsum(conv.tolist()),
        total_value=math.fsum(val.tolist()),
        total_nulls=math.fsum(nul.tolist()),
        source=reader.source,
        encoded=_Encoded(codes=codes, lengths=lens, conversions=conv, value=val, nulls=nul),
    )


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
        f"or a path to a CSV file; got {type(table).__name__} ({F.describe(table)})"
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
                f"{F.choices_text(column, reader.columns, word='columns')}"
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
                    (i, 0, f"row {i}, {where}: {F.describe(v)} is not a path of channel names")
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
                problems.append((i, order, f"row {i}, {where}: {F.describe(v)} is not a number"))
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


# -- attribution -------------------------------------------------------------------


def attribution(path_data: PathData, *, model: str = "markov") -> Attribution:
    """Share the conversions and their value out among the channels.

    Parameters
    ----------
    path_data
        Paths read by :func:`paths`.
    model
        ``first_touch``, ``last_touch``, ``linear`` or ``markov`` (see the
        module docs). ``markov`` solves the chain of
        :meth:`PathData.to_journey` exactly, however many channels lie on
        one loop (past 5,000 that takes tens of seconds).

    Returns
    -------
    Attribution
        One :class:`ChannelCredit` per channel, sorted by channel; the
        conversions and values sum to the data's totals.

    Raises
    ------
    TypeError
        If ``path_data`` is not a :class:`PathData`.
    ValueError
        If ``model`` is not one of the choices.

    Examples
    --------
    >>> data = paths([{"path": "ad > ad > shop", "total_conversions": 3,
    ...                "total_conversion_value": 30}])
    >>> [(c.channel, c.conversions, c.value) for c in attribution(data, model="linear")]
    [('ad', 2.0, 20.0), ('shop', 1.0, 10.0)]
    >>> attribution(data, model="shapley")
    Traceback (most recent call last):
    ...
    ValueError: attribution(model='shapley'): unknown model (choices: 'first_touch', 'last_touch', 'linear', 'markov')
    """  # noqa: E501
    import numpy as np

    if not isinstance(path_data, PathData):
        msg = (  # type: ignore[unreachable]
            f"attribution() takes PathData (read it with cxgraph.analyses.crediting.paths), "
            f"got {type(path_data).__name__}"
        )
        raise TypeError(msg)
    if model not in MODELS:
        msg = (
            f"attribution(model={model!r}): unknown model "
            f"{F.choices_text(str(model), MODELS, word='choices')}"
        )
        raise ValueError(msg)

    k = len(path_data.channels)
    enc = path_data._arrays()
    effects: list[float] | None = None
    conversion: float | None = None
    if model == "markov":
        from cxgraph.analyses.absorbing import MAX_COMPONENT, markov

        chain = markov(path_data.to_journey(), max_component=max(MAX_COMPONENT, k + 1))
        by_step = chain.removal_effects(by="step")
        effects = [by_step[s] for s in path_data.step_ids.values()]
        conversion = chain.conversion_probability
        total_effect = math.fsum(effects)
        share = np.array(effects) / total_effect if total_effect > 0 else np.zeros(k)
        conv = path_data.total_conversions * share
        val = path_data.total_value * share
    else:
        if model == "linear":
            each = 1.0 / enc.lengths
            slot = enc.codes
            wc = np.repeat(enc.conversions * each, enc.lengths)
            wv = np.repeat(enc.value * each, enc.lengths)
        else:
            at = enc.starts if model == "first_touch" else enc.starts + enc.lengths - 1
            slot = enc.codes[at]
            wc, wv = enc.conversions, enc.value
        conv = np.asarray(np.bincount(slot, weights=wc, minlength=k), dtype=np.float64)
        val = np.asarray(np.bincount(slot, weights=wv, minlength=k), dtype=np.float64)
    conv = _settle(conv, path_data.total_conversions)
    val = _settle(val, path_data.total_value)
    findings = tuple(
        ChannelCredit(
            channel=c,
            conversions=float(conv[i]),
            value=float(val[i]),
            removal_effect=None if effects is None else effects[i],
        )
        for i, c in enumerate(path_data.channels)
    )
    return Attribution(
        findings=findings,
        model=model,
        total_conversions=path_data.total_conversions,
        total_value=path_data.total_value,
        conversion_probability=conversion,
    )


def _settle(amounts: FloatArray, total: float) -> FloatArray:
    """Give the rounding residue to the largest amount, so the column sums to ``total``."""
    import numpy as np

    out = np.array(amounts, dtype=np.float64)
    if out.size and total > 0:
        i = int(np.argmax(out))
        out[i] += total - math.fsum(out.tolist())
        out[i] = max(out[i], 0.0)
    return out


# -- words -------------------------------------------------------------------------


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else f"{x:.6g}"


def _many(x: float, noun: str) -> str:
    return f"{_num(x)} {noun}{'' if x == 1 else 's'}"


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%"


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0
