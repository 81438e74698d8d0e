"""The journey file's shape as plain dicts, to and from the model (cattrs, strict hooks)."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import timedelta
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from cxgraph.errors import Problem
from cxgraph.model import fields as F
from cxgraph.model.classes import (
    Channel,
    DecisionPoint,
    Dimension,
    Entry,
    Handoff,
    Journey,
    Metric,
    Outcome,
    Owner,
    Persona,
    Phase,
    System,
    Touchpoint,
    Transition,
    Trigger,
)
from cxgraph.model.validation import (
    FORMAT_VERSION,
    JOURNEY_HEADER,
    JOURNEY_LISTS,
    document_problems,
    raise_if,
)

__all__ = ["from_dict", "to_dict"]

_MODEL_CLASSES: tuple[type, ...] = (
    Persona,
    Phase,
    Owner,
    Channel,
    System,
    Dimension,
    Metric,
    Touchpoint,
    DecisionPoint,
    Outcome,
    Transition,
    Handoff,
    Trigger,
    Entry,
)


# -- cattrs converter -------------------------------------------------------


@functools.cache
def _converter() -> cattrs.Converter:
    """Our converter: strict, with durations as ISO 8601 strings.

    Documents are checked field by field before structuring (see
    ``cxgraph.model.validation``), so structuring never sees a wrong type; the
    converter still forbids extra keys as a second line of defence.
    """
    # Made on first use: building the hooks is most of what importing this module cost.
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    conv.register_structure_hook(timedelta, lambda v, _: F.parse_duration(v))
    conv.register_unstructure_hook(timedelta, F.format_duration)
    # Numbers keep their type: an int probability stays exact; the model takes both.
    conv.register_structure_hook(float, lambda v, _: v)
    for cls in _MODEL_CLASSES:
        attrs.resolve_types(cls)
        if cls is Entry:
            continue
        conv.register_structure_hook(
            cls, make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True)
        )
    entry_fn = make_dict_structure_fn(Entry, conv, _cattrs_forbid_extra_keys=True)
    conv.register_structure_hook(
        Entry, lambda v, t: Entry(step=v) if isinstance(v, str) else entry_fn(v, t)
    )
    return conv


def _plain_fields(obj: Any, names: Collection[str] | None = None) -> dict[str, Any]:
    """An attrs object's fields (those in ``names``) as plain values, defaults left out."""
    out: dict[str, Any] = {}
    for f in attrs.fields(type(obj)):
        if names is not None and f.name not in names:
            continue
        value = getattr(obj, f.name)
        default = f.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        if value == default and f.default is not attrs.NOTHING:
            continue
        out[f.name] = _unstructure(value)
    return out


def _unstructure(obj: Any) -> Any:
    """An attrs object as a plain dict in field order, defaults left out."""
    if attrs.has(type(obj)):
        return _plain_fields(obj)
    if isinstance(obj, timedelta):
        return F.format_duration(obj)
    if isinstance(obj, Mapping):
        return {k: _unstructure(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [_unstructure(v) for v in obj]
    # Subclasses of the plain types (numpy.float64, a StrEnum member) pass the
    # model's checks but PyYAML's safe dumper refuses them: write the plain value.
    if isinstance(obj, bool) or obj is None:
        return obj
    for plain in (str, int, float):
        if isinstance(obj, plain) and type(obj) is not plain:
            return plain(obj)
    return obj


def to_dict(journey: Journey) -> dict[str, Any]:
    """Return a journey in the file's shape, as plain dicts and lists.

    Fields at their default are left out; an entry with neither probability
    nor count is written as its bare step id.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J", touchpoints=[cx.Touchpoint(id="a", name="A")],
    ...                entries=["a"])
    >>> cx.to_dict(j)
    {'cxgraph': '1.0', 'journey': {'id': 'j', 'name': 'J'}, 'touchpoints': [{'id': 'a', 'name': 'A'}], 'entries': ['a']}
    """  # noqa: E501
    return _document(journey, None)


_ITEM_RE = re.compile(r"\$\.(\w+)\[(\d+)\]")


def document_outline(journey: Journey, paths: Iterable[str]) -> dict[str, Any]:
    """:func:`to_dict`'s document with only the list items ``paths`` point into.

    Every key is where :func:`to_dict` puts it and every list has its length,
    but an item no path names is ``None``: enough to sort problems about a
    large journey in document order without writing all of it out.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B")])
    >>> document_outline(j, ["$.touchpoints[1].owner"])["touchpoints"]
    [None, {'id': 'b', 'name': 'B'}]
    """
    wanted: dict[str, set[int]] = {}
    for path in paths:
        m = _ITEM_RE.match(path)
        if m:
            wanted.setdefault(m[1], set()).add(int(m[2]))
    return _document(journey, wanted)


def _document(journey: Journey, wanted: Mapping[str, Collection[int]] | None) -> dict[str, Any]:
    """The file's shape; with ``wanted``, only those items of each list written."""
    out: dict[str, Any] = {"cxgraph": FORMAT_VERSION}
    header = _plain_fields(journey, JOURNEY_HEADER)
    out["journey"] = {k: header[k] for k in JOURNEY_HEADER if k in header}
    for name in JOURNEY_LISTS:
        items = getattr(journey, name)
        if not items:
            continue
        if wanted is None:
            plain = [_unstructure(v) for v in items]
        else:
            plain = [None] * len(items)
            for i in wanted.get(name, ()):
                if i < len(items):
                    plain[i] = _unstructure(items[i])
        if name == "entries":
            plain = [e["step"] if isinstance(e, dict) and set(e) == {"step"} else e for e in plain]
        out[name] = plain
    if journey.extensions:
        out["extensions"] = _unstructure(journey.extensions)
    return out


#: How deep a document may nest; a journey file needs about 6 levels, extensions a few more.
MAX_DEPTH = 100
#: YAML aliases may repeat parts of a document, up to this many times its written size.
MAX_EXPANSION = 100
_EXPANSION_SLACK = 100_000


def shape_problems(data: Any) -> list[Problem]:
    """Problems with the shape of a parsed document before any field is checked.

    A document nested deeper than :data:`MAX_DEPTH`, or whose YAML aliases
    repeat its parts out of all proportion (a "billion laughs"), would make
    the checks recurse too deep or run for hours; it is refused at ``$``.
    Shared parts are measured once, so this takes time in the written size.

    Examples
    --------
    >>> shape_problems({"a": [[[]]]})
    []
    >>> deep: list[object] = []
    >>> for _ in range(200):
    ...     deep = [deep]
    >>> shape_problems(deep)[0].message
    'the document nests 201 levels deep; at most 100 are allowed'
    """
    if not isinstance(data, Mapping | list):
        return []  # a scalar document: the field checks say what is wrong with it
    size: dict[int, int] = {}  # values under a container, aliases expanded
    height: dict[int, int] = {}
    written = 0  # values as written: each container once
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        obj, done = stack.pop()
        children = obj.values() if isinstance(obj, Mapping) else obj
        if done:
            n, h, scalars = 1, 0, 0
            for c in children:
                if isinstance(c, Mapping | list):
                    n += size[id(c)]
                    h = max(h, height[id(c)])
                else:
                    scalars += 1
            size[id(obj)], height[id(obj)] = n + scalars, h + 1
            written += 1 + scalars
            continue
        if id(obj) in size:
            continue
        # A container in progress counts as nothing if met again (a recursive alias).
        size[id(obj)], height[id(obj)] = 0, 0
        stack.append((obj, True))
        stack.extend((c, False) for c in children if isinstance(c, Mapping | list))
    depth, total = height[id(data)], size[id(data)]
    if depth > MAX_DEPTH:
        msg = f"the document nests {depth} levels deep; at most {MAX_DEPTH} are allowed"
        return [Problem("$", "parse", msg)]
    if total > MAX_EXPANSION * written + _EXPANSION_SLACK:
        msg = (
            f"YAML aliases (*name) expand the document to {total:,} values from {written:,} "
            "written ones: write the repeated parts out, or repeat them less"
        )
        return [Problem("$", "parse", msg)]
    return []


def from_dict(data: Any) -> Journey:
    """Build a Journey from a mapping in the file's shape.

    Raises
    ------
    JourneyValidationError
        Listing every problem in the document, each with its ``$.`` path.

    Examples
    --------
    >>> j = from_dict({"cxgraph": "1.0", "journey": {"id": "j", "name": "J"},
    ...                "outcomes": [{"id": "ok", "name": "OK", "kind": "success"}]})
    >>> j.outcomes[0].kind
    'success'
    >>> from_dict({"cxgraph": "1.0", "journey": {"id": "j", "name": "J"},
    ...            "outcomes": [{"id": "ok", "name": "OK", "kind": "win"}]})
    Traceback (most recent call last):
    ...
    cxgraph.errors.JourneyValidationError: 1 problem in the journey:
    $.outcomes[0].kind: unknown outcome kind 'win' (valid: 'success', 'failure', 'exit')
    """
    raise_if(shape_problems(data))
    raise_if(document_problems(data))
    flat: dict[str, Any] = dict(data["journey"])
    for name in JOURNEY_LISTS:
        if name in data:
            flat[name] = data[name]
    if "extensions" in data:
        flat["extensions"] = data["extensions"]
    return _converter().structure(flat, Journey)
