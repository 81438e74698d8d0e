"""Tests for the newer attribution models and options: position_based, time_decay,
shapley, markov order, markov_shapley, intervals, cost and comparisons."""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction as Fr
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgraph.attribution.heuristics import AttributionError
from cxgraph.attribution.models import (
    MODELS,
    Attribution,
    AttributionComparison,
    attribution,
)
from cxgraph.attribution.paths import PathData, PathRow, paths

SMALL = Path(__file__).resolve().parent.parent / "data" / "paths-small.csv"
DAY = 86400.0


def close(x: float | None, y: float | Fr) -> bool:
    """Equal within 1e-12, relative or absolute."""
    assert x is not None
    return math.isclose(x, float(y), rel_tol=1e-12, abs_tol=1e-12)


def by_hand(rows: list[PathRow]) -> PathData:
    """PathData made from rows (which may carry touch times)."""
    return PathData(
        findings=tuple(rows),
        channels=tuple(sorted({c for r in rows for c in r.path})),
        total_conversions=math.fsum(r.conversions for r in rows),
        total_value=math.fsum(r.value for r in rows),
        total_nulls=math.fsum(r.nulls for r in rows),
    )


def credits(result: Attribution) -> dict[str, tuple[float, float]]:
    """Channel -> (conversions, value)."""
    return {c.channel: (c.conversions, c.value) for c in result}


class TestPositionBased:
    """attribution(model='position_based')."""

    def test_small_table_by_hand(self) -> None:
        """The small table credited by hand with weights 0.4, 0.2, 0.4."""
        # a>b (2 conv, 20): two touches split 0.5/0.5: a 1 (10), b 1 (10).
        # b (1, 5): b 1 (5).
        # a>a>c (1, 6): first a 0.4, middle a 0.2, last c 0.4: a 0.6 (3.6), c 0.4 (2.4).
        # c>b (1, 3): c 0.5 (1.5), b 0.5 (1.5).
        # a 1.6 (13.6), b 2.5 (16.5), c 0.9 (3.9); sums 5 and 34.
        got = credits(attribution(paths(SMALL), model="position_based"))
        expected = {"a": (1.6, 13.6), "b": (2.5, 16.5), "c": (0.9, 3.9)}
        for channel, (conv, value) in expected.items():
            assert close(got[channel][0], conv)
            assert close(got[channel][1], value)

    def test_middle_touches_share_the_middle_weight(self) -> None:
        """Four touches with weights 0.3, 0.4, 0.3: the two middle touches get 0.2 each."""
        data = paths([{"path": "a > b > c > d", "total_conversions": 10}])
        got = credits(attribution(data, model="position_based", weights=(0.3, 0.4, 0.3)))
        assert {c: round(v[0], 9) for c, v in got.items()} == {
            "a": 3.0,
            "b": 2.0,
            "c": 2.0,
            "d": 3.0,
        }

    def test_one_and_two_touches(self) -> None:
        """One touch gets everything; two touches split 0.5/0.5 whatever the weights."""
        data = paths(
            [
                {"path": "a", "total_conversions": 1},
                {"path": "b > c", "total_conversions": 2},
            ]
        )
        got = credits(attribution(data, model="position_based", weights=(1, 0, 0)))
        assert got == {"a": (1.0, 0.0), "b": (1.0, 0.0), "c": (1.0, 0.0)}

    def test_weights_are_kept(self) -> None:
        """The result keeps the weights and names them in the summary."""
        result = attribution(paths(SMALL), model="position_based", weights=[0.5, 0, 0.5])
        assert result.weights == (0.5, 0.0, 0.5)
        assert result.summary().startswith("position_based (0.5, 0, 0.5) attribution")


class TestTimeDecay:
    """attribution(model='time_decay')."""

    def test_by_hand(self) -> None:
        """Ages 2, 1 and 0 days with a one-day half-life weigh 1/4, 1/2, 1: shares 1/7, 2/7, 4/7."""
        data = by_hand(
            [
                PathRow(
                    path=("x", "y", "z"),
                    conversions=7,
                    value=14,
                    nulls=0,
                    times=(0.0, DAY, 2 * DAY),
                )
            ]
        )
        got = credits(attribution(data, model="time_decay", half_life=timedelta(days=1)))
        assert close(got["x"][0], 1)
        assert close(got["y"][0], 2)
        assert close(got["z"][0], 4)
        assert close(got["x"][1], 2)
        assert close(got["y"][1], 4)
        assert close(got["z"][1], 8)

    def test_repeats_and_two_rows(self) -> None:
        """A repeat counts twice; each row is normalised on its own."""
        # Row 1: a at -2h, a at -1h, b at 0 with a 1h half-life: 1/4, 1/2, 1 -> a 3/7, b 4/7.
        # Row 2: b alone: b 1.  Conversions 7 and 1: a 3, b 4 + 1 = 5.
        data = by_hand(
            [
                PathRow(
                    path=("a", "a", "b"),
                    conversions=7,
                    value=0,
                    nulls=1,
                    times=(0.0, 3600.0, 7200.0),
                ),
                PathRow(path=("b",), conversions=1, value=0, nulls=0, times=(5.0,)),
            ]
        )
        got = credits(attribution(data, model="time_decay", half_life=timedelta(hours=1)))
        assert close(got["a"][0], 3)
        assert close(got["b"][0], 5)

    def test_far_apart_touches_do_not_underflow(self) -> None:
        """Touches thousands of half-lives old still leave the path's credit whole."""
        data = by_hand(
            [PathRow(path=("a", "b"), conversions=1, value=0, nulls=0, times=(0.0, 1e9))]
        )
        got = credits(attribution(data, model="time_decay", half_life=timedelta(seconds=1)))
        assert got == {"a": (0.0, 0.0), "b": (1.0, 0.0)}


class TestOtherModels:
    """shapley, markov with order, markov_shapley through attribution()."""

    def test_shapley_splits_among_distinct_channels(self) -> None:
        """The small table: each path's conversions split equally among its distinct channels."""
        # a>b: a 1, b 1; b: b 1; a>a>c: a 0.5, c 0.5; c>b: c 0.5, b 0.5.
        got = credits(attribution(paths(SMALL), model="shapley"))
        assert close(got["a"][0], 1.5)
        assert close(got["b"][0], 2.5)
        assert close(got["c"][0], 1)
        # Values: a 10 + 3 = 13, b 10 + 5 + 1.5 = 16.5, c 3 + 1.5 = 4.5.
        assert close(got["a"][1], 13)
        assert close(got["b"][1], 16.5)
        assert close(got["c"][1], 4.5)

    def test_markov_order_one_is_the_first_order_model(self) -> None:
        """order=1 is the plain markov model; order 2 keeps removal effects and the totals."""
        data = paths(SMALL)
        assert attribution(data, model="markov", order=1) == attribution(data)
        second = attribution(data, model="markov", order=2)
        assert second.order == 2
        assert all(c.removal_effect is not None for c in second)
        assert math.isclose(math.fsum(c.conversions for c in second), 5)
        assert second.summary().startswith("markov (order 2) attribution")

    def test_markov_shapley_records(self) -> None:
        """markov_shapley records add shapley_value and shares follow it."""
        result = attribution(paths(SMALL), model="markov_shapley")
        records = result.to_records()
        assert list(records[0]) == ["channel", "conversions", "value", "shapley_value"]
        phi = {c.channel: c.shapley_value for c in result}
        total = math.fsum(v for v in phi.values() if v is not None)
        for c in result:
            assert c.shapley_value is not None
            assert math.isclose(c.conversions, 5 * c.shapley_value / total, rel_tol=1e-9)


class TestIntervals:
    """attribution(intervals=...)."""

    def test_bounds_contain_the_point_and_repeat(self) -> None:
        """Bounds hold the point, the point is unchanged, and a seed repeats them."""
        data = paths(SMALL)
        plain = attribution(data, model="linear")
        a = attribution(data, model="linear", intervals=0.9, resamples=50, seed=3)
        b = attribution(data, model="linear", intervals=0.9, resamples=50, seed=3)
        assert a == b
        for p, c in zip(plain, a, strict=True):
            assert (p.conversions, p.value) == (c.conversions, c.value)
            assert c.low is not None
            assert c.high is not None
            assert c.value_low is not None
            assert c.value_high is not None
            assert c.low <= c.conversions <= c.high
            assert c.value_low <= c.value <= c.value_high
        assert list(a.to_records()[0]) == [
            "channel",
            "conversions",
            "value",
            "low",
            "high",
            "value_low",
            "value_high",
        ]
        assert (a.intervals, a.resamples, a.seed) == (0.9, 50, 3)
        assert "90% intervals from 50 resamples" in a.summary()

    def test_another_seed_may_differ(self) -> None:
        """Different seeds draw different resamples."""
        data = paths(SMALL)
        lows = {
            tuple(c.low for c in attribution(data, model="markov", intervals=0.8, seed=s))
            for s in range(4)
        }
        assert len(lows) > 1

    def test_nothing_to_resample(self) -> None:
        """Data with no journeys gives bounds equal to the point."""
        data = paths([{"path": "a", "total_conversions": 0}])
        result = attribution(data, model="first_touch", intervals=0.95)
        assert [(c.low, c.high) for c in result] == [(0.0, 0.0)]


class TestCost:
    """attribution(cost=...)."""

    def test_cost_per_conversion_and_roas(self) -> None:
        """Spend over conversions and value over spend, None where missing or divided by 0."""
        # last_touch on the small table: a 0 (0), b 4 (28), c 1 (6).
        result = attribution(paths(SMALL), model="last_touch", cost={"a": 10, "b": 14, "c": 0})
        got = {c.channel: (c.cost_per_conversion, c.roas) for c in result}
        assert got == {"a": (None, 0.0), "b": (3.5, 2.0), "c": (0.0, None)}
        assert list(result.to_records()[0])[-2:] == ["cost_per_conversion", "roas"]
        assert result.cost == (("a", 10.0), ("b", 14.0), ("c", 0.0))

    def test_channel_without_spend(self) -> None:
        """A channel left out of cost has None for both."""
        result = attribution(paths(SMALL), model="last_touch", cost={"b": 8})
        got = {c.channel: (c.cost_per_conversion, c.roas) for c in result}
        assert got == {"a": (None, None), "b": (2.0, 3.5), "c": (None, None)}
        assert "cost per conversion 2, ROAS 3.5" in result.describe(result[1])


class TestComparison:
    """attribution(model=[...])."""

    def test_side_by_side(self) -> None:
        """One record per channel, one column per model, each model by name."""
        data = paths(SMALL)
        models = ["first_touch", "linear", "markov", "shapley"]
        both = attribution(data, model=models)
        assert isinstance(both, AttributionComparison)
        assert both.columns() == ["channel", *models]
        records = both.to_records()
        assert [r["channel"] for r in records] == ["a", "b", "c"]
        for m in models:
            single = attribution(data, model=m)
            assert both.attribution(m) == single
            assert [r[m] for r in records] == [c.conversions for c in single]
            assert [r[m] for r in both.to_value_records()] == [c.value for c in single]
        assert list(both.to_frame().columns) == ["channel", *models]
        assert both.summary().startswith("4 attribution models compared")
        assert both.describe(both[0]).startswith("'a': first_touch 3, linear 1.66667")
        assert "<table" in both._repr_html_() or "<pre" in both._repr_html_()

    def test_unknown_compared_model(self) -> None:
        """Asking a comparison for a model it did not run is a KeyError."""
        both = attribution(paths(SMALL), model=("linear",))
        with pytest.raises(KeyError, match="'markov' was not compared"):
            both.attribution("markov")


BAD: list[tuple[dict[str, Any], str]] = [
    ({"model": "shapley_touch"}, r"unknown model \(choices: 'first_touch', .*'markov_shapley'\)"),
    ({"model": []}, r"expected a model name or a list of them"),
    ({"model": ["linear", "linear"]}, r"'linear' asked twice"),
    ({"model": "markov", "order": 0}, r"order=0\): expected a whole number from 1 to 3, "),
    ({"model": "markov", "order": 4}, r"order=4\): .* from 1 to 3, the longest path's length"),
    ({"model": "time_decay"}, r"model='time_decay'\) needs half_life="),
    ({"model": "time_decay", "half_life": timedelta(0)}, r"half_life=.*longer than 0"),
    ({"model": "time_decay", "half_life": 5}, r"half_life=5\): expected a timedelta"),
    (
        {"model": "time_decay", "half_life": timedelta(days=1)},
        r"time_decay.*row 0 \(a > b\) has none.*paths_from_events",
    ),
    ({"model": "position_based", "weights": (0.5, 0.5, 0.5)}, r"must add to 1, they add to 1.5"),
    ({"model": "position_based", "weights": (1.2, 0, -0.2)}, r"three numbers 0 or more"),
    ({"model": "position_based", "weights": (0.5, 0.5)}, r"three numbers"),
    ({"cost": {"z": 1}}, r"cost\['z'\]: 'z' is no channel of the data"),
    ({"cost": {"a": -1}}, r"cost\['a'\]: spend -1: expected a number, 0 or more"),
    ({"cost": [1]}, r"expected a mapping of channel to spend"),
    ({"intervals": 1.0}, r"intervals=1.0\): expected a confidence level between 0 and 1"),
    ({"intervals": 0}, r"intervals=0\)"),
    ({"intervals": 0.9, "resamples": 0}, r"resamples=0\): expected a whole number, 1 or more"),
]


class TestBadOptions:
    """Every bad option is an AttributionError (a ValueError) saying what is wrong."""

    @pytest.mark.parametrize(("options", "message"), BAD)
    def test_bad_option(self, options: dict[str, Any], message: str) -> None:
        """Each bad option gives its message."""
        with pytest.raises(AttributionError, match=message):
            attribution(paths(SMALL), **options)

    def test_is_a_value_error(self) -> None:
        """AttributionError is also a ValueError."""
        with pytest.raises(ValueError, match="unknown model"):
            attribution(paths(SMALL), model="nope")


# -- properties ----------------------------------------------------------------------


@st.composite
def timed_data(draw: st.DrawFn) -> PathData:
    """Small path data with touch times: 1-6 rows of 1-4 touches over four channels."""
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        path = draw(st.lists(st.sampled_from("abcd"), min_size=1, max_size=4))
        gaps = draw(st.lists(st.integers(0, 10 * 86400), min_size=len(path), max_size=len(path)))
        times = tuple(float(sum(gaps[: i + 1])) for i in range(len(path)))
        conv = draw(st.integers(0, 5))
        value = draw(st.integers(0, 40)) * 0.5 if conv else 0.0
        rows.append(
            PathRow(
                path=tuple(path),
                conversions=conv,
                value=value,
                nulls=draw(st.integers(0, 5)),
                times=times,
            )
        )
    return by_hand(rows)


OPTIONS: dict[str, dict[str, Any]] = {"time_decay": {"half_life": timedelta(days=2)}}


class TestProperties:
    """Invariants of every model over random path data."""

    @given(timed_data(), st.sampled_from(MODELS))
    def test_every_model_sums_to_the_totals(self, data: PathData, model: str) -> None:
        """Each model's conversions and values sum to the data's totals, none negative."""
        result = attribution(data, model=model, **OPTIONS.get(model, {}))
        assert math.isclose(
            math.fsum(c.conversions for c in result), data.total_conversions, abs_tol=1e-9
        )
        assert math.isclose(math.fsum(c.value for c in result), data.total_value, abs_tol=1e-9)
        assert all(c.conversions >= -1e-12 for c in result)
        assert all(c.value >= -1e-12 for c in result)

    @given(timed_data(), st.integers(1, 4))
    def test_every_markov_order_sums_to_the_totals(self, data: PathData, order: int) -> None:
        """markov of any order up to the longest path sums to the totals."""
        order = min(order, max(len(r.path) for r in data))
        result = attribution(data, model="markov", order=order)
        assert math.isclose(
            math.fsum(c.conversions for c in result), data.total_conversions, abs_tol=1e-9
        )

    @given(timed_data(), st.sampled_from(MODELS), st.integers(0, 2**32))
    def test_intervals_repeat_and_hold_the_point(
        self, data: PathData, model: str, seed: int
    ) -> None:
        """The same seed gives the same bounds, and they hold the point estimate."""
        opts = {"intervals": 0.9, "resamples": 15, "seed": seed, **OPTIONS.get(model, {})}
        a = attribution(data, model=model, **opts)
        assert a == attribution(data, model=model, **opts)
        plain = attribution(data, model=model, **OPTIONS.get(model, {}))
        for p, c in zip(plain, a, strict=True):
            assert (p.conversions, p.value) == (c.conversions, c.value)
            assert c.low is not None
            assert c.high is not None
            assert c.value_low is not None
            assert c.value_high is not None
            assert c.low <= c.conversions <= c.high
            assert c.value_low <= c.value <= c.value_high
