"""Errors and warnings raised by cxgraph.

Every error derives from :class:`CxgraphError` and from the matching builtin,
so callers can catch either (``except ValueError`` still works).
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

__all__ = [
    "CxgraphError",
    "CxgraphWarning",
    "JourneyValidationError",
    "Problem",
]


class CxgraphError(Exception):
    """Root of every error cxgraph raises on purpose."""


class CxgraphWarning(UserWarning):
    """A warning from cxgraph: legal but suspicious input."""


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

    path: str
    code: str
    message: str

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
