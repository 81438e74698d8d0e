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
import stat
import tempfile
from pathlib import Path
from typing import Any, Literal

import yaml

from cxgraph._util.text import describe
from cxgraph.errors import CxgraphError, JourneyValidationError, Problem
from cxgraph.model.classes import (
    Journey,
)
from cxgraph.readwrite.converter import MAX_DEPTH, from_dict, to_dict

__all__ = ["UnsupportedFormatError", "dump", "dumps", "load", "loads"]

Format = Literal["json", "yaml"]
FORMATS: tuple[str, ...] = ("json", "yaml")
SUFFIXES: dict[str, Format] = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class UnsupportedFormatError(CxgraphError, ValueError):
    """A format name or file suffix that cxgraph does not read or write."""


# -- text -------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of keeping the last."""


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    # Keys written in the mapping itself may not repeat; keys brought in by a
    # ``<<`` merge may be overridden there, as YAML's merge rule says.
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)

_FastLoader: Any = None
if hasattr(yaml, "CSafeLoader"):

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """The same loader on libyaml's parser, when PyYAML was built with it."""

    _FastLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
        _construct_mapping,
    )


def _load_yaml(text: str) -> Any:
    """Parse YAML text: libyaml when present, the pure-Python parser otherwise or on error.

    libyaml reads about 15 times faster; the pure-Python parser's error
    messages are clearer, so a document that fails is parsed again for them.
    """
    if _FastLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLoader)
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in (exc.problem or ""):
                # The pure-Python parser would only recurse until it gives up.
                raise RecursionError(exc.problem) from None
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_StrictLoader)


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


def _duplicate_key_mark(text: str) -> tuple[int | None, int | None]:
    """Line and column of a duplicate key in JSON text, where they can be found.

    json's pairs hook sees no positions; JSON text is (nearly always) YAML too,
    and the strict YAML loader reports the duplicate with its mark.
    """
    try:
        yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if mark is not None and "duplicate key" in (exc.problem or ""):
            return mark.line + 1, mark.column + 1
    except yaml.YAMLError:
        pass
    return None, None


def _parse(text: str, fmt: Format) -> Any:
    if fmt == "json":
        try:
            return json.loads(text, object_pairs_hook=_reject_duplicate_json_keys)
        except json.JSONDecodeError as exc:
            why = exc.msg + (" (the document is empty)" if not text.strip() else "")
            raise JourneyValidationError(
                [_parse_error("JSON", why, exc.lineno, exc.colno)]
            ) from None
        except ValueError as exc:  # duplicate keys
            line, col = _duplicate_key_mark(text)
            raise JourneyValidationError([_parse_error("JSON", str(exc), line, col)]) from None
    try:
        return _load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        context = exc.context
        cm = exc.context_mark
        if context and cm is not None and mark is not None and cm.line != mark.line:
            # An unclosed bracket is found far from where it opened: say both.
            context += f" started at line {cm.line + 1}, column {cm.column + 1}"
        msg = ": ".join(filter(None, [context, exc.problem])) or str(exc)
        if "'\\t'" in msg:
            msg += " (indent with spaces: YAML does not allow tabs there)"
        raise JourneyValidationError([_parse_error("YAML", msg, line, col)]) from None
    except yaml.YAMLError as exc:
        raise JourneyValidationError([_parse_error("YAML", str(exc), None, None)]) from None


def _byte_position(data: bytes, offset: int) -> str:
    """Where a byte offset is, as line and column (columns count bytes)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    return f"line {line}, column {offset - line_start + 1}"


def _check_format(fmt: str) -> Format:
    if fmt not in FORMATS:
        msg = f"unknown format {fmt!r} (valid: 'json', 'yaml')"
        raise UnsupportedFormatError(msg)
    return fmt  # type: ignore[return-value]


def loads(text: str | bytes, format: str = "json") -> Journey:
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
    $: invalid JSON at line 1, column 43: duplicate key 'id'
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
                        f"{_byte_position(exc.object, exc.start)} cannot be decoded; "
                        "save the file as UTF-8",
                    )
                ]
            ) from None
    elif not isinstance(text, str):
        msg = f"loads() takes text (str or bytes), got {describe(text)}"  # type: ignore[unreachable]
        raise TypeError(msg)
    else:
        # Text read with encoding="utf-8" (not "utf-8-sig") keeps a BOM, which json refuses.
        text = text.removeprefix("\ufeff")
    try:
        data = _parse(text, fmt)
    except RecursionError:
        why = f"the document nests too deep to read; at most {MAX_DEPTH} levels are allowed"
        raise JourneyValidationError([_parse_error(fmt.upper(), why, None, None)]) from None
    return from_dict(data)


def dumps(journey: Journey, format: str = "json") -> str:
    """Write a journey as JSON (canonical) or YAML text, byte-stable.

    Keys come in the file format's field order, fields at their default are
    left out, the indent is 2 and the text ends in one newline.

    Raises
    ------
    UnsupportedFormatError
        For a format other than ``"json"`` or ``"yaml"``.
    TypeError
        If ``journey`` is not a Journey.

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
        msg = f"dumps() takes a Journey, got {describe(journey)}"  # type: ignore[unreachable]
        raise TypeError(msg)
    data = to_dict(journey)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


class _Dumper(yaml.SafeDumper):
    """The safe dumper, with strings that hold YAML line breaks double-quoted."""


# PyYAML writes NEL (U+0085) raw inside plain or single-quoted scalars, where a
# reader folds it away; double quotes escape it, so the text reads back the same.
_YAML_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if any(b in data for b in _YAML_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


# -- files ------------------------------------------------------------------

JOURNEY_FILE_NAMES = ("journey.yaml", "journey.yml", "journey.json")


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """A journey file path; a folder stands for the ``journey.yaml`` (or .yml, .json) in it."""
    p = Path(path)
    if p.is_dir():
        for name in JOURNEY_FILE_NAMES:
            if (p / name).is_file():
                return p / name
        names = ", ".join(JOURNEY_FILE_NAMES[:-1]) + " or " + JOURNEY_FILE_NAMES[-1]
        msg = f"{str(p)!r} is a folder with no {names} in it: give the journey file's path"
        raise FileNotFoundError(msg)
    return p


def format_for(path: str | os.PathLike[str], format: str | None = None) -> Format:
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


def load(path: str | os.PathLike[str], format: str | None = None) -> Journey:
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


def dump(journey: Journey, path: str | os.PathLike[str], format: str | None = None) -> None:
    """Write a journey file atomically; the format comes from the suffix unless given.

    The text is written to a temporary file beside the target and moved into
    place, so a failure never leaves a half-written file (nor the temporary
    one); the file gets the permissions it had, or those the umask gives.

    Raises
    ------
    UnsupportedFormatError
        If the format cannot be told from the suffix; nothing is written.
    OSError
        If the file cannot be written (not wrapped).

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


def file_mode(path: Path) -> int:
    """The permissions a plain ``open(path, "w")`` would leave: kept, else from the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write text to a temporary file beside ``path``, then move it into place."""
    directory = path.parent if str(path.parent) else Path()
    mode = file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        # Name the file the user asked for, not our temporary one.
        raise type(exc)(exc.errno, exc.strerror, os.fspath(path)) from None
    try:
        # mkstemp makes the file private (0600); give it the mode the file would have had.
        os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
