"""The command line's help: defaults shown from the options, exit codes at the end."""

from __future__ import annotations

import argparse
import copy
from typing import Any

__all__ = ["_HelpFormatter", "_about", "_exit_codes"]


class _HelpFormatter(argparse.HelpFormatter):
    """Help that shows each option's default, and keeps the lines of a multi-line text.

    The default is added from the option itself (``%(default)s``), so the help
    cannot drift from the code; a text of several lines (the exit codes) is
    printed as written, a one-line text is wrapped to the terminal.
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)

    def _format_action(self, action: argparse.Action) -> str:
        if not (action.help or "").strip() and _shows_default(action):
            # argparse leaves the help column of an option without help empty;
            # fill it, so that the default still shows.
            action = copy.copy(action)
            action.help = "(default: %(default)s)"
        return super()._format_action(action)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if _shows_default(action) and "%(default)" not in text:
            text = f"{text} (default: %(default)s)".lstrip()
        return text


def _shows_default(action: argparse.Action) -> bool:
    """Whether the help should name the option's default: a value, not a flag's False."""
    default = action.default
    return (
        bool(action.option_strings)
        and default is not None
        and default is not argparse.SUPPRESS
        and not isinstance(default, bool)
    )


#: What "ran and found problems" (exit 1) means for each command; exits 0
#: and 2 mean the same everywhere.
_FOUND: dict[str, str] = {
    "cxgraph": "an invalid file, or findings with --strict",
    "validate": "the journey file is invalid or cannot be parsed",
    "lint": "the journey file is invalid, or with --strict any lint warning",
    "analyze": (
        "the journey file is invalid, or with --strict any unowned hand-off or lint warning"
    ),
    "discover": "the event log cannot be read or is malformed (a column that cannot be "
    "found is a usage error: exit 2)",
    "report": "the journey file is invalid",
    "render": "the journey file is invalid or the picture cannot be drawn",
    "export": "the journey file is invalid or the file cannot be made",
    "import": "the grid is invalid (every problem named by row and column; nothing is written)",
    "diff": "a journey file is invalid, or the --fail-on condition holds (regressions, "
    "or any change)",
    "check": "a rule is broken, or the journey file is invalid (a rules file that cannot "
    "be used is a usage error: exit 2)",
}


def _exit_codes(command: str) -> str:
    """The end of a parser's help: the exit codes (lines kept as written)."""
    import textwrap

    found = "ran and found problems"
    if command in _FOUND:
        found += f": {_FOUND[command]}"
    codes = [
        ("0", "clean"),
        ("1", found),
        ("2", "usage or I/O error: an unknown option, a missing or unwritable file"),
        ("130", "interrupted (Ctrl-C); 143 terminated (SIGTERM): no partial output is left"),
    ]
    lines = []
    if command == "cxgraph":
        lines += ["Run 'cxgraph COMMAND --help' for a command's options.", ""]
    lines.append("exit codes:")
    for code, text in codes:
        lines.append(
            textwrap.fill(
                text, width=78, initial_indent=f"  {code:<3}  ", subsequent_indent=" " * 7
            )
        )
    return "\n".join(lines)


def _about(summary: str) -> dict[str, Any]:
    """A command's one line in ``cxgraph --help``, and the sentence atop its own help."""
    return {"help": summary, "description": f"{summary[0].upper()}{summary[1:]}."}
