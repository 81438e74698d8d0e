"""Files an engine could not read: one wording for every engine's read errors.

Split from :mod:`cxgraph.readwrite.eventlog`, which re-exports what the
engines use (``EL.read_error``, ``EL.check_quotes``).
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cxgraph.readwrite.columns import CSV_DELIMITERS, EventLogError
from cxgraph.readwrite.roles import value_kind


def csv_header(path: Path) -> tuple[list[str], str]:
    """The column names of a CSV file and its delimiter (the one the header uses most).

    Raises
    ------
    EventLogError
        If the file is empty, its first line is not UTF-8 text, or its first
        bytes show another format (Parquet, gzip, ZIP) or binary data.
    """
    other = _other_format(path)
    if other is not None:
        msg = f"the event log {os.fspath(path)!r} is {other}"
        raise EventLogError(msg)
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        line = fh.readline()
    if any(ch < " " and ch not in "\t\r\n" for ch in line):
        msg = (
            f"the event log {os.fspath(path)!r} is binary data, not CSV text: its header "
            "holds control characters"
        )
        raise EventLogError(msg)
    if not _utf8(line):
        # Bytes that are not UTF-8 were kept as lone surrogates: find the first.
        bad = next(i for i, ch in enumerate(line) if "\udc80" <= ch <= "\udcff")
        offset = len(line[:bad].encode("utf-8", "surrogateescape"))
        msg = (
            f"the event log {os.fspath(path)!r} is not UTF-8 text: its header has the byte "
            f"{ord(line[bad]) - 0xDC00:#04x} at offset {offset} (save it as UTF-8)"
        )
        raise EventLogError(msg)
    if not line.strip():
        msg = f"the event log {os.fspath(path)!r} is empty: expected a header row of column names"
        raise EventLogError(msg)
    delimiter = max(CSV_DELIMITERS, key=line.count)
    header = next(csv.reader([line], delimiter=delimiter))
    return header, delimiter


def describe_source(events: Any, kind: str) -> str:
    """A short name of the log for messages: the path, or the kind of frame."""
    if isinstance(events, str | os.PathLike):
        return repr(os.fspath(events))
    return {
        "pandas": "(a pandas DataFrame)",
        "polars": "(a polars DataFrame)",
        "arrow": "(a pyarrow Table)",
        "spark": "(a Spark DataFrame)",
    }.get(kind, "")


def read_error(events: Any, kind: str, detail: str) -> EventLogError:
    """The error for a log an engine could not read, worded alike on every engine.

    A CSV or Parquet file is looked at first (:func:`csv_problem`,
    :func:`parquet_problem`); else the first line of the engine's ``detail``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> print(read_error(pa.table({"a": [1]}), "arrow", "Conversion Error: out of range\\nLINE 1"))
    cannot read the event log (a pyarrow Table): out of range
    """
    source = describe_source(events, kind)
    what = {"csv": "CSV ", "parquet": "Parquet ", "xes": "XES "}.get(kind, "")
    problem = None
    if isinstance(events, str | os.PathLike) and Path(events).exists():
        path = Path(events)
        with contextlib.suppress(EventLogError, OSError):
            if kind == "csv":
                problem = csv_problem(path, csv_header(path)[1])
            elif kind == "parquet":
                problem = parquet_problem(path)
    why = problem or first_line(detail)
    return EventLogError(f"cannot read the {what}event log {source}: {why}")


def first_line(text: str) -> str:
    """The first line of an engine's message, without its class of error (``IO Error: ``)."""
    line = next((t.strip() for t in str(text).splitlines() if t.strip()), "unknown error")
    line = re.sub(r"^(?:[A-Z][A-Za-z]* )*(?:Error|Exception): ", "", line)
    return line if len(line) <= 300 else line[:297] + "..."


def csv_problem(path: Path, delimiter: str) -> str | None:
    """The first thing wrong with a CSV file's shape, or None: text that is not UTF-8, a
    row of more or fewer fields than the header, a quote never closed, text after a
    closing quote, two kinds of line ending (DuckDB refuses those). Rows count from 0
    (blank lines are no rows); the line is where the row starts. Run only on failure.
    """
    endings: dict[str, int] = {}
    lines = 0

    def counted(fh: Any) -> Any:
        nonlocal lines
        for text in fh:
            lines += 1
            ending = "\r\n" if text.endswith("\r\n") else text[-1:] if text[-1:] in "\r\n" else ""
            if ending:
                endings.setdefault(ending, lines)
            yield text

    row, start = -1, 1  # row -1: the header

    def where() -> str:
        return f"row {row} (line {start})" if row >= 0 else "the header (line 1)"

    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(counted(fh), delimiter=delimiter, strict=True)
        try:
            width = len(next(reader))
            row, start = 0, lines + 1
            for record in reader:
                if not record:  # a blank line is no row
                    start = lines + 1
                elif not all(field.isascii() or _utf8(field) for field in record):
                    return f"{where()} is not UTF-8 text"
                elif len(record) != width:
                    fields = f"{len(record)} field{'s' if len(record) != 1 else ''}"
                    return f"{where()} has {fields} where the header has {width}"
                else:
                    row, start = row + 1, lines + 1
        except csv.Error as exc:
            text = str(exc)
            if "end of data" in text or "field limit" in text:
                return f"{where()}: a quoted field is never closed"
            if "expected after" in text:
                return f"{where()}: text follows a closing quote (write a quote inside one as two)"
            return f"{where()}: {text}"
    if len(endings) > 1:
        kinds = " and ".join(repr(e) for e in sorted(endings, key=endings.__getitem__))
        return f"the file mixes line endings ({kinds}), from line {max(endings.values())} on"
    return None


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes were kept as lone surrogates
        return False
    return True


def parquet_problem(path: Path) -> str | None:
    """What is wrong with a file that should be Parquet, from its first and last bytes.

    A Parquet file starts and ends with ``PAR1``; None when it does (or for a
    folder of files).
    """
    if not path.is_file():
        return None
    size = path.stat().st_size
    if size == 0:
        return "the file is empty (0 bytes)"
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 4))
        tail = fh.read(4)
    if head[:4] == b"PAR1" and tail == b"PAR1":
        return None
    if head[:4] == b"PAR1":
        return "the file is cut short or damaged: it has no Parquet footer at its end"
    other = _other_format(path, head)
    if other:
        return f"the file is {other}"
    return "the file is not Parquet (a Parquet file starts and ends with 'PAR1')"


def _other_format(path: Path, head: bytes | None = None) -> str | None:
    """What a log file is when its first bytes show another format (``a Parquet file,
    not CSV text: ...``), else None."""
    if head is None:
        with path.open("rb") as fh:
            head = fh.read(1024)
    if head[:4] == b"PAR1":
        return "a Parquet file, not CSV text: name it .parquet"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "not UTF-8 text: it is UTF-16 (save it as UTF-8)"
    if head[:2] == b"\x1f\x8b":
        return "gzip-compressed: decompress it first"
    if head[:4] == b"PK\x03\x04":
        return "a ZIP archive (an Excel workbook?), not an event log: export it as CSV"
    if path.suffix.lower() != ".csv":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end
                return None
        return "text, not Parquet: a CSV file should be named .csv"
    return None


def _check_utf8(table: Mapping[str, Any], source: str) -> None:
    """Refuse text columns with bytes that are not UTF-8 (arrow reads Parquet's text
    without looking; DuckDB refuses such a file)."""
    import pyarrow as pa

    for name, column in table.items():
        if value_kind(column) != "text":
            continue
        try:
            column.validate(full=True)
        except pa.ArrowInvalid as exc:
            where = str(exc).rsplit("Invalid UTF8 sequence", 1)[-1].strip()
            msg = (
                f"cannot read the Parquet event log {source}: the column {name!r} holds text "
                f"that is not UTF-8 ({where or first_line(str(exc))})"
            )
            raise EventLogError(msg) from exc


def check_quotes(path: Path, delimiter: str) -> None:
    """Refuse a CSV file whose quote opened in a last field is never closed: arrow and
    Spark read the rest of the file into that field without a word (DuckDB refuses)."""
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            count += chunk.count(b'"')
    if count % 2 and (problem := csv_problem(path, delimiter)) is not None:
        msg = f"cannot read the CSV event log {os.fspath(path)!r}: {problem}"
        raise EventLogError(msg)


def _header_only(path: Path) -> bool:
    """Whether a CSV file holds its header line and nothing else."""
    with path.open("rb") as fh:
        fh.readline()
        rest = fh.read(4096)
    return len(rest) < 4096 and not rest.strip()
