"""Run analyses together: ``analyze``, the ``Report`` it returns, and the registry.

``cx.analyze(journey)`` runs every registered analysis with its defaults
(except that ``branches`` lists at most 20 paths; its exact count is kept)
and returns a :class:`Report`, which renders as text (``str(report)``), JSON
(``{analysis: records}``), Markdown and HTML. ``@cx.register_analysis(name)``
adds an analysis of your own: any function ``journey -> result``; a result
with ``to_records()`` shows through its records, anything else through its
``repr``.

Examples
--------
>>> import cxgraph as cx
>>> @cx.register_analysis("step_count")
... def step_count(journey):
...     return len(journey.steps)
>>> j = cx.Journey(id="j", name="J", touchpoints=[cx.Touchpoint(id="a", name="A")])
>>> report = cx.analyze(j, analyses=["step_count"])
>>> report["step_count"]
1
>>> cx.unregister_analysis("step_count")
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from attrs import field, frozen

from cxgraph import _fields as F
from cxgraph.errors import CxgraphError
from cxgraph.model import Journey

__all__ = [
    "Report",
    "analyze",
    "register_analysis",
    "registered_analyses",
    "unregister_analysis",
]

AnalysisFunc = Callable[[Journey], Any]
FuncT = TypeVar("FuncT", bound=AnalysisFunc)

#: How many paths ``analyze`` lists for ``branches`` (its exact count is kept).
REPORT_MAX_PATHS = 20


def _builtin() -> dict[str, AnalysisFunc]:
    """The built-in analyses, imported only when a report is made."""
    from cxgraph import analyses as A

    return {
        "unowned_handoffs": A.unowned_handoffs,
        "silo_boundaries": A.silo_boundaries,
        "branches": lambda j: A.branches(j, max_paths=REPORT_MAX_PATHS),
        "dimensions": A.dimensions,
        "moments_of_truth": A.moments_of_truth,
        "weakest_touchpoints": A.weakest_touchpoints,
        "touchpoint_inventory": A.touchpoint_inventory,
        "coverage": A.coverage,
        "markov": A.markov,
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


def records_of(result: Any) -> list[dict[str, Any]]:
    """A result's records: its ``to_records()``, else its repr as one record."""
    to_records = getattr(result, "to_records", None)
    if callable(to_records):
        records = to_records()
        if isinstance(records, list):
            return records
    return [{"value": repr(result)}]


def _json_default(value: Any) -> Any:
    from cxgraph.analyses._base import plain

    converted = plain(value)
    if converted is value:
        return str(value)
    return converted


@frozen(kw_only=True, repr=False)
class Report:
    """The results of several analyses of one journey, in the order they ran.

    Index it by analysis name; iterate over ``(name, result)`` pairs.
    """

    journey: Journey
    results: Mapping[str, Any] = field()

    def __getitem__(self, name: str) -> Any:
        try:
            return self.results[name]
        except KeyError:
            known = ", ".join(repr(n) for n in self.results)
            msg = f"this report has no analysis {name!r} (it has: {known})"
            raise KeyError(msg) from None

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(self.results.items())

    def __len__(self) -> int:
        return len(self.results)

    @property
    def names(self) -> tuple[str, ...]:
        """The analyses in this report, in order."""
        return tuple(self.results)

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """``{analysis: records}``."""
        return {name: records_of(r) for name, r in self.results.items()}

    def to_json(self) -> str:
        """The report as JSON text: ``{analysis: records}``, stable key order."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=_json_default)

    def to_csv(self, name: str) -> str:
        """One analysis's records as CSV text (tuples joined with ``;``)."""
        rows = records_of(self[name])
        buf = io.StringIO()
        columns: list[str] = []
        for r in rows:
            columns += [k for k in r if k not in columns]
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: _csv_cell(v) for k, v in r.items()})
        return buf.getvalue()

    def _sections(self) -> Iterator[tuple[str, str, list[str]]]:
        """(title, summary, lines) per analysis, in plain words."""
        from cxgraph._display import findings_of

        for name, result in self.results.items():
            _, summary, lines, _ = findings_of(result, None)
            # A custom result without a title of its own is known by its analysis name.
            yield str(getattr(result, "title", None) or name), summary, lines

    def __str__(self) -> str:
        head = f"Report on journey {self.journey.id!r} ({self.journey.name})"
        out = [head, "=" * len(head)]
        for title, summary, lines in self._sections():
            out += ["", title, "-" * len(title), summary, *("  - " + x for x in lines)]
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """The report as Markdown: a heading per analysis, findings as a list."""
        out = [f"# Report on journey `{self.journey.id}` ({_md(self.journey.name)})"]
        for title, summary, lines in self._sections():
            out += ["", f"## {_md(title)}", "", _md(summary)]
            if lines:
                out.append("")
                out += [f"- {_md(x)}" for x in lines]
        return "\n".join(out) + "\n"

    def __repr__(self) -> str:
        return (
            f"<Report on {self.journey.id!r}: {len(self.results)} analyses "
            f"({', '.join(self.results)})>"
        )

    def _repr_html_(self) -> str:
        # Light for a notebook: the first findings per analysis, no plots (see to_html).
        from cxgraph._display import report_html

        return report_html(self)

    def to_html(self, *, plots: bool = True) -> str:
        """The report as one self-contained HTML page (see ``cxgraph report``).

        A header, a summary band, the plots as inline SVG (``plots=False``
        leaves them out), every analysis in plain words, and a footer: inline
        CSS, no JavaScript, nothing fetched, every user string escaped; the
        same report gives the same bytes.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="Tea & cake")
        >>> page = cx.analyze(j, analyses=["coverage"]).to_html(plots=False)
        >>> page.startswith("<!DOCTYPE html>"), "Tea &amp; cake" in page
        (True, True)
        """
        from cxgraph._html import report_page

        return report_page(self, plots=plots)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    return "" if value is None else value


def analyze(journey: Journey, analyses: Sequence[str] | None = None) -> Report:
    """Run analyses on a journey and collect their results in a :class:`Report`.

    Parameters
    ----------
    journey
        The journey to analyse.
    analyses
        Names to run, in this order; default every registered analysis
        (see :func:`registered_analyses`).

    Returns
    -------
    Report

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        For an unknown analysis name (the message lists the valid ones).
    CxgraphError
        When a custom analysis fails (the message names it and the cause).

    Examples
    --------
    >>> import cxgraph as cx
    >>> cx.analyze(cx.Journey(id="j", name="J"), analyses=["nope"])
    Traceback (most recent call last):
    ...
    ValueError: unknown analysis 'nope' (valid: 'unowned_handoffs', 'silo_boundaries', 'branches', 'dimensions', 'moments_of_truth', 'weakest_touchpoints', 'touchpoint_inventory', 'coverage', 'markov')
    """  # noqa: E501
    from cxgraph._cache import shared_cache

    if not isinstance(journey, Journey):
        msg = f"analyze() takes a Journey, got {F.describe(journey)}"  # type: ignore[unreachable]
        raise TypeError(msg)
    names = list(registered_analyses() if analyses is None else analyses)
    if isinstance(analyses, str):
        names = [analyses]
    valid = registered_analyses()
    for n in names:
        if n not in valid:
            msg = f"unknown analysis {n!r} {F.choices_text(str(n), valid, word='valid')}"
            raise ValueError(msg)
    builtin = _builtin() if any(n in BUILTIN_NAMES for n in names) else {}
    results: dict[str, Any] = {}
    with shared_cache():
        for n in dict.fromkeys(names):
            func = builtin[n] if n in builtin else _CUSTOM[n]
            if n in builtin:
                results[n] = func(journey)
                continue
            try:
                results[n] = func(journey)
            except CxgraphError:
                raise
            except Exception as exc:
                msg = f"custom analysis {n!r} failed: {type(exc).__name__}: {exc}"
                raise CxgraphError(msg) from exc
    return Report(journey=journey, results=results)
