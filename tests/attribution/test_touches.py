"""Tests for cxgraph.attribution.touches: conversion paths from a raw touch log."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cxgraph as cx
from cxgraph.attribution.models import attribution
from cxgraph.attribution.path_tables import PathDataError
from cxgraph.attribution.touches import paths_from_events
from cxgraph.errors import CxgraphWarning
from cxgraph.readwrite.columns import EventLogError

DAY = 86400.0
T0 = 1704067200.0  # 2024-01-01T00:00Z

#: A hand log with the conversion as a channel value. Rows are out of order on purpose.
LOG: dict[str, list[Any]] = {
    "case:concept:name": ["u1", "u2", "u1", "u1", "u1", "u3", "u2"],
    "channel": ["email", "search", "search", "buy", "social", "buy", "email"],
    "time:timestamp": [
        "2024-01-02",  # u1 email, day 1
        "2024-01-01",  # u2 search, day 0
        "2024-01-01",  # u1 search, day 0
        "2024-01-03",  # u1 buy, day 2
        "2024-01-04",  # u1 social, day 3: after the conversion, dropped
        "2024-01-05",  # u3 buy only: no touch
        "2024-01-03",  # u2 email, day 2
    ],
    "revenue": [0, 0, 0, 40, 0, 7, 0],
}


class TestPathsFromEvents:
    """paths_from_events(): one path per case from a touch log."""

    def test_conversion_as_a_channel_value(self) -> None:
        """Touches in time order, conversion rows are no touches, later touches dropped."""
        with pytest.warns(CxgraphWarning, match=r"1 case .* had no touch.*\(1 conversion left out"):
            data = paths_from_events(pd.DataFrame(LOG), conversion="buy", value="revenue")
        rows = [(r.path, r.conversions, r.value, r.nulls, r.times) for r in data]
        assert rows == [
            (("search", "email"), 1.0, 40.0, 0.0, (T0, T0 + DAY)),
            (("search", "email"), 0.0, 0.0, 1.0, (T0, T0 + 2 * DAY)),
        ]
        assert data.channels == ("email", "search")
        assert (data.total_conversions, data.total_value, data.total_nulls) == (1.0, 40.0, 1.0)
        assert list(data.to_records()[0]) == ["path", "conversions", "value", "nulls", "times"]

    def test_conversion_as_a_boolean_column(self) -> None:
        """With a boolean column every row is a touch and any true row converts the case."""
        log = pd.DataFrame(
            {
                "case": ["a", "a", "b", "b", "c"],
                "channel": ["ad", "shop", "ad", "ad", "mail"],
                "time": [1, 2, 3, 4, 5],
                "bought": ["false", "TRUE", "0", None, "yes"],
                "amount": ["0", "12.5", "", "0", "3"],
            }
        )
        data = paths_from_events(log, conversion="bought", value="amount")
        assert [(r.path, r.conversions, r.value, r.nulls, r.times) for r in data] == [
            (("ad", "shop"), 1.0, 12.5, 0.0, (1.0, 2.0)),
            (("ad", "ad"), 0.0, 0.0, 1.0, (3.0, 4.0)),
            (("mail",), 1.0, 3.0, 0.0, (5.0,)),
        ]

    def test_value_summed_over_the_case(self) -> None:
        """Value is summed over all of a converting case's rows."""
        log = pd.DataFrame(
            {
                "case": [1, 1, 1],
                "channel": ["a", "b", "a"],
                "time": [1, 2, 3],
                "won": [False, True, False],
                "v": [1.0, 2.0, 3.0],
            }
        )
        data = paths_from_events(log, conversion="won", value="v")
        assert [(r.path, r.value) for r in data] == [(("a", "b", "a"), 6.0)]

    def test_value_without_conversion_is_left_out(self) -> None:
        """A case with value but no conversion has value 0, with a warning."""
        log = pd.DataFrame({"case": [1], "channel": ["a"], "time": [1], "v": [5]})
        with pytest.warns(CxgraphWarning, match="1 case .* had value but no conversion"):
            data = paths_from_events(log, value="v")
        assert [(r.conversions, r.value, r.nulls) for r in data] == [(0.0, 0.0, 1.0)]

    @pytest.mark.parametrize(
        "make", [pd.DataFrame, pl.DataFrame, pa.table], ids=["pandas", "polars", "arrow"]
    )
    def test_frames_read_alike(self, make: Any) -> None:
        """pandas, polars and arrow logs give the same paths."""
        with pytest.warns(CxgraphWarning):
            data = paths_from_events(make(LOG), conversion="buy", value="revenue")
        assert [(r.path, r.conversions, r.value, r.times) for r in data] == [
            (("search", "email"), 1.0, 40.0, (T0, T0 + DAY)),
            (("search", "email"), 0.0, 0.0, (T0, T0 + 2 * DAY)),
        ]

    def test_csv_and_parquet(self, tmp_path: Path) -> None:
        """CSV and Parquet files read as the frame does."""
        frame = pd.DataFrame(LOG)
        csv, parquet = tmp_path / "log.csv", tmp_path / "log.parquet"
        frame.to_csv(csv, index=False)
        frame.to_parquet(parquet)
        with pytest.warns(CxgraphWarning):
            want = paths_from_events(frame, conversion="buy", value="revenue")
        for path in (csv, parquet):
            with pytest.warns(CxgraphWarning):
                got = paths_from_events(path, conversion="buy", value="revenue")
            assert got == want
            assert [r.times for r in got] == [r.times for r in want]

    def test_columns_detected_as_discover(self) -> None:
        """Usual column names are found; the channel column may be 'Channel' or 'touchpoint'."""
        log = pd.DataFrame(
            {"user_id": [1, 1], "Channel": ["a", "b"], "ts": ["2024-01-01", "2024-01-02"]}
        )
        assert [r.path for r in paths_from_events(log)] == [("a", "b")]
        log = log.rename(columns={"Channel": "touchpoint"})
        assert [r.path for r in paths_from_events(log)] == [("a", "b")]

    def test_without_timestamps(self) -> None:
        """timestamp=None keeps the file's order and reads no times."""
        log = pd.DataFrame({"case": [1, 1], "channel": ["b", "a"]})
        data = paths_from_events(log, timestamp=None)
        assert [(r.path, r.times) for r in data] == [(("b", "a"), None)]
        with pytest.raises(Exception, match="paths_from_events"):
            attribution(data, model="time_decay", half_life=timedelta(days=1))

    def test_time_decay_on_the_log(self) -> None:
        """time_decay credits the log's touches by their age before the last touch."""
        # u1 converts: search at day 0, email at day 1; half-life 1 day: 1/2 and 1 -> 1/3, 2/3.
        with pytest.warns(CxgraphWarning):
            data = paths_from_events(pd.DataFrame(LOG), conversion="buy", value="revenue")
        result = attribution(data, model="time_decay", half_life=timedelta(days=1))
        got = {c.channel: (c.conversions, c.value) for c in result}
        assert math.isclose(got["search"][0], 1 / 3)
        assert math.isclose(got["email"][0], 2 / 3)
        assert math.isclose(got["search"][1], 40 / 3)
        assert math.isclose(got["email"][1], 80 / 3)

    def test_top_level_name(self) -> None:
        """cx.paths_from_events is this function."""
        assert cx.paths_from_events is paths_from_events


BAD: list[tuple[dict[str, Any], dict[str, Any], type[Exception], str]] = [
    (
        {"case": [1], "channel": ["a"], "time": [1]},
        {"conversion": "buy"},
        PathDataError,
        r"conversion='buy': neither a column of the touch log .* nor a value of the "
        r"channel column 'channel' \(values: 'a'\)",
    ),
    (
        {"case": [1], "channel": ["a"], "time": [1]},
        {"value": "amount"},
        PathDataError,
        r"value='amount': no such column in the touch log",
    ),
    (
        {"case": [1, 1], "channel": ["a", "b"], "time": [1, 2], "ok": ["yes", "maybe"]},
        {"conversion": "ok"},
        PathDataError,
        r"conversion='ok': 1 field .* cannot be read, expected true or false.*\nrow 1: 'maybe'",
    ),
    (
        {"case": [1, 1], "channel": ["a", "b"], "time": [1, 2], "v": ["x", -2]},
        {"value": "v"},
        PathDataError,
        r"value='v': 2 fields .*\nrow 0: 'x'\nrow 1: -2",
    ),
    (
        {"case": [1], "channel": ["buy"], "time": [1]},
        {"conversion": "buy"},
        PathDataError,
        r"has no case with a touch",
    ),
    (
        {"case": [1], "medium": ["a"], "time": [1]},
        {},
        EventLogError,
        r"no column for the channels.*name it with channel=",
    ),
    (
        {"case": [1], "medium": ["a"], "time": [1]},
        {"channel": "source"},
        EventLogError,
        r"channel='source': no such column in the event log",
    ),
]


class TestBadLogs:
    """Broken touch logs and options, and the error each gives."""

    @pytest.mark.parametrize(("log", "options", "error", "message"), BAD)
    def test_bad_log(
        self, log: dict[str, Any], options: dict[str, Any], error: type[Exception], message: str
    ) -> None:
        """Each broken log gives its error."""
        with pytest.raises(error, match=message):
            paths_from_events(pd.DataFrame(log), **options)

    def test_no_warning_needed_for_errors(self) -> None:
        """An unknown column fails before anything is read."""
        with pytest.raises(PathDataError, match="value='nope'"):
            paths_from_events(
                pd.DataFrame({"case": [1], "channel": ["a"], "time": [1]}), value="nope"
            )
