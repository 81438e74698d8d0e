"""The ``cxgraph`` command line.

Exit codes: 0 clean; 1 ran and found problems (an invalid or unparseable
file; lint warnings only with ``--strict``); 2 usage or I/O error (an
unknown option, a missing file). Errors go to stderr, one line per problem,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, TextIO

from cxgraph._version import __version__
from cxgraph.errors import CxgraphError, JourneyValidationError
from cxgraph.graph import owner_silos
from cxgraph.io import UnsupportedFormatError
from cxgraph.model import Journey

__all__ = ["main"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A command-line usage error (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def summary(journey: Journey) -> str:
    """One paragraph about a valid journey, for ``cxgraph validate``."""
    silos = set(owner_silos(journey).values())
    state = "current" if journey.state == "current" else "future"
    version = f" version {journey.version}," if journey.version else ""
    parts = [
        f"Journey {journey.id!r} ({journey.name}),{version} {state} state: "
        f"{_plural(len(journey.steps), 'step')} "
        f"({_plural(len(journey.touchpoints), 'touchpoint')}, "
        f"{_plural(len(journey.decision_points), 'decision point')}, "
        f"{_plural(len(journey.outcomes), 'outcome')})",
        f"in {_plural(len(journey.phases), 'phase')}",
        f"for {_plural(len(journey.personas), 'persona')};",
        f"{_plural(len(journey.owners), 'owner')} in {_plural(len(silos), 'silo')},",
        f"{_plural(len(journey.channels), 'channel')},",
        f"{_plural(len(journey.dimensions), 'dimension')};",
        f"{_plural(len(journey.transitions), 'transition')},",
        f"{_plural(len(journey.handoffs), 'hand-off')} and",
        f"{_plural(len(journey.triggers), 'trigger')}. Valid.",
    ]
    return " ".join(parts)


def _load(path: str) -> Journey:
    from cxgraph.io import load

    return load(path)


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    journey = _load(args.file)
    print(summary(journey), file=out)
    return EXIT_OK


def _cmd_lint(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph._lint import lint

    journey = _load(args.file)
    problems = lint(journey)
    if args.format == "json":
        records = [{"path": p.path, "code": p.code, "message": p.message} for p in problems]
        print(json.dumps(records, indent=2, ensure_ascii=False), file=out)
    else:
        for p in problems:
            print(f"{p.path}: warning [{p.code}]: {p.message}", file=out)
        print(f"{_plural(len(problems), 'warning')} in {args.file}", file=out)
    return EXIT_PROBLEMS if problems and args.strict else EXIT_OK


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.io import schema

    print(json.dumps(schema(), indent=2, ensure_ascii=False), file=out)
    return EXIT_OK


Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and tests)."""
    parser = _Parser(
        prog="cxgraph",
        description="Model customer journeys as data, and ask them questions.",
    )
    parser.add_argument("--version", action="version", version=f"cxgraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("validate", help="check a journey file and summarise it")
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("lint", help="warn about legal but suspicious parts of a journey")
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    p.set_defaults(func=_cmd_lint)

    p = sub.add_parser("schema", help="print the JSON Schema of the journey file format")
    p.set_defaults(func=_cmd_schema)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; return the exit code.

    Examples
    --------
    >>> import io
    >>> err = io.StringIO()
    >>> main(["validate", "no-such-file.yaml"], stderr=err)
    2
    >>> err.getvalue()
    "cxgraph: error: no such file: 'no-such-file.yaml'\\n"
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(parser.format_usage().rstrip(), file=err)
        print(str(exc), file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    func: Command = args.func
    try:
        return func(args, out, err)
    except JourneyValidationError as exc:
        for p in exc.errors:
            print(f"{args.file}: {p}", file=err)
        return EXIT_PROBLEMS
    except FileNotFoundError as exc:
        name = exc.filename if exc.filename is not None else str(exc)
        text = f"no such file: {name!r}" if exc.filename is not None else str(exc)
        print(f"cxgraph: error: {text}", file=err)
        return EXIT_USAGE
    except (IsADirectoryError, PermissionError, OSError) as exc:
        print(f"cxgraph: error: cannot read {exc.filename!r}: {exc.strerror}", file=err)
        return EXIT_USAGE
    except UnsupportedFormatError as exc:
        print(f"cxgraph: error: {exc}", file=err)
        return EXIT_USAGE
    except CxgraphError as exc:
        print(f"cxgraph: error: {exc}", file=err)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("cxgraph: interrupted", file=err)
        return 130
