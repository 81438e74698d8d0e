"""Tests for coverage (cxgraph.analyses.coverage): persona and channel gaps per phase."""

from __future__ import annotations

from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph.analyses.coverage import Coverage, CoverageGap, coverage

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _grid() -> cx.Journey:
    """Three personas, four phases, three channels; see the test docstrings for the cells."""
    return cx.Journey(
        id="grid",
        name="Grid",
        personas=[cx.Persona(id=p, name=f"Persona {p}") for p in ("a", "b", "c")],
        phases=[cx.Phase(id=p, name=f"Phase {p}") for p in ("p1", "p2", "p3", "p4")],
        channels=[
            cx.Channel(id="web", name="Website", kind="digital"),
            cx.Channel(id="phone", name="Phone", kind="human"),
            cx.Channel(id="store", name="Store", kind="physical"),
        ],
        touchpoints=[
            cx.Touchpoint(id="t1", name="T1", phase="p1", channel="web", personas=["a"]),
            cx.Touchpoint(id="t2", name="T2", phase="p1", channel="phone", personas=["a", "b"]),
            cx.Touchpoint(id="t3", name="T3", phase="p2", channel="store"),
            cx.Touchpoint(
                id="t4", name="T4", phase="p2", channel="store", personas=["c"], lane="backstage"
            ),
            cx.Touchpoint(id="t5", name="T5", channel="web"),
            cx.Touchpoint(id="t6", name="T6", phase="p3", channel="web", lane="support"),
        ],
    )


def _gap(
    kind: str, phase: str, persona: str | None = None, channel: str | None = None
) -> CoverageGap:
    return CoverageGap(kind=kind, phase=phase, persona=persona, channel=channel)


class TestCoverage:
    def test_persona_phase_by_hand(self) -> None:
        """Counts per persona and phase, customer-facing touchpoints only.

        p1: t1 serves a, t2 serves a and b. p2: t3 has no personas, so it serves
        all three; t4 is backstage and does not count. p3: t6 is a support step
        and does not count. p4 has no touchpoint. t5 has no phase.
        """
        cov = coverage(_grid())
        assert {p: dict(row) for p, row in cov.persona_phase.items()} == {
            "a": {"p1": 2, "p2": 1, "p3": 0, "p4": 0},
            "b": {"p1": 1, "p2": 1, "p3": 0, "p4": 0},
            "c": {"p1": 0, "p2": 1, "p3": 0, "p4": 0},
        }
        assert cov.unphased == 1
        assert cov.lanes == ("customer", "frontstage")

    def test_channel_phase_by_hand(self) -> None:
        """Counts per channel and phase: p1 on web and phone, p2 on the store, p3 and p4 on none."""
        cov = coverage(_grid())
        assert {c: dict(row) for c, row in cov.channel_phase.items()} == {
            "web": {"p1": 1, "p2": 0, "p3": 0, "p4": 0},
            "phone": {"p1": 1, "p2": 0, "p3": 0, "p4": 0},
            "store": {"p1": 0, "p2": 1, "p3": 0, "p4": 0},
        }

    def test_gaps_by_hand(self) -> None:
        """The gaps follow from the two matrices, in phase order.

        p1: persona c has no touchpoint (engagement gap); two channels, fine.
        p2: every persona served by t3; only the store serves it (single channel).
        p3: run by a support step only, an internal phase: no gaps.
        p4: no touchpoint at all, so every persona is a gap and no channel serves it.
        """
        cov = coverage(_grid())
        assert list(cov) == [
            _gap("engagement", "p1", persona="c"),
            _gap("single_channel", "p2", channel="store"),
            _gap("engagement", "p4", persona="a"),
            _gap("engagement", "p4", persona="b"),
            _gap("engagement", "p4", persona="c"),
            _gap("no_channel", "p4"),
        ]
        assert cov.internal_phases == ("p3",)

    def test_all_lanes(self) -> None:
        """Counting every lane adds t4 (c in p2, store) and t6 (everyone in p3, web).

        p1 still misses c; p2 is still store-only; p3 is no longer internal and
        is served for every persona, by the web alone; p4 is still empty.
        """
        lanes = ("customer", "frontstage", "backstage", "support")
        cov = coverage(_grid(), lanes=lanes)
        assert cov.persona_phase["c"]["p2"] == 2
        assert list(cov) == [
            _gap("engagement", "p1", persona="c"),
            _gap("single_channel", "p2", channel="store"),
            _gap("single_channel", "p3", channel="web"),
            _gap("engagement", "p4", persona="a"),
            _gap("engagement", "p4", persona="b"),
            _gap("engagement", "p4", persona="c"),
            _gap("no_channel", "p4"),
        ]
        assert cov.lanes == lanes
        assert cov.internal_phases == ()

    def test_no_personas_no_engagement_gaps(self) -> None:
        """Without personas there are no persona cells, but channel gaps remain."""
        j = cx.Journey(
            id="j",
            name="J",
            phases=[cx.Phase(id="p", name="P")],
            touchpoints=[cx.Touchpoint(id="t", name="T", phase="p")],
        )
        cov = coverage(j)
        assert dict(cov.persona_phase) == {}
        assert list(cov) == [_gap("no_channel", "p")]

    def test_no_phases_no_gaps(self) -> None:
        """Without phases there are no cells and so no gaps."""
        j = cx.Journey(
            id="j",
            name="J",
            personas=[cx.Persona(id="a", name="A")],
            touchpoints=[cx.Touchpoint(id="t", name="T")],
        )
        cov = coverage(j)
        assert len(cov) == 0
        assert {p: dict(r) for p, r in cov.persona_phase.items()} == {"a": {}}
        assert cov.unphased == 1

    def test_describe_and_summary(self) -> None:
        """Gaps in plain words with names and ids; the summary counts both kinds."""
        cov = coverage(_grid())
        assert cov.lines() == [
            "No touchpoint serves 'Persona c' (c) in 'Phase p1' (p1): an engagement gap",
            "'Phase p2' (p2) is served by one channel only: 'Store' (store)",
            "No touchpoint serves 'Persona a' (a) in 'Phase p4' (p4): an engagement gap",
            "No touchpoint serves 'Persona b' (b) in 'Phase p4' (p4): an engagement gap",
            "No touchpoint serves 'Persona c' (c) in 'Phase p4' (p4): an engagement gap",
            "'Phase p4' (p4) has no touchpoint on any channel",
        ]
        assert cov.summary() == "4 engagement gaps, 2 phases with fewer than two channels"

    def test_records_and_matrices_are_read_only(self) -> None:
        """Records carry the documented keys; the matrices cannot be changed."""
        cov = coverage(_grid())
        assert cov.to_records()[0] == {
            "kind": "engagement",
            "phase": "p1",
            "persona": "c",
            "channel": None,
        }
        with pytest.raises(TypeError):
            cov.persona_phase["a"]["p1"] = 0  # type: ignore[index]
        hash(cov)

    def test_same_input_same_output(self) -> None:
        """Two runs give equal results."""
        assert coverage(_grid()) == coverage(_grid())
        assert isinstance(coverage(_grid()), Coverage)

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"coverage\(\) takes a Journey, got str"):
            coverage("grid.yaml")  # type: ignore[arg-type]

    def test_lanes_string(self) -> None:
        """A bare string for lanes is a TypeError that shows how to write it."""
        with pytest.raises(TypeError, match=r"lanes must be a collection .* write \['customer'\]"):
            coverage(_grid(), lanes="customer")

    def test_unknown_lane(self) -> None:
        """An unknown lane is a ValueError listing the valid lanes."""
        with pytest.raises(
            ValueError, match=r"unknown lane 'kitchen' in lanes \(known: 'customer'"
        ):
            coverage(_grid(), lanes=["kitchen"])

    def test_restaurant_golden(self) -> None:
        """Restaurant: no engagement gaps; awareness and advocacy each on one channel.

        Every phase has a touchpoint serving all personas (discover-online,
        browse-menu, book-online, post-visit-email, write-review), so no
        engagement gap. Awareness is only 'discover-online' (maps and social);
        advocacy only 'write-review' (review sites). Consideration uses web,
        review sites and phone; purchase five channels; retention email and web.
        The kitchen's backstage step does not count.
        """
        cov = coverage(cx.load(EXAMPLES / "restaurant.yaml"))
        assert list(cov) == [
            _gap("single_channel", "awareness", channel="maps-and-social"),
            _gap("single_channel", "advocacy", channel="review-site"),
        ]
        assert dict(cov.persona_phase["business-owner"]) == {
            "awareness": 1,
            "consideration": 3,
            "purchase": 8,
            "retention": 2,
            "advocacy": 1,
        }
        assert dict(cov.persona_phase["local-diner"]) == {
            "awareness": 1,
            "consideration": 2,
            "purchase": 6,
            "retention": 2,
            "advocacy": 1,
        }

    def test_b2b_golden(self) -> None:
        """B2B: advocacy is the one phase on a single channel (the reference invite by email).

        Awareness uses website and chat; consideration website, nurture email,
        phone and video; purchase email and website (provisioning is backstage);
        retention six channels. Every phase has a touchpoint for all personas.
        """
        cov = coverage(cx.load(EXAMPLES / "b2b_software.yaml"))
        assert list(cov) == [_gap("single_channel", "advocacy", channel="email")]
        assert dict(cov.persona_phase["champion"]) == {
            "awareness": 2,
            "consideration": 6,
            "purchase": 1,
            "retention": 7,
            "advocacy": 1,
        }
        assert dict(cov.persona_phase["economic-buyer"]) == {
            "awareness": 2,
            "consideration": 5,
            "purchase": 2,
            "retention": 7,
            "advocacy": 1,
        }

    def test_vending_golden(self) -> None:
        """Vending: choosing and paying happen at the machine only; restocking is internal.

        'Replenish' holds only backstage steps (alert, route planning, restock
        visit), so it is an internal phase, not an engagement gap.
        """
        cov = coverage(cx.load(EXAMPLES / "vending.yaml"))
        assert cov.internal_phases == ("replenish",)
        assert [(g.kind, g.phase, g.channel) for g in cov] == [
            ("single_channel", "choose", "vending-machine"),
            ("single_channel", "pay", "vending-machine"),
        ]
