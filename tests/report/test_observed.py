"""The report's "Observed in the log" section for a discovered journey."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import attrs
import pandas as pd

import cxgraph as cx
from cxgraph.report.observed import ENDS, SHOWN, observed_section

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "tests" / "data" / "running-example.csv"


def discovered() -> cx.Journey:
    return cx.discover(LOG, outcomes={"pay compensation": "success"})


def test_a_designed_journey_has_no_such_section() -> None:
    j = cx.load(ROOT / "examples" / "restaurant.yaml")
    assert observed_section(j) == ""
    assert 'id="observed"' not in cx.analyze(j).to_html(plots=False)


def test_slowest_transitions_first() -> None:
    page = cx.analyze(discovered()).to_html(plots=False)
    assert page.index('id="observed"') < page.index('id="analyses"')
    table = page[page.index('id="observed-times"') : page.index('id="observed-variants"')]
    rows = re.findall(r"<tr><td>(.*?)</td>.*?</tr>", table)
    assert len(rows) == SHOWN
    assert rows[0] == "decide \u2192 pay compensation"  # median 6.03 d, the slowest
    assert "6.03 d" in table
    assert "A case takes" in table


def test_top_variants() -> None:
    j = discovered()
    html = observed_section(j)
    part = html[html.index('id="observed-variants"') :]
    assert "6 cases took 6 distinct journeys" in part
    assert len(re.findall(r"<tr><td class=\"num\">\d+</td>", part)) == 6
    assert "16.7%" in part
    assert "100.0%" in part  # the six hold every case together


def test_names_are_escaped_and_long_variants_shortened() -> None:
    steps = [f"<b>step {i}</b>" for i in range(2 * ENDS + 3)]
    frame = pd.DataFrame(
        {
            "case": ["c1"] * len(steps),
            "activity": steps,
            "time": [f"2024-05-01T10:{i:02d}Z" for i in range(len(steps))],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.CxgraphWarning)
        j = cx.discover(frame, case="case", activity="activity", timestamp="time")
    html = observed_section(j)
    assert "<b>" not in html
    assert "&lt;b&gt;step 0&lt;/b&gt;" in html
    assert "\u2026 3 more \u2026" in html


def test_a_hand_edited_record_does_not_break_the_page() -> None:
    j = discovered()
    record = {**j.extensions["discover"], "times": {"transitions": ["oops", {"source": "x"}]}}
    broken = attrs.evolve(j, extensions={"discover": record})
    html = observed_section(broken)
    assert 'id="observed-times"' in html
