"""``cxgraph --help`` and each command's help: choices, defaults and exit codes."""

from __future__ import annotations

import argparse
import io

import pytest

import cxgraph as cx
from cxgraph.cli import build_parser, main


def commands() -> dict[str, argparse.ArgumentParser]:
    """The command parsers, by name, as the CLI builds them."""
    sub = build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    return dict(sub.choices)  # type: ignore[arg-type]


def help_of(*command: str) -> str:
    """What ``cxgraph [COMMAND] --help`` prints (exit 0, nothing on stderr)."""
    out, err = io.StringIO(), io.StringIO()
    assert main([*command, "--help"], stdout=out, stderr=err) == 0
    assert err.getvalue() == ""
    return out.getvalue()


def words(text: str) -> str:
    """The text with its line breaks and indents as single spaces."""
    return " ".join(text.split())


ALL = ["", *commands()]

EXIT_CODES_END = (
    "  2    usage or I/O error: an unknown option, a missing or unwritable file\n"
    "  130  interrupted (Ctrl-C); 143 terminated (SIGTERM): no partial output is\n"
    "       left\n"
)


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Format the help for a terminal 80 columns wide."""
    monkeypatch.setenv("COLUMNS", "80")


class TestExitCodes:
    """Every help ends with the exit codes."""

    @pytest.mark.parametrize("command", ALL, ids=lambda c: c or "cxgraph")
    def test_every_help(self, command: str) -> None:
        """The top level and every command list codes 0, 1 and 2, in that order."""
        text = help_of(*command.split())
        tail = text[text.index("\nexit codes:\n") :]
        assert tail.startswith("\nexit codes:\n  0    clean\n  1    ran and found problems")
        assert tail.endswith(EXIT_CODES_END)

    def test_top_level(self) -> None:
        """The top-level help says where each command's options are, then the codes."""
        assert help_of().endswith(
            "\nRun 'cxgraph COMMAND --help' for a command's options.\n\n"
            "exit codes:\n"
            "  0    clean\n"
            "  1    ran and found problems: an invalid file, or findings with --strict\n"
            + EXIT_CODES_END
        )

    @pytest.mark.parametrize(
        ("command", "meaning"),
        [
            ("validate", "the journey file is invalid or cannot be parsed"),
            ("lint", "the journey file is invalid, or with --strict any lint warning"),
            (
                "analyze",
                "the journey file is invalid, or with --strict any unowned hand-off or lint "
                "warning",
            ),
            (
                "discover",
                "the event log cannot be read or is malformed (a column that cannot be found "
                "is a usage error: exit 2)",
            ),
            ("report", "the journey file is invalid"),
            ("render", "the journey file is invalid or the picture cannot be drawn"),
        ],
    )
    def test_what_exit_1_means(self, command: str, meaning: str) -> None:
        """Each command says what makes it exit 1."""
        assert f"1 ran and found problems: {meaning} 2 usage" in words(help_of(command))


class TestChoicesAndDefaults:
    """Each option's help lists its choices and names its default."""

    def test_lint_exactly(self) -> None:
        """``cxgraph lint --help``, word for word at 80 columns."""
        assert help_of("lint") == (
            "usage: cxgraph lint [-h] [--format {text,json}] [--strict] file\n"
            "\n"
            "Warn about legal but suspicious parts of a journey.\n"
            "\n"
            "positional arguments:\n"
            "  file                  a journey file (.json, .yaml, .yml) or a folder\n"
            "                        holding one\n"
            "\n"
            "options:\n"
            "  -h, --help            show this help message and exit\n"
            "  --format {text,json}  how to print the warnings (default: text)\n"
            "  --strict              exit 1 when there are warnings\n"
            "\n"
            "exit codes:\n"
            "  0    clean\n"
            "  1    ran and found problems: the journey file is invalid, or with --strict\n"
            "       any lint warning\n" + EXIT_CODES_END
        )

    @pytest.mark.parametrize("command", ["analyze", "report"])
    def test_only_names_the_analyses(self, command: str) -> None:
        """``--only`` names every registered analysis, in the registry's order."""
        names = ", ".join(cx.registered_analyses())
        assert "(repeat for several): one of " + names + " " in words(help_of(command))

    def test_only_follows_the_registry(self) -> None:
        """An analysis registered from Python is one of the names ``--only`` lists."""

        @cx.register_analysis("step_count")
        def step_count(journey: cx.Journey) -> int:
            return len(journey.steps)

        try:
            assert "technology, decision_boundary, step_count " in words(help_of("analyze"))
        finally:
            cx.unregister_analysis("step_count")

    @pytest.mark.parametrize(
        ("command", "shown"),
        [
            ("lint", "--format {text,json} how to print the warnings (default: text)"),
            (
                "analyze",
                "--format {text,json,csv} how to print the report; csv writes one analysis: "
                "name it with --only (default: text)",
            ),
            ("discover", "--engine {numpy,duckdb,spark} "),
            (
                "report",
                "-o OUTPUT, --output OUTPUT the page to write: .html or .htm, or - for stdout "
                "(default: report.html)",
            ),
            (
                "render",
                "--kind KIND which picture, for svg and png: journey_map (the journey map), "
                "blueprint (the service blueprint), emotion (the emotion curve), graph (the "
                "journey graph), silos (the silo crossings) or technology (the technology map) "
                "(default: journey_map)",
            ),
        ],
    )
    def test_named_options(self, command: str, shown: str) -> None:
        """--format, --engine, --kind and report's -o show their choices and defaults."""
        assert shown in words(help_of(command))

    def test_engine_default(self) -> None:
        """``discover --engine`` names its default even without a help text of its own."""
        text = words(help_of("discover"))
        engine = next(a for a in commands()["discover"]._actions if "--engine" in a.option_strings)
        assert f"--engine {{{','.join(engine.choices or ())}}} " in text
        assert f"(default: {engine.default})" in text

    @pytest.mark.parametrize("command", list(commands()))
    def test_every_option(self, command: str) -> None:
        """Any option with choices lists them; any with a value default names it."""
        text = words(help_of(command))
        for action in commands()[command]._actions:
            if not action.option_strings:
                continue
            if action.choices is not None:
                braces = "{" + ",".join(map(str, action.choices)) + "}"
                if action.metavar is not None:
                    # A named value (--kind KIND): its help names every choice.
                    assert all(str(c) in text for c in action.choices), action.option_strings
                elif len(braces) <= 60:
                    assert braces in text
                else:
                    # Too long for one line of 80 columns: named in the help instead.
                    assert ", ".join(map(str, action.choices)) in text, action.option_strings
            if action.default not in (None, False, argparse.SUPPRESS):
                assert f"(default: {action.default})" in text, action.option_strings
        assert "(default: False)" not in text
        assert "(default: None)" not in text


class TestReadable:
    """The help reads on a terminal 80 columns wide."""

    @pytest.mark.parametrize("command", ALL, ids=lambda c: c or "cxgraph")
    def test_eighty_columns(self, command: str) -> None:
        """No line of any help is wider than 80 columns."""
        text = help_of(*command.split())
        assert [line for line in text.splitlines() if len(line) > 80] == []

    @pytest.mark.parametrize("command", list(commands()))
    def test_says_what_the_command_does(self, command: str) -> None:
        """A command's help opens with the line ``cxgraph --help`` lists it by, as a sentence."""
        description = commands()[command].description or ""
        assert description.endswith(".")
        after_usage = help_of(command).split("\n\n", 1)[1]
        assert after_usage.split("\n\n")[0].split() == description.split()
        assert f" {command} {description[:-1].lower()} " in words(help_of()).lower()
