"""The DuckDB engine's settings: a memory limit and a spill folder of its own, always removed.

DuckDB runs out of core only when it may spill: every job gets a fresh
folder (under ``CXGRAPH_DUCKDB_TEMP_DIRECTORY`` or the system's temporary
folder) and the memory limit ``CXGRAPH_DUCKDB_MEMORY_LIMIT`` or 2 GiB; the
folder is removed after the job, however it ends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import cxgraph as cx
from cxgraph.mining import duckdb_engine as D
from cxgraph.readwrite.eventlog import EventLogError

pytest.importorskip("duckdb")

COLUMNS = {
    "case": "case:concept:name",
    "activity": "concept:name",
    "timestamp": "time:timestamp",
    "resource": "org:resource",
}


@pytest.fixture
def parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder jobs spill under (``CXGRAPH_DUCKDB_TEMP_DIRECTORY``), empty."""
    folder = tmp_path / "spill"
    folder.mkdir()
    monkeypatch.setenv(D.TEMP_DIRECTORY_VARIABLE, str(folder))
    return folder


def _log(path: Path, cases: int = 3) -> Path:
    rows = ["case:concept:name,concept:name,time:timestamp,org:resource"]
    for c in range(cases):
        for i, a in enumerate(("Visit", "Compare", "Buy")):
            rows.append(f"c{c},{a},2024-05-01T10:0{i}:00+02:00,r{i}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _settings(path: Path) -> tuple[str, str]:
    """What a DuckDB job of the engine runs with: its memory limit and spill folder."""
    _, _, rows = D.duckdb_query(
        path,
        "csv",
        lambda _: "SELECT current_setting('memory_limit'), current_setting('temp_directory')",
        **COLUMNS,
    )
    return str(rows[0][0]), str(rows[0][1])


def test_a_job_spills_into_a_folder_of_its_own_which_is_removed(
    tmp_path: Path, parent: Path
) -> None:
    limit, folder = _settings(_log(tmp_path / "log.csv"))
    assert Path(folder).parent == parent
    assert Path(folder).name.startswith("cxgraph-duckdb-")
    assert list(parent.iterdir()) == []
    # DuckDB shows its limit in its own units: 2 GiB is 1.9 GiB after its overhead.
    assert limit.endswith("GiB")


def test_the_memory_limit_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(D.MEMORY_LIMIT_VARIABLE, "512MB")
    limit, _ = _settings(_log(tmp_path / "log.csv"))
    assert limit in {"488.2 MiB", "512.0 MB", "476.8 MiB"}


def test_a_failed_job_leaves_no_folder_behind(tmp_path: Path, parent: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "case:concept:name,concept:name,time:timestamp\nc1,Visit,yesterday\n", encoding="utf-8"
    )
    with pytest.raises(EventLogError, match="row 0"):
        cx.discover(bad, engine="duckdb")
    assert list(parent.iterdir()) == []


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            D.MEMORY_LIMIT_VARIABLE,
            "lots",
            r"CXGRAPH_DUCKDB_MEMORY_LIMIT='lots' is not a memory size DuckDB reads: "
            r"give one like 4GiB or 512MB, or unset it for the default \(2GiB\)",
        ),
        (
            D.TEMP_DIRECTORY_VARIABLE,
            "/no/such/folder",
            r"CXGRAPH_DUCKDB_TEMP_DIRECTORY='/no/such/folder' is not a folder: set it to an "
            "existing folder",
        ),
    ],
)
def test_bad_settings_are_named_with_the_fix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    parent: Path,
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(cx.CxgraphError, match=message):
        cx.discover(_log(tmp_path / "log.csv"), engine="duckdb")
    if parent.exists():
        assert list(parent.iterdir()) == []


def test_a_log_larger_than_the_memory_limit_is_counted_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parent: Path
) -> None:
    """With a limit below what the window needs, DuckDB spills and the journey is the same."""
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(7)
    n = 300_000
    case = rng.integers(0, n // 10, n)
    frame = pd.DataFrame(
        {
            "case:concept:name": np.char.add("case-", case.astype(str)).astype(object),
            "concept:name": np.array([f"Step {i}" for i in range(12)], dtype=object)[
                rng.integers(0, 12, n)
            ],
            # Whole hours: many ties in time, broken by row order.
            "time:timestamp": pd.to_datetime(rng.integers(0, 400, n), unit="h", utc=True)
            .strftime("%Y-%m-%dT%H:%M:%S+00:00")
            .astype(object),
        }
    )
    path = tmp_path / "log.parquet"
    frame.to_parquet(path, index=False)
    monkeypatch.setenv(D.MEMORY_LIMIT_VARIABLE, "32MB")
    profile = tmp_path / "profile.json"
    configure = D._configure

    def profiled(con: Any, *args: Any) -> None:
        configure(con, *args)
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"SET profiling_output = '{profile}'")

    monkeypatch.setattr(D, "_configure", profiled)
    spilled = cx.discover(path, engine="duckdb", times=False)
    assert json.loads(profile.read_text())["system"]["total_bytes_spilled"] > 0
    assert cx.to_dict(spilled) == cx.to_dict(cx.discover(path, times=False))
    assert list(parent.iterdir()) == []


def test_running_out_of_memory_says_which_setting_to_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parent: Path
) -> None:
    monkeypatch.setenv(D.MEMORY_LIMIT_VARIABLE, "1MB")
    with pytest.raises(cx.CxgraphError) as caught:
        cx.discover(_log(tmp_path / "log.csv"), engine="duckdb")
    text = str(caught.value)
    assert text.startswith("DuckDB needed more memory than its limit of 1MB, even spilling to ")
    assert "\n" not in text
    assert "set the environment variable CXGRAPH_DUCKDB_MEMORY_LIMIT higher" in text
    assert list(parent.iterdir()) == []


def test_a_job_removes_the_spill_folders_killed_processes_left(
    tmp_path: Path, parent: Path
) -> None:
    """A process killed outright cleans nothing up: the next job on the host does."""
    import os
    import signal
    import subprocess
    import sys

    from cxgraph._util import scratch

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    left = parent / f"{D.SPILL_PREFIX}{scratch._host()}-{child.pid}-killed"
    left.mkdir()
    (left / "duckdb_temp_block-4611686018427387904-0.block").write_bytes(b"\0" * 4096)
    _settings(_log(tmp_path / "log.csv"))
    assert left.is_dir()  # its process still runs: kept
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    journey = cx.discover(_log(tmp_path / "log.csv"), engine="duckdb")
    assert [(t.source, t.target) for t in journey.transitions][:2] == [
        ("visit", "compare"),
        ("compare", "buy"),
    ]
    assert list(parent.iterdir()) == []
