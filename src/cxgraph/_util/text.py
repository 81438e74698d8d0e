"""Words for messages and ids: describe a value, list the choices, make slugs and unique ids."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, time

__all__ = ["slug", "unique_ids"]


def describe(value: object) -> str:
    """Name a value's type and show it briefly, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"string {text!r}"
    if isinstance(value, date | time):
        return f"{type(value).__name__} {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return article(type(value).__name__)


def article(noun: str) -> str:
    """The noun with "a" or "an" in front, for messages ("an Entry", "a Touchpoint")."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def choices_text(value: str, choices: Sequence[str], *, word: str = "known") -> str:
    """List the valid choices: all of them up to 20, else the closest few."""
    if not choices:
        return "(none are defined)"
    if len(choices) <= 20:
        return "(" + word + ": " + ", ".join(repr(c) for c in choices) + ")"
    close = closest(value, choices, n=5, cutoff=0.5)
    if close:
        listed = ", ".join(repr(c) for c in close)
        return f"(closest: {listed}; {len(choices)} in all)"
    return f"({len(choices)} in all; none is close)"


def closest(value: str, choices: Sequence[str], *, n: int, cutoff: float) -> list[str]:
    """The ``n`` choices most like ``value``, best first, ties in sorted order.

    ``difflib.get_close_matches`` breaks ties by reverse string order, which
    lists ``'s21'`` before ``'s01'`` for ``'s1'``; sorting ties keeps the
    suggestions readable. A choice that starts with the value ranks first.

    Examples
    --------
    >>> closest("s1", ["s21", "s01", "s10", "x"], n=2, cutoff=0.5)
    ['s01', 's10']
    >>> closest("desc", ["name", "description"], n=1, cutoff=0.7)
    ['description']
    """
    scored = []
    for c in dict.fromkeys(choices):
        ratio = difflib.SequenceMatcher(None, value, c).ratio()
        prefix = len(value) >= 3 and c.startswith(value)
        if prefix or ratio >= cutoff:
            scored.append((not prefix, -ratio, c))
    return [c for *_, c in sorted(scored)[:n]]


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, *, empty: str = "step") -> str:
    """The slug of a name: lower case, each run of characters other than ``a-z0-9``
    becomes ``-``, ``-`` trimmed at both ends; ``empty`` if nothing is left.

    Examples
    --------
    >>> slug("Register request"), slug("  Pay (online) "), slug("Überprüfung"), slug("!?")
    ('register-request', 'pay-online', 'berpr-fung', 'step')
    """
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or empty


def unique_ids(
    names: Iterable[str], *, reserved: Collection[str] = (), empty: str = "step"
) -> list[str]:
    """Slugs of the names in order; a clash gets ``-2``, ``-3`` (in that order).

    A reserved id is never given out: a name whose slug is reserved gets ``-2``.
    A name with no letter or digit is ``empty`` (see :func:`slug`).

    Examples
    --------
    >>> unique_ids(["Pay", "pay", "PAY!", "End"], reserved={"end"})
    ['pay', 'pay-2', 'pay-3', 'end-2']
    """
    taken = set(reserved)
    out: list[str] = []
    for name in names:
        base = slug(name, empty=empty)
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}-{k}", k + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def plural(n: int, word: str, plural: str | None = None) -> str:
    """A count and its noun: ``1 step``, ``2 steps``, ``1,200 analyses``.

    Examples
    --------
    >>> plural(1, "step"), plural(1200, "analysis", "analyses")
    ('1 step', '1,200 analyses')
    """
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
