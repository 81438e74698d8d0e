"""Big journeys stay within bounds: huge counts in words, look-ups that build no message,
pictures the page leaves out past its step bound (design section 8)."""

from __future__ import annotations

import sys
from pathlib import Path

import attrs
import pytest
from tests.plot._geometry import generated

import cxgraph as cx
from cxgraph._util.numbers import COUNT_DIGITS, count_text
from cxgraph.report.page import EVERY_STEP_KINDS, PICTURE_STEPS
from cxgraph.report.report import Report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class TestCountText:
    @pytest.mark.parametrize(
        ("n", "text"),
        [
            (0, "0"),
            (10**COUNT_DIGITS - 1, "999,999,999,999,999"),
            (10**COUNT_DIGITS, "1.00e+15"),
            (-(10**20) * 7, "-7.00e+20"),
            (123_456 * 10**4995, "1.23e+5000"),
            (2**100_000, "9.99e+30102"),
        ],
        ids=[
            "zero",
            "largest-in-full",
            "smallest-scientific",
            "negative",
            "5001-digits",
            "2^100000",
        ],
    )
    def test_words(self, n: int, text: str) -> None:
        assert count_text(n) == text

    def test_never_converts_a_huge_integer_to_text(self) -> None:
        """Python refuses str() of an integer over its digit limit; count_text does not need it."""
        limit = sys.get_int_max_str_digits()
        assert count_text(10 ** (limit + 10)) == f"1.00e+{limit + 10}"


class TestHugePathCounts:
    """A path count of 5,001 digits (a 16,000-layer journey has more) in every format."""

    @pytest.fixture
    def report(self) -> Report:
        j = cx.load(EXAMPLES / "restaurant.yaml")
        huge = attrs.evolve(cx.branches(j), path_count=3 * 10**5000)
        return Report(journey=j, results={"branches": huge})

    def test_text_markdown_and_page(self, report: Report) -> None:
        assert "3.00e+5000 paths" in str(report)
        assert "3.00e+5000 paths" in report.to_markdown()
        assert "3.00e+5000" in report.to_html(plots=False)
        assert "3.00e+5000 paths" in repr(report["branches"])

    def test_json_stays_exact(self, report: Report) -> None:
        """JSON carries the records; the exact count stays on the result."""
        assert report.to_json()
        assert report["branches"].path_count == 3 * 10**5000


class TestRemovalEffectLookups:
    def test_get_and_in_build_no_message(self) -> None:
        """get() and `in` are plain look-ups; [] on a left-out step says why."""
        j = cx.load(EXAMPLES / "restaurant.yaml")
        effects = cx.markov(j).removal_effects(by="step")
        some = next(iter(effects))
        assert effects.get(some) == effects[some]
        assert effects.get("no-such-step") is None
        assert effects.get("no-such-step", 0.5) == 0.5
        assert some in effects
        assert "no-such-step" not in effects
        left = attrs.evolve(effects, left_out=("ghost",))
        assert left.get("ghost") is None
        with pytest.raises(KeyError, match="was left out: it lies in a loop over the size bound"):
            left["ghost"]


def test_page_leaves_out_every_step_pictures_past_the_bound() -> None:
    """Past PICTURE_STEPS steps the map, blueprint and graph are a note; the rest are drawn."""
    j = generated(PICTURE_STEPS + 5, 0)
    assert len(j.steps) > PICTURE_STEPS
    page = cx.analyze(j, analyses=["coverage"]).to_html()
    for kind in EVERY_STEP_KINDS:
        figure = page.split(f'<figure id="plot-{kind}">', 1)[1].split("</figure>", 1)[0]
        assert "<svg" not in figure
        assert f"Not drawn: the journey has {len(j.steps):,} steps" in figure
        assert f"cxgraph render FILE --kind {kind}" in figure
    for kind in ("emotion", "silos"):
        figure = page.split(f'<figure id="plot-{kind}">', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in figure
