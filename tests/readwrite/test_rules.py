"""Rules files: parse_rules, loads_rules, load_rules and the shipped JSON Schema."""

from __future__ import annotations

import json
import os
import pickle
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from cxgraph.errors import CxgraphError, Problem, RulesError
from cxgraph.readwrite.rules import (
    MAX_RULES_BYTES,
    Condition,
    Rule,
    Rules,
    load_rules,
    loads_rules,
    parse_rules,
)
from cxgraph.readwrite.schema import (
    RULES_SCHEMA_ID,
    build_rules_schema,
    rules_schema,
    rules_schema_text,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_RULES = ROOT / "examples" / "ci" / "rules.yaml"
HEAD = 'cxgraph-rules: "1.0"\n'
VALIDATOR = Draft202012Validator(rules_schema())


def doc(*rules: Any) -> dict[str, Any]:
    """A rules document holding these rules."""
    return {"cxgraph-rules": "1.0", "rules": list(rules)}


def forbid(**extra: Any) -> dict[str, Any]:
    return {"id": "r", "description": "R", "forbid": "unowned_handoffs", **extra}


def require(**extra: Any) -> dict[str, Any]:
    return {"id": "r", "description": "R", "require": "markov.conversion_probability", **extra}


def problems(data: Any) -> list[str]:
    """The problems parse_rules finds, as ``path: message`` lines."""
    with pytest.raises(RulesError) as info:
        parse_rules(data)
    return [str(p) for p in info.value.errors]


class TestParseRules:
    def test_forbid_rule(self) -> None:
        """A forbid rule keeps its analysis and conditions; max defaults to 0."""
        rules = parse_rules(doc(forbid(where={"reason": "no_owner"})))
        (rule,) = rules.rules
        assert rule == Rule(
            id="r",
            description="R",
            kind="forbid",
            analysis="unowned_handoffs",
            where=(
                Condition(
                    field="reason", op="eq", value="no_owner", path="$.rules[0].where.reason"
                ),
            ),
            max=0,
            path="$.rules[0]",
        )
        assert rule.target == "unowned_handoffs"
        assert rules.source is None
        assert len(rules) == 1

    def test_require_rule(self) -> None:
        """A require rule splits ANALYSIS.FIELD at the last dot and keeps its bounds."""
        (rule,) = parse_rules(doc(require(min=0.2, max=1))).rules
        assert (rule.kind, rule.analysis, rule.field, rule.min, rule.max) == (
            "require",
            "markov",
            "conversion_probability",
            0.2,
            1,
        )
        assert rule.target == "markov.conversion_probability"
        (dotted,) = parse_rules(doc(require(require="my.custom.share", max=1))).rules
        assert (dotted.analysis, dotted.field) == ("my.custom", "share")

    def test_conditions(self) -> None:
        """A value is eq, a list is in, a mapping gives one condition per operator, in order."""
        (rule,) = parse_rules(
            doc(forbid(where={"reason": ["a", "b"], "flow": {"gt": 0.1, "le": 1}, "x": None}))
        ).rules
        assert [(c.field, c.op, c.value, c.path) for c in rule.where] == [
            ("reason", "in", ("a", "b"), "$.rules[0].where.reason"),
            ("flow", "gt", 0.1, "$.rules[0].where.flow.gt"),
            ("flow", "le", 1, "$.rules[0].where.flow.le"),
            ("x", "eq", None, "$.rules[0].where.x"),
        ]

    def test_whole_float_max(self) -> None:
        """max: 2.0 is the whole number 2, as JSON Schema's integer reads it."""
        (rule,) = parse_rules(doc(forbid(max=2.0))).rules
        assert rule.max == 2
        assert isinstance(rule.max, int)

    def test_no_rules(self) -> None:
        """An empty list of rules is valid."""
        assert parse_rules(doc()) == Rules(rules=())

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            ([1], ['$: expected a mapping with cxgraph-rules: "1.0" and rules, got a list']),
            (
                {"rules": []},
                [
                    "$.cxgraph-rules: missing required key 'cxgraph-rules': start the file with "
                    'cxgraph-rules: "1.0"'
                ],
            ),
            (
                {"cxgraph-rules": 1.0, "rules": []},
                [
                    "$.cxgraph-rules: expected the rules version as a string, got number 1.0: put "
                    'it in quotes, as in cxgraph-rules: "1.0" (unquoted, YAML reads it as a '
                    "number)"
                ],
            ),
            (
                {"cxgraph-rules": "2.0", "rules": []},
                [
                    "$.cxgraph-rules: unsupported rules version '2.0': this cxgraph reads "
                    'version "1.0"'
                ],
            ),
            (
                {"cxgraph-rules": None, "rules": []},
                ['$.cxgraph-rules: expected the rules version as a string such as "1.0", got null'],
            ),
            ({"cxgraph-rules": "1.0"}, ["$.rules: missing required key 'rules': a list"]),
            (
                {"cxgraph-rules": "1.0", "rules": {}},
                ["$.rules: expected a list of rules, got a mapping"],
            ),
            (
                {"cxgraph-rules": "1.0", "rules": [], "rulez": []},
                [
                    "$.rulez: unknown key 'rulez' (valid: 'cxgraph-rules', '$schema', 'rules')",
                ],
            ),
            (
                {"cxgraph": "1.0", "journey": {}},
                [
                    "$.cxgraph-rules: missing required key 'cxgraph-rules': start the file with "
                    'cxgraph-rules: "1.0"',
                    "$.rules: missing required key 'rules': a list",
                    "$.cxgraph: unknown key 'cxgraph' (valid: 'cxgraph-rules', '$schema', "
                    "'rules'); this looks like a journey file: a rules file starts with "
                    'cxgraph-rules: "1.0"',
                    "$.journey: unknown key 'journey' (valid: 'cxgraph-rules', '$schema', 'rules')",
                ],
            ),
            (
                doc("r"),
                [
                    "$.rules[0]: expected a mapping with id, description and forbid or require, "
                    "got string 'r'"
                ],
            ),
            (
                doc({"id": "r", "description": "R"}),
                [
                    "$.rules[0]: missing forbid or require: say which findings the rule forbids "
                    "(forbid: ANALYSIS) or which summary value it bounds (require: ANALYSIS.FIELD)"
                ],
            ),
            (
                doc(forbid(require="markov.expected_steps")),
                ["$.rules[0]: a rule has forbid or require, not both: split it in two"],
            ),
            (
                doc({"forbid": "coverage"}),
                [
                    "$.rules[0].id: missing required key 'id': name the rule",
                    "$.rules[0].description: missing required key 'description': say in words "
                    "what the rule protects",
                ],
            ),
            (
                doc(forbid(id="a b")),
                [
                    "$.rules[0].id: invalid rule id 'a b': use only letters, digits and _ . : - "
                    "(no spaces), at least one character"
                ],
            ),
            (
                doc(forbid(description="  ")),
                ["$.rules[0].description: expected a sentence, got an empty string"],
            ),
            (
                doc(forbid(description=3)),
                ["$.rules[0].description: expected a sentence, got integer 3"],
            ),
            (
                doc(forbid(forbid=["coverage"])),
                ["$.rules[0].forbid: expected an id (a string), got a list"],
            ),
            (
                doc(forbid(min=1)),
                [
                    "$.rules[0].min: min applies to require rules only: a forbid rule caps its "
                    "matches with max"
                ],
            ),
            (
                doc(forbid(mx=1)),
                [
                    "$.rules[0].mx: unknown key 'mx' (valid: 'id', 'description', 'forbid', "
                    "'where', 'max')"
                ],
            ),
            (
                doc(forbid(max=-1)),
                ["$.rules[0].max: expected a whole number of findings, 0 or more, got integer -1"],
            ),
            (
                doc(forbid(max=1.5)),
                ["$.rules[0].max: expected a whole number of findings, 0 or more, got number 1.5"],
            ),
            (
                doc(forbid(max=True)),
                [
                    "$.rules[0].max: expected a whole number of findings, 0 or more, got boolean "
                    "true"
                ],
            ),
            (
                doc(forbid(where=["reason"])),
                ["$.rules[0].where: expected a mapping of field: condition, got a list"],
            ),
            (
                doc(forbid(where={"reason": []})),
                ["$.rules[0].where.reason: an empty list matches nothing: give values"],
            ),
            (
                doc(forbid(where={"reason": {}})),
                ["$.rules[0].where.reason: an empty mapping: give one of gt, ge, lt, le, ne"],
            ),
            (
                doc(forbid(where={"flow": {"gte": 1}})),
                [
                    "$.rules[0].where.flow: unknown operator 'gte' (valid: 'gt', 'ge', 'lt', 'le',"
                    " 'ne')"
                ],
            ),
            (
                doc(forbid(where={"flow": {"gt": "x"}})),
                [
                    "$.rules[0].where.flow.gt: expected a number (gt compares numbers), got string"
                    " 'x'"
                ],
            ),
            (
                doc(forbid(where={"flow": {"lt": float("nan")}})),
                ["$.rules[0].where.flow.lt: expected a number (lt compares numbers), got nan"],
            ),
            (
                doc(forbid(where={"via": [["a"]]})),
                [
                    "$.rules[0].where.via[0]: expected a value (text, a number, true, false or "
                    "null), got a list"
                ],
            ),
            (
                doc(forbid(where={3: "x"})),
                ["$.rules[0].where: a field name is text, got integer 3"],
            ),
            (
                doc(require(where={"a": 1}, min=0)),
                [
                    "$.rules[0].where: where applies to forbid rules only: a require rule bounds "
                    "one summary value"
                ],
            ),
            (
                doc(require(require="markov")),
                [
                    "$.rules[0].require: expected ANALYSIS.FIELD, a summary field of an analysis "
                    "such as 'markov.conversion_probability', got string 'markov'",
                    "$.rules[0]: a require rule needs min, max or both: the bounds",
                ],
            ),
            (
                doc(require(min="0.2")),
                ["$.rules[0].min: expected a number, got string '0.2'"],
            ),
            (
                doc(require(min=0.5, max=0.2)),
                ["$.rules[0].min: min 0.5 is above max 0.2: no value can pass"],
            ),
            (
                doc(forbid(), forbid()),
                ["$.rules[1].id: duplicate rule id 'r' (first at $.rules[0])"],
            ),
        ],
    )
    def test_broken(self, data: Any, expected: list[str]) -> None:
        """Each broken document gives exactly these problems, with their paths."""
        assert problems(data) == expected

    def test_every_problem_at_once(self) -> None:
        """Problems of several rules come together, in document order."""
        found = problems(
            {
                "cxgraph-rules": "1.1",
                "rules": [
                    forbid(id="a", where={"flow": {"gt": "high"}}),
                    {"id": "r", "description": "", "require": "x.y", "min": 2, "max": 1},
                    forbid(id="r"),
                ],
            }
        )
        assert [line.split(":")[0] for line in found] == [
            "$.cxgraph-rules",
            "$.rules[0].where.flow.gt",
            "$.rules[1].description",
            "$.rules[1].min",
            "$.rules[2].id",
        ]

    def test_error_is_a_value_error_and_pickles(self) -> None:
        """RulesError is a CxgraphError and a ValueError, and survives pickling with its source."""
        with pytest.raises(RulesError) as info:
            parse_rules([], source="ci/rules.yaml")
        err = info.value
        assert isinstance(err, CxgraphError)
        assert isinstance(err, ValueError)
        assert str(err).startswith("1 problem in the rules file 'ci/rules.yaml':\n$: ")
        again = pickle.loads(pickle.dumps(err))
        assert (again.errors, again.source, str(again)) == (err.errors, err.source, str(err))
        assert isinstance(err.errors[0], Problem)
        assert err.errors[0].code == "type"


class TestLoadsRules:
    def test_yaml_and_json(self) -> None:
        """The same rules read from YAML and from JSON are equal."""
        data = doc(require(min=0.2))
        from_yaml = loads_rules(yaml.safe_dump(data))
        from_json = loads_rules(json.dumps(data), "json")
        assert from_yaml == from_json == parse_rules(data)

    def test_bytes_and_bom(self) -> None:
        """UTF-8 bytes, with or without a byte-order mark, read as text."""
        text = HEAD + "rules: []\n"
        assert loads_rules(text.encode()) == loads_rules(b"\xef\xbb\xbf" + text.encode())

    def test_not_utf8(self) -> None:
        """Bytes that are not UTF-8 are one problem at $."""
        with pytest.raises(RulesError, match=r"\$: the text is not UTF-8 \(byte 0xff\)"):
            loads_rules(b"\xff")

    def test_unknown_format(self) -> None:
        """A format other than yaml or json is a ValueError naming both."""
        with pytest.raises(ValueError, match=r"unknown format 'toml' \(valid: 'yaml', 'json'\)"):
            loads_rules("", "toml")

    def test_not_text(self) -> None:
        """Something other than text is a TypeError."""
        with pytest.raises(TypeError, match=r"loads_rules\(\) takes text"):
            loads_rules(3)  # type: ignore[arg-type]

    def test_syntax_error_with_line_and_column(self) -> None:
        """YAML that does not parse is one problem with its line and column."""
        with pytest.raises(RulesError) as info:
            loads_rules(HEAD + "rules: [\n")
        assert [str(p) for p in info.value.errors] == [
            "$: invalid YAML at line 3, column 1: while parsing a flow node: expected the node "
            "content, but found '<stream end>'"
        ]

    @pytest.mark.parametrize("fmt", ["yaml", "json"])
    def test_duplicate_key(self, fmt: str) -> None:
        """A key written twice is refused, not silently overwritten."""
        text = (
            '{"cxgraph-rules": "1.0", "rules": [], "rules": []}'
            if fmt == "json"
            else HEAD + "rules: []\nrules: []\n"
        )
        with pytest.raises(RulesError, match=r"duplicate key 'rules'"):
            loads_rules(text, fmt)

    def test_aliases_refused_outright(self) -> None:
        """A YAML alias is refused where it stands; the document's other problems show too."""
        text = HEAD + "rules:\n  - &r {id: a, description: A, forbid: coverage}\n  - *r\nx: 1\n"
        with pytest.raises(RulesError) as info:
            loads_rules(text)
        assert [str(p) for p in info.value.errors] == [
            "$: YAML alias *r at line 4, column 5: a rules file may not use aliases (*name): "
            "write the value out in full",
            "$.rules[1]: expected a mapping with id, description and forbid or require, got null",
            "$.x: unknown key 'x' (valid: 'cxgraph-rules', '$schema', 'rules')",
        ]

    def test_anchor_alone_is_harmless(self) -> None:
        """An anchor that no alias uses reads as its value."""
        rules = loads_rules(HEAD + "rules: &all []\n")
        assert rules.rules == ()

    def test_billion_laughs(self) -> None:
        """Aliases that would expand to a billion values are one problem, found at once."""
        text = HEAD + "rules: []\nx:\n  l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
        for i in range(1, 10):
            text += f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n"
        start = time.perf_counter()
        with pytest.raises(RulesError) as info:
            loads_rules(text)
        assert time.perf_counter() - start < 5
        first, unknown = (str(p) for p in info.value.errors)
        assert first == (
            "$: YAML alias *l0 at line 5, column 12 (and 89 more): a rules file may not use "
            "aliases (*name): write the value out in full"
        )
        assert unknown.startswith("$.x: unknown key 'x'")

    def test_tags_refused(self) -> None:
        """A YAML tag, of YAML's own or any other, is refused (one problem, counted)."""
        text = 'cxgraph-rules: !!str "1.0"\nrules: !!python/object:os.system []\n'
        with pytest.raises(RulesError) as info:
            loads_rules(text)
        assert [str(p) for p in info.value.errors] == [
            "$: YAML tag !!str at line 1, column 16 (and 1 more): a rules file may not use tags "
            "(!!str, !name): remove the tag"
        ]

    def test_aliases_and_a_syntax_error(self) -> None:
        """An alias and a syntax error further on are both reported."""
        with pytest.raises(RulesError) as info:
            loads_rules(HEAD + "rules: [*x, \n")
        alias, syntax = info.value.errors
        assert (alias.code, syntax.code) == ("parse", "parse")
        assert alias.message.startswith("YAML alias *x at line 2, column 9")
        assert syntax.message.startswith("invalid YAML at line 3, column 1")

    @pytest.mark.parametrize("fmt", ["yaml", "json"])
    def test_deep_nesting(self, fmt: str) -> None:
        """A document nested absurdly deep is a problem, not a RecursionError."""
        text = '{"cxgraph-rules": "1.0", "rules": ' + "[" * 20_000 + "]" * 20_000 + "}"
        with pytest.raises(RulesError, match=r"\$: "):
            loads_rules(text, fmt)


class TestLoadRules:
    def test_example(self) -> None:
        """The bundled example rules file reads, three rules in order."""
        rules = load_rules(EXAMPLE_RULES)
        assert [r.id for r in rules.rules] == [
            "every-handoff-owned",
            "visible-crossing-carries-context",
            "conversion-above-20",
        ]
        assert rules.source == os.fspath(EXAMPLE_RULES)

    def test_json_by_suffix(self, tmp_path: Path) -> None:
        """A .json file is read as JSON; any other suffix as YAML."""
        (tmp_path / "r.json").write_text(json.dumps(doc(forbid())), encoding="utf-8")
        (tmp_path / "r.txt").write_text(yaml.safe_dump(doc(forbid())), encoding="utf-8")
        assert load_rules(tmp_path / "r.json").rules == load_rules(tmp_path / "r.txt").rules

    def test_problems_name_the_file(self, tmp_path: Path) -> None:
        """The error names the file; each problem keeps its path."""
        path = tmp_path / "rules.yaml"
        path.write_text(HEAD + "rules: [3]\n", encoding="utf-8")
        with pytest.raises(RulesError) as info:
            load_rules(path)
        assert str(info.value).startswith(f"1 problem in the rules file {str(path)!r}:\n$.rules[0]")
        assert info.value.source == str(path)

    def test_size_limit(self, tmp_path: Path) -> None:
        """A file over the limit is refused before it is parsed; the limit can be raised."""
        path = tmp_path / "rules.yaml"
        path.write_text(HEAD + "rules: []\n" + "#" * 100 + "\n", encoding="utf-8")
        with pytest.raises(
            RulesError, match=r"\$: the rules file is 132 bytes, more than the limit"
        ):
            load_rules(path, max_bytes=100)
        assert len(load_rules(path, max_bytes=1000)) == 0
        assert MAX_RULES_BYTES == 2**20

    def test_bad_limit(self, tmp_path: Path) -> None:
        """A limit that is not a positive number of bytes is a ValueError."""
        with pytest.raises(ValueError, match=r"max_bytes must be a whole number of bytes above 0"):
            load_rules(tmp_path / "x.yaml", max_bytes=0)

    def test_missing(self, tmp_path: Path) -> None:
        """A missing file is a FileNotFoundError."""
        with pytest.raises(FileNotFoundError, match=r"none\.yaml"):
            load_rules(tmp_path / "none.yaml")

    def test_folder(self, tmp_path: Path) -> None:
        """A folder is an OSError that speaks of the rules file."""
        with pytest.raises(OSError, match=r"it is a folder, not a regular file: give the rules"):
            load_rules(tmp_path)


#: Documents the schema refuses, as parse_rules does.
SCHEMA_BROKEN = [
    [],
    {"rules": []},
    {"cxgraph-rules": 1.0, "rules": []},
    {"cxgraph-rules": "2.0", "rules": []},
    {"cxgraph-rules": "1.0", "rules": [], "extra": 1},
    doc({"id": "r", "description": "R"}),
    doc(forbid(require="markov.expected_steps")),
    doc(forbid(id="a b")),
    doc(forbid(description="")),
    doc(forbid(min=1)),
    doc(forbid(max=-1)),
    doc(forbid(max=1.5)),
    doc(forbid(where={"reason": []})),
    doc(forbid(where={"reason": {}})),
    doc(forbid(where={"flow": {"gte": 1}})),
    doc(forbid(where={"flow": {"gt": "x"}})),
    doc(forbid(where={"via": [["a"]]})),
    doc(require(require="markov")),
    doc(require()),
    doc(require(where={"a": 1}, min=0)),
]


class TestRulesSchema:
    def test_is_a_valid_draft_2020_12_schema(self) -> None:
        """The shipped schema is valid under the Draft 2020-12 meta-schema."""
        schema = rules_schema()
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == RULES_SCHEMA_ID

    def test_shipped_file_is_generated(self) -> None:
        """The file in the package is exactly rules_schema_text(): regenerate it after changes."""
        shipped = (
            resources.files("cxgraph.readwrite.schemas")
            .joinpath("rules-1.0.schema.json")
            .read_text("utf-8")
        )
        assert shipped == rules_schema_text(), "run: python -m cxgraph.readwrite.schema"
        assert rules_schema() == build_rules_schema()

    def test_accepts_the_example(self) -> None:
        """The bundled example rules file is valid under the schema."""
        data = yaml.safe_load(EXAMPLE_RULES.read_text("utf-8"))
        assert list(VALIDATOR.iter_errors(data)) == []

    def test_accepts_every_operator(self) -> None:
        """Every form of condition and both kinds of rule pass the schema and parse_rules."""
        data = {
            "$schema": "https://cxgraph.dev/schemas/rules-1.0.schema.json",
            **doc(
                forbid(
                    id="a",
                    where={
                        "reason": "no_owner",
                        "to_owner": None,
                        "via": ["x", "y"],
                        "flow": {"gt": 0, "ge": 0, "lt": 1, "le": 1, "ne": 0.5},
                    },
                    max=2,
                ),
                require(id="b", min=0.2),
                require(id="c", max=0.9),
            ),
        }
        assert list(VALIDATOR.iter_errors(data)) == []
        assert len(parse_rules(data)) == 3

    @pytest.mark.parametrize("data", SCHEMA_BROKEN, ids=range(len(SCHEMA_BROKEN)))
    def test_rejects_broken(self, data: Any) -> None:
        """A document of the wrong shape fails the schema, as it fails parse_rules."""
        assert list(VALIDATOR.iter_errors(data)) != []
        with pytest.raises(RulesError):
            parse_rules(data)
