"""What a discovered journey keeps of time and variants (``cxgraph.mining.observed``).

Worked by hand on one log (minutes after 10:00 on 2024-05-01):

    c1  Visit 0   Cart 2   Pay 5    (Visit>Cart 120 s, Cart>Pay 180 s; cycle 300 s)
    c2  Visit 0   Cart 10  Visit 11 Pay 15  (Cart>Visit 60 s, Visit>Pay 240 s; 900 s)
    c3  Visit 0   Pay 1    Visit 30 (after the outcome Pay: cut when Pay is an outcome)

Visit>Cart: c1 120, c2 600: count 2, mean 360, median 360, p90 120 + 0.9 * 480 = 552.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import cxgraph as cx

ENGINES = ["numpy", "duckdb"]
CASES = {
    "c1": [("Visit", 0), ("Cart", 2), ("Pay", 5)],
    "c2": [("Visit", 0), ("Cart", 10), ("Visit", 11), ("Pay", 15)],
    "c3": [("Visit", 0), ("Pay", 1), ("Visit", 30)],
}


def log() -> pd.DataFrame:
    rows = [
        {"case": c, "activity": a, "time": f"2024-05-01T10:{m:02d}Z"}
        for c, events in CASES.items()
        for a, m in events
    ]
    return pd.DataFrame(rows)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KW: dict[str, Any] = {"case": "case", "activity": "activity", "timestamp": "time"}


def times(j: cx.Journey) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["source"], r["target"]): r for r in j.extensions["discover"]["times"]["transitions"]}


@pytest.mark.parametrize("engine", ENGINES)
class TestTimes:
    def test_transition_times(self, engine: str) -> None:
        j = cx.discover(log(), engine=engine, **KW)
        got = times(j)
        assert got[("visit", "cart")] == {
            "source": "visit",
            "target": "cart",
            "count": 2,
            "mean_s": 360.0,
            "median_s": 360.0,
            "p90_s": 552.0,
            "min_s": 120.0,
            "max_s": 600.0,
        }
        # Pay>Visit (c3, 29 min) exists without outcomes; into "end" there is no time.
        assert got[("pay", "visit")]["median_s"] == 1740.0
        assert not any(t == "end" for _, t in got)
        assert j.extensions["discover"]["times"]["cases"] == {
            "count": 3,
            "mean_s": (300 + 900 + 1800) / 3,
            "median_s": 900.0,
            "p90_s": 900 + 0.8 * 900,  # ranks 1 and 2 of (300, 900, 1800), 0.8 of the way
        }

    def test_touchpoints_carry_the_median_time_to_the_next_event(self, engine: str) -> None:
        j = cx.discover(log(), engine=engine, **KW)
        durations = {t.id: t.duration for t in j.touchpoints}
        # From Visit: 120 (c1), 600 and 240 (c2), 60 and... c3: 60 (Visit>Pay); median of
        # 60, 120, 240, 600 is 180 s.
        assert durations["visit"] == timedelta(seconds=180)
        assert durations["cart"] == timedelta(seconds=120)  # 180 (c1) and 60 (c2)

    def test_cut_at_outcomes(self, engine: str) -> None:
        with pytest.warns(cx.CxgraphWarning, match="came after an outcome"):
            j = cx.discover(log(), outcomes={"Pay": "success"}, engine=engine, **KW)
        got = times(j)
        assert ("pay", "visit") not in got  # after the outcome: left out, as the counts are
        assert j.extensions["discover"]["times"]["cases"]["median_s"] == 300.0  # 300, 900, 60

    def test_variants(self, engine: str) -> None:
        j = cx.discover(log(), engine=engine, **KW)
        variants = j.extensions["discover"]["variants"]
        assert variants["count"] == 3
        assert [tuple(v["variant"]) for v in variants["top"]] == [
            ("Visit", "Cart", "Pay"),
            ("Visit", "Cart", "Visit", "Pay"),
            ("Visit", "Pay", "Visit"),
        ]
        assert [v["share"] for v in variants["top"]] == [1 / 3] * 3

    def test_filters_measure_what_is_kept(self, engine: str) -> None:
        j = cx.discover(log(), variants=1, engine=engine, **KW)
        assert j.extensions["discover"]["times"]["cases"]["count"] == 1
        assert j.extensions["discover"]["variants"]["count"] == 1


def test_engines_agree_on_a_file() -> None:
    path = Path(__file__).resolve().parents[1] / "data" / "running-example.csv"
    a = cx.discover(path, outcomes={"pay compensation": "success"})
    b = cx.discover(path, outcomes={"pay compensation": "success"}, engine="duckdb")
    assert a == b
    assert a.extensions["discover"]["times"] == b.extensions["discover"]["times"]


def test_no_times_without_date_times() -> None:
    frame = log().assign(time=lambda f: range(len(f)))
    for engine in ENGINES:
        j = cx.discover(frame, engine=engine, **KW)
        assert "times" not in j.extensions["discover"]
        assert all(t.duration is None for t in j.touchpoints)
    j = cx.discover(log(), timestamp=None, case="case", activity="activity")
    assert "times" not in j.extensions["discover"]


def test_simulated_journey_comes_back_with_its_durations() -> None:
    """simulate writes each touchpoint's duration as the gap after it; discover reads it back."""
    j = cx.load(EXAMPLES / "restaurant.yaml")
    found = cx.discover(cx.simulate(j, 300, seed=3))
    by_name = {t.name: t.duration for t in found.touchpoints}
    for tp in j.touchpoints:
        if tp.name in by_name and tp.duration is not None:
            assert by_name[tp.name] == tp.duration, tp.id


@pytest.mark.parametrize("engine", ENGINES)
def test_times_false_counts_only(engine: str) -> None:
    """times=False gives the journey without what it measures, and nothing else differs."""
    j = cx.discover(log(), times=False, engine=engine, **KW)
    full = cx.discover(log(), engine=engine, **KW)
    assert "times" not in j.extensions["discover"]
    assert "variants" not in j.extensions["discover"]
    assert all(t.duration is None for t in j.touchpoints)
    assert j.transitions == full.transitions
    assert j.entries == full.entries
