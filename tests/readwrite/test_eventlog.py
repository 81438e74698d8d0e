"""Tests for cxgraph.readwrite.eventlog, columns and xes: reading event logs into columns."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgraph._util import progress as PROGRESS
from cxgraph.errors import CxgraphError
from cxgraph.readwrite import columns as EC
from cxgraph.readwrite import eventlog as EL
from cxgraph.readwrite import times as TS
from cxgraph.readwrite import xes as XES_READER
from cxgraph.readwrite.files import UnsupportedFormatError

DATA = Path(__file__).resolve().parents[1] / "data"
CSV = DATA / "running-example.csv"
XES = DATA / "running-example.xes"

COLS = ["case:concept:name", "concept:name", "time:timestamp"]


def frame(rows: list[tuple[Any, ...]], columns: list[str] = COLS) -> pd.DataFrame:
    """A small log frame."""
    return pd.DataFrame(rows, columns=columns)


def xes(tmp: Path, body: str, name: str = "log.xes") -> Path:
    """Write an XES document with the given traces."""
    path = tmp / name
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n{body}</log>\n'
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


class TestReadEvents:
    """read_events(events, ...): any log as integer columns."""

    def test_running_example(self) -> None:
        """The running example: 42 events, 6 cases, 8 activities, 6 resources."""
        cols = EL.read_events(CSV)
        assert len(cols) == 42
        assert len(cols.cases) == 6
        assert len(cols.activities) == 8
        assert cols.activities[0] == "register request"
        assert cols.resources == ("Pete", "Mike", "Ellen", "Sara", "Sean", "Sue")
        assert cols.source == repr(str(CSV))

    def test_csv_and_xes_agree(self) -> None:
        """CSV and XES copies of a log give the same codes, names and times."""
        a, b = EL.read_events(CSV), EL.read_events(XES)
        assert a.activities == b.activities
        assert a.resources == b.resources
        assert np.array_equal(a.activity, b.activity)
        assert np.array_equal(a.time, b.time)
        assert [str(c) for c in a.cases] == [str(c) for c in b.cases]

    @pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
    def test_frames_agree(self, kind: str) -> None:
        """pandas, polars and arrow frames read alike."""
        df = pd.read_csv(CSV)
        if kind == "polars":
            events: Any = pytest.importorskip("polars").from_pandas(df)
        elif kind == "arrow":
            events = pytest.importorskip("pyarrow").Table.from_pandas(df)
        else:
            events = df
        cols, ref = EL.read_events(events), EL.read_events(CSV)
        assert cols.activities == ref.activities
        assert np.array_equal(cols.activity, ref.activity)
        assert np.array_equal(cols.case, ref.case)
        assert np.array_equal(cols.time, ref.time)

    def test_times_are_utc_microseconds(self) -> None:
        """Times with offsets become UTC microseconds; times without are taken as UTC."""
        cols = EL.read_events(
            frame(
                [("c", "a", "1970-01-01T01:00:00.000001+01:00"), ("c", "b", "1970-01-01 00:00:01Z")]
            )
        )
        assert cols.time.tolist() == [1, 1_000_000]
        naive = EL.read_events(frame([("c", "a", "1970-01-01 00:00:01"), ("c", "b", "1970-01-02")]))
        assert naive.time.tolist() == [1_000_000, 86_400_000_000]

    def test_order_keeps_ties_in_row_order(self) -> None:
        """order() sorts by case, then time; ties stay in row order."""
        cols = EL.read_events(frame([("x", "a", 2), ("y", "b", 1), ("x", "c", 1), ("x", "d", 2)]))
        assert cols.order().tolist() == [2, 0, 3, 1]

    def test_resource_rules(self) -> None:
        """The default resource column may be absent; None reads none; nulls are -1."""
        assert EL.read_events(frame([("c", "a", 1)])).resource is None
        assert EL.read_events(CSV, resource=None).resource is None
        cols = EL.read_events(
            frame([("c", "a", 1, "Ann"), ("c", "b", 2, None)], [*COLS, "org:resource"])
        )
        assert cols.resource is not None
        assert cols.resource.tolist() == [0, -1]
        assert cols.resources == ("Ann",)

    def test_names_become_text(self) -> None:
        """Activity labels are text; 1 and '1' are one activity."""
        cols = EL.read_events(frame([("c", 1, 1), ("c", "1", 2), ("c", 2.5, 3)]))
        assert cols.activities == ("1", "2.5")
        assert cols.activity.tolist() == [0, 0, 1]

    def test_csv_reads_text_only(self, tmp_path: Path) -> None:
        """CSV fields are text: 'NA' is an activity, ';' delimits when the header says so."""
        path = tmp_path / "log.csv"
        path.write_text("case;activity;time\n007;NA;2024-01-01\n7;b;2024-01-02\n")
        cols = EL.read_events(path, case="case", activity="activity", timestamp="time")
        assert cols.activities == ("NA", "b")
        assert list(cols.cases) == ["007", "7"]

    def test_xes_structure(self, tmp_path: Path) -> None:
        """Trace attributes (also after the events) become case: columns; nesting is skipped."""
        path = xes(
            tmp_path,
            '<trace><event><string key="concept:name" value="a"/>'
            '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/>'
            '<list key="concept:name"><values><string key="concept:name" value="x"/></values>'
            "</list></event>"
            '<string key="concept:name" value="t1"/><int key="size" value="3"/></trace>\n',
        )
        data, found = XES_READER.read_xes(path, ["case:concept:name", "concept:name", "case:size"])
        assert data == {"case:concept:name": ["t1"], "concept:name": ["a"], "case:size": ["3"]}
        assert found == ["concept:name", "time:timestamp", "case:concept:name", "case:size"]

    def test_xes_namespaced_and_gzipped(self, tmp_path: Path) -> None:
        """A namespaced, gzipped XES file reads the same."""
        body = (
            '<trace xmlns="http://www.xes-standard.org/">'
            '<string key="concept:name" value="t"/><event>'
            '<string key="concept:name" value="a"/>'
            '<date key="time:timestamp" value="2024-01-01T00:00:00+00:00"/></event></trace>\n'
        )
        cols = EL.read_events(xes(tmp_path, body, "log.xes.gz"))
        assert (cols.activities, list(cols.cases)) == (("a",), ["t"])

    @pytest.mark.parametrize(
        ("events", "options", "match"),
        [
            (
                frame([("c", "a", 1)]),
                {"case": "case"},
                r"^case='case': no such column in the event log \(columns: 'case:concept:name', "
                r"'concept:name', 'time:timestamp'\)$",
            ),
            (
                frame([(None, "a", 1), (None, "b", 1)]),
                {},
                r"^case='case:concept:name': 2 events have no case id, the first at row 0",
            ),
            (frame([("c", None, 1)]), {}, r"^activity='concept:name': 1 event has no activity"),
            (
                frame([("c", "a", "2024-01-01"), ("c", "b", "2024-13-01")]),
                {},
                r"^timestamp='time:timestamp': cannot read '2024-13-01' at row 1",
            ),
            (frame([("c", "a", float("nan"))]), {}, r"row 0 has no timestamp"),
            (frame([]), {}, r"^the event log \(a pandas DataFrame\) has no events$"),
            ({"a": [1]}, {}, r"^an event log is a pandas or polars DataFrame.*got a mapping$"),
        ],
        ids=[
            "missing column",
            "no case",
            "no activity",
            "bad time",
            "no time",
            "empty",
            "not a log",
        ],
    )
    def test_broken(self, events: Any, options: dict[str, Any], match: str) -> None:
        """Each broken log gives its exact error, a CxgraphError and ValueError."""
        with pytest.raises(EL.EventLogError, match=match) as info:
            EL.read_events(events, **options)
        assert isinstance(info.value, CxgraphError)
        assert isinstance(info.value, ValueError)

    def test_xes_progress_bar_on_a_terminal(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A large XES file read on a terminal shows a progress bar and reads the same."""
        pytest.importorskip("tqdm")
        monkeypatch.setattr(PROGRESS, "PROGRESS_BYTES", 0)
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
        cols = EL.read_events(DATA / "running-example.xes.gz")
        assert cols.activities == EL.read_events(CSV).activities
        assert "running-example.xes.gz" in capsys.readouterr().err

    def test_malformed_xes_names_the_line(self, tmp_path: Path) -> None:
        """Malformed XES gives the parser's line and column."""
        path = xes(tmp_path, "<trace>\n<event>\n</trace>\n")
        with pytest.raises(EL.EventLogError, match=r"mismatched tag: line 5, column 2"):
            EL.read_events(path)

    def test_spark_frame_refused(self) -> None:
        """A Spark DataFrame is not read here."""
        fake = type("DataFrame", (), {"__module__": "pyspark.sql.dataframe"})()
        with pytest.raises(EL.EventLogError, match=r"read by Spark"):
            EL.read_events(fake)


class TestLogKind:
    """log_kind(events): frame kinds and file kinds."""

    @pytest.mark.parametrize(
        ("name", "kind"),
        [
            ("a.csv", "csv"),
            ("a.PARQUET", "parquet"),
            ("a.pq", "parquet"),
            ("a.xes", "xes"),
            ("a.xes.gz", "xes"),
        ],
    )
    def test_suffixes(self, name: str, kind: str, tmp_path: Path) -> None:
        """A file's kind comes from its suffix."""
        (tmp_path / name).write_text("")
        assert EL.log_kind(tmp_path / name) == kind

    def test_frames(self) -> None:
        """Frames are told apart by their type."""
        assert EL.log_kind(pd.DataFrame()) == "pandas"

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """An unknown suffix is an UnsupportedFormatError listing the known ones."""
        with pytest.raises(UnsupportedFormatError, match=r"from its suffix '\.gz'"):
            EL.log_kind(tmp_path / "a.csv.gz")

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is FileNotFoundError."""
        with pytest.raises(FileNotFoundError, match=r"a\.csv"):
            EL.log_kind(tmp_path / "a.csv")


class TestCsvHeader:
    """csv_header(path): column names and delimiter."""

    @pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
    def test_delimiters(self, sep: str, tmp_path: Path) -> None:
        """The delimiter is the one the header uses most."""
        path = tmp_path / "a.csv"
        path.write_text(sep.join(["a b", "c,d" if sep != "," else "cd", "e"]) + "\n")
        names, found = EL.csv_header(path)
        assert found == sep
        assert len(names) == 3

    def test_byte_order_mark(self, tmp_path: Path) -> None:
        """A UTF-8 byte-order mark is not part of the first name."""
        path = tmp_path / "a.csv"
        path.write_bytes("\ufeffcase,act\n".encode())
        assert EL.csv_header(path) == (["case", "act"], ",")

    def test_empty(self, tmp_path: Path) -> None:
        """An empty file has no header."""
        path = tmp_path / "a.csv"
        path.write_text("\n")
        with pytest.raises(EL.EventLogError, match=r"is empty: expected a header row"):
            EL.csv_header(path)

    def test_not_utf8(self, tmp_path: Path) -> None:
        """A file that is not UTF-8 says so."""
        path = tmp_path / "a.csv"
        path.write_bytes(b"\xff\xfe\x00a")
        with pytest.raises(EL.EventLogError, match=r"is not UTF-8 text"):
            EL.csv_header(path)


class TestFactorize:
    """factorize(values): codes by first appearance, whichever library does it."""

    VALUES: ClassVar[list[str | None]] = ["b", None, "a", "b", "c", "a"]

    def test_pandas(self) -> None:
        """pandas.factorize numbers by first appearance, -1 for missing."""
        codes, labels = EC.factorize(pd.Series(self.VALUES))
        assert (codes.tolist(), labels.tolist()) == ([0, -1, 1, 0, 2, 1], ["b", "a", "c"])

    def test_arrow(self) -> None:
        """Arrow's dictionary encoding gives the same, chunked or not."""
        pa = pytest.importorskip("pyarrow")
        chunked = pa.chunked_array([self.VALUES[:3], self.VALUES[3:]])
        codes, labels = EC.factorize(chunked)
        assert (codes.tolist(), labels.tolist()) == ([0, -1, 1, 0, 2, 1], ["b", "a", "c"])

    def test_numpy_without_pandas(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without pandas, numpy.unique is renumbered by first appearance."""
        monkeypatch.setattr(EL, "_has", lambda module: module != "pandas")
        codes, labels = EC.factorize(np.array(self.VALUES, dtype=object))
        assert (codes.tolist(), labels.tolist()) == ([0, -1, 1, 0, 2, 1], ["b", "a", "c"])


class TestTimestamps:
    """timestamps(values, column): microseconds since 1970 UTC."""

    ZONED: ClassVar[list[str]] = ["1970-01-01T00:00:01Z", "1970-01-01 01:00:02+01:00"]
    NAIVE: ClassVar[list[str]] = ["1970-01-01", "1970-01-02T00:00"]
    WANT: ClassVar[list[int]] = [1_000_000, 2_000_000, 0, 86_400_000_000]

    def test_pandas(self) -> None:
        """pandas text with offsets, or without, is read as ISO 8601."""
        assert TS.timestamps(pd.Series(self.ZONED), "t").tolist() == self.WANT[:2]
        assert TS.timestamps(pd.Series(self.NAIVE), "t").tolist() == self.WANT[2:]

    def test_arrow(self) -> None:
        """Arrow text is cast by arrow; a value it cannot cast is looked at row by row."""
        pa = pytest.importorskip("pyarrow")
        assert TS.timestamps(pa.array(self.ZONED), "t").tolist() == self.WANT[:2]
        long_fraction = [*self.NAIVE, "1970-01-01T00:00:00.0000019"]
        assert TS.timestamps(pa.array(long_fraction), "t").tolist() == [*self.WANT[2:], 1]

    def test_mixed_offsets_refused(self) -> None:
        """Times with and without an offset in one column: the first of the rarer kind."""
        with pytest.raises(
            EL.EventLogError,
            match=r"^timestamp='t': 2 times have a UTC offset and 1 has none; the first without "
            r"one is '1970-01-01' at row 2 \(rows count from 0\)",
        ):
            TS.timestamps(pd.Series([*self.ZONED, "1970-01-01"]), "t")

    def test_python_without_pandas(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without pandas and arrow, the standard library reads the same."""
        monkeypatch.setattr(EC, "_has", lambda module: False)
        text = np.array(self.ZONED, dtype=object)
        assert TS.timestamps(text, "t").tolist() == self.WANT[:2]
        assert TS.timestamps(np.array(self.NAIVE, dtype=object), "t").tolist() == self.WANT[2:]
        with pytest.raises(EL.EventLogError, match=r"cannot read 'soon' at row 1"):
            TS.timestamps(np.array(["1970-01-01", "soon", None], dtype=object), "t")
        with pytest.raises(EL.EventLogError, match=r"1 time has a UTC offset and 1 has none"):
            TS.timestamps(np.array(["1970-01-01", "1970-01-01T10:00Z"], dtype=object), "t")

    def test_arrow_date_time_and_numbers(self) -> None:
        """Arrow date-time columns are used to the microsecond; numbers stay numbers."""
        pa = pytest.importorskip("pyarrow")
        stamps = pa.array([1, 2], type=pa.timestamp("ms", tz="Europe/Oslo"))
        assert TS.timestamps(stamps, "t").tolist() == [1000, 2000]
        assert TS.timestamps(pa.array([3, 1]), "t").tolist() == [3, 1]
        assert TS.timestamps(pa.array([0.5, 1.0]), "t").tolist() == [0.5, 1.0]
        with pytest.raises(EL.EventLogError, match=r"row 1 has no timestamp"):
            TS.timestamps(pa.array([1, None], type=pa.timestamp("s")), "t")


@st.composite
def case_times(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Case codes and times with ties; unsorted, in time order, or in (case, time) order."""
    n = draw(st.integers(0, 30))
    case = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), dtype=np.int64)
    time = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=np.int64)
    arrangement = draw(st.sampled_from(["rows", "time", "case-time"]))
    if arrangement == "time":
        time = np.sort(time)
    elif arrangement == "case-time":
        by = np.lexsort((time, case))
        case, time = case[by], time[by]
    if draw(st.booleans()):
        time = time.astype(np.float64) / 2
    return case, time


class TestCaseTimeOrder:
    """case_time_order(case, time): a stable lexsort by (case, time), found faster."""

    @given(case_times())
    def test_equals_lexsort(self, drawn: tuple[np.ndarray, np.ndarray]) -> None:
        """Unsorted, time-ordered and already-sorted logs all give lexsort's positions."""
        case, time = drawn
        assert EC.case_time_order(case, time).tolist() == np.lexsort((time, case)).tolist()

    def test_already_sorted_is_identity(self) -> None:
        """A log in (case, time) order, ties included, keeps every row in place."""
        order = EC.case_time_order(np.array([0, 0, 0, 1, 2, 2]), np.array([5, 5, 7, 1, 0, 0]))
        assert order.tolist() == [0, 1, 2, 3, 4, 5]

    def test_time_ordered_log_groups_cases(self) -> None:
        """A log in time order is grouped by case, rows in place within a case."""
        order = EC.case_time_order(np.array([0, 1, 0, 2, 1]), np.array([1, 1, 2, 2, 3]))
        assert order.tolist() == [0, 2, 1, 4, 3]

    @given(case_times())
    def test_without_counting_sort(self, drawn: tuple[np.ndarray, np.ndarray]) -> None:
        """Without pandas' counting sort, numpy's stable sort gives the same positions."""
        case, time = drawn
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(EC, "_counting_sort", lambda: None)
            assert EC.stable_by_code(case).tolist() == np.argsort(case, kind="stable").tolist()
            assert EC.case_time_order(case, time).tolist() == np.lexsort((time, case)).tolist()


class TestColumnsFromThreads:
    """columns_from() on a large log encodes the columns in threads, to the same result."""

    ROWS: ClassVar[list[tuple[Any, ...]]] = [
        ("x", "a", "2024-05-01T10:00:00+02:00", "Ann"),
        ("y", "b", "2024-05-01T09:00:00Z", None),
        ("x", "c", "2024-05-01T08:30:00Z", "Bob"),
    ]

    def read(self, log: pd.DataFrame, threaded: bool) -> EL.EventColumns:
        """Read the log with threads (every log counts as large) or without."""
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(EL, "THREAD_EVENTS", 1 if threaded else 10**12)
            mp.setattr(EL.os, "cpu_count", lambda: 2)
            return EL.read_events(log)

    def test_same_columns(self) -> None:
        """Codes, labels and times are the same with threads as without."""
        log = frame(self.ROWS, [*COLS, "org:resource"])
        a, b = self.read(log, threaded=True), self.read(log, threaded=False)
        for name in ("case", "cases", "activity", "time", "resource"):
            assert getattr(a, name).tolist() == getattr(b, name).tolist()
        assert (a.activities, a.resources) == (b.activities, b.resources)

    @pytest.mark.parametrize("threaded", [True, False], ids=["threads", "serial"])
    def test_first_problem_wins(self, threaded: bool) -> None:
        """A missing case id is reported before a bad timestamp, threads or not."""
        log = frame([("x", "a", "2024-05-01"), (None, "b", "not a time")])
        with pytest.raises(EL.EventLogError, match=r"case='case:concept:name': 1 event has no"):
            self.read(log, threaded)
        log = frame([("x", "a", "2024-05-01"), ("x", "b", "not a time")])
        with pytest.raises(EL.EventLogError, match=r"cannot read 'not a time' at row 1"):
            self.read(log, threaded)


# -- hardening: the rules every engine shares -------------------------------------


class TestIsoGrammar:
    """ISO_TIME and ISO_ZONED: the one grammar of text times."""

    @pytest.mark.parametrize(
        ("text", "zoned"),
        [
            ("2024-05-01", False),
            ("2024-05-01T10", False),
            ("2024-05-01 10:30", False),
            ("2024-05-01T10:30:59.1234567", False),
            ("2024-05-01T10Z", True),
            ("2024-05-01T10:30+02", True),
            ("2024-05-01T10:30:00-0530", True),
            ("2024-05-01T10:30:00.5+23:59", True),
        ],
    )
    def test_read(self, text: str, zoned: bool) -> None:
        """Dates, times to any fraction, and offsets after a time are times."""
        import re

        assert re.fullmatch(EC.ISO_TIME, text)
        assert bool(re.fullmatch(EC.ISO_ZONED, text)) is zoned

    @pytest.mark.parametrize(
        "text",
        [
            "10000-01-01T00:00:00",
            "2024-1-1",
            "2024-05-01Z",
            "2024-05-01T24:00",
            "2024-05-01T10:60",
            "2024-05-01T10:00:00+24:00",
            " 2024-05-01",
            "2024-05-01T10:00:00 UTC",
            "20240501",
            "2024-05-01\n",
        ],
    )
    def test_not_read(self, text: str) -> None:
        """Anything else is not a time, whichever engine would have read it."""
        import re

        assert re.fullmatch(EC.ISO_TIME, text) is None
        with pytest.raises(EL.EventLogError, match=r"cannot read .* at row 0 as a timestamp"):
            TS.timestamps(pd.Series([text]), "t")


class TestTimestampKinds:
    """timestamps(values, column): numbers, date-times and text by the shared rules."""

    def test_integers_exactly(self) -> None:
        """Integers past 2**53 keep their order (no float on the way)."""
        pa = pytest.importorskip("pyarrow")
        times = TS.timestamps(pa.array([2**53 + 1, 2**53]), "t")
        assert times.dtype == np.int64
        assert times.tolist() == [2**53 + 1, 2**53]
        assert TS.timestamps(pa.array([2**64 - 1, 1], pa.uint64()), "t").tolist() == [2**64 - 1, 1]

    def test_nan_is_missing(self) -> None:
        """NaN and a null in a float column are both missing times, counted together."""
        pa = pytest.importorskip("pyarrow")
        with pytest.raises(EL.EventLogError, match=r"row 1 has no timestamp .*; 2 rows in all"):
            TS.timestamps(pa.array([1.0, float("nan"), None]), "t")

    def test_nanoseconds_floored(self) -> None:
        """Nanoseconds floor to microseconds, the int64 ends included."""
        pa = pytest.importorskip("pyarrow")
        ns = pa.array([-1, 1999, -(2**63), 2**63 - 1], pa.timestamp("ns"))
        assert TS.timestamps(ns, "t").tolist() == [-1, 1, -(2**63) // 1000, (2**63 - 1) // 1000]

    def test_out_of_range(self) -> None:
        """Seconds or days beyond 64-bit microseconds: the first such row."""
        pa = pytest.importorskip("pyarrow")
        with pytest.raises(EL.EventLogError, match=r"^timestamp='t': the time at row 1 is out of"):
            TS.timestamps(pa.array([0, 2**62], pa.timestamp("s")), "t")
        with pytest.raises(EL.EventLogError, match=r"the time at row 0 is out of range"):
            TS.timestamps(pa.array([2**31 - 1], pa.date32()), "t")

    def test_zone_mix_tie(self) -> None:
        """On a tie, the message names the first row of the kind that comes later."""
        error = EC.zone_mix_error("t", (1, 3, "b"), (1, 0, "a"))
        assert "the first with one is 'b' at row 3" in str(error)
        error = EC.zone_mix_error("t", (2, 0, "z"), (1, 5, "n"), keyword="start_timestamp")
        assert str(error).startswith("start_timestamp='t': 2 times have a UTC offset and 1 has")
        assert "the first without one is 'n' at row 5" in str(error)


class TestKinds:
    """value_kind and check_kinds: what a role's column may hold."""

    @pytest.mark.parametrize(
        ("values", "kind"),
        [
            (pd.Series(["a"]), "text"),
            (pd.Series([1, "1"], dtype=object), "text"),
            (pd.Series([["a"]]), "list"),
            (pd.Series([{"a": 1}]), "struct"),
            (pd.Series([b"a"]), "binary"),
            (pd.Series([True]), "boolean"),
            (pd.Series(pd.to_datetime(["2024-01-01"])), "time"),
            (pd.Series(pd.Categorical(["a"])), "text"),
            (np.array(["a"], dtype=object), "text"),
        ],
    )
    def test_pandas(self, values: Any, kind: str) -> None:
        """pandas dtypes, and object columns by their values."""
        assert EL.value_kind(values) == kind

    def test_arrow(self) -> None:
        """Arrow types, dictionaries by their values."""
        pa = pytest.importorskip("pyarrow")
        assert EL.value_kind(pa.array(["a"]).dictionary_encode()) == "text"
        assert EL.value_kind(pa.array([{"x": 1}])) == "struct"
        assert EL.value_kind(pa.array([1], pa.duration("s"))) == "duration"
        assert EL.value_kind(pa.nulls(1)) == "null"

    def test_check(self) -> None:
        """Every column at fault is one line; accepted kinds pass."""
        EL.check_kinds({"case": ("c", "number"), "timestamp": ("t", "time")})
        with pytest.raises(EL.EventLogError) as info:
            EL.check_kinds({"resource": ("r", "binary"), "start_timestamp": ("s", "boolean")})
        assert str(info.value).splitlines() == [
            "resource='r': the column holds binary data (bytes); the resources must be text, "
            "numbers, booleans or dates",
            "start_timestamp='s': the column holds booleans (true or false); the start times "
            "must be ISO 8601 text, dates and times, or numbers",
        ]


class TestCsvProblem:
    """csv_problem(path, delimiter): the first thing wrong with a CSV file's shape."""

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("a,b\n1,2\n", None),
            ("a,b\n1,2\n\n3,4,5\n", "row 1 (line 4) has 3 fields where the header has 2"),
            ('a,b\n"x\ny",2\n3\n', "row 1 (line 4) has 1 field where the header has 2"),
            ('a,b\n1,"2\n3,4\n', "row 0 (line 2): a quoted field is never closed"),
            ('a,b\n"1"x,2\n', "row 0 (line 2): text follows a closing quote"),
            ("a,b\r\n1,2\n", "the file mixes line endings ('\\r\\n' and '\\n'), from line 2 on"),
        ],
        ids=["fine", "ragged after a blank", "quoted newline", "unclosed", "after quote", "ends"],
    )
    def test_problems(self, text: str, problem: str | None, tmp_path: Path) -> None:
        """Rows count from 0 without blank lines; lines are where a row starts."""
        path = tmp_path / "a.csv"
        path.write_bytes(text.encode())
        found = EL.csv_problem(path, ",")
        assert found == problem if problem is None else (found or "").startswith(problem)

    def test_not_utf8(self, tmp_path: Path) -> None:
        """A row with bytes that are not UTF-8 is named."""
        path = tmp_path / "a.csv"
        path.write_bytes(b"a,b\n1,2\n3,\xff\n")
        assert EL.csv_problem(path, ",") == "row 1 (line 3) is not UTF-8 text"


class TestReadError:
    """read_error, parquet_problem, first_line: one wording for what an engine could not read."""

    def test_first_line(self) -> None:
        """The first line, without its class of error."""
        assert EL.first_line("Invalid Input Error: bad thing\nLINE 1: ...") == "bad thing"
        assert EL.first_line("") == "unknown error"

    @pytest.mark.parametrize(
        ("data", "problem"),
        [
            (b"", "the file is empty (0 bytes)"),
            (b"PAR1 and then nothing", "the file is cut short or damaged"),
            (b"a,b\n1,2\n", "the file is text, not Parquet: a CSV file should be named .csv"),
            (b"\x1f\x8b\x08\x00rest", "the file is gzip-compressed: decompress it first"),
            (b"\x00\x01\xff\xfe" * 10, "the file is not Parquet"),
            (b"PAR1 whole PAR1", None),
        ],
    )
    def test_parquet_problem(self, data: bytes, problem: str | None, tmp_path: Path) -> None:
        """A Parquet file starts and ends with PAR1; what it is otherwise, from its bytes."""
        path = tmp_path / "a.parquet"
        path.write_bytes(data)
        found = EL.parquet_problem(path)
        assert found == problem if problem is None else (found or "").startswith(problem)

    def test_engine_words_kept_when_the_file_looks_right(self, tmp_path: Path) -> None:
        """A file whose shape is fine keeps the engine's own first line."""
        path = tmp_path / "a.csv"
        path.write_text("a,b\n1,2\n")
        error = EL.read_error(path, "csv", "IO Error: disk on fire\nmore")
        assert str(error) == f"cannot read the CSV event log {str(path)!r}: disk on fire"


class TestXesShape:
    """read_xes: events belong in traces, traces in the log, and there are some."""

    @pytest.mark.parametrize(
        ("body", "match"),
        [
            ('<event><string key="concept:name" value="a"/></event>\n', r"an <event> inside <log>"),
            ("<trace><event><trace></trace></event></trace>\n", r"a <trace> inside <event>"),
            ("", r"^the event log '.*' has no events$"),
        ],
        ids=["event outside a trace", "trace in an event", "no events"],
    )
    def test_refused(self, body: str, match: str, tmp_path: Path) -> None:
        """Never skipped silently."""
        with pytest.raises(EL.EventLogError, match=match):
            XES_READER.read_xes(xes(tmp_path, body), ["concept:name"])
