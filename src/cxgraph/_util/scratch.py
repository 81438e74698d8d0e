"""Scratch folders for one job, named for the process that made them.

A job removes its own folder however it ends, except when its process is
killed outright (SIGKILL, a power cut, an out-of-memory kill) and runs no
cleanup at all. So each folder carries the host and the process id
(``cxgraph-duckdb-<host>-<pid>-<random>``). Before a job makes its folder,
it removes the folders of the same kind that processes on this host left
and that no longer run. The sweep is careful: it leaves alone other hosts'
folders (a shared network folder), the folders of live processes and of
processes it may not signal (another user's), anything that is not a plain
folder, and everything on systems where a process cannot be asked whether
it runs without being killed (Windows).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as parent:
...     folder = scratch_folder("cxgraph-doc-", parent)
...     sweep("cxgraph-doc-", parent)  # this process runs: its folder stays
...     os.path.isdir(folder)
[]
True
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

__all__ = ["scratch_folder", "sweep"]


def scratch_folder(prefix: str, parent: str | None = None) -> str:
    """A new folder ``<prefix><host>-<pid>-<random>`` under ``parent``, after a :func:`sweep`.

    ``parent`` None is the system's temporary folder. The caller removes the
    folder when its job ends.
    """
    sweep(prefix, parent)
    return tempfile.mkdtemp(prefix=f"{prefix}{_host()}-{os.getpid()}-", dir=parent)


def sweep(prefix: str, parent: str | None = None) -> list[str]:
    """Remove the folders :func:`scratch_folder` made here for processes that have ended.

    Returns the folders removed. Errors are not raised: a folder that
    cannot be listed or removed is left as it is.
    """
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return []
    where = Path(parent or tempfile.gettempdir())
    mine = f"{prefix}{_host()}-"
    removed: list[str] = []
    try:
        entries = [p for p in where.iterdir() if p.name.startswith(mine)]
    except OSError:
        return removed
    for path in entries:
        pid_text = path.name[len(mine) :].partition("-")[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        if path.is_symlink() or not path.is_dir():
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(str(path))
    return removed


def _host() -> str:
    """This host's name, safe in a file name."""
    return re.sub(r"[^A-Za-z0-9._]", "_", socket.gethostname()) or "host"


def _alive(pid: int) -> bool:
    """Whether a process of this id runs (or may run: one we may not signal counts)."""
    if pid <= 0:
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
