"""The DuckDB engine numbers a Parquet log's rows from the files' own row numbers.

Ties in time keep the row order, and messages name rows, so the numbers must
be the numpy engine's: across the files of a folder (read in DuckDB's order,
which is the numpy engine's), and after a file's rows, those of the next.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph.readwrite.eventlog import EventLogError

pd = pytest.importorskip("pandas")
pytest.importorskip("duckdb")

FILES = ["b/1.parquet", "a/2.parquet", "10.parquet", "9.parquet", "a/Z.parquet", "a/z.parquet"]


def _folder(tmp_path: Path, bad: str | None = None) -> Path:
    """A folder of Parquet files whose events all tie in time, so row order decides."""
    root = tmp_path / "log.parquet"
    for k, name in enumerate(FILES):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        times = ["2024-05-01T10:00:00Z"] * 3
        if bad == name:
            times[2] = "soon"
        pd.DataFrame(
            {
                "case:concept:name": ["c1", "c2", "c1"],
                "concept:name": [f"Step {k}a", f"Step {k}b", f"Step {k}c"],
                "time:timestamp": times,
            }
        ).to_parquet(root / name, index=False)
    return root


def test_ties_across_files_keep_the_numpy_engines_order(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    assert cx.to_dict(cx.discover(root, engine="duckdb")) == cx.to_dict(cx.discover(root))


def test_a_bad_row_in_a_later_file_is_named_by_its_row_in_the_log(tmp_path: Path) -> None:
    root = _folder(tmp_path, bad="a/z.parquet")
    with pytest.raises(EventLogError) as numpy_error:
        cx.discover(root)
    with pytest.raises(EventLogError) as duckdb_error:
        cx.discover(root, engine="duckdb")
    assert "row 14" in str(numpy_error.value)
    assert str(duckdb_error.value) == str(numpy_error.value)


def test_a_log_with_columns_named_as_duckdbs_row_numbers_is_read_as_it_is(
    tmp_path: Path,
) -> None:
    """``file_row_number`` and ``filename`` are the log's own columns here, not DuckDB's."""
    root = tmp_path / "log.parquet"
    root.mkdir()
    for k in range(2):
        pd.DataFrame(
            {
                "case:concept:name": ["c1", "c1"],
                "concept:name": [f"A{k}", f"B{k}"],
                "time:timestamp": ["2024-05-01T10:00:00Z"] * 2,
                "filename": ["x", "y"],
                "file_row_number": [5, 6],
            }
        ).to_parquet(root / f"{k}.parquet", index=False)
    for log in (root, root / "0.parquet"):
        assert cx.to_dict(cx.discover(log, engine="duckdb")) == cx.to_dict(cx.discover(log))
