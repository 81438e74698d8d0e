"""Reading and writing journey files: JSON (canonical) and YAML (for authoring).

A file is checked in full before anything is built: every problem is
collected, with its ``$.`` path, and raised once as
:class:`~cxgraph.JourneyValidationError`. Output is byte-stable: the same
journey always gives the same bytes, keys in the design's field order, fields
at their default left out, indent 2 and a final newline.

Examples
--------
>>> import cxgraph as cx
>>> text = '''
... cxgraph: "1.0"
... journey: {id: coffee, name: Buying a coffee}
... touchpoints:
...   - {id: order, name: Order at the counter, duration: PT2M}
... '''
>>> j = cx.loads(text, format="yaml")
>>> j.touchpoints[0].duration
datetime.timedelta(seconds=120)
>>> print(cx.dumps(j, format="yaml"), end="")
cxgraph: '1.0'
journey:
  id: coffee
  name: Buying a coffee
touchpoints:
- id: order
  name: Order at the counter
  duration: PT2M
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import attrs
import cattrs
import yaml
from cattrs.gen import make_dict_structure_fn

from cxgraph import _fields as F
from cxgraph._validate import (
    FORMAT_VERSION,
    JOURNEY_HEADER,
    JOURNEY_LISTS,
    document_problems,
    raise_if,
)
from cxgraph.errors import CxgraphError, JourneyValidationError, Problem
from cxgraph.model import (
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

__all__ = [
    "FORMAT_VERSION",
    "UnsupportedFormatError",
    "dump",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "schema",
    "to_dict",
]

Format = Literal["json", "yaml"]
FORMATS: tuple[str, ...] = ("json", "yaml")
SUFFIXES: dict[str, Format] = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
SCHEMA_RESOURCE = "journey-1.0.schema.json"

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


class UnsupportedFormatError(CxgraphError, ValueError):
    """A format name or file suffix that cxgraph does not read or write."""


# -- cattrs converter -------------------------------------------------------


def _make_converter() -> cattrs.Converter:
    """Our converter: strict, with durations as ISO 8601 strings.

    Documents are checked field by field before structuring (see
    ``cxgraph._validate``), so structuring never sees a wrong type; the
    converter still forbids extra keys as a second line of defence.
    """
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


_CONVERTER = _make_converter()


def _unstructure(obj: Any) -> Any:
    """An attrs object as a plain dict in field order, defaults left out."""
    if attrs.has(type(obj)):
        out: dict[str, Any] = {}
        for f in attrs.fields(type(obj)):
            value = getattr(obj, f.name)
            default = f.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if value == default and f.default is not attrs.NOTHING:
                continue
            out[f.name] = _unstructure(value)
        return out
    if isinstance(obj, timedelta):
        return F.format_duration(obj)
    if isinstance(obj, Mapping):
        return {k: _unstructure(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [_unstructure(v) for v in obj]
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
    full = _unstructure(journey)
    out: dict[str, Any] = {"cxgraph": FORMAT_VERSION}
    out["journey"] = {k: full[k] for k in JOURNEY_HEADER if k in full}
    for name in JOURNEY_LISTS:
        if name not in full:
            continue
        if name == "entries":
            out[name] = [e["step"] if set(e) == {"step"} else e for e in full[name]]
        else:
            out[name] = full[name]
    if journey.extensions:
        out["extensions"] = full["extensions"]
    return out


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
    raise_if(document_problems(data))
    flat: dict[str, Any] = dict(data["journey"])
    for name in JOURNEY_LISTS:
        if name in data:
            flat[name] = data[name]
    if "extensions" in data:
        flat["extensions"] = data["extensions"]
    return _CONVERTER.structure(flat, Journey)


# -- text -------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of keeping the last."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
    return out


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


def _parse_error(kind: str, message: str, line: int | None, column: int | None) -> Problem:
    where = f" at line {line}, column {column}" if line is not None else ""
    return Problem("$", "parse", f"invalid {kind}{where}: {message}")


def _reject_duplicate_json_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            msg = f"duplicate key {k!r}"
            raise ValueError(msg)
        out[k] = v
    return out


def _parse(text: str, fmt: Format) -> Any:
    if fmt == "json":
        try:
            return json.loads(text, object_pairs_hook=_reject_duplicate_json_keys)
        except json.JSONDecodeError as exc:
            raise JourneyValidationError(
                [_parse_error("JSON", exc.msg, exc.lineno, exc.colno)]
            ) from None
        except ValueError as exc:  # duplicate keys
            raise JourneyValidationError([_parse_error("JSON", str(exc), None, None)]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        msg = " ".join(filter(None, [exc.context, exc.problem])) or str(exc)
        raise JourneyValidationError([_parse_error("YAML", msg, line, col)]) from None
    except yaml.YAMLError as exc:
        raise JourneyValidationError([_parse_error("YAML", str(exc), None, None)]) from None


def _check_format(fmt: str) -> Format:
    if fmt not in FORMATS:
        msg = f"unknown format {fmt!r} (valid: 'json', 'yaml')"
        raise UnsupportedFormatError(msg)
    return fmt  # type: ignore[return-value]


def loads(text: str | bytes, format: str = "json") -> Journey:  # noqa: A002
    """Parse a journey from JSON or YAML text.

    Parameters
    ----------
    text
        The document; bytes must be UTF-8.
    format
        ``"json"`` (default) or ``"yaml"``.

    Returns
    -------
    Journey

    Raises
    ------
    JourneyValidationError
        For text that does not parse (with line and column), a duplicate key,
        a top level that is not a mapping, an unsupported ``cxgraph`` version,
        or any content problem; every problem is listed.
    UnsupportedFormatError
        For a format other than ``"json"`` or ``"yaml"``.

    Examples
    --------
    >>> j = loads('{"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}}')
    >>> j.id
    'j'
    >>> loads('{"cxgraph": "1.0", "journey": {"id": "j", "id": "k"}}')
    Traceback (most recent call last):
    ...
    cxgraph.errors.JourneyValidationError: 1 problem in the journey:
    $: invalid JSON: duplicate key 'id'
    """
    fmt = _check_format(format)
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JourneyValidationError(
                [
                    Problem(
                        "$",
                        "encoding",
                        f"the text is not UTF-8: byte 0x{exc.object[exc.start]:02x} at "
                        f"offset {exc.start} cannot be decoded; save the file as UTF-8",
                    )
                ]
            ) from None
    elif not isinstance(text, str):
        msg = f"loads() takes text (str or bytes), got {F.describe(text)}"
        raise TypeError(msg)
    return from_dict(_parse(text, fmt))


def dumps(journey: Journey, format: str = "json") -> str:  # noqa: A002
    """Write a journey as JSON (canonical) or YAML text, byte-stable.

    Examples
    --------
    >>> import cxgraph as cx
    >>> print(cx.dumps(cx.Journey(id="j", name="J")), end="")
    {
      "cxgraph": "1.0",
      "journey": {
        "id": "j",
        "name": "J"
      }
    }
    """
    fmt = _check_format(format)
    if not isinstance(journey, Journey):
        msg = f"dumps() takes a Journey, got {F.describe(journey)}"
        raise TypeError(msg)
    data = to_dict(journey)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


# -- files ------------------------------------------------------------------

JOURNEY_FILE_NAMES = ("journey.yaml", "journey.yml", "journey.json")


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """A journey file path; a folder stands for the ``journey.yaml`` (or .yml, .json) in it."""
    p = Path(path)
    if p.is_dir():
        for name in JOURNEY_FILE_NAMES:
            if (p / name).is_file():
                return p / name
        msg = f"{str(p)!r} is a folder with no {', '.join(JOURNEY_FILE_NAMES)} in it"
        raise FileNotFoundError(msg)
    return p


def format_for(path: str | os.PathLike[str], format: str | None = None) -> Format:  # noqa: A002
    """The format named, else the one the file's suffix implies."""
    if format is not None:
        return _check_format(format)
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        msg = (
            f"cannot tell the format of {os.fspath(path)!r} from its suffix {suffix!r}: "
            "use .json, .yaml or .yml, or pass format='json' or 'yaml'"
        )
        raise UnsupportedFormatError(msg)
    return SUFFIXES[suffix]


def load(path: str | os.PathLike[str], format: str | None = None) -> Journey:  # noqa: A002
    """Read a journey file; the format comes from the suffix unless given.

    A folder stands for the ``journey.yaml`` (or ``.yml``, ``.json``) inside it.

    Raises
    ------
    FileNotFoundError
        If there is no such file (not wrapped).
    JourneyValidationError
        For any problem in the file's content, every problem listed.
    UnsupportedFormatError
        If the format cannot be told from the suffix.

    Examples
    --------
    >>> import cxgraph as cx, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> cx.dump(cx.Journey(id="j", name="J"), d / "j.yaml")
    >>> cx.load(d / "j.yaml")
    <Journey 'j' (J): 0 steps, 0 edges>
    """
    p = resolve_path(path)
    fmt = format_for(p, format)
    return loads(p.read_bytes(), format=fmt)


def dump(journey: Journey, path: str | os.PathLike[str], format: str | None = None) -> None:  # noqa: A002
    """Write a journey file atomically; the format comes from the suffix unless given.

    The text is written to a temporary file beside the target and moved into
    place, so a failure never leaves a half-written file.

    Examples
    --------
    >>> import cxgraph as cx, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "j.json"
    >>> cx.dump(cx.Journey(id="j", name="J"), p)
    >>> p.read_text().splitlines()[1]
    '  "cxgraph": "1.0",'
    """
    p = Path(path)
    text = dumps(journey, format=format_for(p, format))
    write_atomic(p, text)


def write_atomic(path: Path, text: str) -> None:
    """Write text to a temporary file beside ``path``, then move it into place."""
    directory = path.parent if str(path.parent) else Path()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- schema -----------------------------------------------------------------


def schema() -> dict[str, Any]:
    """Return the JSON Schema (Draft 2020-12) of the journey file format.

    The schema checks shape (types, enums, required and unknown keys); the
    whole-journey rules (references, probability sums) are :func:`validate`'s.

    Examples
    --------
    >>> s = schema()
    >>> s["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    >>> sorted(s["required"])
    ['cxgraph', 'journey']
    """
    text = resources.files("cxgraph.schemas").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result
