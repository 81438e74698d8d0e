"""Persona slices: analyze(persona=), --persona on the command line, the per-persona table."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
B2B = EXAMPLES / "b2b_software.yaml"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", ["restaurant", "b2b_software"])
def test_analyze_for_a_persona_analyses_its_slice(name: str) -> None:
    j = cx.load(EXAMPLES / f"{name}.yaml")
    for p in j.personas:
        report = cx.analyze(j, persona=p.id)
        sliced = cx.analyze(cx.for_persona(j, p.id))
        assert report.persona == p.id
        assert report.journey == sliced.journey
        assert report.to_json() == sliced.to_json()
        assert str(report).startswith(
            f"Report on journey {j.id!r} ({j.name}), for persona {p.id!r}"
        )


def test_an_unknown_persona_names_the_known_ones() -> None:
    j = cx.load(B2B)
    with pytest.raises(cx.CxgraphError, match=r"unknown persona 'nobody' \(personas: "):
        cx.analyze(j, persona="nobody")


def test_the_page_has_a_row_per_persona_with_its_numbers() -> None:
    j = cx.load(B2B)
    page = cx.analyze(j).to_html(plots=False)
    table = page.split('id="by-persona"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", table)
    assert [name for name, _ in rows] == [p.name.replace("&", "&amp;") for p in j.personas]
    for p, (_, cells) in zip(j.personas, rows, strict=True):
        numbers = re.findall(r'<td class="num">([^<]*)</td>', cells)
        sliced = cx.for_persona(j, p.id)
        assert numbers[1:] == [
            f"{len(cx.unowned_handoffs(sliced).chains):,}",
            f"{len(cx.silo_boundaries(sliced)):,}",
            f"{len(cx.moments_of_truth(sliced)):,}",
        ]


def test_a_persona_page_has_no_persona_table_and_says_whose_it_is() -> None:
    j = cx.load(B2B)
    p = j.personas[0]
    page = cx.analyze(j, persona=p.id).to_html(plots=False)
    assert 'id="by-persona"' not in page
    assert f"For one persona: {p.name}" in page


class TestCommandLine:
    def test_analyze_persona(self) -> None:
        j = cx.load(B2B)
        code, out, err = run("analyze", str(B2B), "--persona", j.personas[0].id)
        assert (code, err) == (0, "")
        assert f"for persona {j.personas[0].id!r}" in out

    def test_report_persona(self, tmp_path: Path) -> None:
        j = cx.load(B2B)
        target = tmp_path / "p.html"
        code, _, err = run("report", str(B2B), "--persona", j.personas[1].id, "-o", str(target))
        assert (code, err) == (0, "")
        assert "For one persona" in target.read_text(encoding="utf-8")

    @pytest.mark.parametrize("command", ["analyze", "report"])
    def test_unknown_persona_is_a_usage_error(self, command: str, tmp_path: Path) -> None:
        code, _, err = (
            run(command, str(B2B), "--persona", "nobody", "-o", str(tmp_path / "x.html"))
            if command == "report"
            else run(command, str(B2B), "--persona", "nobody")
        )
        assert code == 2
        assert err == (
            f"cxgraph {command}: error: unknown persona 'nobody' for --persona (the journey's "
            "personas: champion, economic-buyer)\n"
        )
        assert not (tmp_path / "x.html").exists()
