"""Reading the logs users have: usual column names, no timestamps, lifecycles, intervals.

The real logs are pm4py's own test logs (tests/data/README.md); the counts
they must give are pm4py's (``tests/data/pm4py-reading-oracles.json``,
written by ``benchmarks/pm4py_reading_oracles.py`` in the benchmark
virtualenv, pm4py 2.7.23.11). Every engine must agree with them and with
each other; the small cases are worked by hand.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import cxgraph as cx
from cxgraph.mining.discovery import discover
from cxgraph.readwrite.roles import MissingColumnError

DATA = Path(__file__).resolve().parents[1] / "data"
ORACLES = json.loads((DATA / "pm4py-reading-oracles.json").read_text(encoding="utf-8"))
ENGINES = ["numpy", "duckdb"]


def named(journey: cx.Journey) -> dict[str, int]:
    """Directly-follows counts by activity name, the flows into the generic end left out."""
    names = {s.id: s.name for s in journey.steps}
    return {
        f"{names[t.source]} -> {names[t.target]}": t.count or 0
        for t in journey.transitions
        if t.target != "end"
    }


def frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    return pd.DataFrame(columns)


# -- pm4py's logs ------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
class TestPm4pyLogs:
    def test_no_timestamps_keeps_file_order(self, engine: str) -> None:
        """a12f0n00 has no times: 1,000 traces in file order, pm4py's 18 pairs exactly."""
        j = discover(DATA / "a12f0n00.xes.gz", timestamp=None, engine=engine)
        assert named(j) == ORACLES["a12f0n00, file order"]
        assert j.extensions["discover"]["columns"]["timestamp"] is None
        assert j.extensions["discover"]["cases"] == 1000

    def test_complete_events_of_a_lifecycle_log(self, engine: str) -> None:
        """reviewing keeps its 'complete' events: pm4py's 44 pairs after its event filter."""
        j = discover(DATA / "reviewing.xes.gz", lifecycle="complete", engine=engine)
        assert named(j) == ORACLES["reviewing, complete events"]
        assert j.extensions["discover"]["lifecycle"] == "complete"
        # Any case of letters.
        assert (
            named(discover(DATA / "reviewing.xes.gz", lifecycle="COMPLETE", engine=engine))
            == (ORACLES["reviewing, complete events"])
        )

    def test_interval_log_ordered_by_start(self, engine: str) -> None:
        """The interval log ordered by start, then end time: pm4py's 14 pairs; by end alone
        it is a different graph."""
        path = DATA / "interval-event-log.parquet"
        j = discover(path, start_timestamp="start_timestamp", engine=engine)
        assert named(j) == ORACLES["interval, by start then end"]
        assert j.extensions["discover"]["columns"]["start_timestamp"] == "start_timestamp"
        assert named(discover(path, engine=engine)) != ORACLES["interval, by start then end"]


# -- the usual column names -----------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
class TestUsualNames:
    def test_plain_case_activity_timestamp(self, engine: str) -> None:
        log = frame(
            {
                "case": ["c1", "c1", "c2"],
                "activity": ["Visit", "Buy", "Visit"],
                "timestamp": ["2024-05-01 10:00", "2024-05-01 10:05", "2024-05-02 09:00"],
            }
        )
        j = discover(log, engine=engine)
        assert named(j) == {"Visit -> Buy": 1}
        assert dict(j.extensions["discover"]["columns"]) == {
            "case": "case",
            "activity": "activity",
            "timestamp": "timestamp",
            "resource": None,
        }

    def test_any_case_of_letters_and_a_resource(self, engine: str) -> None:
        log = frame(
            {
                "Session_ID": [1, 1, 2],
                "Event": ["Call", "Fix", "Call"],
                "TS": [1, 2, 1],
                "Team": ["Desk", "Field", "Desk"],
            }
        )
        j = discover(log, engine=engine)
        assert dict(j.extensions["discover"]["columns"]) == {
            "case": "Session_ID",
            "activity": "Event",
            "timestamp": "TS",
            "resource": "Team",
        }
        assert [(t.id, t.owner) for t in j.touchpoints] == [("call", "desk"), ("fix", "field")]

    def test_xes_names_win_over_usual_ones(self, engine: str) -> None:
        """pm4py's running example has both 'concept:name' and 'Activity': the XES name is used."""
        j = discover(DATA / "running-example.csv", engine=engine)
        assert j.extensions["discover"]["columns"]["activity"] == "concept:name"

    def test_two_candidates_are_ambiguous(self, engine: str) -> None:
        log = frame({"case": [1], "session": [1], "activity": ["a"], "time": [1]})
        with pytest.raises(MissingColumnError) as info:
            discover(log, engine=engine)
        assert str(info.value) == (
            "which column holds the case ids? 'case' and 'session' both could: name one with "
            "case='case' (columns: 'case', 'session', 'activity', 'time')"
        )
        # Naming one settles it.
        assert discover(log, case="session", engine=engine).extensions["discover"]["cases"] == 1

    def test_nothing_recognisable_names_each_keyword(self, engine: str) -> None:
        log = frame({"id": [1], "what": ["a"], "when": [1]})
        with pytest.raises(MissingColumnError) as info:
            discover(log, engine=engine)
        lines = str(info.value).splitlines()
        assert len(lines) == 3
        assert lines[0].startswith("no column for the case ids: the log has no 'case:concept:name'")
        assert "name it with case='...'" in lines[0]
        assert "name it with activity='...'" in lines[1]
        assert "pass timestamp=None to keep the file's order" in lines[2]
        assert all(line.endswith("(columns: 'id', 'what', 'when')") for line in lines)
        # The command line's wording names the flags instead.
        cli = info.value.for_command_line()
        assert "--case COLUMN" in cli
        assert "--no-timestamp" in cli
        assert "case=" not in cli

    def test_a_column_named_explicitly_must_exist(self, engine: str) -> None:
        log = frame({"case": [1], "activity": ["a"], "time": [1]})
        with pytest.raises(MissingColumnError, match=r"^case='customer': no such column"):
            discover(log, case="customer", engine=engine)


# -- timestamps, lifecycles, intervals by hand -------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
class TestByHand:
    def test_without_timestamps_rows_keep_their_order(self, engine: str) -> None:
        """Times that would reorder the case are ignored with timestamp=None."""
        log = frame(
            {
                "case": ["c", "c", "c"],
                "activity": ["a", "b", "c"],
                "timestamp": [3, 2, 1],
            }
        )
        assert named(discover(log, timestamp=None, engine=engine)) == {"a -> b": 1, "b -> c": 1}
        assert named(discover(log, engine=engine)) == {"c -> b": 1, "b -> a": 1}

    def test_start_then_end_then_row(self, engine: str) -> None:
        """x ends last but starts first; y and z start together and end together (row order)."""
        log = frame(
            {
                "case": ["k"] * 3,
                "activity": ["y", "z", "x"],
                "start": [2, 2, 1],
                "timestamp": [5, 5, 9],
            }
        )
        j = discover(log, start_timestamp="start", engine=engine)
        assert named(j) == {"x -> y": 1, "y -> z": 1}

    def test_lifecycle_keeps_the_events_without_one(self, engine: str) -> None:
        log = frame(
            {
                "case": ["k"] * 4,
                "activity": ["a", "a", "b", "c"],
                "timestamp": [1, 2, 3, 4],
                "lifecycle:transition": ["start", "complete", "Complete", None],
            }
        )
        j = discover(log, lifecycle="complete", engine=engine)
        assert named(j) == {"a -> b": 1, "b -> c": 1}

    def test_lifecycle_value_the_log_never_has(self, engine: str) -> None:
        log = frame(
            {
                "case": ["k"] * 2,
                "activity": ["a", "b"],
                "timestamp": [1, 2],
                "lifecycle:transition": ["start", "complete"],
            }
        )
        with pytest.raises(cx.CxgraphError) as info:
            discover(log, lifecycle="finish", engine=engine)
        assert str(info.value) == (
            "lifecycle='finish': no event has that 'lifecycle:transition' "
            "(values in the log: 'complete', 'start')"
        )

    def test_lifecycle_without_the_column(self, engine: str) -> None:
        log = frame({"case": ["k"], "activity": ["a"], "timestamp": [1]})
        with pytest.raises(cx.CxgraphError, match=r"but the event log has no such column"):
            discover(log, lifecycle="complete", engine=engine)

    def test_a_start_time_that_cannot_be_read(self, engine: str) -> None:
        log = frame(
            {
                "case": ["k"] * 2,
                "activity": ["a", "b"],
                "start": ["2024-01-01", "soon"],
                "timestamp": ["2024-01-02", "2024-01-03"],
            }
        )
        with pytest.raises(cx.CxgraphError, match=r"^start_timestamp='start': cannot read 'soon'"):
            discover(log, start_timestamp="start", engine=engine)


# -- XES traces that share a name ----------------------------------------------------


def test_xes_traces_with_one_name_warn_and_stay_one_case(tmp_path: Path) -> None:
    def trace(name: str, events: list[tuple[str, str]]) -> str:
        body = "".join(
            f'<event><string key="concept:name" value="{a}"/>'
            f'<date key="time:timestamp" value="{t}"/></event>'
            for a, t in events
        )
        return f'<trace><string key="concept:name" value="{name}"/>{body}</trace>'

    xes = (
        '<?xml version="1.0" encoding="UTF-8"?><log>'
        + trace("c1", [("a", "2024-01-01T10:00:00"), ("b", "2024-01-01T11:00:00")])
        + trace("c2", [("a", "2024-01-01T10:00:00")])
        + trace("c1", [("c", "2024-01-01T12:00:00")])
        + "</log>"
    )
    path = tmp_path / "dup.xes.gz"
    path.write_bytes(gzip.compress(xes.encode()))
    with pytest.warns(
        cx.CxgraphWarning, match=r"1 trace name is used by more than one trace \('c1'\)"
    ):
        j = discover(path)
    assert j.extensions["discover"]["cases"] == 2
    assert named(j) == {"a -> b": 1, "b -> c": 1}


# -- Spark agrees ---------------------------------------------------------------------


def test_spark_agrees_on_the_reading_options(spark: Any) -> None:
    """One Spark run per option on the hand-made logs, equal to the numpy engine."""
    logs = [
        (frame({"case": ["c"] * 3, "activity": ["a", "b", "c"], "timestamp": [3, 2, 1]}),
         {"timestamp": None}),
        (frame({"case": ["k"] * 3, "activity": ["y", "z", "x"], "start": [2, 2, 1],
                "timestamp": [5, 5, 9]}), {"start_timestamp": "start"}),
        (frame({"case": ["k"] * 4, "activity": ["a", "a", "b", "c"], "timestamp": [1, 2, 3, 4],
                "lifecycle:transition": ["start", "complete", "Complete", None]}),
         {"lifecycle": "complete"}),
    ]  # fmt: skip
    for log, options in logs:
        assert named(discover(log, engine="spark", **options)) == named(discover(log, **options)), (
            options
        )


def test_duckdb_keeps_a_large_files_order_without_timestamps(tmp_path: Path) -> None:
    """DuckDB reads a large CSV in parallel; without timestamps it still keeps row order."""
    import numpy as np

    rng = np.random.default_rng(7)
    n = 400_000
    log = frame(
        {
            "case": rng.integers(0, 20_000, n).astype(str),
            "activity": np.array(list("abcdefgh"))[rng.integers(0, 8, n)],
        }
    )
    path = tmp_path / "big.csv"
    log.to_csv(path, index=False)
    numpy_j = discover(path, timestamp=None)
    duck_j = discover(path, timestamp=None, engine="duckdb")
    assert named(duck_j) == named(numpy_j)
    # The order matters: a shuffled file gives a different graph.
    log.sample(frac=1, random_state=1).to_csv(path, index=False)
    assert named(discover(path, timestamp=None, engine="duckdb")) != named(numpy_j)
