"""Tests for dimensions (cxgraph.analyses.dimensions): tracks of value and the ways into them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

import cxgraph as cx
import strategies as jst
from cxgraph.analyses.dimensions import Dimensions, DimensionTrack, EntryPoint, dimensions
from cxgraph.analyses.markov import markov

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _club(*, probabilities: bool = True) -> cx.Journey:
    """visit (no dimension) -> guest (tier 1) -> member (tier 2) -> done, with a way back."""
    p = (lambda x: x) if probabilities else (lambda x: None)
    return cx.Journey(
        id="club",
        name="Club",
        owners=[
            cx.Owner(id="floor", name="Floor staff", kind="team"),
            cx.Owner(id="crm", name="CRM team", kind="team"),
        ],
        dimensions=[
            # Declared out of order: findings are by tier, then id.
            cx.Dimension(id="member", name="Member", tier=2),
            cx.Dimension(id="guest", name="Guest", tier=1),
            cx.Dimension(id="also-guest", name="Also a guest", tier=1),
            cx.Dimension(id="unused", name="Unused", tier=0),
        ],
        touchpoints=[
            cx.Touchpoint(id="visit", name="Visit"),
            cx.Touchpoint(id="eat", name="Eat", owner="floor", dimension="guest"),
            cx.Touchpoint(id="join", name="Join", owner="crm", dimension="member"),
            cx.Touchpoint(id="drink", name="Drink", owner="floor", dimension="also-guest"),
        ],
        decision_points=[
            cx.DecisionPoint(id="stay", name="Stay?", decided_by="customer", dimension="member")
        ],
        outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
        entries=["visit"],
        transitions=[
            cx.Transition(source="visit", target="eat", probability=p(0.5)),
            cx.Transition(source="visit", target="join", probability=p(0.25)),
            cx.Transition(source="visit", target="drink", probability=p(0.25)),
            cx.Transition(source="eat", target="drink", probability=p(0.5)),
            cx.Transition(source="eat", target="join", probability=p(0.5)),
            cx.Transition(source="drink", target="done", probability=p(1.0)),
            cx.Transition(source="join", target="stay", probability=p(1.0)),
            cx.Transition(source="stay", target="done", probability=p(0.5)),
            cx.Transition(source="stay", target="eat", probability=p(0.5)),
        ],
        triggers=[cx.Trigger(source="drink", target="stay")],
    )


class TestDimensions:
    """dimensions(journey)."""

    def test_order_steps_and_owners(self) -> None:
        """One record per dimension by tier then id, with sorted steps and owners."""
        result = dimensions(_club())
        assert [(d.dimension, d.tier) for d in result] == [
            ("unused", 0),
            ("also-guest", 1),
            ("guest", 1),
            ("member", 2),
        ]
        member = result[3]
        assert member.steps == ("join", "stay")
        # The customer decision has no owner; join is the CRM team's.
        assert member.owners == ("crm",)
        assert result[0].steps == ()
        assert result.undimensioned == ("done", "visit")

    def test_entry_points(self) -> None:
        """Entry points come from a lower tier or from no dimension, never from equal or higher."""
        result = dimensions(_club())
        by_id = {d.dimension: d for d in result}
        # visit has no dimension: the base journey, so visit -> eat enters guest.
        (visit_eat,) = by_id["guest"].entry_points
        assert visit_eat == EntryPoint(
            source="visit",
            target="eat",
            from_dimension=None,
            probability=0.5,
            flow=visit_eat.flow,
        )
        # visit is the entry, passed once per journey: half the journeys cross here.
        assert visit_eat.flow == pytest.approx(0.5)
        # eat -> drink joins two tier-1 tracks: not an entry point. Only visit enters.
        assert [(e.source, e.target) for e in by_id["also-guest"].entry_points] == [
            ("visit", "drink")
        ]
        # join is entered from visit (no dimension) and from eat (guest, tier 1);
        # stay -> eat goes down a tier and the trigger drink -> stay is no customer move.
        assert [(e.source, e.from_dimension) for e in by_id["member"].entry_points] == [
            ("eat", "guest"),
            ("visit", None),
        ]

    def test_flow_and_reach(self) -> None:
        """Reach is the share of journeys visiting the dimension; flow the crossings per journey."""
        result = dimensions(_club())
        by_id = {d.dimension: d for d in result}
        # Let e = P(reach eat). From visit: eat 0.5 directly, or join (0.25)
        # and then stay sends half back to eat; from eat, half go to join and
        # half of those come back. Reaching join: 0.25 + 0.5 * 0.5 = 0.5 (the
        # first time, either way), so member's reach is 0.5.
        assert by_id["member"].reach_probability == pytest.approx(0.5)
        # Guest (eat): directly 0.5, or via visit -> join -> stay -> eat
        # 0.25 * 0.5 = 0.125: 0.625.
        assert by_id["guest"].reach_probability == pytest.approx(0.625)
        # A dimension with no steps is never reached.
        assert by_id["unused"].reach_probability == 0.0
        # Expected visits to eat: v = 0.5 + 0.5 * v_stay, v_join = 0.25 + 0.5 v,
        # v_stay = v_join, so v = 0.5 + 0.125 + 0.25 v: v = 0.8333...; eat -> join
        # is crossed 0.5 * v = 0.41666... times per journey.
        eat_join = next(e for e in by_id["member"].entry_points if e.source == "eat")
        assert eat_join.flow == pytest.approx(0.5 * 0.625 / 0.75)
        assert eat_join.probability == 0.5
        assert result.probabilities_known is True
        assert result.basis == "probability"
        assert result.note == ""

    def test_unknown_probabilities(self) -> None:
        """Without probabilities reach and flow are None and the note says why."""
        result = dimensions(_club(probabilities=False))
        assert all(d.reach_probability is None for d in result)
        assert all(e.flow is None for d in result for e in d.entry_points)
        assert result.probabilities_known is False
        assert "probabilities unknown" in result.note
        # join -> stay is a single way out, so it is known; visit's three options are not.
        member = result[3]
        assert {(e.source, e.probability) for e in member.entry_points} == {
            ("eat", None),
            ("visit", None),
        }

    def test_closed_loop(self) -> None:
        """A loop with no way out leaves reach unknown and says why, instead of failing."""
        j = cx.Journey(
            id="j",
            name="J",
            dimensions=[cx.Dimension(id="d", name="D", tier=1)],
            touchpoints=[
                cx.Touchpoint(id="a", name="A"),
                cx.Touchpoint(id="b", name="B", dimension="d"),
                cx.Touchpoint(id="c", name="C"),
            ],
            entries=["a"],
            transitions=[
                cx.Transition(source="a", target="b", probability=1.0),
                cx.Transition(source="b", target="c", probability=1.0),
                cx.Transition(source="c", target="b", probability=1.0),
            ],
        )
        result = dimensions(j)
        assert result[0].reach_probability is None
        assert result.basis is None
        assert "closed loop" in result.note
        assert result[0].entry_points[0].probability == 1.0

    def test_no_dimensions(self) -> None:
        """A journey without dimensions has no records; every step is in none."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id="a", name="A")],
            outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
            transitions=[cx.Transition(source="a", target="won")],
        )
        result = dimensions(j)
        assert len(result) == 0
        assert result.summary() == "no dimensions"
        assert result.undimensioned == ("a", "won")

    def test_restaurant(self) -> None:
        """Restaurant: diner -> reviewer -> catering, their entry points and reach by hand."""
        result = dimensions(cx.load(EXAMPLES / "restaurant.yaml"))
        assert [(d.dimension, d.tier) for d in result] == [
            ("diner", 1),
            ("reviewer", 2),
            ("catering", 3),
        ]
        diner, reviewer, catering = result
        assert diner.starts == ("discover-online", "read-reviews")
        assert diner.entry_points == ()
        assert reviewer.steps == ("join-loyalty", "loyal-advocate", "write-review")
        assert reviewer.owners == ("marketing",)
        assert catering.owners == ("catering-sales", "events-crew")
        assert [
            (e.source, e.target, e.from_dimension, e.probability) for e in reviewer.entry_points
        ] == [
            ("dp-after-visit", "join-loyalty", "diner", 0.2),
            ("dp-after-visit", "write-review", "diner", 0.15),
        ]
        assert [
            (e.source, e.target, e.from_dimension, e.probability) for e in catering.entry_points
        ] == [
            ("dp-after-visit", "catering-enquiry", "diner", 0.05),
            ("write-review", "catering-enquiry", "reviewer", 0.15),
        ]
        # Reach by hand. P(reach dp-how-to-visit): read-reviews gets there 0.8,
        # browse-menu 0.75 + 0.25 * 0.8 = 0.95, discover-online
        # 0.6 * 0.95 + 0.3 * 0.8 = 0.81; entries 0.7 * 0.81 + 0.3 * 0.8 = 0.807.
        # From dp-how-to-visit the diner reaches dp-after-visit with 0.45 + 0.2
        # + 0.25 * 0.8 = 0.85. From there reviewer steps follow with 0.2 + 0.15
        # and a return visit with 0.35, so r = 0.85 * (0.35 + 0.35 r):
        # r = 0.2975 / 0.7025.
        assert diner.reach_probability == pytest.approx(1.0)
        assert reviewer.reach_probability == pytest.approx(0.807 * 0.2975 / 0.7025)
        # Catering from dp-after-visit: a = 0.05 + 0.35 c + 0.2 J + 0.15 W with
        # W = 0.15 (write-review asks), J = 0.4 W + 0.6 c (join-loyalty), and
        # c = 0.85 a (from dp-how-to-visit): c = 0.071825 / 0.6005.
        assert catering.reach_probability == pytest.approx(0.807 * 0.071825 / 0.6005)
        # Visits to dp-after-visit: 0.85 * 0.807 / 0.6005; 5% of them ask about catering.
        assert catering.entry_points[0].flow == pytest.approx(0.05 * 0.85 * 0.807 / 0.6005)
        assert result.undimensioned == ()

    def test_records_and_text(self) -> None:
        """Records carry the documented keys; text names steps, owners and dimensions."""
        result = dimensions(cx.load(EXAMPLES / "restaurant.yaml"))
        assert list(result.to_records()[0]) == [
            "dimension",
            "name",
            "tier",
            "steps",
            "owners",
            "starts",
            "entry_points",
            "reach_probability",
        ]
        assert result.summary() == "3 dimensions, 4 entry points, 0 steps in no dimension"
        text = result.describe(result[2])
        assert text.startswith(
            "'Catering client' (catering), tier 3: 7 steps owned by Catering sales"
        )
        assert "'Writes a review' (write-review) in Reviewer and loyalty member -> " in text
        assert "reached by 10% of journeys" in text
        html = result._repr_html_()
        assert "Catering client" in html
        # Entry points show as short text in the table, not as reprs.
        assert "write-review -&gt; catering-enquiry (15%)" in html
        assert str(result[2].entry_points[1]) == "write-review -> catering-enquiry (15%)"
        assert isinstance(result, Dimensions)
        assert isinstance(result[0], DimensionTrack)

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match="dimensions\\(\\) takes a Journey, got str"):
            dimensions("restaurant.yaml")  # type: ignore[arg-type]

    @given(jst.journeys())
    def test_partition_and_rule(self, j: cx.Journey) -> None:
        """Every step is in exactly one dimension or none; every entry point climbs a tier."""
        result = dimensions(j)
        listed = [s for d in result for s in d.steps] + list(result.undimensioned)
        assert sorted(listed) == sorted(s.id for s in j.steps)
        tier = {d.id: d.tier for d in j.dimensions}
        for d in result:
            for e in d.entry_points:
                assert e.target in d.steps
                assert e.from_dimension is None or tier[e.from_dimension] < d.tier
        assert [(d.tier, d.dimension) for d in result] == sorted(
            (d.tier, d.id) for d in j.dimensions
        )

    @given(jst.probabilistic_journeys())
    def test_reach_bounds(self, j: cx.Journey) -> None:
        """Reach lies in [0, 1], at least each step's own visit probability."""
        result = dimensions(j)
        try:
            model = markov(j)
        except cx.CxgraphError as exc:
            # A loop the customer can never leave (its exits have probability 0).
            refused = str(exc)
            assert all(d.reach_probability is None for d in result)
            assert not j.dimensions or refused in result.note
            return
        # Without dimensions there is nothing to reach, and no model is built.
        assert result.probabilities_known == (model.probabilities_known and bool(j.dimensions))
        for d in result:
            if d.reach_probability is None:
                assert not model.probabilities_known
                continue
            assert -1e-9 <= d.reach_probability <= 1 + 1e-9
            for s in d.steps:
                assert d.reach_probability >= model.visit_probability[s] - 1e-9

    @given(jst.journeys())
    def test_deterministic(self, j: cx.Journey) -> None:
        """The same journey gives the same result."""
        assert dimensions(j) == dimensions(cx.loads(cx.dumps(j)))
