"""Validation: every broken input and the exact problems it must give.

The table below is the contract for error messages: each case is a broken
document (a dict, or raw JSON/YAML text) and the full list of
``(path, code, message)`` it must produce, in document order. Dict cases run
through both ``cx.loads`` (as JSON text) and ``cx.validate``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import cxgraph as cx
from cxgraph.errors import CxgraphError
from cxgraph.model import validation as _validate

ROOT = Path(__file__).resolve().parents[2]
ProblemTuple = tuple[str, str, str]

# -- building blocks ---------------------------------------------------------


def doc(**parts: Any) -> dict[str, Any]:
    """A document with a valid header, plus the given top-level parts."""
    out: dict[str, Any] = {"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}}
    out.update(parts)
    return out


def tp(id: str, **kw: Any) -> dict[str, Any]:
    """A touchpoint mapping."""
    return {"id": id, "name": id.upper(), **kw}


def ow(id: str, kind: str = "team", **kw: Any) -> dict[str, Any]:
    """An owner mapping."""
    return {"id": id, "name": id.title(), "kind": kind, **kw}


def oc(id: str, kind: str = "success") -> dict[str, Any]:
    """An outcome mapping."""
    return {"id": id, "name": id.title(), "kind": kind}


def dp(id: str, decided_by: str, **kw: Any) -> dict[str, Any]:
    """A decision point mapping."""
    return {"id": id, "name": id.title(), "decided_by": decided_by, **kw}


def tr(source: str, target: str, **kw: Any) -> dict[str, Any]:
    """A transition (or hand-off, or trigger) mapping."""
    return {"source": source, "target": target, **kw}


ABC = [tp("a"), tp("b"), tp("c")]
ABC_OK = {"touchpoints": ABC, "outcomes": [oc("ok")]}
YAML_HEAD = 'cxgraph: "1.0"\njourney: {id: j, name: J}\n'
MANY = [tp(f"s{i:02d}") for i in range(25)]

# -- the table ---------------------------------------------------------------

# Each case: id, input (a dict, or (format, text)), expected problems.
CASES: list[tuple[str, Any, list[ProblemTuple]]] = [
    # wrong types, one per kind of field
    (
        "string-got-int",
        doc(touchpoints=[tp("a", name=3)]),
        [("$.touchpoints[0].name", "type", "expected a string, got integer 3")],
    ),
    (
        "id-got-int",
        doc(owners=[ow("x") | {"id": 5}]),
        [("$.owners[0].id", "type", "expected an id (a string), got integer 5")],
    ),
    (
        "int-got-quoted-number",
        doc(dimensions=[{"id": "d", "name": "D", "tier": "1"}]),
        [
            (
                "$.dimensions[0].tier",
                "type",
                "expected an integer, got string '1' (write the number without quotes)",
            )
        ],
    ),
    (
        "int-got-float",
        doc(touchpoints=[tp("a", emotion=1.5)]),
        [("$.touchpoints[0].emotion", "type", "expected an integer from -3 to 3, got number 1.5")],
    ),
    (
        "int-out-of-range",
        doc(touchpoints=[tp("a", emotion=-4)]),
        [("$.touchpoints[0].emotion", "range", "expected an integer from -3 to 3, got -4")],
    ),
    (
        "number-got-string",
        doc(touchpoints=[tp("a", metrics=[{"name": "CSAT", "kind": "csat", "target": "high"}])]),
        [("$.touchpoints[0].metrics[0].target", "type", "expected a number, got string 'high'")],
    ),
    (
        "bool-got-string",
        doc(touchpoints=[tp("a", moment_of_truth="yes")]),
        [("$.touchpoints[0].moment_of_truth", "type", "expected a boolean, got string 'yes'")],
    ),
    (
        "bool-got-int",
        doc(touchpoints=[tp("a", moment_of_truth=1)]),
        [("$.touchpoints[0].moment_of_truth", "type", "expected a boolean, got integer 1")],
    ),
    (
        "list-got-string",
        doc(touchpoints=[tp("a", pain_points="slow")]),
        [("$.touchpoints[0].pain_points", "type", "expected a list, got string 'slow'")],
    ),
    (
        "list-item-wrong-type",
        doc(personas=[{"id": "p", "name": "P", "goals": ["fast", 2]}]),
        [("$.personas[0].goals[1]", "type", "expected a string, got integer 2")],
    ),
    (
        "list-got-mapping",
        doc(touchpoints={"a": tp("a")}),
        [("$.touchpoints", "type", "expected a list, got a mapping")],
    ),
    (
        "mapping-got-list",
        doc(extensions=["x"]),
        [("$.extensions", "type", "expected a mapping, got a list")],
    ),
    (
        "duration-got-int",
        doc(touchpoints=[tp("a", duration=90)]),
        [
            (
                "$.touchpoints[0].duration",
                "type",
                "expected an ISO 8601 duration string such as 'PT4H' or 'P2D', got integer 90",
            )
        ],
    ),
    (
        "string-got-yaml-boolean",
        ("yaml", YAML_HEAD + "touchpoints:\n  - {id: a, name: yes}\n"),
        [
            (
                "$.touchpoints[0].name",
                "type",
                "expected a string, got boolean true (YAML 1.1 reads yes/no/on/off/true/false "
                "as booleans: quote the value)",
            )
        ],
    ),
    (
        "int-got-boolean",
        doc(**ABC_OK, transitions=[tr("a", "ok", count=True)]),
        [("$.transitions[0].count", "type", "expected an integer >= 0, got boolean true")],
    ),
    (
        "missing-required-fields",
        doc(touchpoints=[{"lane": "backstage"}]),
        [
            ("$.touchpoints[0].id", "required", "missing required field 'id'"),
            ("$.touchpoints[0].name", "required", "missing required field 'name'"),
        ],
    ),
    # unknown enum values, one per enum, each listing the valid choices
    (
        "enum-owner-kind",
        doc(owners=[ow("x", kind="dept")]),
        [
            (
                "$.owners[0].kind",
                "enum",
                "unknown owner kind 'dept' (valid: 'department', 'team', 'role', 'system', "
                "'partner')",
            )
        ],
    ),
    (
        "enum-channel-kind",
        doc(channels=[{"id": "web", "name": "Web", "kind": "online"}]),
        [
            (
                "$.channels[0].kind",
                "enum",
                "unknown channel kind 'online' (valid: 'digital', 'human', 'physical', "
                "'automated')",
            )
        ],
    ),
    (
        "enum-system-status",
        doc(systems=[{"id": "crm", "name": "CRM", "status": "live"}]),
        [
            (
                "$.systems[0].status",
                "enum",
                "unknown system status 'live' (valid: 'current', 'planned', 'retired')",
            )
        ],
    ),
    (
        "enum-lane",
        doc(touchpoints=[tp("a", lane="back-office")]),
        [
            (
                "$.touchpoints[0].lane",
                "enum",
                "unknown lane 'back-office' (valid: 'customer', 'frontstage', 'backstage', "
                "'support')",
            )
        ],
    ),
    (
        "enum-decided-by",
        doc(decision_points=[dp("d", "robot")]),
        [
            (
                "$.decision_points[0].decided_by",
                "enum",
                "unknown decided_by value 'robot' (valid: 'customer', 'employee', 'automated')",
            )
        ],
    ),
    (
        "enum-outcome-kind",
        doc(outcomes=[oc("won", kind="win")]),
        [
            (
                "$.outcomes[0].kind",
                "enum",
                "unknown outcome kind 'win' (valid: 'success', 'failure', 'exit')",
            )
        ],
    ),
    (
        "enum-metric-kind",
        doc(touchpoints=[tp("a", metrics=[{"name": "Score", "kind": "kpi"}])]),
        [
            (
                "$.touchpoints[0].metrics[0].kind",
                "enum",
                "unknown metric kind 'kpi' (valid: 'csat', 'ces', 'nps', 'conversion', "
                "'duration', 'volume', 'custom')",
            )
        ],
    ),
    (
        "enum-trust",
        doc(touchpoints=[tp("a", trust="breaks")]),
        [
            (
                "$.touchpoints[0].trust",
                "enum",
                "unknown trust effect 'breaks' (valid: 'builds', 'erodes')",
            )
        ],
    ),
    (
        "enum-value",
        doc(touchpoints=[tp("a", value="money")]),
        [
            (
                "$.touchpoints[0].value",
                "enum",
                "unknown value type 'money' (valid: 'product', 'relationship')",
            )
        ],
    ),
    (
        "enum-state",
        doc(journey={"id": "j", "name": "J", "state": "past"}),
        [
            (
                "$.journey.state",
                "enum",
                "unknown journey state 'past' (valid: 'current', 'future')",
            )
        ],
    ),
    # typos in references, each listing the known choices
    (
        "ref-owner",
        doc(owners=[ow("sales"), ow("service")], touchpoints=[tp("a", owner="sale")]),
        [
            (
                "$.touchpoints[0].owner",
                "reference",
                "unknown owner 'sale' (known: 'sales', 'service')",
            )
        ],
    ),
    (
        "ref-owner-none-defined",
        doc(touchpoints=[tp("a", owner="sales")]),
        [
            (
                "$.touchpoints[0].owner",
                "reference",
                "unknown owner 'sales': the journey has no owners yet (add it under owners)",
            )
        ],
    ),
    (
        "ref-phase",
        doc(
            phases=[{"id": "buy", "name": "Buy"}],
            decision_points=[dp("d", "customer", phase="bye")],
        ),
        [("$.decision_points[0].phase", "reference", "unknown phase 'bye' (known: 'buy')")],
    ),
    (
        "ref-channel",
        doc(
            channels=[{"id": "web", "name": "Web", "kind": "digital"}],
            touchpoints=[tp("a", channel="wbe")],
        ),
        [("$.touchpoints[0].channel", "reference", "unknown channel 'wbe' (known: 'web')")],
    ),
    (
        "ref-persona",
        doc(
            personas=[{"id": "lena", "name": "Lena"}],
            touchpoints=[tp("a", personas=["lena", "marco"])],
        ),
        [("$.touchpoints[0].personas[1]", "reference", "unknown persona 'marco' (known: 'lena')")],
    ),
    (
        "ref-dimension",
        doc(
            dimensions=[{"id": "diner", "name": "Diner", "tier": 1}],
            outcomes=[oc("ok") | {"dimension": "diners"}],
        ),
        [("$.outcomes[0].dimension", "reference", "unknown dimension 'diners' (known: 'diner')")],
    ),
    (
        "ref-system",
        doc(
            owners=[ow("it")],
            systems=[{"id": "crm", "name": "CRM", "owner": "IT"}],
            touchpoints=[tp("a", systems=["crn"])],
        ),
        [
            ("$.systems[0].owner", "reference", "unknown owner 'IT' (known: 'it')"),
            ("$.touchpoints[0].systems[0]", "reference", "unknown system 'crn' (known: 'crm')"),
        ],
    ),
    (
        "ref-steps-in-edges-and-entries",
        doc(
            owners=[ow("ops")],
            **ABC_OK,
            entries=["A"],
            transitions=[tr("a", "bb")],
            handoffs=[tr("x", "c", owner="opps")],
            triggers=[tr("c", "restock")],
        ),
        [
            ("$.entries[0].step", "reference", "unknown step 'A' (known: 'a', 'b', 'c', 'ok')"),
            (
                "$.transitions[0].target",
                "reference",
                "unknown step 'bb' (known: 'a', 'b', 'c', 'ok')",
            ),
            ("$.handoffs[0].source", "reference", "unknown step 'x' (known: 'a', 'b', 'c', 'ok')"),
            ("$.handoffs[0].owner", "reference", "unknown owner 'opps' (known: 'ops')"),
            (
                "$.triggers[0].target",
                "reference",
                "unknown step 'restock' (known: 'a', 'b', 'c', 'ok')",
            ),
        ],
    ),
    (
        "ref-more-than-20-choices-close",
        doc(touchpoints=MANY, transitions=[tr("s01", "s1")]),
        [
            (
                "$.transitions[0].target",
                "reference",
                "unknown step 's1' (closest: 's01', 's10', 's11', 's12', 's13'; 25 in all)",
            )
        ],
    ),
    (
        "ref-more-than-20-choices-none-close",
        doc(touchpoints=MANY, transitions=[tr("s01", "checkout")]),
        [
            (
                "$.transitions[0].target",
                "reference",
                "unknown step 'checkout' (25 in all; none is close)",
            )
        ],
    ),
    # duplicates
    (
        "duplicate-id-in-collection",
        doc(phases=[{"id": "buy", "name": "Buy"}, {"id": "buy", "name": "Pay"}]),
        [
            (
                "$.phases[1].id",
                "duplicate",
                "duplicate phase id 'buy' (first at $.phases[0]): give each phase its own id",
            )
        ],
    ),
    (
        "duplicate-id-across-steps",
        doc(touchpoints=[tp("done")], outcomes=[oc("done")]),
        [
            (
                "$.outcomes[0].id",
                "duplicate",
                "duplicate step id 'done' (first at $.touchpoints[0]): touchpoints, decision "
                "points and outcomes share one set of ids, so give each step its own",
            )
        ],
    ),
    (
        "duplicate-edge",
        doc(**ABC_OK, transitions=[tr("a", "b")], handoffs=[tr("a", "b")]),
        [
            (
                "$.handoffs[0]",
                "duplicate_edge",
                "a second edge from 'a' to 'b' (the first is $.transitions[0]): two steps are "
                "joined by at most one transition, hand-off or trigger, so merge them",
            )
        ],
    ),
    # probabilities and counts
    (
        "probability-sum",
        doc(**ABC_OK, transitions=[tr("a", "b", probability=0.5), tr("a", "c", probability=0.4)]),
        [
            (
                "$.transitions[0]",
                "probability_sum",
                "probabilities out of 'a' sum to 0.9, not 1: make them add up to 1, or leave "
                "them all out",
            )
        ],
    ),
    (
        "probability-on-some-edges",
        doc(
            **ABC_OK,
            transitions=[tr("a", "b", probability=0.5), tr("a", "c")],
            handoffs=[tr("a", "ok")],
        ),
        [
            (
                "$.transitions[1]",
                "probability",
                "probabilities out of 'a' are given on 1 of 3 edges (missing on 'a' -> 'c', "
                "'a' -> 'ok'): give them on all or on none",
            )
        ],
    ),
    (
        "probability-out-of-range",
        doc(**ABC_OK, transitions=[tr("a", "b", probability=1.5), tr("a", "c", probability=-0.5)]),
        [
            ("$.transitions[0].probability", "range", "expected a number from 0 to 1, got 1.5"),
            ("$.transitions[1].probability", "range", "expected a number from 0 to 1, got -0.5"),
        ],
    ),
    (
        "probability-nan",
        doc(**ABC_OK, transitions=[tr("a", "b", probability=math.nan)]),
        [
            (
                "$.transitions[0].probability",
                "range",
                "expected a number from 0 to 1, got nan: NaN and infinity are not allowed",
            )
        ],
    ),
    (
        "probability-inf-yaml",
        ("yaml", YAML_HEAD + "entries:\n  - {step: a, probability: .inf}\n"),
        [
            ("$.entries[0].step", "reference", "unknown step 'a': the journey has no steps yet"),
            (
                "$.entries[0].probability",
                "range",
                "expected a number from 0 to 1, got inf: NaN and infinity are not allowed",
            ),
        ],
    ),
    (
        "count-negative",
        doc(**ABC_OK, transitions=[tr("a", "b", count=-1)]),
        [("$.transitions[0].count", "range", "expected an integer >= 0, got -1")],
    ),
    (
        "entries-probability-sum",
        doc(
            **ABC_OK, entries=[{"step": "a", "probability": 0.5}, {"step": "b", "probability": 0.2}]
        ),
        [
            (
                "$.entries[0]",
                "probability_sum",
                "probabilities of the entries sum to 0.7, not 1: make them add up to 1, or "
                "leave them all out",
            )
        ],
    ),
    (
        "entries-probability-on-some",
        doc(**ABC_OK, entries=[{"step": "a", "probability": 1.0}, "b"]),
        [
            (
                "$.entries[1]",
                "probability",
                "probabilities of the entries are given on 1 of 2 entries (missing on 'b'): "
                "give them on all or on none",
            )
        ],
    ),
    # owners, decisions, outcomes
    (
        "owner-self-cycle",
        doc(owners=[ow("ops", parent="ops")]),
        [
            (
                "$.owners[0].parent",
                "cycle",
                "owner 'ops' is its own parent: remove the parent (an owner with no parent is "
                "a silo)",
            )
        ],
    ),
    (
        "owner-2-cycle",
        doc(owners=[ow("a", parent="b"), ow("b", parent="a")]),
        [
            (
                "$.owners[0].parent",
                "cycle",
                "owner parents form a cycle 'a' -> 'b' -> 'a': remove the parent of one of them "
                "(a silo is the root of a parent chain, so every chain must end)",
            )
        ],
    ),
    (
        "owner-3-cycle-reported-once",
        doc(
            owners=[
                ow("x", parent="a"),
                ow("a", parent="b"),
                ow("b", parent="c"),
                ow("c", parent="a"),
            ]
        ),
        [
            (
                "$.owners[1].parent",
                "cycle",
                "owner parents form a cycle 'a' -> 'b' -> 'c' -> 'a': remove the parent of one "
                "of them (a silo is the root of a parent chain, so every chain must end)",
            )
        ],
    ),
    (
        "customer-decision-with-owner",
        doc(owners=[ow("sales")], decision_points=[dp("buy", "customer", owner="sales")]),
        [
            (
                "$.decision_points[0].owner",
                "decided_by",
                "decision 'buy' is decided by the customer, so it has no owner (got 'sales'): "
                "remove the owner, or set decided_by to 'employee' or 'automated'",
            )
        ],
    ),
    (
        "employee-decision-without-owner",
        doc(decision_points=[dp("approve", "employee"), dp("score", "automated")]),
        [
            (
                "$.decision_points[0].owner",
                "decided_by",
                "decision 'approve' is decided by 'employee', so it needs an owner: set owner to "
                "the team, role or system accountable for it",
            ),
            (
                "$.decision_points[1].owner",
                "decided_by",
                "decision 'score' is decided by 'automated', so it needs an owner: set owner to "
                "the team, role or system accountable for it",
            ),
        ],
    ),
    (
        "edges-out-of-an-outcome",
        doc(**ABC_OK, transitions=[tr("ok", "a")], handoffs=[tr("ok", "b")]),
        [
            (
                "$.transitions[0].source",
                "terminal",
                "outcome 'ok' ends the journey, so no transition can leave it: make it a "
                "touchpoint, or start the follow-up flow with a trigger",
            ),
            (
                "$.handoffs[0].source",
                "terminal",
                "outcome 'ok' ends the journey, so no hand-off can leave it: make it a "
                "touchpoint, or start the follow-up flow with a trigger",
            ),
        ],
    ),
    # the format version
    (
        "version-unquoted-yaml",
        ("yaml", "cxgraph: 1.0\njourney: {id: j, name: J}\n"),
        [
            (
                "$.cxgraph",
                "version",
                "expected the format version as a string, got number 1.0: put it in quotes, as "
                'in cxgraph: "1.0" (unquoted, YAML reads it as a number)',
            )
        ],
    ),
    (
        "version-integer",
        doc(cxgraph=1),
        [
            (
                "$.cxgraph",
                "version",
                "expected the format version as a string, got integer 1: put it in quotes, as "
                'in cxgraph: "1.0" (unquoted, YAML reads it as a number)',
            )
        ],
    ),
    (
        "version-other-major",
        doc(cxgraph="2.0"),
        [
            (
                "$.cxgraph",
                "version",
                "unsupported format version '2.0': this cxgraph reads version 1.x files "
                '(written as "1.0")',
            )
        ],
    ),
    (
        "version-not-a-version",
        doc(cxgraph="abc"),
        [
            (
                "$.cxgraph",
                "version",
                'invalid format version \'abc\': expected "MAJOR.MINOR" such as "1.0"',
            )
        ],
    ),
    (
        "version-a-list",
        doc(cxgraph=["1.0"]),
        [
            (
                "$.cxgraph",
                "version",
                'expected the format version as a string such as "1.0", got a list',
            )
        ],
    ),
    (
        "version-missing",
        {"journey": {"id": "j", "name": "J"}},
        [
            (
                "$.cxgraph",
                "required",
                "missing required field 'cxgraph': add cxgraph: \"1.0\" at the top",
            )
        ],
    ),
    # the top level and the journey header
    *[
        (
            f"empty-document-{name}",
            source,
            [
                (
                    "$",
                    "type",
                    'expected a mapping with cxgraph: "1.0" and journey: {id, name} at the top '
                    f"level, got {got}",
                )
            ],
        )
        for name, source, got in [
            ("yaml-empty", ("yaml", ""), "null (the document is empty)"),
            ("yaml-comment-only", ("yaml", "# nothing yet\n"), "null (the document is empty)"),
            ("json-null", ("json", "null"), "null (the document is empty)"),
            ("json-list", ("json", "[]"), "a list"),
            ("json-string", ("json", '"journey"'), "string 'journey'"),
            ("yaml-bare-string", ("yaml", "my journey\n"), "string 'my journey'"),
        ]
    ],
    (
        "empty-json-text",
        ("json", ""),
        [
            (
                "$",
                "parse",
                "invalid JSON at line 1, column 1: Expecting value (the document is empty)",
            )
        ],
    ),
    (
        "journey-header-missing",
        {"cxgraph": "1.0"},
        [
            (
                "$.journey",
                "required",
                "missing required field 'journey': add journey: {id: ..., name: ...}",
            )
        ],
    ),
    *[
        (
            f"journey-header-{name}",
            doc(journey=header),
            [
                (
                    "$.journey",
                    "type",
                    "expected a mapping with the journey's id and name, such as journey: "
                    f"{{id: my-journey, name: My journey}}, got {got}",
                )
            ],
        )
        for name, header, got in [
            ("list", ["j", "J"], "a list"),
            ("string", "My journey", "string 'My journey'"),
            ("null", None, "null"),
        ]
    ],
    (
        "unknown-top-level-key-did-you-mean",
        doc(touchpoint=[]),
        [
            (
                "$.touchpoint",
                "unknown_key",
                "unknown field 'touchpoint'; did you mean 'touchpoints'?",
            )
        ],
    ),
    (
        "unknown-top-level-key-lists-valid",
        doc(steps=[]),
        [
            (
                "$.steps",
                "unknown_key",
                "unknown field 'steps' (valid: cxgraph, $schema, journey, personas, phases, "
                "owners, channels, systems, dimensions, touchpoints, decision_points, outcomes, "
                "entries, transitions, handoffs, triggers, extensions)",
            )
        ],
    ),
    (
        "list-under-journey-header",
        doc(journey={"id": "j", "name": "J", "touchpoints": []}),
        [
            (
                "$.journey.touchpoints",
                "unknown_key",
                "'touchpoints' does not belong under journey: it is a top-level list, so move "
                "it out to the left margin (journey holds only id, name, version, state, "
                "description)",
            )
        ],
    ),
    (
        "unknown-field-in-item",
        doc(touchpoints=[tp("a", owne="x", colour="red")]),
        [
            ("$.touchpoints[0].owne", "unknown_key", "unknown field 'owne'; did you mean 'owner'?"),
            (
                "$.touchpoints[0].colour",
                "unknown_key",
                "unknown field 'colour' (valid: id, name, phase, owner, channel, personas, lane, "
                "dimension, emotion, pain_points, opportunities, metrics, content, data, "
                "systems, duration, moment_of_truth, trust, value)",
            ),
        ],
    ),
    (
        "unknown-field-prefix",
        doc(journey={"id": "j", "name": "J", "desc": "x"}),
        [("$.journey.desc", "unknown_key", "unknown field 'desc'; did you mean 'description'?")],
    ),
    (
        "items-not-mappings",
        doc(touchpoints=["a", 3, None], entries=[3]),
        [
            ("$.touchpoints[0]", "type", "expected a Touchpoint mapping, got string 'a'"),
            ("$.touchpoints[1]", "type", "expected a Touchpoint mapping, got integer 3"),
            ("$.touchpoints[2]", "type", "expected a Touchpoint mapping, got null"),
            ("$.entries[0]", "type", "expected a step id or an entry mapping, got integer 3"),
        ],
    ),
    (
        "non-string-key-yaml",
        ("yaml", YAML_HEAD + "1: one\n"),
        [("$", "unknown_key", "keys must be strings, got integer 1: quote the key")],
    ),
    # text that does not parse
    (
        "invalid-yaml",
        ("yaml", 'cxgraph: "1.0"\njourney: {id: j, name: J\ntouchpoints: []\n'),
        [
            (
                "$",
                "parse",
                "invalid YAML at line 3, column 12: while parsing a flow mapping started at line "
                "2, column 10: expected ',' or '}', but got ':'",
            )
        ],
    ),
    (
        "invalid-yaml-tab",
        ("yaml", 'cxgraph: "1.0"\njourney:\n  id: j\n\tname: J\n'),
        [
            (
                "$",
                "parse",
                "invalid YAML at line 4, column 1: while scanning for the next token: found "
                "character '\\t' that cannot start any token (indent with spaces: YAML does not "
                "allow tabs there)",
            )
        ],
    ),
    (
        "invalid-json",
        ("json", '{"cxgraph": "1.0",\n "journey": {"id": "j", "name": "J",}}'),
        [
            (
                "$",
                "parse",
                "invalid JSON at line 2, column 37: Expecting property name enclosed in double "
                "quotes",
            )
        ],
    ),
    (
        "duplicate-key-yaml",
        ("yaml", 'cxgraph: "1.0"\njourney:\n  id: j\n  name: J\n  id: k\n'),
        [("$", "parse", "invalid YAML at line 5, column 3: duplicate key 'id'")],
    ),
    (
        "duplicate-key-json",
        ("json", '{"cxgraph": "1.0",\n "journey": {"id": "j", "name": "J", "id": "k"}}'),
        [("$", "parse", "invalid JSON at line 2, column 38: duplicate key 'id'")],
    ),
    (
        "not-utf-8",
        ("yaml", b'cxgraph: "1.0"\njourney: {id: j, name: Caf\xe9}\n'),
        [
            (
                "$",
                "encoding",
                "the text is not UTF-8: byte 0xe9 at line 2, column 27 cannot be decoded; save "
                "the file as UTF-8",
            )
        ],
    ),
    # ids and durations
    (
        "invalid-ids",
        doc(owners=[ow("x") | {"id": ""}], touchpoints=[tp("a b")]),
        [
            (
                "$.owners[0].id",
                "pattern",
                "invalid id '': use only letters, digits and _ . : - (no spaces), at least one "
                "character",
            ),
            (
                "$.touchpoints[0].id",
                "pattern",
                "invalid id 'a b': use only letters, digits and _ . : - (no spaces), at least "
                "one character",
            ),
        ],
    ),
    (
        "invalid-reference-id",
        doc(touchpoints=[tp("a", owner="front desk")]),
        [
            (
                "$.touchpoints[0].owner",
                "pattern",
                "invalid owner id 'front desk': use only letters, digits and _ . : - (no "
                "spaces), at least one character",
            ),
        ],
    ),
    (
        "invalid-durations",
        doc(
            phases=[{"id": "p", "name": "P", "expected_duration": "2 days"}],
            touchpoints=[tp("a", duration="P1M"), tp("b", duration="PT")],
        ),
        [
            (
                "$.phases[0].expected_duration",
                "duration",
                "invalid duration '2 days': use ISO 8601 weeks, days, hours, minutes or seconds "
                "such as 'PT4H', 'P2D' or 'PT1H30M'",
            ),
            (
                "$.touchpoints[0].duration",
                "duration",
                "invalid duration 'P1M': years and months have no fixed length, so use ISO 8601 "
                "weeks, days, hours, minutes or seconds such as 'PT4H', 'P2D' or 'PT1H30M'",
            ),
            (
                "$.touchpoints[1].duration",
                "duration",
                "invalid duration 'PT': use ISO 8601 weeks, days, hours, minutes or seconds "
                "such as 'PT4H', 'P2D' or 'PT1H30M'",
            ),
        ],
    ),
]


def _as_text(source: Any) -> tuple[str | bytes, str]:
    """The case's input as (text, format): dicts become JSON text."""
    if isinstance(source, dict):
        return json.dumps(source), "json"
    fmt, text = source
    return text, fmt


def _problems(exc: cx.JourneyValidationError) -> list[ProblemTuple]:
    return [(p.path, p.code, p.message) for p in exc.errors]


class TestLoadsBrokenInputs:
    """``cx.loads`` on the table of broken inputs."""

    @pytest.mark.parametrize(
        ("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
    )
    def test_exact_problems(self, source: Any, expected: list[ProblemTuple]) -> None:
        """Each broken input gives exactly its problems, in document order."""
        text, fmt = _as_text(source)
        with pytest.raises(cx.JourneyValidationError) as info:
            cx.loads(text, format=fmt)
        assert _problems(info.value) == expected

    @pytest.mark.parametrize(
        ("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
    )
    def test_message_lists_every_problem(self, source: Any, expected: list[ProblemTuple]) -> None:
        """The error's message is a count line, then one ``path: message`` line per problem."""
        text, fmt = _as_text(source)
        with pytest.raises(cx.JourneyValidationError) as info:
            cx.loads(text, format=fmt)
        n = len(expected)
        head = f"{n} problem{'s' if n != 1 else ''} in the journey:"
        assert str(info.value).splitlines() == [head, *(f"{p}: {m}" for p, _, m in expected)]

    def test_error_is_value_error_and_cxgraph_error(self) -> None:
        """The error can be caught as ValueError or as CxgraphError."""
        with pytest.raises(ValueError, match=r"unknown field 'touchpoint'"):
            cx.loads(json.dumps(doc(touchpoint=[])))
        with pytest.raises(CxgraphError, match=r"unknown field 'touchpoint'"):
            cx.loads(json.dumps(doc(touchpoint=[])))

    def test_yaml_and_json_agree(self) -> None:
        """The same broken document gives the same problems from YAML and JSON text."""
        import yaml

        d = doc(**ABC_OK, transitions=[tr("a", "x", probability=2)], owners=[ow("o", kind="x")])
        with pytest.raises(cx.JourneyValidationError) as from_json:
            cx.loads(json.dumps(d))
        with pytest.raises(cx.JourneyValidationError) as from_yaml:
            cx.loads(yaml.safe_dump(d, sort_keys=False), format="yaml")
        assert from_json.value.errors == from_yaml.value.errors

    def test_newer_minor_version_warns(self) -> None:
        """A file of a newer minor version loads, with a CxgraphWarning."""
        with pytest.warns(cx.CxgraphWarning, match=r"format version 1\.1, newer than"):
            j = cx.loads(json.dumps(doc(cxgraph="1.1")))
        assert j.id == "j"

    def test_triggers_may_leave_an_outcome(self) -> None:
        """A trigger out of an outcome is legal: it starts a follow-up flow."""
        j = cx.loads(json.dumps(doc(**ABC_OK, triggers=[tr("ok", "c")])))
        assert j.triggers[0].source == "ok"

    def test_probabilities_within_tolerance(self) -> None:
        """Probabilities summing to 1 within 1e-9 are accepted."""
        edges = [tr("a", t, probability=0.1) for t in ("b", "c")] + [
            tr("a", "ok", probability=0.8 + 1e-12)
        ]
        assert len(cx.loads(json.dumps(doc(**ABC_OK, transitions=edges))).transitions) == 3


class TestValidate:
    """``cx.validate`` on dicts and Journeys."""

    DICT_CASES = tuple(c for c in CASES if isinstance(c[1], dict))

    @pytest.mark.parametrize(
        ("source", "expected"), [c[1:] for c in DICT_CASES], ids=[c[0] for c in DICT_CASES]
    )
    def test_dict_gives_same_problems(self, source: Any, expected: list[ProblemTuple]) -> None:
        """``validate(dict)`` reports exactly what ``loads`` reports for the same document."""
        with pytest.raises(cx.JourneyValidationError) as info:
            cx.validate(source)
        assert _problems(info.value) == expected

    def test_non_mapping_values(self) -> None:
        """None, lists and strings are reported as a document that is not a mapping."""
        for value in (None, [], "x", 3):
            with pytest.raises(
                cx.JourneyValidationError, match=r"^1 problem in the journey:\n\$: "
            ):
                cx.validate(value)

    def test_valid_dict_and_journey_return_none(self) -> None:
        """A valid dict or Journey validates to None."""
        d = doc(**ABC_OK, transitions=[tr("a", "ok")])
        assert cx.validate(d) is None
        assert cx.validate(cx.Journey.from_dict(d)) is None

    def test_other_types_raise_type_error(self) -> None:
        """Something no file could hold is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"validate\(\) takes a Journey .* got an object"):
            cx.validate(object())

    def test_input_not_mutated(self) -> None:
        """Validation never changes the dict it checks."""
        d = doc(**ABC_OK, transitions=[tr("a", "zz")])
        before = json.dumps(d)
        with pytest.raises(cx.JourneyValidationError):
            cx.validate(d)
        assert json.dumps(d) == before


class TestAllProblemsAtOnce:
    """Several problems in one document are all reported, in document order."""

    def test_shape_and_journey_problems_together(self) -> None:
        """Type, enum, reference, duplicate and probability problems come in one error."""
        d = {
            "journey": {"name": "J", "id": "j"},
            "cxgraph": "1.0",
            "owners": [ow("ops", kind="squad")],
            "touchpoints": [tp("a", owner="opz", emotion=9), tp("a"), tp("b")],
            "outcomes": [oc("ok")],
            "transitions": [
                tr("a", "b", probability=0.5),
                tr("a", "ok", probability=0.2),
                tr("b", "nowhere"),
            ],
            "touchpoint": [],
        }
        expected = [
            (
                "$.owners[0].kind",
                "enum",
                "unknown owner kind 'squad' (valid: 'department', 'team', 'role', 'system', "
                "'partner')",
            ),
            ("$.touchpoints[0].owner", "reference", "unknown owner 'opz' (known: 'ops')"),
            ("$.touchpoints[0].emotion", "range", "expected an integer from -3 to 3, got 9"),
            (
                "$.touchpoints[1].id",
                "duplicate",
                "duplicate step id 'a' (first at $.touchpoints[0]): touchpoints, decision points "
                "and outcomes share one set of ids, so give each step its own",
            ),
            (
                "$.transitions[0]",
                "probability_sum",
                "probabilities out of 'a' sum to 0.7, not 1: make them add up to 1, or leave "
                "them all out",
            ),
            (
                "$.transitions[2].target",
                "reference",
                "unknown step 'nowhere' (known: 'a', 'b', 'ok')",
            ),
            (
                "$.touchpoint",
                "unknown_key",
                "unknown field 'touchpoint'; did you mean 'touchpoints'?",
            ),
        ]
        for check in (lambda: cx.loads(json.dumps(d)), lambda: cx.validate(d)):
            with pytest.raises(cx.JourneyValidationError) as info:
                check()
            assert _problems(info.value) == expected

    def test_unusable_values_skip_dependent_checks(self) -> None:
        """A broken probability or id is reported once, without knock-on problems."""
        d = doc(
            touchpoints=[tp("a"), tp("b"), "c"],
            outcomes=[oc("ok")],
            transitions=[tr("a", "b", probability=0.5), tr("a", "ok", probability="half")],
            triggers=[tr("b", "c")],
        )
        with pytest.raises(cx.JourneyValidationError) as info:
            cx.validate(d)
        assert _problems(info.value) == [
            ("$.touchpoints[2]", "type", "expected a Touchpoint mapping, got string 'c'"),
            (
                "$.transitions[1].probability",
                "type",
                "expected a number from 0 to 1, got string 'half'",
            ),
        ]

    def test_built_journey_in_document_order(self) -> None:
        """Problems of a Journey built in Python follow the file's order of lists."""
        with pytest.raises(cx.JourneyValidationError) as info:
            cx.Journey(
                id="j",
                name="J",
                phases=[cx.Phase(id="p", name="P", owner="nobody")],
                owners=[cx.Owner(id="o", name="O", kind="team")],
                touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="a", name="B")],
                transitions=[cx.Transition(source="a", target="zz")],
            )
        assert [p.path for p in info.value.errors] == [
            "$.phases[0].owner",
            "$.touchpoints[1].id",
            "$.transitions[0].target",
        ]


class TestModelConstruction:
    """Building model objects in Python with bad values."""

    @pytest.mark.parametrize(
        ("build", "message"),
        [
            (
                lambda: cx.Touchpoint(id="a b", name="A"),
                "Touchpoint.id: invalid id 'a b': use only letters, digits and _ . : - "
                "(no spaces), at least one character",
            ),
            (
                lambda: cx.Touchpoint(id="a", name="A", emotion=5),
                "Touchpoint.emotion: expected an integer from -3 to 3, got 5",
            ),
            (
                lambda: cx.Touchpoint(id="a", name="A", duration="PT4H"),
                "Touchpoint.duration: expected a datetime.timedelta, got string 'PT4H'",
            ),
            (
                lambda: cx.Touchpoint(id="a", name="A", duration=timedelta(hours=-1)),
                "Touchpoint.duration: a duration cannot be negative, got -1 day, 23:00:00",
            ),
            (
                lambda: cx.Touchpoint(id="a", name="A", personas="lena"),
                "Touchpoint.personas: expected a tuple or list, got string 'lena'",
            ),
            (
                lambda: cx.Touchpoint(id="a", name="A", metrics=[{"name": "x", "kind": "csat"}]),
                "Touchpoint.metrics[0]: expected a Metric, got a mapping: build it with "
                "cxgraph.Metric(...), or read a whole journey in the file's shape with "
                "Journey.from_dict",
            ),
            (
                lambda: cx.Owner(id="o", name="O", kind="dept"),
                "Owner.kind: unknown owner kind 'dept' (valid: 'department', 'team', 'role', "
                "'system', 'partner')",
            ),
            (
                lambda: cx.Transition(source="a", target="b", probability=2),
                "Transition.probability: expected a number from 0 to 1, got 2",
            ),
            (
                lambda: cx.Transition(source="a", target="b", count=True),
                "Transition.count: expected an integer >= 0, got boolean true",
            ),
            (
                lambda: cx.Entry(step="a", probability=math.inf),
                "Entry.probability: expected a number from 0 to 1, got inf: NaN and infinity "
                "are not allowed",
            ),
            (
                lambda: cx.Journey(id="j", name="J", entries=[3]),
                "Journey.entries[0]: expected an Entry, got integer 3",
            ),
            (
                lambda: cx.Journey(id="j", name="J", touchpoints=cx.Touchpoint(id="a", name="A")),
                "Journey.touchpoints: expected a tuple or list, got a Touchpoint",
            ),
        ],
    )
    def test_bad_value_names_class_and_field(self, build: Any, message: str) -> None:
        """A bad value raises JourneyValidationError naming the class and the field."""
        with pytest.raises(cx.JourneyValidationError) as info:
            build()
        assert str(info.value).splitlines()[1:] == [message]

    def test_journey_validation_error_is_raised_for_whole_journey(self) -> None:
        """Whole-journey problems in Python are reported with ``$.`` paths."""
        with pytest.raises(cx.JourneyValidationError, match=r"\$\.transitions\[0\]\.source"):
            cx.Journey(id="j", name="J", transitions=[cx.Transition(source="a", target="a")])


class TestProblemCodes:
    """docs/problems.md documents every Problem code, errors and lint warnings."""

    def _codes_in_source(self) -> set[str]:
        pattern = re.compile(r'Problem\(\s*[^,()]+,\s*"([a-z_]+)"')
        # A grid's problems are added by row and column: grid.add(row, column, code, message).
        grid = re.compile(r'grid\.add\(\s*[^,()]+,\s*[^,()]+,\s*"([a-z_]+)"')
        codes: set[str] = set()
        for path in (ROOT / "src" / "cxgraph").rglob("*.py"):
            text = path.read_text("utf-8")
            codes |= set(pattern.findall(text)) | set(grid.findall(text))
        return codes

    def _codes_in_docs(self) -> set[str]:
        text = (ROOT / "docs" / "problems.md").read_text("utf-8")
        return set(re.findall(r"^\| `([a-z_]+)` \|", text, re.MULTILINE))

    def test_every_code_documented(self) -> None:
        """Every code the library can give has a row in the table."""
        assert self._codes_in_source() - self._codes_in_docs() == set()

    def test_no_stale_codes(self) -> None:
        """Every code in the table is one the library can give."""
        assert self._codes_in_docs() - self._codes_in_source() == set()

    def test_table_codes_cover_test_table(self) -> None:
        """Every code in the broken-input table is documented."""
        used = {code for _, _, expected in CASES for _, code, _ in expected}
        assert used <= self._codes_in_docs()

    def test_lint_codes_documented(self) -> None:
        """Every lint code is in the table."""
        from cxgraph.analyses.lint import LINT_CODES

        assert set(LINT_CODES) <= self._codes_in_docs()


class TestInDocumentOrder:
    """``in_document_order`` sorts problems by where their paths point."""

    def test_missing_fields_first_then_key_order(self) -> None:
        """Missing fields rank first in their mapping; present keys in the mapping's order."""
        d = {"b": {"y": 1, "x": 2}, "a": [0, 1]}
        problems = [
            cx.Problem("$.a[1]", "c", "m"),
            cx.Problem("$.b.x", "c", "m"),
            cx.Problem("$.b.missing", "c", "m"),
            cx.Problem("$.b.y", "c", "m"),
            cx.Problem("$", "c", "m"),
        ]
        ordered = _validate.in_document_order(problems, d)
        assert [p.path for p in ordered] == ["$", "$.b.missing", "$.b.y", "$.b.x", "$.a[1]"]
