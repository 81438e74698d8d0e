"""``cxgraph check FILE --rules RULES.yaml``: journey rules in CI.

Exit 0 when every rule holds, 1 when one is broken (each broken rule one
line on standard output: its id, its description and what broke it; then
a line on standard error) or the journey file is invalid, 2 when the rules
file cannot be used (each problem one line, ``RULES.yaml: $.rules[0].forbid:
...``) or for usage and I/O errors.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

__all__ = ["add_parser", "run_check"]

#: The formats ``cxgraph check`` writes.
FORMATS = ("text", "json")


def add_parser(sub: Any, about: Any) -> None:
    """Add ``check`` to the command line's sub-commands."""
    p = sub.add_parser(
        "check", **about("check a journey against a rules file, for CI: exit 1 on a broken rule")
    )
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument(
        "--rules",
        required=True,
        metavar="RULES",
        help="the rules file: YAML, or JSON for a .json file (see docs/rules.md)",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="how to print the result")
    p.set_defaults(func=run_check)


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``check`` command: read the rules, then the journey; report; exit 1 on a broken rule."""
    from cxgraph._util.results import plain
    from cxgraph.cli._errors import EXIT_OK, EXIT_USAGE, _ProblemsFoundError
    from cxgraph.errors import RulesError
    from cxgraph.readwrite.files import load
    from cxgraph.readwrite.rules import load_rules
    from cxgraph.report.rules import check

    try:
        rules = load_rules(args.rules)
        journey = load(args.file)
        result = check(journey, rules)
    except RulesError as exc:
        for problem in exc.errors:
            print(f"{args.rules}: {problem}", file=err)
        return EXIT_USAGE
    if args.format == "json":
        data = {
            "ok": result.ok,
            "journey": journey.id,
            "rules": args.rules,
            "checked": list(result.checked),
            "violations": plain(result.to_records()),
        }
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str), file=out)
    else:
        for line in result.lines():
            print(line, file=out)
        print(f"{args.file}: {result.summary()}", file=out)
    if not result.ok:
        n = len(result.findings)
        broken = ", ".join(v.rule for v in result.findings)
        msg = f"{n} rule{'s' if n != 1 else ''} broken: {broken}"
        raise _ProblemsFoundError(msg)
    return EXIT_OK
