"""Conversion paths (``cx.paths``): one row per path of channels, with conversions and value.

See :mod:`cxgraph.attribution.models` for what the models do with them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import field, frozen

from cxgraph.analyses.results import AnalysisResult

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.model.classes import Journey

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

from cxgraph.attribution.path_tables import (
    CONVERSION,
    NULL,
    START,
    PathDataError,
    _num,
    _numbers,
    _problems_error,
    _reader,
    _resolve,
    _split,
)

__all__ = ["PathData", "PathRow", "paths"]

# -- results -----------------------------------------------------------------------


@frozen(kw_only=True)
class PathRow:
    """One row of path data: the channels in order and what the path brought.

    ``times`` holds the touch times, one per touch, as seconds since
    1970-01-01 UTC, when known (:func:`~cxgraph.attribution.touches.paths_from_events`
    fills it; :func:`paths` leaves it None). It is not part of equality.
    """

    path: tuple[str, ...]
    conversions: float
    value: float
    nulls: float
    times: tuple[float, ...] | None = field(default=None, eq=False)


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

        Ids are slugs by the rule of :func:`cxgraph._util.text.slug`, given
        in channel order; a clash gets ``-2``, ``-3``, and the ids ``start``,
        ``conversion`` and ``null`` are reserved.

        Examples
        --------
        >>> paths([{"path": "Paid Search > start", "total_conversions": 1}]).step_ids
        {'Paid Search': 'paid-search', 'start': 'start-2'}
        """
        from cxgraph._util.text import unique_ids

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
        >>> from cxgraph.analyses.markov import markov
        >>> data = paths([{"path": "ad > ad > shop", "total_conversions": 1, "total_null": 3}])
        >>> j = data.to_journey()
        >>> [(t.source, t.target, t.count) for t in j.transitions]
        [('start', 'ad', 4), ('ad', 'ad', 4), ('ad', 'shop', 4), ('shop', 'conversion', 1), ('shop', 'null', 3)]
        >>> markov(j).conversion_probability
        0.25
        """  # noqa: E501
        import numpy as np

        from cxgraph._util.numbers import DENSE_LIMIT, _shares
        from cxgraph.model.classes import Entry, Journey, Outcome, Touchpoint, Transition

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

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row: ``path, conversions, value, nulls`` (and ``times`` when known)."""
        from cxgraph._util.results import record_of

        keep = self.columns()
        return [{k: v for k, v in record_of(r).items() if k in keep} for r in self.findings]

    def columns(self) -> list[str]:
        """The record keys: ``times`` only when some row has touch times."""
        cols = ["path", "conversions", "value", "nulls"]
        return [*cols, "times"] if any(r.times is not None for r in self.findings) else cols

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
    cxgraph.attribution.path_tables.PathDataError: 2 problems in the path data (a list of rows), rows count from 0:
    row 0, path='path': empty channel in 'a >> b': each '>' must stand between two channel names
    row 0, conversions='total_conversions': negative count -1: expected a number, 0 or more
    >>> paths([{"path": "a", "conversions": 1}])
    Traceback (most recent call last):
    ...
    cxgraph.attribution.path_tables.PathDataError: conversions='total_conversions': no such column in the path data (a list of rows) (columns: 'path', 'conversions')
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


# -- words -------------------------------------------------------------------------


def _many(x: float, noun: str) -> str:
    return f"{_num(x)} {noun}{'' if x == 1 else 's'}"


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0
