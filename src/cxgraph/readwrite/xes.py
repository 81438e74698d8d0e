"""XES event logs (and .xes.gz): a streaming lxml reader, with a progress bar for large files."""

from __future__ import annotations

import contextlib
import gzip
import os
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from cxgraph._util import progress
from cxgraph.readwrite.columns import (
    XES_ATTRIBUTES,
    EventLogError,
    empty_error,
    require,
)

# -- XES --------------------------------------------------------------------


def read_xes(path: Path, wanted: Sequence[str]) -> tuple[dict[str, list[Any]], list[str]]:
    """Stream an XES (or ``.xes.gz``) file into the wanted columns.

    Returns the wanted columns (lists of text, None where an event has no
    such attribute) and every column found, in order of first appearance.

    Raises
    ------
    EventLogError
        If the file is not well-formed XML (the message gives the line and
        column; a DOCTYPE's entities are expanded within expat's limits, so
        an entity bomb or an external entity is malformed), not gzip when it
        says so, its root is not ``<log>``, an ``<event>`` stands outside a
        ``<trace>`` (or a ``<trace>`` outside the ``<log>``), or it has no
        events.
    """
    wanted_set = set(wanted)
    cols: dict[str, list[Any]] = {c: [] for c in dict.fromkeys(wanted)}
    found: dict[str, None] = {}
    repeated: dict[str, None] = {}
    try:
        with _open_xes(path) as fh:
            _parse_xes(fh, path, wanted_set, cols, found, repeated)
    except ET.ParseError as exc:
        msg = f"malformed XES in {os.fspath(path)!r}: {exc}"
        raise EventLogError(msg) from exc
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        msg = f"cannot read the gzip-compressed XES file {os.fspath(path)!r}: {exc}"
        raise EventLogError(msg) from exc
    if repeated:
        import warnings

        from cxgraph.errors import CxgraphWarning

        names = list(repeated)
        shown = ", ".join(repr(n) for n in names[:3]) + (" ..." if len(names) > 3 else "")
        warnings.warn(
            f"{os.fspath(path)!r}: {len(names)} trace name{'s are' if len(names) > 1 else ' is'} "
            f"used by more than one trace ({shown}): the events of traces with one name are "
            "kept as one case, as pm4py does; give each trace its own concept:name to keep "
            "them apart",
            CxgraphWarning,
            stacklevel=3,
        )
    return cols, list(found)


class _open_xes:  # noqa: N801 - used like open()
    """Open an XES file (gunzipping ``.gz``), with a progress bar on a terminal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stack = contextlib.ExitStack()

    def __enter__(self) -> IO[bytes]:
        raw: Any = self.stack.enter_context(progress.reading(self.path))
        if raw is None:
            raw = self.stack.enter_context(self.path.open("rb"))
        if self.path.name.lower().endswith(".gz"):
            raw = self.stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
        return raw  # type: ignore[no-any-return]

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


#: Where the elements that make rows may stand: the tags of their ancestors.
_PLACES = {"log": (), "trace": ("log",), "event": ("log", "trace")}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xes(
    fh: IO[bytes],
    path: Path,
    wanted: set[str],
    cols: dict[str, list[Any]],
    found: dict[str, None],
    repeated: dict[str, None],
) -> None:
    stack: list[str] = []
    seen: set[str] = set()
    root: ET.Element | None = None
    trace: dict[str, Any] = {}
    trace_events: list[dict[str, Any]] = []
    event: dict[str, Any] | None = None
    names = list(cols)
    for kind, elem in ET.iterparse(fh, events=("start", "end")):
        tag = _local(elem.tag)
        if kind == "start":
            if root is None:
                root = elem
                if tag != "log":
                    msg = (
                        f"{os.fspath(path)!r} is not an XES event log: its root element is "
                        f"<{tag}>, not <log>"
                    )
                    raise EventLogError(msg)
            stack.append(tag)
            if tag in _PLACES and _PLACES[tag] != tuple(stack[:-1]):
                # An event outside a trace, a trace inside an event: never skipped silently.
                where = f"<{stack[-2]}>" if len(stack) > 1 else "the document"
                rows = len(cols[names[0]]) + len(trace_events)
                msg = (
                    f"malformed XES in {os.fspath(path)!r}: {'an' if tag == 'event' else 'a'} "
                    f"<{tag}> inside {where}, after {rows} event{'s' if rows != 1 else ''}: "
                    "XES has events in traces and traces in the log"
                )
                raise EventLogError(msg)
            if tag == "trace" and len(stack) == 2:
                trace, trace_events = {}, []
            elif tag == "event" and len(stack) == 3 and stack[1] == "trace":
                event = {}
            elif tag in XES_ATTRIBUTES and len(stack) >= 2:
                parent = stack[-2]
                key = elem.get("key")
                if key is None:
                    continue
                if parent == "event" and event is not None and len(stack) == 4:
                    found.setdefault(key, None)
                    if key in wanted:
                        event[key] = elem.get("value")
                elif parent == "trace" and len(stack) == 3:
                    col = "case:" + key
                    found.setdefault(col, None)
                    if col in wanted or col == "case:concept:name":
                        trace[col] = elem.get("value")
            continue
        stack.pop()
        if tag == "event" and event is not None and len(stack) == 2:
            trace_events.append(event)
            event = None
            elem.clear()
        elif tag == "trace" and len(stack) == 1:
            # Trace attributes may follow the events, so rows are made here.
            name = trace.get("case:concept:name")
            if name is not None:
                if name in seen:
                    repeated.setdefault(name, None)
                seen.add(name)
            for ev in trace_events:
                for name in names:
                    cols[name].append(ev.get(name, trace.get(name)))
            trace_events = []
            elem.clear()
            if root is not None:
                root.clear()
    if root is None:  # pragma: no cover - iterparse raises on an empty document
        msg = f"{os.fspath(path)!r} is empty"
        raise EventLogError(msg)
    if not cols[names[0]]:
        raise empty_error(repr(os.fspath(path)))


def xes_to_arrow(path: Path, wanted: Sequence[str], purpose: str) -> tuple[Any, list[str]]:
    """Parse an XES file into a pyarrow Table of the wanted columns found (all text)."""
    pa = require("pyarrow", "pandas", purpose)
    data, found = read_xes(path, wanted)
    have = [c for c in data if c in set(found)]
    table = pa.table({c: pa.array(data[c], type=pa.string()) for c in have})
    return table, found
