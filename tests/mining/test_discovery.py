"""Tests for cxgraph.mining.discovery: discovering journeys from event logs."""

from __future__ import annotations

import io
import itertools
import math
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph._util.text import slug, unique_ids
from cxgraph.cli import main
from cxgraph.mining.discovery import discover
from cxgraph.readwrite import eventlog as EL

DATA = Path(__file__).resolve().parent.parent / "data"
CSV = DATA / "running-example.csv"
#: pyspark warns about pandas 3 as it starts and converts; the engine does not rely on it.
PYSPARK_PANDAS_WARNING = "ignore:PySpark does not yet fully support pandas:FutureWarning"
XES = DATA / "running-example.xes"
XES_GZ = DATA / "running-example.xes.gz"

#: The directly-follows counts of the running example, by hand from the CSV.
RUNNING_PAIRS = {
    ("register-request", "examine-casually"): 3,
    ("register-request", "check-ticket"): 2,
    ("register-request", "examine-thoroughly"): 1,
    ("examine-casually", "check-ticket"): 4,
    ("examine-casually", "decide"): 2,
    ("check-ticket", "examine-casually"): 2,
    ("check-ticket", "decide"): 6,
    ("check-ticket", "examine-thoroughly"): 1,
    ("decide", "reinitiate-request"): 3,
    ("decide", "pay-compensation"): 3,
    ("decide", "reject-request"): 3,
    ("reinitiate-request", "examine-casually"): 1,
    ("reinitiate-request", "check-ticket"): 1,
    ("reinitiate-request", "examine-thoroughly"): 1,
    ("examine-thoroughly", "check-ticket"): 2,
    ("examine-thoroughly", "decide"): 1,
}
RUNNING_OWNERS = {
    "register-request": "pete",  # Pete 3, Mike 2, Ellen 1
    "examine-casually": "mike",  # Mike 3, Sean 1, Ellen 1, Sue 1
    "check-ticket": "mike",  # Mike 4, Pete 3, Ellen 2
    "decide": "sara",
    "reinitiate-request": "sara",
    "examine-thoroughly": "sean",  # Sean 2, Sue 1
    "pay-compensation": "ellen",  # Ellen 2, Mike 1
    "reject-request": "ellen",  # Pete, Mike, Ellen once each: a tie, won by name
}


def log(rows: list[tuple[Any, ...]], resource: bool = False) -> pd.DataFrame:
    """A frame from (case, activity, time[, resource]) rows, times as ISO text or numbers."""
    cols = ["case:concept:name", "concept:name", "time:timestamp"]
    return pd.DataFrame(rows, columns=[*cols, "org:resource"] if resource else cols)


def edges(journey: cx.Journey) -> dict[tuple[str, str], int]:
    """Transition counts by (source, target)."""
    return {(t.source, t.target): t.count for t in journey.transitions}  # type: ignore[misc]


def same_journey(a: cx.Journey, b: cx.Journey) -> bool:
    """Equal, extensions included (equality leaves them to the hash, not to ==)."""
    return a == b and dict(a.extensions) == dict(b.extensions)


# -- a reference implementation, for the properties -------------------------


def reference(rows: list[tuple[str, str, int]], outcomes: set[str]) -> dict[str, Any]:
    """Directly-follows counts the slow, obvious way: sort each case, walk it."""
    cases: dict[str, list[tuple[int, int, str]]] = {}
    for i, (case, act, t) in enumerate(rows):
        cases.setdefault(case, []).append((t, i, act))
    pairs: Counter[tuple[str, str]] = Counter()
    visits: Counter[str] = Counter()
    starts: Counter[str] = Counter()
    for events in cases.values():
        acts = [a for _, _, a in sorted(events)]
        for k, a in enumerate(acts):
            if a in outcomes:
                acts = acts[: k + 1]
                break
        starts[acts[0]] += 1
        visits.update(acts)
        pairs.update(itertools.pairwise(acts))
    return {"pairs": pairs, "visits": visits, "starts": starts, "cases": len(cases)}


ACTIVITIES = ["Visit", "visit!", "Pay", "End", "", "Call", "call centre"]


@st.composite
def event_logs(draw: st.DrawFn) -> tuple[list[tuple[str, str, int]], list[str | None]]:
    """Small interleaved logs with ties in time, clashing slugs and missing resources."""
    n_cases = draw(st.integers(1, 5))
    rows: list[tuple[str, str, int]] = []
    for c in range(n_cases):
        n = draw(st.integers(1, 6))
        rows += [
            (f"case {c}", draw(st.sampled_from(ACTIVITIES)), draw(st.integers(0, 3)))
            for _ in range(n)
        ]
    rows = draw(st.permutations(rows))
    resources = draw(
        st.lists(
            st.sampled_from(["Ann", "Bob", "ann", None]), min_size=len(rows), max_size=len(rows)
        )
    )
    return list(rows), resources


def frame_of(rows: list[tuple[str, str, int]], resources: list[str | None]) -> pd.DataFrame:
    """The log as a frame, times as ISO text (ties where the draw repeats a time)."""
    return pd.DataFrame(
        {
            "case:concept:name": [r[0] for r in rows],
            "concept:name": [r[1] for r in rows],
            "time:timestamp": [f"2024-05-01T10:0{r[2]}:00+02:00" for r in rows],
            "org:resource": resources,
        }
    )


class TestSlug:
    """slug and unique_ids: the id rules of discovered steps and owners."""

    def test_lower_case_and_dashes(self) -> None:
        """Runs of characters other than a-z0-9 become one dash, trimmed at both ends."""
        assert slug("  Pay -- the BILL (2x) ") == "pay-the-bill-2x"

    def test_empty_becomes_step(self) -> None:
        """A name with nothing left becomes 'step'."""
        assert slug("") == "step"
        assert slug("?!") == "step"

    def test_clashes_numbered_in_order(self) -> None:
        """Clashing slugs get -2, -3 in order of appearance."""
        assert unique_ids(["A b", "a-b", "A_B"]) == ["a-b", "a-b-2", "a-b-3"]

    def test_reserved_is_never_given(self) -> None:
        """A reserved id is skipped: 'End' becomes 'end-2' when 'end' is reserved."""
        assert unique_ids(["End", "end"], reserved={"end"}) == ["end-2", "end-3"]


class TestDiscover:
    """discover(events, ...): a journey from an event log."""

    def test_running_example_every_count(self) -> None:
        """Every directly-follows count, start and end of the running example is right."""
        j = discover(CSV)
        pairs = {k: v for k, v in edges(j).items() if k[1] != "end"}
        assert pairs == RUNNING_PAIRS
        assert len(pairs) == 16
        assert sum(pairs.values()) == 36
        assert [(e.step, e.count, e.probability) for e in j.entries] == [
            ("register-request", 6, 1.0)
        ]
        ends = {k[0]: v for k, v in edges(j).items() if k[1] == "end"}
        assert ends == {"pay-compensation": 3, "reject-request": 3}
        assert [(o.id, o.name, o.kind) for o in j.outcomes] == [("end", "End", "exit")]

    def test_running_example_steps_and_owners(self) -> None:
        """Steps are named by their activity, in order of appearance, owned by the top resource."""
        j = discover(CSV)
        assert [(t.id, t.name) for t in j.touchpoints] == [
            ("register-request", "register request"),
            ("examine-casually", "examine casually"),
            ("check-ticket", "check ticket"),
            ("decide", "decide"),
            ("reinitiate-request", "reinitiate request"),
            ("examine-thoroughly", "examine thoroughly"),
            ("pay-compensation", "pay compensation"),
            ("reject-request", "reject request"),
        ]
        assert {t.id: t.owner for t in j.touchpoints} == RUNNING_OWNERS
        assert [(o.id, o.name, o.kind) for o in j.owners] == [
            ("pete", "Pete", "role"),
            ("mike", "Mike", "role"),
            ("ellen", "Ellen", "role"),
            ("sara", "Sara", "role"),
            ("sean", "Sean", "role"),
        ]

    def test_running_example_journey_fields(self) -> None:
        """The journey is named after the file and keeps the log's numbers."""
        j = discover(CSV)
        assert (j.id, j.name) == ("running-example", "Discovered from running-example")
        assert j.description == "Discovered from 42 events in 6 cases."
        record = dict(j.extensions["discover"])
        # What the log says of time and variants (tests/mining/test_discover_times.py).
        times, variants = record.pop("times"), record.pop("variants")
        assert times["cases"]["count"] == 6
        assert len(times["transitions"]) == sum(t.target != "end" for t in j.transitions)
        assert variants["count"] == 6
        assert record == {
            "events": 42,
            "cases": 6,
            "events_after_outcomes": 0,
            "cases_cut": 0,
            "columns": {
                "case": "case:concept:name",
                "activity": "concept:name",
                "timestamp": "time:timestamp",
                "resource": "org:resource",
            },
        }

    def test_probabilities_are_count_shares(self) -> None:
        """Each probability is its count over the step's outflow; they sum to 1 per step."""
        j = discover(CSV)
        out: dict[str, list[cx.Transition]] = {}
        for t in j.transitions:
            out.setdefault(t.source, []).append(t)
        for ts in out.values():
            total = sum(t.count for t in ts)  # type: ignore[misc]
            assert [t.probability for t in ts] == [t.count / total for t in ts]  # type: ignore[operator]
            assert abs(math.fsum(t.probability for t in ts) - 1) <= 1e-9  # type: ignore[misc]

    @pytest.mark.parametrize("path", [XES, XES_GZ], ids=["xes", "xes.gz"])
    def test_xes_gives_the_same_journey(self, path: Path) -> None:
        """The XES and gzipped XES copies give exactly the CSV's journey."""
        assert same_journey(discover(path), discover(CSV))

    @pytest.mark.parametrize("kind", ["pandas", "polars", "arrow", "parquet"])
    def test_frames_and_parquet(self, kind: str, tmp_path: Path) -> None:
        """pandas, polars and arrow frames and Parquet files give the CSV's steps and edges."""
        frame = pd.read_csv(CSV)
        if kind == "polars":
            pl = pytest.importorskip("polars")
            events: Any = pl.from_pandas(frame)
        elif kind == "arrow":
            pa = pytest.importorskip("pyarrow")
            events = pa.Table.from_pandas(frame)
        elif kind == "parquet":
            events = tmp_path / "running-example.parquet"
            frame.to_parquet(events)
        else:
            events = frame
        j, ref = discover(events), discover(CSV)
        assert j.transitions == ref.transitions
        assert j.touchpoints == ref.touchpoints
        assert j.owners == ref.owners
        assert j.entries == ref.entries

    def test_frame_journey_is_named_discovered(self) -> None:
        """A journey from a frame has the id 'discovered'."""
        j = discover(log([("c", "a", 1)]))
        assert (j.id, j.name) == ("discovered", "Discovered journey")

    def test_ties_keep_row_order(self) -> None:
        """Events at the same time keep their row order."""
        j = discover(log([("c", "b", 5), ("c", "a", 5), ("c", "x", 1), ("c", "c", 5)]))
        assert edges(j) == {("x", "b"): 1, ("b", "a"): 1, ("a", "c"): 1, ("c", "end"): 1}

    def test_events_ordered_by_time_not_rows(self) -> None:
        """Rows out of time order are sorted within their case."""
        j = discover(
            log([("c", "b", "2024-01-02"), ("d", "z", "2024-01-01"), ("c", "a", "2024-01-01")])
        )
        assert edges(j) == {("a", "b"): 1, ("b", "end"): 1, ("z", "end"): 1}

    def test_mixed_time_zones_convert_to_utc(self) -> None:
        """Offsets are converted to UTC before ordering (10:00+02:00 is before 09:30Z)."""
        j = discover(
            log([("c", "b", "2024-01-01T09:30:00Z"), ("c", "a", "2024-01-01T10:00:00+02:00")])
        )
        assert ("a", "b") in edges(j)

    def test_naive_times_taken_as_they_are(self) -> None:
        """Times without an offset order by their wall clock."""
        j = discover(log([("c", "b", "2024-01-01 10:00"), ("c", "a", "2024-01-01 09:00")]))
        assert ("a", "b") in edges(j)

    def test_datetime_and_numeric_columns(self) -> None:
        """Date-time columns and numeric step counters both order events."""
        times = pd.to_datetime(["2024-01-02", "2024-01-01"]).tz_localize("Europe/Oslo")
        j1 = discover(log([("c", "b", times[0]), ("c", "a", times[1])]))
        j2 = discover(log([("c", "b", 2.5), ("c", "a", 1.0)]))
        assert ("a", "b") in edges(j1)
        assert ("a", "b") in edges(j2)

    def test_self_loops(self) -> None:
        """A repeated activity is a self-loop transition."""
        j = discover(log([("c", "a", 1), ("c", "a", 2), ("c", "b", 3)]))
        assert edges(j) == {("a", "a"): 1, ("a", "b"): 1, ("b", "end"): 1}

    def test_single_event_cases(self) -> None:
        """A case of one event is an entry that flows straight to the end."""
        j = discover(log([("c1", "a", 1), ("c2", "a", 1)]))
        assert edges(j) == {("a", "end"): 2}
        assert [(e.step, e.count) for e in j.entries] == [("a", 2)]

    def test_entries_carry_start_shares(self) -> None:
        """Entries count the cases starting at each step, with their shares."""
        j = discover(log([("c1", "a", 1), ("c2", "b", 1), ("c3", "b", 1)]))
        assert [(e.step, e.count, e.probability) for e in j.entries] == [
            ("a", 1, 1 / 3),
            ("b", 2, 2 / 3),
        ]

    def test_slug_clashes_and_reserved_end(self) -> None:
        """Clashing activities get -2, -3 by first appearance; 'End' never takes 'end'."""
        j = discover(
            log([("c", "Pay", 1), ("c", "pay!", 2), ("c", "End", 3), ("c", "", 4), ("c", "?", 5)])
        )
        assert [(t.id, t.name) for t in j.touchpoints] == [
            ("pay", "Pay"),
            ("pay-2", "pay!"),
            ("end-2", "End"),
            ("step", ""),
            ("step-2", "?"),
        ]
        assert ("step-2", "end") in edges(j)

    def test_outcomes_end_cases(self) -> None:
        """Cases ending in an outcome activity end at that outcome, not at 'end'."""
        rows = [
            ("c1", "visit", 1),
            ("c1", "buy", 2),
            ("c2", "visit", 1),
            ("c3", "visit", 1),
            ("c3", "leave", 2),
        ]
        j = discover(log(rows), outcomes={"buy": "success", "leave": "exit"})
        assert [(o.id, o.kind) for o in j.outcomes] == [
            ("buy", "success"),
            ("leave", "exit"),
            ("end", "exit"),
        ]
        assert [t.id for t in j.touchpoints] == ["visit"]
        assert edges(j) == {("visit", "buy"): 1, ("visit", "leave"): 1, ("visit", "end"): 1}

    def test_no_end_when_every_case_reaches_an_outcome(self) -> None:
        """The 'end' outcome is made only when some case ends elsewhere."""
        j = discover(log([("c1", "visit", 1), ("c1", "buy", 2)]), outcomes={"buy": "success"})
        assert [o.id for o in j.outcomes] == ["buy"]

    def test_outcome_mid_case_cuts_the_case(self) -> None:
        """Events after a case's first outcome are left out, counted, and warned about."""
        rows = [
            ("c1", "visit", 1),
            ("c1", "buy", 2),
            ("c1", "review", 3),
            ("c1", "buy", 4),
            ("c2", "visit", 1),
            ("c2", "review", 2),
        ]
        with pytest.warns(cx.CxgraphWarning, match=r"2 events in 1 case came after an outcome"):
            j = discover(log(rows), outcomes={"buy": "success"})
        assert edges(j) == {("visit", "buy"): 1, ("visit", "review"): 1, ("review", "end"): 1}
        assert dict(j.extensions["discover"]) == {
            "events": 6,
            "cases": 2,
            "events_after_outcomes": 2,
            "cases_cut": 1,
            "columns": {
                "case": "case:concept:name",
                "activity": "concept:name",
                "timestamp": "time:timestamp",
                "resource": None,
            },
        }
        cx.validate(j)

    def test_outcome_absent_from_log_warns(self) -> None:
        """An outcome activity that never occurs is warned about, with the activities."""
        with pytest.warns(cx.CxgraphWarning, match=r"'Paid' never occurs .*activities: 'a'"):
            j = discover(log([("c", "a", 1)]), outcomes={"Paid": "success"})
        assert [o.id for o in j.outcomes] == ["end"]

    def test_owner_ties_by_name(self) -> None:
        """Equal resource counts go to the name that sorts first."""
        rows = [("c1", "a", 1, "Zoe"), ("c2", "a", 1, "Bob"), ("c3", "a", 1, None)]
        j = discover(log(rows, resource=True))
        assert j.touchpoints[0].owner == "bob"
        assert [(o.id, o.name) for o in j.owners] == [("bob", "Bob")]

    def test_owner_ids_are_slugs(self) -> None:
        """Owner ids follow the slug rules, clashes numbered by first appearance;
        an empty resource is none (no owner with an empty name)."""
        rows = [("c1", "a", 1, "Ann Lee"), ("c1", "b", 2, "ann-lee"), ("c1", "c", 3, "")]
        j = discover(log(rows, resource=True))
        assert [(o.id, o.name) for o in j.owners] == [
            ("ann-lee", "Ann Lee"),
            ("ann-lee-2", "ann-lee"),
        ]
        assert [t.owner for t in j.touchpoints] == ["ann-lee", "ann-lee-2", None]

    def test_owners_mapping_counts_teams(self) -> None:
        """With owners=, each event counts for its resource's team (kind 'team')."""
        rows = [
            ("c1", "a", 1, "Ann"),
            ("c2", "a", 1, "Bob"),
            ("c3", "a", 1, "Cy"),
            ("c3", "b", 2, "Cy"),
        ]
        teams = {"Ann": "Front office", "Bob": "Front office", "Cy": "Back office"}
        j = discover(log(rows, resource=True), owners=teams)
        assert {t.id: t.owner for t in j.touchpoints} == {"a": "front-office", "b": "back-office"}
        assert [(o.id, o.name, o.kind) for o in j.owners] == [
            ("front-office", "Front office", "team"),
            ("back-office", "Back office", "team"),
        ]

    def test_owners_mapping_missing_resource(self) -> None:
        """A resource missing from owners= stands for itself (kind 'role'), with a warning."""
        rows = [("c1", "a", 1, "Ann"), ("c1", "b", 2, "Temp")]
        with pytest.warns(cx.CxgraphWarning, match=r"1 resource is not in owners=.*'Temp'"):
            j = discover(log(rows, resource=True), owners={"Ann": "Sales"})
        assert [(o.id, o.kind) for o in j.owners] == [("sales", "team"), ("temp", "role")]

    def test_default_resource_column_may_be_absent(self) -> None:
        """Without an org:resource column the steps have no owner."""
        j = discover(log([("c", "a", 1)]))
        assert j.owners == ()
        assert j.touchpoints[0].owner is None

    def test_resource_none_ignores_resources(self) -> None:
        """resource=None reads no owners even when the column is there."""
        j = discover(CSV, resource=None)
        assert j.owners == ()

    def test_explicit_resource_column(self) -> None:
        """A resource column named explicitly is used."""
        j = discover(CSV, resource="Resource")
        assert {t.id: t.owner for t in j.touchpoints} == RUNNING_OWNERS

    def test_discovered_journey_works_with_analyses(self) -> None:
        """The discovered journey compiles and its counts reach the graph."""
        g = cx.compile_graph(discover(CSV))
        assert g.edges["decide", "reject-request"]["count"] == 3

    def test_import_stays_light(self) -> None:
        """import cxgraph imports none of the optional data packages."""
        code = (
            "import sys, cxgraph; "
            "print(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'duckdb', 'pyspark') "
            "if m in sys.modules))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "[]"


# -- broken inputs ----------------------------------------------------------

COLUMNS_FOUND = (
    "(columns: '', 'concept:name', 'org:resource', 'time:timestamp', 'Activity', 'Resource', "
    "'Costs', 'case:concept:name', 'case:creator')"
)


def _write(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


BROKEN: list[tuple[str, Any, dict[str, Any], str]] = [
    (
        "missing case column",
        CSV,
        {"case": "case_id"},
        r"^case='case_id': no such column in the event log "
        + COLUMNS_FOUND.replace("(", r"\(").replace(")", r"\)")
        + "$",
    ),
    (
        "missing explicit resource column",
        CSV,
        {"resource": "who"},
        r"^resource='who': no such column in the event log \(columns: '', ",
    ),
    (
        "two missing columns",
        CSV,
        {"activity": "act", "timestamp": "ts"},
        r"^activity='act': no such column .*\ntimestamp='ts': no such column",
    ),
    (
        "unparseable timestamp",
        "ts.csv",
        {},
        r"^timestamp='time:timestamp': cannot read 'yesterday' at row 1 as a timestamp "
        r"\(rows count from 0\): use ISO 8601",
    ),
    (
        "missing timestamp",
        "nots.csv",
        {},
        r"^timestamp='time:timestamp': row 0 has no timestamp",
    ),
    (
        "missing case ids",
        "nocase.csv",
        {},
        r"^case='case:concept:name': 2 events have no case id, the first at row 1 "
        r"\(rows count from 0\): fill them in or drop those rows$",
    ),
    ("missing activity", "noact.csv", {}, r"^activity='concept:name': 1 event has no activity"),
    ("header only", "header.csv", {}, r"^the event log '.*header.csv' has no events$"),
    ("empty file", "empty.csv", {}, r"^the event log '.*empty.csv' is empty: expected a header"),
    ("malformed XES", "bad.xes", {}, r"^malformed XES in '.*bad.xes': mismatched tag: line 4"),
    ("not XES", "notxes.xes", {}, r"is not an XES event log: its root element is <html>"),
    ("bad gzip", "bad.xes.gz", {}, r"^cannot read the gzip-compressed XES file"),
    (
        "unknown engine",
        CSV,
        {"engine": "pandas"},
        r"^unknown engine 'pandas' \(choices: 'numpy', 'duckdb', 'spark'\)$",
    ),
    (
        "bad outcome kind",
        CSV,
        {"outcomes": {"decide": "win"}},
        r"^outcomes\['decide'\]: unknown outcome kind 'win' \(choices: 'success', 'failure', "
        r"'exit'\)$",
    ),
    ("outcomes not a mapping", CSV, {"outcomes": ["decide"]}, r"^outcomes= maps activities"),
    ("owner not text", CSV, {"owners": {"Pete": 1}}, r"^owners\['Pete'\]: integer 1 is not"),
    (
        "owners without resources",
        CSV,
        {"owners": {"Pete": "A"}, "resource": None},
        r"^owners= maps resources to teams, but resource=None",
    ),
    (
        "owners but no resource column",
        "nores.csv",
        {"owners": {"Pete": "A"}},
        r"^owners= maps resources to teams, but the event log has no resource column",
    ),
    ("not a log", 42, {}, r"^an event log is a pandas or polars DataFrame.*got integer 42$"),
]

FILES = {
    "ts.csv": "case:concept:name,concept:name,time:timestamp\n1,a,2024-01-01\n1,b,yesterday\n",
    "nots.csv": "case:concept:name,concept:name,time:timestamp\n1,a,\n",
    "nocase.csv": "case:concept:name,concept:name,time:timestamp\n1,a,2024-01-01\n,b,2024-01-01\n"
    ",b,2024-01-01\n",
    "noact.csv": "case:concept:name,concept:name,time:timestamp\n1,,2024-01-01\n",
    "header.csv": "case:concept:name,concept:name,time:timestamp\n",
    "empty.csv": "",
    "bad.xes": '<?xml version="1.0"?>\n<log>\n  <trace>\n  </event>\n</log>\n',
    "notxes.xes": "<html><body/></html>\n",
    "bad.xes.gz": b"this is not gzip",
    "nores.csv": "case:concept:name,concept:name,time:timestamp\n1,a,2024-01-01\n",
}


class TestDiscoverBrokenInputs:
    """discover(): each broken input gives its exact error, never a traceback."""

    @pytest.mark.parametrize(
        ("name", "events", "options", "match"), BROKEN, ids=[b[0] for b in BROKEN]
    )
    @pytest.mark.parametrize("engine", ["numpy", "duckdb"])
    def test_broken(
        self,
        name: str,
        events: Any,
        options: dict[str, Any],
        match: str,
        engine: str,
        tmp_path: Path,
    ) -> None:
        """The error is a CxgraphError (and ValueError) with the documented message."""
        if isinstance(events, str) and events in FILES:
            events = _write(tmp_path, events, FILES[events])
        options = {"engine": engine, **options}
        with pytest.raises(cx.CxgraphError, match=match) as info:
            discover(events, **options)
        assert isinstance(info.value, ValueError)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is the builtin FileNotFoundError."""
        with pytest.raises(FileNotFoundError, match=r"no-such\.csv"):
            discover(tmp_path / "no-such.csv")

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """A file of unknown kind says which suffixes work."""
        with pytest.raises(cx.UnsupportedFormatError, match=r"use \.csv, \.parquet, \.xes"):
            discover(_write(tmp_path, "log.txt", "x"))

    def test_missing_package(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A missing optional package names the extra to install."""
        monkeypatch.setitem(sys.modules, "duckdb", None)
        with pytest.raises(ImportError, match=r"pip install 'cxgraph\[duckdb\]'"):
            discover(CSV, engine="duckdb")

    def test_spark_frame_needs_spark_engine(self) -> None:
        """A Spark DataFrame is refused by the numpy engine, with what to do instead."""
        fake = type("DataFrame", (), {"__module__": "pyspark.sql.dataframe"})()
        with pytest.raises(cx.CxgraphError, match=r"discover\(\.\.\., engine='spark'\) reads one"):
            discover(fake)


# -- properties and engines -------------------------------------------------


class TestDiscoverProperties:
    """discover(): invariants on generated logs, and the engines agree."""

    @given(event_logs(), st.sampled_from([None, "Pay", "End"]))
    def test_counts_match_the_reference(
        self, drawn: tuple[list[tuple[str, str, int]], list[str | None]], outcome: str | None
    ) -> None:
        """Counts out of a step sum to its visits; entries sum to the cases; pairs match."""
        rows, resources = drawn
        outcomes = {outcome: "success"} if outcome else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cx.CxgraphWarning)
            j = discover(frame_of(rows, resources), outcomes=outcomes)
        ref = reference(rows, set(outcomes))
        name = {s.id: s.name for s in j.steps}
        out: Counter[str] = Counter()
        for t in j.transitions:
            out[name[t.source]] += t.count  # type: ignore[assignment]
        for act, n in ref["visits"].items():
            if act not in outcomes:
                assert out[act] == n
        pairs = {
            (name[t.source], name[t.target]): t.count for t in j.transitions if t.target != "end"
        }
        assert pairs == dict(ref["pairs"])
        assert sum(e.count for e in j.entries) == ref["cases"]  # type: ignore[misc]
        assert {name[e.step]: e.count for e in j.entries} == dict(ref["starts"])

    @given(event_logs())
    def test_validates_and_round_trips(
        self, drawn: tuple[list[tuple[str, str, int]], list[str | None]]
    ) -> None:
        """The discovered journey validates and survives dumps/loads unchanged."""
        j = discover(frame_of(*drawn))
        cx.validate(j)
        assert same_journey(cx.loads(cx.dumps(j)), j)
        assert same_journey(cx.loads(cx.dumps(j, format="yaml"), format="yaml"), j)

    @given(event_logs(), st.sampled_from([None, "Pay"]))
    def test_duckdb_equals_numpy(
        self, drawn: tuple[list[tuple[str, str, int]], list[str | None]], outcome: str | None
    ) -> None:
        """The duckdb engine gives exactly the numpy engine's journey, ties included."""
        frame = frame_of(*drawn)
        outcomes = {outcome: "failure"} if outcome else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cx.CxgraphWarning)
            a = discover(frame, outcomes=outcomes)
            b = discover(frame, outcomes=outcomes, engine="duckdb")
        assert same_journey(a, b)

    @given(event_logs(), st.sampled_from([None, "Pay"]), st.sampled_from(["case-time", "time"]))
    def test_sorted_logs_equal_lexsort(
        self,
        drawn: tuple[list[tuple[str, str, int]], list[str | None]],
        outcome: str | None,
        arrangement: str,
    ) -> None:
        """Logs already in (case, time) or time order give the journey a plain lexsort gives."""
        rows, resources = drawn
        key = (lambda i: (rows[i][0], rows[i][2])) if arrangement == "case-time" else None
        by = sorted(range(len(rows)), key=key or (lambda i: rows[i][2]))
        frame = frame_of([rows[i] for i in by], [resources[i] for i in by])
        outcomes = {outcome: "failure"} if outcome else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cx.CxgraphWarning)
            fast = discover(frame, outcomes=outcomes)
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(EL.EventColumns, "order", lambda c: np.lexsort((c.time, c.case)))
                plain = discover(frame, outcomes=outcomes)
        assert same_journey(fast, plain)

    @pytest.mark.parametrize("path", [CSV, XES, XES_GZ], ids=["csv", "xes", "xes.gz"])
    def test_duckdb_on_files(self, path: Path) -> None:
        """The duckdb engine reads the files itself and agrees with numpy."""
        assert same_journey(discover(path, engine="duckdb"), discover(path))

    def test_duckdb_on_parquet_with_outcomes(self, tmp_path: Path) -> None:
        """On a Parquet file, with outcomes cutting cases, duckdb agrees with numpy."""
        path = tmp_path / "log.parquet"
        pd.read_csv(CSV).to_parquet(path)
        options: dict[str, Any] = {"outcomes": {"decide": "success"}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cx.CxgraphWarning)
            assert same_journey(
                discover(path, engine="duckdb", **options), discover(path, **options)
            )


@pytest.mark.filterwarnings(PYSPARK_PANDAS_WARNING)
class TestDiscoverSpark:
    """discover(engine="spark"): the same journeys through Spark (few tests: Spark is slow)."""

    def test_running_example(self, spark: Any) -> None:
        """On the running example's CSV and as a Spark DataFrame, Spark agrees with numpy."""
        ref = discover(CSV)
        assert same_journey(discover(CSV, engine="spark"), ref)
        frame = spark.read.csv(str(CSV), header=True)
        j = discover(frame, engine="spark")
        assert (j.transitions, j.owners, j.touchpoints) == (
            ref.transitions,
            ref.owners,
            ref.touchpoints,
        )

    @settings(max_examples=3)
    @given(event_logs())
    def test_generated_logs_with_ties(
        self, spark: Any, drawn: tuple[list[tuple[str, str, int]], list[str | None]]
    ) -> None:
        """On generated logs with ties and an outcome, Spark agrees with numpy."""
        frame = frame_of(*drawn)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cx.CxgraphWarning)
            a = discover(frame, outcomes={"Pay": "success"})
            b = discover(frame, outcomes={"Pay": "success"}, engine="spark")
        assert same_journey(a, b)

    def test_bad_timestamp_names_the_row(self, spark: Any, tmp_path: Path) -> None:
        """Spark names the same row as the other engines for a bad timestamp."""
        path = _write(tmp_path, "ts.csv", FILES["ts.csv"])
        with pytest.raises(cx.CxgraphError, match=r"cannot read 'yesterday' at row 1 "):
            discover(path, engine="spark")

    def test_offsets_and_a_quoted_line_break(self, spark: Any, tmp_path: Path) -> None:
        """Every form of UTC offset, and a field holding a line break, read as numpy reads them."""
        path = _write(
            tmp_path,
            "zones.csv",
            "case:concept:name,concept:name,time:timestamp,org:resource\n"
            '1,a,2024-01-01T10:00:00+0530,"Ana\nLee"\n'
            "1,b,2024-01-01T09:00:00-01:00,Ben\n"
            "1,c,2024-01-01T09:00-01:00,Ben\n"
            "2,a,2024-01-01 10:00:00.123456Z,Ana\n"
            "2,c,2024-01-01T10+05,Ben\n"
            "2,b,2024-01-01T04:59:59.5-00:00,Ben\n",
        )
        assert same_journey(discover(path, engine="spark"), discover(path))

    def test_puts_the_session_settings_back(self, spark: Any, tmp_path: Path) -> None:
        """The user's session keeps its time zone, shuffle partitions and cache compression,
        after a call and after an error, and stays the active session."""
        mine = {
            "spark.sql.session.timeZone": "America/New_York",
            "spark.sql.shuffle.partitions": "3",
            "spark.sql.inMemoryColumnarStorage.compressed": "true",
        }
        keys = tuple(mine)
        before = {key: spark.conf.get(key) for key in keys}
        try:
            for key, value in mine.items():
                spark.conf.set(key, value)
            assert same_journey(discover(CSV, engine="spark"), discover(CSV))
            assert {key: spark.conf.get(key) for key in keys} == mine
            with pytest.raises(cx.CxgraphError, match=r"cannot read 'yesterday'"):
                discover(_write(tmp_path, "ts.csv", FILES["ts.csv"]), engine="spark")
            assert {key: spark.conf.get(key) for key in keys} == mine
        finally:
            for key, value in before.items():
                spark.conf.set(key, value)
        from pyspark.sql import SparkSession

        assert SparkSession.active() is spark

    def test_starts_one_session_per_process(self, spark: Any) -> None:
        """Without a session, the first call starts one, and later calls reuse it."""
        code = (
            "import warnings; warnings.simplefilter('ignore')\n"
            "import cxgraph as cx\n"
            "from pyspark.sql import SparkSession\n"
            f"cx.discover({str(CSV)!r}, engine='spark', times=False)\n"
            "first = SparkSession.active()\n"
            f"cx.discover({str(CSV)!r}, engine='spark', times=False)\n"
            "print(SparkSession.active() is first, first.sparkContext.applicationId)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split()[0] == "True", done.stdout


# -- the command line -------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    """Run the CLI; return the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


class TestCliDiscover:
    """cxgraph discover LOG -o FILE: write the discovered journey."""

    def test_writes_the_journey(self, tmp_path: Path) -> None:
        """It writes a valid journey file and says what it found."""
        target = tmp_path / "re.json"
        code, out, err = run("discover", str(CSV), "-o", str(target))
        assert code == 0
        assert out == (
            "Discovered 8 touchpoints, 1 outcome, 5 owners and 18 transitions from 42 events "
            f"in 6 cases; wrote {target}\n"
        )
        # On stderr: the columns read, and (no --outcome) where cases end and how to mark one.
        assert err == (
            f"{CSV}: read case 'case:concept:name', activity 'concept:name', "
            "timestamp 'time:timestamp', resource 'org:resource'\n"
            "No --outcome given: the 6 cases end at a generic 'End' exit, so the journey has "
            "no success outcome. Where they end:\n"
            "  3  pay compensation\n"
            "  3  reject request\n"
            "Mark the activities that mean success (or failure, or exit) and run again, adding "
            "for example: --outcome 'pay compensation=success'\n"
        )
        assert same_journey(cx.load(target), discover(CSV))
        assert run("validate", str(target))[0] == 0

    def test_options(self, tmp_path: Path) -> None:
        """--engine, the column options and --outcome reach discover()."""
        target = tmp_path / "re.yaml"
        code, _, err = run(
            "discover",
            str(CSV),
            "-o",
            str(target),
            "--engine",
            "duckdb",
            "--resource",
            "Resource",
            "--outcome",
            "pay compensation=success",
            "--outcome",
            "reject request=failure",
        )
        assert code == 0
        assert err == (
            f"{CSV}: read case 'case:concept:name', activity 'concept:name', "
            "timestamp 'time:timestamp', resource 'Resource'\n"
        )
        j = cx.load(target)
        assert [(o.id, o.kind) for o in j.outcomes] == [
            ("pay-compensation", "success"),
            ("reject-request", "failure"),
        ]

    def test_warnings_are_one_line(self, tmp_path: Path) -> None:
        """Library warnings are printed as one plain line on stderr."""
        code, _, err = run(
            "discover", str(CSV), "-o", str(tmp_path / "j.json"), "--outcome", "decide=success"
        )
        assert code == 0
        assert err.splitlines()[-1] == (
            f"{CSV}: warning: 18 events in 6 cases came after an outcome and were left out: "
            "an outcome ends a journey"
        )

    @pytest.mark.parametrize(
        ("argv", "code", "message"),
        [
            (
                ["--case", "id"],
                2,
                "cxgraph discover: error: --case 'id': no such column in the event log",
            ),
            (["--outcome", "decide"], 2, "--outcome 'decide': expected ACTIVITY=KIND"),
            (["--outcome", "decide=win"], 2, "KIND one of success, failure, exit"),
            (["--engine", "pandas"], 2, "invalid choice: 'pandas'"),
        ],
        ids=["missing column", "outcome without kind", "bad outcome kind", "unknown engine"],
    )
    def test_errors(self, argv: list[str], code: int, message: str, tmp_path: Path) -> None:
        """Bad options and bad logs exit 1 or 2 with one readable line."""
        got, _, err = run("discover", str(CSV), "-o", str(tmp_path / "j.json"), *argv)
        assert got == code
        assert message in err
        assert "Traceback" not in err
        assert not (tmp_path / "j.json").exists()

    def test_missing_log(self, tmp_path: Path) -> None:
        """A missing log exits 2."""
        code, _, err = run("discover", str(tmp_path / "none.csv"), "-o", str(tmp_path / "j.json"))
        assert code == 2
        assert "no such file" in err

    def test_bad_output_suffix(self, tmp_path: Path) -> None:
        """An output file of unknown format exits 2 before the log is read."""
        code, _, err = run("discover", str(CSV), "-o", str(tmp_path / "j.txt"))
        assert code == 2
        assert "cannot tell the format" in err

    def test_missing_package(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A missing engine package exits 2 and names the extra."""
        monkeypatch.setitem(sys.modules, "duckdb", None)
        code, _, err = run(
            "discover", str(CSV), "-o", str(tmp_path / "j.json"), "--engine", "duckdb"
        )
        assert code == 2
        assert "pip install 'cxgraph[duckdb]'" in err


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
def test_empty_resource_is_no_resource(engine: str) -> None:
    """An empty resource (as ``cx.simulate`` writes for an ownerless step) owns nothing."""
    log = pd.DataFrame(
        {
            "case:concept:name": ["c1", "c1", "c2", "c2"],
            "concept:name": ["Visit", "Pay", "Visit", "Pay"],
            "time:timestamp": ["2024-05-01T10:00Z", "2024-05-01T10:05Z"] * 2,
            "org:resource": ["", "Ann", "", ""],
        }
    )
    j = discover(log, engine=engine)
    assert [(t.id, t.owner) for t in j.touchpoints] == [("visit", None), ("pay", "ann")]
    assert [o.name for o in j.owners] == ["Ann"]
