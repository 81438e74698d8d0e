"""Hostile user strings stay inert in every output: text, JSON, CSV, Markdown, HTML, SVG.

A journey file or an event log can name a step ``=HYPERLINK(...)`` (a formula
when a spreadsheet opens the CSV), ``[x](javascript:alert(1))`` (a link when
the Markdown is rendered) or ``<script>`` (an element in HTML). The hostile
journeys here take ``examples/restaurant.yaml`` and put one payload into one
kind of field; every output must then show the user's characters exactly
(JSON gives them back, CSV behind a single quote when they start like a
formula, Markdown and HTML as text) and never as a formula, link, image or
element.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from functools import cache
from html.parser import HTMLParser
from numbers import Number
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests._html_check import assert_balanced

import cxgraph as cx
from cxgraph._util.escape import FORMULA_START, csv_cell, csv_text, markdown_text
from cxgraph.cli import main
from cxgraph.report.page import PLOT_KINDS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: Hostile strings, by a short name for the test ids.
PAYLOADS = {
    "md-link": "[x](javascript:alert(1)) [y](http://evil/)",
    "md-image": "![x](http://evil/img)",
    "script": "<script>alert(1)</script>",
    "entity": "&lt;script&gt; &amp;",
    "pipe": "a | b || c",
    "formula": '=HYPERLINK("http://evil","click")',
    "plus": "+1+1",
    "minus": "-1+1",
    "at": "@SUM(A1:A2)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "separator": 'ok;=1+1,"x"',
    "markup": "*em* __strong__ `code` ~~gone~~ <b>b</b> C:\\path",
    "blocks": "# heading\n- item\n\n---\n1. one",
    "comment": "<!-- x --> ]]> </td><img src=x onerror=alert(1)>",
    "math": "$\\frac{$ costs $5 \\(x\\)",
}

#: Every kind of text field a journey file carries, and how to put a payload in it.
FIELDS: dict[str, Callable[[cx.Journey, str], cx.Journey]] = {
    "journey name": lambda j, s: attrs.evolve(j, name=s),
    "journey description": lambda j, s: attrs.evolve(j, description=s),
    "journey version": lambda j, s: attrs.evolve(j, version=s),
    "persona name": lambda j, s: attrs.evolve(
        j, personas=tuple(attrs.evolve(p, name=s) for p in j.personas)
    ),
    "phase name": lambda j, s: attrs.evolve(
        j, phases=tuple(attrs.evolve(p, name=s) for p in j.phases)
    ),
    "owner name": lambda j, s: attrs.evolve(
        j, owners=tuple(attrs.evolve(o, name=s) for o in j.owners)
    ),
    "channel name": lambda j, s: attrs.evolve(
        j, channels=tuple(attrs.evolve(c, name=s) for c in j.channels)
    ),
    "system name": lambda j, s: attrs.evolve(
        j, systems=tuple(attrs.evolve(x, name=s) for x in j.systems)
    ),
    "dimension name": lambda j, s: attrs.evolve(
        j, dimensions=tuple(attrs.evolve(d, name=s) for d in j.dimensions)
    ),
    "step name": lambda j, s: attrs.evolve(
        j, touchpoints=tuple(attrs.evolve(t, name=s) for t in j.touchpoints)
    ),
    "decision name": lambda j, s: attrs.evolve(
        j, decision_points=tuple(attrs.evolve(d, name=s) for d in j.decision_points)
    ),
    "outcome name": lambda j, s: attrs.evolve(
        j, outcomes=tuple(attrs.evolve(o, name=s) for o in j.outcomes)
    ),
    "pain point": lambda j, s: attrs.evolve(
        j, touchpoints=tuple(attrs.evolve(t, pain_points=(s,)) for t in j.touchpoints)
    ),
    "hand-off carries": lambda j, s: attrs.evolve(
        j, handoffs=tuple(attrs.evolve(h, carries=(s,)) for h in j.handoffs)
    ),
}

#: Ids may hold only letters, digits and ``_ . : -``: these still start like formulas.
ID_PAYLOADS = {"minus": "-2-3", "range": "-A1:A2", "number": "-1.5"}
#: An id of each kind in the restaurant, to rename.
IDS = {
    "step id": "browse-menu",
    "decision id": "dp-how-to-visit",
    "owner id": "front-of-house",
    "phase id": "purchase",
    "channel id": "web",
}

FORMATS = ("text", "json", "csv", "markdown", "html page", "notebook html")

HOSTILE = frozenset(PAYLOADS.values()) | frozenset(ID_PAYLOADS.values())


@cache
def restaurant() -> cx.Journey:
    return cx.load(EXAMPLES / "restaurant.yaml")


def with_payload(field: str, payload: str) -> cx.Journey:
    return FIELDS[field](restaurant(), payload)


def renamed(old: str, new: str) -> cx.Journey:
    """The restaurant with one id renamed everywhere it is used."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return new if value == old else value

    return cx.Journey.from_dict(walk(restaurant().to_dict()))


def hostile_strings(journey: cx.Journey) -> Iterator[tuple[str, str]]:
    """``(where, text)`` for every hostile string in the journey's file form."""

    def walk(value: Any, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, f"{where}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(v, f"{where}[{i}]")
        elif isinstance(value, str) and value in HOSTILE:
            yield where, value

    yield from walk(journey.to_dict(), "$")


@pytest.fixture(scope="module", autouse=True)
def echo_analysis() -> Iterator[None]:
    """A custom analysis whose records carry every hostile string, next to a negative number."""

    @cx.register_analysis("echo")
    def echo(journey: cx.Journey) -> Any:
        class Echo:
            def to_records(self) -> list[dict[str, Any]]:
                rows = hostile_strings(journey)
                return [{"where": w, "value": s, "share": -0.5} for w, s in rows]

        return Echo()

    yield
    cx.unregister_analysis("echo")


@cache
def report_of(journey: cx.Journey) -> cx.Report:
    return cx.analyze(journey)


def norm(text: str) -> str:
    """Runs of whitespace as one space: what a reader of rendered text sees."""
    return " ".join(text.split())


class _Page(HTMLParser):
    """The elements, attributes and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(k, v or "") for k, v in attrs]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


LIVE = {"script", "img", "a", "iframe", "object", "embed", "svg", "form", "input", "style"}


def assert_inert_html(text: str, *, allowed: set[str]) -> _Page:
    """No live element a user string could have made; links only within the page."""
    page = parse_html(text)
    assert page.tags & LIVE <= allowed, page.tags & LIVE
    for name, value in page.attributes:
        assert not name.startswith("on"), (name, value)
        if name in {"href", "src", "xlink:href"}:
            assert value.startswith("#"), (name, value)
    return page


def expected_cell(value: Any) -> str:
    """What csv.reader must give back for a record value (the test's own oracle)."""
    if value is None:
        return ""
    if isinstance(value, Number):
        return str(value)
    text = ";".join(map(str, value)) if isinstance(value, tuple | list) else str(value)
    out, cell_starts = [], True
    for ch in text:
        # A cell may start at the start, and after ";" or a tab (other separators).
        if cell_starts and ch in "=+-@\t\r\n":
            out.append("'")
        out.append(ch)
        cell_starts = ch in ";\t"
    return "".join(out)


def check_csv(report: cx.Report, hostile: list[str]) -> None:
    """Every analysis as CSV: cells read back as the records, none a formula."""
    seen: set[str] = set()
    for name in report.names:
        records = report.to_dict()[name]
        rows = list(csv.reader(io.StringIO(report.to_csv(name), newline="")))
        header, body = rows[0], rows[1:]
        assert len(body) == len(records)
        for record, row in zip(records, body, strict=True):
            assert len(row) == len(header)
            for column, cell in zip(header, row, strict=True):
                if cell[:1] in FORMULA_START:
                    float(cell)  # only a number may start like a formula
                value = record.get(column)
                if not isinstance(value, dict):
                    assert cell == expected_cell(value), (name, column)
                seen.add(cell)
    for s in hostile:
        assert expected_cell(s) in seen


def check_markdown(report: cx.Report, hostile: list[str]) -> None:
    """Rendered, the Markdown has headings, paragraphs and lists: nothing else, text exact."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    page = parse_html(md.render(report.to_markdown()))
    assert page.tags <= {"h1", "h2", "p", "ul", "li"}, page.tags
    assert page.attributes == []
    rendered = norm("".join(page.text))
    for line in str(report).splitlines():
        if line.strip() and set(line.strip()) - {"=", "-"}:
            assert norm(line.removeprefix("  - ")) in rendered
    for s in hostile:
        assert norm(s) in rendered


def check(report: cx.Report, fmt: str) -> None:
    hostile = [s for _, s in hostile_strings(report.journey)]
    assert hostile
    if fmt == "text":
        text = norm(str(report))
        for s in hostile:
            assert norm(s) in text
    elif fmt == "json":
        data = json.loads(report.to_json())
        assert [r["value"] for r in data["echo"]] == hostile
    elif fmt == "csv":
        check_csv(report, hostile)
    elif fmt == "markdown":
        check_markdown(report, hostile)
    elif fmt == "html page":
        page = report.to_html(plots=False)
        assert_balanced(page)
        parsed = assert_inert_html(page, allowed={"a", "style"})
        text = norm("".join(parsed.text))
        for s in hostile:
            assert norm(s) in text
    elif fmt == "notebook html":
        view = report._repr_html_()
        assert_balanced(view, only_style=True)
        parsed = assert_inert_html(view, allowed=set())
        # The view lists the first findings only: the first hostile string is among them.
        assert norm(hostile[0]) in norm("".join(parsed.text))
    else:  # pragma: no cover - a typo in FORMATS
        raise AssertionError(fmt)


class TestHostileFields:
    @pytest.mark.parametrize("fmt", FORMATS)
    @pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
    @pytest.mark.parametrize("field", FIELDS)
    def test_inert_and_exact(self, field: str, payload: str, fmt: str) -> None:
        """A payload in any text field is shown exactly and stays inert in every format."""
        check(report_of(with_payload(field, payload)), fmt)

    @pytest.mark.parametrize("fmt", FORMATS)
    @pytest.mark.parametrize("payload", ID_PAYLOADS.values(), ids=ID_PAYLOADS.keys())
    @pytest.mark.parametrize("kind", IDS)
    def test_ids(self, kind: str, payload: str, fmt: str) -> None:
        """An id that starts like a formula is text in CSV, exact elsewhere."""
        check(report_of(renamed(IDS[kind], payload)), fmt)


#: The payloads that mean something to XML, for the pictures.
XML_PAYLOADS = ("script", "entity", "comment", "markup", "math", "blocks", "tab", "cr")


class TestPictures:
    @pytest.mark.parametrize("kind", PLOT_KINDS)
    @pytest.mark.parametrize("payload", [PAYLOADS[k] for k in XML_PAYLOADS], ids=XML_PAYLOADS)
    def test_svg_is_escaped(self, payload: str, kind: str) -> None:
        """Every name hostile at once: the SVG parses as XML and holds no live element."""
        journey = restaurant()
        for put in FIELDS.values():
            journey = put(journey, payload)
        draw = getattr(cx.plot, PLOT_KINDS[kind][0])
        svg = cx.plot.to_svg(draw(journey))
        root = ET.fromstring(svg)
        tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
        assert not tags & {"script", "foreignObject", "a", "image", "iframe"}
        assert "<script" not in svg.lower()
        for el in root.iter():
            for name, value in el.attrib.items():
                assert not name.rsplit("}", 1)[-1].startswith("on"), name
                assert "javascript:" not in value.lower(), (name, value)


class TestCommandLine:
    def test_csv_from_a_file(self, tmp_path: Path) -> None:
        """``cxgraph analyze --format csv`` writes a step id that starts like a formula as text."""
        path = tmp_path / "hostile.yaml"
        cx.dump(renamed("browse-menu", "-2-3"), path)
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["analyze", str(path), "--format", "csv", "--only", "touchpoint_inventory"],
            stdout=out,
            stderr=err,
        )
        assert code == 0, err.getvalue()
        cells = [row[0] for row in csv.reader(io.StringIO(out.getvalue()))]
        assert "'-2-3" in cells
        assert "-2-3" not in cells


class TestCsvCell:
    @pytest.mark.parametrize(
        ("value", "cell"),
        [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("\nx", "'\nx"),
            ("a=1", "a=1"),
            ("'=1", "'=1"),
            ("", ""),
            (None, ""),
            (("-a", "b"), "'-a;b"),
            (["a", "=b"], "a;'=b"),
            ("x;=1+1;y", "x;'=1+1;y"),
            ("x\t@SUM(A1)", "x\t'@SUM(A1)"),
            ("x; -1", "x; -1"),
            ("a-b=c", "a-b=c"),
            ({"k": "-v"}, '{"k": "-v"}'),
        ],
    )
    def test_text(self, value: Any, cell: str) -> None:
        """Text (or a part after ";" or a tab) that starts like a formula gets a single quote."""
        assert csv_cell(value) == cell

    @pytest.mark.parametrize("value", [-0.5, -3, 0, 2.5, True, float("-inf")])
    def test_numbers_unchanged(self, value: Any) -> None:
        """Numbers are never prefixed: -0.5 is a number, not a formula."""
        assert csv_cell(value) is value

    def test_numpy_numbers_unchanged(self) -> None:
        """numpy scalars count as numbers too."""
        np = pytest.importorskip("numpy")
        value = np.float64(-0.25)
        assert csv_cell(value) is value


class TestCsvText:
    @pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
    def test_round_trip(self, payload: str) -> None:
        """csv.reader gives back every cell: the text (quoted if it starts like a formula)."""
        text = csv_text(["name", "share"], [[payload, -0.5], ["plain", 1]])
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows == [["name", "share"], [expected_cell(payload), "-0.5"], ["plain", "1"]]

    @pytest.mark.parametrize("text", ["a,b", "a;b", 'say "hi"', "a\tb", "a\nb", "a\rb"])
    def test_quotes_separators(self, text: str) -> None:
        """A cell holding a separator, a quote or a line break is quoted."""
        quoted = '"' + text.replace('"', '""') + '"'
        assert csv_text(["c"], [[text]]) == f"c\n{quoted}\n"

    def test_header_neutralised(self) -> None:
        """Column names are text cells too."""
        assert csv_text(["=x", "y"], []) == "'=x,y\n"


class TestMarkdownText:
    def render(self, text: str) -> _Page:
        markdown_it = pytest.importorskip("markdown_it")
        md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
        return parse_html(md.render(text))

    @pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
    @pytest.mark.parametrize(
        "template",
        ["{}", "- {}", "## {}", "before {} after", "1. {}", "> {}"],
        ids=["paragraph", "list", "heading", "inline", "ordered", "quote"],
    )
    def test_renders_literally(self, payload: str, template: str) -> None:
        """In any block, the escaped text renders as exactly the user's characters."""
        page = self.render(template.format(markdown_text(payload)))
        assert not page.tags & {"a", "img", "script", "em", "strong", "code", "s", "del", "b"}
        assert not page.tags & {"h1", "h3", "hr", "pre", "table", "br"}
        assert page.attributes == []
        assert norm(payload) in norm("".join(page.text))

    @pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
    def test_table_cell(self, payload: str) -> None:
        """In a table cell, a payload stays in its cell: the row keeps two cells."""
        markdown_it = pytest.importorskip("markdown_it")
        md = markdown_it.MarkdownIt("commonmark").enable("table")
        html = md.render(f"| a | b |\n|---|---|\n| {markdown_text(payload)} | z |\n")
        assert html.count("<td>") == 2
        page = parse_html(html)
        assert page.tags == {"table", "thead", "tbody", "tr", "th", "td"}
        assert norm(payload) in norm("".join(page.text))

    def test_raw_form(self) -> None:
        """The escapes themselves: backslashes, entities, spaces for line breaks."""
        assert markdown_text("[x](javascript:alert(1))") == r"\[x\]\(javascript:alert\(1\)\)"
        assert markdown_text("&lt;b&gt;") == "&amp;lt;b&amp;gt;"
        assert markdown_text("a\r\nb\nc") == "a b c"
        assert markdown_text("  # h") == r"\# h"
        assert markdown_text("12. x") == r"12\. x"
        assert markdown_text("plain words, no change.") == "plain words, no change."
