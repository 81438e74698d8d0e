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

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from cxgraph._util.escape import csv_text, markdown_text
from cxgraph._util.results import findings_of, plain, records_of
from cxgraph._util.text import choices_text, describe
from cxgraph.errors import QUOTED_CHARS, CxgraphError, bounded
from cxgraph.model.classes import Journey
from cxgraph.report.registry import _CUSTOM, BUILTIN_NAMES, _builtin, registered_analyses

__all__ = ["Report", "analyze"]


def _json_default(value: Any) -> Any:

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
    #: The persona the journey was sliced for (``analyze(..., persona=)``), or None.
    persona: str | None = None

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
        """One analysis's records as CSV text (tuples joined with ``;``).

        Safe to open in a spreadsheet: a text cell that starts with ``=``,
        ``+``, ``-``, ``@``, a tab or a line break (a step named ``=1+1``, an
        id ``-2-3``) gets a single quote in front, so that no spreadsheet
        reads it as a formula, as does a part after a ``;`` or a tab (where a
        spreadsheet splitting on those starts a cell); a text cell holding
        ``,``, ``;``, ``"`` or a line break is quoted (OWASP's advice on CSV
        injection). Numbers are written as they are (``-0.5``). See
        :func:`cxgraph._util.escape.csv_text`.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="J", touchpoints=[cx.Touchpoint(id="-2-3", name="A")])
        >>> report = cx.analyze(j, analyses=["touchpoint_inventory"])
        >>> print(report.to_csv("touchpoint_inventory"), end="")
        step,phase,owner,silo,channel,lane,personas,systems,data,content,metrics
        '-2-3,,,,,frontstage,,,,,
        """
        rows = records_of(self[name])
        columns: list[str] = []
        for r in rows:
            columns += [k for k in r if k not in columns]
        return csv_text(columns, ([r.get(c) for c in columns] for r in rows))

    def _sections(self) -> Iterator[tuple[str, str, list[str]]]:
        """(title, summary, lines) per analysis, in plain words."""

        for name, result in self.results.items():
            _, summary, lines, _ = findings_of(result, None)
            # A custom result without a title of its own is known by its analysis name.
            # Words echo names: a long one is shown shortened (bounded), the data keeps it.
            title = str(getattr(result, "title", None) or name)
            yield title, bounded(summary), [bounded(line) for line in lines]

    def _head(self) -> str:
        name = self.journey.name
        if len(name) > QUOTED_CHARS:
            name = name[: QUOTED_CHARS - 1] + "\u2026"
        who = f", for persona {self.persona!r}" if self.persona is not None else ""
        return bounded(f"Report on journey {self.journey.id!r} ({name}){who}")

    def __str__(self) -> str:
        head = self._head()
        out = [head, "=" * len(head)]
        for title, summary, lines in self._sections():
            out += ["", title, "-" * len(title), summary, *("  - " + x for x in lines)]
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """The report as Markdown: a heading per analysis, findings as a list.

        Every line of words goes through :func:`cxgraph._util.escape.markdown_text`,
        so a name such as ``[x](javascript:alert(1))``, ``<script>`` or
        ``a | b`` renders as those very characters: no link, image, HTML,
        emphasis or table cell comes out of a user string.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="![x](http://evil/img) <b>")
        >>> print(cx.analyze(j, analyses=[]).to_markdown(), end="")
        # Report on journey 'j' \\(\\!\\[x\\]\\(http://evil/img\\) &lt;b&gt;\\)
        """
        out = [f"# {markdown_text(self._head())}"]
        for title, summary, lines in self._sections():
            out += ["", f"## {markdown_text(title)}", "", markdown_text(summary)]
            if lines:
                out.append("")
                out += [f"- {markdown_text(x)}" for x in lines]
        return "\n".join(out) + "\n"

    def __repr__(self) -> str:
        return (
            f"<Report on {self.journey.id!r}: {len(self.results)} analyses "
            f"({', '.join(self.results)})>"
        )

    def _repr_html_(self) -> str:
        # Light for a notebook: the first findings per analysis, no plots (see to_html).
        from cxgraph.report.views import report_html

        return report_html(self)

    def to_html(
        self, *, plots: bool = True, baseline: Journey | None = None, paths: Any = None
    ) -> str:
        """The report as one self-contained HTML page (see ``cxgraph report``).

        A header, a summary band, the plots as inline SVG (``plots=False``
        leaves them out), every analysis in plain words, and a footer: inline
        CSS, no JavaScript, nothing fetched, every user string escaped; the
        same report gives the same bytes. With ``baseline`` (an earlier
        version of the journey) the page opens with what changed since it,
        and the journey graph marks the steps and edges added or changed.
        With ``paths`` (the :class:`~cxgraph.PathData` the journey was made
        from with ``to_journey()``) it opens with their attribution, the
        models side by side as a table and a bar chart.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="Tea & cake")
        >>> page = cx.analyze(j, analyses=["coverage"]).to_html(plots=False)
        >>> page.startswith("<!DOCTYPE html>"), "Tea &amp; cake" in page
        (True, True)
        """
        from cxgraph.report.page import report_page

        return report_page(self, plots=plots, baseline=baseline, paths=paths)


def analyze(
    journey: Journey, analyses: Sequence[str] | None = None, *, persona: str | None = None
) -> Report:
    """Run analyses on a journey and collect their results in a :class:`Report`.

    Parameters
    ----------
    journey
        The journey to analyse.
    analyses
        Names to run, in this order; default every registered analysis
        (see :func:`registered_analyses`).
    persona
        Analyse the journey this persona travels (:func:`~cxgraph.for_persona`:
        its steps, the edges between them, probabilities renormalised).

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
        When a custom analysis fails (the message names it and the cause), or
        for an unknown ``persona`` (the message lists the personas).

    Examples
    --------
    >>> import cxgraph as cx
    >>> cx.analyze(cx.Journey(id="j", name="J"), analyses=["nope"])
    Traceback (most recent call last):
    ...
    ValueError: unknown analysis 'nope' (valid: 'unowned_handoffs', 'silo_boundaries', 'branches', 'dimensions', 'moments_of_truth', 'weakest_touchpoints', 'touchpoint_inventory', 'coverage', 'markov', 'trust_and_value', 'technology', 'decision_boundary')
    """  # noqa: E501
    from cxgraph._util.cache import frozen_between, paused_gc, shared_cache

    if not isinstance(journey, Journey):
        msg = f"analyze() takes a Journey, got {describe(journey)}"  # type: ignore[unreachable]
        raise TypeError(msg)
    names = list(registered_analyses() if analyses is None else analyses)
    if isinstance(analyses, str):
        names = [analyses]
    valid = registered_analyses()
    for n in names:
        if n not in valid:
            msg = f"unknown analysis {n!r} {choices_text(str(n), valid, word='valid')}"
            raise ValueError(msg)
    if persona is not None:
        journey = _slice(journey, persona)
    builtin = _builtin() if any(n in BUILTIN_NAMES for n in names) else {}
    results: dict[str, Any] = {}
    with shared_cache(), frozen_between() as freeze:
        for n in dict.fromkeys(names):
            func = builtin[n] if n in builtin else _CUSTOM[n]
            if n in builtin:
                with paused_gc(freeze=freeze):
                    results[n] = func(journey)
                continue
            try:
                results[n] = func(journey)
            except CxgraphError:
                raise
            except Exception as exc:
                msg = f"custom analysis {n!r} failed: {type(exc).__name__}: {exc}"
                raise CxgraphError(msg) from exc
    return Report(journey=journey, results=results, persona=persona)


def _slice(journey: Journey, persona: str) -> Journey:
    """The journey ``persona`` travels; an unknown persona names the known ones."""
    from cxgraph.changes.edits import for_persona

    known = [p.id for p in journey.personas]
    if persona not in known:
        msg = f"unknown persona {persona!r} {choices_text(str(persona), known, word='personas')}"
        raise CxgraphError(msg)
    return for_persona(journey, persona)
