"""Tests for unowned hand-offs (cxgraph.analyses.handoffs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.analyses.handoffs import REASONS, UnownedHandoff, UnownedHandoffs, unowned_handoffs
from strategies import journeys, probabilistic_journeys

from ._ownership_helpers import cd, ed, journey, out, tp

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def rows(result: UnownedHandoffs) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """The findings as (source, target, reason, via)."""
    return [(f.source, f.target, f.reason, f.via) for f in result]


class TestUnownedHandoffs:
    """unowned_handoffs(journey)."""

    # -- transparency -------------------------------------------------------

    def test_transfer_through_customer_decision_is_undeclared_with_via(self) -> None:
        """Marketing to sales through a customer decision is one undeclared hand-off, via it."""
        # form (mkt) -> ready? (customer) -> call (sales): the decision has no
        # owner, so the last owned step before it (form) hands to the next owned
        # step after it (call); plain transitions only, so nobody declared it.
        j = journey(
            tp("form", "mkt"),
            cd("ready"),
            tp("call", "sales"),
            out("gone", "exit"),
            transitions=[("form", "ready"), ("ready", "call"), ("ready", "gone")],
        )
        result = unowned_handoffs(j)
        assert result.findings == (
            UnownedHandoff(
                source="form",
                target="call",
                from_owner="mkt",
                to_owner="sales",
                reason="undeclared",
                via=("ready",),
                flow=None,
            ),
        )

    def test_direct_transition_between_owners_is_undeclared(self) -> None:
        """A plain transition between two owners is undeclared, with an empty via."""
        j = journey(tp("a", "x"), tp("b", "y"), transitions=[("a", "b")])
        assert rows(unowned_handoffs(j)) == [("a", "b", "undeclared", ())]

    def test_same_owner_transition_is_no_handoff(self) -> None:
        """A transition within one owner passes no responsibility."""
        j = journey(tp("a", "x"), cd("d"), tp("b", "x"), transitions=[("a", "d"), ("d", "b")])
        assert rows(unowned_handoffs(j)) == []

    def test_owned_declared_handoff_with_context_is_fine(self) -> None:
        """A Handoff with an owner that carries context is no finding."""
        j = journey(
            tp("a", "x"),
            tp("b", "y"),
            handoffs=[cx.Handoff(source="a", target="b", owner="y", carries=("notes",))],
        )
        assert rows(unowned_handoffs(j)) == []

    def test_employee_decision_is_owned_not_transparent(self) -> None:
        """An employee decision has an owner: hand-offs end and start there."""
        # a (x) -> ok? (desk) -> b (x): two hand-offs, x to desk and desk to x.
        j = journey(
            tp("a", "x"), ed("ok", "desk"), tp("b", "x"), transitions=[("a", "ok"), ("ok", "b")]
        )
        assert rows(unowned_handoffs(j)) == [
            ("a", "ok", "undeclared", ()),
            ("ok", "b", "undeclared", ()),
        ]

    def test_outcome_with_trigger_is_transparent(self) -> None:
        """An outcome is transparent: a trigger out of it continues the chain."""
        # signed (sales) -> won (outcome) =trigger=> provision (ops), trigger without
        # owner between two owners: no_owner, via the outcome.
        j = journey(
            tp("signed", "sales"),
            out("won"),
            tp("provision", "ops", lane="backstage"),
            transitions=[("signed", "won")],
            triggers=[cx.Trigger(source="won", target="provision")],
        )
        assert rows(unowned_handoffs(j)) == [("signed", "provision", "no_owner", ("won",))]

    def test_direct_edge_is_preferred_to_a_chain(self) -> None:
        """With a direct edge and a chain between two steps, the direct edge is judged."""
        # a -> b is an owned, carrying hand-off; a -> d -> b is a plain chain. One
        # hop per pair, the shortest: the direct one, which is fine.
        j = journey(
            tp("a", "x"),
            cd("d"),
            tp("b", "y"),
            transitions=[("a", "d"), ("d", "b")],
            handoffs=[cx.Handoff(source="a", target="b", owner="y", carries=("notes",))],
        )
        assert rows(unowned_handoffs(j)) == []

    def test_shortest_via_then_smallest_ids(self) -> None:
        """Between two steps the shortest chain is taken, ties by the smallest step ids."""
        # Chains a-d2-b and a-d1-b tie on length: d1 < d2 wins, whatever the
        # declaration order; the longer a-d0-d3-b loses although d0 sorts first.
        edges = [("a", "d2"), ("d2", "b"), ("a", "d1"), ("d1", "b"), ("a", "d0"), ("d0", "d3")]
        edges.append(("d3", "b"))
        steps = (tp("a", "x"), cd("d0"), cd("d1"), cd("d2"), cd("d3"), tp("b", "y"))
        for order in (edges, edges[::-1]):
            assert rows(unowned_handoffs(journey(*steps, transitions=order))) == [
                ("a", "b", "undeclared", ("d1",))
            ]

    # -- loops --------------------------------------------------------------

    def test_loop_of_customer_decisions_ends(self) -> None:
        """A loop between customer decisions is walked once: one finding, shortest via."""
        # d1 <-> d2 loop (and d2 repeats itself); b is reached through d1, d2.
        j = journey(
            tp("a", "x"),
            cd("d1"),
            cd("d2"),
            tp("b", "y"),
            out("gone", "exit"),
            transitions=[
                ("a", "d1"),
                ("d1", "d2"),
                ("d2", "d1"),
                ("d2", "d2"),
                ("d2", "b"),
                ("d1", "gone"),
            ],
        )
        assert rows(unowned_handoffs(j)) == [("a", "b", "undeclared", ("d1", "d2"))]

    def test_loop_back_to_the_same_step_is_no_finding(self) -> None:
        """A step that comes back to itself through a customer decision hands nothing on."""
        j = journey(
            tp("a", "x"),
            cd("again"),
            out("done"),
            transitions=[("a", "again"), ("again", "a"), ("again", "done")],
        )
        assert rows(unowned_handoffs(j)) == []

    # -- reasons ------------------------------------------------------------

    def test_declared_handoff_without_owner(self) -> None:
        """A Handoff with owner=None between owners is no_owner (and carries context)."""
        j = journey(
            tp("a", "x"),
            tp("b", "y"),
            handoffs=[cx.Handoff(source="a", target="b", carries=("order no.",))],
        )
        assert rows(unowned_handoffs(j)) == [("a", "b", "no_owner", ())]

    def test_declared_handoff_without_owner_inside_one_owner(self) -> None:
        """A Handoff with owner=None is no_owner even between steps of one owner."""
        # Documented choice: a declared hand-off that nobody is accountable for is
        # a gap, whoever owns its ends.
        j = journey(
            tp("a", "x"),
            tp("b", "x"),
            handoffs=[cx.Handoff(source="a", target="b", carries=("notes",))],
        )
        assert rows(unowned_handoffs(j)) == [("a", "b", "no_owner", ())]

    def test_handoff_without_owner_inside_a_chain(self) -> None:
        """An ownerless Handoff after a customer decision makes the chain no_owner."""
        j = journey(
            tp("a", "x"),
            cd("d"),
            tp("b", "y", lane="backstage"),
            transitions=[("a", "d")],
            handoffs=[cx.Handoff(source="d", target="b")],
        )
        assert rows(unowned_handoffs(j)) == [("a", "b", "no_owner", ("d",))]

    def test_trigger_between_owners(self) -> None:
        """A trigger between owners is no_owner without an owner and fine with one."""
        steps = (tp("sold", "sales"), tp("ship", "ops", lane="backstage"))
        bare = journey(*steps, triggers=[cx.Trigger(source="sold", target="ship")])
        owned = journey(*steps, triggers=[cx.Trigger(source="sold", target="ship", owner="ops")])
        assert rows(unowned_handoffs(bare)) == [("sold", "ship", "no_owner", ())]
        assert rows(unowned_handoffs(owned)) == []

    def test_trigger_inside_one_owner_needs_no_owner(self) -> None:
        """A trigger without owner inside one owner's work is that owner's business."""
        j = journey(
            tp("alert", "ops"),
            tp("restock", "ops", lane="backstage"),
            triggers=[cx.Trigger(source="alert", target="restock")],
        )
        assert rows(unowned_handoffs(j)) == []

    def test_context_dropped_into_frontstage_and_customer_lanes(self) -> None:
        """A Handoff carrying nothing into a touchpoint the customer sees drops context."""
        for lane in ("frontstage", "customer"):
            j = journey(
                tp("route", "router"),
                tp("call", "eng", lane=lane),
                handoffs=[cx.Handoff(source="route", target="call", owner="eng")],
            )
            assert rows(unowned_handoffs(j)) == [("route", "call", "context_dropped", ())]

    def test_context_not_dropped_behind_the_line_of_visibility(self) -> None:
        """An empty Handoff into a backstage step or a decision drops nothing the customer sees."""
        j = journey(
            tp("a", "x"),
            tp("back", "y", lane="backstage"),
            ed("ok", "y"),
            handoffs=[
                cx.Handoff(source="a", target="back", owner="y"),
                cx.Handoff(source="a", target="ok", owner="y"),
            ],
        )
        assert rows(unowned_handoffs(j)) == []

    def test_context_dropped_and_no_owner_together(self) -> None:
        """A Handoff with neither owner nor context gives two findings, one per reason."""
        j = journey(
            tp("form", "web"),
            tp("call", "sdr"),
            handoffs=[cx.Handoff(source="form", target="call")],
        )
        assert rows(unowned_handoffs(j)) == [
            ("form", "call", "context_dropped", ()),
            ("form", "call", "no_owner", ()),
        ]

    def test_context_carried_by_any_handoff_of_the_chain(self) -> None:
        """Context given by a Handoff earlier on the chain reaches the target."""
        j = journey(
            tp("a", "x"),
            cd("d"),
            tp("b", "y"),
            handoffs=[
                cx.Handoff(source="a", target="d", owner="y", carries=("notes",)),
                cx.Handoff(source="d", target="b", owner="y"),
            ],
        )
        assert rows(unowned_handoffs(j)) == []

    def test_unowned_touchpoint_is_a_gap_not_transparent(self) -> None:
        """A touchpoint without owner stops the chain: step_unowned on both sides."""
        # a (x) -> u (nobody) -> b (y): u is not transparent, so there is no a -> b
        # hand-off; each edge touching u has nobody on one side.
        j = journey(tp("a", "x"), tp("u"), tp("b", "y"), transitions=[("a", "u"), ("u", "b")])
        result = unowned_handoffs(j)
        assert [(f.source, f.target, f.from_owner, f.to_owner, f.reason) for f in result] == [
            ("a", "u", "x", None, "step_unowned"),
            ("u", "b", None, "y", "step_unowned"),
        ]

    def test_unowned_touchpoint_repeating_itself_is_no_finding(self) -> None:
        """A repeat of an unowned touchpoint passes no responsibility."""
        j = journey(tp("a", "x"), tp("u"), transitions=[("a", "u"), ("u", "u")])
        assert rows(unowned_handoffs(j)) == [("a", "u", "step_unowned", ())]

    def test_chain_to_outcomes_only_is_no_handoff(self) -> None:
        """A chain that ends in outcomes hands nothing to anyone."""
        j = journey(
            tp("a", "x"),
            cd("d"),
            out("won"),
            out("lost", "failure"),
            transitions=[("a", "d"), ("d", "won"), ("d", "lost")],
        )
        assert rows(unowned_handoffs(j)) == []

    # -- ownership unknown, tiny and odd journeys ----------------------------

    def test_journey_without_owners_says_ownership_is_unknown(self) -> None:
        """No owner anywhere: no findings, and the result says ownership is unknown."""
        j = journey(tp("a"), tp("b"), out("done"), transitions=[("a", "b"), ("b", "done")])
        result = unowned_handoffs(j)
        assert result.findings == ()
        assert result.ownership_known is False
        assert "ownership is unknown" in result.summary()

    def test_single_step(self) -> None:
        """A single owned step has nothing to hand off; a single unowned one, no ownership."""
        owned = unowned_handoffs(journey(tp("a", "x")))
        assert (owned.findings, owned.ownership_known) == ((), True)
        assert owned.summary().startswith("no unowned hand-offs")
        assert unowned_handoffs(journey(tp("a"))).ownership_known is False

    def test_unreachable_steps_are_checked_with_zero_flow(self) -> None:
        """Hand-offs among steps no entry reaches are still found, and no journey passes them."""
        # Entry a goes straight to done; z1 -> z2 is never reached, so its flow is 0.
        j = journey(
            tp("a", "x"),
            tp("z1", "x"),
            tp("z2", "y"),
            out("done"),
            transitions=[("a", "done", 1.0), ("z1", "z2", 1.0), ("z2", "done", 1.0)],
            entries=["a"],
        )
        assert [(f.source, f.target, f.reason, f.flow) for f in unowned_handoffs(j)] == [
            ("z1", "z2", "undeclared", 0.0)
        ]

    # -- flow ---------------------------------------------------------------

    def test_flow_is_visits_times_chain_probabilities(self) -> None:
        """flow = expected visits of the source times the probabilities along the via chain."""
        # a is visited twice on average (d sends half the journeys back to a);
        # a -> d is certain and d -> b has 0.25: flow 2 * 1 * 0.25 = 0.5.
        j = journey(
            tp("a", "x"),
            cd("d"),
            tp("b", "y"),
            out("done"),
            out("gone", "exit"),
            transitions=[
                ("a", "d", 1.0),
                ("d", "a", 0.5),
                ("d", "b", 0.25),
                ("d", "gone", 0.25),
                ("b", "done", 1.0),
            ],
            entries=["a"],
        )
        [finding] = unowned_handoffs(j)
        assert (finding.source, finding.target, finding.via) == ("a", "b", ("d",))
        assert finding.flow == pytest.approx(0.5)

    def test_flow_of_a_trigger_is_the_visits_of_its_source(self) -> None:
        """A trigger fires every time its source runs: flow = visits of the source."""
        # 30% of journeys reach sold; the ownerless trigger fires on each of them.
        j = journey(
            tp("visit", "sales"),
            tp("sold", "sales"),
            tp("ship", "ops", lane="backstage"),
            out("won"),
            out("gone", "exit"),
            transitions=[
                ("visit", "sold", 0.3),
                ("visit", "gone", 0.7),
                ("sold", "won", 1.0),
            ],
            triggers=[cx.Trigger(source="sold", target="ship")],
            entries=["visit"],
        )
        [finding] = unowned_handoffs(j)
        assert (finding.source, finding.reason) == ("sold", "no_owner")
        assert finding.flow == pytest.approx(0.3)

    def test_flow_is_none_out_of_steps_only_triggers_reach(self) -> None:
        """A hand-off out of an ancillary step (reached by triggers only) has no known flow."""
        j = journey(
            tp("sold", "sales"),
            tp("pick", "warehouse", lane="backstage"),
            tp("drive", "carrier", lane="backstage"),
            out("won"),
            transitions=[("sold", "won", 1.0), ("pick", "drive", 1.0)],
            triggers=[cx.Trigger(source="sold", target="pick", owner="warehouse")],
            entries=["sold"],
        )
        assert [(f.source, f.target, f.flow) for f in unowned_handoffs(j)] == [
            ("pick", "drive", None)
        ]

    def test_flow_is_none_when_probabilities_are_unknown(self) -> None:
        """Without probabilities or counts (uniform basis) every flow is None."""
        j = journey(
            tp("a", "x"),
            tp("b", "y"),
            out("won"),
            out("lost", "failure"),
            transitions=[("a", "b"), ("a", "lost"), ("b", "won")],
        )
        assert [f.flow for f in unowned_handoffs(j)] == [None]

    def test_flow_is_none_when_the_markov_model_rejects_the_flow(self) -> None:
        """A closed loop the Markov model rejects leaves findings, with no flows."""
        j = journey(
            tp("a", "x"),
            tp("b", "y"),
            transitions=[("a", "b", 1.0), ("b", "a", 1.0)],
            entries=["a"],
        )
        assert [(f.source, f.target, f.flow) for f in unowned_handoffs(j)] == [
            ("a", "b", None),
            ("b", "a", None),
        ]

    # -- result -------------------------------------------------------------

    def test_records_have_the_documented_keys(self) -> None:
        """Records carry source, target, from_owner, to_owner, reason, via and flow."""
        j = journey(tp("a", "x"), tp("b", "y"), transitions=[("a", "b")])
        assert list(unowned_handoffs(j).to_records()[0]) == [
            "source",
            "target",
            "from_owner",
            "to_owner",
            "reason",
            "via",
            "flow",
        ]

    def test_describe_names_owners_steps_and_the_decision(self) -> None:
        """describe() tells the hand-off in plain words, with names and ids."""
        j = journey(
            tp("form", "mkt"),
            cd("ready"),
            tp("call", "sales"),
            out("won"),
            out("gone", "exit"),
            transitions=[
                ("form", "ready", 1.0),
                ("ready", "call", 0.25),
                ("ready", "gone", 0.75),
                ("call", "won", 1.0),
            ],
            entries=["form"],
        )
        result = unowned_handoffs(j)
        assert result.describe(result[0]) == (
            "Mkt hands 'Form' (form) to Sales at 'Call' (call) through the customer's "
            "decision 'Ready?' (ready) with no hand-off declared: nobody is accountable "
            "for it (25.0% of journeys)"
        )

    def test_describe_no_owner_and_context_dropped(self) -> None:
        """describe() says what is missing: an accountable owner, or the context."""
        j = journey(
            tp("form", "web"),
            tp("call", "sdr"),
            handoffs=[cx.Handoff(source="form", target="call")],
        )
        result = unowned_handoffs(j)
        assert [result.describe(f) for f in result] == [
            "Web hands 'Form' (form) to Sdr at 'Call' (call) carrying no context: the "
            "customer has to repeat themselves",
            "Web hands 'Form' (form) to Sdr at 'Call' (call): declared, but nobody is "
            "accountable for it arriving",
        ]

    def test_describe_unowned_step(self) -> None:
        """describe() says which side nobody owns."""
        j = journey(tp("a", "x"), tp("u"), tp("b", "y"), transitions=[("a", "u"), ("u", "b")])
        result = unowned_handoffs(j)
        assert [result.describe(f) for f in result] == [
            "X hands 'A' (a) to 'U' (u), which nobody owns",
            "'U' (u), which nobody owns, leads to 'B' (b) (Y)",
        ]

    def test_summary_counts_chains(self) -> None:
        """summary() counts chains, not findings, in plain words; by_reason() counts chains.

        form -> call is one chain with two reasons (declared without owner,
        carrying nothing); call -> demo one more (undeclared): two unowned
        hand-offs, three findings.
        """
        j = journey(
            tp("form", "web"),
            tp("call", "sdr"),
            tp("demo", "se"),
            handoffs=[cx.Handoff(source="form", target="call")],
            transitions=[("call", "demo")],
        )
        result = unowned_handoffs(j)
        assert len(result) == 3
        assert [(c.source, c.target, c.reasons) for c in result.chains] == [
            ("call", "demo", ("undeclared",)),
            ("form", "call", ("context_dropped", "no_owner")),
        ]
        assert result.summary() == (
            "2 unowned hand-offs: 1 with context dropped, 1 with nobody accountable, "
            "1 with no hand-off declared"
        )
        assert "_" not in result.summary()
        assert result.by_reason() == {
            "context_dropped": 1,
            "no_owner": 1,
            "step_unowned": 0,
            "undeclared": 1,
        }
        assert result.line_count() == len(result.lines()) == 2
        assert result.lines()[1] == (
            "Web hands 'Form' (form) to Sdr at 'Call' (call): no context carried: "
            "the customer repeats themselves; declared with nobody accountable"
        )

    def test_summary_one_reason_for_all(self) -> None:
        """When every chain has the same one reason, the count is not repeated."""
        j = journey(
            tp("a", "web"), tp("b", "sdr"), tp("c", "se"), transitions=[("a", "b"), ("b", "c")]
        )
        assert unowned_handoffs(j).summary() == "2 unowned hand-offs, all with no hand-off declared"

    def test_by_owner_pair(self) -> None:
        """Chains group by owner pair: routes counted, flows summed; most routes, then names."""
        j = journey(
            tp("a", "web"),
            tp("b", "sdr"),
            tp("c", "sdr"),
            tp("d", "se"),
            transitions=[("a", "b", 0.5), ("a", "c", 0.5), ("b", "d", 1.0), ("c", "d", 1.0)],
        )
        pairs = unowned_handoffs(j).by_owner_pair()
        assert [(p.from_owner, p.to_owner, p.routes) for p in pairs] == [
            ("sdr", "se", 2),
            ("web", "sdr", 2),
        ]
        assert pairs[1].passes == pytest.approx(1.0)
        assert [c.target for c in pairs[1].chains] == ["b", "c"]

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"unowned_handoffs\(\) takes a Journey, got dict"):
            unowned_handoffs({"journey": {}})  # type: ignore[arg-type]

    # -- the bundled B2B journey --------------------------------------------

    def test_b2b_software_golden(self) -> None:
        """Every unowned hand-off of examples/b2b_software.yaml, each justified."""
        result = unowned_handoffs(cx.load(EXAMPLES / "b2b_software.yaml"))
        expected = [
            # support-tier1 -> use-product, which has no owner (reopen loop back to work).
            ("case-resolved", "use-product", "step_unowned", ()),
            # community-manager -> customer-success by a plain transition.
            ("community-login", "business-review", "undeclared", ()),
            # community-manager -> support-tier1: the thread is not linked to the case.
            ("community-login", "support-case", "undeclared", ()),
            # community-manager -> use-product, which has no owner.
            ("community-login", "use-product", "step_unowned", ()),
            # The shared inbox: a Handoff with no owner and nothing carried into
            # sdr-outreach, a frontstage call.
            ("contact-form", "sdr-outreach", "context_dropped", ()),
            ("contact-form", "sdr-outreach", "no_owner", ()),
            # High-severity cases reach the engineer (frontstage) with nothing attached.
            ("dp-case-route", "engineer-troubleshoots", "context_dropped", ()),
            # case-router -> support-tier1 by a plain transition (standard severity).
            ("dp-case-route", "tier1-resolve", "undeclared", ()),
            # chatbot -> demand-gen: the bot suggests the buyer's guide.
            ("dp-chat-route", "whitepaper-download", "undeclared", ()),
            # deal-desk -> account-executives, both ways out of the discount decision.
            ("dp-discount", "proposal", "undeclared", ()),
            ("dp-discount", "sign-contract", "undeclared", ()),
            # lead-scoring -> demand-gen: below threshold, back to nurture.
            ("dp-lead-score", "nurture-email", "undeclared", ()),
            # sdr-team -> demand-gen: unqualified leads recycled to nurture.
            ("dp-sdr-qualify", "nurture-email", "undeclared", ()),
            # support-engineering -> support-tier1 (same silo, different owners).
            ("engineer-troubleshoots", "case-resolved", "undeclared", ()),
            # The marketing -> sales transfer through the customer's nurture response.
            ("nurture-email", "discovery-call", "undeclared", ("dp-nurture-response",)),
            # demand-gen -> lead-scoring through the same customer decision.
            ("nurture-email", "dp-lead-score", "undeclared", ("dp-nurture-response",)),
            # onboarding-team -> use-product, which has no owner.
            ("onboarding", "use-product", "step_unowned", ()),
            # Web orders reach onboarding through a Handoff nobody owns (it carries
            # the order number, so context is not dropped).
            ("online-cart", "onboarding", "no_owner", ()),
            # The ownerless trigger ecommerce -> cloud-ops starting provisioning.
            ("online-cart", "provision-account", "no_owner", ()),
            # solutions-engineers -> account-executives through the shortlist decision.
            ("product-demo", "proposal", "undeclared", ("dp-evaluate",)),
            # account-executives -> deal-desk and -> ecommerce through "how to buy".
            ("proposal", "dp-discount", "undeclared", ("dp-buy-path",)),
            ("proposal", "online-cart", "undeclared", ("dp-buy-path",)),
            # renewals-desk -> customer-marketing through the renewal decision.
            ("renewal-quote", "reference-invite", "undeclared", ("dp-renew",)),
            # use-product (no owner) -> each owned step after "getting help".
            ("use-product", "business-review", "step_unowned", ("dp-need-help",)),
            ("use-product", "community-login", "step_unowned", ("dp-need-help",)),
            ("use-product", "support-case", "step_unowned", ("dp-need-help",)),
            # web-team -> chatbot (a system owner) by a plain transition.
            ("website-chat", "dp-chat-route", "undeclared", ()),
            # web-team -> demand-gen by a plain transition.
            ("website-visit", "whitepaper-download", "undeclared", ()),
        ]
        assert rows(result) == expected
        assert result.by_reason() == {
            "context_dropped": 2,
            "no_owner": 3,
            "step_unowned": 6,
            "undeclared": 17,
        }

    def test_b2b_software_flows(self) -> None:
        """Flows of the B2B hand-offs that can be worked by hand from the entries."""
        result = unowned_handoffs(cx.load(EXAMPLES / "b2b_software.yaml"))
        flow = {(f.source, f.target, f.reason): f.flow for f in result}
        # 80% of journeys start at the website; 5% of those submit the form,
        # and every form goes to sdr-outreach.
        assert flow["contact-form", "sdr-outreach", "no_owner"] == pytest.approx(0.8 * 0.05)
        # 20% of website visits download the buyer's guide.
        assert flow["website-visit", "whitepaper-download", "undeclared"] == pytest.approx(
            0.8 * 0.2
        )
        # 15% chat; the bot suggests the guide to 40% of chats.
        assert flow["website-chat", "dp-chat-route", "undeclared"] == pytest.approx(0.8 * 0.15)
        assert flow["dp-chat-route", "whitepaper-download", "undeclared"] == pytest.approx(
            0.8 * 0.15 * 0.4
        )

    # -- properties ---------------------------------------------------------

    @given(journeys(max_steps=7))
    def test_findings_reference_real_steps(self, j: cx.Journey) -> None:
        """Findings name real steps: owned or unowned touchpoints as ends, transparent vias."""
        steps = {s.id: s for s in j.steps}
        result = unowned_handoffs(j)
        keys = [(f.source, f.target, f.reason) for f in result]
        assert keys == sorted(set(keys))
        for f in result:
            assert f.reason in REASONS
            for end, owner in ((f.source, f.from_owner), (f.target, f.to_owner)):
                assert isinstance(steps[end], cx.Touchpoint | cx.DecisionPoint)
                assert steps[end].owner == owner  # type: ignore[union-attr]
                assert owner is not None or isinstance(steps[end], cx.Touchpoint)
            for v in f.via:
                assert isinstance(steps[v], cx.Outcome) or steps[v].owner is None  # type: ignore[union-attr]
        if not result.ownership_known:
            assert result.findings == ()

    @given(journeys(max_steps=7), st.randoms(use_true_random=False))
    def test_same_input_same_output_whatever_the_edge_order(self, j: cx.Journey, rnd) -> None:  # type: ignore[no-untyped-def]
        """The same journey gives the same findings in the same order, edges in any order."""
        first = unowned_handoffs(j)
        assert unowned_handoffs(j) == first
        shuffled = j.with_changes(
            transitions=rnd.sample(j.transitions, len(j.transitions)),
            handoffs=rnd.sample(j.handoffs, len(j.handoffs)),
            triggers=rnd.sample(j.triggers, len(j.triggers)),
        )
        again = unowned_handoffs(shuffled)
        assert rows(again) == rows(first)
        for a, b in zip(again, first, strict=True):
            assert (a.flow is None) == (b.flow is None)
            if a.flow is not None:
                assert a.flow == pytest.approx(b.flow, abs=1e-9)

    @given(probabilistic_journeys(acyclic=True, max_steps=7))
    def test_flows_are_shares_on_acyclic_journeys(self, j: cx.Journey) -> None:
        """On a journey without loops every known flow is a share of journeys, in [0, 1]."""
        for f in unowned_handoffs(j):
            if f.flow is not None:
                assert -1e-9 <= f.flow <= 1 + 1e-9

    def test_chain_of_sixty_forks_is_quick(self) -> None:
        """Sixty forks in a row (2**60 paths) are checked edge by edge, instantly."""
        steps: list[cx.Touchpoint | cx.DecisionPoint | cx.Outcome] = [tp("s0", "a")]
        edges: list[tuple[str, str]] = []
        for i in range(60):
            steps += [cd(f"d{i}"), tp(f"x{i}", "a"), tp(f"y{i}", "b"), tp(f"s{i + 1}", "a")]
            edges += [(f"s{i}", f"d{i}"), (f"d{i}", f"x{i}"), (f"d{i}", f"y{i}")]
            edges += [(f"x{i}", f"s{i + 1}"), (f"y{i}", f"s{i + 1}")]
        result = unowned_handoffs(journey(*steps, out("end"), transitions=[*edges, ("s60", "end")]))
        # Per fork: s_i -> y_i (a to b, through d_i) and y_i -> s_i+1 (b to a).
        assert len(result) == 120
        assert result.by_reason()["undeclared"] == 120
