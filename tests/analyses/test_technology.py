"""Tests for the technology landscape (cxgraph.analyses.technology)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.analyses.technology import KINDS, Technology, technology
from cxgraph.graph import entry_weights
from strategies import dag_journeys, journeys, probabilistic_journeys

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str) -> cx.Journey:
    return cx.load(EXAMPLES / f"{name}.yaml")


def found(result: Technology) -> list[tuple[str, str | None, str | None, str | None, str | None]]:
    return [(f.kind, f.system, f.step, f.source, f.target) for f in result]


def shares(result: Technology) -> dict[str, float | None]:
    return {s.system: s.share for s in result.systems}


SYSTEMS = [
    cx.System(id="s1", name="Branch systems"),
    cx.System(id="s2", name="Fulfilment"),
    cx.System(id="s3", name="Web only"),
    cx.System(id="s4", name="Back office"),
    cx.System(id="s5", name="Unused"),
    cx.System(id="s6", name="Web and fulfilment"),
]


def fork(**changes: Any) -> cx.Journey:
    """a forks to b (0.6) or c (0.4); half of b is lost, the rest meets at d; c triggers x.

    Systems: s1 on b and c, s2 on d, s3 on b, s4 on x (started by a trigger
    from c), s5 on nothing, s6 on b and d.
    """
    journey = cx.Journey(
        id="fork",
        name="Fork",
        phases=[cx.Phase(id="p1", name="First"), cx.Phase(id="p2", name="Second")],
        systems=SYSTEMS,
        touchpoints=[
            cx.Touchpoint(id="a", name="Arrive", phase="p1"),
            cx.Touchpoint(id="b", name="Browse", phase="p1", systems=["s1", "s3", "s6"]),
            cx.Touchpoint(id="c", name="Call", phase="p1", systems=["s1"]),
            cx.Touchpoint(id="d", name="Deliver", phase="p2", systems=["s2", "s6"]),
            cx.Touchpoint(id="x", name="Back office entry", lane="backstage", systems=["s4"]),
        ],
        outcomes=[
            cx.Outcome(id="won", name="Won", kind="success"),
            cx.Outcome(id="lost", name="Lost", kind="failure"),
        ],
        entries=["a"],
        transitions=[
            cx.Transition(source="a", target="b", probability=0.6),
            cx.Transition(source="a", target="c", probability=0.4),
            cx.Transition(source="b", target="d", probability=0.5),
            cx.Transition(source="b", target="lost", probability=0.5),
            cx.Transition(source="c", target="d", probability=1.0),
            cx.Transition(source="d", target="won", probability=1.0),
        ],
        triggers=[cx.Trigger(source="c", target="x", carries=["Order"])],
    )
    return journey.with_changes(**changes) if changes else journey


# -- brute force: every customer path with its probability (small acyclic journeys) -------


def flow_paths(journey: cx.Journey) -> Iterator[tuple[float, list[str]]]:
    """Every entry-to-end path of the customer flow with its probability.

    Edge probabilities as declared (every flow edge has one here); a path
    ends at a step with no transition or hand-off out of it.
    """
    out: dict[str, list[tuple[str, float]]] = {s.id: [] for s in journey.steps}
    for e in (*journey.transitions, *journey.handoffs):
        assert e.probability is not None
        out[e.source].append((e.target, e.probability))
    stack = [(p, [s]) for s, p in entry_weights(journey)[0].items()]
    while stack:
        p, path = stack.pop()
        nxt = out[path[-1]]
        if not nxt:
            yield p, path
        for v, q in nxt:
            stack.append((p * q, [*path, v]))


def touched_by_triggers(journey: cx.Journey, steps: set[str]) -> set[str]:
    """The steps, and those that start one of them through triggers alone."""
    found_ = set(steps)
    changed = True
    while changed:
        changed = False
        for t in journey.triggers:
            if t.target in found_ and t.source not in found_:
                found_.add(t.source)
                changed = True
    return found_


# -- hand-worked values -------------------------------------------------------------------


class TestTechnology:
    def test_shares_by_hand(self) -> None:
        """Each share is P(a journey touches at least one of the system's steps), worked by hand."""
        result = technology(fork())
        assert result.basis == "probability"
        assert result.reason == ""
        got = shares(result)
        # s1 on b and c: every journey passes b (0.6) or c (0.4): 0.6 + 0.4 = 1.
        assert got["s1"] == pytest.approx(1.0)
        # s2 on d: 0.6 x 0.5 (b, then d) + 0.4 x 1 (c, then d) = 0.3 + 0.4 = 0.7.
        assert got["s2"] == pytest.approx(0.7)
        # s3 on b alone: 0.6.
        assert got["s3"] == pytest.approx(0.6)
        # s4 on x, which only the trigger from c starts: x runs every time c does: 0.4.
        assert got["s4"] == pytest.approx(0.4)
        # s5 on no step: 0 exactly.
        assert got["s5"] == 0.0
        # s6 on b and d: P(b) + P(d without b) = 0.6 + 0.4 = 1, not 0.6 + 0.7 = 1.3.
        assert got["s6"] == pytest.approx(1.0)

    def test_share_is_not_a_sum_of_visits(self) -> None:
        """A step visited twice per journey on average still gives a share of 1, not 2."""
        j = cx.Journey(
            id="support",
            name="Support",
            systems=[cx.System(id="desk", name="Help desk")],
            touchpoints=[cx.Touchpoint(id="ask", name="Ask", systems=["desk"])],
            outcomes=[cx.Outcome(id="solved", name="Solved", kind="success")],
            entries=["ask"],
            transitions=[
                cx.Transition(source="ask", target="ask", count=5),
                cx.Transition(source="ask", target="solved", count=5),
            ],
        )
        # Asking again half the time: 1 + 1/2 + 1/4 + ... = 2 visits, touched once or more: 1.
        assert cx.markov(j).expected_visits["ask"] == pytest.approx(2.0)
        result = technology(j)
        assert result.basis == "count"
        assert result.use("desk").share == pytest.approx(1.0)

    def test_records_of_each_system(self) -> None:
        """Per system: status, owner, steps in journey order, their phases and owners."""
        owners = [
            cx.Owner(id="ops", name="Operations", kind="department"),
            cx.Owner(id="web", name="Web", kind="team"),
        ]
        tps = [
            cx.Touchpoint(id="b", name="Browse", phase="p1", owner="web", systems=["s1", "s3"]),
            cx.Touchpoint(id="c", name="Call", phase="p1", owner="ops", systems=["s1"]),
        ]
        j = fork(
            owners=owners,
            systems=[cx.System(id="s1", name="One", owner="ops", status="planned"), *SYSTEMS[1:]],
            touchpoints=[*fork().touchpoints[:1], *tps, *fork().touchpoints[3:]],
        )
        s1 = technology(j).use("s1")
        assert (s1.system, s1.status, s1.owner) == ("s1", "planned", "ops")
        assert s1.steps == ("b", "c")
        assert s1.phases == ("p1",)
        # Owners in declared order (ops before web), not in step order.
        assert s1.owners == ("ops", "web")
        x = technology(j).use("s4")
        # x has no phase and no owner: it adds none.
        assert (x.steps, x.phases, x.owners) == (("x",), (), ())

    def test_matrix(self) -> None:
        """matrix[phase][system] counts steps; a None column holds the steps without a phase."""
        result = technology(fork())
        assert result.phases == ("p1", "p2", None)
        assert dict(result.matrix["p1"]) == {"s1": 2, "s2": 0, "s3": 1, "s4": 0, "s5": 0, "s6": 1}
        assert dict(result.matrix["p2"]) == {"s1": 0, "s2": 1, "s3": 0, "s4": 0, "s5": 0, "s6": 1}
        assert dict(result.matrix[None]) == dict.fromkeys(["s1", "s2", "s3", "s5", "s6"], 0) | {
            "s4": 1
        }
        # Every step on a system counts once in its phase's column for that system.
        for use in result.systems:
            assert sum(result.matrix[p][use.system] for p in result.phases) == len(use.steps)

    def test_no_none_column_when_every_step_has_a_phase(self) -> None:
        """Without unphased system steps the columns are the declared phases only."""
        j = fork(triggers=[], touchpoints=fork().touchpoints[:4])
        j = j.with_changes(systems=[s for s in SYSTEMS if s.id != "s4"])
        assert technology(j).phases == ("p1", "p2")

    def test_gates(self) -> None:
        """A system gates success when every path to a success outcome passes one of its steps.

        s1 (b or c) and s2 (d) lie on every path to 'won'; s6 (b and d) too,
        through d. s3 (b) is skipped by a -> c -> d. s4 is started by a
        trigger only: the customer wins whether or not the back office does.
        """
        result = technology(fork())
        assert result.gates == ("s1", "s2", "s6")
        assert [f for f in found(result) if f[0] == "system_gate"] == [
            ("system_gate", "s1", None, None, None),
            ("system_gate", "s2", None, None, None),
            ("system_gate", "s6", None, None, None),
        ]

    def test_no_gate_without_a_reachable_success(self) -> None:
        """With no success outcome within reach, no system is a gate."""
        j = fork(outcomes=[cx.Outcome(id="won", name="Won", kind="exit"), *fork().outcomes[1:]])
        assert technology(j).gates == ()

    def test_rekeying(self) -> None:
        """An edge between steps on disjoint systems that carries nothing means typing again.

        b -> d shares s6, c -> d shares nothing and carries nothing (a
        transition), c -> x is a trigger that carries an order: only c -> d.
        """
        result = technology(fork())
        assert [f for f in found(result) if f[0] == "rekeying"] == [
            ("rekeying", None, None, "c", "d")
        ]

    @pytest.mark.parametrize(
        ("edge", "expected"),
        [
            (cx.Transition(source="u", target="v"), True),
            (cx.Handoff(source="u", target="v"), True),
            (cx.Handoff(source="u", target="v", carries=["Order"]), False),
            (cx.Trigger(source="u", target="v"), True),
            (cx.Trigger(source="u", target="v", carries=["Order"]), False),
        ],
    )
    def test_what_carries_data(self, edge: Any, expected: bool) -> None:
        """Transitions carry nothing; hand-offs and triggers carry what ``carries`` lists."""
        kind = {cx.Transition: "transitions", cx.Handoff: "handoffs", cx.Trigger: "triggers"}
        j = cx.Journey(
            id="j",
            name="J",
            systems=[cx.System(id="crm", name="CRM"), cx.System(id="erp", name="ERP")],
            touchpoints=[
                cx.Touchpoint(id="u", name="U", systems=["crm"]),
                cx.Touchpoint(id="v", name="V", systems=["erp"]),
            ],
            **{kind[type(edge)]: [edge]},
        )
        assert any(f.kind == "rekeying" for f in technology(j)) is expected

    @pytest.mark.parametrize(
        ("u_systems", "v_systems", "expected"),
        [
            (["crm"], ["erp"], True),
            (["crm", "erp"], ["erp"], False),  # one system in common
            (["crm"], [], False),  # v runs on no system: nothing to type into
            ([], ["erp"], False),
        ],
    )
    def test_rekeying_needs_systems_on_both_ends(
        self, u_systems: list[str], v_systems: list[str], expected: bool
    ) -> None:
        """Both ends must run on systems, and on no common one."""
        j = cx.Journey(
            id="j",
            name="J",
            systems=[cx.System(id="crm", name="CRM"), cx.System(id="erp", name="ERP")],
            touchpoints=[
                cx.Touchpoint(id="u", name="U", systems=u_systems),
                cx.Touchpoint(id="v", name="V", systems=v_systems),
            ],
            transitions=[cx.Transition(source="u", target="v")],
        )
        assert any(f.kind == "rekeying" for f in technology(j)) is expected

    def test_a_decision_between_is_no_rekeying(self) -> None:
        """Only direct edges count: a decision point has no systems."""
        j = cx.Journey(
            id="j",
            name="J",
            systems=[cx.System(id="crm", name="CRM"), cx.System(id="erp", name="ERP")],
            touchpoints=[
                cx.Touchpoint(id="u", name="U", systems=["crm"]),
                cx.Touchpoint(id="v", name="V", systems=["erp"]),
            ],
            decision_points=[cx.DecisionPoint(id="d", name="Go?", decided_by="customer")],
            transitions=[
                cx.Transition(source="u", target="d"),
                cx.Transition(source="d", target="v"),
            ],
        )
        assert not [f for f in technology(j) if f.kind == "rekeying"]

    def test_retired_and_planned_in_a_current_journey(self) -> None:
        """Current-state steps on retired or planned systems: one finding per step and system."""
        systems = [
            cx.System(id="s1", name="Old billing", status="retired"),
            cx.System(id="s2", name="New portal", status="planned"),
            *SYSTEMS[2:],
        ]
        result = technology(fork(systems=systems))
        assert [f for f in found(result) if f[0] in KINDS[:2]] == [
            ("retired_in_use", "s1", "b", None, None),
            ("retired_in_use", "s1", "c", None, None),
            ("planned_in_current", "s2", "d", None, None),
        ]
        assert "'Old billing' is retired but 2 steps of this current journey still use it" in (
            result.summary()
        )
        assert "'New portal' is only planned but 1 step of this current journey uses it" in (
            result.summary()
        )
        assert result.describe(result[0]) == (
            "'Browse' (b) runs on 'Old billing' (s1), which is retired"
        )

    def test_three_steps_on_a_retired_system(self) -> None:
        """The words the report uses: "'Old billing' is retired but 3 steps ... still use it"."""
        j = cx.Journey(
            id="j",
            name="J",
            systems=[cx.System(id="old", name="Old billing", status="retired")],
            touchpoints=[cx.Touchpoint(id=i, name=i, systems=["old"]) for i in "abc"],
        )
        assert (
            technology(j)
            .summary()
            .startswith(
                "1 system, all used by steps; 'Old billing' is retired but 3 steps of this current "
                "journey still use it"
            )
        )

    def test_future_state_has_no_retired_or_planned_findings(self) -> None:
        """A future-state map is the roadmap: retired and planned systems there are no finding."""
        systems = [
            cx.System(id="s1", name="Old billing", status="retired"),
            cx.System(id="s2", name="New portal", status="planned"),
            *SYSTEMS[2:],
        ]
        result = technology(fork(systems=systems, state="future"))
        assert {f.kind for f in result} == {"system_gate", "rekeying"}
        assert result.state == "future"

    def test_findings_sorted(self) -> None:
        """Findings come by kind in KINDS order, then system, step, source and target."""
        systems = [
            cx.System(id="s1", name="Old billing", status="retired"),
            cx.System(id="s2", name="New portal", status="planned"),
            *SYSTEMS[2:],
        ]
        result = technology(fork(systems=systems))
        keys = [
            (KINDS.index(f.kind), f.system or "", f.step or "", f.source or "", f.target or "")
            for f in result
        ]
        assert keys == sorted(keys)
        assert [f.kind for f in result] == [
            "retired_in_use",
            "retired_in_use",
            "planned_in_current",
            "system_gate",
            "system_gate",
            "system_gate",
            "rekeying",
        ]

    def test_records(self) -> None:
        """Records are the findings: ``kind, step, system, source, target``, unused fields None."""
        records = technology(fork()).to_records()
        assert records[0] == {
            "kind": "system_gate",
            "step": None,
            "system": "s1",
            "source": None,
            "target": None,
        }
        assert technology(cx.Journey(id="j", name="J")).columns() == [
            "kind",
            "step",
            "system",
            "source",
            "target",
        ]

    def test_words(self) -> None:
        """describe and summary speak of systems and steps by name."""
        result = technology(fork())
        lines = result.lines()
        assert lines[0] == (
            "'Branch systems' (s1) is on every path to success: a single point of failure "
            "(touched by 100% of journeys)"
        )
        assert lines[-1] == (
            "Nothing is carried from 'Call' (c) on 'Branch systems' to 'Deliver' (d) on "
            "'Fulfilment', 'Web and fulfilment': the data is typed in again"
        )
        assert result.summary() == (
            "6 systems, 5 used by steps; 3 system gates (every path to success touches each "
            "of them); 1 re-keying (data typed in again)"
        )
        assert repr(result).startswith("<Technology: 6 systems")

    def test_nothing_found_says_so(self) -> None:
        """A landscape with no finding says there is nothing retired, no gate and no re-keying."""
        j = fork(outcomes=[cx.Outcome(id="won", name="Won", kind="exit"), *fork().outcomes[1:]])
        j = j.with_changes(transitions=[t for t in j.transitions if t.source != "c"], triggers=[])
        j = j.with_changes(
            transitions=[*j.transitions, cx.Transition(source="c", target="lost", probability=1.0)]
        )
        result = technology(j)
        assert not result.findings
        assert result.summary().endswith(
            "nothing retired or planned in use, no single point of failure, no re-keying"
        )

    def test_html_escapes_names(self) -> None:
        """The Jupyter view escapes the names and never raises."""
        j = fork(systems=[cx.System(id="s1", name="<script>x</script>"), *SYSTEMS[1:]])
        html = technology(j)._repr_html_()
        assert "<script>x" not in html
        assert "&lt;script&gt;" in html


# -- the bundled example -----------------------------------------------------------------------


class TestB2BExample:
    def test_findings_by_hand(self) -> None:
        """The B2B example's findings, read off the file.

        Current state, but no step runs on a retired system and the two
        planned systems (customer data platform, health scoring) are used by
        no step: no retired_in_use, no planned_in_current.

        Gates: every success outcome comes after renewal-quote (on the CRM),
        and both entries (website-visit, whitepaper-download) run on the
        marketing automation platform. Every other system can be avoided:
        online-cart or sign-contract (web store, e-signature), support and
        the community are optional, the chat is one way in of several.

        Re-keyings, the direct edges between touchpoints on disjoint systems
        that carry nothing: website-visit (marketing automation) -> website-chat
        (chat widget); community-login (community platform) -> support-case
        (support portal) and -> business-review (CRM). Every other edge
        between two system steps shares a system (tier1-resolve ->
        case-resolved ...) or touches a step without systems or a decision.
        """
        result = technology(load("b2b_software"))
        assert found(result) == [
            ("system_gate", "crm", None, None, None),
            ("system_gate", "marketing-automation", None, None, None),
            ("rekeying", None, None, "community-login", "business-review"),
            ("rekeying", None, None, "community-login", "support-case"),
            ("rekeying", None, None, "website-visit", "website-chat"),
        ]

    def test_systems_by_hand(self) -> None:
        """CRM's steps, phases and owners; the chat widget's share 0.8 x 0.15; planned unused."""
        result = technology(load("b2b_software"))
        crm = result.use("crm")
        assert crm.steps == (
            "sdr-outreach",
            "discovery-call",
            "proposal",
            "online-cart",
            "sign-contract",
            "business-review",
            "renewal-quote",
        )
        assert crm.phases == ("consideration", "purchase", "retention")
        # The owners in the order the file declares them.
        assert crm.owners == (
            "sdr-team",
            "account-executives",
            "ecommerce",
            "renewals-desk",
            "customer-success",
        )
        # The chat: 80% enter at the website, 15% of them open the chat.
        assert result.use("chat-widget").share == pytest.approx(0.8 * 0.15)
        # Every journey starts on a marketing automation step.
        assert result.use("marketing-automation").share == pytest.approx(1.0)
        for planned in ("customer-data-platform", "health-scoring"):
            use = result.use(planned)
            assert (use.status, use.steps, use.share) == ("planned", (), 0.0)

    def test_matrix(self) -> None:
        """The phase × system counts of the example: CRM 2 / 3 / 2 across three phases."""
        result = technology(load("b2b_software"))
        assert [result.matrix[p]["crm"] for p in result.phases] == [0, 2, 3, 2, 0]
        assert result.matrix["retention"]["support-portal-system"] == 4

    def test_shares_agree_with_a_simulation(self) -> None:
        """Each share agrees with the share of 20,000 simulated cases touching the system.

        cx.simulate walks the same chain by random draws: the shares must
        agree within four standard errors.
        """
        j = load("b2b_software")
        result = technology(j)
        log = cx.simulate(j, 20_000, seed=1)
        step_of = {s.name: s.id for s in j.steps}
        visited = log.groupby("case:concept:name")["concept:name"].agg(
            lambda names: {step_of[n] for n in names}
        )
        n = len(visited)
        assert n == 20_000
        for use in result.systems:
            assert use.share is not None
            seen = sum(1 for steps in visited if steps & set(use.steps)) / n
            error = math.sqrt(use.share * (1 - use.share) / n)
            assert abs(seen - use.share) <= 4 * error + 1e-9, use.system

    def test_planned_system_in_the_current_restaurant(self) -> None:
        """The restaurant's current map already shows the planned catering CRM: one finding."""
        result = technology(load("restaurant"))
        assert [f for f in found(result) if f[0] == "planned_in_current"] == [
            ("planned_in_current", "catering-crm", "catering-enquiry", None, None)
        ]


# -- unknown shares and broken inputs ----------------------------------------------------------


class TestUnknownShares:
    def test_without_probabilities(self) -> None:
        """Without probabilities or counts every share is None and the summary says why."""
        j = fork(
            transitions=[
                cx.Transition(source=t.source, target=t.target) for t in fork().transitions
            ]
        )
        result = technology(j)
        assert result.basis is None
        assert set(shares(result).values()) == {None}
        assert result.reason == "the journey gives no probabilities or counts"
        assert result.summary().endswith(
            "shares unknown: the journey gives no probabilities or counts"
        )
        # The structural findings stay.
        assert result.gates == ("s1", "s2", "s6")

    def test_mixed_numbers(self) -> None:
        """Some steps weighted and others not: shares unknown, said so."""
        transitions = list(fork().transitions)
        transitions[0] = cx.Transition(source="a", target="b")
        transitions[1] = cx.Transition(source="a", target="c")
        result = technology(fork(transitions=transitions))
        assert result.basis is None
        assert result.reason == "some steps give probabilities or counts and others do not"

    def test_closed_loop(self) -> None:
        """A loop with no way out: no Markov model, so no shares, but no error either."""
        j = cx.Journey(
            id="j",
            name="J",
            systems=[cx.System(id="s", name="S")],
            touchpoints=[
                cx.Touchpoint(id="a", name="A", systems=["s"]),
                cx.Touchpoint(id="b", name="B"),
            ],
            entries=["a"],
            transitions=[
                cx.Transition(source="a", target="b"),
                cx.Transition(source="b", target="a"),
            ],
        )
        result = technology(j)
        assert result.use("s").share is None
        assert result.reason.startswith("the Markov model cannot be built (")

    def test_internal_flow_after_a_trigger(self) -> None:
        """A system reached by an internal flow moving on after a trigger has share None.

        In the vending example, a sale triggers the low-stock alert, which
        moves on to route planning (on the route spreadsheet) by a transition.
        """
        result = technology(load("vending"))
        assert result.basis is not None
        assert result.use("route-spreadsheet").share is None
        assert result.use("coin-mech").share is not None
        assert result.summary().endswith(
            "share unknown for 'Weekly route spreadsheet': an internal flow reaches it after "
            "a trigger"
        )


class TestBrokenInputs:
    @pytest.mark.parametrize("value", [None, "examples/b2b_software.yaml", {"journey": {}}, 3])
    def test_not_a_journey(self, value: Any) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"technology\(\) takes a Journey, got "):
            technology(value)

    def test_no_systems(self) -> None:
        """A journey without systems gives an empty result that says so."""
        bare = [attrs.evolve(t, systems=()) for t in fork().touchpoints]
        result = technology(fork(systems=[], touchpoints=bare))
        assert (result.findings, result.systems, result.phases, dict(result.matrix)) == (
            (),
            (),
            (),
            {},
        )
        assert result.summary() == "no systems: the journey names no technology behind its steps"
        assert result.to_records() == []
        assert result.to_frame().columns.tolist() == ["kind", "step", "system", "source", "target"]

    def test_no_steps(self) -> None:
        """Systems but no steps: every system unused, no finding."""
        j = cx.Journey(id="j", name="J", systems=[cx.System(id="s", name="S", status="retired")])
        result = technology(j)
        assert result.summary() == "1 system declared, none used by a step"
        assert result.use("s").steps == ()
        assert not result.findings

    def test_unknown_system(self) -> None:
        """Asking for a system the journey lacks is a KeyError listing the known ones."""
        with pytest.raises(KeyError, match=r"no system 'erp' .*\(known: 's1', 's2'"):
            technology(fork()).use("erp")


# -- properties ------------------------------------------------------------------------------


@st.composite
def with_systems(draw: st.DrawFn, base: st.SearchStrategy[cx.Journey]) -> cx.Journey:
    """A journey of ``base`` whose touchpoints run on one to three systems, densely.

    The shared strategy gives most touchpoints no system; here every
    touchpoint draws one system or a subset, so that systems span many
    steps and gates and re-keyings turn up. Half the journeys lose their
    triggers, whose internal flows leave some shares unknown.
    """
    journey = draw(base)
    n = draw(st.sampled_from([3, 2, 1]))
    systems = [
        cx.System(
            id=f"sys{i}",
            name=f"System {i}",
            status=draw(st.sampled_from(["current", "planned", "retired"])),
        )
        for i in range(n)
    ]
    ids = [s.id for s in systems]
    some = st.one_of(
        st.sampled_from(ids).map(lambda s: (s,)),
        st.lists(st.sampled_from(ids), unique=True).map(tuple),
    )
    touchpoints = [attrs.evolve(tp, systems=draw(some)) for tp in journey.touchpoints]
    triggers = journey.triggers if draw(st.booleans()) else ()
    return journey.with_changes(systems=systems, touchpoints=touchpoints, triggers=triggers)


def _all_success(journey: cx.Journey) -> cx.Journey:
    """The journey with every outcome a success: all mass that ends, ends in success."""
    return journey.with_changes(
        outcomes=[
            cx.Outcome(id=o.id, name=o.name, kind="success", dimension=o.dimension)
            for o in journey.outcomes
        ]
    )


class TestProperties:
    @given(with_systems(journeys(min_steps=2, max_steps=10)))
    def test_shares_are_probabilities(self, journey: cx.Journey) -> None:
        """0 <= share <= 1, at least each own step's visit probability, at most their sum."""
        result = technology(journey)
        assert len(result.systems) == len(journey.systems)
        model = cx.markov(journey) if result.basis is not None else None
        for use in result.systems:
            if use.share is None:
                continue
            assert 0.0 <= use.share <= 1.0
            assert model is not None
            visits = [model.visit_probability.get(s, 0.0) for s in use.steps]
            assert use.share >= max(visits, default=0.0) - 1e-9
            reach = touched_by_triggers(journey, set(use.steps))
            assert use.share <= sum(model.visit_probability.get(s, 0.0) for s in reach) + 1e-9

    @given(with_systems(probabilistic_journeys(acyclic=True, max_steps=9)))
    def test_shares_agree_with_path_enumeration(self, journey: cx.Journey) -> None:
        """On small acyclic journeys a share is the summed probability of the paths touching it."""
        result = technology(journey)
        paths = list(flow_paths(journey))
        for use in result.systems:
            if use.share is None:
                continue
            reach = touched_by_triggers(journey, set(use.steps))
            expected = sum(p for p, path in paths if reach & set(path))
            assert use.share == pytest.approx(expected, abs=1e-9)

    @given(with_systems(dag_journeys(max_steps=8)))
    def test_gates_agree_with_path_enumeration(self, journey: cx.Journey) -> None:
        """A system is a gate exactly when every entry-to-success path passes one of its steps."""
        out: dict[str, list[str]] = {s.id: [] for s in journey.steps}
        for e in (*journey.transitions, *journey.handoffs):
            out[e.source].append(e.target)
        success = {o.id for o in journey.outcomes if o.kind == "success"}
        to_success: list[list[str]] = []
        stack = [[s] for s in entry_weights(journey)[0]]
        while stack:
            path = stack.pop()
            if path[-1] in success:
                to_success.append(path)
            stack.extend([*path, v] for v in out[path[-1]])
        expected = tuple(
            s.id
            for s in journey.systems
            if to_success
            and any(s.id in tp.systems for tp in journey.touchpoints)
            and all(
                any(s.id in getattr(journey.step(v), "systems", ()) for v in path)
                for path in to_success
            )
        )
        assert set(technology(journey).gates) == set(expected)

    @given(with_systems(probabilistic_journeys(acyclic=True).map(_all_success)))
    def test_gates_are_touched_by_every_journey(self, journey: cx.Journey) -> None:
        """When all mass reaches success, a gate system is touched by every journey: share 1."""
        assume(cx.markov(journey).conversion_probability > 1 - 1e-9)
        result = technology(journey)
        for sid in result.gates:
            share = result.use(sid).share
            if share is not None:
                assert share == pytest.approx(1.0, abs=1e-9)

    @given(
        with_systems(journeys(min_steps=2, max_steps=10)), st.sampled_from(["current", "future"])
    )
    def test_retired_and_planned_only_in_the_current_state(
        self, journey: cx.Journey, state: str
    ) -> None:
        """retired_in_use and planned_in_current appear for current-state journeys only."""
        result = technology(journey.with_changes(state=state))
        kinds = {f.kind for f in result}
        status = {s.id: s.status for s in journey.systems}
        expected = {
            {"retired": "retired_in_use", "planned": "planned_in_current"}[status[sid]]
            for tp in journey.touchpoints
            for sid in tp.systems
            if status[sid] != "current"
        }
        assert kinds & set(KINDS[:2]) == (expected if state == "current" else set())

    @given(journeys(max_steps=8))
    def test_deterministic_and_sorted(self, journey: cx.Journey) -> None:
        """The same journey gives the same result, findings sorted, matrix summing to the steps."""
        a, b = technology(journey), technology(journey)
        assert a == b
        assert a.to_records() == b.to_records()
        keys = [
            (KINDS.index(f.kind), f.system or "", f.step or "", f.source or "", f.target or "")
            for f in a
        ]
        assert keys == sorted(keys)
        for use in a.systems:
            assert sum(a.matrix[p][use.system] for p in a.phases) == len(use.steps)
        assert repr(a)
        assert a._repr_html_()

    @given(with_systems(journeys(min_steps=2, max_steps=10)))
    def test_rekeying_by_definition(self, journey: cx.Journey) -> None:
        """Re-keyings are exactly the edges carrying nothing between disjoint, non-empty systems."""
        on = {tp.id: set(tp.systems) for tp in journey.touchpoints}
        expected = {
            (e.source, e.target)
            for e in journey.edges
            if on.get(e.source)
            and on.get(e.target)
            and not on[e.source] & on[e.target]
            and not getattr(e, "carries", ())
        }
        got = [(f.source, f.target) for f in technology(journey) if f.kind == "rekeying"]
        assert len(got) == len(set(got))
        assert set(got) == expected
