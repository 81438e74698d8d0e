"""Progress bars: on a terminal for large logs and the duckdb engine, never in a pipe."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph._util import progress

DATA = Path(__file__).resolve().parents[1] / "data"
CSV = DATA / "running-example.csv"
PARQUET = DATA / "interval-event-log.parquet"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bars are shown (as on a terminal), and every file is large enough for one."""
    monkeypatch.setattr(progress, "shown", lambda: True)
    monkeypatch.setattr(progress, "PROGRESS_BYTES", 0)


def test_no_bar_in_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    # Under pytest standard error is captured: not a terminal.
    assert not progress.shown()
    cx.discover(CSV)
    assert capsys.readouterr().err == ""


class FakeTerminal:
    def isatty(self) -> bool:
        return True


def test_shown_on_a_terminal_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    monkeypatch.delenv("CXGRAPH_PROGRESS", raising=False)
    assert progress.shown()
    monkeypatch.setenv("CXGRAPH_PROGRESS", "0")
    assert not progress.shown()


def test_csv_bar_reads_the_same(terminal: None, capsys: pytest.CaptureFixture[str]) -> None:
    with_bar = cx.discover(CSV)
    assert "running-example.csv" in capsys.readouterr().err
    assert with_bar == cx.discover(CSV, engine="duckdb")


def test_parquet_bar_reads_the_same(terminal: None, capsys: pytest.CaptureFixture[str]) -> None:
    kw = {"start_timestamp": "start_timestamp"}
    with_bar = cx.discover(PARQUET, **kw)
    assert "interval-event-log.parquet" in capsys.readouterr().err
    assert with_bar == cx.discover(PARQUET, engine="duckdb", **kw)


def test_duckdb_bar(terminal: None, capsys: pytest.CaptureFixture[str]) -> None:
    cx.discover(CSV, engine="duckdb")
    assert "discover (duckdb)" in capsys.readouterr().err


def test_polling_follows_the_query(terminal: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The poller reads query_progress() while the query runs, and stops after it."""
    monkeypatch.setattr(progress, "POLL_SECONDS", 0.01)
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    with progress.polling(con, "test"):
        con.execute("SELECT SUM(i * i) FROM range(30000000) t(i)").fetchall()
    con.close()


def test_a_bar_never_breaks_the_work(terminal: None, monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def execute(self, sql: str) -> None:
            pass

        def query_progress(self) -> float:
            raise RuntimeError("no progress here")

    monkeypatch.setattr(progress, "POLL_SECONDS", 0.001)
    with progress.polling(Broken(), "test"):
        import time

        time.sleep(0.02)
