"""Which column of an event log plays which role: case, activity, time, resource.

Every engine asks :func:`resolve_columns` with the columns a log has, so that
they all find the same columns and fail with the same errors.

- A column named explicitly must exist.
- A role left at its default (the XES name: ``case:concept:name``,
  ``concept:name``, ``time:timestamp``, ``org:resource``) takes that column
  when the log has it, and otherwise the one column with one of the usual
  names for the role (:data:`USUAL_NAMES`, any case of letters). Two such
  columns are ambiguous: an error naming both, never a silent pick. The
  resource is optional: found neither way, the steps have no owner.
- ``timestamp=None`` reads no time at all: events keep the file's order.
- ``lifecycle="complete"`` (any value) needs the ``lifecycle:transition``
  column; ``start_timestamp=`` names a column of start times.

Examples
--------
>>> cols = resolve_columns(["Case_ID", "Activity", "ts"], case=DEFAULT_CASE,
...     activity=DEFAULT_ACTIVITY, timestamp=DEFAULT_TIMESTAMP, resource=DEFAULT_RESOURCE)
>>> cols.case, cols.activity, cols.timestamp, cols.resource
('Case_ID', 'Activity', 'ts', None)
>>> cols.detected
{'case': 'Case_ID', 'activity': 'Activity', 'timestamp': 'ts'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from cxgraph._util.text import choices_text
from cxgraph.readwrite.columns import (
    DEFAULT_ACTIVITY,
    DEFAULT_CASE,
    DEFAULT_RESOURCE,
    DEFAULT_TIMESTAMP,
    EventLogError,
)

__all__ = [
    "LIFECYCLE",
    "USUAL_NAMES",
    "LogColumns",
    "MissingColumnError",
    "check_kinds",
    "keep_lifecycle",
    "lifecycle_error",
    "resolve_columns",
    "value_kind",
]

#: The XES attribute that says which part of an activity an event records.
LIFECYCLE = "lifecycle:transition"

#: Names tried, in any case of letters, for a role left at its XES default.
USUAL_NAMES: Mapping[str, tuple[str, ...]] = {
    "case": ("case", "case_id", "caseid", "session", "session_id", "customer_id", "user_id"),
    "activity": ("activity", "event", "action", "step", "touchpoint"),
    "timestamp": ("timestamp", "time", "ts", "datetime", "date"),
    "resource": ("resource", "owner", "team", "agent"),
}
DEFAULTS: Mapping[str, str] = {
    "case": DEFAULT_CASE,
    "activity": DEFAULT_ACTIVITY,
    "timestamp": DEFAULT_TIMESTAMP,
    "resource": DEFAULT_RESOURCE,
}
WHAT = {
    "case": "the case ids",
    "activity": "the activities",
    "timestamp": "the timestamps",
    "resource": "the resources",
    "start_timestamp": "the start times",
    "lifecycle": "the lifecycle",
    "segment": "the segments",
}
#: How the command line spells each keyword.
FLAGS = {
    "case": "--case",
    "activity": "--activity",
    "timestamp": "--timestamp",
    "resource": "--resource",
    "start_timestamp": "--start-timestamp",
    "lifecycle": "--lifecycle",
    "segment": "--segment",
}


class LogColumns(NamedTuple):
    """The columns found for each role (None: the role is not read)."""

    case: str
    activity: str
    timestamp: str | None
    resource: str | None
    start_timestamp: str | None = None
    lifecycle: str | None = None
    #: A case attribute that splits the cases into segments (``discover(segment=)``).
    segment: str | None = None
    #: The roles whose column was found by its usual name, and that column.
    detected: Mapping[str, str] = {}

    def by_role(self) -> dict[str, str]:
        """The column read for each keyword (``lifecycle`` reads :data:`LIFECYCLE`)."""
        roles = {
            "case": self.case,
            "activity": self.activity,
            "timestamp": self.timestamp,
            "resource": self.resource,
            "start_timestamp": self.start_timestamp,
            "lifecycle": LIFECYCLE if self.lifecycle is not None else None,
            "segment": self.segment,
        }
        return {k: c for k, c in roles.items() if c is not None}

    @property
    def needed(self) -> list[str]:
        """Every column to read, once each, in role order."""
        names = [self.case, self.activity, self.timestamp, self.resource]
        names += [self.start_timestamp, LIFECYCLE if self.lifecycle is not None else None]
        names.append(self.segment)
        return list(dict.fromkeys(n for n in names if n is not None))

    def record(self) -> dict[str, str | None]:
        """The columns used, by role, as ``extensions["discover"]["columns"]`` keeps them."""
        out: dict[str, str | None] = {
            "case": self.case,
            "activity": self.activity,
            "timestamp": self.timestamp,
            "resource": self.resource,
        }
        if self.start_timestamp is not None:
            out["start_timestamp"] = self.start_timestamp
        if self.segment is not None:
            out["segment"] = self.segment
        return out


class _Problem(NamedTuple):
    role: str
    asked: str | None  # the column asked for, or None when the usual names were tried
    candidates: tuple[str, ...]  # two or more: ambiguous; none: not found


class MissingColumnError(EventLogError):
    """A role's column is missing or ambiguous.

    On the command line this is a usage error (exit 2) and its message names
    the flags; :meth:`for_command_line` gives that wording.
    """

    def __init__(self, problems: Sequence[_Problem], found: Sequence[str]) -> None:
        self.problems = tuple(problems)
        self.found = tuple(found)
        super().__init__(self._text(cli=False))

    def for_command_line(self) -> str:
        """The same problems, with the command line's flags instead of keywords."""
        return self._text(cli=True)

    def _text(self, *, cli: bool) -> str:
        lines = []
        columns = choices_text("", list(self.found), word="columns")
        for p in self.problems:

            def say(col: str, role: str = p.role) -> str:
                return f"{FLAGS[role]} {col!r}" if cli else f"{role}={col!r}"

            if len(p.candidates) > 1:
                listed = " and ".join(repr(c) for c in p.candidates)
                lines.append(
                    f"which column holds {WHAT[p.role]}? {listed} both could: "
                    f"name one with {say(p.candidates[0])} {columns}"
                )
                continue
            if p.asked is not None and (p.role not in DEFAULTS or p.asked != DEFAULTS[p.role]):
                lines.append(
                    f"{say(p.asked)}: no such column in the event log "
                    f"{choices_text(p.asked, list(self.found), word='columns')}"
                )
                continue
            usual = ", ".join(USUAL_NAMES[p.role])
            hint = f"name it with {FLAGS[p.role]} COLUMN" if cli else f"name it with {p.role}='...'"
            if p.role == "timestamp":
                keep = "--no-timestamp" if cli else "timestamp=None"
                hint += f", or pass {keep} to keep the file's order"
            lines.append(
                f"no column for {WHAT[p.role]}: the log has no {DEFAULTS[p.role]!r} and "
                f"none of the usual names ({usual}): {hint} {columns}"
            )
        return "\n".join(lines)


def lifecycle_error(value: str, values: Sequence[str]) -> EventLogError:
    """The error for a ``lifecycle`` value no event has, listing those the log has."""
    shown = sorted({v for v in values if v is not None})
    msg = (
        f"lifecycle={value!r}: no event has that {LIFECYCLE!r} "
        f"{choices_text(value, shown, word='values in the log')}"
    )
    return EventLogError(msg)


def keep_lifecycle(table: Mapping[str, Any], value: str) -> dict[str, Any]:
    """The rows whose lifecycle is ``value`` (any case of letters) or missing.

    Raises
    ------
    EventLogError
        If no event has that lifecycle, listing the values the log has.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    life = table[LIFECYCLE]
    arr = life if isinstance(life, pa.ChunkedArray | pa.Array) else pa.array(life, from_pandas=True)
    arr = pc.cast(arr, pa.string())
    lower = pc.utf8_lower(arr)
    hit = pc.equal(lower, value.lower())
    if not pc.any(hit).as_py():
        raise lifecycle_error(value, pc.unique(arr).to_pylist())
    mask = np.asarray(pc.fill_null(hit, True).to_numpy(zero_copy_only=False), dtype=bool)
    out: dict[str, Any] = {}
    for name, column in table.items():
        if isinstance(column, pa.ChunkedArray | pa.Array):
            out[name] = column.filter(pa.array(mask))
        elif hasattr(column, "iloc"):
            out[name] = column[mask].reset_index(drop=True)
        else:
            out[name] = np.asarray(column, dtype=object)[mask]
    return out


def resolve_columns(
    found: Sequence[str],
    *,
    case: str,
    activity: str,
    timestamp: str | None,
    resource: str | None,
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    segment: str | None = None,
) -> LogColumns:
    """Find the column of each role among ``found`` (see the module docstring).

    Raises
    ------
    MissingColumnError
        Naming every role whose column is missing or ambiguous, the keyword
        to name it with and the columns found.
    EventLogError
        When ``lifecycle`` is asked for and the log has no
        ``lifecycle:transition`` column.

    Examples
    --------
    >>> resolve_columns(["case", "session", "activity"], case=DEFAULT_CASE,
    ...     activity=DEFAULT_ACTIVITY, timestamp=None, resource=None)
    Traceback (most recent call last):
    ...
    cxgraph.readwrite.roles.MissingColumnError: which column holds the case ids? 'case' and 'session' both could: name one with case='case' (columns: 'case', 'session', 'activity')
    """  # noqa: E501
    have = set(found)
    by_lower: dict[str, list[str]] = {}
    for name in found:
        by_lower.setdefault(name.strip().lower(), []).append(name)
    problems: list[_Problem] = []
    detected: dict[str, str] = {}

    def pick(role: str, asked: str | None, *, optional: bool) -> str | None:
        if asked is None:
            return None
        if asked in have:
            return asked
        if asked != DEFAULTS.get(role):
            problems.append(_Problem(role, asked, ()))
            return None
        usual = [col for u in USUAL_NAMES[role] for col in by_lower.get(u, ())]
        usual = [col for col in dict.fromkeys(usual) if col not in taken]
        if len(usual) == 1:
            detected[role] = usual[0]
            taken.add(usual[0])
            return usual[0]
        if len(usual) > 1:
            problems.append(_Problem(role, asked, tuple(usual)))
        elif not optional:
            problems.append(_Problem(role, asked, ()))
        return None

    taken: set[str] = {n for n in (case, activity, timestamp, resource) if n in have}
    c = pick("case", case, optional=False)
    a = pick("activity", activity, optional=False)
    t = pick("timestamp", timestamp, optional=False)
    r = pick("resource", resource, optional=True)
    s = g = None
    if start_timestamp is not None:
        if start_timestamp in have:
            s = start_timestamp
        else:
            problems.append(_Problem("start_timestamp", start_timestamp, ()))
    if segment is not None:
        if segment in have:
            g = segment
        else:
            problems.append(_Problem("segment", segment, ()))
    if problems:
        raise MissingColumnError(problems, found)
    if lifecycle is not None and LIFECYCLE not in have:
        msg = (
            f"lifecycle={lifecycle!r} keeps the events whose {LIFECYCLE!r} is {lifecycle!r}, "
            f"but the event log has no such column "
            f"{choices_text(LIFECYCLE, list(found), word='columns')}"
        )
        raise EventLogError(msg)
    assert c is not None
    assert a is not None
    return LogColumns(
        case=c,
        activity=a,
        timestamp=t,
        resource=r,
        start_timestamp=s,
        lifecycle=lifecycle,
        segment=g,
        detected=detected,
    )


# -- what a role's column may hold ------------------------------------------

#: What a column holds, in the words of messages; each engine maps its types to these.
KIND_WORDS = {
    "text": "text",
    "number": "numbers",
    "boolean": "booleans (true or false)",
    "time": "dates and times",
    "time of day": "times of day without a date",
    "duration": "durations",
    "binary": "binary data (bytes)",
    "list": "lists",
    "struct": "structs (records of fields)",
    "map": "maps (keys and values)",
    "null": "no values at all",
    "other": "values of a type cxgraph does not read",
}
#: The kinds of column a case id, activity or resource may come from.
LABEL_KINDS = frozenset({"text", "number", "boolean", "time", "null"})
#: The kinds of column a timestamp may come from.
TIME_KINDS = frozenset({"text", "number", "time", "null"})


def check_kinds(kinds: Mapping[str, tuple[str, str]]) -> None:
    """Refuse columns that hold the wrong kind of values for their role.

    ``kinds`` maps each keyword to its column and the kind of values the
    column holds (a key of :data:`KIND_WORDS`); every engine tells kinds from
    its own types and asks here, so all refuse the same columns alike.

    Raises
    ------
    EventLogError
        One line per column at fault, naming the keyword, the column, what
        it holds and what the role takes.

    Examples
    --------
    >>> check_kinds({"case": ("id", "number"), "activity": ("act", "list")})
    Traceback (most recent call last):
    ...
    cxgraph.readwrite.columns.EventLogError: activity='act': the column holds lists; the activities must be text, numbers, booleans or dates
    """  # noqa: E501
    lines = []
    for keyword, (column, kind) in kinds.items():
        if keyword in ("timestamp", "start_timestamp"):
            if kind not in TIME_KINDS:
                lines.append(
                    f"{keyword}={column!r}: the column holds {KIND_WORDS[kind]}; "
                    f"{WHAT[keyword]} must be ISO 8601 text, dates and times, or numbers"
                )
        elif kind not in LABEL_KINDS:
            lines.append(
                f"{keyword}={column!r}: the column holds {KIND_WORDS[kind]}; "
                f"{WHAT[keyword]} must be text, numbers, booleans or dates"
            )
    if lines:
        raise EventLogError("\n".join(lines))


def value_kind(values: Any) -> str:
    """What a column holds (a key of :data:`KIND_WORDS`), told from its type.

    Arrow arrays by their type, pandas Series by their dtype (an object
    Series by its values); anything else (the text of an XES file) is text.

    Examples
    --------
    >>> import pyarrow as pa
    >>> value_kind(pa.array([["a"], ["b"]])), value_kind(pa.array([1.5]))
    ('list', 'number')
    """
    mod = type(values).__module__.split(".")[0]
    if mod == "pyarrow":
        return arrow_kind(values.type)
    if mod == "pandas":
        return _pandas_kind(values)
    return "text"


def arrow_kind(t: Any) -> str:
    """The kind of values an arrow type holds (a key of :data:`KIND_WORDS`)."""
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        return arrow_kind(t.value_type)
    for kind, tests in _ARROW_KINDS:
        # Newer arrow types (string_view, ...) have tests older pyarrow lacks.
        if any(getattr(pa.types, f"is_{test}", lambda _: False)(t) for test in tests.split()):
            return kind
    return "other"


_ARROW_KINDS = (
    ("text", "string large_string string_view"),
    ("number", "integer floating decimal"),
    ("boolean", "boolean"),
    ("time", "timestamp date"),
    ("time of day", "time"),
    ("duration", "duration interval"),
    ("binary", "binary large_binary fixed_size_binary binary_view"),
    ("map", "map"),
    ("list", "list large_list fixed_size_list list_view large_list_view"),
    ("struct", "struct"),
    ("null", "null"),
)


#: pandas' ``infer_dtype`` names, as kinds.
_INFERRED = {
    "string": "text", "bytes": "binary", "empty": "null", "integer": "number",
    "floating": "number", "mixed-integer-float": "number", "decimal": "number",
    "boolean": "boolean", "datetime": "time", "datetime64": "time", "date": "time",
    "time": "time of day", "timedelta": "duration", "timedelta64": "duration",
}  # fmt: skip


def _pandas_kind(series: Any) -> str:
    import numpy as np
    import pandas as pd

    api = pd.api.types
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return arrow_kind(dtype.pyarrow_dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return _pandas_kind(pd.Series(dtype.categories))
    if api.is_bool_dtype(dtype):
        return "boolean"
    if api.is_numeric_dtype(dtype):
        return "number"
    if api.is_datetime64_any_dtype(dtype):
        return "time"
    if api.is_timedelta64_dtype(dtype):
        return "duration"
    if dtype != np.dtype(object):
        return "text" if api.is_string_dtype(dtype) else "other"
    inferred = api.infer_dtype(series, skipna=True)
    if inferred in _INFERRED:
        return _INFERRED[inferred]
    # Mixed scalars (1 and "1") are read as text; a list or a mapping is not.
    for value in series:
        if isinstance(value, list | tuple | set | frozenset | np.ndarray):
            return "list"
        if isinstance(value, Mapping):
            return "struct"
        if isinstance(value, bytes | bytearray):
            return "binary"
    return "text"
