"""Tests for the weakest touchpoints (cxgraph.analyses.weakest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.analyses.weakest import WEIGHTS, WeakestTouchpoints, weakest_touchpoints
from strategies import journeys

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

METRIC = [cx.Metric(name="CSAT", kind="csat")]


def _clinic(**edge: Any) -> cx.Journey:
    """Six touchpoints with hand-picked signals (see the score table in each test).

    ``edge`` gives how 'b' splits between 'win' and 'lose': probabilities,
    counts, or nothing (equal shares of options).
    """
    split = edge or {}

    def tr(source: str, target: str, share: float = 1.0, count: int = 1) -> cx.Transition:
        # Every edge carries the same kind of weight, or the basis would be 'mixed'.
        if "probability" in split:
            return cx.Transition(source=source, target=target, probability=share)
        if "count" in split:
            return cx.Transition(source=source, target=target, count=count)
        return cx.Transition(source=source, target=target)

    return cx.Journey(
        id="clinic",
        name="Clinic",
        touchpoints=[
            cx.Touchpoint(
                id="a",
                name="Waiting room",
                emotion=-3,
                pain_points=["Long wait", "No seats"],
                trust="erodes",
            ),
            cx.Touchpoint(id="b", name="Triage", emotion=-1, metrics=METRIC),
            cx.Touchpoint(id="c", name="Consultation", emotion=2, metrics=METRIC),
            cx.Touchpoint(id="e", name="Prescription"),
            cx.Touchpoint(id="d", name="Pharmacy", pain_points=["Out of stock"]),
            cx.Touchpoint(id="f", name="Follow-up call"),
        ],
        outcomes=[
            cx.Outcome(id="win", name="Treated", kind="success"),
            cx.Outcome(id="lose", name="Left untreated", kind="failure"),
        ],
        entries=["a"],
        transitions=[
            tr("a", "b"),
            tr("b", "lose", 0.4, 2),
            tr("b", "c", 0.6, 3),
            tr("c", "e"),
            tr("e", "d"),
            tr("d", "f"),
            tr("f", "win"),
        ],
    )


def _found(result: WeakestTouchpoints) -> list[tuple[str, float, tuple[str, ...]]]:
    return [(w.step, w.score, w.reasons) for w in result]


class TestWeakestTouchpoints:
    def test_score_table_by_hand(self) -> None:
        """Each touchpoint's score is the sum of its rows in the table.

        a: emotion -3 (3) + 2 pain points (2) + erodes trust (2) + no metric (1) = 8.
        b: emotion -1 (1) + 40% straight to 'lose' (3 x 0.4 = 1.2) = 2.2.
        d: 1 pain point (1) + no metric (1) = 2.
        e, f: no metric (1) each, tied, so by id.
        c: positive emotion, a metric, no drop: 0, so not weak at all.
        """
        result = weakest_touchpoints(_clinic(probability=True), n=10)
        assert _found(result) == [
            ("a", 8.0, ("emotion -3", "2 pain points", "erodes trust", "no metric")),
            ("b", 2.2, ("emotion -1", "40% drop to failure")),
            ("d", 2.0, ("1 pain point", "no metric")),
            ("e", 1.0, ("no metric",)),
            ("f", 1.0, ("no metric",)),
        ]
        assert (result.weak, result.truncated, result.drop_basis) == (5, False, "probability")

    def test_counts_are_known_probabilities(self) -> None:
        """Counts 2:3 are a 40% drop, just like probabilities 0.4:0.6."""
        result = weakest_touchpoints(_clinic(count=True))
        assert result[1].reasons == ("emotion -1", "40% drop to failure")
        assert result[1].score == pytest.approx(2.2)
        assert result.drop_basis == "probability"

    def test_share_of_options_when_unknown(self) -> None:
        """Without probabilities, 1 of b's 2 options goes to failure: 3 x 1/2 = 1.5, + 1 = 2.5."""
        result = weakest_touchpoints(_clinic())
        assert result[1].step == "b"
        assert result[1].score == 2.5
        assert result[1].reasons == ("emotion -1", "1 of 2 options to failure")
        assert result.drop_basis == "options"

    def test_drop_to_exit_and_failure(self) -> None:
        """Failure and exit outcomes both count and are named; a success does not.

        From 'ask': 0.2 to 'gone' (exit) + 0.3 to 'lost' (failure) = 50%,
        3 x 0.5 = 1.5, plus 1 for no metric.
        """
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id="ask", name="Ask")],
            outcomes=[
                cx.Outcome(id="won", name="Won", kind="success"),
                cx.Outcome(id="lost", name="Lost", kind="failure"),
                cx.Outcome(id="gone", name="Gone", kind="exit"),
            ],
            transitions=[
                cx.Transition(source="ask", target="won", probability=0.5),
                cx.Transition(source="ask", target="lost", probability=0.3),
                cx.Transition(source="ask", target="gone", probability=0.2),
            ],
        )
        assert _found(weakest_touchpoints(j)) == [
            ("ask", 2.5, ("50% drop to failure or exit", "no metric")),
        ]

    def test_zero_probability_drop_is_no_drop(self) -> None:
        """An edge to failure with probability 0 loses nobody and adds nothing."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id="ask", name="Ask", metrics=METRIC)],
            outcomes=[
                cx.Outcome(id="won", name="Won", kind="success"),
                cx.Outcome(id="lost", name="Lost", kind="failure"),
            ],
            transitions=[
                cx.Transition(source="ask", target="won", probability=1.0),
                cx.Transition(source="ask", target="lost", probability=0.0),
            ],
        )
        assert len(weakest_touchpoints(j)) == 0

    def test_n_bounds_and_reports_truncation(self) -> None:
        """n keeps the weakest n; the result says how many were weak and that it cut."""
        result = weakest_touchpoints(_clinic(probability=True), n=2)
        assert [w.step for w in result] == ["a", "b"]
        assert (result.n, result.weak, result.truncated) == (2, 5, True)
        assert result.summary() == "5 weak touchpoints, the weakest 2 shown"

    @pytest.mark.parametrize("n", [0, -1, 2.5, "3", True, None])
    def test_bad_n(self, n: Any) -> None:
        """n must be a positive integer (not a bool, float or string)."""
        with pytest.raises(
            ValueError,
            match=r"weakest_touchpoints\(n=.*\): n must be a positive integer \(1 or more\)",
        ):
            weakest_touchpoints(_clinic(), n=n)

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"weakest_touchpoints\(\) takes a Journey, got list"):
            weakest_touchpoints([])  # type: ignore[arg-type]

    def test_describe_and_records(self) -> None:
        """A finding reads as the named step, its score and its reasons."""
        result = weakest_touchpoints(_clinic(probability=True))
        assert result.describe(result[1]) == (
            "'Triage' (b) scores 2.2: emotion -1, 40% drop to failure"
        )
        assert result.to_records()[0] == {
            "step": "a",
            "score": 8.0,
            "reasons": ("emotion -3", "2 pain points", "erodes trust", "no metric"),
        }
        assert result.summary() == "5 weak touchpoints"
        assert "Weakest touchpoints" in result._repr_html_()
        hash(result)

    def test_weights_documented(self) -> None:
        """The weights are the ones in the docstring table."""
        assert dict(WEIGHTS) == {
            "emotion": 1.0,
            "pain_point": 1.0,
            "drop": 3.0,
            "erodes_trust": 2.0,
            "no_metric": 1.0,
        }

    @given(journeys(), st.integers(1, 10))
    def test_sorted_and_bounded(self, journey: cx.Journey, n: int) -> None:
        """At most n findings, weakest first, ties by id, every one with a positive score."""
        result = weakest_touchpoints(journey, n=n)
        keys = [(-w.score, w.step) for w in result]
        assert keys == sorted(keys)
        assert len(result) == min(n, result.weak)
        assert all(w.score > 0 and w.reasons for w in result)
        assert result == weakest_touchpoints(journey, n=n)

    def test_restaurant_golden(self) -> None:
        """Restaurant example, by the table.

        order-meal: 1 pain point + erodes trust + no metric = 4. browse-menu:
        2 pain points + no metric = 3. book-by-phone: emotion -1 + 1 pain
        point = 2 (it has a metric). catering-enquiry: 1 pain point + no
        metric = 2. read-reviews: no metric + 20% to
        'chose-elsewhere' (3 x 0.2) = 1.6. Then arrive-and-seat, join-loyalty
        (no metric) and pay-bill (1 pain point) at 1, discover-online at 0.3
        (10% to 'chose-elsewhere'): nine weak touchpoints.
        """
        result = weakest_touchpoints(cx.load(EXAMPLES / "restaurant.yaml"))
        assert _found(result) == [
            ("order-meal", 4.0, ("1 pain point", "erodes trust", "no metric")),
            ("browse-menu", 3.0, ("2 pain points", "no metric")),
            ("book-by-phone", 2.0, ("emotion -1", "1 pain point")),
            ("catering-enquiry", 2.0, ("1 pain point", "no metric")),
            ("read-reviews", 1.6, ("20% drop to exit", "no metric")),
        ]
        full = weakest_touchpoints(cx.load(EXAMPLES / "restaurant.yaml"), n=20)
        assert [w.step for w in full][5:] == [
            "arrive-and-seat",
            "join-loyalty",
            "pay-bill",
            "discover-online",
        ]
        assert full[-1].score == pytest.approx(0.3)
        assert (result.weak, result.truncated) == (9, True)

    def test_b2b_golden(self) -> None:
        """B2B example, by the table.

        engineer-troubleshoots: emotion -2 + 2 pain points + erodes trust = 6.
        sdr-outreach: emotion -1 + 2 pain points + erodes trust + 20% to
        'no-decision' (0.6) = 5.6. nurture-email: -1 + 2 + 2 = 5. renewal-quote
        and website-chat: -1 + 1 + 2 = 4 (tied, by id). support-case: -2 + 1 =
        3. Then online-cart (2 pain points + 20% drop = 2.6), website-visit
        (60% drop, 1.8) and discovery-call (no metric + 10% drop, 1.3).
        """
        result = weakest_touchpoints(cx.load(EXAMPLES / "b2b_software.yaml"), n=9)
        assert _found(result) == [
            ("engineer-troubleshoots", 6.0, ("emotion -2", "2 pain points", "erodes trust")),
            (
                "sdr-outreach",
                5.6,
                ("emotion -1", "2 pain points", "20% drop to exit", "erodes trust"),
            ),
            ("nurture-email", 5.0, ("emotion -1", "2 pain points", "erodes trust")),
            ("renewal-quote", 4.0, ("emotion -1", "1 pain point", "erodes trust")),
            ("website-chat", 4.0, ("emotion -1", "1 pain point", "erodes trust")),
            ("support-case", 3.0, ("emotion -2", "1 pain point")),
            ("online-cart", 2.6, ("2 pain points", "20% drop to exit")),
            ("website-visit", 1.8, ("60% drop to exit",)),
            ("discovery-call", 1.3, ("10% drop to exit", "no metric")),
        ]
        assert result.weak == 16
