"""Variants: the distinct sequences of activities that cases follow, most common first.

:func:`variants` reads an event log as ``discover`` reads it (the same
keywords, defaults, column detection and errors), orders each case by time
(ties keep the row order) and counts the cases that follow each sequence of
activities. A variant is a tuple of activity names as the log has them;
variants come most cases first, ties by the tuple (Python's order of
tuples of text). ``share`` is the variant's cases over all cases and
``cumulative_share`` the running total of the cases so far over all cases,
each one float division, so the last is exactly 1.

Engines, giving identical results: ``numpy`` (default; each case becomes
one byte string, its activities' ranks by name, counted in a dict: exact,
and the bytes sort as the tuples do) and ``duckdb`` (``list(activity ORDER
BY position)`` per case, grouped in SQL, out of core). :func:`case_variants` gives the
numpy engine's variant of every case, for code that filters cases by
variant.

Examples
--------
>>> import pandas as pd
>>> from cxgraph.mining.variants import variants
>>> log = pd.DataFrame({
...     "case:concept:name": ["c1", "c1", "c2", "c2", "c3"],
...     "concept:name": ["Visit", "Pay", "Visit", "Pay", "Visit"],
...     "time:timestamp": ["2024-05-01 10:00", "2024-05-01 10:10", "2024-05-01 11:00",
...                        "2024-05-01 11:05", "2024-05-01 12:00"]})
>>> for v in variants(log):
...     print(v.variant, v.cases, round(v.share, 3), round(v.cumulative_share, 3))
('Visit', 'Pay') 2 0.667 0.667
('Visit',) 1 0.333 1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from attrs import frozen

from cxgraph._util.text import choices_text
from cxgraph.analyses.results import AnalysisResult
from cxgraph.mining.arithmetic import case_variants, ranked

if TYPE_CHECKING:
    pass

__all__ = ["ENGINES", "Variant", "Variants", "case_variants", "check_engine", "variants"]

#: The engines :func:`variants` and :func:`~cxgraph.performance` run on.
ENGINES = ("numpy", "duckdb")


def check_engine(engine: str, function: str) -> None:
    """Refuse an engine other than numpy and duckdb, naming the choices.

    >>> check_engine("spark", "variants")
    Traceback (most recent call last):
    ...
    cxgraph.readwrite.columns.EventLogError: variants() runs on the numpy and duckdb engines, not on spark: use engine='numpy' or engine='duckdb'
    """  # noqa: E501
    from cxgraph.readwrite.columns import EventLogError

    if engine == "spark":
        msg = (
            f"{function}() runs on the numpy and duckdb engines, not on spark: "
            "use engine='numpy' or engine='duckdb'"
        )
        raise EventLogError(msg)
    if engine not in ENGINES:
        msg = f"unknown engine {engine!r} {choices_text(str(engine), ENGINES, word='choices')}"
        raise EventLogError(msg)


@frozen(kw_only=True)
class Variant:
    """One sequence of activities (names, as in the log), and the cases that follow it."""

    variant: tuple[str, ...]
    cases: int
    share: float
    cumulative_share: float


@frozen(kw_only=True, repr=False)
class Variants(AnalysisResult[Variant]):
    """The variants of a log, most cases first, ties by the variant.

    Besides the findings: ``total_cases`` (all cases of the log) and
    ``variant_count`` (all distinct variants, also those ``top`` left out).
    """

    name: ClassVar[str] = "variants"
    title: ClassVar[str] = "Variants"

    total_cases: int
    variant_count: int

    def describe(self, finding: Variant) -> str:
        """The variant in plain words: its cases, its share, and its activities."""
        n = finding.cases
        steps = " → ".join(repr(a) for a in finding.variant)
        return (
            f"{n} case{'s' if n != 1 else ''} ({finding.share:.1%}; "
            f"{finding.cumulative_share:.1%} so far): {steps}"
        )

    def summary(self) -> str:
        """How many cases and variants, and what share the variants shown hold."""
        n, v, k = self.total_cases, self.variant_count, len(self.findings)
        text = f"{n} case{'s' if n != 1 else ''} in {v} variant{'s' if v != 1 else ''}"
        if k and k < v:
            text += f"; the top {k} hold {self.findings[-1].cumulative_share:.1%} of the cases"
        elif k:
            text += f"; the most common holds {self.findings[0].share:.1%} of the cases"
        return text


def variants(
    events: Any,
    *,
    top: int | None = None,
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str | None = "time:timestamp",
    resource: str | None = "org:resource",
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    engine: str = "numpy",
) -> Variants:
    """The variants of an event log: each distinct sequence of activities and its cases.

    Parameters
    ----------
    events
        The event log, as for :func:`~cxgraph.discover`: a pandas or polars
        DataFrame, a pyarrow Table, or a path to a ``.csv``, ``.parquet``,
        ``.xes`` or ``.xes.gz`` file.
    top
        Keep only the ``top`` most common variants (shares stay over all
        cases); None keeps them all.
    case, activity, timestamp, resource, start_timestamp, lifecycle
        The columns, as for :func:`~cxgraph.discover` (same defaults and
        detection); ``timestamp=None`` keeps each case in the file's order.
    engine
        ``numpy`` (in memory) or ``duckdb`` (out of core); the same results.

    Returns
    -------
    Variants
        One :class:`Variant` (``variant, cases, share, cumulative_share``)
        per variant, most cases first, ties by the variant; with
        ``total_cases`` and ``variant_count``.

    Raises
    ------
    ValueError
        If ``top`` is not a positive integer.
    EventLogError
        For an unknown engine or ``engine='spark'``, and every reading error
        of :func:`~cxgraph.discover` (a missing column, a bad value, an
        empty log).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case": [1, 1, 2, 2, 3], "step": ["a", "b", "b", "a", "a"],
    ...                     "time": [1, 2, 1, 2, 1]})
    >>> result = variants(log, case="case", activity="step", timestamp="time", top=2)
    >>> [(v.variant, v.cases) for v in result], result.total_cases, result.variant_count
    ([(('a',), 1), (('a', 'b'), 1)], 3, 3)
    >>> print(result.summary())
    3 cases in 3 variants; the top 2 hold 66.7% of the cases
    >>> variants(log, top=0)
    Traceback (most recent call last):
    ...
    ValueError: variants(top=0): top must be a positive integer (1 or more) or None
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        msg = f"variants(top={top!r}): top must be a positive integer (1 or more) or None"
        raise ValueError(msg)
    check_engine(engine, "variants")
    columns: dict[str, Any] = {
        "case": case,
        "activity": activity,
        "timestamp": timestamp,
        "resource": resource,
        "start_timestamp": start_timestamp,
        "lifecycle": lifecycle,
    }
    if engine == "numpy":
        from cxgraph.mining.sequences import read_sequences

        _, found, counted = case_variants(read_sequences(events, **columns))
        counts: list[int] = counted.tolist()
    else:
        from cxgraph.mining.duckdb_engine import duckdb_query
        from cxgraph.readwrite.eventlog import log_kind

        def query(_: Any) -> str:
            # Sorted (pos, activity) pairs: a plain list aggregate, which DuckDB
            # spills, where an ordered one is held in memory (as in discover).
            return (
                "SELECT v, COUNT(*) FROM (SELECT list_sort(list(struct_pack(p := pos, a := a))) "
                "AS v FROM cx_flow GROUP BY c) GROUP BY v"
            )

        _, _, rows = duckdb_query(
            events, log_kind(events), query, **columns, purpose="variants(engine='duckdb')"
        )
        seen = [tuple(x["a"] for x in v) for v, _ in rows]
        tallies = [int(n) for _, n in rows]
        order = ranked(seen, tallies)
        found, counts = [seen[i] for i in order], [tallies[i] for i in order]
    import numpy as np

    tally = np.array(counts, dtype=np.int64)
    total = int(tally.sum())
    kept = len(counts) if top is None else min(top, len(counts))
    # Whole counts divided once each (exact below 2**53, as Python's int / int).
    shares = (tally[:kept] / total).tolist()
    running = (np.cumsum(tally[:kept]) / total).tolist()
    findings = [
        Variant(variant=v, cases=n, share=sh, cumulative_share=cu)
        for v, n, sh, cu in zip(found[:kept], counts[:kept], shares, running, strict=True)
    ]
    return Variants(findings=tuple(findings), total_cases=total, variant_count=len(counts))
