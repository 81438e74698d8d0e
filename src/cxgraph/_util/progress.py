"""Progress bars for work that runs for seconds: on a terminal only, never in a pipe.

A bar is drawn by tqdm on standard error when standard error is a terminal
(and ``CXGRAPH_PROGRESS`` is not ``0``); in a pipe, a file or a notebook's
captured output there is none, so logs stay clean. Two kinds:

- :func:`reading`: a binary file whose bar advances as its bytes are read
  (CSV, Parquet and XES event logs of at least :data:`PROGRESS_BYTES`);
- :func:`polling`: a bar for one DuckDB query, advanced from DuckDB's own
  ``query_progress()`` by a thread that asks every :data:`POLL_SECONDS`.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["POLL_SECONDS", "PROGRESS_BYTES", "ByteProgress", "polling", "reading", "shown"]

#: Files at least this large show a bar while they are read.
PROGRESS_BYTES = 50 * 2**20
#: How often a query's progress is asked for.
POLL_SECONDS = 0.2


def shown() -> bool:
    """Whether progress bars are drawn: standard error is a terminal, and not switched off."""
    if os.environ.get("CXGRAPH_PROGRESS", "").strip() == "0":
        return False
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class ByteProgress:
    """A binary file wrapper that advances a tqdm bar as bytes are read."""

    def __init__(self, raw: IO[bytes], bar: Any) -> None:
        self.raw = raw
        self.bar = bar
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bar.update(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.bar.update(n or 0)
        return int(n or 0)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def seekable(self) -> bool:
        return self.raw.seekable()

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.bar.close()
            self.raw.close()


@contextmanager
def reading(path: Path, desc: str | None = None) -> Iterator[IO[bytes] | None]:
    """The file opened for reading with a bar, or None when no bar is wanted.

    None when bars are not shown or the file is smaller than
    :data:`PROGRESS_BYTES`: the caller then reads the path as it would.
    """
    size = path.stat().st_size
    if size < PROGRESS_BYTES or not shown():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=size, unit="B", unit_scale=True, desc=desc or path.name, leave=False)
    wrapped = ByteProgress(path.open("rb"), bar)
    try:
        yield wrapped  # type: ignore[misc]
    finally:
        wrapped.close()


@contextmanager
def polling(con: Any, desc: str) -> Iterator[None]:
    """A bar for the DuckDB query that runs inside, from ``con.query_progress()``."""
    if not shown():
        yield
        return
    from tqdm import tqdm

    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    done = threading.Event()
    bar = tqdm(total=100, desc=desc, unit="%", leave=False, bar_format="{l_bar}{bar}| {elapsed}")

    def poll() -> None:
        while not done.wait(POLL_SECONDS):
            try:
                p = float(con.query_progress())
            except Exception:
                return
            if p >= 0:
                bar.n = min(100.0, p)
                bar.refresh()

    thread = threading.Thread(target=poll, name="cxgraph-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        bar.close()
