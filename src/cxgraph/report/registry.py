"""The analysis registry: the built-in analyses ``analyze`` runs, and yours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cxgraph.model import fields as F
from cxgraph.model.classes import Journey

__all__ = ["register_analysis", "registered_analyses", "unregister_analysis"]

AnalysisFunc = Callable[[Journey], Any]
FuncT = TypeVar("FuncT", bound=AnalysisFunc)

#: How many paths ``analyze`` lists for ``branches`` (its exact count is kept).
REPORT_MAX_PATHS = 20


def _builtin() -> dict[str, AnalysisFunc]:
    """The built-in analyses, imported only when a report is made."""
    from cxgraph.analyses.boundary import decision_boundary
    from cxgraph.analyses.branches import branches
    from cxgraph.analyses.coverage import coverage
    from cxgraph.analyses.dimensions import dimensions
    from cxgraph.analyses.handoffs import unowned_handoffs
    from cxgraph.analyses.inventory import touchpoint_inventory
    from cxgraph.analyses.markov import markov
    from cxgraph.analyses.moments import moments_of_truth
    from cxgraph.analyses.silos import silo_boundaries
    from cxgraph.analyses.technology import technology
    from cxgraph.analyses.trust import trust_and_value
    from cxgraph.analyses.weakest import weakest_touchpoints

    return {
        "unowned_handoffs": unowned_handoffs,
        "silo_boundaries": silo_boundaries,
        "branches": lambda j: branches(j, max_paths=REPORT_MAX_PATHS),
        "dimensions": dimensions,
        "moments_of_truth": moments_of_truth,
        "weakest_touchpoints": weakest_touchpoints,
        "touchpoint_inventory": touchpoint_inventory,
        "coverage": coverage,
        "markov": markov,
        "trust_and_value": trust_and_value,
        "technology": technology,
        "decision_boundary": decision_boundary,
    }


BUILTIN_NAMES = (
    "unowned_handoffs",
    "silo_boundaries",
    "branches",
    "dimensions",
    "moments_of_truth",
    "weakest_touchpoints",
    "touchpoint_inventory",
    "coverage",
    "markov",
    "trust_and_value",
    "technology",
    "decision_boundary",
)

_CUSTOM: dict[str, AnalysisFunc] = {}


def registered_analyses() -> tuple[str, ...]:
    """The names ``analyze`` runs by default: built-in ones first, then yours.

    Examples
    --------
    >>> registered_analyses()[:3]
    ('unowned_handoffs', 'silo_boundaries', 'branches')
    """
    return (*BUILTIN_NAMES, *_CUSTOM)


def register_analysis(name: str, *, replace: bool = False) -> Callable[[FuncT], FuncT]:
    """Register a function ``journey -> result`` under ``name`` for :func:`analyze`.

    Parameters
    ----------
    name
        The analysis name (letters, digits and ``_ . : -``); a built-in name
        or one already registered is an error unless ``replace=True``
        (built-in names can never be replaced).
    replace
        Allow replacing an analysis you registered before.

    Returns
    -------
    callable
        A decorator that registers the function and returns it unchanged.

    Raises
    ------
    ValueError
        For an invalid name, a built-in name, or a name taken without ``replace``.

    Examples
    --------
    >>> @register_analysis("pain_count")
    ... def pain_count(journey):
    ...     return sum(len(t.pain_points) for t in journey.touchpoints)
    >>> "pain_count" in registered_analyses()
    True
    >>> register_analysis("branches")
    Traceback (most recent call last):
    ...
    ValueError: 'branches' is a built-in analysis; choose another name
    >>> unregister_analysis("pain_count")
    """
    if not isinstance(name, str) or F.Id().raw(name, "name"):
        msg = f"invalid analysis name {name!r}: use letters, digits and _ . : -"
        raise ValueError(msg)
    if name in BUILTIN_NAMES:
        msg = f"{name!r} is a built-in analysis; choose another name"
        raise ValueError(msg)
    if name in _CUSTOM and not replace:
        msg = f"an analysis named {name!r} is registered already; pass replace=True to replace it"
        raise ValueError(msg)

    def decorate(func: FuncT) -> FuncT:
        if not callable(func):
            msg = f"register_analysis({name!r}) decorates a function, got {type(func).__name__}"  # type: ignore[unreachable]
            raise TypeError(msg)
        _CUSTOM[name] = func
        return func

    return decorate


def unregister_analysis(name: str) -> None:
    """Remove an analysis you registered.

    Raises
    ------
    ValueError
        If no analysis of yours has this name.

    Examples
    --------
    >>> unregister_analysis("nope")
    Traceback (most recent call last):
    ...
    ValueError: no analysis of yours is named 'nope' (yours: none)
    """
    if name not in _CUSTOM:
        yours = ", ".join(repr(n) for n in _CUSTOM) or "none"
        msg = f"no analysis of yours is named {name!r} (yours: {yours})"
        raise ValueError(msg)
    del _CUSTOM[name]
