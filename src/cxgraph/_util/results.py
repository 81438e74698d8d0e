"""What any result shows: its records, plain JSON-friendly values, its findings in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["plain", "record_of"]


def plain(value: Any) -> Any:
    """A JSON-friendly copy of a record value: tuples become lists, mappings dicts."""
    if attrs.has(type(value)):
        return {k: plain(v) for k, v in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


def record_of(finding: Any) -> dict[str, Any]:
    """A finding as a dict, field order kept, values left as they are."""
    if attrs.has(type(finding)):
        return attrs.asdict(finding, recurse=False)
    if isinstance(finding, Mapping):
        return dict(finding)
    return {"value": finding}


def records_of(result: Any) -> list[dict[str, Any]]:
    """A result's records: its ``to_records()``, else its repr as one record."""
    to_records = getattr(result, "to_records", None)
    if callable(to_records):
        records = to_records()
        if isinstance(records, list):
            return records
    return [{"value": repr(result)}]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def findings_of(result: Any, limit: int | None) -> tuple[str, str, list[str], int]:
    """``(title, summary, lines, more)`` of an analysis result, at most ``limit`` lines.

    An :class:`~cxgraph.AnalysisResult` (anything with ``summary`` and
    ``lines``) speaks for itself; a custom result with ``to_records`` shows
    its records; anything else its repr. ``more`` counts the lines left out.
    """
    title = str(getattr(result, "title", "") or type(result).__name__)
    lines_fn = getattr(result, "lines", None)
    summary_fn = getattr(result, "summary", None)
    if callable(lines_fn) and callable(summary_fn):
        count_fn = getattr(result, "line_count", None)
        total = (
            int(count_fn())
            if callable(count_fn)
            else len(result)
            if hasattr(result, "__len__")
            else None
        )
        shown = [str(x) for x in (lines_fn() if limit is None else lines_fn(limit))]
        if limit is not None and total is not None and total > limit:
            # lines(limit) ends with its own "... and N more"; count instead of parsing it.
            shown, more = shown[:limit], total - limit
        else:
            more = 0
        return title, str(summary_fn()), shown, more
    if callable(getattr(result, "to_records", None)):
        records = records_of(result)
        cut = records if limit is None else records[:limit]
        n = len(records)
        words = [", ".join(f"{k}={cell_text(v)}" for k, v in r.items()) for r in cut]
        return title, f"{n} record{'s' if n != 1 else ''}", words, n - len(cut)
    return title, repr(result), [], 0
