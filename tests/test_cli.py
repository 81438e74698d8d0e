"""The command line: validate, lint, schema, --version, --help and usage errors."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph.cli import main

VALID = """\
cxgraph: "1.0"
journey: {id: coffee, name: Buying a coffee, version: "3"}
owners:
  - {id: cafe, name: Cafe team, kind: team}
channels:
  - {id: counter, name: Counter, kind: human}
touchpoints:
  - {id: order, name: Order, owner: cafe, channel: counter}
outcomes:
  - {id: served, name: Served, kind: success}
transitions:
  - {source: order, target: served}
"""

SUMMARY = (
    "Journey 'coffee' (Buying a coffee), version 3, current state: 2 steps (1 touchpoint, "
    "0 decision points, 1 outcome) in 0 phases for 0 personas; 1 owner in 1 silo, 1 channel, "
    "0 dimensions; 1 transition, 0 hand-offs and 0 triggers. Valid.\n"
)

# A valid journey with two lint warnings: a dead end and a touchpoint with no owner.
SUSPICIOUS = """\
cxgraph: "1.0"
journey: {id: j, name: J}
owners:
  - {id: cafe, name: Cafe team, kind: team}
channels:
  - {id: web, name: Web, kind: digital}
touchpoints:
  - {id: a, name: A, owner: cafe, channel: web}
  - {id: b, name: B, channel: web}
transitions:
  - {source: a, target: b}
"""


def run(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding journey files good and bad, and folders."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "valid.yaml").write_text(VALID)
    (tmp_path / "valid.json").write_text(cx.dumps(cx.loads(VALID, format="yaml")))
    (tmp_path / "suspicious.yaml").write_text(SUSPICIOUS)
    (tmp_path / "journey.txt").write_text(VALID)
    (tmp_path / "bad-syntax.yaml").write_text('cxgraph: "1.0"\njourney: {id: j, name: J\n')
    (tmp_path / "bad-syntax.json").write_text('{"cxgraph": "1.0",}')
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "latin1.yaml").write_bytes(b'cxgraph: "1.0"\njourney: {id: j, name: Caf\xe9}\n')
    (tmp_path / "newer.yaml").write_text('cxgraph: "1.1"\njourney: {id: j, name: J}\n')
    (tmp_path / "invalid.yaml").write_text(
        "cxgraph: 1.0\n"
        "journey: {id: j, name: J}\n"
        "touchpoints:\n"
        "  - {id: a, name: A, owner: sales, lane: back}\n"
    )
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "journey.yaml").write_text(VALID)
    return tmp_path


# Each case: id, argv, exit code, exact stderr.
BROKEN = [
    (
        "missing-file",
        ["validate", "nope.yaml"],
        2,
        "cxgraph validate: error: no such file: 'nope.yaml'\n",
    ),
    (
        "folder-without-journey",
        ["validate", "empty-folder"],
        2,
        "cxgraph validate: error: 'empty-folder' is a folder with no journey.yaml, journey.yml or "
        "journey.json in it: give the journey file's path\n",
    ),
    (
        "unreadable-path",
        ["validate", "empty.yaml/journey.yaml"],
        2,
        "cxgraph validate: error: cannot read 'empty.yaml/journey.yaml': Not a directory\n",
    ),
    (
        "unknown-suffix",
        ["validate", "journey.txt"],
        2,
        "cxgraph validate: error: cannot tell the format of 'journey.txt': name the file with "
        ".json, .yaml or .yml\n",
    ),
    (
        "invalid-yaml",
        ["validate", "bad-syntax.yaml"],
        1,
        "bad-syntax.yaml: $: invalid YAML at line 3, column 1: while parsing a flow mapping "
        "started at line 2, column 10: expected ',' or '}', but got '<stream end>'\n",
    ),
    (
        "invalid-json",
        ["validate", "bad-syntax.json"],
        1,
        "bad-syntax.json: $: invalid JSON at line 1, column 19: Expecting property name "
        "enclosed in double quotes\n",
    ),
    (
        "empty-file",
        ["validate", "empty.yaml"],
        1,
        'empty.yaml: $: expected a mapping with cxgraph: "1.0" and journey: {id, name} at the '
        "top level, got null (the document is empty)\n",
    ),
    (
        "not-utf-8",
        ["validate", "latin1.yaml"],
        1,
        "latin1.yaml: $: the text is not UTF-8: byte 0xe9 at line 2, column 27 cannot be "
        "decoded; save the file as UTF-8\n",
    ),
    (
        "invalid-content",
        ["validate", "invalid.yaml"],
        1,
        "invalid.yaml: $.cxgraph: expected the format version as a string, got number 1.0: put "
        'it in quotes, as in cxgraph: "1.0" (unquoted, YAML reads it as a number)\n'
        "invalid.yaml: $.touchpoints[0].owner: unknown owner 'sales': the journey has no "
        "owners yet (add it under owners)\n"
        "invalid.yaml: $.touchpoints[0].lane: unknown lane 'back' (valid: 'customer', "
        "'frontstage', 'backstage', 'support')\n",
    ),
    (
        "lint-invalid-content",
        ["lint", "empty.yaml"],
        1,
        'empty.yaml: $: expected a mapping with cxgraph: "1.0" and journey: {id, name} at the '
        "top level, got null (the document is empty)\n",
    ),
    (
        "lint-missing-file",
        ["lint", "nope.json"],
        2,
        "cxgraph lint: error: no such file: 'nope.json'\n",
    ),
    (
        "unknown-command",
        ["chek", "valid.yaml"],
        2,
        "usage: cxgraph [-h] [--version] COMMAND ...\n"
        "cxgraph: error: argument COMMAND: invalid choice: 'chek' (choose from {choices})\n",
    ),
    (
        "no-command",
        [],
        2,
        "usage: cxgraph [-h] [--version] COMMAND ...\n"
        "cxgraph: error: the following arguments are required: COMMAND\n",
    ),
    (
        "unknown-option",
        ["validate", "--fast", "valid.yaml"],
        2,
        "usage: cxgraph validate [-h] file\n"
        "cxgraph validate: error: unrecognized arguments: --fast\n",
    ),
    (
        "missing-argument",
        ["lint"],
        2,
        "usage: cxgraph lint [-h] [--format {text,json}] [--strict] file\n"
        "cxgraph lint: error: the following arguments are required: file\n",
    ),
    (
        "bad-choice",
        ["lint", "--format", "csv", "valid.yaml"],
        2,
        "usage: cxgraph lint [-h] [--format {text,json}] [--strict] file\n"
        "cxgraph lint: error: argument --format: invalid choice: 'csv' (choose from 'text', "
        "'json')\n",
    ),
]


class TestBrokenInputs:
    """Every broken input gives its exact stderr and exit code, never a traceback."""

    @pytest.mark.parametrize(
        ("argv", "code", "stderr"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
    )
    def test_exact_error(self, files: Path, argv: list[str], code: int, stderr: str) -> None:
        """The exit code and every stderr line are exactly as documented."""
        from cxgraph.cli import build_parser

        # The list of commands grows as commands are added; spell it from the parser.
        commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        stderr = stderr.replace("{choices}", ", ".join(repr(c) for c in commands))
        assert run(*argv) == (code, "", stderr)


class TestValidate:
    """``cxgraph validate FILE``."""

    def test_valid_yaml(self, files: Path) -> None:
        """A valid file prints a one-paragraph summary and exits 0."""
        assert run("validate", "valid.yaml") == (0, SUMMARY, "")

    def test_valid_json_and_folder(self, files: Path) -> None:
        """JSON files and folders holding journey.yaml validate the same way."""
        assert run("validate", "valid.json") == (0, SUMMARY, "")
        assert run("validate", "folder") == (0, SUMMARY, "")

    def test_newer_minor_version_warns_on_stderr(self, files: Path) -> None:
        """A newer minor version is valid, with one plain warning line on stderr."""
        code, out, err = run("validate", "newer.yaml")
        assert code == 0
        assert out.endswith("Valid.\n")
        assert err == (
            "newer.yaml: warning: journey file has format version 1.1, newer than this "
            "cxgraph's 1.0; fields it does not know will be rejected\n"
        )

    def test_examples_validate(self, example_paths: list[Path]) -> None:
        """Every bundled example is valid."""
        for path in example_paths:
            code, out, err = run("validate", str(path))
            assert (code, err) == (0, ""), path
            assert out.count("\n") == 1
            assert out.endswith("Valid.\n")


class TestLint:
    """``cxgraph lint FILE [--strict] [--format json]``."""

    WARNINGS = (
        "suspicious.yaml: $.touchpoints[1]: warning [dead_end]: 'b' is a dead end: it is not "
        "an outcome and no transition or hand-off leads on from it; add one to the next step "
        "or to an outcome",
        "suspicious.yaml: $.touchpoints[1]: warning [no_owner]: touchpoint 'b' has no owner, "
        "so nobody is accountable for it: set owner to the team, role or system responsible",
        "2 warnings in suspicious.yaml",
    )

    def test_text(self, files: Path) -> None:
        """Warnings print one per line with path and code, then a count; exit 0."""
        assert run("lint", "suspicious.yaml") == (0, "\n".join(self.WARNINGS) + "\n", "")

    def test_strict(self, files: Path) -> None:
        """With --strict, warnings exit 1 and stderr says how many; a clean file exits 0."""
        assert run("lint", "--strict", "suspicious.yaml") == (
            1,
            "\n".join(self.WARNINGS) + "\n",
            "cxgraph lint: error: --strict: 2 lint warnings\n",
        )
        assert run("lint", "--strict", "valid.yaml") == (0, "0 warnings in valid.yaml\n", "")

    def test_strict_json(self, files: Path) -> None:
        """With --strict and --format json, stdout stays JSON and the reason goes to stderr."""
        code, out, err = run("lint", "--strict", "--format", "json", "suspicious.yaml")
        assert (code, len(json.loads(out))) == (1, 2)
        assert err == "cxgraph lint: error: --strict: 2 lint warnings\n"

    def test_json(self, files: Path) -> None:
        """--format json prints a list of {path, code, message} records."""
        code, out, err = run("lint", "--format", "json", "suspicious.yaml")
        assert (code, err) == (0, "")
        records = json.loads(out)
        assert [(r["path"], r["code"]) for r in records] == [
            ("$.touchpoints[1]", "dead_end"),
            ("$.touchpoints[1]", "no_owner"),
        ]
        problems = cx.lint(cx.load(files / "suspicious.yaml"))
        assert [r["message"] for r in records] == [p.message for p in problems]

    def test_json_clean(self, files: Path) -> None:
        """A clean file in JSON is an empty list."""
        assert run("lint", "--format", "json", "valid.yaml") == (0, "[]\n", "")

    def test_examples_lint(self, example_paths: list[Path]) -> None:
        """Every bundled example lints without error."""
        for path in example_paths:
            code, out, err = run("lint", str(path))
            assert (code, err) == (0, ""), path
            assert out.splitlines()[-1].endswith(f"in {path}")


class TestSchema:
    """``cxgraph schema``."""

    def test_prints_the_schema(self) -> None:
        """It prints valid JSON equal to ``cx.schema()``."""
        code, out, err = run("schema")
        assert (code, err) == (0, "")
        assert json.loads(out) == cx.schema()


class TestVersionAndHelp:
    """``--version``, ``--help`` and command help."""

    def test_version(self) -> None:
        """--version prints the package version and exits 0."""
        assert run("--version") == (0, f"cxgraph {cx.__version__}\n", "")

    def test_help(self) -> None:
        """--help prints usage and the commands, and exits 0."""
        code, out, err = run("--help")
        assert (code, err) == (0, "")
        assert out.startswith("usage: cxgraph [-h] [--version] COMMAND ...\n")
        for command in ("validate", "lint", "schema"):
            assert f"    {command} " in out

    def test_command_help(self) -> None:
        """A command's --help shows its own usage."""
        code, out, _ = run("lint", "--help")
        assert code == 0
        assert out.startswith("usage: cxgraph lint [-h] [--format {text,json}] [--strict] file")


class TestModule:
    """``python -m cxgraph``."""

    def test_python_m(self, files: Path) -> None:
        """The module runs the CLI in a fresh interpreter, with the same output."""
        proc = subprocess.run(
            [sys.executable, "-m", "cxgraph", "validate", "valid.yaml"],
            capture_output=True,
            text=True,
            cwd=files,
            check=False,
        )
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, SUMMARY, "")


B2B = Path(__file__).parent.parent / "examples" / "b2b_software.yaml"


class TestAnalyze:
    def test_text_report_in_plain_words(self) -> None:
        """`analyze` prints every analysis in plain words and exits 0."""
        code, out, err = run("analyze", str(B2B))
        assert (code, err) == (0, "")
        for title in ("Unowned hand-offs", "Silo boundaries", "Branches", "Moments of truth"):
            assert title in out
        assert "through the customer's decision" in out

    def test_json_is_analysis_to_records(self) -> None:
        """`--format json` prints {analysis: records} for the chosen analyses."""
        code, out, _ = run(
            "analyze", str(B2B), "--only", "branches", "--only", "markov", "--format", "json"
        )
        assert code == 0
        assert list(json.loads(out)) == ["branches", "markov"]

    def test_csv_needs_one_analysis(self) -> None:
        """`--format csv` without exactly one --only is a usage error."""
        code, out, err = run("analyze", str(B2B), "--format", "csv")
        assert (code, out) == (2, "")
        assert err == (
            "cxgraph analyze: error: --format csv writes one analysis: choose it with --only NAME\n"
        )

    def test_csv_one_analysis(self) -> None:
        """`--format csv --only NAME` prints that analysis's records with a header."""
        code, out, _ = run("analyze", str(B2B), "--only", "unowned_handoffs", "--format", "csv")
        assert code == 0
        assert out.splitlines()[0] == "source,target,from_owner,to_owner,reason,via,flow"

    def test_unknown_analysis(self) -> None:
        """An unknown --only name is a usage error listing the valid names."""
        code, _, err = run("analyze", str(B2B), "--only", "silos")
        assert code == 2
        assert err.startswith("cxgraph analyze: error: unknown analysis 'silos' (valid: ")

    def test_strict_exits_1_on_unowned_handoffs(self) -> None:
        """`--strict` exits 1 and names what it found; without it the same run exits 0."""
        code, out, err = run("analyze", str(B2B), "--strict")
        chains = len(cx.unowned_handoffs(cx.load(B2B)).chains)
        warnings = len(cx.lint(cx.load(B2B)))
        # Lint: use-product has no owner, and the champion is listed on three
        # touchpoints her journey never reaches (the example's header says so).
        assert (chains, warnings) == (27, 4)
        assert (code, err) == (
            1,
            "cxgraph analyze: error: --strict: 27 unowned hand-offs and 4 lint warnings\n",
        )
        assert f"{chains} unowned hand-offs:" in out  # the same number as the report's headline
        assert run("analyze", str(B2B)) == (0, out, "")

    @pytest.mark.parametrize(
        ("argv", "stderr"),
        [
            (
                ["suspicious.yaml"],
                "cxgraph analyze: error: --strict: 1 unowned hand-off and 2 lint warnings\n",
            ),
            (
                ["suspicious.yaml", "--only", "branches"],
                "cxgraph analyze: error: --strict: 2 lint warnings\n",
            ),
            (
                ["suspicious.yaml", "--only", "unowned_handoffs", "--format", "json"],
                "cxgraph analyze: error: --strict: 1 unowned hand-off and 2 lint warnings\n",
            ),
        ],
        ids=["both", "lint-only", "json"],
    )
    def test_strict_says_which_checks_failed(
        self, files: Path, argv: list[str], stderr: str
    ) -> None:
        """`--strict` names each failed check with its count (hand-offs only when analysed)."""
        code, out, err = run("analyze", "--strict", *argv)
        assert (code, err) == (1, stderr)
        assert out

    def test_strict_clean_journey(self, files: Path) -> None:
        """`--strict` exits 0 for a journey with no unowned hand-off and no lint warning."""
        assert run("analyze", "valid.yaml", "--strict")[0] == 0

    def test_invalid_file(self, files: Path) -> None:
        """An invalid file exits 1 with one line per problem, no report."""
        code, out, err = run("analyze", "invalid.yaml")
        assert code == 1
        assert out == ""
        assert err.startswith("invalid.yaml: $.cxgraph:")

    def test_missing_file(self, files: Path) -> None:
        """A missing file exits 2."""
        assert run("analyze", "nope.yaml") == (
            2,
            "",
            "cxgraph analyze: error: no such file: 'nope.yaml'\n",
        )


# -- one error prefix: ``cxgraph COMMAND: error: ...`` -------------------------

# Each case: id, argv, exit code, exact stderr; one or more per command.
PREFIXED = [
    (
        "validate",
        ["validate", "nope.yaml"],
        2,
        "cxgraph validate: error: no such file: 'nope.yaml'\n",
    ),
    (
        "lint",
        ["lint", "empty-folder"],
        2,
        "cxgraph lint: error: 'empty-folder' is a folder with no journey.yaml, journey.yml or "
        "journey.json in it: give the journey file's path\n",
    ),
    (
        "analyze",
        ["analyze", "valid.yaml", "--only", "silos"],
        2,
        "cxgraph analyze: error: unknown analysis 'silos' (valid: unowned_handoffs, "
        "silo_boundaries, branches, dimensions, moments_of_truth, weakest_touchpoints, "
        "touchpoint_inventory, coverage, markov, trust_and_value, technology, "
        "decision_boundary)\n",
    ),
    (
        "discover",
        ["discover", "nope.csv", "-o", "j.json"],
        2,
        "cxgraph discover: error: no such file: 'nope.csv'\n",
    ),
    (
        "discover-usage",
        ["discover", "log.csv", "-o", "j.json", "--outcome", "decide"],
        2,
        "cxgraph discover: error: --outcome 'decide': expected ACTIVITY=KIND with KIND one of "
        "success, failure, exit\n",
    ),
    (
        "report",
        ["report", "valid.yaml", "-o", "page.txt"],
        2,
        "cxgraph report: error: cannot tell the page's format from 'page.txt': name the file "
        "with one of the suffixes .html, .htm\n",
    ),
    (
        "render",
        ["render", "valid.yaml", "-o", "no/such/m.svg"],
        2,
        "cxgraph render: error: cannot write 'no/such/m.svg': no folder 'no/such'\n",
    ),
    (
        "schema",
        ["schema", "extra"],
        2,
        "usage: cxgraph schema [-h]\ncxgraph schema: error: unrecognized arguments: extra\n",
    ),
    (
        "before-a-command",
        ["--fast"],
        2,
        "usage: cxgraph [-h] [--version] COMMAND ...\n"
        "cxgraph: error: the following arguments are required: COMMAND\n",
    ),
]


class TestErrorPrefix:
    """Every error line is ``cxgraph COMMAND: error: ...``; before a command, ``cxgraph:``."""

    @pytest.mark.parametrize(
        ("argv", "code", "stderr"), [c[1:] for c in PREFIXED], ids=[c[0] for c in PREFIXED]
    )
    def test_every_command(self, files: Path, argv: list[str], code: int, stderr: str) -> None:
        """Each command's errors carry its name, whatever raised them."""
        (files / "log.csv").write_text("case,activity,timestamp\n1,a,2024-01-01\n")
        assert run(*argv) == (code, "", stderr)

    @pytest.mark.parametrize(
        ("error", "code", "line"),
        [
            (cx.CxgraphError("a\nb"), 1, "cxgraph lint: error: a\ncxgraph lint: error: b\n"),
            (
                PermissionError(13, "Permission denied", "valid.yaml"),
                2,
                "cxgraph lint: error: cannot read 'valid.yaml': Permission denied\n",
            ),
            (
                cx.UnsupportedFormatError("unknown format 'toml' (valid: 'json', 'yaml')"),
                2,
                "cxgraph lint: error: unknown format 'toml' (valid: 'json', 'yaml')\n",
            ),
            (
                ZeroDivisionError("no width"),
                1,
                "cxgraph lint: error: internal error: ZeroDivisionError: no width (this is a "
                "bug in cxgraph; run again with CXGRAPH_DEBUG=1 for the traceback and report "
                "it)\n",
            ),
        ],
        ids=["cxgraph-error", "os-error", "unsupported-format", "internal-error"],
    )
    def test_one_mechanism(
        self,
        files: Path,
        monkeypatch: pytest.MonkeyPatch,
        error: Exception,
        code: int,
        line: str,
    ) -> None:
        """Library errors, I/O errors and bugs get the same prefix, one line per problem."""

        def load(path: str) -> cx.Journey:
            raise error

        monkeypatch.setattr("cxgraph.cli._load", load)
        monkeypatch.delenv("CXGRAPH_DEBUG", raising=False)
        assert run("lint", "valid.yaml") == (code, "", line)

    def test_prefix_is_added_once(self, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A message that already starts with a prefix is not prefixed twice."""
        from cxgraph.cli import UsageError

        def load(path: str) -> cx.Journey:
            raise UsageError("cxgraph lint: error: already said")

        monkeypatch.setattr("cxgraph.cli._load", load)
        assert run("lint", "valid.yaml") == (2, "", "cxgraph lint: error: already said\n")

    def test_debug_shows_the_traceback(self, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """With CXGRAPH_DEBUG set, a bug is raised, not summarised."""

        def load(path: str) -> cx.Journey:
            raise ZeroDivisionError("no width")

        monkeypatch.setattr("cxgraph.cli._load", load)
        monkeypatch.setenv("CXGRAPH_DEBUG", "1")
        with pytest.raises(ZeroDivisionError, match="no width"):
            run("lint", "valid.yaml")

    def test_warning_without_a_file(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A warning of a command that reads no file is ``cxgraph COMMAND: warning: ...``."""
        import warnings

        def schema() -> dict[str, object]:
            warnings.warn("the schema is old", cx.CxgraphWarning, stacklevel=1)
            return {}

        monkeypatch.setattr("cxgraph.readwrite.schema.schema", schema)
        assert run("schema") == (
            0,
            "{}\n",
            "cxgraph schema: warning: the schema is old\n",
        )


# -- advice in flags and file names, never Python keywords ---------------------

#: A Python keyword as the library writes its advice: ``case='id'``, ``timestamp=None``.
PYTHON_KEYWORD = re.compile(r"(?<![\w-])[a-z_]+=(?:'|\"|None\b|\.\.\.|\s|$)")


# Each case: id, argv, exit code, exact stderr (journey files: the CLI's own words).
SUFFIX_ADVICE = [
    (
        "validate",
        ["validate", "report.html"],
        2,
        "cxgraph validate: error: cannot tell the format of 'report.html': name the file "
        "with .json, .yaml or .yml\n",
    ),
    (
        "lint",
        ["lint", "journey.txt"],
        2,
        "cxgraph lint: error: cannot tell the format of 'journey.txt': name the file with "
        ".json, .yaml or .yml\n",
    ),
    (
        "analyze",
        ["analyze", "report.html"],
        2,
        "cxgraph analyze: error: cannot tell the format of 'report.html': name the file "
        "with .json, .yaml or .yml\n",
    ),
    (
        "report",
        ["report", "journey.txt", "-o", "page.html"],
        2,
        "cxgraph report: error: cannot tell the format of 'journey.txt': name the file with "
        ".json, .yaml or .yml\n",
    ),
    (
        "render",
        ["render", "report.html", "-o", "m.svg"],
        2,
        "cxgraph render: error: cannot tell the format of 'report.html': name the file "
        "with .json, .yaml or .yml\n",
    ),
    (
        "no-suffix",
        ["validate", "journey"],
        2,
        "cxgraph validate: error: cannot tell the format of 'journey': name the file with "
        ".json, .yaml or .yml\n",
    ),
    (
        "discover-output",
        ["discover", "log.csv", "-o", "journey.txt"],
        2,
        "cxgraph discover: error: cannot tell the format of 'journey.txt': name the file "
        "with .json, .yaml or .yml\n",
    ),
    (
        "discover-log-suffix",
        ["discover", "log.txt", "-o", "j.json"],
        2,
        "cxgraph discover: error: cannot tell the format of the event log 'log.txt': name "
        "the file with .csv, .parquet, .xes or .xes.gz\n",
    ),
]

# Each case: id, argv, the flag advice stderr must hold (the wording of event-log
# errors belongs to the event-log readers).
LOG_ADVICE = [
    ("unknown-columns", ["odd.csv"], 2, "--case COLUMN"),
    ("no-time-column", ["odd.csv"], 2, "--no-timestamp"),
    ("missing-case-column", ["log.csv", "--case", "id"], 2, "--case 'id': no such column"),
    ("missing-time-column", ["log.csv", "--timestamp", "when"], 2, "--timestamp 'when':"),
    ("missing-resource", ["log.csv", "--resource", "who"], 2, "--resource 'who':"),
    ("bad-time", ["badtime.csv"], 1, "--timestamp 'timestamp': cannot read 'soon'"),
    ("no-case-id", ["nocase.csv"], 1, "--case 'case': 1 event has no case id"),
    ("duckdb", ["log.csv", "--engine", "duckdb", "--case", "id"], 2, "--case 'id':"),
]

# Each case: what the library says, what the command line prints after the prefix.
LIBRARY_MESSAGES = [
    ("case='id': no such column", "--case 'id': no such column"),
    ("activity='Step': no such column", "--activity 'Step': no such column"),
    ("timestamp='t': cannot read 'x'", "--timestamp 't': cannot read 'x'"),
    ("name it with resource='...'", "name it with --resource RESOURCE"),
    ("name it with start_timestamp='...'", "name it with --start-timestamp START_TIMESTAMP"),
    ("lifecycle='complete': no such column", "--lifecycle 'complete': no such column"),
    (
        "pass timestamp=None to keep the file order",
        "pass --no-timestamp to keep the file order",
    ),
    ("use discover(..., engine='spark'), or", "use --engine 'spark', or"),
    ("outcomes= maps activities to kinds", "--outcome maps activities to kinds"),
    (
        "cannot tell the format of 'j.txt' from its suffix '.txt': use .json, .yaml or "
        ".yml, or pass format='json' or 'yaml'",
        "cannot tell the format of 'j.txt': name the file with .json, .yaml or .yml",
    ),
    # A keyword the command line has no flag for is left as it is, and so is a
    # user's value that merely holds an equals sign.
    ("--outcome 'pay=win': unknown kind", "--outcome 'pay=win': unknown kind"),
    ("owners= needs resource=None", "owners= needs resource=None"),
]


class TestFlagAdvice:
    """CLI errors say which flag to pass or how to name the file, never a Python keyword."""

    @pytest.fixture
    def logs(self, files: Path) -> Path:
        """Event logs good and bad beside the journey files."""
        (files / "report.html").write_text("<html></html>")
        (files / "journey").write_text(VALID)
        (files / "log.txt").write_text("case,activity,timestamp\n1,a,2024-01-01\n")
        (files / "log.csv").write_text("case,activity,timestamp\n1,a,2024-01-01\n")
        (files / "odd.csv").write_text("c,a\n1,x\n")
        (files / "badtime.csv").write_text("case,activity,timestamp\n1,a,soon\n")
        (files / "nocase.csv").write_text("case,activity,timestamp\n,a,2024-01-01\n")
        return files

    @pytest.mark.parametrize(
        ("argv", "code", "stderr"),
        [c[1:] for c in SUFFIX_ADVICE],
        ids=[c[0] for c in SUFFIX_ADVICE],
    )
    def test_file_names(self, logs: Path, argv: list[str], code: int, stderr: str) -> None:
        """An unknown suffix is answered with the suffixes to name the file with."""
        assert run(*argv) == (code, "", stderr)
        assert not PYTHON_KEYWORD.search(stderr)

    @pytest.mark.parametrize(
        ("argv", "code", "advice"), [c[1:] for c in LOG_ADVICE], ids=[c[0] for c in LOG_ADVICE]
    )
    def test_event_logs(self, logs: Path, argv: list[str], code: int, advice: str) -> None:
        """Event-log errors name the flag (and its value), never the keyword; a column not
        found is a usage error (2), a bad value in the log a problem found (1)."""
        got, out, err = run("discover", *argv, "-o", "j.json")
        assert (got, out) == (code, "")
        assert advice in err
        lines = err.splitlines()
        assert [line for line in lines if PYTHON_KEYWORD.search(line)] == []
        assert all(line.startswith("cxgraph discover: error: ") for line in lines)
        assert not (logs / "j.json").exists()

    @pytest.mark.parametrize(
        ("message", "line"), LIBRARY_MESSAGES, ids=[m[1] for m in LIBRARY_MESSAGES]
    )
    def test_keyword_to_flag(
        self, files: Path, monkeypatch: pytest.MonkeyPatch, message: str, line: str
    ) -> None:
        """Each Python keyword of a library message becomes its flag, in one place."""

        def load(path: str) -> cx.Journey:
            raise cx.CxgraphError(message)

        monkeypatch.setattr("cxgraph.cli._load", load)
        assert run("validate", "valid.yaml") == (1, "", f"cxgraph validate: error: {line}\n")

    def test_the_check_sees_keywords(self) -> None:
        """The pattern the tables check for finds the keyword in every library message."""
        found = [m for m, _ in LIBRARY_MESSAGES if PYTHON_KEYWORD.search(m)]
        assert len(found) == len(LIBRARY_MESSAGES) - 1  # all but the user's 'pay=win'

    def test_warnings_too(self, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A warning's advice is in flags too, after ``FILE: warning:``."""
        import warnings

        def load(path: str) -> cx.Journey:
            warnings.warn("pass timestamp=None for file order", cx.CxgraphWarning, stacklevel=1)
            return cx.load(path)

        monkeypatch.setattr("cxgraph.cli._load", load)
        code, _, err = run("validate", "valid.yaml")
        assert (code, err) == (0, "valid.yaml: warning: pass --no-timestamp for file order\n")


class TestPublicNamespace:
    """``dir(cxgraph)`` lists the public names and nothing else."""

    def test_dir_is_all(self) -> None:
        """``dir(cx)`` is ``sorted(cx.__all__)``: no import machinery, lazy names included."""
        assert dir(cx) == sorted(cx.__all__)
        assert {"plot", "discover", "conformance", "Conformance"} <= set(cx.__all__)
        assert {"annotations", "importlib", "TYPE_CHECKING", "Any"}.isdisjoint(dir(cx))

    def test_every_name_resolves(self) -> None:
        """Every name ``dir(cx)`` shows is an attribute of the package."""
        assert [name for name in dir(cx) if not hasattr(cx, name)] == []
