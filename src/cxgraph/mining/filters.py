"""The filters and segments of ``discover``: which cases to keep, which transitions to drop.

- ``variants=k`` keeps the cases of the ``k`` most frequent variants (a
  variant is a case's activities in time order; most cases first, ties by
  the variant), ``coverage=c`` the most frequent variants that together hold
  at least ``c`` of the cases (counted in whole cases: variants are kept
  until kept cases >= c x cases). Given both, a variant is kept when both
  keep it.
- ``min_count=n`` then drops every transition seen fewer than ``n`` times
  (those into outcomes included); steps no entry reaches any more go, and a
  step left without a way out is an error naming it.
- ``segment="column"``: a case's segment is its value on its first event in
  time order; a case with several values counts for that first one (with one
  warning for the log).

The numpy engine's work is here; the duckdb engine does the same in SQL
(:mod:`cxgraph.mining.duckdb_engine`), and both hand :class:`LogCounts` to
:func:`apply_min_count` and ``build_journey``.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict, deque
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from cxgraph._util.text import describe
from cxgraph.errors import CxgraphWarning

if TYPE_CHECKING:
    from cxgraph.mining.counts import LogCounts
    from cxgraph.readwrite.columns import EventColumns

__all__ = [
    "Filters",
    "apply_min_count",
    "case_segments",
    "check_filters",
    "kept_variants",
]


@attrs.frozen(kw_only=True)
class Filters:
    """The filters given to ``discover`` (None: not asked for)."""

    variants: int | None = None
    coverage: float | None = None
    min_count: int | None = None

    @property
    def on_cases(self) -> bool:
        """Whether some filter selects cases by their variant."""
        return self.variants is not None or self.coverage is not None

    def record(self) -> dict[str, Any]:
        """The filters given, as ``extensions["discover"]["filters"]`` keeps them."""
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}

    def words(self) -> str:
        """The case filters in the words of an error message."""
        given = {k: v for k, v in self.record().items() if k != "min_count"}
        return ", ".join(f"{k}={v!r}" for k, v in given.items())


def check_filters(variants: Any, coverage: Any, min_count: Any) -> Filters:
    """The filters, checked: ``variants`` and ``min_count`` whole numbers >= 1, ``coverage`` in (0, 1].

    >>> check_filters(3, None, None).record()
    {'variants': 3}
    >>> check_filters(None, 1.5, None)
    Traceback (most recent call last):
    ...
    cxgraph.readwrite.columns.EventLogError: coverage=1.5: expected a share of cases above 0 and at most 1, such as 0.8
    """  # noqa: E501
    from cxgraph.readwrite.columns import EventLogError

    problems = []
    for name, value in (("variants", variants), ("min_count", min_count)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{name}={value!r}: expected a whole number of at least 1")
    if coverage is not None:
        ok = isinstance(coverage, int | float) and not isinstance(coverage, bool)
        if not ok or not 0 < coverage <= 1 or math.isnan(coverage):
            shown = repr(coverage) if ok else describe(coverage)
            problems.append(
                f"coverage={shown}: expected a share of cases above 0 and at most 1, such as 0.8"
            )
    if problems:
        raise EventLogError("\n".join(problems))
    return Filters(
        variants=variants,
        coverage=None if coverage is None else float(coverage),
        min_count=min_count,
    )


def kept_variants(counts: Any, filters: Filters) -> int:
    """How many of the ranked variants (their case counts, most first) the filters keep."""
    import numpy as np

    n = len(counts)
    if filters.variants is not None:
        n = min(n, filters.variants)
    if filters.coverage is not None:
        cum = np.cumsum(np.asarray(counts, dtype=np.int64))
        total = int(cum[-1]) if len(cum) else 0
        need = filters.coverage * total
        m = int(np.searchsorted(cum >= need, True)) + 1 if len(cum) else 0
        n = min(n, m)
    return n


def case_segments(cols: EventColumns, column: str) -> Any:
    """Each event's case segment code: the case's value on its first event in time order.

    Warns once when some case holds several values; a case whose first event
    has no value is an error naming its row.
    """
    import numpy as np

    from cxgraph.readwrite.columns import EventLogError

    assert cols.segment is not None
    order = cols.order()
    per_case = np.bincount(cols.case)
    starts = np.cumsum(per_case) - per_case
    first_rows = order[starts[per_case > 0]]
    case_codes = cols.case[first_rows]
    of_case = np.full(per_case.shape[0], -1, dtype=np.int64)
    of_case[case_codes] = cols.segment[first_rows]
    missing = of_case[case_codes] < 0
    if missing.any():
        row = int(first_rows[np.argmax(missing)])
        msg = (
            f"segment={column!r}: {int(missing.sum())} case(s) have no value on their first "
            f"event, the first at row {row} (rows count from 0): fill the column in, or drop "
            "those cases"
        )
        raise EventLogError(msg)
    per_event = of_case[cols.case]
    several = (cols.segment != per_event) & (cols.segment >= 0)
    if several.any():
        n = int(np.unique(cols.case[several]).shape[0])
        warnings.warn(
            f"segment={column!r}: {n} case{'s have' if n != 1 else ' has'} more than one "
            "value; each case counts for the value on its first event",
            CxgraphWarning,
            stacklevel=3,
        )
    return per_event


def apply_min_count(counts: LogCounts, min_count: int, outcomes: Collection[str]) -> LogCounts:
    """``counts`` without the transitions seen fewer than ``min_count`` times.

    Steps no entry reaches any more go with their transitions, owners' and
    segments' counts; a kept step left without a way out (no transition and
    no end) is an error naming it.
    """
    from cxgraph.readwrite.columns import EventLogError

    pairs = [p for p in counts.pairs if p[2] >= min_count]
    ends = [e for e in counts.ends if e[1] >= min_count]
    if not pairs and not ends:
        seen = max([p[2] for p in counts.pairs] + [e[1] for e in counts.ends], default=0)
        msg = (
            f"min_count={min_count} drops every transition of the log (the most frequent "
            f"is seen {seen} time{'s' if seen != 1 else ''}): lower it"
        )
        raise EventLogError(msg)
    succ: Mapping[str, list[str]] = defaultdict(list)
    for s, t, _ in pairs:
        succ[s].append(t)
    reached = {a for a, _ in counts.starts}
    todo = deque(reached)
    while todo:
        for t in succ[todo.popleft()]:
            if t not in reached:
                reached.add(t)
                todo.append(t)
    pairs = [p for p in pairs if p[0] in reached]
    ends = [e for e in ends if e[0] in reached]
    out_of = {p[0] for p in pairs} | {e[0] for e in ends}
    stuck = [a for a in counts.activities if a in reached and a not in outcomes and a not in out_of]
    if stuck:
        shown = ", ".join(repr(a) for a in stuck[:5])
        more = f" and {len(stuck) - 5} more" if len(stuck) > 5 else ""
        msg = (
            f"min_count={min_count} leaves {shown}{more} without a way out (every transition "
            "out of it is rarer): lower min_count, or mark the step an outcome with outcomes="
        )
        raise EventLogError(msg)
    return attrs.evolve(
        counts,
        activities=tuple(a for a in counts.activities if a in reached),
        pairs=tuple(pairs),
        ends=tuple(ends),
        starts=tuple(s for s in counts.starts if s[0] in reached),
        resource_counts=tuple(r for r in counts.resource_counts if r[0] in reached),
        segment_counts=tuple(g for g in counts.segment_counts if g[0] in reached),
    )
