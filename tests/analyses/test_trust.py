"""Tests for trust and value (cxgraph.analyses.trust)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import networkx as nx
import pytest
from hypothesis import given

import cxgraph as cx
from cxgraph.analyses.trust import (
    ERODING_SHARE,
    TrustAndValue,
    TrustPhase,
    TrustSummary,
    trust_and_value,
)
from cxgraph.graph import entry_weights
from strategies import journeys, loop_journeys, probabilistic_journeys

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Edge = tuple[str, str] | tuple[str, str, float]


def _j(
    edges: Iterable[Edge],
    touchpoints: Mapping[str, Mapping[str, Any]],
    *,
    phases: Iterable[str] = ("awareness", "purchase", "retention", "advocacy"),
    personas: Iterable[str] = (),
    decisions: Iterable[str] = (),
    success: Iterable[str] = ("won",),
    failure: Iterable[str] = (),
    exits: Iterable[str] = ("gone",),
    entries: Iterable[str] = (),
    counts: bool = False,
) -> cx.Journey:
    """A journey from an edge list; ``touchpoints`` maps each touchpoint id to its fields.

    ``(u, v, p)`` carries probability ``p`` (or, with ``counts``, count
    ``round(10 * p)``); the name of a touchpoint is its id in capitals.
    Outcomes no edge mentions are left out.
    """
    edges = list(edges)
    kinds = {
        **dict.fromkeys(success, "success"),
        **dict.fromkeys(failure, "failure"),
        **dict.fromkeys(exits, "exit"),
    }
    used = {s for e in edges for s in e[:2]}

    def weight(e: Edge) -> dict[str, Any]:
        if len(e) < 3:
            return {}
        return {"count": round(10 * e[2])} if counts else {"probability": e[2]}

    return cx.Journey(
        id="j",
        name="J",
        personas=[cx.Persona(id=p, name=p.title()) for p in personas],
        phases=[cx.Phase(id=p, name=p.title()) for p in phases],
        touchpoints=[
            cx.Touchpoint(id=t, name=t.upper(), **fields) for t, fields in touchpoints.items()
        ],
        decision_points=[
            cx.DecisionPoint(id=d, name=d.upper(), decided_by="customer") for d in decisions
        ],
        outcomes=[cx.Outcome(id=o, name=o.title(), kind=k) for o, k in kinds.items() if o in used],
        entries=list(entries),
        transitions=[cx.Transition(source=e[0], target=e[1], **weight(e)) for e in edges],
    )


def _rows(result: TrustAndValue, persona: str | None = None) -> list[tuple[Any, ...]]:
    return [
        (r.phase, r.builds, r.erodes, r.balance, r.product, r.relationship)
        for r in result
        if r.persona == persona
    ]


#: reviews -> wait -> eat -> club -> tell, with exits on the way (see TestByHand).
DINNER_EDGES: list[Edge] = [
    ("reviews", "wait", 0.6),
    ("reviews", "gone", 0.4),
    ("wait", "eat", 1.0),
    ("eat", "club", 0.5),
    ("eat", "won", 0.5),
    ("club", "tell", 0.4),
    ("club", "won", 0.6),
    ("tell", "won", 1.0),
]
DINNER_TOUCHPOINTS: dict[str, dict[str, Any]] = {
    "reviews": {"phase": "awareness", "trust": "builds"},
    "wait": {"phase": "purchase", "trust": "erodes"},
    "eat": {"phase": "purchase", "trust": "builds", "value": "product"},
    "club": {"phase": "retention", "value": "relationship"},
    "tell": {"phase": "advocacy", "trust": "builds", "value": "relationship"},
}


def _dinner(**options: Any) -> cx.Journey:
    return _j(DINNER_EDGES, DINNER_TOUCHPOINTS, **options)


#: Two personas: solo diners walk in, pairs book; both eat (see TestPersonas).
PERSONA_EDGES: list[Edge] = [
    ("door", "walkin", 0.5),
    ("door", "booked", 0.3),
    ("door", "gone", 0.2),
    ("walkin", "meal", 1.0),
    ("booked", "meal", 1.0),
    ("meal", "club", 0.5),
    ("meal", "won", 0.5),
    ("club", "won", 1.0),
]
PERSONA_TOUCHPOINTS: dict[str, dict[str, Any]] = {
    "door": {"phase": "awareness", "trust": "builds"},
    "walkin": {"phase": "purchase", "trust": "erodes", "personas": ["solo"]},
    "booked": {"phase": "purchase", "trust": "builds", "value": "product", "personas": ["pair"]},
    "meal": {"phase": "purchase", "trust": "builds", "value": "product"},
    "club": {"phase": "retention", "value": "relationship", "personas": ["pair"]},
}


def _pairs() -> cx.Journey:
    return _j(
        PERSONA_EDGES,
        PERSONA_TOUCHPOINTS,
        phases=("awareness", "purchase", "retention"),
        personas=("solo", "pair"),
    )


class TestByHand:
    def test_counts_and_balance_with_probabilities(self) -> None:
        """Counts are touchpoints; balance runs over phases weighted by visit probability.

        Visit probabilities: reviews 1, wait 0.6, eat 0.6, club 0.6 x 0.5 = 0.3,
        tell 0.3 x 0.4 = 0.12.
        awareness: +1 (reviews)                       balance 1
        purchase:  -0.6 (wait) + 0.6 (eat)            balance 1
        retention: nothing about trust                balance 1
        advocacy:  +0.12 (tell)                       balance 1.12
        """
        result = trust_and_value(_dinner())
        assert _rows(result) == [
            ("awareness", 1, 0, 1.0, 0, 0),
            ("purchase", 1, 1, 1.0, 1, 0),
            ("retention", 0, 0, 1.0, 0, 1),
            ("advocacy", 1, 0, pytest.approx(1.12), 0, 1),
        ]
        assert result.basis == "probability"
        assert result.probabilities_known

    def test_summary_with_probabilities(self) -> None:
        """Value turns relational in retention (1 relationship > 0 product); wait erodes for 60%.

        purchase has 1 product and 0 relationship touchpoints, so the shift
        is retention; wait (0.6 >= 0.5) is erosion, no other touchpoint erodes.
        """
        result = trust_and_value(_dinner())
        assert result.summaries[None] == TrustSummary(
            persona=None, value_shift="retention", erosion=("wait",)
        )
        assert dict(result.shares[None]) == {"wait": pytest.approx(0.6)}
        assert result.summary() == (
            "Trust erodes at 'WAIT' (60% of journeys); value turns relational in phase "
            "'Retention'; each touchpoint weighs the share of journeys that visit it "
            "(from the map's probabilities)"
        )

    def test_counts_weigh_like_probabilities(self) -> None:
        """With counts the shares are data too: weights are their visit probabilities.

        reviews -> wait 6 of 10 and so on: the same shares as with
        probabilities, so the same balance (1, 1, 1, 1.12) and basis 'count'.
        """
        result = trust_and_value(_dinner(counts=True))
        assert result.basis == "count"
        assert [r.balance for r in result] == pytest.approx([1.0, 1.0, 1.0, 1.12])
        assert result.summaries[None].erosion == ("wait",)
        assert "(from the counts on the map)" in result.summary()

    def test_visit_probability_not_expected_visits(self) -> None:
        """A touchpoint visited twice on average still weighs its visit probability, 1.

        ask -> ask 0.5, ask -> won 0.5: expected visits 2, visit probability
        1, so the balance is -1 (not -2) and ask is erosion at 100%.
        """
        j = _j(
            [("ask", "ask", 0.5), ("ask", "won", 0.5)],
            {"ask": {"phase": "purchase", "trust": "erodes"}},
            phases=("purchase",),
            entries=["ask"],
        )
        result = trust_and_value(j)
        assert _rows(result) == [("purchase", 0, 1, -1.0, 0, 0)]
        assert dict(result.shares[None]) == {"ask": pytest.approx(1.0)}

    def test_without_probabilities_every_touchpoint_counts_once(self) -> None:
        """Basis uniform: weights are 1, so the balance is builds minus erodes so far.

        awareness +1 = 1; purchase -1 + 1 = 1; retention 1; advocacy +1 = 2.
        """
        edges = [e[:2] for e in DINNER_EDGES]
        result = trust_and_value(_j(edges, DINNER_TOUCHPOINTS))
        assert result.basis == "uniform"
        assert not result.probabilities_known
        assert [r.balance for r in result] == [1.0, 1.0, 1.0, 2.0]
        assert result.summary().endswith(
            "; each touchpoint counts once (the map gives no probabilities), erosion judged by "
            "paths"
        )

    def test_mixed_basis_counts_once(self) -> None:
        """Probabilities out of some steps only (basis mixed): every touchpoint counts once.

        a splits 0.5/0.5 by probability, b's two ways out have no numbers:
        balance +1 (a builds) - 1 (b erodes) = 0, though b is reached by half.
        """
        j = _j(
            [("a", "b", 0.5), ("a", "won", 0.5), ("b", "won"), ("b", "gone")],
            {"a": {"phase": "p1", "trust": "builds"}, "b": {"phase": "p1", "trust": "erodes"}},
            phases=("p1",),
        )
        result = trust_and_value(j)
        assert result.basis == "mixed"
        assert _rows(result) == [("p1", 1, 1, 0.0, 0, 0)]
        assert "(the map gives probabilities for some steps only)" in result.summary()

    def test_structural_erosion_is_what_every_path_passes(self) -> None:
        """Without probabilities, erosion is an eroding touchpoint on every path to any end.

        a (erodes) -> x (customer decision); x -> e (erodes) -> won,
        x -> b (erodes) -> won, x -> lost. a lies on every path; e and b each
        lie on one branch, and the path x -> lost avoids both.
        """
        j = _j(
            [("a", "x"), ("x", "e"), ("x", "b"), ("x", "lost"), ("e", "won"), ("b", "won")],
            {t: {"phase": "purchase", "trust": "erodes"} for t in ("a", "e", "b")},
            phases=("purchase",),
            decisions=("x",),
            failure=("lost",),
        )
        result = trust_and_value(j)
        assert result.summaries[None].erosion == ("a",)
        assert dict(result.shares[None]) == {}
        assert result.headline(None) == (
            "Trust erodes at 'A' (every path passes it); value never turns relational "
            "(no phase has more relationship than product touchpoints)"
        )

    def test_structural_dead_end_is_an_end(self) -> None:
        """A step with no way on ends the journey: a path to it need not pass later steps.

        a -> b (erodes) -> won and a -> stuck (no way out): b is not on the
        path a -> stuck, so no erosion; a (erodes too) is on both.
        """
        j = _j(
            [("a", "b"), ("a", "stuck"), ("b", "won")],
            {
                "a": {"phase": "purchase", "trust": "erodes"},
                "b": {"phase": "purchase", "trust": "erodes"},
                "stuck": {"phase": "purchase"},
            },
            phases=("purchase",),
        )
        assert trust_and_value(j).summaries[None].erosion == ("a",)

    def test_erosion_threshold_is_half_inclusive(self) -> None:
        """Exactly half the journeys counts; a hair under does not.

        walkin is visited by 0.5 of journeys (door -> walkin 0.5), booked by 0.3.
        """
        result = trust_and_value(_pairs())
        assert ERODING_SHARE == 0.5
        assert result.summaries[None].erosion == ("walkin",)
        j = _j(
            [("door", "walkin", 0.49), ("door", "gone", 0.51), ("walkin", "won", 1.0)],
            {"door": {}, "walkin": {"phase": "purchase", "trust": "erodes"}},
            phases=("purchase",),
        )
        assert trust_and_value(j).summaries[None].erosion == ()

    def test_erosion_ranks_by_share_then_id(self) -> None:
        """Erosion lists the most visited first; equal shares by id.

        door -> c 0.5, door -> b 0.5, c -> d 0.5, all four erode: shares
        door 1, b 0.5, c 0.5, d 0.5 x 0.5 = 0.25 (left out): order door, b, c.
        """
        j = _j(
            [
                ("door", "c", 0.5),
                ("door", "b", 0.5),
                ("c", "d", 0.5),
                ("c", "won", 0.5),
                ("b", "won", 1.0),
                ("d", "won", 1.0),
            ],
            {t: {"phase": "purchase", "trust": "erodes"} for t in ("door", "c", "b", "d")},
            phases=("purchase",),
        )
        result = trust_and_value(j)
        assert result.summaries[None].erosion == ("door", "b", "c")
        assert result.headline(None).startswith(
            "Trust erodes at 'DOOR' (100% of journeys), 'B' (50% of journeys) and "
            "'C' (50% of journeys);"
        )

    def test_value_shift_needs_more_not_as_many(self) -> None:
        """A tie between relationship and product is no shift; the first phase with more is.

        p1: 1 product, 1 relationship (tie); p2: 0 and 2 (shift); p3: 0 and 1.
        """
        tps = {
            "a": {"phase": "p1", "value": "product"},
            "b": {"phase": "p1", "value": "relationship"},
            "c": {"phase": "p2", "value": "relationship"},
            "d": {"phase": "p2", "value": "relationship"},
            "e": {"phase": "p3", "value": "relationship"},
        }
        edges = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "won")]
        result = trust_and_value(_j(edges, tps, phases=("p1", "p2", "p3")))
        assert result.summaries[None].value_shift == "p2"
        assert [(r.product, r.relationship) for r in result] == [(1, 1), (0, 2), (0, 1)]

    def test_touchpoints_without_a_phase_come_last(self) -> None:
        """Phaseless touchpoints get a last row, phase None, and never a value shift.

        p1: a (builds, product); no phase: b (erodes), c (relationship) and d
        (relationship). Balance 1, then 1 - 1 = 0; relationship 2 > 0 in the
        None row, but value_shift stays None.
        """
        tps = {
            "a": {"phase": "p1", "trust": "builds", "value": "product"},
            "b": {"trust": "erodes"},
            "c": {"value": "relationship"},
            "d": {"value": "relationship"},
        }
        edges = [("a", "b"), ("b", "c"), ("c", "d"), ("d", "won")]
        result = trust_and_value(_j(edges, tps, phases=("p1",)))
        assert _rows(result) == [("p1", 1, 0, 1.0, 1, 0), (None, 0, 1, 0.0, 0, 2)]
        assert result.summaries[None].value_shift is None
        assert result.describe(result[1]) == (
            "All journeys, touchpoints with no phase: 0 build trust, 1 erodes it "
            "(balance +0.00 so far); value: 0 product, 2 relationship"
        )

    def test_a_journey_without_phases_has_one_row(self) -> None:
        """No phases at all: one row, phase None, holding every touchpoint."""
        result = trust_and_value(
            _j([("a", "won")], {"a": {"trust": "builds", "value": "product"}}, phases=())
        )
        assert _rows(result) == [(None, 1, 0, 1.0, 1, 0)]

    def test_unreached_touchpoint_weighs_nothing(self) -> None:
        """A touchpoint no entry reaches is counted but, with probabilities, weighs 0.

        Entries: only a. z (erodes) has no way in from a: visit probability 0,
        so the balance is +1 (a) with erodes still counted 1.
        """
        j = _j(
            [("a", "won", 1.0), ("z", "won", 1.0)],
            {"a": {"phase": "p1", "trust": "builds"}, "z": {"phase": "p1", "trust": "erodes"}},
            phases=("p1",),
            entries=["a"],
        )
        assert _rows(trust_and_value(j)) == [("p1", 1, 1, 1.0, 0, 0)]

    def test_no_trust_or_value_at_all(self) -> None:
        """A journey that never sets trust or value: no records, and the summary says so."""
        j = _j([("a", "won")], {"a": {"phase": "purchase"}}, personas=("p",))
        result = trust_and_value(j)
        assert result.findings == ()
        assert not result.marked
        assert result.summary() == (
            "no touchpoint says whether it builds or erodes trust or which value it gives: "
            "set trust and value on the touchpoints"
        )
        assert result.lines() == []
        assert result.line_count() == 0
        assert result.summaries == {
            None: TrustSummary(persona=None, value_shift=None, erosion=()),
            "p": TrustSummary(persona="p", value_shift=None, erosion=()),
        }
        assert result.to_records() == []
        assert result.columns() == [
            "persona",
            "phase",
            "builds",
            "erodes",
            "balance",
            "product",
            "relationship",
        ]

    def test_a_closed_loop_falls_back_to_paths(self) -> None:
        """When the Markov model cannot be built, weights are 1 and a note says why.

        a -> b -> a with no way out: markov() refuses; the balance counts
        a (erodes) and b (builds) once each, and no end is reachable, so
        nothing lies on every path to one.
        """
        j = _j(
            [("a", "b"), ("b", "a")],
            {"a": {"phase": "p1", "trust": "erodes"}, "b": {"phase": "p1", "trust": "builds"}},
            phases=("p1",),
            entries=["a"],
        )
        result = trust_and_value(j)
        assert result.basis is None
        assert "closed loop" in result.notes[None]
        assert (
            "each touchpoint counts once (no Markov model: the journey 'j' has a closed loop"
            in (result.summary())
        )
        assert _rows(result) == [("p1", 1, 1, 0.0, 0, 0)]
        assert result.summaries[None].erosion == ()

    def test_records_describe_and_lines(self) -> None:
        """Records carry the seven columns; lines give each slice's headline, then the rows."""
        result = trust_and_value(_dinner())
        assert result.to_records()[1] == {
            "persona": None,
            "phase": "purchase",
            "builds": 1,
            "erodes": 1,
            "balance": 1.0,
            "product": 1,
            "relationship": 0,
        }
        assert result.lines(2) == [
            "All journeys: trust erodes at 'WAIT' (60% of journeys); value turns relational "
            "in phase 'Retention'",
            "All journeys, 'Awareness': 1 builds trust, 0 erode it (balance +1.00 so far); "
            "value: 0 product, 0 relationship",
            "... and 3 more",
        ]
        assert result.line_count() == 5
        assert repr(result).startswith("<TrustAndValue: Trust erodes at 'WAIT'")
        assert "<table" in result._repr_html_()

    def test_rejects_what_is_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"trust_and_value\(\) takes a Journey, got dict"):
            trust_and_value({})  # type: ignore[arg-type]


class TestPersonas:
    def test_rows_per_persona_by_hand(self) -> None:
        """Each persona's rows come from the journey it travels, probabilities renormalised.

        All: visits door 1, walkin 0.5, booked 0.3, meal 0.8, club 0.4.
          awareness +1 = 1; purchase -0.5 + 0.3 + 0.8 = +0.6 -> 1.6; retention 1.6.
        solo (booked and club dropped): door -> walkin 0.5 / 0.7 = 5/7,
          door -> gone 2/7; meal -> won 1. Visits walkin 5/7, meal 5/7.
          awareness 1; purchase -5/7 + 5/7 = 0 -> 1; retention 1.
        pair (walkin dropped): door -> booked 0.3 / 0.5 = 0.6, door -> gone 0.4.
          Visits booked 0.6, meal 0.6, club 0.3.
          awareness 1; purchase +0.6 + 0.6 -> 2.2; retention 2.2.
        """
        result = trust_and_value(_pairs())
        assert _rows(result) == [
            ("awareness", 1, 0, 1.0, 0, 0),
            ("purchase", 2, 1, pytest.approx(1.6), 2, 0),
            ("retention", 0, 0, pytest.approx(1.6), 0, 1),
        ]
        assert _rows(result, "solo") == [
            ("awareness", 1, 0, 1.0, 0, 0),
            ("purchase", 1, 1, pytest.approx(1.0), 1, 0),
            ("retention", 0, 0, pytest.approx(1.0), 0, 0),
        ]
        assert _rows(result, "pair") == [
            ("awareness", 1, 0, 1.0, 0, 0),
            ("purchase", 2, 0, pytest.approx(2.2), 2, 0),
            ("retention", 0, 0, pytest.approx(2.2), 0, 1),
        ]
        assert [r.persona for r in result] == [None] * 3 + ["solo"] * 3 + ["pair"] * 3

    def test_summaries_per_persona(self) -> None:
        """solo: walkin at 5/7, no shift (no club); pair: no erosion, shift in retention."""
        result = trust_and_value(_pairs())
        assert result.summaries["solo"] == TrustSummary(
            persona="solo", value_shift=None, erosion=("walkin",)
        )
        assert result.shares["solo"]["walkin"] == pytest.approx(5 / 7)
        assert result.summaries["pair"] == TrustSummary(
            persona="pair", value_shift="retention", erosion=()
        )
        assert result.bases == {None: "probability", "solo": "probability", "pair": "probability"}
        assert result.lines()[:3] == [
            "All journeys: trust erodes at 'WALKIN' (50% of journeys); value turns "
            "relational in phase 'Retention'",
            "'Solo': trust erodes at 'WALKIN' (71% of journeys); value never turns relational "
            "(no phase has more relationship than product touchpoints)",
            "'Pair': no eroding touchpoint is visited by half the journeys; value turns "
            "relational in phase 'Retention'",
        ]

    def test_same_as_for_persona(self) -> None:
        """A persona's rows are the all-journeys rows of cx.for_persona(journey, persona)."""
        j = _pairs()
        result = trust_and_value(j)
        for p in ("solo", "pair"):
            sliced = trust_and_value(cx.for_persona(j, p))
            assert _rows(result, p) == _rows(sliced)
            assert attrs.evolve(result.summaries[p], persona=None) == sliced.summaries[None]

    def test_a_persona_no_entry_serves(self) -> None:
        """A persona with no entry of theirs has no rows and is named in the summary.

        The only entry, s, is for persona p: q's journey cannot start
        (cx.for_persona refuses it too).
        """
        j = _j(
            [("s", "t"), ("t", "won")],
            {"s": {"personas": ["p"], "trust": "builds", "phase": "p1"}, "t": {"phase": "p1"}},
            phases=("p1",),
            personas=("p", "q"),
        )
        result = trust_and_value(j)
        assert result.without_entry == ("q",)
        assert {r.persona for r in result} == {None, "p"}
        assert result.summaries["q"] == TrustSummary(persona="q", value_shift=None, erosion=())
        assert result.summary().endswith("; no entry serves 'Q'")
        assert not any(line.startswith("'Q'") for line in result.lines())
        with pytest.raises(cx.EditError, match="no journey of persona 'q' can start"):
            cx.for_persona(j, "q")


class TestExamples:
    def test_restaurant(self) -> None:
        """Trust erodes at ordering for 69% of diners; value turns relational in retention.

        order-meal follows arrive-and-seat, reached from dp-how-to-visit with
        0.45 + 0.2 + 0.25 x 0.8 = 0.85. dp-how-to-visit is reached from
        read-reviews with 0.8, from browse-menu with 0.75 + 0.25 x 0.8 = 0.95,
        from discover-online with 0.6 x 0.95 + 0.3 x 0.8 = 0.81; entries 0.7
        discover-online and 0.3 read-reviews: 0.7 x 0.81 + 0.3 x 0.8 = 0.807.
        So 0.807 x 0.85 = 0.68595 (return visits come back to a step already
        reached and add nothing to the share). Retention has join-loyalty and
        post-visit-email (relationship) and no product touchpoint; purchase
        has serve-meal and cater-event (product) against catering-proposal.
        Lena's journey drops the catering steps but not the way to order-meal.
        """
        j = cx.load(EXAMPLES / "restaurant.yaml")
        result = trust_and_value(j)
        for persona in (None, "local-diner", "business-owner"):
            assert result.summaries[persona] == TrustSummary(
                persona=persona, value_shift="retention", erosion=("order-meal",)
            )
            assert result.shares[persona]["order-meal"] == pytest.approx(0.68595)
        assert result.summary().startswith(
            "Trust erodes at 'Orders with the server' (69% of journeys); value turns "
            "relational in phase 'Retention'"
        )
        purchase = next(r for r in result if r.persona is None and r.phase == "purchase")
        assert (purchase.builds, purchase.erodes, purchase.product, purchase.relationship) == (
            3,
            1,
            2,
            1,
        )

    def test_b2b_software(self) -> None:
        """No eroding touchpoint reaches half the buyers; value turns relational in retention.

        The most visited eroding touchpoint is nurture-email: the buyer's
        guide is downloaded by 0.2 + 0.8 x (0.2 + 0.15 x 0.4) = 0.408, and
        0.8 x (0.15 x 0.35 + 0.05) x 0.8 x 0.45 = 0.02952 more are recycled
        to nurture by sales first: 0.43752 < 0.5. Retention has three
        relationship touchpoints (onboarding, community-login,
        business-review) and no product one; consideration and purchase
        have only product ones. The champion's own journey stops at the
        shortlist (the proposal is the economic buyer's touchpoint, and
        every way to purchase passes it), so no phase of it turns relational.
        """
        j = cx.load(EXAMPLES / "b2b_software.yaml")
        result = trust_and_value(j)
        assert cx.markov(j).visit_probability["nurture-email"] == pytest.approx(0.43752)
        assert result.summaries[None] == TrustSummary(
            persona=None, value_shift="retention", erosion=()
        )
        assert result.summaries["economic-buyer"] == TrustSummary(
            persona="economic-buyer", value_shift="retention", erosion=()
        )
        assert result.summaries["champion"] == TrustSummary(
            persona="champion", value_shift=None, erosion=()
        )
        retention = next(r for r in result if r.persona is None and r.phase == "retention")
        assert (retention.builds, retention.erodes, retention.relationship) == (3, 2, 3)

    def test_restaurant_without_probabilities(self) -> None:
        """Without numbers no eroding touchpoint lies on every path (walk-ins can leave).

        dp-how-to-visit -> chose-elsewhere avoids order-meal; the balance
        counts each touchpoint once: 1 (read-reviews) + 3 - 1 (purchase) = 3.
        """
        j = cx.load(EXAMPLES / "restaurant.yaml")

        def bare(e: Any) -> Any:
            return attrs.evolve(e, probability=None)

        j = j.with_changes(
            transitions=[bare(e) for e in j.transitions],
            handoffs=[bare(e) for e in j.handoffs],
            entries=[bare(e) for e in j.entries],
        )
        result = trust_and_value(j)
        assert result.basis == "uniform"
        assert result.summaries[None].erosion == ()
        assert result.summaries[None].value_shift == "retention"
        assert [r.balance for r in result if r.persona is None] == [0.0, 1.0, 3.0, 3.0, 3.0]


def _slice(journey: cx.Journey, persona: str) -> cx.Journey:
    """cx.for_persona without its warning about steps left with no way out."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.CxgraphWarning)
        return cx.for_persona(journey, persona)


def _weights(journey: cx.Journey) -> dict[str, float]:
    """Each touchpoint's weight in the balance, worked out from cx.markov directly."""
    try:
        model = cx.markov(journey)
    except cx.CxgraphError:
        return {t.id: 1.0 for t in journey.touchpoints}
    if not model.probabilities_known:
        return {t.id: 1.0 for t in journey.touchpoints}
    return {t.id: model.reach_probability(t.id) for t in journey.touchpoints}


def _ends_reachable_without(journey: cx.Journey, step: str) -> bool:
    """Whether some path from an entry to an end (outcome or dead end) avoids ``step``."""
    flow: nx.DiGraph[str] = nx.DiGraph()
    flow.add_nodes_from(s.id for s in journey.steps)
    flow.add_edges_from((e.source, e.target) for e in (*journey.transitions, *journey.handoffs))
    starts = [s for s in entry_weights(journey)[0] if s != step]
    ends = {s for s in flow if flow.out_degree(s) == 0}
    flow.remove_node(step)
    seen = set(starts)
    for s in starts:
        seen |= nx.descendants(flow, s)
    return bool(seen & ends)


class TestProperties:
    @given(journeys(max_steps=7))
    def test_counts_fit_in_the_phase(self, journey: cx.Journey) -> None:
        """Per row, builds + erodes and product + relationship never exceed the touchpoints."""
        result = trust_and_value(journey)
        for r in result:
            j = journey if r.persona is None else _slice(journey, r.persona)
            here = sum(t.phase == r.phase for t in j.touchpoints)
            assert r.builds + r.erodes <= here
            assert r.product + r.relationship <= here

    @given(journeys(max_steps=7))
    def test_all_journeys_count_every_marked_touchpoint(self, journey: cx.Journey) -> None:
        """The all-journeys counts add up to the journey's touchpoints with trust or value set."""
        result = trust_and_value(journey)
        rows = [r for r in result if r.persona is None]
        tps = journey.touchpoints
        if not result.marked:
            assert rows == []
            return
        assert sum(r.builds for r in rows) == sum(t.trust == "builds" for t in tps)
        assert sum(r.erodes for r in rows) == sum(t.trust == "erodes" for t in tps)
        assert sum(r.product for r in rows) == sum(t.value == "product" for t in tps)
        assert sum(r.relationship for r in rows) == sum(t.value == "relationship" for t in tps)

    @given(probabilistic_journeys() | loop_journeys() | journeys(max_steps=6))
    def test_last_balance_is_the_weighted_sum(self, journey: cx.Journey) -> None:
        """The last all-journeys balance is the sum of +-weight over every touchpoint with trust."""
        result = trust_and_value(journey)
        if not result.marked:
            return
        weights = _weights(journey)
        expected = math.fsum(
            weights[t.id] if t.trust == "builds" else -weights[t.id]
            for t in journey.touchpoints
            if t.trust is not None
        )
        rows = [r for r in result if r.persona is None]
        assert rows[-1].balance == pytest.approx(expected, abs=1e-9)

    @given(probabilistic_journeys() | journeys(max_steps=6))
    def test_erosion_follows_its_rule(self, journey: cx.Journey) -> None:
        """Erosion is the eroding touchpoints visited by half the journeys, or on every path."""
        result = trust_and_value(journey)
        if not result.marked:
            return
        eroding = [t.id for t in journey.touchpoints if t.trust == "erodes"]
        erosion = set(result.summaries[None].erosion)
        if result.probabilities_known:
            weights = _weights(journey)
            for t in eroding:
                if abs(weights[t] - 0.5) > 1e-9:  # at the threshold float noise may decide
                    assert (t in erosion) == (weights[t] > 0.5)
        else:
            for t in eroding:
                assert (t in erosion) == (
                    bool(entry_weights(journey)[0])
                    and not _ends_reachable_without(journey, t)
                    and _some_end_reachable(journey)
                )

    @given(probabilistic_journeys() | journeys(max_steps=6))
    def test_each_persona_is_the_journey_it_travels(self, journey: cx.Journey) -> None:
        """Persona rows and summaries equal the all-journeys ones of cx.for_persona(journey, p)."""
        result = trust_and_value(journey)
        if not result.marked:
            return
        for p in journey.personas:
            try:
                sliced = _slice(journey, p.id)
            except cx.EditError:
                assert p.id in result.without_entry
                continue
            expected = trust_and_value(sliced)
            # Every slice has the whole journey's phase rows (and its None row,
            # if any touchpoint lacks a phase); rows the slice has no
            # touchpoint for are zeros carrying the balance on.
            mine = {r[0]: r for r in _rows(result, p.id)}
            theirs = {r[0]: r for r in _rows(expected)}
            assert set(theirs) <= set(mine)
            balance = 0.0
            for phase, row in mine.items():
                if phase in theirs:
                    assert row[1:3] == theirs[phase][1:3]
                    assert row[4:] == theirs[phase][4:]
                    assert row[3] == pytest.approx(theirs[phase][3], abs=1e-9)
                else:
                    assert row[1:3] == (0, 0)
                    assert row[4:] == (0, 0)
                    assert row[3] == pytest.approx(balance, abs=1e-9)
                balance = row[3]
            assert result.summaries[p.id].erosion == expected.summaries[None].erosion
            assert result.summaries[p.id].value_shift == expected.summaries[None].value_shift
            if expected.marked:  # an unmarked slice needs no Markov model
                assert result.bases[p.id] == expected.basis

    @given(journeys(max_steps=6))
    def test_records_are_plain(self, journey: cx.Journey) -> None:
        """Every record has the seven columns; the text views never fail."""
        result = trust_and_value(journey)
        assert all(isinstance(r, TrustPhase) for r in result)
        for rec in result.to_records():
            assert list(rec) == result.columns()
        assert result.line_count() == len(result.lines())
        assert isinstance(repr(result), str)


def _some_end_reachable(journey: cx.Journey) -> bool:
    flow: nx.DiGraph[str] = nx.DiGraph()
    flow.add_nodes_from(s.id for s in journey.steps)
    flow.add_edges_from((e.source, e.target) for e in (*journey.transitions, *journey.handoffs))
    starts = list(entry_weights(journey)[0])
    seen = set(starts)
    for s in starts:
        seen |= nx.descendants(flow, s)
    return any(flow.out_degree(s) == 0 for s in seen)
