"""Tests for cxgraph.mining.variants: the distinct sequences of activities and their cases."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.mining.test_discovery import event_logs, frame_of

import cxgraph as cx
from cxgraph.mining.sequences import read_sequences
from cxgraph.mining.variants import Variant, Variants, case_variants, variants
from cxgraph.readwrite.columns import EventLogError

DATA = Path(__file__).resolve().parent.parent / "data"
CSV = DATA / "running-example.csv"


@pytest.fixture(params=["numpy", "duckdb"])
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn (duckdb skipped where it is not installed)."""
    if request.param == "duckdb":
        pytest.importorskip("duckdb")
    return str(request.param)


def both(events: Any, **options: Any) -> Variants:
    """The numpy result, after checking that duckdb (if installed) gives exactly the same."""
    result = variants(events, **options)
    try:
        import duckdb  # noqa: F401
    except ImportError:  # pragma: no cover - duckdb is a test dependency
        return result
    assert variants(events, engine="duckdb", **options) == result
    return result


def log(cases: dict[str, list[str]], *, shuffle: bool = True) -> pd.DataFrame:
    """A frame with each case's activities one minute apart, rows interleaved by time."""
    rows = [
        (case, act, pd.Timestamp("2024-05-01T10:00") + pd.Timedelta(minutes=i))
        for case, acts in cases.items()
        for i, act in enumerate(acts)
    ]
    if shuffle:
        rows.sort(key=lambda r: (r[2], r[0]))
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])


# Five cases: c1, c3, c5 follow Visit → Pay; c2 and c4 are one each of two
# variants with one case (a tie, broken by the tuple: ('Visit',) < ('Visit', 'Chat')).
SHOP = log(
    {
        "c1": ["Visit", "Pay"],
        "c2": ["Visit", "Chat"],
        "c3": ["Visit", "Pay"],
        "c4": ["Visit"],
        "c5": ["Visit", "Pay"],
    }
)


def reference(rows: list[tuple[str, str, int]]) -> Counter[tuple[str, ...]]:
    """Cases per variant the slow, obvious way: sort each case by (time, row), count tuples."""
    cases: dict[str, list[tuple[int, int, str]]] = {}
    for i, (case, act, t) in enumerate(rows):
        cases.setdefault(case, []).append((t, i, act))
    return Counter(tuple(a for _, _, a in sorted(evs)) for evs in cases.values())


class TestVariants:
    """variants(events, *, top=None, ...): each sequence of activities and its cases."""

    def test_golden(self, engine: str) -> None:
        """Most cases first, ties by the variant; shares over all cases, running totals."""
        result = variants(SHOP, engine=engine)
        # 3 of 5 cases, then two ties of 1: ('Visit',) sorts before ('Visit', 'Chat').
        assert list(result) == [
            Variant(variant=("Visit", "Pay"), cases=3, share=0.6, cumulative_share=0.6),
            Variant(variant=("Visit",), cases=1, share=0.2, cumulative_share=0.8),
            Variant(variant=("Visit", "Chat"), cases=1, share=0.2, cumulative_share=1.0),
        ]
        assert (result.total_cases, result.variant_count) == (5, 3)

    def test_top_keeps_shares_over_all_cases(self, engine: str) -> None:
        """top=k keeps the first k variants; shares are still over every case."""
        result = variants(SHOP, top=2, engine=engine)
        assert [(v.variant, v.share, v.cumulative_share) for v in result] == [
            (("Visit", "Pay"), 0.6, 0.6),
            (("Visit",), 0.2, 0.8),
        ]
        assert (result.total_cases, result.variant_count) == (5, 3)
        assert variants(SHOP, top=10, engine=engine) == variants(SHOP, engine=engine)

    def test_order_is_by_time_then_row(self, engine: str) -> None:
        """A case's events are ordered by time, ties keeping the row order."""
        events = pd.DataFrame(
            {
                "case:concept:name": ["a", "a", "a", "b", "b"],
                "concept:name": ["Pay", "Visit", "Chat", "Chat", "Visit"],
                "time:timestamp": ["2024-05-01T10:05", "2024-05-01T10:00", "2024-05-01T10:05",
                                   "2024-05-01T10:00", "2024-05-01T10:00"],
            }
        )  # fmt: skip
        assert [v.variant for v in variants(events, engine=engine)] == [
            ("Chat", "Visit"),
            ("Visit", "Pay", "Chat"),
        ]

    def test_without_timestamps_file_order(self, engine: str) -> None:
        """timestamp=None keeps each case in the file's order."""
        events = pd.DataFrame({"case": [1, 2, 1], "activity": ["b", "a", "a"]})
        result = variants(events, timestamp=None, engine=engine)
        assert [v.variant for v in result] == [("a",), ("b", "a")]

    def test_names_not_ids(self, engine: str) -> None:
        """Variants hold the activity names as the log has them, clashing slugs and all."""
        events = log({"c1": ["Visit", "visit!", "End", ""]})
        assert variants(events, engine=engine)[0].variant == ("Visit", "visit!", "End", "")

    def test_running_example(self) -> None:
        """Six cases, six variants of one case each, ordered by the tuple; engines agree."""
        result = both(CSV)
        assert (result.total_cases, result.variant_count) == (6, 6)
        assert [v.variant for v in result] == sorted(v.variant for v in result)
        assert result[0].variant == (
            "register request", "check ticket", "examine casually", "decide", "pay compensation",
        )  # fmt: skip
        assert [v.cumulative_share for v in result] == [k / 6 for k in range(1, 7)]
        assert both(DATA / "running-example.xes") == result

    def test_many_activities_use_wider_codes(self, engine: str) -> None:
        """More than 256 activities (two-byte codes) still give exact variants."""
        acts = [f"step {i:03d}" for i in range(300)]
        events = log({"c1": acts, "c2": acts[::-1], "c3": acts}, shuffle=False)
        result = variants(events, engine=engine)
        assert [(v.variant, v.cases) for v in result] == [
            (tuple(acts), 2),
            (tuple(acts[::-1]), 1),
        ]

    def test_words_and_views(self) -> None:
        """The summary, lines, records, frame and HTML say the same things."""
        result = variants(SHOP, top=2)
        assert result.summary() == "5 cases in 3 variants; the top 2 hold 80.0% of the cases"
        assert variants(SHOP).summary() == (
            "5 cases in 3 variants; the most common holds 60.0% of the cases"
        )
        assert result.lines() == [
            "3 cases (60.0%; 60.0% so far): 'Visit' → 'Pay'",
            "1 case (20.0%; 80.0% so far): 'Visit'",
        ]
        assert result.to_records()[0] == {
            "variant": ("Visit", "Pay"),
            "cases": 3,
            "share": 0.6,
            "cumulative_share": 0.6,
        }
        assert result.to_frame().columns.tolist() == [
            "variant",
            "cases",
            "share",
            "cumulative_share",
        ]
        assert repr(result).startswith("<Variants: 5 cases in 3 variants")
        html = result._repr_html_()
        assert "Variants" in html
        assert "<script" not in html

    def test_top_level_names(self) -> None:
        """cx.variants and cx.Variants are this module's."""
        assert cx.variants is variants
        assert cx.Variants is Variants


class TestCaseVariants:
    """case_variants(seq): each case's variant, for filtering by variant."""

    def test_golden(self) -> None:
        """Ranks per case in case order; variants and counts in rank order."""
        rank, found, counts = case_variants(read_sequences(SHOP))
        # Cases in order of first appearance: c1, c2, c3, c4, c5 (all start at 10:00).
        assert rank.tolist() == [0, 2, 0, 1, 0]
        assert found == [("Visit", "Pay"), ("Visit",), ("Visit", "Chat")]
        assert counts.tolist() == [3, 1, 1]
        assert rank.dtype == np.int64
        assert counts.dtype == np.int64

    @given(event_logs())
    def test_matches_variants(
        self, drawn: tuple[list[tuple[str, str, int]], list[str | None]]
    ) -> None:
        """Every case's rank points at its own sequence; counts are the variants' cases."""
        seq = read_sequences(frame_of(*drawn))
        rank, found, counts = case_variants(seq)
        for i in range(seq.n_cases):
            lo, hi = int(seq.bounds[i]), int(seq.bounds[i + 1])
            assert found[rank[i]] == tuple(seq.activities[a] for a in seq.activity[lo:hi])
        assert np.bincount(rank, minlength=len(found)).tolist() == counts.tolist()
        assert [v.variant for v in variants(frame_of(*drawn))] == found


class TestVariantsProperties:
    """variants(): invariants on generated logs, and the engines agree."""

    @given(event_logs(), st.none() | st.integers(1, 4))
    def test_invariants_and_engines(
        self, drawn: tuple[list[tuple[str, str, int]], list[str | None]], top: int | None
    ) -> None:
        """Shares sum to 1, running shares rise to 1, counts match the reference; engines agree."""
        rows = drawn[0]
        everything = both(frame_of(*drawn))
        ref = reference(rows)
        assert {v.variant: v.cases for v in everything} == dict(ref)
        cases = len({case for case, _, _ in rows})
        assert sum(v.cases for v in everything) == everything.total_cases == cases
        assert abs(math.fsum(v.share for v in everything) - 1) <= 1e-12
        running = [v.cumulative_share for v in everything]
        assert running == sorted(running)
        assert running[-1] == 1.0
        ranked = [(-v.cases, v.variant) for v in everything]
        assert ranked == sorted(ranked)
        if top is not None:
            kept = both(frame_of(*drawn), top=top)
            assert list(kept) == list(everything)[:top]


BROKEN: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("top zero", {"top": 0}, ValueError,
     r"^variants\(top=0\): top must be a positive integer \(1 or more\) or None$"),
    ("top negative", {"top": -1}, ValueError, r"^variants\(top=-1\): top must be a positive"),
    ("top a float", {"top": 1.5}, ValueError, r"^variants\(top=1\.5\): top must be a positive"),
    ("top a bool", {"top": True}, ValueError, r"^variants\(top=True\): top must be a positive"),
    ("top text", {"top": "3"}, ValueError, r"^variants\(top='3'\): top must be a positive"),
    ("unknown engine", {"engine": "pandas"}, EventLogError,
     r"^unknown engine 'pandas' \(choices: 'numpy', 'duckdb'\)$"),
    ("spark engine", {"engine": "spark"}, EventLogError,
     r"^variants\(\) runs on the numpy and duckdb engines, not on spark: use engine='numpy' "
     r"or engine='duckdb'$"),
]  # fmt: skip


class TestVariantsBrokenInputs:
    """variants(): each broken input gives its error."""

    @pytest.mark.parametrize(
        ("name", "options", "error", "match"), BROKEN, ids=[b[0] for b in BROKEN]
    )
    def test_broken(
        self, name: str, options: dict[str, Any], error: type[Exception], match: str
    ) -> None:
        """Bad options are refused before the log is read, with the valid choices."""
        with pytest.raises(error, match=match):
            variants("no-such-file.csv", **options)

    def test_reading_errors_are_discovers(self, engine: str) -> None:
        """A missing column is the error discover gives, on both engines."""
        with pytest.raises(EventLogError, match=r"^case='session': no such column") as info:
            variants(SHOP, case="session", engine=engine)
        assert isinstance(info.value, cx.CxgraphError)
