"""Field rules: one object per field that validates, checks raw files and writes the schema."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from cxgraph._util.text import article, choices_text, closest, describe
from cxgraph.errors import JourneyValidationError, Problem

ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
_ID_RE = re.compile(ID_PATTERN)

_YAML_BOOL_HINT = " (YAML 1.1 reads yes/no/on/off/true/false as booleans: quote the value)"
_YAML_DATE_HINT = " (YAML reads an unquoted date or time as one: quote the value)"

# [0-9], not \d: Python's \d also matches other scripts' digits, and the same
# pattern ships in the JSON Schema, where it must mean the same everywhere.
ISO_DURATION_PATTERN = (
    r"^P(?!$)(?:([0-9]+(?:\.[0-9]+)?)W)?(?:([0-9]+(?:\.[0-9]+)?)D)?"
    r"(?:T(?=[0-9])(?:([0-9]+(?:\.[0-9]+)?)H)?(?:([0-9]+(?:\.[0-9]+)?)M)?"
    r"(?:([0-9]+(?:\.[0-9]+)?)S)?)?$"
)
# fullmatch, not match: ``$`` also matches before a final newline.
_DURATION_RE = re.compile(ISO_DURATION_PATTERN)
_US_PER_UNIT = (
    Decimal(7 * 86_400 * 10**6),
    Decimal(86_400 * 10**6),
    Decimal(3_600 * 10**6),
    Decimal(60 * 10**6),
    Decimal(10**6),
)


def parse_duration(text: str) -> timedelta:
    """Parse an ISO 8601 duration (``PT4H``, ``P2D``, ``P1W``) into a timedelta.

    Years and months have no fixed length and are rejected.

    Examples
    --------
    >>> parse_duration("PT1H30M")
    datetime.timedelta(seconds=5400)
    >>> parse_duration("P2DT4H")
    datetime.timedelta(days=2, seconds=14400)
    >>> parse_duration("PT0.000001S")
    datetime.timedelta(microseconds=1)
    """
    m = _DURATION_RE.fullmatch(text)
    if m is None:
        # Years and months are valid ISO 8601 but have no fixed length.
        calendar = re.match(r"^P(?:[0-9.]+[YMWD])*[0-9.]+[YM]", text)
        why = "years and months have no fixed length, so " if calendar else ""
        msg = (
            f"invalid duration {text!r}: {why}use ISO 8601 weeks, days, hours, minutes "
            "or seconds such as 'PT4H', 'P2D' or 'PT1H30M'"
        )
        raise ValueError(msg)
    # Decimal, not float: a long duration keeps its microseconds exactly, so
    # format_duration and parse_duration are inverses.
    total = sum(
        (Decimal(g) * unit for g, unit in zip(m.groups(), _US_PER_UNIT, strict=True) if g),
        Decimal(0),
    )
    try:
        return timedelta(microseconds=int(total.to_integral_value()))
    except OverflowError:
        msg = f"duration {text!r} is too long (at most {timedelta.max.days:,} days)"
        raise ValueError(msg) from None


def format_duration(value: timedelta) -> str:
    """Write a timedelta as an ISO 8601 duration, the inverse of :func:`parse_duration`.

    Examples
    --------
    >>> format_duration(timedelta(days=2, hours=4))
    'P2DT4H'
    >>> format_duration(timedelta(0))
    'PT0S'
    """
    # Integer arithmetic: total_seconds() is a float and drops microseconds on long spans.
    total_us = value // timedelta(microseconds=1)
    if total_us < 0:
        msg = f"a duration cannot be negative, got {value}"
        raise ValueError(msg)
    days, rest = divmod(total_us, 86_400 * 1_000_000)
    hours, rest = divmod(rest, 3_600 * 1_000_000)
    minutes, rest = divmod(rest, 60 * 1_000_000)
    seconds = rest / 1_000_000
    out = "P"
    if days:
        out += f"{days}D"
    time = ""
    if hours:
        time += f"{hours}H"
    if minutes:
        time += f"{minutes}M"
    if seconds:
        time += f"{seconds:.6f}".rstrip("0").rstrip(".") + "S"
    if time:
        out += "T" + time
    if out == "P":
        out = "PT0S"
    return out


class Rule:
    """Base class: a field rule is an attrs validator with raw and schema views."""

    what: str = "a value"
    #: Whether a string is a valid value, so that quoting a YAML boolean fixes it.
    takes_text: bool = False

    def check(self, value: Any, path: str) -> list[Problem]:
        """Problems of a Python value (the model's view)."""
        return self.raw(value, path)

    def raw(self, value: Any, path: str) -> list[Problem]:  # pragma: no cover - abstract
        """Problems of a value as it stands in a file document."""
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """The JSON Schema fragment for this field."""
        raise NotImplementedError

    def __call__(self, inst: object, attribute: Any, value: Any) -> None:
        problems = self.check(value, f"{type(inst).__name__}.{attribute.name}")
        if problems:
            raise JourneyValidationError(problems)

    def _type_error(self, value: Any, path: str) -> list[Problem]:
        hint = ""
        if isinstance(value, bool) and self.takes_text:
            hint = _YAML_BOOL_HINT
        elif isinstance(value, date | time):
            hint = _YAML_DATE_HINT
        return [Problem(path, "type", f"expected {self.what}, got {describe(value)}{hint}")]


class Optional(Rule):
    """None, or a value the inner rule accepts."""

    def __init__(self, inner: Rule) -> None:
        self.inner = inner
        self.what = f"{inner.what} or null"

    def check(self, value: Any, path: str) -> list[Problem]:
        return [] if value is None else self.inner.check(value, path)

    def raw(self, value: Any, path: str) -> list[Problem]:
        return [] if value is None else self.inner.raw(value, path)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [self.inner.schema(), {"type": "null"}]}


class Str(Rule):
    """Any string."""

    what = "a string"
    takes_text = True

    def raw(self, value: Any, path: str) -> list[Problem]:
        return [] if isinstance(value, str) else self._type_error(value, path)

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class Id(Str):
    """An id: letters, digits and ``_ . : -``; also used for references."""

    what = "an id (a string)"

    def __init__(self, noun: str = "id") -> None:
        self.noun = noun

    def raw(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, str):
            return self._type_error(value, path)
        if not _ID_RE.fullmatch(value):
            return [
                Problem(
                    path,
                    "pattern",
                    f"invalid {self.noun} {value!r}: use only letters, digits and _ . : - "
                    "(no spaces), at least one character",
                )
            ]
        return []

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": ID_PATTERN}


class Enum(Rule):
    """One of a fixed set of strings."""

    def __init__(self, noun: str, choices: Sequence[str]) -> None:
        self.noun = noun
        self.choices = tuple(choices)
        self.what = "one of " + ", ".join(repr(c) for c in self.choices)
        self.takes_text = True

    def raw(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, str):
            return self._type_error(value, path)
        if value not in self.choices:
            text = choices_text(value, self.choices, word="valid")
            return [Problem(path, "enum", f"unknown {self.noun} {value!r} {text}")]
        return []

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


class Int(Rule):
    """An integer (booleans are not integers here), optionally bounded."""

    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum
        if minimum is not None and maximum is not None:
            self.what = f"an integer from {minimum} to {maximum}"
        elif minimum is not None:
            self.what = f"an integer >= {minimum}"
        else:
            self.what = "an integer"

    def raw(self, value: Any, path: str) -> list[Problem]:
        if isinstance(value, bool) or not isinstance(value, int):
            return _quoted_number(self._type_error(value, path), value)
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            return [Problem(path, "range", f"expected {self.what}, got {value}")]
        return []

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


class Num(Rule):
    """A finite real number (int or float, not bool), optionally within [lo, hi]."""

    def __init__(self, minimum: float | None = None, maximum: float | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum
        if minimum is not None and maximum is not None:
            self.what = f"a number from {minimum:g} to {maximum:g}"
        elif minimum is not None:
            self.what = f"a number >= {minimum:g}"
        else:
            self.what = "a number"

    def raw(self, value: Any, path: str) -> list[Problem]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _quoted_number(self._type_error(value, path), value)
        if not math.isfinite(value):
            return [
                Problem(
                    path,
                    "range",
                    f"expected {self.what}, got {value!r}: NaN and infinity are not allowed",
                )
            ]
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            return [Problem(path, "range", f"expected {self.what}, got {value!r}")]
        return []

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


def _quoted_number(problems: list[Problem], value: Any) -> list[Problem]:
    """Add a hint to a type problem when a number arrived as a string."""
    if not isinstance(value, str):
        return problems
    try:
        number = float(value)
    except ValueError:
        return problems
    if not math.isfinite(number):
        return problems
    hint = " (write the number without quotes)"
    return [Problem(p.path, p.code, p.message + hint) for p in problems]


class Bool(Rule):
    """A boolean."""

    what = "a boolean"

    def raw(self, value: Any, path: str) -> list[Problem]:
        return [] if isinstance(value, bool) else self._type_error(value, path)

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Duration(Rule):
    """A duration: a timedelta in Python, an ISO 8601 string in files."""

    what = "an ISO 8601 duration string such as 'PT4H' or 'P2D'"
    takes_text = True

    def check(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, timedelta):
            return [Problem(path, "type", f"expected a datetime.timedelta, got {describe(value)}")]
        if value < timedelta(0):
            return [Problem(path, "range", f"a duration cannot be negative, got {value}")]
        return []

    def raw(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, str):
            return self._type_error(value, path)
        try:
            parse_duration(value)
        except ValueError as exc:
            return [Problem(path, "duration", str(exc))]
        return []

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": ISO_DURATION_PATTERN}


class Seq(Rule):
    """A sequence of items (a tuple in Python, a list in files)."""

    def __init__(self, item: Rule) -> None:
        self.item = item
        self.what = "a list"

    def check(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, tuple):
            return [Problem(path, "type", f"expected a tuple or list, got {describe(value)}")]
        out: list[Problem] = []
        for i, v in enumerate(value):
            out += self.item.check(v, f"{path}[{i}]")
        return out

    def raw(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, list):
            return self._type_error(value, path)
        out: list[Problem] = []
        for i, v in enumerate(value):
            out += self.item.raw(v, f"{path}[{i}]")
        return out

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": self.item.schema()}


class Nested(Rule):
    """An attrs model object (a mapping in files), checked by its own fields."""

    def __init__(self, cls: type, noun: str | None = None) -> None:
        self.cls = cls
        self.noun = noun or cls.__name__
        self.what = article(f"{self.noun} mapping")

    def check(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, self.cls):
            name = self.cls.__name__
            hint = (
                f": build it with cxgraph.{name}(...), or read a whole journey in the "
                "file's shape with Journey.from_dict"
                if isinstance(value, Mapping)
                else ""
            )
            return [Problem(path, "type", f"expected {article(name)}, got {describe(value)}{hint}")]
        return []

    def raw(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, Mapping):
            return self._type_error(value, path)
        return check_mapping(self.cls, value, path)

    def schema(self) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{self.cls.__name__}"}


class Either(Rule):
    """A value the first rule accepts in files, or the second (entries: id or mapping)."""

    def __init__(self, first: Rule, second: Rule, what: str) -> None:
        self.first = first
        self.second = second
        self.what = what
        self.takes_text = True

    def check(self, value: Any, path: str) -> list[Problem]:
        return self.second.check(value, path)

    def raw(self, value: Any, path: str) -> list[Problem]:
        if isinstance(value, str):
            return self.first.raw(value, path)
        if isinstance(value, Mapping):
            return self.second.raw(value, path)
        return self._type_error(value, path)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [self.first.schema(), self.second.schema()]}


class AnyMapping(Rule):
    """A JSON-like mapping (extensions): string keys all the way down, and values
    that JSON can hold (null, booleans, finite numbers, strings, lists, mappings).

    Checked to the leaves so that whatever loads also dumps and reads back equal:
    a YAML date or a non-string key would not survive JSON.
    """

    what = "a mapping"

    def check(self, value: Any, path: str) -> list[Problem]:
        return self.raw(value, path)

    def raw(self, value: Any, path: str) -> list[Problem]:
        if not isinstance(value, Mapping):
            return self._type_error(value, path)
        out: list[Problem] = []
        _json_like(value, path, out)
        return out

    def schema(self) -> dict[str, Any]:
        return {"type": "object"}


def _json_like(value: Any, path: str, out: list[Problem]) -> None:
    """Collect problems of a value that JSON cannot hold exactly."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            out.append(Problem(path, "range", f"expected a finite number, got {value!r}"))
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                out.append(Problem(path, "type", f"keys must be strings, got {describe(k)}"))
                continue
            _json_like(v, f"{path}.{k}", out)
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _json_like(v, f"{path}[{i}]", out)
        return
    hint = _YAML_DATE_HINT if isinstance(value, date | time) else ""
    out.append(
        Problem(
            path,
            "type",
            "expected a JSON value (null, boolean, number, string, list or mapping), "
            f"got {describe(value)}{hint}",
        )
    )


def field_rules(cls: type) -> dict[str, tuple[Rule, bool]]:
    """Map each attrs field of ``cls`` to its rule and whether it is required."""
    import attrs

    out: dict[str, tuple[Rule, bool]] = {}
    for f in attrs.fields(cls):
        rule = f.metadata.get("rule")
        if rule is None:
            continue
        out[f.name] = (rule, f.default is attrs.NOTHING)
    return out


def check_mapping(cls: type, value: Mapping[Any, Any], path: str) -> list[Problem]:
    """Check a raw mapping against the fields of a model class.

    Problems come in document order: the missing required fields first (they
    belong to the mapping as a whole, which starts before its keys), then each
    key in the order the mapping has them.
    """
    rules = field_rules(cls)
    out = [
        Problem(f"{path}.{name}", "required", f"missing required field {name!r}")
        for name, (_, required) in rules.items()
        if required and name not in value
    ]
    for key, item in value.items():
        if key in rules:
            out += rules[key][0].raw(item, f"{path}.{key}")
        else:
            out.append(unknown_key(key, list(rules), path))
    return out


def unknown_key(key: object, valid: Sequence[str], path: str) -> Problem:
    """A problem for a key that is not a field, with a suggestion."""
    if not isinstance(key, str):
        return Problem(
            path, "unknown_key", f"keys must be strings, got {describe(key)}: quote the key"
        )
    # 0.7 keeps real typos ('nmae', 'owne') and drops look-alikes ('title' -> 'state').
    close = closest(key, valid, n=1, cutoff=0.7)
    hint = f"; did you mean {close[0]!r}?" if close else f" (valid: {', '.join(valid)})"
    return Problem(f"{path}.{key}", "unknown_key", f"unknown field {key!r}{hint}")


def to_tuple(value: Any) -> Any:
    """attrs converter: lists become tuples; anything else is left for the validator."""
    return tuple(value) if isinstance(value, list) else value


def converter_chain(*fs: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Compose converters left to right."""

    def run(value: Any) -> Any:
        for f in fs:
            value = f(value)
        return value

    return run
