"""One number, one source: every count the page, the pictures and the text state is the result's.

For every bundled example the report page is written once; each number it
states about an analysis (the cards, the section summaries, the group heads,
the listed paths, the pictures' subtitles and marks) is read back from the
HTML and compared with the analysis result. The CLI text and the Markdown
state the same summaries.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph._util.escape import markdown_text

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@cache
def page_of(path: Path) -> tuple[cx.Report, str]:
    report = cx.analyze(cx.load(path))
    return report, report.to_html()


def text(fragment: str) -> str:
    """The visible text of an HTML fragment, entities decoded, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def card(page: str, label: str) -> str:
    """The value on the summary card with this label."""
    m = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", page)
    assert m, f"no card {label!r}"
    return html.unescape(m.group(1))


def section(page: str, name: str) -> str:
    start = page.index(f'id="a-{name}"')
    return page[start : page.index("</section>", start)]


def group_heads(fragment: str) -> list[str]:
    return [
        text(h) for h in re.findall(r'<details class="group"><summary>(.*?)</summary>', fragment)
    ]


def figure(page: str, kind: str) -> str:
    start = page.index(f'id="plot-{kind}"')
    return page[start : page.index("</figure>", start)]


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def example(request: pytest.FixtureRequest) -> tuple[cx.Report, str]:
    return page_of(request.param)


class TestOneNumberOneSource:
    def test_cards(self, example: tuple[cx.Report, str]) -> None:
        """The summary cards show the results' own counts."""
        report, page = example
        assert card(page, "Unowned hand-offs") == f"{len(report['unowned_handoffs'].chains):,}"
        assert card(page, "Silo crossings") == f"{len(report['silo_boundaries']):,}"
        assert card(page, "Moments of truth") == f"{len(report['moments_of_truth']):,}"

    def test_summaries(self, example: tuple[cx.Report, str]) -> None:
        """Each section and the table at the top say the result's own summary."""
        report, page = example
        glance = page[
            page.index('id="contents"') : page.index("</table>", page.index('id="contents"'))
        ]
        for name, result in report:
            summary = result.summary()
            assert summary in text(section(page, name)), name
            assert summary in text(glance), name

    def test_groups_add_up(self, example: tuple[cx.Report, str]) -> None:
        """The group heads' routes sum to the chains, and their crossings to the crossings."""
        report, page = example
        routes = [
            int(m.group(1).replace(",", ""))
            for h in group_heads(section(page, "unowned_handoffs"))
            if (m := re.search(r": ([\d,]+) routes?", h))
        ]
        assert sum(routes) == len(report["unowned_handoffs"].chains)
        crossings = [
            int(m.group(1).replace(",", ""))
            for h in group_heads(section(page, "silo_boundaries"))
            if (m := re.search(r": ([\d,]+) crossings?", h))
        ]
        assert sum(crossings) == len(report["silo_boundaries"])
        # Every route is listed once under its group.
        listed = section(page, "unowned_handoffs").count("<li>")
        assert listed == len(report["unowned_handoffs"].chains)

    def test_group_passes_are_the_flows(self, example: tuple[cx.Report, str]) -> None:
        """A group's passes per journey is the sum of its chains' flows, as the result says."""
        report, page = example
        heads = group_heads(section(page, "unowned_handoffs"))
        for head, pair in zip(heads, report["unowned_handoffs"].by_owner_pair(), strict=True):
            if pair.passes is None or pair.passes < 0.005:
                continue
            assert head.endswith(f"{pair.passes:.2f} passes per journey")

    def test_listed_paths(self, example: tuple[cx.Report, str]) -> None:
        """The branches section lists every path its summary announces, by step names."""
        report, page = example
        result = report["branches"]
        fragment = section(page, "branches")
        rows = re.findall(r'<tr><td class="num">(\d+)</td><td>(.*?)</td>', fragment)
        assert len(rows) == len(result.paths)
        names = {s.id: s.name for s in report.journey.steps}
        for (_, steps), path in zip(rows, result.paths, strict=True):
            assert html.unescape(steps).split(" \u2192 ") == [names[s] for s in path.steps]
        assert f"{len(result.paths):,} listed" in result.summary()

    def test_pictures(self, example: tuple[cx.Report, str]) -> None:
        """The journey map's subtitle and marks, and the graph's rings, count as the results."""
        report, page = example
        chains = len(report["unowned_handoffs"].chains)
        crossings = len(report["silo_boundaries"])
        jmap = figure(page, "journey_map")
        subtitle = text(jmap)
        assert f"{crossings} silo crossing" in subtitle
        assert f"{chains} unowned hand-off" in subtitle
        badges = set(re.findall(r'id="fig-journey_map-journey_map-unowned-([^"]+)"', jmap))
        assert len(badges) == chains
        rings = set(re.findall(r'id="fig-graph-graph-moment-([^"]+)"', figure(page, "graph")))
        assert rings == {m.step for m in report["moments_of_truth"]}

    def test_text_and_markdown(self, example: tuple[cx.Report, str]) -> None:
        """The plain text and the Markdown state the same summaries, and list chains."""
        report, _ = example
        plain, markdown = str(report), report.to_markdown()
        for _, result in report:
            assert result.summary() in plain
            assert markdown_text(result.summary()) in markdown
        handoffs = report["unowned_handoffs"]
        assert plain.count("\n  - ") >= len(handoffs.chains)
        for line in handoffs.lines():
            assert line in plain

    def test_no_internal_codes_in_prose(self, example: tuple[cx.Report, str]) -> None:
        """No reason code (context_dropped, no_owner, ...) appears in the page's words."""
        _, page = example
        words = text(page[page.index("<main>") : page.index("</main>")])
        for code in (
            "context_dropped",
            "no_owner",
            "step_unowned",
            "fork_to_failure",
            "emotional_low",
        ):
            assert code not in words


#: What the page gives a picture at a 1,400 px window: the 1,320 px column less
#: its padding (2 x 32), the figure's padding (2 x 20) and border (2 x 1).
FRAME_AT_1400 = 1320 - 64 - 40 - 2


class TestReadableAtPageWidth:
    @pytest.mark.parametrize("kind", ["journey_map", "blueprint", "emotion", "graph", "silos"])
    def test_no_text_below_nine_px(self, example: tuple[cx.Report, str], kind: str) -> None:
        """Each picture's least width keeps its smallest text at 9 CSS px or more."""
        _, page = example
        fig = figure(page, kind)
        m = re.search(r'<svg style="[^"]*min-width:(\d+)px"[^>]*\swidth="([0-9.]+)pt"', fig)
        assert m, kind
        least, natural_pt = int(m.group(1)), float(m.group(2))
        smallest = min(float(f) for f in re.findall(r"font-size:\s*([0-9.]+)px", fig))
        # smallest pt of natural_pt, drawn least px wide: smallest * least / natural_pt px.
        assert smallest * least / natural_pt >= 9.0 - 0.05

    @pytest.mark.parametrize("kind", ["journey_map", "blueprint", "emotion", "graph", "silos"])
    def test_fits_the_page_without_scrolling(
        self, example: tuple[cx.Report, str], kind: str
    ) -> None:
        """At a 1,400 px window these pictures fit their frame at a readable size."""
        _, page = example
        m = re.search(r"min-width:(\d+)px", figure(page, kind))
        assert m
        assert int(m.group(1)) <= FRAME_AT_1400
