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

import errno
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml

from cxgraph._util.text import describe
from cxgraph.errors import CxgraphError, JourneyValidationError, Problem
from cxgraph.model.classes import (
    Journey,
)
from cxgraph.model.validation import raise_if, value_problems
from cxgraph.readwrite._yaml import MAX_NUMBER_LENGTH, StrictLoader, load_yaml, too_long
from cxgraph.readwrite.converter import MAX_DEPTH, from_dict, to_dict

__all__ = ["FileTooLargeError", "UnsupportedFormatError", "dump", "dumps", "load", "loads"]

Format = Literal["json", "yaml"]
FORMATS: tuple[str, ...] = ("json", "yaml")
SUFFIXES: dict[str, Format] = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


#: The largest journey file :func:`load` reads, in bytes (64 MiB), unless told otherwise
#: with ``load(..., max_bytes=...)`` or the environment variable ``CXGRAPH_MAX_FILE_BYTES``.
MAX_FILE_BYTES = 64 * 2**20
MAX_FILE_BYTES_VARIABLE = "CXGRAPH_MAX_FILE_BYTES"


class UnsupportedFormatError(CxgraphError, ValueError):
    """A format name or file suffix that cxgraph does not read or write."""


class FileTooLargeError(CxgraphError, ValueError):
    """A journey file over the size limit, or a size limit that is not a number of bytes."""


# -- text -------------------------------------------------------------------


def _parse_error(kind: str, message: str, line: int | None, column: int | None) -> Problem:
    where = f" at line {line}, column {column}" if line is not None else ""
    return Problem("$", "parse", f"invalid {kind}{where}: {message}")


class _DuplicateKeyError(ValueError):
    pass


class _NumberTooLongError(ValueError):
    pass


def _reject_duplicate_json_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            msg = f"duplicate key {k!r}"
            raise _DuplicateKeyError(msg)
        out[k] = v
    return out


def _json_number(read: Callable[[str], Any]) -> Callable[[str], Any]:
    """A json number hook that refuses a literal longer than :data:`MAX_NUMBER_LENGTH`."""

    def run(literal: str) -> Any:
        if len(literal) > MAX_NUMBER_LENGTH:
            raise _NumberTooLongError(literal)
        return read(literal)

    return run


_JSON_INT, _JSON_FLOAT = _json_number(int), _json_number(float)


def _duplicate_key_mark(text: str) -> tuple[int | None, int | None]:
    """Line and column of a duplicate key in JSON text, where they can be found.

    json's pairs hook sees no positions; JSON text is (nearly always) YAML too,
    and the strict YAML loader reports the duplicate with its mark.
    """
    try:
        yaml.load(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if mark is not None and "duplicate key" in (exc.problem or ""):
            return mark.line + 1, mark.column + 1
    except yaml.YAMLError:
        pass
    return None, None


def _text_position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (both from 1) of a character offset in text."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _parse(text: str, fmt: Format) -> Any:
    if fmt == "json":
        try:
            return json.loads(
                text,
                object_pairs_hook=_reject_duplicate_json_keys,
                parse_int=_JSON_INT,
                parse_float=_JSON_FLOAT,
            )
        except json.JSONDecodeError as exc:
            why = exc.msg + (" (the document is empty)" if not text.strip() else "")
            raise JourneyValidationError(
                [_parse_error("JSON", why, exc.lineno, exc.colno)]
            ) from None
        except _NumberTooLongError as exc:
            where = _text_position(text, text.find(str(exc)))
            why = too_long(len(str(exc)))
            raise JourneyValidationError([_parse_error("JSON", why, *where)]) from None
        except _DuplicateKeyError as exc:
            line, col = _duplicate_key_mark(text)
            raise JourneyValidationError([_parse_error("JSON", str(exc), line, col)]) from None
    try:
        return load_yaml(text)
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


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _check_encodable(text: str) -> None:
    """Refuse text holding a lone surrogate: no file can hold it, and libyaml would crash on it."""
    m = None if text.isascii() else _SURROGATE_RE.search(text)
    if m is not None:
        line, col = _text_position(text, m.start())
        msg = (
            f"the text holds a lone surrogate U+{ord(m[0]):04X} at line {line}, column {col}, "
            "which is not a character and cannot be written as UTF-8: remove it"
        )
        raise JourneyValidationError([Problem("$", "encoding", msg)])


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
        _check_encodable(text)
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
    JourneyValidationError
        If a value cannot be written: text with a lone surrogate (which UTF-8
        cannot encode) or an integer too large for a 64-bit float.
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
    # A journey built in Python may hold text UTF-8 cannot encode (a lone surrogate):
    # say where, rather than fail while writing.
    raise_if(value_problems(data))
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
            if (p / name).exists():  # not is_file(): a FIFO is refused by name, not skipped
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


def load(
    path: str | os.PathLike[str], format: str | None = None, *, max_bytes: int | None = None
) -> Journey:
    """Read a journey file; the format comes from the suffix unless given.

    A folder stands for the ``journey.yaml`` (or ``.yml``, ``.json``) inside it.
    Only a regular file is read (a FIFO or a device such as ``/dev/zero`` is
    refused before it is opened), and at most ``max_bytes`` of it.

    Parameters
    ----------
    path
        The file, or a folder holding one.
    format
        ``"json"`` or ``"yaml"``; by default, from the suffix.
    max_bytes
        The largest file to read; by default the environment variable
        ``CXGRAPH_MAX_FILE_BYTES``, else :data:`MAX_FILE_BYTES` (64 MiB).

    Raises
    ------
    FileNotFoundError
        If there is no such file (not wrapped).
    OSError
        If the file cannot be read, or is not a regular file.
    FileTooLargeError
        If the file is larger than the limit (the message says how to raise
        it), or the limit is not a positive number of bytes.
    JourneyValidationError
        For any problem in the file's content, every problem listed; the
        message names the file.
    UnsupportedFormatError
        If the format cannot be told from the suffix.

    Examples
    --------
    >>> import cxgraph as cx, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> cx.dump(cx.Journey(id="j", name="J"), d / "j.yaml")
    >>> cx.load(d / "j.yaml")
    <Journey 'j' (J): 0 steps, 0 edges>
    >>> cx.load(d / "j.yaml", max_bytes=10)
    Traceback (most recent call last):
    ...
    cxgraph.readwrite.files.FileTooLargeError: '...j.yaml' is 42 bytes, more than the limit of 10 bytes for a journey file: to read it, set the environment variable CXGRAPH_MAX_FILE_BYTES to a larger number of bytes, or pass max_bytes to load()
    """  # noqa: E501
    p = resolve_path(path)
    fmt = format_for(p, format)
    data = read_bounded(p, size_limit(max_bytes))
    try:
        return loads(data, format=fmt)
    except JourneyValidationError as exc:
        named = JourneyValidationError(exc.errors)
        head = f" in the journey file {os.fspath(p)!r}:"
        named.args = (str(named).replace(" in the journey:", head, 1),)
        raise named from None


def size_limit(max_bytes: int | None) -> int:
    """The size limit asked for, else the environment's, else :data:`MAX_FILE_BYTES`."""
    if max_bytes is not None:
        given, source = max_bytes, "max_bytes"
    else:
        text = os.environ.get(MAX_FILE_BYTES_VARIABLE, "").strip()
        if not text:
            return MAX_FILE_BYTES
        source = f"the environment variable {MAX_FILE_BYTES_VARIABLE}"
        try:
            given = int(text)
        except ValueError:
            given = -1
    if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
        msg = (
            f"{source} must be a whole number of bytes above 0, such as {2 * MAX_FILE_BYTES} "
            f"for 128 MiB; got {given if max_bytes is not None else text!r}"
        )
        raise FileTooLargeError(msg)
    return given


#: What each kind of file that is not a regular one is, for the message refusing it.
_FILE_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def _not_regular(path: Path, mode: int) -> OSError:
    kind = next((what for test, what in _FILE_KINDS if test(mode)), "not a regular file")
    target = f" (it leads to {os.path.realpath(path)!r})" if path.is_symlink() else ""
    why = f"it is {kind}{target}, not a regular file: give the journey file itself"
    return OSError(errno.EINVAL, why, os.fspath(path))


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    A FIFO or a device is refused before it is opened (reading ``/dev/zero``
    never ends, opening a FIFO waits for a writer). The read itself stops
    after ``limit`` bytes, so a file that grows meanwhile is still refused.
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(path, st.st_mode)
    if st.st_size > limit:
        raise _too_large(path, limit, st.st_size)
    # O_NONBLOCK: were the file swapped for a FIFO since, opening it would not wait.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _too_large(path, limit, None)
    return data


def _too_large(path: Path, limit: int, size: int | None) -> FileTooLargeError:
    shown = f"{limit:,} bytes"
    if limit % 2**20 == 0:
        shown = f"{limit // 2**20} MiB ({shown})"
    what = f"is {size:,} bytes," if size is not None else "has grown"
    msg = (
        f"{os.fspath(path)!r} {what} more than the limit of {shown} for a journey file: to "
        f"read it, set the environment variable {MAX_FILE_BYTES_VARIABLE} to a larger number "
        "of bytes, or pass max_bytes to load()"
    )
    return FileTooLargeError(msg)


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
        If the file cannot be written; it names ``path``, never the temporary
        file (``IsADirectoryError`` if ``path`` is a folder).
    JourneyValidationError
        If a value cannot be written (see :func:`dumps`); nothing is written.

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
    """Write text to a temporary file beside ``path``, then move it into place.

    On any failure, an interrupt included, the temporary file is removed and
    the error names ``path`` (never the temporary file); a folder at ``path``
    is refused before anything is written.
    """
    data = text.encode("utf-8")  # before any file exists: text UTF-8 cannot hold leaves nothing
    write_atomic_bytes(path, data)


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write bytes as :func:`write_atomic` writes text: whole, or not at all."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder", os.fspath(path))
    directory = path.parent if str(path.parent) else Path()
    mode = file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        named = _naming(exc, path)
        if named is exc:
            raise
        raise named from None
    try:
        try:
            # mkstemp makes the file private (0600); give it the mode the file would have had.
            os.chmod(tmp, mode)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            named = _naming(exc, path)
            if named is exc:
                raise
            raise named from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error, naming the file the user asked for rather than our temporary one."""
    if exc.errno is None:  # no errno to carry over: keep it as it is
        return exc
    return type(exc)(exc.errno, exc.strerror, os.fspath(path))
