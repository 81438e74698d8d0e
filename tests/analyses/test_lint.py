"""``cx.lint``: one test per warning code, on small hand-built journeys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import cxgraph as cx
from cxgraph.analyses.lint import LINT_CODES
from strategies import journeys

OWNERS = [cx.Owner(id="ops", name="Operations", kind="department")]
CHANNELS = [cx.Channel(id="web", name="Website", kind="digital")]


def tp(id: str, **kw: Any) -> cx.Touchpoint:
    """A touchpoint with an owner and a channel unless told otherwise."""
    kw.setdefault("owner", "ops")
    kw.setdefault("channel", "web")
    return cx.Touchpoint(id=id, name=id.title(), **kw)


def ok(id: str = "ok", kind: str = "success") -> cx.Outcome:
    """An outcome."""
    return cx.Outcome(id=id, name=id.title(), kind=kind)


def t(source: str, target: str, **kw: Any) -> cx.Transition:
    """A transition."""
    return cx.Transition(source=source, target=target, **kw)


def journey(**kw: Any) -> cx.Journey:
    """A journey with one owner and one channel, plus the given parts."""
    kw.setdefault("owners", OWNERS)
    kw.setdefault("channels", CHANNELS)
    return cx.Journey(id="j", name="J", **kw)


def lint(j: cx.Journey) -> list[tuple[str, str, str]]:
    """Lint warnings as (path, code, message) tuples."""
    return [(p.path, p.code, p.message) for p in cx.lint(j)]


class TestLint:
    """``cx.lint`` on hand-built journeys."""

    def test_clean_journey(self) -> None:
        """A journey with nothing suspicious gives no warnings."""
        j = journey(
            personas=[cx.Persona(id="lena", name="Lena")],
            touchpoints=[
                tp("visit"),
                tp(
                    "pay",
                    moment_of_truth=True,
                    metrics=[cx.Metric(name="Conversion", kind="conversion")],
                ),
            ],
            decision_points=[cx.DecisionPoint(id="buy", name="Buy?", decided_by="customer")],
            outcomes=[ok(), ok("left", "exit")],
            transitions=[t("visit", "buy"), t("buy", "pay"), t("buy", "left"), t("pay", "ok")],
        )
        assert cx.lint(j) == ()

    def test_no_entry(self) -> None:
        """A journey where every step has an inflow and no entries are declared."""
        j = journey(touchpoints=[tp("a"), tp("b")], transitions=[t("a", "b"), t("b", "a")])
        assert lint(j) == [
            (
                "$.entries",
                "no_entry",
                "no step can start the journey: every step has a transition, hand-off or trigger "
                "into it and no entries are declared; list where journeys start under entries",
            )
        ]

    def test_duplicate_entry(self) -> None:
        """A step listed twice under entries."""
        j = journey(
            touchpoints=[tp("a")], outcomes=[ok()], transitions=[t("a", "ok")], entries=["a", "a"]
        )
        assert lint(j) == [
            (
                "$.entries[1]",
                "duplicate_entry",
                "step 'a' is listed as an entry twice (first at $.entries[0]): keep one, with the "
                "combined probability or count",
            )
        ]

    def test_unreachable(self) -> None:
        """A step that no entry reaches by any edge."""
        j = journey(
            touchpoints=[tp("a"), tp("b"), tp("c")],
            outcomes=[ok()],
            entries=["a"],
            transitions=[t("a", "ok"), t("b", "c"), t("c", "ok")],
        )
        assert lint(j) == [
            (
                "$.touchpoints[1]",
                "unreachable",
                "'b' cannot be reached from any entry (by transitions, hand-offs or triggers): "
                "add an edge into it, list it under entries, or remove it",
            ),
            (
                "$.touchpoints[2]",
                "unreachable",
                "'c' cannot be reached from any entry (by transitions, hand-offs or triggers): "
                "add an edge into it, list it under entries, or remove it",
            ),
        ]

    def test_reachable_through_a_trigger(self) -> None:
        """A step reached only through a trigger is reachable, and may end the flow."""
        j = journey(
            touchpoints=[tp("buy"), tp("restock", lane="backstage", channel=None)],
            outcomes=[ok()],
            transitions=[t("buy", "ok")],
            triggers=[cx.Trigger(source="buy", target="restock")],
        )
        assert lint(j) == []

    def test_dead_end(self) -> None:
        """A step other than an outcome with no way on."""
        j = journey(touchpoints=[tp("a"), tp("b")], transitions=[t("a", "b")])
        assert lint(j) == [
            (
                "$.touchpoints[1]",
                "dead_end",
                "'b' is a dead end: it is not an outcome and no transition or hand-off leads on "
                "from it; add one to the next step or to an outcome",
            )
        ]

    def test_dead_end_with_only_a_trigger_out(self) -> None:
        """A customer step that only a trigger leaves is a dead end for the customer."""
        j = journey(
            touchpoints=[tp("order"), tp("ship", lane="backstage", channel=None)],
            outcomes=[ok()],
            entries=["order"],
            triggers=[cx.Trigger(source="order", target="ship")],
            transitions=[t("ship", "ok")],
        )
        assert lint(j) == [
            (
                "$.touchpoints[0]",
                "dead_end",
                "'order' is a dead end for the customer: only triggers leave it, and a trigger "
                "does not move the customer; add a transition or hand-off to the next step or "
                "to an outcome",
            )
        ]

    def test_few_options(self) -> None:
        """A decision point with one way on."""
        j = journey(
            touchpoints=[tp("a")],
            decision_points=[cx.DecisionPoint(id="d", name="D?", decided_by="customer")],
            outcomes=[ok()],
            transitions=[t("a", "d"), t("d", "ok")],
        )
        assert lint(j) == [
            (
                "$.decision_points[0]",
                "few_options",
                "decision 'd' has 1 option: a decision needs at least two ways on; add the "
                "missing options, or make it a touchpoint",
            )
        ]

    def test_few_options_and_dead_end_together(self) -> None:
        """A decision with no way on at all is a dead end with 0 options."""
        j = journey(decision_points=[cx.DecisionPoint(id="d", name="D?", decided_by="customer")])
        assert [p.code for p in cx.lint(j)] == ["dead_end", "few_options"]
        assert "has 0 options" in cx.lint(j)[1].message

    def test_no_owner(self) -> None:
        """A touchpoint without an owner, in a journey that has owners."""
        j = journey(touchpoints=[tp("a", owner=None)], outcomes=[ok()], transitions=[t("a", "ok")])
        assert lint(j) == [
            (
                "$.touchpoints[0]",
                "no_owner",
                "touchpoint 'a' has no owner, so nobody is accountable for it: set owner to the "
                "team, role or system responsible",
            )
        ]

    def test_no_owners_at_all(self) -> None:
        """A journey with no owners gets one warning, not one per touchpoint."""
        j = journey(
            owners=[],
            touchpoints=[tp("a", owner=None), tp("b", owner=None)],
            outcomes=[ok()],
            transitions=[t("a", "b"), t("b", "ok")],
        )
        assert lint(j) == [
            (
                "$.owners",
                "no_owner",
                "the journey defines no owners, so nobody is accountable for any of its 2 "
                "touchpoints: add the teams, roles or systems responsible and set each "
                "touchpoint's owner",
            )
        ]

    def test_no_channel(self) -> None:
        """A customer-facing touchpoint without a channel; backstage ones need none."""
        j = journey(
            touchpoints=[tp("a", channel=None), tp("b", channel=None, lane="backstage")],
            outcomes=[ok()],
            transitions=[t("a", "b"), t("b", "ok")],
        )
        assert lint(j) == [
            (
                "$.touchpoints[0]",
                "no_channel",
                "touchpoint 'a' faces the customer (lane 'frontstage') but has no channel: set "
                "channel to where it happens",
            )
        ]

    def test_no_channels_at_all(self) -> None:
        """A journey with no channels gets one warning, not one per touchpoint."""
        j = journey(
            channels=[],
            touchpoints=[tp("a", channel=None)],
            outcomes=[ok()],
            transitions=[t("a", "ok")],
        )
        assert lint(j) == [
            (
                "$.channels",
                "no_channel",
                "the journey defines no channels, so none of its 1 customer-facing touchpoint "
                "says where it happens: add channels (web, phone, store, ...) and set each "
                "touchpoint's channel",
            )
        ]

    def test_phase_backwards(self) -> None:
        """An edge into an earlier phase with no label; a labelled one is a meant loop."""
        phases = [cx.Phase(id="learn", name="Learn"), cx.Phase(id="buy", name="Buy")]
        j = journey(
            phases=phases,
            touchpoints=[tp("a", phase="learn"), tp("b", phase="buy"), tp("c", phase="buy")],
            decision_points=[
                cx.DecisionPoint(id="d", name="D?", decided_by="customer", phase="buy")
            ],
            outcomes=[ok()],
            entries=["a"],
            transitions=[
                t("a", "b"),
                t("b", "d"),
                t("d", "a"),
                t("d", "c"),
                t("c", "a", label="buy again"),
                t("c", "ok"),
            ],
        )
        assert lint(j) == [
            (
                "$.transitions[2]",
                "phase_backwards",
                "'d' -> 'a' goes back from phase 'buy' to the earlier 'learn': if this loop is "
                "meant, give the edge a label saying why; else check the steps' phases",
            )
        ]

    def test_mot_without_metric(self) -> None:
        """A declared moment of truth with no metric."""
        j = journey(
            touchpoints=[tp("pay", moment_of_truth=True)],
            outcomes=[ok()],
            transitions=[t("pay", "ok")],
        )
        assert lint(j) == [
            (
                "$.touchpoints[0]",
                "mot_without_metric",
                "'pay' is a declared moment of truth with no metric to watch it: add one (csat, "
                "ces, nps, conversion, ...) under metrics",
            )
        ]

    def test_backstage_facing_customer(self) -> None:
        """A customer step joined directly to a backstage step, either way, hand-offs too."""
        j = journey(
            touchpoints=[
                tp("order", lane="customer"),
                tp("cook", lane="backstage", channel=None),
                tp("collect", lane="customer"),
            ],
            outcomes=[ok()],
            transitions=[t("order", "cook"), t("collect", "ok")],
            handoffs=[cx.Handoff(source="cook", target="collect", owner="ops")],
        )
        assert lint(j) == [
            (
                "$.transitions[0]",
                "backstage_facing_customer",
                "'order' -> 'cook' joins the customer directly to 'cook' in the backstage lane, "
                "behind the line of visibility; put a frontstage touchpoint between them, or use "
                "a trigger if the customer does not wait for it",
            ),
            (
                "$.handoffs[0]",
                "backstage_facing_customer",
                "'cook' -> 'collect' joins the customer directly to 'cook' in the backstage "
                "lane, behind the line of visibility; put a frontstage touchpoint between them, "
                "or use a trigger if the customer does not wait for it",
            ),
        ]

    def test_customer_decision_faces_customer(self) -> None:
        """A customer's decision leading straight to a support step is flagged."""
        j = journey(
            touchpoints=[tp("a"), tp("refund", lane="support", channel=None)],
            decision_points=[cx.DecisionPoint(id="d", name="D?", decided_by="customer")],
            outcomes=[ok()],
            transitions=[t("a", "d"), t("d", "refund"), t("d", "ok"), t("refund", "ok")],
        )
        assert [p.code for p in cx.lint(j)] == ["backstage_facing_customer"]
        assert "in the support lane" in cx.lint(j)[0].message

    def test_persona_unserved(self) -> None:
        """A persona that no path from an entry to an outcome serves throughout."""
        j = journey(
            personas=[cx.Persona(id="lena", name="Lena"), cx.Persona(id="marco", name="Marco")],
            touchpoints=[tp("a"), tp("b", personas=["lena"])],
            outcomes=[ok()],
            transitions=[t("a", "b"), t("b", "ok")],
        )
        assert lint(j) == [
            (
                "$.personas[1]",
                "persona_unserved",
                "no path from an entry to an outcome serves persona 'marco' throughout: each one "
                "passes a touchpoint whose personas leave it out; add it to those touchpoints' "
                "personas, or add touchpoints for it",
            )
        ]

    def test_persona_step_unreached(self) -> None:
        """A touchpoint for a persona that the persona's journeys never reach."""
        j = journey(
            personas=[cx.Persona(id="lena", name="Lena"), cx.Persona(id="marco", name="Marco")],
            touchpoints=[
                tp("a"),
                tp("quote", personas=["lena"]),
                tp("cart", personas=["marco"]),
                tp("help", personas=["lena", "marco"]),
            ],
            outcomes=[ok()],
            transitions=[
                t("a", "quote", probability=0.5),
                t("a", "ok", probability=0.5),
                t("quote", "cart"),
                t("cart", "help"),
                t("help", "ok"),
            ],
        )
        assert lint(j) == [
            (
                "$.touchpoints[2].personas[0]",
                "persona_step_unreached",
                "touchpoint 'cart' lists persona 'marco', but no journey of 'marco' reaches "
                "it: each way there passes 'quote', whose personas leave 'marco' out; add "
                "'marco' to the personas of a touchpoint on the way, or take 'marco' off "
                "this one",
            ),
            (
                "$.touchpoints[3].personas[0]",
                "persona_step_unreached",
                "touchpoint 'help' lists persona 'lena', but no journey of 'lena' reaches "
                "it: each way there passes 'cart', whose personas leave 'lena' out; add "
                "'lena' to the personas of a touchpoint on the way, or take 'lena' off "
                "this one",
            ),
            (
                "$.touchpoints[3].personas[1]",
                "persona_step_unreached",
                "touchpoint 'help' lists persona 'marco', but no journey of 'marco' reaches "
                "it: each way there passes 'quote', whose personas leave 'marco' out; add "
                "'marco' to the personas of a touchpoint on the way, or take 'marco' off "
                "this one",
            ),
        ]

    def test_persona_step_unreached_names_every_stop(self) -> None:
        """Two ways, stopped at two touchpoints: both are named, and cx.for_persona agrees."""
        j = journey(
            personas=[cx.Persona(id="p", name="P"), cx.Persona(id="q", name="Q")],
            touchpoints=[
                tp("a"),
                tp("x", personas=["q"]),
                tp("y", personas=["q"]),
                tp("z", personas=["p", "q"]),
            ],
            outcomes=[ok()],
            transitions=[
                t("a", "x", probability=0.5),
                t("a", "y", probability=0.5),
                t("x", "z"),
                t("y", "z"),
                t("z", "ok"),
            ],
        )
        unserved, problem = cx.lint(j)
        assert (unserved.path, unserved.code) == ("$.personas[0]", "persona_unserved")
        assert problem.path == "$.touchpoints[3].personas[0]"
        assert "each way there passes one of 'x', 'y', whose personas leave 'p' out" in str(problem)
        with pytest.warns(cx.CxgraphWarning, match="left without a way out"):
            sliced = cx.for_persona(j, "p")
        assert "z" not in {s.id for s in sliced.steps}

    def test_persona_step_unreached_is_quiet_when_the_persona_has_no_entry(self) -> None:
        """A persona no entry serves gets one persona_unserved, not one warning per touchpoint."""
        j = journey(
            personas=[cx.Persona(id="p", name="P"), cx.Persona(id="q", name="Q")],
            touchpoints=[tp("a", personas=["q"]), tp("b", personas=["p", "q"])],
            outcomes=[ok()],
            transitions=[t("a", "b"), t("b", "ok")],
        )
        assert [p.code for p in cx.lint(j)] == ["persona_unserved"]

    def test_document_order(self) -> None:
        """Warnings come in the order of the parts of the file they are about."""
        j = journey(
            personas=[cx.Persona(id="p", name="P")],
            touchpoints=[tp("a", personas=["p"], owner=None), tp("b"), tp("c", personas=["p"])],
            outcomes=[ok()],
            entries=["a", "a"],
            transitions=[t("a", "ok"), t("b", "c"), t("c", "ok")],
        )
        assert [(p.path, p.code) for p in cx.lint(j)] == [
            ("$.touchpoints[0]", "no_owner"),
            ("$.touchpoints[1]", "unreachable"),
            ("$.touchpoints[2]", "unreachable"),
            ("$.entries[1]", "duplicate_entry"),
        ]

    def test_every_code_has_a_test(self) -> None:
        """This module has a test named after each lint code."""
        names = {n.removeprefix("test_") for n in dir(self) if n.startswith("test_")}
        assert set(LINT_CODES) <= names

    def test_not_a_journey(self) -> None:
        """Linting something other than a Journey is a TypeError."""
        with pytest.raises(TypeError, match=r"lint\(\) takes a Journey, got dict"):
            cx.lint({})  # type: ignore[arg-type]

    def test_examples_lint(self, example_paths: list[Path]) -> None:
        """Every bundled example lints without crashing, warnings documented."""
        assert example_paths
        for path in example_paths:
            problems = cx.lint(cx.load(path))
            assert all(p.code in LINT_CODES for p in problems), path
            assert all(p.path.startswith("$.") for p in problems), path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys(max_steps=8))
def test_outline_orders_problems_like_the_whole_document(j: cx.Journey) -> None:
    """lint sorts by an outline of the document (only the items its problems name):
    the same order as sorting by the whole of ``to_dict``."""
    from cxgraph.model.checks import in_document_order
    from cxgraph.readwrite.converter import document_outline

    problems = list(cx.lint(j))
    reversed_ = problems[::-1]
    whole = in_document_order(reversed_, cx.to_dict(j))
    outline = in_document_order(reversed_, document_outline(j, (p.path for p in problems)))
    assert outline == whole
