"""The one-page HTML report (Report.to_html) and the report and render commands."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
from attrs import frozen
from tests._html_check import HOSTILE, assert_balanced, hostile_journey

import cxgraph as cx
from cxgraph.analyses.boundary import decision_boundary
from cxgraph.analyses.results import AnalysisResult
from cxgraph.cli import main
from cxgraph.report import page as _html
from cxgraph.report.page import PLOT_KINDS, inline_svg
from cxgraph.report.sections import MAX_LINES, VISIBLE

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

FAKE_SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
    '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="100pt" height="50pt" '
    'viewBox="0 0 100 50" xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
    " <metadata><rdf:RDF><cc:Work><dc:title>Matplotlib, https://matplotlib.org/"
    "</dc:title></cc:Work></rdf:RDF></metadata>\n"
    ' <defs><style type="text/css">*{stroke-linejoin: round}</style>'
    '<clipPath id="p1"><rect width="9" height="9"/></clipPath></defs>\n'
    ' <g id="figure_1" clip-path="url(#p1)"><use xlink:href="#m1"/>'
    '<text style="fill: #2c5282">KIND</text></g>\n'
    "</svg>\n"
)


@pytest.fixture(scope="module")
def restaurant() -> cx.Journey:
    return cx.load(EXAMPLES / "restaurant.yaml")


@pytest.fixture(scope="module")
def restaurant_page(restaurant: cx.Journey) -> str:
    """The restaurant's full page, plots drawn for real (once for the module)."""
    return cx.analyze(restaurant).to_html()


@pytest.fixture
def fake_plots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plots replaced by a small SVG in matplotlib's shape: page tests stay quick."""
    monkeypatch.setattr(
        _html, "plot_svg", lambda journey, kind, **options: FAKE_SVG.replace("KIND", kind)
    )


def outside_svg(page: str) -> str:
    """The page with its pictures cut out: what a reader finds as text."""
    return re.sub(r"<svg.*?</svg>", "", page, flags=re.S)


def assert_self_contained(page: str) -> None:
    """Inline CSS only, no JavaScript, nothing fetched from anywhere."""
    low = page.lower()
    assert "<script" not in low
    assert "javascript:" not in low
    assert re.search(r"\son\w+\s*=", low) is None  # no event handler attributes
    assert "<link" not in low
    assert "@import" not in low
    assert " src=" not in low
    assert outside_svg(low).count("<style") == 1
    for ref in re.findall(r'\bhref="([^"]*)"', page):
        assert ref.startswith("#"), ref
    assert re.search(r"url\((?!#)", page) is None


class TestToHtml:
    def test_structure(self, restaurant: cx.Journey, fake_plots: None) -> None:
        """Header, summary band, one figure per plot, one section per analysis, footer."""
        report = cx.analyze(restaurant)
        page = report.to_html()
        assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
        assert page.endswith("</html>\n")
        assert_balanced(page)
        assert_self_contained(page)
        assert "<h1>Neighbourhood restaurant</h1>" in page
        assert "Current state" in page
        assert "version 2024.2" in page
        for name in report.names:
            assert f'<section class="analysis" id="a-{name}">' in page
            assert f'href="#a-{name}"' in page
        for kind in PLOT_KINDS:
            assert f'<figure id="plot-{kind}">' in page
        assert page.count("<svg") == len(PLOT_KINDS)
        assert f"cxgraph {cx.__version__}" in page.split("<footer", 1)[1]

    def test_summary_band(self, restaurant: cx.Journey) -> None:
        """The band counts steps, owners, silos and gives the headline findings."""
        report = cx.analyze(restaurant)
        band = report.to_html(plots=False).split('id="summary"', 1)[1].split("</section>", 1)[0]
        cards = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", band))
        assert cards == {
            "Steps": str(len(restaurant.steps)),
            "Touchpoints": "16",
            "Decisions": "5",
            "Outcomes": "5",
            "Owners": str(len(restaurant.owners)),
            "Silos": "3",
            "Conversion": "26.7%",
            "Unowned hand-offs": str(len(report["unowned_handoffs"])),
            "Silo crossings": str(len(report["silo_boundaries"])),
            "Moments of truth": str(len(report["moments_of_truth"])),
        }
        assert 'class="kpi alert"' in band  # unowned hand-offs stand out

    def test_band_follows_the_analyses_run(self, restaurant: cx.Journey) -> None:
        """Headline cards appear only for the analyses in the report."""
        page = cx.analyze(restaurant, analyses=["coverage"]).to_html(plots=False)
        assert "<dt>Steps</dt>" in page
        assert "<dt>Conversion</dt>" not in page
        assert "<dt>Silo crossings</dt>" not in page

    def test_conversion_unknown_without_probabilities(self) -> None:
        """Without probabilities or counts the conversion card says it is unknown."""
        j = cx.Journey(
            id="u",
            name="U",
            touchpoints=(cx.Touchpoint(id="a", name="A"),),
            outcomes=(
                cx.Outcome(id="y", name="Y", kind="success"),
                cx.Outcome(id="n", name="N", kind="failure"),
            ),
            transitions=(
                cx.Transition(source="a", target="y"),
                cx.Transition(source="a", target="n"),
            ),
        )
        page = cx.analyze(j, analyses=["markov"]).to_html(plots=False)
        assert "<dt>Conversion</dt><dd>unknown</dd>" in page
        assert "Where journeys end" not in page

    def test_real_plots_inline(self, restaurant_page: str) -> None:
        """The five plots are inline SVG with text kept as text, and none failed."""
        assert restaurant_page.count("<svg") == len(PLOT_KINDS)
        assert "could not be drawn" not in restaurant_page
        assert "<text" in restaurant_page
        assert_self_contained(restaurant_page)
        assert_balanced(restaurant_page)
        ids = re.findall(r'\bid="([^"]+)"', restaurant_page)
        assert len(ids) == len(set(ids))  # plots cannot resolve each other's clip paths

    def test_graph_marks_the_decision_boundary(
        self, restaurant: cx.Journey, restaurant_page: str
    ) -> None:
        """The journey graph bands exactly the decision boundary's edges and counts them."""
        result = decision_boundary(restaurant)
        graph = restaurant_page.split('id="plot-graph"', 1)[1].split("</figure>", 1)[0]
        banded = set(re.findall(r'id="fig-graph-graph-boundary-([^"]+)"', graph))
        assert banded == {f"{e.source}-&gt;{e.target}" for e in result}
        assert f"decision boundary: outcome settled ({len(result)} edges)" in graph

    def test_step_names_in_text(self, restaurant: cx.Journey, restaurant_page: str) -> None:
        """Every step is named in the text of the page, not only inside the pictures."""
        text = outside_svg(restaurant_page)
        for step in restaurant.steps:
            assert html.escape(step.name) in text, step.name

    def test_findings_listed_then_folded(self, restaurant: cx.Journey) -> None:
        """An analysis lists VISIBLE findings, the rest under a <details>."""
        report = cx.analyze(restaurant, analyses=["markov"])
        section = report.to_html(plots=False).split('id="a-markov"', 1)[1]
        shown, folded = section.split("<details>", 1)
        assert shown.count("<li>") == VISIBLE
        assert folded.count("<li>") == len(report["markov"]) - VISIBLE
        assert f'start="{VISIBLE + 1}"' in folded
        assert '<span class="id">(arrive-and-seat)</span>' in section

    def test_byte_stable(self, restaurant: cx.Journey, fake_plots: None) -> None:
        """The same journey gives the same bytes (the plots' own stability: TestRenderCommand)."""
        first = cx.analyze(restaurant).to_html()
        again = cx.analyze(cx.load(EXAMPLES / "restaurant.yaml")).to_html()
        assert again == first

    @pytest.mark.parametrize(
        "hostile",
        [
            "<script>alert(1)</script>",
            "\"quoted\" & 'single'",
            "Tom & Jerry's <b>café</b> 🍕🎉",
            "</section></main><!-- ]]> -->",
            "<img src=x onerror=alert(1)>",
            "javascript:alert(1)",
        ],
        ids=["script", "quotes", "emoji", "closing-tags", "img-onerror", "js-url"],
    )
    def test_hostile_names_escaped(self, hostile: str, fake_plots: None) -> None:
        """Every user string is escaped wherever it lands on the page."""
        j = cx.Journey(
            id="h",
            name=hostile,
            version=hostile,
            description=hostile,
            personas=(cx.Persona(id="p", name=hostile),),
            owners=(cx.Owner(id="o", name=hostile, kind="team"),),
            touchpoints=(cx.Touchpoint(id="a", name=hostile, owner="o", emotion=-3),),
            outcomes=(cx.Outcome(id="ok", name=hostile, kind="success"),),
            transitions=(cx.Transition(source="a", target="ok", probability=1.0),),
        )
        page = cx.analyze(j).to_html()
        assert_balanced(page)
        if hostile.startswith("javascript"):
            assert 'href="javascript' not in page
        else:
            assert hostile not in page
            assert "<script" not in page.lower()
            assert "<img" not in page.lower()
        assert page.count(html.escape(hostile)) >= 5  # title, h1, meta, lede, findings

    def test_hostile_plots(self) -> None:
        """Hostile names stay escaped inside the real SVG plots too."""
        page = cx.analyze(hostile_journey()).to_html()
        assert_balanced(page)
        assert "<script" not in page.lower()
        assert HOSTILE not in page

    def test_empty_journey(self) -> None:
        """A journey with nothing in it still gives a whole, valid page."""
        page = cx.analyze(cx.Journey(id="e", name="Empty")).to_html()
        assert_balanced(page)
        assert_self_contained(page)
        assert "<h1>Empty</h1>" in page
        assert "<dt>Steps</dt><dd>0</dd>" in page

    def test_no_analyses(self) -> None:
        """A report with no analysis says so."""
        page = cx.Report(journey=cx.Journey(id="e", name="E"), results={}).to_html(plots=False)
        assert_balanced(page)
        assert "No analysis was run." in page

    def test_failing_plot_is_a_note(
        self, restaurant: cx.Journey, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A plot that fails shows a short note; the other plots and the page stay."""

        def plot_svg(journey: cx.Journey, kind: str, **options: Any) -> str:
            if kind == "graph":
                raise ValueError("no layout <for> this\nsecond line")
            return FAKE_SVG

        monkeypatch.setattr(_html, "plot_svg", plot_svg)
        page = cx.analyze(restaurant, analyses=["coverage"]).to_html()
        assert_balanced(page)
        assert page.count("<svg") == len(PLOT_KINDS) - 1
        assert (
            '<p class="note">This plot could not be drawn: ValueError: no layout &lt;for&gt; '
            "this</p>" in page
        )
        assert "second line" not in page

    def test_failing_analysis_is_a_note(self, restaurant: cx.Journey) -> None:
        """An analysis that cannot show itself gets a note; the others still show."""

        @frozen(kw_only=True, repr=False)
        class Broken(AnalysisResult[int]):
            name: ClassVar[str] = "broken"
            title: ClassVar[str] = "Broken"

            def describe(self, finding: int) -> str:
                raise RuntimeError("cannot say")

        cx.register_analysis("broken_page")(lambda j: Broken(findings=(1,)))
        try:
            page = cx.analyze(restaurant, analyses=["broken_page", "coverage"]).to_html(plots=False)
        finally:
            cx.unregister_analysis("broken_page")
        assert_balanced(page)
        assert "This analysis could not be shown: RuntimeError: cannot say" in page
        assert 'id="a-coverage"' in page

    def test_long_results_are_cut(self) -> None:
        """At most MAX_LINES findings per analysis; the note says how to get them all."""

        class Big:
            title = "Big"

            def to_records(self) -> list[dict[str, Any]]:
                return [{"i": i} for i in range(MAX_LINES + 7)]

        cx.register_analysis("big")(lambda j: Big())
        try:
            page = cx.analyze(cx.Journey(id="e", name="E"), analyses=["big"]).to_html(plots=False)
        finally:
            cx.unregister_analysis("big")
        assert page.count("<li>") == MAX_LINES
        assert "7 more findings left out of this page" in page
        assert "cxgraph analyze --only big --format csv" in page


class TestInlineSvg:
    def test_prolog_metadata_dropped_ids_prefixed(self) -> None:
        """The prolog and metadata go; ids and references get the prefix; style is scoped."""
        out = inline_svg(FAKE_SVG, "fig-x", 'Map "A"')
        assert out.startswith('<svg class="fig-x" role="img" aria-label="Map &quot;A&quot;"')
        assert "<?xml" not in out
        assert "DOCTYPE" not in out
        assert "matplotlib.org" not in out
        assert 'id="fig-x-p1"' in out
        assert "url(#fig-x-p1)" in out
        assert 'xlink:href="#fig-x-m1"' in out
        assert ".fig-x *{stroke-linejoin: round}" in out

    def test_text_left_alone(self) -> None:
        """Text that looks like an id or a reference is a name: it stays as written."""
        svg = '<svg id="s"><text id="t">id="p1" url(#p1) href="#p1"</text></svg>'
        assert inline_svg(svg, "f", "M") == (
            '<svg role="img" aria-label="M" id="f-s">'
            '<text id="f-t">id="p1" url(#p1) href="#p1"</text></svg>'
        )


def run(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


INVALID = (
    'cxgraph: "1.0"\n'
    "journey: {id: j, name: J}\n"
    "touchpoints:\n"
    "  - {id: a, name: A, owner: sales, lane: back}\n"
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with the restaurant journey and an invalid one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "restaurant.yaml").write_text((EXAMPLES / "restaurant.yaml").read_text())
    (tmp_path / "invalid.yaml").write_text(INVALID)
    return tmp_path


class TestReportCommand:
    def test_writes_the_page(self, workdir: Path, fake_plots: None) -> None:
        """`report FILE -o page.html` writes the same bytes Report.to_html gives."""
        code, out, err = run("report", "restaurant.yaml", "-o", "page.html", "--only", "coverage")
        assert (code, err) == (0, "")
        assert out == (
            "Wrote page.html: 1 analysis of journey 'restaurant' (Neighbourhood restaurant)\n"
        )
        expected = cx.analyze(cx.load("restaurant.yaml"), analyses=["coverage"]).to_html()
        assert (workdir / "page.html").read_bytes() == expected.encode()
        assert [p.name for p in workdir.iterdir() if p.name.startswith(".")] == []

    def test_default_output_and_stdout(self, workdir: Path) -> None:
        """Without -o the page is report.html; `-o -` writes it to stdout."""
        code, _, _ = run("report", "restaurant.yaml", "--only", "coverage", "--no-plots")
        assert code == 0
        page = (workdir / "report.html").read_text()
        code, out, _ = run(
            "report", "restaurant.yaml", "-o", "-", "--only", "coverage", "--no-plots"
        )
        assert code == 0
        assert out == page
        assert "<svg" not in page

    @pytest.mark.parametrize(
        ("argv", "code", "stderr"),
        [
            (["report", "nope.yaml"], 2, "cxgraph report: error: no such file: 'nope.yaml'\n"),
            (
                ["report", "restaurant.yaml", "-o", "page.txt"],
                2,
                "cxgraph report: error: cannot tell the page's format from 'page.txt': name the "
                "file with one of the suffixes .html, .htm\n",
            ),
            (
                ["report", "restaurant.yaml", "-o", "restaurant.yaml"],
                2,
                "cxgraph report: error: cannot tell the page's format from 'restaurant.yaml': "
                "name the file with one of the suffixes .html, .htm\n",
            ),
            (
                ["report", "restaurant.yaml", "-o", "no/such/page.html"],
                2,
                "cxgraph report: error: cannot write 'no/such/page.html': no folder 'no/such'\n",
            ),
            (
                ["report", "restaurant.yaml", "--only", "silos"],
                2,
                "cxgraph report: error: unknown analysis 'silos' (valid: unowned_handoffs, "
                "silo_boundaries, branches, dimensions, moments_of_truth, weakest_touchpoints, "
                "touchpoint_inventory, coverage, markov, trust_and_value, technology, "
                "decision_boundary)\n",
            ),
        ],
        ids=["missing-file", "bad-suffix", "journey-suffix", "no-folder", "unknown-analysis"],
    )
    def test_usage_errors(self, workdir: Path, argv: list[str], code: int, stderr: str) -> None:
        """Usage and I/O errors exit 2 with one line; nothing is written."""
        assert run(*argv) == (code, "", stderr)
        assert sorted(p.name for p in workdir.iterdir()) == ["invalid.yaml", "restaurant.yaml"]

    def test_invalid_journey(self, workdir: Path) -> None:
        """An invalid journey exits 1 with one line per problem and writes nothing."""
        code, out, err = run("report", "invalid.yaml")
        problems = err.splitlines()
        assert (code, out, len(problems)) == (1, "", 2)
        assert problems[0].startswith("invalid.yaml: $.touchpoints[0].owner: unknown owner 'sales'")
        assert problems[1].startswith("invalid.yaml: $.touchpoints[0].lane: unknown lane 'back'")
        assert not (workdir / "report.html").exists()


class TestRenderCommand:
    @pytest.mark.parametrize("kind", list(PLOT_KINDS))
    def test_svg_byte_stable(self, workdir: Path, kind: str) -> None:
        """Every kind renders to SVG with text kept as text, the same bytes twice."""
        assert run("render", "restaurant.yaml", "-o", "a.svg", "--kind", kind)[0] == 0
        assert run("render", "restaurant.yaml", "-o", "b.svg", "--kind", kind)[0] == 0
        a = (workdir / "a.svg").read_bytes()
        assert a == (workdir / "b.svg").read_bytes()
        assert b"<svg" in a
        assert b"<text" in a

    def test_journey_map_names_steps(self, workdir: Path) -> None:
        """The default picture is the journey map, its step names searchable text."""
        code, out, err = run("render", "restaurant.yaml", "-o", "map.svg")
        assert (code, err) == (0, "")
        assert out == "Wrote map.svg: the journey map of journey 'restaurant'\n"
        assert "Orders with the server" in (workdir / "map.svg").read_text()

    def test_png(self, workdir: Path) -> None:
        """A .png suffix writes a PNG image."""
        code, _, err = run("render", "restaurant.yaml", "-o", "map.PNG", "--kind", "silos")
        assert (code, err) == (0, "")
        assert (workdir / "map.PNG").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    @pytest.mark.parametrize(
        ("argv", "code", "stderr_end"),
        [
            (["render", "nope.yaml", "-o", "m.svg"], 2, "no such file: 'nope.yaml'\n"),
            (
                ["render", "restaurant.yaml", "-o", "m.jpg"],
                2,
                "cxgraph render: error: cannot tell the format from 'm.jpg': give --format, or "
                "name the file with one of the suffixes .svg, .png, .mmd, .mermaid, .dot, .gv, "
                ".graphml, .gexf, .bpmn\n",
            ),
            (
                ["render", "restaurant.yaml", "-o", "m.svg", "--kind", "map"],
                2,
                "cxgraph render: error: argument --kind: invalid choice: 'map' (choose from "
                "'journey_map', 'blueprint', 'emotion', 'graph', 'silos', "
                "'technology')\n",
            ),
            (
                ["render", "restaurant.yaml"],
                2,
                "cxgraph render: error: say which format to write: "
                "--format {svg,png,mermaid,dot,graphml,gexf,bpmn}, or -o FILE\n",
            ),
            (["render", "invalid.yaml", "-o", "m.svg"], 1, "unknown lane 'back' (valid: "),
        ],
        ids=["missing-file", "bad-suffix", "unknown-kind", "no-output", "invalid-journey"],
    )
    def test_errors(self, workdir: Path, argv: list[str], code: int, stderr_end: str) -> None:
        """Usage errors exit 2 and name the valid choices; an invalid journey exits 1."""
        got, out, err = run(*argv)
        assert (got, out) == (code, "")
        assert stderr_end in err
        assert "Traceback" not in err
        assert sorted(p.name for p in workdir.iterdir()) == ["invalid.yaml", "restaurant.yaml"]

    def test_failing_plot_is_one_line(self, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A plot that fails is one error line and exit 1, not a traceback."""

        def plot_svg(journey: cx.Journey, kind: str) -> str:
            raise ZeroDivisionError("no width")

        monkeypatch.setattr(_html, "plot_svg", plot_svg)
        assert run("render", "restaurant.yaml", "-o", "m.svg", "--kind", "graph") == (
            1,
            "",
            "cxgraph render: error: could not draw the journey graph of 'restaurant': "
            "ZeroDivisionError: no width\n",
        )
