"""check(journey, rules): hand-worked rules, custom analyses, broken rules, properties."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from attrs import frozen
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError, RulesError
from cxgraph.readwrite.rules import load_rules
from cxgraph.report.registry import _builtin
from cxgraph.report.rules import RuleCheck, RuleViolation, _spec_of_result, _static_spec, check
from strategies import journeys

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE_RULES = EXAMPLES / "ci" / "rules.yaml"

SHOP = """\
cxgraph: "1.0"
journey: {id: shop, name: Shop}
owners:
  - {id: sales, name: Sales, kind: department}
  - {id: support, name: Support, kind: department}
touchpoints:
  - {id: browse, name: Browse, owner: sales, lane: customer}
  - {id: buy, name: Buy, owner: sales}
  - {id: help, name: Help, owner: support}
  - {id: note, name: Note, lane: backstage}
outcomes:
  - {id: won, name: Won, kind: success}
  - {id: lost, name: Lost, kind: failure}
transitions:
  - {source: browse, target: buy, probability: 0.6}
  - {source: buy, target: won, probability: 1.0}
  - {source: help, target: won, probability: 0.5}
  - {source: help, target: lost, probability: 0.5}
handoffs:
  - {source: browse, target: help, probability: 0.4}
triggers:
  - {source: buy, target: note}
"""

#: The shop's unowned hand-offs, worked by hand: the declared hand-off browse -> help
#: has no owner and carries nothing to a frontstage step (two reasons); the trigger
#: buy -> note reaches a step nobody owns. Flow: 0.4 of journeys browse -> help,
#: 0.6 reach buy.
CONTEXT = {
    "source": "browse",
    "target": "help",
    "from_owner": "sales",
    "to_owner": "support",
    "reason": "context_dropped",
    "via": (),
    "flow": 0.4,
}
NO_OWNER = {**CONTEXT, "reason": "no_owner"}
UNOWNED_STEP = {
    "source": "buy",
    "target": "note",
    "from_owner": "sales",
    "to_owner": None,
    "reason": "step_unowned",
    "via": (),
    "flow": 0.6,
}


@pytest.fixture(scope="module")
def shop() -> cx.Journey:
    return cx.loads(SHOP, "yaml")


def rules(*items: dict[str, Any]) -> dict[str, Any]:
    """A rules mapping of the file's shape."""
    return {"cxgraph-rules": "1.0", "rules": list(items)}


def forbid(analysis: str = "unowned_handoffs", **extra: Any) -> dict[str, Any]:
    return {"id": "r", "description": "R", "forbid": analysis, **extra}


def require(target: str = "markov.conversion_probability", **extra: Any) -> dict[str, Any]:
    return {"id": "r", "description": "R", "require": target, **extra}


def matched(journey: cx.Journey, rule: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The findings a forbid rule matches (with max high enough to see them), None if none."""
    result = check(journey, rules({**rule, "max": 0}))
    return None if result.ok else list(result[0].finding)


def problems(journey: cx.Journey, *items: dict[str, Any]) -> list[str]:
    """The problems check finds in these rules, as ``path: message`` lines."""
    with pytest.raises(RulesError) as info:
        check(journey, rules(*items))
    return [str(p) for p in info.value.errors]


class TestForbid:
    def test_every_finding(self, shop: cx.Journey) -> None:
        """Without where every finding matches; the violation holds their records in order."""
        result = check(shop, rules(forbid()))
        assert not result.ok
        assert result.to_records() == [
            {
                "rule": "r",
                "analysis": "unowned_handoffs",
                "finding": (CONTEXT, NO_OWNER, UNOWNED_STEP),
            }
        ]

    @pytest.mark.parametrize(
        ("where", "expected"),
        [
            ({"reason": "no_owner"}, [NO_OWNER]),
            ({"reason": ["no_owner", "step_unowned"]}, [NO_OWNER, UNOWNED_STEP]),
            ({"reason": {"ne": "context_dropped"}}, [NO_OWNER, UNOWNED_STEP]),
            ({"flow": {"gt": 0.5}}, [UNOWNED_STEP]),
            ({"flow": {"ge": 0.6}}, [UNOWNED_STEP]),
            ({"flow": {"lt": 0.6}}, [CONTEXT, NO_OWNER]),
            ({"flow": {"le": 0.4}}, [CONTEXT, NO_OWNER]),
            ({"flow": {"gt": 0.3, "lt": 0.5}}, [CONTEXT, NO_OWNER]),
            ({"flow": {"ne": 0.4}}, [UNOWNED_STEP]),
            ({"to_owner": None}, [UNOWNED_STEP]),
            ({"to_owner": {"ne": None}}, [CONTEXT, NO_OWNER]),
            ({"reason": "no_owner", "flow": {"ge": 0.5}}, None),
            ({"reason": "undeclared"}, None),
            ({"via": "anything"}, None),
            ({"via": {"ne": "anything"}}, [CONTEXT, NO_OWNER, UNOWNED_STEP]),
        ],
    )
    def test_where(
        self, shop: cx.Journey, where: dict[str, Any], expected: list[dict[str, Any]] | None
    ) -> None:
        """Values, lists, operators and null match as documented; several fields AND."""
        assert matched(shop, forbid(where=where)) == expected

    def test_max(self, shop: cx.Journey) -> None:
        """At most max findings may match: three matches pass max 3 and break max 2."""
        assert check(shop, rules(forbid(max=3))).ok
        broken = check(shop, rules(forbid(max=2)))
        assert len(broken[0].finding) == 3
        assert "3 findings of unowned_handoffs match, more than the 2 allowed" in broken.lines()[0]

    def test_flags_equal_only_themselves(self, shop: cx.Journey) -> None:
        """customer_visible: true matches the visible crossing; 1 is refused for a flag field."""
        crossing = matched(shop, forbid("silo_boundaries", where={"customer_visible": True}))
        assert crossing is not None
        assert [(c["source"], c["target"]) for c in crossing] == [("browse", "help")]
        assert matched(shop, forbid("silo_boundaries", where={"customer_visible": False})) is None
        assert problems(shop, forbid("silo_boundaries", where={"customer_visible": 1})) == [
            "$.rules[0].where.customer_visible: field 'customer_visible' of analysis "
            "'silo_boundaries' holds true or false, got integer 1"
        ]

    def test_lists_of_text_match_by_membership(self, shop: cx.Journey) -> None:
        """reasons: gate matches a step whose reasons hold gate; ne: gate one whose do not."""
        found = matched(shop, forbid("moments_of_truth", where={"reasons": "gate"}))
        assert found is not None
        assert [(m["step"], m["reasons"]) for m in found] == [("browse", ("gate", "swing"))]
        assert matched(shop, forbid("moments_of_truth", where={"reasons": ["declared"]})) is None
        assert matched(shop, forbid("moments_of_truth", where={"reasons": {"ne": "gate"}})) is None

    def test_text_values_are_checked_against_their_choices(self, shop: cx.Journey) -> None:
        """A value outside a text field's fixed set is a problem naming the valid ones."""
        assert problems(shop, forbid("touchpoint_inventory", where={"lane": "front"})) == [
            "$.rules[0].where.lane: unknown value 'front' for field 'lane' of analysis "
            "'touchpoint_inventory' (valid: 'customer', 'frontstage', 'backstage', 'support')"
        ]
        found = matched(shop, forbid("touchpoint_inventory", where={"lane": "backstage"}))
        assert [r["step"] for r in found or ()] == ["note"]


class TestRequire:
    def test_holds(self, shop: cx.Journey) -> None:
        """Conversion 0.8 (0.6 buy, plus 0.4 x 0.5 helped) is within [0.2, 0.9]."""
        assert check(shop, rules(require(min=0.2, max=0.9))).ok

    def test_below_the_minimum(self, shop: cx.Journey) -> None:
        """A value below min breaks the rule; the finding is the value."""
        result = check(shop, rules(require(min=0.9)))
        (violation,) = result
        assert violation.rule == "r"
        assert violation.analysis == "markov"
        assert violation.finding == pytest.approx(0.8)
        assert result.lines() == [
            "r (R): markov.conversion_probability is 0.8, below the minimum 0.9"
        ]

    def test_above_the_maximum(self, shop: cx.Journey) -> None:
        """A value above max breaks the rule."""
        result = check(shop, rules(require("silo_boundaries.customer_visible", max=0)))
        assert result.lines() == [
            "r (R): silo_boundaries.customer_visible is 1, above the maximum 0"
        ]
        assert result[0].finding == 1

    def test_unknown_value_breaks_the_rule(self) -> None:
        """A summary value the analysis could not compute (None) breaks the rule."""
        journey = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id="a", name="A")],
            outcomes=[cx.Outcome(id="ok", name="OK", kind="success")],
            transitions=[cx.Transition(source="a", target="ok")],
        )
        result = check(journey, rules(require("moments_of_truth.conversion_probability", min=0)))
        assert result[0].finding is None
        assert result.lines() == [
            "r (R): moments_of_truth.conversion_probability is unknown: moments_of_truth could "
            "not compute it"
        ]


class TestRuleCheck:
    def test_clean(self, shop: cx.Journey) -> None:
        """A journey keeping every rule gives a true, empty result."""
        result = check(shop, rules(forbid(where={"reason": "undeclared"}), require(id="c", min=0)))
        assert result.ok
        assert bool(result)
        assert len(result) == 0
        assert result.checked == ("r", "c")
        assert result.summary() == "all 2 rules hold"
        assert repr(result) == "<RuleCheck: all 2 rules hold>"

    def test_no_rules(self, shop: cx.Journey) -> None:
        """No rules: clean, and the summary says there was nothing to check."""
        result = check(shop, rules())
        assert result.ok
        assert result.summary() == "no rules to check"

    def test_broken(self, shop: cx.Journey) -> None:
        """Broken rules: false, one violation each in the rules' order, named in the summary."""
        result = check(
            shop,
            rules(
                require(id="conversion", description="Converts 90%", min=0.9),
                forbid(id="ok", where={"reason": "undeclared"}),
                forbid(id="owned", description="Hand-offs owned", where={"reason": "no_owner"}),
            ),
        )
        assert not result.ok
        assert not bool(result)
        assert [v.rule for v in result] == ["conversion", "owned"]
        assert result.summary() == "2 of 3 rules broken: conversion, owned"
        assert result.columns() == ["rule", "analysis", "finding"]
        assert result.lines()[1] == (
            "owned (Hand-offs owned): 1 finding of unowned_handoffs matches where reason is "
            "'no_owner', more than the 0 allowed: Sales hands 'Browse' (browse) to Support at "
            "'Help' (help): declared, but nobody is accountable for it arriving (40.0% of journeys)"
        )
        html = result._repr_html_()
        assert "Journey rules" in html
        assert "<script" not in html

    def test_many_matches_are_cut_in_words(self, shop: cx.Journey) -> None:
        """The words name three matches and count the rest; the record keeps them all."""
        result = check(shop, rules(forbid("touchpoint_inventory")))
        assert result.lines()[0].endswith("; and 1 more")
        assert len(result[0].finding) == 4

    def test_a_violation_is_a_record(self) -> None:
        """RuleViolation is a small frozen record of three fields."""
        v = RuleViolation(rule="r", analysis="markov", finding=0.1)
        assert v == RuleViolation(rule="r", analysis="markov", finding=0.1)
        assert isinstance(check(cx.Journey(id="j", name="J"), rules()), RuleCheck)

    def test_rules_from_a_file(self, shop: cx.Journey, tmp_path: Path) -> None:
        """The rules may be a path (str or Path) or what load_rules read; the source is kept."""
        path = tmp_path / "rules.yaml"
        path.write_text(
            'cxgraph-rules: "1.0"\nrules:\n  - {id: r, description: R, forbid: coverage}\n',
            encoding="utf-8",
        )
        for given_rules in (path, str(path), load_rules(path)):
            result = check(shop, given_rules)
            assert result.ok
            assert result.source == str(path)

    def test_wrong_arguments(self, shop: cx.Journey) -> None:
        """A journey that is not one, or rules that are neither path nor mapping, is a TypeError."""
        with pytest.raises(TypeError, match=r"check\(\) takes a Journey, got a mapping"):
            check({}, rules())  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"takes the rules as a rules file's path or a mapping"):
            check(shop, [])  # type: ignore[arg-type]

    def test_missing_file(self, shop: cx.Journey, tmp_path: Path) -> None:
        """A rules file that does not exist is a FileNotFoundError."""
        with pytest.raises(FileNotFoundError, match=r"none\.yaml"):
            check(shop, tmp_path / "none.yaml")


class TestBrokenRules:
    @pytest.mark.parametrize(
        ("rule", "expected"),
        [
            (
                forbid("silo_boundary"),
                "$.rules[0].forbid: unknown analysis 'silo_boundary' (valid: "
                "'unowned_handoffs', 'silo_boundaries', 'branches', 'dimensions', "
                "'moments_of_truth', 'weakest_touchpoints', 'touchpoint_inventory', "
                "'coverage', 'markov', 'trust_and_value', 'technology', 'decision_boundary')",
            ),
            (
                require("markovs.conversion_probability", min=0),
                "$.rules[0].require: unknown analysis 'markovs' (valid: "
                "'unowned_handoffs', 'silo_boundaries', 'branches', 'dimensions', "
                "'moments_of_truth', 'weakest_touchpoints', 'touchpoint_inventory', "
                "'coverage', 'markov', 'trust_and_value', 'technology', 'decision_boundary')",
            ),
            (
                forbid("silo_boundaries", where={"kind": "x"}),
                "$.rules[0].where.kind: unknown field 'kind' of the findings of "
                "'silo_boundaries' (fields: 'source', 'target', 'via', 'from_silo', 'to_silo', "
                "'customer_visible', 'channel_switch')",
            ),
            (
                forbid(where={"reason": ["no_owner", "undeclard"]}),
                "$.rules[0].where.reason[1]: unknown value 'undeclard' for field 'reason' of "
                "analysis 'unowned_handoffs' (valid: 'context_dropped', 'no_owner', "
                "'step_unowned', 'undeclared')",
            ),
            (
                forbid(where={"reason": {"ne": "none"}}),
                "$.rules[0].where.reason.ne: unknown value 'none' for field 'reason' of analysis "
                "'unowned_handoffs' (valid: 'context_dropped', 'no_owner', 'step_unowned', "
                "'undeclared')",
            ),
            (
                forbid("coverage", where={"kind": "engagment"}),
                "$.rules[0].where.kind: unknown value 'engagment' for field 'kind' of analysis "
                "'coverage' (valid: 'engagement', 'no_channel', 'single_channel')",
            ),
            (
                forbid("branches", where={"decided_by": "robot"}),
                "$.rules[0].where.decided_by: unknown value 'robot' for field 'decided_by' of "
                "analysis 'branches' (valid: 'customer', 'employee', 'automated')",
            ),
            (
                forbid("moments_of_truth", where={"reasons": "gated"}),
                "$.rules[0].where.reasons: unknown value 'gated' for field 'reasons' of analysis "
                "'moments_of_truth' (valid: 'declared', 'gate', 'fork_to_failure', 'swing', "
                "'emotional_low')",
            ),
            (
                forbid(where={"from_owner": {"gt": 1}}),
                "$.rules[0].where.from_owner.gt: gt compares numbers, but field 'from_owner' of "
                "analysis 'unowned_handoffs' holds text: give a value or a list of values",
            ),
            (
                forbid("silo_boundaries", where={"customer_visible": {"ge": 1}}),
                "$.rules[0].where.customer_visible.ge: ge compares numbers, but field "
                "'customer_visible' of analysis 'silo_boundaries' holds true or false: give a "
                "value or a list of values",
            ),
            (
                forbid(where={"via": {"lt": 2}}),
                "$.rules[0].where.via.lt: lt compares numbers, but field 'via' of analysis "
                "'unowned_handoffs' holds a list of text: give a value or a list of values",
            ),
            (
                forbid(where={"flow": "high"}),
                "$.rules[0].where.flow: field 'flow' of analysis 'unowned_handoffs' holds a "
                "number, got string 'high'",
            ),
            (
                forbid(where={"source": None}),
                "$.rules[0].where.source: field 'source' of analysis 'unowned_handoffs' is "
                "never null: it holds text",
            ),
            (
                forbid("branches", where={"probabilities": [0.5]}),
                "$.rules[0].where.probabilities: field 'probabilities' of analysis 'branches' "
                "holds neither a number, text, true/false nor a list of text: where cannot "
                "test it",
            ),
            (
                require("markov.conversion", min=0.2),
                "$.rules[0].require: unknown summary field 'conversion' of 'markov' (numeric "
                "fields: 'conversion_probability', 'dead_end_probability', 'expected_steps')",
            ),
            (
                require("markov.basis", max=1),
                "$.rules[0].require: summary field 'basis' of 'markov' holds text, not a number: "
                "min and max bound numbers (numeric fields: 'conversion_probability', "
                "'dead_end_probability', 'expected_steps')",
            ),
        ],
    )
    def test_each_problem(self, shop: cx.Journey, rule: dict[str, Any], expected: str) -> None:
        """Each broken rule is one clear problem at its path, with the choices."""
        assert problems(shop, rule) == [expected]

    def test_raises_rules_error(self, shop: cx.Journey) -> None:
        """Rules naming what does not exist raise RulesError, a ValueError, listing them."""
        with pytest.raises(
            ValueError, match=r"^1 problem in the rules:\n\$\.rules\[0\]\.forbid: unknown"
        ):
            check(shop, rules(forbid("nope")))

    def test_every_problem_at_once(self, shop: cx.Journey) -> None:
        """Problems of every rule come together, in the rules' order."""
        found = problems(
            shop,
            forbid("branches", id="a", where={"decided_by": "robot"}),
            forbid("nope", id="b"),
            forbid(id="c", where={"reason": "x", "flow": {"gt": 0.1}, "to_owner": 3}),
            require("markov.basis", id="d", min=0),
        )
        assert [line.split(": ")[0] for line in found] == [
            "$.rules[0].where.decided_by",
            "$.rules[1].forbid",
            "$.rules[2].where.reason",
            "$.rules[2].where.to_owner",
            "$.rules[3].require",
        ]

    def test_shape_and_analyses_together(self, shop: cx.Journey, tmp_path: Path) -> None:
        """A rules file's shape is checked first; its problems come without running anything."""
        path = tmp_path / "rules.yaml"
        path.write_text('cxgraph-rules: "1.0"\nrules: [{id: r, forbid: nope}]\n', "utf-8")
        with pytest.raises(RulesError) as info:
            check(shop, path)
        assert str(info.value) == (
            f"1 problem in the rules file {str(path)!r}:\n"
            "$.rules[0].description: missing required key 'description': say in words what the "
            "rule protects"
        )


@frozen(kw_only=True)
class Pain:
    step: str
    level: Literal["low", "high"]
    count: int


@frozen(kw_only=True, repr=False)
class Pains(AnalysisResult[Pain]):
    name: ClassVar[str] = "pains"
    title: ClassVar[str] = "Pains"

    total: int
    label: str = "pains"


class Records:
    """A custom result that is no AnalysisResult: records only."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def to_records(self) -> list[dict[str, Any]]:
        return self.records


def _pains(journey: cx.Journey) -> Pains:
    found = [
        Pain(step=t.id, level="high" if len(t.pain_points) > 1 else "low", count=len(t.pain_points))
        for t in journey.touchpoints
        if t.pain_points
    ]
    return Pains(findings=tuple(found), total=sum(p.count for p in found))


@pytest.fixture
def custom() -> Iterator[None]:
    """Custom analyses registered for one test, unregistered after."""
    cx.register_analysis("pains")(_pains)
    cx.register_analysis("pain.records")(
        lambda j: Records([{"step": t.id, "n": len(t.pain_points)} for t in j.touchpoints])
    )
    cx.register_analysis("step_count")(lambda j: len(j.steps))

    def fail(journey: cx.Journey) -> int:
        raise ZeroDivisionError("no")

    cx.register_analysis("failing")(fail)
    try:
        yield
    finally:
        for name in ("pains", "pain.records", "step_count", "failing"):
            cx.unregister_analysis(name)


@pytest.fixture(scope="module")
def painful() -> cx.Journey:
    return cx.Journey(
        id="p",
        name="P",
        touchpoints=[
            cx.Touchpoint(id="a", name="A", pain_points=("slow",)),
            cx.Touchpoint(id="b", name="B", pain_points=("slow", "rude", "lost")),
            cx.Touchpoint(id="c", name="C"),
        ],
    )


@pytest.mark.usefixtures("custom")
class TestCustomAnalyses:
    def test_forbid_and_require(self, painful: cx.Journey) -> None:
        """A registered analysis's findings and summary fields work like a built-in's."""
        high = matched(painful, forbid("pains", where={"level": "high"}))
        assert high == [{"step": "b", "level": "high", "count": 3}]
        assert matched(painful, forbid("pains", where={"count": {"ge": 1}})) is not None
        result = check(painful, rules(require("pains.total", max=3)))
        assert result.lines() == ["r (R): pains.total is 4, above the maximum 3"]

    def test_fields_checked_when_it_runs(self, painful: cx.Journey) -> None:
        """Unknown fields, enum values and comparisons of a custom analysis are problems."""
        assert problems(
            painful,
            forbid("pains", id="a", where={"level": "medium", "size": 1}),
            forbid("pains", id="b", where={"step": {"gt": 1}}),
            require("pains.label", id="c", min=0),
            require("pains.mean", id="d", min=0),
        ) == [
            "$.rules[0].where.level: unknown value 'medium' for field 'level' of analysis "
            "'pains' (valid: 'low', 'high')",
            "$.rules[0].where.size: unknown field 'size' of the findings of 'pains' (fields: "
            "'step', 'level', 'count')",
            "$.rules[1].where.step.gt: gt compares numbers, but field 'step' of analysis "
            "'pains' holds text: give a value or a list of values",
            "$.rules[2].require: summary field 'label' of 'pains' holds text, not a number: "
            "min and max bound numbers (numeric fields: 'total')",
            "$.rules[3].require: unknown summary field 'mean' of 'pains' (numeric fields: 'total')",
        ]

    def test_records_only(self, painful: cx.Journey) -> None:
        """A result with records only: its fields' kinds are read from the values."""
        found = matched(painful, forbid("pain.records", where={"n": {"gt": 0}}))
        assert found == [{"step": "a", "n": 1}, {"step": "b", "n": 3}]
        assert problems(painful, forbid("pain.records", where={"n": {"gt": "x"}, "m": 1})) == [
            "$.rules[0].where.n.gt: expected a number (gt compares numbers), got string 'x'"
        ]
        assert problems(painful, forbid("pain.records", where={"m": 1})) == [
            "$.rules[0].where.m: unknown field 'm' of the findings of 'pain.records' (fields: "
            "'step', 'n')"
        ]

    def test_a_plain_value(self, painful: cx.Journey) -> None:
        """A result that is a plain number has no findings to forbid and no summary fields."""
        assert problems(painful, forbid("step_count"), require("step_count.x", id="s", min=1)) == [
            "$.rules[0].forbid: analysis 'step_count' returns integer 3, which has no findings "
            "to count: forbid needs a result with findings (or to_records())",
            "$.rules[1].require: analysis 'step_count' returns integer 3, which has no summary "
            "fields: require reads a number field of an attrs result class",
        ]

    def test_a_failing_analysis(self, painful: cx.Journey) -> None:
        """A custom analysis that fails is a CxgraphError naming it."""
        with pytest.raises(CxgraphError, match=r"custom analysis 'failing' failed: ZeroDivision"):
            check(painful, rules(forbid("failing")))

    def test_unregistered(self, painful: cx.Journey) -> None:
        """Once unregistered, the analysis is unknown, with the valid names listed."""
        cx.register_analysis("gone")(_pains)
        assert check(painful, rules(forbid("gone", max=2))).ok
        cx.unregister_analysis("gone")
        (problem,) = problems(painful, forbid("gone"))
        assert problem.startswith("$.rules[0].forbid: unknown analysis 'gone' (valid: ")
        assert "'pains'" in problem


#: Analyses whose findings the property counts.
COUNTED = (
    "unowned_handoffs",
    "silo_boundaries",
    "branches",
    "dimensions",
    "moments_of_truth",
    "weakest_touchpoints",
    "touchpoint_inventory",
    "coverage",
)


class TestProperties:
    @given(journey=journeys(), analysis=st.sampled_from(COUNTED))
    def test_max_is_the_number_of_findings(self, journey: cx.Journey, analysis: str) -> None:
        """No rules: clean. forbid with max = the findings' count: clean; with one less: broken."""
        assert check(journey, rules()).ok
        n = len(cx.analyze(journey, analyses=[analysis])[analysis])
        assert check(journey, rules(forbid(analysis, max=n))).ok
        if n:
            broken = check(journey, rules(forbid(analysis, max=n - 1)))
            assert not broken.ok
            assert len(broken[0].finding) == n


#: What the bundled rules file says of each bundled journey: the rules each breaks.
EXAMPLE_OUTCOMES = {
    "b2b_software": [
        "every-handoff-owned",
        "visible-crossing-carries-context",
        "conversion-above-20",
    ],
    "restaurant": [],
    "vending": ["every-handoff-owned"],
    "vending_future": [],
}


class TestExampleRules:
    @pytest.mark.parametrize("name", sorted(EXAMPLE_OUTCOMES))
    def test_bundled_examples(self, name: str) -> None:
        """examples/ci/rules.yaml passes or fails each bundled journey as the file says."""
        result = check(cx.load(EXAMPLES / f"{name}.yaml"), EXAMPLE_RULES)
        assert [v.rule for v in result] == EXAMPLE_OUTCOMES[name]
        assert result.ok == (not EXAMPLE_OUTCOMES[name])

    def test_the_file_says_so(self) -> None:
        """The rules file's own comment names the journeys that pass and break."""
        text = " ".join(w for w in EXAMPLE_RULES.read_text("utf-8").split() if w != "#")
        assert "restaurant.yaml and vending_future.yaml keep every rule" in text
        assert "vending.yaml breaks every-handoff-owned" in text
        assert "b2b_software.yaml breaks all three" in text


class TestDocsTable:
    def test_rows_match_the_analyses(self) -> None:
        """Each row of docs/rules.md's table of fields is what check accepts, choices included."""
        text = (ROOT / "docs" / "rules.md").read_text("utf-8")
        rows = re.findall(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", text, re.M)
        assert len(rows) >= 9
        builtin = _builtin()
        restaurant = cx.load(EXAMPLES / "restaurant.yaml")
        for name, finding_cell, number_cell in rows:
            spec = _static_spec(name, builtin) or _spec_of_result(
                name, cx.analyze(restaurant, analyses=[name])[name]
            )
            assert spec.findings is not None
            shown = dict(re.findall(r"`(\w+)`(?: \{([^}]*)\})?", finding_cell))
            testable = {k: f for k, f in spec.findings.items() if f.kind != "other"}
            assert list(shown) == list(testable), name
            for field_name, choices in shown.items():
                expected = testable[field_name].choices
                assert (choices.split(", ") if choices else None) == (
                    list(expected) if expected else None
                ), (name, field_name)
            numbers = [k for k, f in spec.summary.items() if f.kind == "number"]
            assert re.findall(r"`(\w+)`", number_cell) == numbers, name
