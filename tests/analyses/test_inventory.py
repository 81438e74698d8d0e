"""Tests for the touchpoint inventory (cxgraph.analyses.inventory)."""

from __future__ import annotations

from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph.analyses.inventory import InventoryItem, TouchpointInventory, touchpoint_inventory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

COLUMNS = [
    "step",
    "phase",
    "owner",
    "silo",
    "channel",
    "lane",
    "personas",
    "systems",
    "data",
    "content",
    "metrics",
]


def _shop() -> cx.Journey:
    """Three touchpoints declared out of id order, a decision and an outcome."""
    return cx.Journey(
        id="shop",
        name="Shop",
        personas=[cx.Persona(id="pro", name="Professional")],
        phases=[cx.Phase(id="buy", name="Buying")],
        owners=[
            cx.Owner(id="ops", name="Operations", kind="department"),
            cx.Owner(id="store", name="Store team", kind="team", parent="ops"),
            cx.Owner(id="till", name="Till staff", kind="role", parent="store"),
        ],
        channels=[cx.Channel(id="shop-floor", name="Shop floor", kind="physical")],
        systems=[cx.System(id="pos", name="Point of sale")],
        touchpoints=[
            cx.Touchpoint(
                id="pay",
                name="Pay at the till",
                phase="buy",
                owner="till",
                channel="shop-floor",
                personas=["pro"],
                systems=["pos"],
                data=["Card", "Email"],
                content=["Receipt"],
                metrics=[
                    cx.Metric(name="Queue time", kind="duration"),
                    cx.Metric(name="Spend", kind="custom"),
                ],
            ),
            cx.Touchpoint(id="browse", name="Browse the shelves", lane="customer"),
            cx.Touchpoint(id="restock", name="Restock", owner="ops", lane="backstage"),
        ],
        decision_points=[cx.DecisionPoint(id="decide", name="Buy?", decided_by="customer")],
        outcomes=[cx.Outcome(id="bought", name="Bought", kind="success")],
        transitions=[
            cx.Transition(source="browse", target="decide"),
            cx.Transition(source="decide", target="pay"),
            cx.Transition(source="pay", target="bought"),
        ],
        triggers=[cx.Trigger(source="pay", target="restock")],
    )


class TestTouchpointInventory:
    def test_one_record_per_touchpoint_in_journey_order(self) -> None:
        """Touchpoints only (no decisions or outcomes), in the order they are declared."""
        inv = touchpoint_inventory(_shop())
        assert [i.step for i in inv] == ["pay", "browse", "restock"]

    def test_record_golden(self) -> None:
        """Every field of a fully described touchpoint, by hand.

        'till' -> 'store' -> 'ops' is the parent chain, so the silo is 'ops';
        metrics are reported by name.
        """
        assert touchpoint_inventory(_shop()).to_records()[0] == {
            "step": "pay",
            "phase": "buy",
            "owner": "till",
            "silo": "ops",
            "channel": "shop-floor",
            "lane": "frontstage",
            "personas": ("pro",),
            "systems": ("pos",),
            "data": ("Card", "Email"),
            "content": ("Receipt",),
            "metrics": ("Queue time", "Spend"),
        }

    def test_bare_touchpoint_has_empty_fields(self) -> None:
        """A touchpoint with nothing declared has None for references and () for lists."""
        rec = touchpoint_inventory(_shop()).to_records()[1]
        assert rec == {
            "step": "browse",
            "phase": None,
            "owner": None,
            "silo": None,
            "channel": None,
            "lane": "customer",
            "personas": (),
            "systems": (),
            "data": (),
            "content": (),
            "metrics": (),
        }

    def test_root_owner_is_its_own_silo(self) -> None:
        """An owner with no parent is the root of its chain, hence its own silo."""
        assert touchpoint_inventory(_shop())[2].silo == "ops"

    def test_columns(self) -> None:
        """Records and the empty result share the documented column order."""
        assert list(touchpoint_inventory(_shop()).to_records()[0]) == COLUMNS
        empty = touchpoint_inventory(cx.Journey(id="j", name="J"))
        assert len(empty) == 0
        assert empty.columns() == COLUMNS

    def test_summary_counts(self) -> None:
        """'browse' has no owner; 'browse', 'restock' no channel, no metric; 'pay' shares data."""
        inv = touchpoint_inventory(_shop())
        assert (inv.unowned, inv.without_channel, inv.without_metric, inv.sharing_data) == (
            1,
            2,
            2,
            1,
        )
        assert inv.summary() == (
            "3 touchpoints: 1 without owner, 2 without channel, 2 without metric, 1 sharing data"
        )

    def test_describe_uses_names(self) -> None:
        """The plain-words line names the phase, owner, silo, channel and systems."""
        inv = touchpoint_inventory(_shop())
        assert inv.describe(inv[0]) == (
            "Pay at the till (pay) in Buying (buy); owned by Till staff (till), "
            "silo Operations (ops); via Shop floor (shop-floor), frontstage; "
            "systems Point of sale (pos); data Card, Email"
        )
        assert inv.describe(inv[1]) == (
            "Browse the shelves (browse) in no phase; owned by nobody; via no channel, customer"
        )

    def test_result_is_frozen_and_hashable(self) -> None:
        """The result and its findings are immutable values."""
        inv = touchpoint_inventory(_shop())
        assert isinstance(inv, TouchpointInventory)
        assert isinstance(inv[0], InventoryItem)
        hash(inv)
        with pytest.raises(AttributeError):
            inv.unowned = 0  # type: ignore[misc]

    def test_same_input_same_output(self) -> None:
        """Two runs give equal results; the input journey is left as it was."""
        j = _shop()
        before = cx.dumps(j)
        assert touchpoint_inventory(j) == touchpoint_inventory(j)
        assert cx.dumps(j) == before

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"touchpoint_inventory\(\) takes a Journey, got dict"):
            touchpoint_inventory({"id": "j"})  # type: ignore[arg-type]

    def test_repr_and_html(self) -> None:
        """The text and HTML views show the title, summary and escaped names."""
        inv = touchpoint_inventory(_shop())
        assert repr(inv).startswith("<TouchpointInventory: 3 touchpoints")
        html = inv._repr_html_()
        assert "Touchpoint inventory" in html
        assert "Queue time, Spend" in html

    def test_restaurant_golden(self) -> None:
        """Restaurant example: 16 touchpoints; silos resolve through team -> department.

        The kitchen cooks backstage (silo operations); the catering crew works on
        site (silo catering); only 'book-online' and 'book-by-phone' capture the
        party size; the restaurant has no touchpoint without an owner.
        """
        inv = touchpoint_inventory(cx.load(EXAMPLES / "restaurant.yaml"))
        assert len(inv) == 16
        by_step = {i.step: i for i in inv}
        assert by_step["prepare-meal"].silo == "operations"
        assert by_step["prepare-meal"].lane == "backstage"
        assert by_step["cater-event"].silo == "catering"
        assert by_step["catering-enquiry"].personas == ("business-owner",)
        assert by_step["book-online"].metrics == ("Online booking completion",)
        assert [i.step for i in inv if "Party size" in i.data] == ["book-online", "book-by-phone"]
        assert inv.unowned == 0

    def test_b2b_golden(self) -> None:
        """B2B example: 'use-product' is the one unowned touchpoint, in the customer lane."""
        inv = touchpoint_inventory(cx.load(EXAMPLES / "b2b_software.yaml"))
        assert [i.step for i in inv if i.owner is None] == ["use-product"]
        assert {i.step: i.lane for i in inv}["use-product"] == "customer"
        assert inv.unowned == 1
