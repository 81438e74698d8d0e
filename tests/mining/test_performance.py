"""Tests for cxgraph.mining.performance: time per transition, per case, per hand-off and phase."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.mining.test_discovery import event_logs, frame_of

import cxgraph as cx
from cxgraph.mining.arithmetic import grouped, ranks, stats
from cxgraph.mining.conformance import AmbiguousActivityError
from cxgraph.mining.performance import (
    JourneyMatchError,
    Performance,
    PhaseTime,
    SlaBreach,
    TransitionTime,
    performance,
)
from cxgraph.readwrite.columns import EventLogError

DATA = Path(__file__).resolve().parent.parent / "data"
CSV = DATA / "running-example.csv"
COLUMNS = ["case:concept:name", "concept:name", "time:timestamp"]


@pytest.fixture(params=["numpy", "duckdb"])
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine in turn (duckdb skipped where it is not installed)."""
    if request.param == "duckdb":
        pytest.importorskip("duckdb")
    return str(request.param)


def both(events: Any, *args: Any, **options: Any) -> Performance:
    """The numpy result, after checking that duckdb (if installed) gives exactly the same."""
    result = performance(events, *args, **options)
    try:
        import duckdb  # noqa: F401
    except ImportError:  # pragma: no cover - duckdb is a test dependency
        return result
    assert performance(events, *args, engine="duckdb", **options) == result
    return result


def log(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """A frame from (case, activity, time) rows."""
    return pd.DataFrame(rows, columns=COLUMNS)


# c1: A 10:00, B 10:01, checkout 10:04, B 10:10; c2: A 11:00, B 11:05; c3: A 12:00;
# c4: B 09:00, checkout 09:00 (a tie: row order keeps B first).
SHOP = log(
    [
        ("c1", "A", "2024-05-01T10:00:00"),
        ("c1", "B", "2024-05-01T10:01:00"),
        ("c1", "checkout", "2024-05-01T10:04:00"),
        ("c1", "B", "2024-05-01T10:10:00"),
        ("c2", "A", "2024-05-01T11:00:00"),
        ("c2", "B", "2024-05-01T11:05:00"),
        ("c3", "A", "2024-05-01T12:00:00"),
        ("c4", "B", "2024-05-01T09:00:00"),
        ("c4", "checkout", "2024-05-01T09:00:00"),
    ]
)


def shop_plan(**changes: Any) -> cx.Journey:
    """Phases explore (5 min), buy (1 min), after (none); A and B by name, checkout by id."""
    fields: dict[str, Any] = {
        "id": "shop",
        "name": "Shop",
        "phases": [
            cx.Phase(id="explore", name="Explore", expected_duration=timedelta(minutes=5)),
            cx.Phase(id="buy", name="Buy", expected_duration=timedelta(minutes=1)),
            cx.Phase(id="after", name="After"),
        ],
        "touchpoints": [
            cx.Touchpoint(id="look", name="A", phase="explore"),
            cx.Touchpoint(id="basket", name="B", phase="buy"),
            cx.Touchpoint(id="checkout", name="Check out", phase="after"),
        ],
        "handoffs": [
            cx.Handoff(source="look", target="basket", sla=timedelta(minutes=2)),
            cx.Handoff(source="basket", target="checkout", sla=timedelta(minutes=3)),
            cx.Handoff(source="checkout", target="look", sla=timedelta(minutes=1)),
            cx.Handoff(source="checkout", target="basket"),
        ],
    }
    return cx.Journey(**{**fields, **changes})


def reference_gaps(rows: list[tuple[str, str, int]]) -> dict[tuple[str, str], list[int]]:
    """Gaps (in the rows' units) per (activity, next activity), the slow, obvious way."""
    cases: dict[str, list[tuple[int, int, str]]] = {}
    for i, (case, act, t) in enumerate(rows):
        cases.setdefault(case, []).append((t, i, act))
    gaps: dict[tuple[str, str], list[int]] = {}
    for events in cases.values():
        ordered = sorted(events)
        for (t0, _, a0), (t1, _, a1) in itertools.pairwise(ordered):
            gaps.setdefault((a0, a1), []).append(t1 - t0)
    return gaps


class TestPerformance:
    """performance(events, journey=None, ...): time per transition and per case."""

    def test_golden_transitions(self, engine: str) -> None:
        """Each pair's count and times, worked out by hand."""
        result = performance(SHOP, engine=engine)
        # Steps in order of first appearance: a, b, checkout; pairs by source then target.
        # A→B: 60 s (c1), 300 s (c2): mean 180; median h=0.5: 60+240*0.5=180;
        #   p90 h=0.9: 60+240*0.9=276.
        # B→checkout: 180 s (c1), 0 s (c4, a tie): sorted [0, 180]: mean 90, median 90,
        #   p90 0+180*0.9=162.
        # checkout→B: 360 s (c1, 10:04 to 10:10).
        assert list(result) == [
            TransitionTime(source="a", target="b", count=2, mean_s=180.0, median_s=180.0,
                           p90_s=276.0, min_s=60.0, max_s=300.0),
            TransitionTime(source="b", target="checkout", count=2, mean_s=90.0, median_s=90.0,
                           p90_s=162.0, min_s=0.0, max_s=180.0),
            TransitionTime(source="checkout", target="b", count=1, mean_s=360.0,
                           median_s=360.0, p90_s=360.0, min_s=360.0, max_s=360.0),
        ]  # fmt: skip

    def test_golden_cases(self, engine: str) -> None:
        """Cycle times: first to last event, a one-event case counting with 0."""
        result = performance(SHOP, engine=engine)
        # c1 600 s, c2 300 s, c3 0 s, c4 0 s: sorted [0, 0, 300, 600]; mean 900/4 = 225;
        # median h=1.5: 0+300*0.5=150; p90 h=2.7: 300+300*0.7=510.
        assert dict(result.cases) == {
            "count": 4,
            "mean_s": 225.0,
            "median_s": 150.0,
            "p90_s": 510.0,
        }
        assert result.events == 9

    def test_golden_slas(self, engine: str) -> None:
        """SLA breaches are strictly over the SLA; an unobserved hand-off has no share."""
        result = performance(SHOP, shop_plan(), engine=engine)
        # look→basket (A→B): gaps 60, 300 over 120: one breach of two.
        # basket→checkout: gaps 180, 0, SLA 180: equal is no breach.
        # checkout→look never happens; checkout→basket has no SLA, so no record.
        assert result.sla_breaches == (
            SlaBreach(source="look", target="basket", sla_s=120.0, observed=2, breached=1,
                      share=0.5),
            SlaBreach(source="basket", target="checkout", sla_s=180.0, observed=2, breached=0,
                      share=0.0),
            SlaBreach(source="checkout", target="look", sla_s=60.0, observed=0, breached=0,
                      share=None),
        )  # fmt: skip

    def test_golden_phases(self, engine: str) -> None:
        """Phase times run from the first event in the phase to the next in a later one."""
        result = performance(SHOP, shop_plan(), engine=engine)
        # explore (A), expected 300 s: c1 A 10:00 → B 10:01 = 60; c2 A 11:00 → B 11:05 = 300;
        #   c3 only A: to its last event = 0. Sorted [0, 60, 300]: mean 120, median 60,
        #   p90 h=1.8: 60+240*0.8=252; none strictly over 300.
        # buy (B), expected 60 s: c1 B 10:01 → checkout 10:04 = 180; c2 B last = 0;
        #   c4 B 09:00 → checkout 09:00 = 0. Sorted [0, 0, 180]: mean 60, median 0,
        #   p90 h=1.8: 0+180*0.8=144; one of three over 60.
        # after has no expected duration: no record.
        assert result.phases == (
            PhaseTime(phase="explore", expected_s=300.0, cases=3, mean_s=120.0, median_s=60.0,
                      p90_s=252.0, share_over=0.0),
            PhaseTime(phase="buy", expected_s=60.0, cases=3, mean_s=60.0, median_s=0.0,
                      p90_s=144.0, share_over=1 / 3),
        )  # fmt: skip

    def test_phase_ends_at_a_later_phase_after_it_only(self, engine: str) -> None:
        """A later-phase event before the phase starts does not end it."""
        events = log(
            [
                ("c5", "checkout", "2024-05-01T08:00:00"),
                ("c5", "A", "2024-05-01T08:10:00"),
                ("c5", "B", "2024-05-01T08:30:00"),
            ]
        )
        result = performance(events, shop_plan(), engine=engine)
        # explore starts at A 08:10 and ends at B 08:30 (not at checkout 08:00): 1200 s.
        assert result.phases[0].median_s == 1200.0
        assert result.phases[0].share_over == 1.0

    def test_phase_no_case_reaches(self, engine: str) -> None:
        """A phase no event is in has no times and no share."""
        events = log([("c", "checkout", "2024-05-01T08:00:00")])
        result = performance(events, shop_plan(), engine=engine)
        assert result.phases[0] == PhaseTime(
            phase="explore", expected_s=300.0, cases=0, mean_s=None, median_s=None,
            p90_s=None, share_over=None,
        )  # fmt: skip
        assert "no case reaches it" in result.describe_phase(result.phases[0])

    def test_engines_agree_on_the_running_example(self) -> None:
        """duckdb gives exactly numpy's result on the running example (CSV and XES)."""
        result = both(CSV)
        assert len(result) == 16
        assert both(DATA / "running-example.xes") == result

    def test_running_example_matches_a_reference(self) -> None:
        """Every statistic agrees with pandas and numpy on the same gaps, in seconds."""
        frame = pd.read_csv(CSV)
        frame["t"] = pd.to_datetime(frame["time:timestamp"], utc=True)
        frame = frame.sort_values(["case:concept:name", "t"], kind="stable")
        grouped = frame.groupby("case:concept:name")
        frame["next"] = grouped["concept:name"].shift(-1)
        frame["gap"] = (grouped["t"].shift(-1) - frame["t"]).dt.total_seconds()
        gaps = frame.dropna(subset=["next"]).groupby(["concept:name", "next"])["gap"]
        result = performance(CSV)
        for t in result:
            g = gaps.get_group((result.step_names[t.source], result.step_names[t.target]))
            assert t.count == len(g)
            assert (t.min_s, t.max_s) == (g.min(), g.max())
            assert t.mean_s == pytest.approx(g.mean(), rel=1e-15)
            assert t.median_s == pytest.approx(g.median(), rel=1e-15)
            assert t.p90_s == pytest.approx(np.percentile(g, 90), rel=1e-15)

    def test_start_timestamp_only_orders(self, engine: str) -> None:
        """With start times, events are ordered by start; gaps are between end times."""
        events = pd.DataFrame(
            {
                "case:concept:name": ["c", "c"],
                "concept:name": ["X", "Y"],
                "start": ["2024-05-01T10:00:00", "2024-05-01T10:10:00"],
                "time:timestamp": ["2024-05-01T10:30:00", "2024-05-01T10:20:00"],
            }
        )
        result = performance(events, start_timestamp="start", engine=engine)
        # X starts first; Y ends 10 minutes before X does.
        assert [(t.source, t.target, t.median_s) for t in result] == [("x", "y", -600.0)]

    def test_one_event_cases_have_no_transitions(self, engine: str) -> None:
        """A log of single events has no findings and zero cycle times."""
        result = performance(log([("a", "A", "2024-01-01"), ("b", "B", "2024-01-02")]),
                             engine=engine)  # fmt: skip
        assert len(result) == 0
        assert dict(result.cases) == {"count": 2, "mean_s": 0.0, "median_s": 0.0, "p90_s": 0.0}
        assert result.to_frame().columns.tolist() == [
            "source", "target", "count", "mean_s", "median_s", "p90_s", "min_s", "max_s",
        ]  # fmt: skip

    def test_microseconds_are_kept(self, engine: str) -> None:
        """Sub-second gaps are exact to the microsecond."""
        events = log([("c", "A", "2024-05-01T10:00:00.000001"),
                      ("c", "B", "2024-05-01T10:00:00.000004")])  # fmt: skip
        assert performance(events, engine=engine)[0].mean_s == 3e-6

    def test_large_gaps_sum_exactly(self) -> None:
        """Sums beyond 64 bits of microseconds stay exact (centuries apart, many times)."""
        n = 600
        rows = []
        for i in range(n):
            rows += [(f"c{i}", "A", "1700-01-01T00:00:00"), (f"c{i}", "B", "2200-01-01T00:00:00")]
        result = both(log(rows))
        # 500 years in microseconds, 600 times, is about 9.5e21: past int64.
        span = (pd.Timestamp("2200-01-01") - pd.Timestamp("1700-01-01")) // pd.Timedelta("1us")
        assert result[0].mean_s == span / 1e6

    def test_quotes_in_names(self, engine: str) -> None:
        """Activity and step names with quotes are matched as text (SQL literals escaped)."""
        events = log([("c", "Bob's step", "2024-05-01T10:00"), ("c", "Pay", "2024-05-01T10:05")])
        plan = cx.Journey(
            id="j", name="J",
            touchpoints=[cx.Touchpoint(id="bob", name="Bob's step"),
                         cx.Touchpoint(id="pay", name="Pay")],
            handoffs=[cx.Handoff(source="bob", target="pay", sla=timedelta(minutes=4))],
        )  # fmt: skip
        result = performance(events, plan, engine=engine)
        assert result.sla_breaches[0].breached == 1

    def test_slowest(self) -> None:
        """slowest() lists transitions by median, then mean, slowest first."""
        result = performance(SHOP)
        assert [(t.source, t.target) for t in result.slowest()] == [
            ("checkout", "b"),  # median 360
            ("a", "b"),  # median 180
            ("b", "checkout"),  # median 90
        ]

    def test_words_and_views(self) -> None:
        """Lines list SLAs, then phases, then transitions; the views never raise."""
        result = performance(SHOP, shop_plan())
        lines = result.lines()
        assert result.line_count() == len(lines) == 3 + 2 + 3
        assert lines[0] == "SLA 2 min from 'A' (look) to 'B' (basket): breached 1 of 2 times (50%)"
        assert lines[2] == "SLA 1 min from 'Check out' (checkout) to 'A' (look): never observed"
        assert lines[4].startswith("Phase 'Buy' (buy) (expected 1 min): 3 cases, median 0 s")
        assert lines[5] == (
            "'A' (a) → 'B' (b): 2 times, median 3 min (mean 3 min, p90 4.6 min, "
            "from 1 min to 5 min)"
        )
        assert result.summary() == (
            "9 events in 4 cases, 3 transitions; a case takes 2.5 min at the median "
            "(mean 3.75 min, p90 8.5 min); 1 of 3 SLAs breached; "
            "1 of 2 phases over their expected time in some case"
        )
        assert repr(result).startswith("<Performance: 9 events in 4 cases")
        assert result.lines(2)[-1] == "... and 6 more"
        html = result._repr_html_()
        assert "Time per transition" in html
        assert "<script" not in html
        assert result.to_records()[0]["source"] == "a"

    def test_names_are_escaped_in_html(self) -> None:
        """An activity name with markup is escaped in the HTML view."""
        events = log([("c", "<b>x</b>", "2024-01-01"), ("c", "y", "2024-01-02")])
        html = performance(events)._repr_html_()
        assert "<b>x</b>" not in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html

    def test_top_level_names(self) -> None:
        """cx.performance and cx.Performance are this module's."""
        assert cx.performance is performance
        assert cx.Performance is Performance

    def test_equal_results_hash(self) -> None:
        """A result can be hashed (the cases mapping is left out of the hash)."""
        assert hash(performance(SHOP)) == hash(performance(SHOP))


class TestStatistics:
    """ranks and stats: the arithmetic both engines share."""

    def test_grouped_sorts_within_groups_both_ways(self) -> None:
        """Values too far apart to share one int64 with their group fall back to lexsort."""
        keys = np.array([3, 0, 3, 0, 3], dtype=np.int64)
        for values in ([5, -1, 2, 7, -9], [2**62, -(2**62), 0, 2**62 - 1, -(2**62) + 5]):
            v = np.array(values, dtype=np.int64)
            distinct, starts, sorted_v, groups = grouped(keys, v)
            assert distinct.tolist() == [0, 3]
            assert starts.tolist() == [0, 2]
            assert sorted_v.tolist() == sorted(values[1::2]) + sorted(values[0::2])
            assert [(n, total) for n, total, _ in groups] == [
                (2, sum(values[1::2])),
                (3, sum(values[0::2])),
            ]

    @given(st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=30))
    def test_stats_equal_numpy_quantiles(self, values: list[int]) -> None:
        """Median and p90 are numpy's linear quantiles; mean is the exact mean, rounded once."""
        xs = sorted(values)
        got = stats(len(xs), sum(xs), {r: xs[r] for r in ranks(len(xs))})
        seconds = np.array(xs, dtype=np.float64) / 1e6
        # numpy works in floats: near-cancelling values lose about eps * max |x|.
        tol = 1e-12 * max(1.0, float(np.abs(seconds).max()))
        assert got["median_s"] == pytest.approx(np.percentile(seconds, 50), rel=1e-12, abs=tol)
        assert got["p90_s"] == pytest.approx(np.percentile(seconds, 90), rel=1e-12, abs=tol)
        assert got["mean_s"] == pytest.approx(float(np.mean(seconds)), rel=1e-9, abs=tol)
        assert got["min_s"] <= got["median_s"] <= got["p90_s"] <= got["max_s"]


TIMES = st.integers(0, 40)


@st.composite
def timed_logs(draw: st.DrawFn) -> list[tuple[str, str, int]]:
    """Small interleaved logs: (case, activity, minutes), ties included."""
    rows: list[tuple[str, str, int]] = []
    for c in range(draw(st.integers(1, 5))):
        for _ in range(draw(st.integers(1, 6))):
            rows.append((f"case {c}", draw(st.sampled_from(["Visit", "visit!", "Pay", "End"])),
                         draw(TIMES)))  # fmt: skip
    return list(draw(st.permutations(rows)))


def timed_frame(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """The rows with minutes as ISO text, some with offsets (converted to UTC)."""
    base = pd.Timestamp("2024-05-01T10:00:00")
    return log([(c, a, (base + pd.Timedelta(minutes=m)).isoformat() + "+00:00")
                for c, a, m in rows])  # fmt: skip


class TestPerformanceProperties:
    """performance(): invariants on generated logs, and the engines agree."""

    @given(timed_logs())
    def test_matches_the_reference(self, rows: list[tuple[str, str, int]]) -> None:
        """Counts, minima and maxima are exact; quantiles are numpy's; engines agree."""
        result = both(timed_frame(rows))
        ref = reference_gaps(rows)
        got = {(result.step_names[t.source], result.step_names[t.target]): t for t in result}
        assert set(got) == set(ref)
        for pair, minutes in ref.items():
            t, secs = got[pair], np.array(minutes, dtype=np.float64) * 60
            assert (t.count, t.min_s, t.max_s) == (len(minutes), secs.min(), secs.max())
            assert t.median_s == pytest.approx(np.percentile(secs, 50), rel=1e-12, abs=1e-9)
            assert t.p90_s == pytest.approx(np.percentile(secs, 90), rel=1e-12, abs=1e-9)
            assert t.mean_s == pytest.approx(secs.mean(), rel=1e-12, abs=1e-9)

    @given(timed_logs())
    def test_invariants(self, rows: list[tuple[str, str, int]]) -> None:
        """Counts sum to events minus cases; min <= median <= p90 <= max everywhere."""
        result = performance(timed_frame(rows))
        cases = len({c for c, _, _ in rows})
        assert sum(t.count for t in result) == len(rows) - cases == result.events - cases
        for t in result:
            assert t.min_s <= t.median_s <= t.p90_s <= t.max_s
            assert t.min_s <= t.mean_s <= t.max_s
        c = result.cases
        assert c["count"] == cases
        assert 0 <= c["median_s"] <= c["p90_s"]

    @given(event_logs())
    def test_engines_agree_with_a_journey(
        self, drawn: tuple[list[tuple[str, str, int]], list[str | None]]
    ) -> None:
        """On discover's generated logs (ties, clashing slugs), with a journey, engines agree."""
        frame = frame_of(*drawn)
        journey = cx.Journey(
            id="j",
            name="J",
            phases=[cx.Phase(id="p1", name="P1", expected_duration=timedelta(minutes=1)),
                    cx.Phase(id="p2", name="P2", expected_duration=timedelta(0))],
            touchpoints=[cx.Touchpoint(id="visit", name="Visit", phase="p1"),
                         cx.Touchpoint(id="pay", name="Pay", phase="p2"),
                         cx.Touchpoint(id="call", name="call centre", phase="p1")],
            handoffs=[cx.Handoff(source="visit", target="pay", sla=timedelta(minutes=1)),
                      cx.Handoff(source="pay", target="visit", sla=timedelta(0))],
        )  # fmt: skip
        names = {a for _, a, _ in drawn[0]}
        if names & {"Visit", "visit", "Pay", "pay", "call centre", "call"}:
            both(frame, journey)
        else:
            with pytest.raises(JourneyMatchError):
                performance(frame, journey)


BROKEN: list[tuple[str, Any, tuple[Any, ...], dict[str, Any], type[Exception], str]] = [
    ("no timestamps", SHOP, (), {"timestamp": None}, EventLogError,
     r"^performance\(\) needs date-times, but the log was read without timestamps "
     r"\(timestamp=None\)"),
    ("numeric timestamps", pd.DataFrame({"case": [1, 1], "activity": ["a", "b"],
                                         "timestamp": [1, 2]}), (), {}, EventLogError,
     r"the timestamp column 'timestamp' holds numbers: convert them first, e\.g\. "
     r"df\['timestamp'\] = pandas\.to_datetime\(df\['timestamp'\], unit='s'\)$"),
    ("journey matching nothing", SHOP,
     (cx.Journey(id="other", name="O", touchpoints=[cx.Touchpoint(id="x", name="X")]),), {},
     JourneyMatchError,
     r"^no activity of the event log is a step of the journey 'other' \(by id or by name\): "
     r"the log has 'A', 'B', 'checkout'; the journey has 'x'$"),
    ("ambiguous activity", SHOP,
     (shop_plan(touchpoints=[cx.Touchpoint(id="a1", name="A"),
                             cx.Touchpoint(id="a2", name="A")], phases=(), handoffs=()),), {},
     AmbiguousActivityError, r"'A' names the steps 'a1', 'a2'"),
    ("missing column", SHOP, (), {"case": "session"}, EventLogError,
     r"^case='session': no such column"),
]  # fmt: skip


class TestPerformanceBrokenInputs:
    """performance(): each broken input gives its error, on both engines."""

    @pytest.mark.parametrize(
        ("name", "events", "args", "options", "error", "match"), BROKEN, ids=[b[0] for b in BROKEN]
    )
    def test_broken(
        self,
        name: str,
        events: Any,
        args: tuple[Any, ...],
        options: dict[str, Any],
        error: type[Exception],
        match: str,
        engine: str,
    ) -> None:
        """The error names what is wrong and how to fix it; it is also a ValueError."""
        with pytest.raises(error, match=match) as info:
            performance(events, *args, engine=engine, **options)
        assert isinstance(info.value, cx.CxgraphError)
        assert isinstance(info.value, ValueError)

    @pytest.mark.parametrize(
        ("engine_name", "match"),
        [
            ("pandas", r"^unknown engine 'pandas' \(choices: 'numpy', 'duckdb'\)$"),
            ("spark", r"^performance\(\) runs on the numpy and duckdb engines, not on spark"),
        ],
    )
    def test_bad_engine(self, engine_name: str, match: str) -> None:
        """An unknown engine and spark are refused before the log is read."""
        with pytest.raises(EventLogError, match=match):
            performance("no-such-file.csv", engine=engine_name)

    def test_journey_of_the_wrong_type(self) -> None:
        """A journey that is not a Journey is a TypeError."""
        with pytest.raises(TypeError, match=r"takes a Journey or None as journey, got dict"):
            performance(SHOP, {"id": "j"})  # type: ignore[arg-type]
