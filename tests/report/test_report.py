"""Tests for cxgraph.report: analyze, Report and the analysis registry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph.report.registry import BUILTIN_NAMES, REPORT_MAX_PATHS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def b2b() -> cx.Journey:
    return cx.load(EXAMPLES / "b2b_software.yaml")


@pytest.fixture
def tiny() -> cx.Journey:
    return cx.Journey(
        id="tiny",
        name="Tiny <b>journey</b>",
        owners=(cx.Owner(id="web", name="Web", kind="team"),),
        channels=(cx.Channel(id="site", name="Site", kind="digital"),),
        touchpoints=(cx.Touchpoint(id="a", name="Visit", owner="web", channel="site"),),
        outcomes=(cx.Outcome(id="ok", name="Bought", kind="success"),),
        transitions=(cx.Transition(source="a", target="ok"),),
    )


@pytest.fixture
def registered() -> Iterator[str]:
    name = "pain_total"

    @cx.register_analysis(name)
    def pain_total(journey: cx.Journey) -> int:
        return sum(len(t.pain_points) for t in journey.touchpoints)

    yield name
    cx.unregister_analysis(name)


class TestAnalyze:
    def test_runs_every_builtin_in_order(self, b2b: cx.Journey) -> None:
        """By default every built-in analysis runs, in the registry's order."""
        report = cx.analyze(b2b)
        assert report.names == BUILTIN_NAMES
        assert len(report) == len(BUILTIN_NAMES)

    def test_branches_lists_at_most_20_paths_but_keeps_count(self, b2b: cx.Journey) -> None:
        """Inside analyze, branches lists at most 20 paths and keeps its exact count."""
        report = cx.analyze(b2b, analyses=["branches"])
        full = cx.branches(b2b)
        assert len(report["branches"].paths) <= REPORT_MAX_PATHS
        assert report["branches"].path_count == full.path_count

    def test_results_equal_direct_calls(self, b2b: cx.Journey) -> None:
        """A report's results equal what the analyses give when called alone."""
        report = cx.analyze(b2b, analyses=["unowned_handoffs", "silo_boundaries"])
        assert report["unowned_handoffs"].to_records() == cx.unowned_handoffs(b2b).to_records()
        assert report["silo_boundaries"].to_records() == cx.silo_boundaries(b2b).to_records()

    def test_subset_keeps_given_order_and_drops_repeats(self, tiny: cx.Journey) -> None:
        """Only the named analyses run, in the given order, each once."""
        report = cx.analyze(tiny, analyses=["markov", "coverage", "markov"])
        assert report.names == ("markov", "coverage")

    def test_unknown_name_lists_valid_ones(self, tiny: cx.Journey) -> None:
        """An unknown analysis name is a ValueError that lists the valid names."""
        with pytest.raises(ValueError, match=r"unknown analysis 'silos' \(valid: 'unowned_"):
            cx.analyze(tiny, analyses=["silos"])

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match="analyze\\(\\) takes a Journey, got a mapping"):
            cx.analyze({"journey": {}})  # type: ignore[arg-type]

    def test_custom_analysis_failure_is_wrapped(self, tiny: cx.Journey) -> None:
        """A custom analysis that raises becomes a CxgraphError naming it and the cause."""

        @cx.register_analysis("broken")
        def broken(journey: cx.Journey) -> None:
            raise ZeroDivisionError("division by zero")

        try:
            with pytest.raises(
                cx.CxgraphError, match="custom analysis 'broken' failed: ZeroDivisionError"
            ):
                cx.analyze(tiny, analyses=["broken"])
        finally:
            cx.unregister_analysis("broken")

    def test_every_example_analyses_cleanly(self) -> None:
        """Every bundled example gives a full report that renders in every format."""
        for path in sorted(EXAMPLES.glob("*.yaml")):
            report = cx.analyze(cx.load(path))
            assert str(report).startswith("Report on journey")
            json.loads(report.to_json())
            assert report.to_markdown().startswith("# Report")
            assert "<script" not in report._repr_html_()


class TestRegisterAnalysis:
    def test_registered_runs_by_default(self, tiny: cx.Journey, registered: str) -> None:
        """A registered analysis joins the default run, after the built-in ones."""
        assert cx.registered_analyses()[-1] == registered
        assert cx.analyze(tiny)[registered] == 0

    def test_custom_result_shows_through_repr(self, tiny: cx.Journey, registered: str) -> None:
        """A result without records shows through its repr in JSON and text."""
        report = cx.analyze(tiny, analyses=[registered])
        assert json.loads(report.to_json()) == {registered: [{"value": "0"}]}
        assert "pain_total\n----------\n0" in str(report)

    def test_builtin_name_rejected(self) -> None:
        """A built-in name cannot be taken."""
        with pytest.raises(ValueError, match="'markov' is a built-in analysis"):
            cx.register_analysis("markov")

    def test_taken_name_needs_replace(self, registered: str) -> None:
        """A name registered already needs replace=True."""
        with pytest.raises(ValueError, match="registered already; pass replace=True"):
            cx.register_analysis(registered)
        cx.register_analysis(registered, replace=True)(lambda j: 1)

    def test_invalid_name(self) -> None:
        """A name with spaces is rejected."""
        with pytest.raises(ValueError, match="invalid analysis name 'my analysis'"):
            cx.register_analysis("my analysis")

    def test_decorates_only_callables(self) -> None:
        """Decorating something that is not callable is a TypeError."""
        with pytest.raises(TypeError, match="decorates a function, got int"):
            cx.register_analysis("x")(3)  # type: ignore[arg-type]


class TestUnregisterAnalysis:
    def test_unknown(self) -> None:
        """Removing a name that is not yours is a ValueError listing yours."""
        with pytest.raises(ValueError, match="no analysis of yours is named 'nope'"):
            cx.unregister_analysis("nope")


class TestReport:
    def test_getitem_unknown_lists_names(self, tiny: cx.Journey) -> None:
        """Asking a report for an analysis it lacks names the ones it has."""
        report = cx.analyze(tiny, analyses=["coverage"])
        with pytest.raises(KeyError, match="has no analysis 'markov' \\(it has: 'coverage'\\)"):
            report["markov"]

    def test_json_is_analysis_to_records(self, b2b: cx.Journey) -> None:
        """JSON output is {analysis: records} with tuples as lists."""
        report = cx.analyze(b2b, analyses=["unowned_handoffs"])
        data = json.loads(report.to_json())
        assert list(data) == ["unowned_handoffs"]
        first = data["unowned_handoffs"][0]
        assert set(first) >= {"source", "target", "from_owner", "to_owner", "reason", "via"}
        assert isinstance(first["via"], list)

    def test_csv_one_analysis(self, b2b: cx.Journey) -> None:
        """CSV holds one analysis: a header and one row per record."""
        report = cx.analyze(b2b, analyses=["unowned_handoffs"])
        lines = report.to_csv("unowned_handoffs").splitlines()
        assert lines[0].startswith("source,target,from_owner,to_owner,reason,via")
        assert len(lines) == 1 + len(report["unowned_handoffs"])

    def test_html_escapes_names(self, tiny: cx.Journey) -> None:
        """HTML escapes the journey's name and holds no script."""
        html = cx.analyze(tiny)._repr_html_()
        assert "Tiny &lt;b&gt;journey&lt;/b&gt;" in html
        assert "<b>journey" not in html

    def test_markdown_escapes_pipes(self) -> None:
        """Markdown escapes table pipes and angle brackets in user text."""
        j = cx.Journey(id="m", name="A | B <c>")
        assert "A \\| B &lt;c&gt;" in cx.analyze(j, analyses=["coverage"]).to_markdown()

    def test_repr(self, tiny: cx.Journey) -> None:
        """The repr names the journey and the analyses."""
        assert repr(cx.analyze(tiny, analyses=["coverage"])) == (
            "<Report on 'tiny': 1 analyses (coverage)>"
        )
