"""XES event logs (and .xes.gz): a streaming expat reader, with a progress bar for large files."""

from __future__ import annotations

import contextlib
import gzip
import os
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

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
    except (expat.ExpatError, _MalformedError) as exc:
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


#: The elements that make rows, and the depth each must stand at (the log's at 0).
_DEPTHS = {"log": 0, "trace": 1, "event": 2}


class _MalformedError(Exception):
    """Malformed XML found by a handler rather than by expat."""


#: Bytes handed to expat at a time.
_CHUNK = 1 << 20


def _parse_xes(
    fh: IO[bytes],
    path: Path,
    wanted: set[str],
    cols: dict[str, list[Any]],
    found: dict[str, None],
    repeated: dict[str, None],
) -> None:
    """Rows from expat's start tags: Python touches each element once.

    Only the start of an element calls Python (``outer``, or ``in_event``
    while an event is open, the hot path); its end is counted by a C
    ``list.append``, so the depth of an element is the elements opened minus
    those closed. An event ends when the next element at its depth or above
    starts, a trace when the next trace does or the document ends: rows are
    made per trace then, because trace attributes may follow the events.
    """
    names = list(cols)
    seen: set[str] = set()
    parser = expat.ParserCreate(namespace_separator="}")
    closed: list[str] = []  # elements ended since ``shut`` was last brought up to date
    opened = 0  # elements started
    shut = 0  # elements ended, less those in ``closed``
    tags: list[str] = []  # the tag at each depth of the open elements
    trace: dict[str, Any] | None = None
    trace_events: list[dict[str, Any]] = []
    event: dict[str, Any] = {}
    rows = 0  # events made into rows
    attribute_names: set[str] = set()  # names of XES attribute elements, as expat gives them
    keys: dict[str, bool] = {}  # event attribute keys seen: whether wanted
    local_names: dict[str, str] = {}  # element names as expat gives them -> local names

    def local(name: str) -> str:
        """``uri}local`` (a namespaced element, as expat names it) or ``local`` -> ``local``."""
        tag = local_names.get(name)
        if tag is None:
            tag = local_names[name] = name.rpartition("}")[2]
        return tag

    def external(context: str | None, *_: object) -> int:
        """An external entity is never fetched: an error, worded as ElementTree words it."""
        name = (context or "").rpartition("\f")[2]  # after the namespace bindings in scope
        msg = (
            f"undefined entity &{name};: line {parser.CurrentLineNumber}, "
            f"column {parser.CurrentColumnNumber}"
        )
        raise _MalformedError(msg)

    def in_event(name: str, attrs: dict[str, str]) -> None:
        """A start tag while an event is open (its attributes: the hot path)."""
        nonlocal opened
        depth = opened - shut - len(closed)
        opened += 1
        if depth == 3:
            tags[3] = name  # as expat names it: made local only for a message
            if name in attribute_names or is_attribute(name):
                try:
                    key = attrs["key"]
                except KeyError:
                    return
                keep = keys.get(key)
                if keep:
                    event[key] = attrs.get("value")
                elif keep is None:
                    new_key(key, attrs.get("value"))
                return
        elif depth < 3:  # the event has ended
            parser.StartElementHandler = outer
            opened -= 1
            outer(name, attrs)
            return
        nested(depth, local(name), inside_event=True)

    def is_attribute(name: str) -> bool:
        """Whether an element is an XES attribute, remembered by the name expat gives it."""
        if local(name) in XES_ATTRIBUTES:
            attribute_names.add(name)
            return True
        return False

    def new_key(key: str, value: str | None) -> None:
        """An event attribute's key seen for the first time: found, and kept if wanted."""
        found.setdefault(key, None)
        keys[key] = key in wanted
        if key in wanted:
            event[key] = value

    def nested(depth: int, tag: str, inside_event: bool) -> None:
        """An element that makes no row: its tag kept; a misplaced log, trace or event refused."""
        if depth < len(tags):
            tags[depth] = tag
        else:
            tags.append(tag)
        if tag in _DEPTHS:
            # An event outside a trace, a trace inside an event: never skipped silently.
            where = f"<{local(tags[depth - 1])}>" if depth else "the document"
            done = rows + len(trace_events) - inside_event
            msg = (
                f"malformed XES in {os.fspath(path)!r}: {'an' if tag == 'event' else 'a'} "
                f"<{tag}> inside {where}, after {done} event{'s' if done != 1 else ''}: "
                "XES has events in traces and traces in the log"
            )
            raise EventLogError(msg)

    def outer(name: str, attrs: dict[str, str]) -> None:
        """A start tag outside any open event."""
        nonlocal opened, shut, trace, event
        shut += len(closed)
        closed.clear()
        depth = opened - shut
        opened += 1
        tag = local(name)
        if depth == 0 and not tags:
            if tag != "log":
                msg = (
                    f"{os.fspath(path)!r} is not an XES event log: its root element is "
                    f"<{tag}>, not <log>"
                )
                raise EventLogError(msg)
            tags.extend((tag, "", "", ""))
            return
        if depth == 1 and tag == "trace":
            end_trace()
            tags[1] = tag
            trace = {}
            return
        if depth == 2 and tags[1] == "trace":
            if tag == "event":
                tags[2] = tag
                event = {}
                trace_events.append(event)
                parser.StartElementHandler = in_event
                return
            if tag in XES_ATTRIBUTES:
                tags[2] = tag
                key = attrs.get("key")
                if key is not None and trace is not None:
                    col = "case:" + key
                    found.setdefault(col, None)
                    if col in wanted or col == "case:concept:name":
                        trace[col] = attrs.get("value")
                return
        nested(depth, tag, inside_event=False)

    def end_trace() -> None:
        """Make the rows of the trace read last (its attributes may follow its events)."""
        nonlocal trace, trace_events, rows
        if trace is None:
            return
        name = trace.get("case:concept:name")
        if name is not None:
            if name in seen:
                repeated.setdefault(name, None)
            seen.add(name)
        for col in names:
            default = trace.get(col)
            cols[col].extend([ev.get(col, default) for ev in trace_events])
        rows += len(trace_events)
        trace, trace_events = None, []

    parser.ExternalEntityRefHandler = external
    parser.EndElementHandler = closed.append
    parser.StartElementHandler = outer
    parse = parser.Parse
    while chunk := fh.read(_CHUNK):
        parse(chunk, False)
    parse(b"", True)
    end_trace()
    if not tags:  # pragma: no cover - expat raises on an empty document
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
