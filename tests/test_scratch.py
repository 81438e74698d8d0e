"""Scratch folders: named for their process, and swept when that process is gone.

A process killed outright (SIGKILL, the out-of-memory killer) cannot remove
its DuckDB spill folder; the next job on the host does. These tests pin
what the sweep removes and, as carefully, what it leaves alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxgraph._util import scratch

PREFIX = "cxgraph-test-"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sweep runs on POSIX only")


def _dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def _left(parent: Path, pid: int, host: str | None = None) -> Path:
    folder = parent / f"{PREFIX}{host or scratch._host()}-{pid}-abc123"
    folder.mkdir()
    (folder / "duckdb_temp_block-1.block").write_bytes(b"x" * 1024)
    return folder


def test_a_folder_is_named_for_its_host_and_process(tmp_path: Path) -> None:
    folder = Path(scratch.scratch_folder(PREFIX, str(tmp_path)))
    assert folder.parent == tmp_path
    assert folder.name.startswith(f"{PREFIX}{scratch._host()}-{os.getpid()}-")
    assert folder.is_dir()


def test_the_folders_of_ended_processes_are_removed(tmp_path: Path) -> None:
    stale = _left(tmp_path, _dead_pid())
    made = Path(scratch.scratch_folder(PREFIX, str(tmp_path)))
    assert not stale.exists()
    assert sorted(tmp_path.iterdir()) == [made]


def test_the_sweep_names_what_it_removed(tmp_path: Path) -> None:
    stale = _left(tmp_path, _dead_pid())
    assert scratch.sweep(PREFIX, str(tmp_path)) == [str(stale)]
    assert scratch.sweep(PREFIX, str(tmp_path)) == []


@pytest.mark.parametrize(
    "case", ["this process", "its parent", "another host", "no process id", "process 0"]
)
def test_what_the_sweep_leaves_alone(tmp_path: Path, case: str) -> None:
    if case == "this process":
        kept = _left(tmp_path, os.getpid())
    elif case == "its parent":
        kept = _left(tmp_path, os.getppid())
    elif case == "another host":
        kept = _left(tmp_path, _dead_pid(), host="elsewhere")
    elif case == "no process id":
        kept = tmp_path / f"{PREFIX}{scratch._host()}-notapid-abc"
        kept.mkdir()
    else:
        kept = _left(tmp_path, 0)
    assert scratch.sweep(PREFIX, str(tmp_path)) == []
    assert kept.is_dir()


def test_a_file_or_a_link_of_that_name_is_left_alone(tmp_path: Path) -> None:
    pid = _dead_pid()
    a_file = tmp_path / f"{PREFIX}{scratch._host()}-{pid}-file"
    a_file.write_text("keep me", encoding="utf-8")
    target = tmp_path / "precious"
    target.mkdir()
    (target / "data").write_text("keep me too", encoding="utf-8")
    link = tmp_path / f"{PREFIX}{scratch._host()}-{pid}-link"
    link.symlink_to(target, target_is_directory=True)
    assert scratch.sweep(PREFIX, str(tmp_path)) == []
    assert a_file.read_text(encoding="utf-8") == "keep me"
    assert (target / "data").read_text(encoding="utf-8") == "keep me too"
    assert link.is_symlink()


def test_a_missing_parent_sweeps_nothing_and_raises_nothing(tmp_path: Path) -> None:
    assert scratch.sweep(PREFIX, str(tmp_path / "gone")) == []


def test_a_host_name_is_made_safe_for_a_file_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scratch.socket, "gethostname", lambda: "my-box/../x")
    assert scratch._host() == "my_box_.._x"
    monkeypatch.setattr(scratch.socket, "gethostname", lambda: "")
    assert scratch._host() == "host"
