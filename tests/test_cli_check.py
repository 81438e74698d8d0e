"""``cxgraph check FILE --rules RULES``: exit 0 clean, 1 on a broken rule, 2 for unusable rules."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cxgraph.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RULES = str(EXAMPLES / "ci" / "rules.yaml")
RESTAURANT = str(EXAMPLES / "restaurant.yaml")
VENDING = str(EXAMPLES / "vending.yaml")
B2B = str(EXAMPLES / "b2b_software.yaml")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def rules_file(tmp_path: Path, text: str, name: str = "rules.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


class TestExitCodes:
    def test_clean_exits_0(self) -> None:
        """A journey keeping every rule: exit 0, one line saying so, nothing on stderr."""
        code, out, err = run("check", RESTAURANT, "--rules", RULES)
        assert (code, err) == (0, "")
        assert out == f"{RESTAURANT}: all 3 rules hold\n"

    def test_a_broken_rule_exits_1(self) -> None:
        """One line per broken rule (id, description, what matched), then the summary; exit 1."""
        code, out, err = run("check", VENDING, "--rules", RULES)
        assert code == 1
        first, last = out.splitlines()
        assert first.startswith(
            "every-handoff-owned (Every declared hand-off, and every step at either end of one, "
            "has an owner): 1 finding of unowned_handoffs matches where reason is 'no_owner' or "
            "'step_unowned', more than the 0 allowed: Machine fleet team hands "
        )
        assert last == f"{VENDING}: 1 of 3 rules broken: every-handoff-owned"
        assert err == "cxgraph check: error: 1 rule broken: every-handoff-owned\n"

    def test_every_broken_rule_one_line(self) -> None:
        """Three broken rules: three lines naming them, in the file's order."""
        code, out, err = run("check", B2B, "--rules", RULES)
        assert code == 1
        lines = out.splitlines()
        assert [line.split(" (")[0] for line in lines[:3]] == [
            "every-handoff-owned",
            "visible-crossing-carries-context",
            "conversion-above-20",
        ]
        assert lines[2] == (
            "conversion-above-20 (Conversion stays above 20%): markov.conversion_probability is "
            "0.07561, below the minimum 0.2"
        )
        assert len(lines) == 4
        assert err.count("\n") == 1

    def test_json(self) -> None:
        """--format json: ok, the rules checked and the violations as records; exit 1 still."""
        code, out, err = run("check", VENDING, "--rules", RULES, "--format", "json")
        assert code == 1
        data = json.loads(out)
        assert data["ok"] is False
        assert data["journey"] == "vending-snack"
        assert data["checked"] == [
            "every-handoff-owned",
            "visible-crossing-carries-context",
            "conversion-above-20",
        ]
        (violation,) = data["violations"]
        assert set(violation) == {"rule", "analysis", "finding"}
        assert violation["rule"] == "every-handoff-owned"
        assert [f["reason"] for f in violation["finding"]] == ["no_owner"]
        assert err.startswith("cxgraph check: error: 1 rule broken")

    def test_json_clean(self) -> None:
        """A clean journey in JSON: ok and no violations, exit 0."""
        code, out, _ = run("check", RESTAURANT, "--rules", RULES, "--format", "json")
        assert code == 0
        assert json.loads(out)["violations"] == []

    def test_json_rules_file(self, tmp_path: Path) -> None:
        """A .json rules file is read as JSON."""
        path = rules_file(
            tmp_path,
            json.dumps(
                {
                    "cxgraph-rules": "1.0",
                    "rules": [{"id": "r", "description": "R", "forbid": "coverage", "max": 99}],
                }
            ),
            "rules.json",
        )
        assert run("check", RESTAURANT, "--rules", path)[0] == 0


class TestUnusableRules:
    def test_every_problem_one_line_exit_2(self, tmp_path: Path) -> None:
        """Each problem is one line ``RULES: PATH: message``; nothing on stdout; exit 2."""
        path = rules_file(
            tmp_path,
            'cxgraph-rules: "1.0"\n'
            "rules:\n"
            "  - {id: a, description: A, forbid: silo_boundary}\n"
            "  - {id: b, description: B, forbid: silo_boundaries, where: {kind: x}}\n"
            "  - {id: c, description: C, require: markov.basis, min: 0}\n",
        )
        code, out, err = run("check", VENDING, "--rules", path)
        assert (code, out) == (2, "")
        lines = err.splitlines()
        assert [line.split(": ")[:2] for line in lines] == [
            [path, "$.rules[0].forbid"],
            [path, "$.rules[1].where.kind"],
            [path, "$.rules[2].require"],
        ]
        assert lines[0] == (
            f"{path}: $.rules[0].forbid: unknown analysis 'silo_boundary' (valid: "
            "'unowned_handoffs', 'silo_boundaries', 'branches', 'dimensions', 'moments_of_truth', "
            "'weakest_touchpoints', 'touchpoint_inventory', 'coverage', 'markov', "
            "'trust_and_value', 'technology', 'decision_boundary')"
        )

    @pytest.mark.parametrize(
        ("text", "line"),
        [
            ("rules: [\n", "$: invalid YAML at line 2, column 1: "),
            ("- 1\n", '$: expected a mapping with cxgraph-rules: "1.0" and rules, got a list'),
            (
                'cxgraph-rules: "1.0"\nrules: &r []\nagain: *r\n',
                "$: YAML alias *r at line 3, column 8: a rules file may not use aliases",
            ),
            (
                'cxgraph-rules: !!str "1.0"\nrules: []\n',
                "$: YAML tag !!str at line 1, column 16: a rules file may not use tags",
            ),
            (
                'cxgraph-rules: "1.0"\nrules:\n  - {id: a, description: A, forbid: coverage}\n'
                "  - {id: a, description: A, forbid: coverage}\n",
                "$.rules[1].id: duplicate rule id 'a' (first at $.rules[0])",
            ),
            (
                'cxgraph-rules: "1.0"\nrules:\n  - {id: a, description: A, require: markov.'
                "conversion_probability, min: 0.5, max: 0.1}\n",
                "$.rules[0].min: min 0.5 is above max 0.1: no value can pass",
            ),
            ("cxgraph-rules: 1.0\nrules: []\n", "$.cxgraph-rules: expected the rules version"),
        ],
    )
    def test_broken_file(self, tmp_path: Path, text: str, line: str) -> None:
        """A rules file that cannot be used exits 2 with its problem, named by path."""
        path = rules_file(tmp_path, text)
        code, out, err = run("check", VENDING, "--rules", path)
        assert (code, out) == (2, "")
        assert err.startswith(f"{path}: {line}")

    def test_too_large(self, tmp_path: Path) -> None:
        """A rules file over 1 MiB is refused unread: exit 2."""
        path = rules_file(tmp_path, 'cxgraph-rules: "1.0"\nrules: []\n' + "#" * 2**20 + "\n")
        code, _, err = run("check", VENDING, "--rules", path)
        assert code == 2
        assert err == (
            f"{path}: $: the rules file is 1,048,608 bytes, more than the limit of 1,048,576 "
            "bytes: is it the right file?\n"
        )


class TestUsage:
    def test_missing_rules_file(self, tmp_path: Path) -> None:
        """A rules file that does not exist is a usage error."""
        code, _, err = run("check", VENDING, "--rules", str(tmp_path / "none.yaml"))
        assert code == 2
        assert err == f"cxgraph check: error: no such file: {str(tmp_path / 'none.yaml')!r}\n"

    def test_rules_folder(self, tmp_path: Path) -> None:
        """A folder given as the rules file is a usage error that says so."""
        code, _, err = run("check", VENDING, "--rules", str(tmp_path))
        assert code == 2
        assert "it is a folder, not a regular file: give the rules file itself" in err

    def test_missing_journey(self, tmp_path: Path) -> None:
        """A journey file that does not exist is a usage error."""
        code, _, err = run("check", str(tmp_path / "none.yaml"), "--rules", RULES)
        assert code == 2
        assert err.startswith("cxgraph check: error: no such file")

    def test_rules_are_required(self) -> None:
        """--rules is required: a usage error naming it."""
        code, _, err = run("check", VENDING)
        assert code == 2
        assert "the following arguments are required: --rules" in err

    def test_invalid_journey_exits_1(self, tmp_path: Path) -> None:
        """An invalid journey file exits 1, as for every command, each problem on its line."""
        bad = tmp_path / "bad.yaml"
        bad.write_text("cxgraph: 1.0\njourney: {id: j, name: J}\n", encoding="utf-8")
        code, out, err = run("check", str(bad), "--rules", RULES)
        assert (code, out) == (1, "")
        assert err.startswith(f"{bad}: $.cxgraph: expected the format version as a string")

    def test_help_says_what_exit_1_means(self) -> None:
        """The help names the rules option, the formats and what exits 1 and 2."""
        out = io.StringIO()
        assert main(["check", "--help"], stdout=out) == 0
        text = " ".join(out.getvalue().split())
        assert "--rules RULES" in text
        assert "--format {text,json}" in text
        assert (
            "1 ran and found problems: a rule is broken, or the journey file is invalid (a "
            "rules file that cannot be used is a usage error: exit 2)"
        ) in text
