"""Errors in the words of the command line: flags and file names, never Python keywords."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TextIO

from cxgraph._util.text import plural

__all__ = ["_cli_words", "_columns_text", "_hint_outcomes", "_print_error"]

# -- errors, in the words of the command line ---------------------------------

#: The flag that sets what a keyword of the Python API sets. Library messages
#: advise keywords (``case='id'``); on the command line the advice is the flag.
_FLAGS: dict[str, str] = {
    "activity": "--activity",
    "case": "--case",
    "engine": "--engine",
    "lifecycle": "--lifecycle",
    "outcomes": "--outcome",
    "resource": "--resource",
    "start_timestamp": "--start-timestamp",
    "timestamp": "--timestamp",
}

#: The flag that asks for none, for a keyword set to None.
_NONE_FLAGS: dict[str, str] = {"timestamp": "--no-timestamp"}

# A keyword with its value (``case='id'``, ``timestamp=None``) or bare
# (``outcomes= maps ...``); not a word inside a quoted value (``'pay=win'``).
_KEYWORD = re.compile(
    r"(?<![\w'\"=-])(?P<name>[a-z][a-z_]*)="
    r"(?:(?P<value>None\b|'[^']*'|\"[^\"]*\")|(?=[\s,;:)]|$))",
    re.MULTILINE,
)

# A call that only shows its keyword: ``discover(..., engine='spark')``.
_CALL = re.compile(r"\b[a-z_]\w*\(\.\.\., (?P<keyword>(?P<name>[a-z_]+)=[^()]*)\)")

# UnsupportedFormatError's advice on a file suffix, which ends in ``format='json'``
# for the files the Python API can also be told the format of.
_SUFFIX = re.compile(
    r" from its suffix '[^']*': use (?P<suffixes>.+?)(?:, or pass format=.*)?$", re.MULTILINE
)

# A prefix a message may still carry (``_cmd_discover`` writes its own):
# ``main`` adds the prefix, so it is stripped first and never printed twice.
_PREFIX = re.compile(r"^cxgraph(?: [a-z]+)?: error: ")


def _flag(match: re.Match[str]) -> str:
    name, value = match["name"], match["value"]
    if value == "None":
        return _NONE_FLAGS.get(name, match[0])
    if name not in _FLAGS:
        return match[0]
    flag = _FLAGS[name]
    if value is None:
        return flag
    if value[1:-1] == "...":  # "name it with resource='...'": argparse's metavar
        return f"{flag} {flag[2:].replace('-', '_').upper()}"
    return f"{flag} {value}"


def _cli_words(text: str) -> str:
    """A library message with its advice in flags and file names, never Python keywords.

    Examples
    --------
    >>> _cli_words("case='id': no such column in the event log")
    "--case 'id': no such column in the event log"
    >>> _cli_words("no timestamp column: pass timestamp=None to keep the file order")
    'no timestamp column: pass --no-timestamp to keep the file order'
    >>> _cli_words(
    ...     "cannot tell the format of 'report.html' from its suffix '.html': "
    ...     "use .json, .yaml or .yml, or pass format='json' or 'yaml'"
    ... )
    "cannot tell the format of 'report.html': name the file with .json, .yaml or .yml"
    """
    text = _SUFFIX.sub(r": name the file with \g<suffixes>", text)
    text = _CALL.sub(lambda m: m["keyword"] if m["name"] in _FLAGS else m[0], text)
    return _KEYWORD.sub(_flag, text)


def _print_error(err: TextIO, prog: str, text: str) -> None:
    """Print ``PROG: error: ...``, one line per problem, each readable on its own."""
    for line in text.splitlines() or [""]:
        print(f"{prog}: error: {_cli_words(_PREFIX.sub('', line))}", file=err)


# -- what discover says on stderr ----------------------------------------------


def _columns_text(columns: Mapping[str, str | None]) -> str:
    """Which column was read for each role, for the line ``discover`` prints on stderr."""
    parts = [
        f"{role.replace('_', ' ')} {column!r}" if column is not None else f"no {role}"
        for role, column in columns.items()
    ]
    if columns.get("timestamp", "") is None:
        parts[list(columns).index("timestamp")] = "no timestamp (file order)"
    return ", ".join(parts)


def _hint_outcomes(ends: Sequence[tuple[int, str]], err: TextIO) -> None:
    """After discovery without --outcome: where cases end, and how to mark a success."""
    import shlex

    cases = sum(n for n, _ in ends)
    print(
        f"No --outcome given: the {plural(cases, 'case')} end at a generic 'End' exit, so the "
        "journey has no success outcome. Where they end:",
        file=err,
    )
    width = len(str(ends[0][0]))
    for n, name in ends[:10]:
        print(f"  {n:>{width}}  {name}", file=err)
    if len(ends) > 10:
        print(f"  ... and {len(ends) - 10} more", file=err)
    example = shlex.quote(f"{ends[0][1]}=success")
    print(
        f"Mark the activities that mean success (or failure, or exit) and run again, "
        f"adding for example: --outcome {example}",
        file=err,
    )
