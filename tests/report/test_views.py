"""The Jupyter views: Journey, Report and analysis results as HTML.

Every view escapes user strings, uses inline CSS only, holds no JavaScript,
shows its text in a ``<pre>`` when it cannot render, and never raises.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
from attrs import frozen
from tests._html_check import HOSTILE, assert_balanced, hostile_journey

import cxgraph as cx
import cxgraph.model.views
from cxgraph._util.html import safe_html, safe_text
from cxgraph.analyses.results import SHOW, AnalysisResult
from cxgraph.report.views import REPORT_SHOW

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def assert_safe(text: str) -> None:
    """No script, no style sheet, no raw hostile markup, balanced tags."""
    assert "<script" not in text.lower()
    assert "<style" not in text.lower()
    assert "</td><!--" not in text
    assert_balanced(text, only_style=True)


@frozen(kw_only=True, repr=False)
class _Finding:
    step: str


@frozen(kw_only=True, repr=False)
class Broken(AnalysisResult[_Finding]):
    """A result whose findings cannot be put into words."""

    name: ClassVar[str] = "broken"
    title: ClassVar[str] = "Broken"

    def describe(self, finding: _Finding) -> str:
        raise RuntimeError("describe failed")


@frozen(kw_only=True, repr=False)
class Many(AnalysisResult[_Finding]):
    """A result with plenty of findings and a hostile title."""

    name: ClassVar[str] = "many"
    title: ClassVar[str] = "Many <b>"

    def describe(self, finding: _Finding) -> str:
        return f"finding {finding.step} <i>"


class TestJourneyReprHtml:
    def test_counts_and_phase_owner_table(self) -> None:
        """The view shows the counts and a phase x owner table of steps."""
        j = cx.load(EXAMPLES / "restaurant.yaml")
        text = j._repr_html_()
        assert_safe(text)
        assert f"{len(j.steps)} steps" in text
        assert "3 silos" in text
        for phase in j.phases:
            assert f">{html.escape(phase.name)}</th>" in text
        # Front of house serves the purchase phase: a number in that row.
        row = re.search(r"<tr><td[^>]*>Front of house</td>(.*?)</tr>", text)
        assert row is not None
        assert re.search(r">\d+</td>", row.group(1))

    def test_steps_without_phase_or_owner_get_their_own_column_and_row(self) -> None:
        """Steps with no phase or no owner are counted in a '(no phase)' column and row."""
        text = hostile_journey()._repr_html_()
        assert "(no phase)" in text
        assert "(customer / no owner)" in text

    def test_hostile_names_escaped(self) -> None:
        """Every name is escaped; the raw markup never appears."""
        text = hostile_journey()._repr_html_()
        assert_safe(text)
        assert html.escape(HOSTILE) in text
        assert "🍕" in text

    def test_empty_journey(self) -> None:
        """A journey with nothing in it shows zero counts and no table."""
        text = cx.Journey(id="e", name="Empty")._repr_html_()
        assert_safe(text)
        assert "0 steps" in text
        assert "<table" not in text

    def test_never_raises(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """When rendering fails, the view is the journey's repr in a <pre>."""

        def boom(journey: cx.Journey) -> dict[str, str]:
            raise RuntimeError("no")

        monkeypatch.setattr(cxgraph.model.views, "owner_silos", boom)
        text = hostile_journey()._repr_html_()
        assert text.startswith("<pre>&lt;Journey &#x27;hostile&#x27;")
        assert_safe(text)


class TestAnalysisResultReprHtml:
    def test_findings_in_words_and_records(self) -> None:
        """A result shows its title, summary, findings by name and its records folded away."""
        j = cx.load(EXAMPLES / "restaurant.yaml")
        text = cx.weakest_touchpoints(j)._repr_html_()
        assert_safe(text)
        assert "Weakest touchpoints" in text
        assert "Browses the menu and photos on the website" in text
        assert "<details>" in text
        assert "<table" in text

    def test_first_findings_then_how_many_more(self) -> None:
        """At most SHOW findings show, then how many more there are."""
        result = Many(findings=tuple(_Finding(step=f"s{i:02d}") for i in range(SHOW + 3)))
        text = result._repr_html_()
        assert_safe(text)
        assert text.count("<li>") == SHOW
        assert "... and 3 more" in text
        assert "Many &lt;b&gt;" in text
        assert "finding s00 &lt;i&gt;" in text

    def test_no_findings(self) -> None:
        """A result without findings shows its summary and no list or table."""
        text = Many(findings=())._repr_html_()
        assert_safe(text)
        assert "0 findings" in text
        assert "<ol" not in text
        assert "<table" not in text

    def test_lines_raising_falls_back_to_pre(self) -> None:
        """A result whose lines() raise shows a <pre> and does not raise."""
        result = Broken(findings=(_Finding(step="a"),))
        with pytest.raises(RuntimeError):
            result.lines()
        text = result._repr_html_()
        assert text == "<pre>(this object cannot show itself: RuntimeError)</pre>"

    def test_render_failing_shows_repr(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """When only the HTML fails, the <pre> holds the escaped text repr."""
        result = Many(findings=(_Finding(step="x"),))

        def boom(self: Any) -> list[dict[str, Any]]:
            raise ValueError("no records")

        monkeypatch.setattr(Many, "to_records", boom)
        text = result._repr_html_()
        assert text.startswith("<pre>&lt;Many: 1 finding&gt;")
        assert "finding x &lt;i&gt;" in text

    def test_hostile_journey_every_analysis(self) -> None:
        """Every built-in result of a hostile journey renders escaped."""
        report = cx.analyze(hostile_journey())
        for _, result in report:
            text = result._repr_html_()
            assert_safe(text)
            assert HOSTILE not in text


class TestReportReprHtml:
    def test_top_findings_per_analysis(self) -> None:
        """Each analysis shows its title, summary and at most REPORT_SHOW findings."""
        report = cx.analyze(cx.load(EXAMPLES / "b2b_software.yaml"))
        text = report._repr_html_()
        assert_safe(text)
        for _, result in report:
            assert html.escape(result.title) in text
            assert html.escape(result.summary()) in text
        markov = report["markov"]
        assert f"... and {len(markov) - REPORT_SHOW} more" in text
        assert "<svg" not in text

    def test_one_broken_analysis_keeps_the_others(self) -> None:
        """A result that cannot show itself gets a note; the others still show."""

        @cx.register_analysis("broken_view")
        def broken(journey: cx.Journey) -> Broken:
            return Broken(findings=(_Finding(step="a"),))

        try:
            report = cx.analyze(hostile_journey(), analyses=["coverage", "broken_view"])
        finally:
            cx.unregister_analysis("broken_view")
        text = report._repr_html_()
        assert_safe(text)
        assert "Coverage" in text
        assert "broken_view</div>" in text
        assert "cannot be shown (RuntimeError)" in text

    def test_custom_results_by_records_or_repr(self) -> None:
        """A custom result shows its records, or else its repr."""

        class Recs:
            title = "Recs <x>"

            def to_records(self) -> list[dict[str, Any]]:
                return [{"step": "<a>", "n": 1.23456}]

        @cx.register_analysis("recs")
        def recs(journey: cx.Journey) -> Recs:
            return Recs()

        @cx.register_analysis("number")
        def number(journey: cx.Journey) -> int:
            return 42

        try:
            report = cx.analyze(hostile_journey(), analyses=["recs", "number"])
        finally:
            cx.unregister_analysis("recs")
            cx.unregister_analysis("number")
        text = report._repr_html_()
        assert_safe(text)
        assert "Recs &lt;x&gt;" in text
        assert "step=&lt;a&gt;, n=1.235" in text
        assert ">int</div>" in text
        assert ">42</div>" in text


class TestSafeHtml:
    def test_lazy_fallback(self) -> None:
        """The fallback is called only when rendering fails."""
        calls: list[int] = []

        def fallback() -> str:
            calls.append(1)
            return "text"

        assert safe_html(lambda: "<b>ok</b>", fallback) == "<b>ok</b>"
        assert calls == []
        assert safe_html(lambda: 1 / 0, fallback) == "<pre>text</pre>"
        assert calls == [1]

    def test_fallback_failing_too(self) -> None:
        """A fallback that raises gives a short note naming the error type."""
        assert safe_text(lambda: {}["x"]) == "(this object cannot show itself: KeyError)"
