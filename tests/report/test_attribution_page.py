"""A report of a conversion-path table opens with its attribution (models side by side)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import cxgraph as cx
from cxgraph.cli import main
from cxgraph.report.credit import MODELS_SHOWN

PATHS = Path(__file__).resolve().parents[1] / "data" / "paths-small.csv"


def page(plots: bool = True) -> str:
    data = cx.paths(PATHS)
    return cx.analyze(data.to_journey()).to_html(plots=plots, paths=data)


def test_the_section_opens_the_page_with_every_model() -> None:
    html = page(plots=False)
    start = html.index('id="attribution"')
    assert start < html.index('id="analyses"')
    section = html[start : html.index("</section>", start)]
    heads = re.findall(r'<th class="num">(.*?)</th>', section)
    assert heads == [m.replace("_", " ") for m in MODELS_SHOWN]
    rows = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", section)
    assert [r[0] for r in rows] == ["a", "b", "c"]
    want = cx.attribution(cx.paths(PATHS), model=list(MODELS_SHOWN))
    first = [float(x) for x in re.findall(r'<td class="num">([\d.,]+)</td>', rows[0][1])]
    assert first == [round(c, 2) for c in want.findings[0].conversions]
    assert 'id="plot-attribution"' not in html


def test_with_plots_the_bar_chart_is_drawn() -> None:
    html = page()
    assert 'id="plot-attribution"' in html
    assert html.count('id="fig-attribution-attribution-bar-') == 3 * len(MODELS_SHOWN)


def test_a_journey_report_has_no_such_section() -> None:
    j = cx.load(Path(__file__).resolve().parents[2] / "examples" / "restaurant.yaml")
    assert 'id="attribution"' not in cx.analyze(j).to_html(plots=False)


def test_cxgraph_report_of_a_path_table(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "paths.html"
    code = main(["report", str(PATHS), "-o", str(target), "--no-plots"], stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    assert 'id="attribution"' in target.read_text(encoding="utf-8")


def test_a_broken_path_table_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("path,total_conversions\na > b,lots\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["report", str(bad), "-o", str(tmp_path / "x.html")], stdout=out, stderr=err)
    assert code == 1
    assert "cxgraph report: error:" in err.getvalue()
    assert "lots" in err.getvalue()
    assert not (tmp_path / "x.html").exists()
