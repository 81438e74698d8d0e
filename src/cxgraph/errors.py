"""Errors and warnings raised by cxgraph.

Every error derives from :class:`CxgraphError` and from the matching builtin,
so callers can catch either (``except ValueError`` still works).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attrs import field, frozen

__all__ = [
    "CxgraphError",
    "CxgraphWarning",
    "JourneyValidationError",
    "Problem",
    "RulesError",
]


# -- bounded echoes ------------------------------------------------------------
#
# A name or id of ten megabytes must not come back as an error of twenty: every
# error, problem and warning cxgraph makes goes through ``bounded``, which
# shortens each quoted value (a Python repr, '...' or "...") longer than
# QUOTED_CHARS to its start, an ellipsis and its length, and cuts what is still
# longer than MESSAGE_CHARS. The data keeps the full text.

#: The most characters of one quoted value a message shows.
QUOTED_CHARS = 120
#: The most characters a message has in all.
MESSAGE_CHARS = 20_000

# A quoted value as repr() writes it: quotes, escapes inside; the loop is unrolled
# (runs of plain characters, then one escape) so a megabyte scans in milliseconds.
_QUOTED = re.compile(r"""'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*\"""")


def shortened(text: str, limit: int = QUOTED_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, or as it is.

    Examples
    --------
    >>> shortened("abcdef", 4)
    'abc…'
    >>> shortened("abc", 4)
    'abc'
    """
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "\u2026"


def bounded(message: str) -> str:
    """A message with every long quoted value shortened, and at most MESSAGE_CHARS long.

    Examples
    --------
    >>> text = bounded("invalid id '" + "x" * 1000 + "': use letters")
    >>> len(text), text[-40:]
    (145, "xxxxxx…' (1,002 characters): use letters")
    >>> bounded("short 'ok'")
    "short 'ok'"
    """
    if len(message) <= QUOTED_CHARS:
        return message

    def cut(match: re.Match[str]) -> str:
        quoted = match[0]
        if len(quoted) <= QUOTED_CHARS:
            return quoted
        q = quoted[0]
        return f"{q}{quoted[1 : QUOTED_CHARS - 20]}\u2026{q} ({len(quoted):,} characters)"

    out = _QUOTED.sub(cut, message)
    if len(out) > MESSAGE_CHARS:
        out = out[: MESSAGE_CHARS - 40] + f"\u2026 (message cut at {MESSAGE_CHARS:,} characters)"
    return out


class CxgraphError(Exception):
    """Root of every error cxgraph raises on purpose.

    Its message quotes at most a few hundred characters of any value
    (:func:`bounded`): a huge name is echoed shortened.
    """

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (bounded(args[0]), *args[1:])
        super().__init__(*args)


class CxgraphWarning(UserWarning):
    """A warning from cxgraph: legal but suspicious input (its message bounded too)."""

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (bounded(args[0]), *args[1:])
        super().__init__(*args)


@frozen
class Problem:
    """One problem found in a journey or a journey file.

    Parameters
    ----------
    path
        Where the problem is, as a JSONPath-like string rooted at ``$``
        (``$.touchpoints[3].owner``).
    code
        A stable, machine-readable code (see the table in the docs).
    message
        What is wrong, what was expected and what arrived.

    Examples
    --------
    >>> str(Problem("$.journey.id", "required", "missing required field 'id'"))
    "$.journey.id: missing required field 'id'"
    """

    path: str = field(converter=bounded)
    code: str
    message: str = field(converter=bounded)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class JourneyValidationError(CxgraphError, ValueError):
    """A journey, or the text of a journey file, is not valid.

    ``errors`` holds every :class:`Problem` found, in document order; the
    message lists them one per line.

    Examples
    --------
    >>> err = JourneyValidationError([Problem("$", "type", "expected a mapping, got a list")])
    >>> print(err)
    1 problem in the journey:
    $: expected a mapping, got a list
    >>> err.errors[0].code
    'type'
    """

    def __init__(self, errors: Iterable[Problem]) -> None:
        self.errors: tuple[Problem, ...] = tuple(errors)
        n = len(self.errors)
        head = f"{n} problem{'s' if n != 1 else ''} in the journey:"
        super().__init__("\n".join([head, *(str(p) for p in self.errors)]))

    def __reduce__(self) -> tuple[type[JourneyValidationError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.errors,))


class RulesError(CxgraphError, ValueError):
    """A rules file (or mapping) for :func:`~cxgraph.report.rules.check` is not valid.

    ``errors`` holds every :class:`Problem` found, in document order, each
    with its path (``$.rules[2].where.kind``); ``source`` names the rules
    file, or is None for rules given as a mapping. The message lists the
    problems one per line.

    Examples
    --------
    >>> err = RulesError([Problem("$.rules", "required", "missing required key 'rules'")])
    >>> print(err)
    1 problem in the rules:
    $.rules: missing required key 'rules'
    >>> print(RulesError(err.errors, "ci/rules.yaml").args[0].splitlines()[0])
    1 problem in the rules file 'ci/rules.yaml':
    """

    def __init__(self, errors: Iterable[Problem], source: str | None = None) -> None:
        self.errors: tuple[Problem, ...] = tuple(errors)
        self.source = source
        n = len(self.errors)
        where = "the rules" if source is None else f"the rules file {source!r}"
        head = f"{n} problem{'s' if n != 1 else ''} in {where}:"
        super().__init__("\n".join([head, *(str(p) for p in self.errors)]))

    def __reduce__(self) -> tuple[type[RulesError], tuple[tuple[Problem, ...], str | None]]:
        return (type(self), (self.errors, self.source))
