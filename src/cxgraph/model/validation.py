"""Validation: check a document or a journey, collect every problem, then raise once.

Two layers, both returning lists of :class:`~cxgraph.Problem` with ``$.`` paths:

- :func:`document_problems` checks a raw file document (types, required and
  unknown keys, enums, patterns, ranges, the ``cxgraph`` version), driven by
  the field rules the model carries;
- :func:`journey_problems` (in :mod:`cxgraph.model.checks`) checks a built
  journey as a whole (unique ids, references, probabilities, owner cycles,
  ``decided_by`` against ``owner``).

A file is checked by both at once: where a shape problem leaves a value
unusable, the whole-journey checks that need it are skipped rather than guessed
at, so a user fixing a file sees every problem in one run, in document order.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import Any

import attrs

from cxgraph._util.text import describe
from cxgraph.errors import CxgraphWarning, JourneyValidationError, Problem
from cxgraph.model import fields as F
from cxgraph.model.checks import (
    _journey_checks,
    in_document_order,
    journey_problems,
)
from cxgraph.model.classes import Journey

__all__ = ["document_problems", "journey_problems", "validate", "value_problems"]

FORMAT_VERSION = "1.0"
SUPPORTED_MAJOR = 1
SUPPORTED_MINOR = 0

#: Journey fields written under the ``journey:`` key of a file.
JOURNEY_HEADER = ("id", "name", "version", "state", "description")
#: Journey fields written as top-level lists, in file order.
JOURNEY_LISTS = (
    "personas",
    "phases",
    "owners",
    "channels",
    "systems",
    "dimensions",
    "touchpoints",
    "decision_points",
    "outcomes",
    "entries",
    "transitions",
    "handoffs",
    "triggers",
)
TOP_LEVEL_KEYS = ("cxgraph", "$schema", "journey", *JOURNEY_LISTS, "extensions")

_VERSION_RE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


# -- raw documents ----------------------------------------------------------


def version_problems(value: Any) -> list[Problem]:
    """Check the ``cxgraph`` format version; warn for a newer minor version."""
    path = "$.cxgraph"
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = f"{value}" if isinstance(value, float) else f"{value}.0"
        return [
            Problem(
                path,
                "version",
                f"expected the format version as a string, got {describe(value)}: "
                f'put it in quotes, as in cxgraph: "{text}" (unquoted, YAML reads it as '
                "a number)",
            )
        ]
    if not isinstance(value, str):
        return [
            Problem(
                path,
                "version",
                f'expected the format version as a string such as "{FORMAT_VERSION}", '
                f"got {describe(value)}",
            )
        ]
    m = _VERSION_RE.fullmatch(value)
    if m is None:
        return [
            Problem(
                path,
                "version",
                f'invalid format version {value!r}: expected "MAJOR.MINOR" such as '
                f'"{FORMAT_VERSION}"',
            )
        ]
    major, minor = int(m.group(1)), int(m.group(2))
    if major != SUPPORTED_MAJOR:
        return [
            Problem(
                path,
                "version",
                f"unsupported format version {value!r}: this cxgraph reads version "
                f'{SUPPORTED_MAJOR}.x files (written as "{FORMAT_VERSION}")',
            )
        ]
    if minor > SUPPORTED_MINOR:
        warnings.warn(
            f"journey file has format version {value}, newer than this cxgraph's "
            f"{FORMAT_VERSION}; fields it does not know will be rejected",
            CxgraphWarning,
            stacklevel=4,
        )
    return []


def _header_problems(header: Any, rules: Mapping[str, tuple[F.Rule, bool]]) -> list[Problem]:
    if not isinstance(header, Mapping):
        return [
            Problem(
                "$.journey",
                "type",
                "expected a mapping with the journey's id and name, such as "
                f"journey: {{id: my-journey, name: My journey}}, got {describe(header)}",
            )
        ]
    out = [
        Problem(f"$.journey.{name}", "required", f"missing required field {name!r}")
        for name in JOURNEY_HEADER
        if rules[name][1] and name not in header
    ]
    for key, value in header.items():
        if key in JOURNEY_HEADER:
            out += rules[key][0].raw(value, f"$.journey.{key}")
        elif key in JOURNEY_LISTS:
            out.append(
                Problem(
                    f"$.journey.{key}",
                    "unknown_key",
                    f"{key!r} does not belong under journey: it is a top-level list, so "
                    "move it out to the left margin (journey holds only "
                    f"{', '.join(JOURNEY_HEADER)})",
                )
            )
        else:
            out.append(F.unknown_key(key, JOURNEY_HEADER, "$.journey"))
    return out


def document_problems(doc: Any) -> list[Problem]:
    """Check a raw document in the file's shape; return every problem found.

    Shape problems (types, required and unknown keys, enums, patterns, ranges,
    the ``cxgraph`` version) and whole-journey problems (see
    :func:`journey_problems`) are reported together, in document order. Where
    a shape problem leaves a value unusable, the whole-journey checks that
    would need it are skipped rather than guessed at.

    Examples
    --------
    >>> for p in document_problems({"cxgraph": 1.0, "journey": {"id": "x y"}}):
    ...     print(p)
    $.cxgraph: expected the format version as a string, got number 1.0: put it in quotes, as in cxgraph: "1.0" (unquoted, YAML reads it as a number)
    $.journey.name: missing required field 'name'
    $.journey.id: invalid id 'x y': use only letters, digits and _ . : - (no spaces), at least one character
    """  # noqa: E501
    if not isinstance(doc, Mapping):
        extra = " (the document is empty)" if doc is None else ""
        return [
            Problem(
                "$",
                "type",
                f'expected a mapping with cxgraph: "{FORMAT_VERSION}" and journey: '
                f"{{id, name}} at the top level, got {describe(doc)}{extra}",
            )
        ]
    out = value_problems(doc)
    if any(p.code == "range" for p in out):
        # A number no float can hold breaks the range checks below: report it alone.
        return out
    rules = F.field_rules(Journey)
    if "cxgraph" not in doc:
        out.append(
            Problem(
                "$.cxgraph",
                "required",
                f"missing required field 'cxgraph': add cxgraph: \"{FORMAT_VERSION}\" at the top",
            )
        )
    if "journey" not in doc:
        out.append(
            Problem(
                "$.journey",
                "required",
                "missing required field 'journey': add journey: {id: ..., name: ...}",
            )
        )
    for key, value in doc.items():
        if key == "cxgraph":
            out += version_problems(value)
        elif key == "$schema":
            if not isinstance(value, str):
                out.append(
                    Problem("$.$schema", "type", f"expected a string, got {describe(value)}")
                )
        elif key == "journey":
            out += _header_problems(value, rules)
        elif key in rules and key not in JOURNEY_HEADER:
            out += rules[key][0].raw(value, f"$.{key}")
        else:
            out.append(F.unknown_key(key, TOP_LEVEL_KEYS, "$"))
    journey, unsure = _adapt(doc, rules, clean=not out)
    out += _journey_checks(journey, unsure)
    return in_document_order(out, doc)


# -- values no file can hold -------------------------------------------------

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SURROGATE_PAIR_RE = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def surrogate_problem(text: str, path: str, what: str = "the text") -> Problem | None:
    """A problem if ``text`` holds a lone surrogate, which UTF-8 cannot encode.

    Surrogates (U+D800 to U+DFFF) are halves of UTF-16 pairs, not characters:
    a JSON or YAML escape such as ``\\ud800`` can still put one in a string,
    and writing the journey out would then fail.

    Examples
    --------
    >>> surrogate_problem("Café", "$.journey.name") is None
    True
    >>> print(surrogate_problem("J" + chr(0xD800), "$.journey.name"))
    $.journey.name: the text 'J\\ud800' holds a lone surrogate U+D800, which is not a character and cannot be written as UTF-8: remove it
    """  # noqa: E501
    if text.isascii():
        return None
    m = _SURROGATE_RE.search(text)
    if m is None:
        return None
    shown = text if len(text) <= 40 else text[:37] + "..."
    hint = "remove it"
    if _SURROGATE_PAIR_RE.search(text):
        # YAML does not join a pair of \\u escapes into one character, as JSON does.
        hint = (
            "write the character itself, or one \\U0001F600-style escape in YAML "
            "(YAML does not join two \\u escapes into one character)"
        )
    return Problem(
        path,
        "encoding",
        f"{what} {shown!r} holds a lone surrogate U+{ord(m[0]):04X}, which is not a "
        f"character and cannot be written as UTF-8: {hint}",
    )


def value_problems(doc: Any) -> list[Problem]:
    """Problems with values that no journey file can hold, anywhere in a document.

    Every string (keys too) must be writable as UTF-8, so a lone surrogate is
    refused (code ``"encoding"``); every number must fit a 64-bit float (code
    ``"range"``), as
    JSON readers elsewhere expect and as the analyses compute. Containers met
    again through YAML aliases are checked once.

    Examples
    --------
    >>> value_problems({"journey": {"id": "j", "name": "J"}, "extensions": {"n": [1.5]}})
    []
    >>> print(value_problems({"entries": [{"step": "a", "probability": 10**400}]})[0])
    $.entries[0].probability: an integer of 401 digits is too large: the numbers in a journey file must fit a 64-bit float (at most about 1.8e308)
    """  # noqa: E501
    if _plainly_fine(doc):
        return []
    out: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(doc, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            problem = surrogate_problem(value, path)
            if problem is not None:
                out.append(problem)
        elif isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > 1000 and not _fits_float(value):
                digits = int(math.log10(abs(value))) + 1
                msg = (
                    f"an integer of {digits} digits is too large: the numbers in a journey "
                    "file must fit a 64-bit float (at most about 1.8e308)"
                )
                out.append(Problem(path, "range", msg))
        elif isinstance(value, Mapping | list | tuple) and id(value) not in seen:
            seen.add(id(value))
            if isinstance(value, Mapping):
                items = []
                for k, v in value.items():
                    bad = surrogate_problem(k, path, "the key") if isinstance(k, str) else None
                    if bad is not None:
                        out.append(bad)
                    items.append((v, f"{path}.{k!r}" if bad is not None else f"{path}.{k}"))
            else:
                items = [(v, f"{path}[{i}]") for i, v in enumerate(value)]
            stack.extend(reversed(items))
    return out


def _plainly_fine(doc: Any) -> bool:
    """A quick first look (no paths kept): True if no value can be a problem.

    Most documents pass, in a fraction of the careful walk's time; anything
    unusual (a subclass, a problem) is left to the careful walk.
    """
    stack = [doc]
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            if not value.isascii() and _SURROGATE_RE.search(value):
                return False
        elif kind is dict or kind is list:
            if id(value) in seen:
                continue
            seen.add(id(value))
            if kind is dict:
                if not all(type(k) is str and k.isascii() for k in value):
                    return False
                stack.extend(value.values())
            else:
                stack.extend(value)
        elif kind is int:
            if value.bit_length() > 1000:
                return False
        elif kind not in (float, bool, type(None)):
            return False
    return True


def _fits_float(value: int) -> bool:
    try:
        float(value)
    except OverflowError:
        return False
    return True


# -- raw documents as journeys -----------------------------------------------

#: Marks a probability that is present but unusable, so that the sums that
#: need it are skipped (a built Journey never holds NaN).
_UNUSABLE = math.nan
#: Which collections hold the ids that each reference noun points to.
_REFERENCED = {
    "persona": ("personas",),
    "phase": ("phases",),
    "owner": ("owners",),
    "channel": ("channels",),
    "system": ("systems",),
    "dimension": ("dimensions",),
    "step": ("touchpoints", "decision_points", "outcomes"),
}


@functools.cache
def _field_specs(cls: type) -> tuple[tuple[str, F.Rule | None, Any], ...]:
    """(name, rule, default) for each field of a model class; None stands for required."""
    out = []
    for f in attrs.fields(cls):
        default = f.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        elif default is attrs.NOTHING:
            default = None
        out.append((f.name, f.metadata.get("rule"), default))
    return tuple(out)


def _adapt_item(cls: type, raw: Any, clean: bool) -> SimpleNamespace:
    """A stand-in for a model object: its valid fields, None (or NaN) for the rest.

    ``clean`` says the document has no shape problems, so no value needs checking.
    """
    out = SimpleNamespace()
    mapping = raw if isinstance(raw, Mapping) else {}
    if isinstance(raw, str) and cls.__name__ == "Entry":
        mapping = {"step": raw}
    for name, rule, default in _field_specs(cls):
        value = mapping.get(name, default)
        if clean or name not in mapping:
            pass
        elif isinstance(rule, F.Seq):
            items = value if isinstance(value, list) else []
            value = tuple(v if not rule.item.raw(v, "") else None for v in items)
        elif rule is not None and rule.raw(value, ""):
            value = _UNUSABLE if name == "probability" else None
        if isinstance(value, list):
            value = tuple(value)
        setattr(out, name, value)
    return out


def _adapt(
    doc: Mapping[Any, Any], rules: Mapping[str, tuple[F.Rule, bool]], clean: bool
) -> tuple[SimpleNamespace, frozenset[str]]:
    """The document as a journey stand-in, and the nouns whose ids are not all known.

    A reference to a collection with an item that has no usable id (not a
    mapping, no string id) or that is not a list at all might point at that
    item, so references of that noun are not checked.
    """
    journey = SimpleNamespace()
    broken: set[str] = set()
    for name in JOURNEY_LISTS:
        raw = doc.get(name, [])
        rule = rules[name][0]
        if not isinstance(raw, list) or not isinstance(rule, F.Seq):
            broken.add(name)
            raw = []
        inner = rule.item if isinstance(rule, F.Seq) else rule
        cls = inner.second.cls if isinstance(inner, F.Either) else inner.cls  # type: ignore[attr-defined]
        items = [_adapt_item(cls, item, clean) for item in raw]
        if "id" in attrs.fields_dict(cls) and any(not isinstance(i.id, str) for i in items):
            broken.add(name)
        setattr(journey, name, tuple(items))
    unsure = frozenset(n for n, lists in _REFERENCED.items() if broken & set(lists))
    return journey, unsure


def validate(obj: Any) -> None:
    """Check a Journey or a dict in the file's shape; raise if anything is wrong.

    Parameters
    ----------
    obj
        A :class:`~cxgraph.Journey`, or a mapping in the file's shape (as
        :func:`cxgraph.loads` would parse it).

    Returns
    -------
    None
        When the journey is valid.

    Raises
    ------
    JourneyValidationError
        Listing every problem, each with its ``$.`` path, in document order.
    TypeError
        If ``obj`` is neither a Journey nor something a file could hold.

    Examples
    --------
    >>> import cxgraph as cx
    >>> cx.validate({"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}})
    >>> cx.validate({"cxgraph": "1.0", "journey": {"id": "j"}, "touchpoint": []})
    Traceback (most recent call last):
    ...
    cxgraph.errors.JourneyValidationError: 2 problems in the journey:
    $.journey.name: missing required field 'name'
    $.touchpoint: unknown field 'touchpoint'; did you mean 'touchpoints'?
    """
    if isinstance(obj, Journey):
        problems = journey_problems(obj)
        if problems:
            raise JourneyValidationError(problems)
        return
    if isinstance(obj, Mapping) or obj is None or isinstance(obj, list | str | int | float):
        # from_dict reports a document of the wrong shape as a validation error.
        Journey.from_dict(obj)  # type: ignore[arg-type]
        return
    msg = f"validate() takes a Journey or a mapping in the file's shape, got {describe(obj)}"
    raise TypeError(msg)


def raise_if(problems: Iterable[Problem]) -> None:
    """Raise one JourneyValidationError if there are any problems."""
    problems = list(problems)
    if problems:
        raise JourneyValidationError(problems)
