"""The ``cxgraph`` command line.

Exit codes: 0 clean; 1 ran and found problems (an invalid or unparseable
file; lint warnings only with ``--strict``); 2 usage or I/O error (an
unknown option, a missing file). Errors go to stderr, one line per problem,
never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from cxgraph._version import __version__
from cxgraph.errors import CxgraphError, CxgraphWarning, JourneyValidationError
from cxgraph.model.classes import Journey
from cxgraph.model.owners import owner_silos
from cxgraph.readwrite.files import UnsupportedFormatError

__all__ = ["main"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A command-line usage error (exit 2), with the usage of the command at fault."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        msg = f"{self.prog}: error: {message}"
        raise UsageError(msg, self.format_usage())


class _CommandParser(_Parser):
    """A command's parser: it rejects what it does not know itself, with its own usage.

    (argparse would hand unknown arguments up to the top-level parser, whose
    usage says nothing about the command's options.)
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        ns, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return ns, extras


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
    from cxgraph.readwrite.files import load

    return load(path)


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    journey = _load(args.file)
    print(summary(journey), file=out)
    return EXIT_OK


def _cmd_lint(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.analyses.lint import lint

    journey = _load(args.file)
    problems = lint(journey)
    if args.format == "json":
        records = [{"path": p.path, "code": p.code, "message": p.message} for p in problems]
        print(json.dumps(records, indent=2, ensure_ascii=False), file=out)
    else:
        for p in problems:
            print(f"{args.file}: {p.path}: warning [{p.code}]: {p.message}", file=out)
        print(f"{_plural(len(problems), 'warning')} in {args.file}", file=out)
    return EXIT_PROBLEMS if problems and args.strict else EXIT_OK


def _cmd_analyze(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.report.registry import registered_analyses
    from cxgraph.report.report import analyze

    only = args.only or None
    if only is not None:
        valid = registered_analyses()
        unknown = [n for n in only if n not in valid]
        if unknown:
            msg = (
                f"cxgraph analyze: error: unknown analysis {unknown[0]!r} "
                f"(valid: {', '.join(valid)})"
            )
            raise UsageError(msg)
    if args.format == "csv" and (only is None or len(only) != 1):
        msg = "cxgraph analyze: error: --format csv writes one analysis: choose it with --only NAME"
        raise UsageError(msg)
    journey = _load(args.file)
    report = analyze(journey, analyses=only)
    if args.format == "json":
        print(report.to_json(), file=out)
    elif args.format == "csv":
        out.write(report.to_csv(only[0]))  # type: ignore[index]
    else:
        out.write(str(report))
    if args.strict:
        from cxgraph.analyses.lint import lint

        unowned = "unowned_handoffs" in report.names and len(report["unowned_handoffs"]) > 0
        if unowned or lint(journey):
            return EXIT_PROBLEMS
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.readwrite.schema import schema

    print(json.dumps(schema(), indent=2, ensure_ascii=False), file=out)
    return EXIT_OK


def _cmd_discover(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.mining.discovery import discover
    from cxgraph.model.classes import OUTCOME_KINDS
    from cxgraph.readwrite.files import dump, format_for

    outcomes: dict[str, str] = {}
    for item in args.outcome or ():
        activity, sep, kind = item.rpartition("=")
        if not sep or not activity or kind not in OUTCOME_KINDS:
            msg = (
                f"cxgraph discover: error: --outcome {item!r}: expected ACTIVITY=KIND with "
                f"KIND one of {', '.join(OUTCOME_KINDS)}"
            )
            raise UsageError(msg)
        outcomes[activity] = kind
    format_for(args.output)  # an unknown suffix fails before the log is read
    try:
        journey = discover(
            args.file,
            case=args.case,
            activity=args.activity,
            timestamp=args.timestamp,
            resource=args.resource,
            outcomes=outcomes or None,
            engine=args.engine,
        )
    except ImportError as exc:
        msg = f"cxgraph discover: error: {exc}"
        raise UsageError(msg) from exc
    dump(journey, args.output)
    info = journey.extensions.get("discover", {})
    print(
        f"Discovered {_plural(len(journey.touchpoints), 'touchpoint')}, "
        f"{_plural(len(journey.outcomes), 'outcome')}, {_plural(len(journey.owners), 'owner')} "
        f"and {_plural(len(journey.transitions), 'transition')} from "
        f"{_plural(info.get('events', 0), 'event')} in {_plural(info.get('cases', 0), 'case')}; "
        f"wrote {args.output}",
        file=out,
    )
    return EXIT_OK


def _writable(command: str, output: str, suffixes: tuple[str, ...], what: str) -> None:
    """Check an output path before any work: a known suffix, an existing folder."""
    path = Path(output)
    if path.suffix.lower() not in suffixes:
        msg = (
            f"cxgraph {command}: error: cannot tell {what} from {output!r}: "
            f"name the file with one of the suffixes {', '.join(suffixes)}"
        )
        raise UsageError(msg)
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        msg = f"cxgraph {command}: error: cannot write {output!r}: no folder {str(folder)!r}"
        raise UsageError(msg)


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.readwrite.files import write_atomic
    from cxgraph.report.registry import registered_analyses
    from cxgraph.report.report import analyze

    only = args.only or None
    unknown = [n for n in only or () if n not in registered_analyses()]
    if unknown:
        msg = (
            f"cxgraph report: error: unknown analysis {unknown[0]!r} "
            f"(valid: {', '.join(registered_analyses())})"
        )
        raise UsageError(msg)
    if args.output != "-":
        _writable("report", args.output, (".html", ".htm"), "the page's format")
    journey = _load(args.file)
    report = analyze(journey, analyses=only)
    page = report.to_html(plots=not args.no_plots)
    if args.output == "-":
        out.write(page)
    else:
        write_atomic(Path(args.output), page)
        print(
            f"Wrote {args.output}: {_plural(len(report), 'analysis', 'analyses')} of journey "
            f"{journey.id!r} ({journey.name})",
            file=out,
        )
    return EXIT_OK


def _cmd_render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.report.page import PLOT_KINDS, plot_svg

    _writable("render", args.output, (".svg", ".png"), "the picture format")
    journey = _load(args.file)
    path = Path(args.output)
    title = PLOT_KINDS[args.kind][1]
    try:
        if path.suffix.lower() == ".svg":
            from cxgraph.readwrite.files import write_atomic

            write_atomic(path, plot_svg(journey, args.kind))
        else:
            _save_png(journey, args.kind, path)
    except (CxgraphError, OSError):
        raise
    except Exception as exc:  # a plot that fails is one line on stderr, not a traceback
        msg = f"could not draw the {title.lower()} of {journey.id!r}: {type(exc).__name__}: {exc}"
        raise CxgraphError(msg) from exc
    print(f"Wrote {args.output}: the {title.lower()} of journey {journey.id!r}", file=out)
    return EXIT_OK


def _save_png(journey: Journey, kind: str, path: Path) -> None:
    """Draw and write a PNG beside ``path``, then move it into place (as write_atomic does)."""
    import tempfile

    from cxgraph import plot
    from cxgraph.readwrite.files import file_mode
    from cxgraph.report.page import PLOT_KINDS

    ax = getattr(plot, PLOT_KINDS[kind][0])(journey)
    mode = file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        plot.save(ax, tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _run(func: Command, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run a command, showing library warnings as one plain line each on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CxgraphWarning)
        try:
            return func(args, out, err)
        finally:
            for w in caught:
                where = f"{args.file}: " if getattr(args, "file", None) else "cxgraph: "
                print(f"{where}warning: {w.message}", file=err)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and tests)."""
    parser = _Parser(
        prog="cxgraph",
        description="Model customer journeys as data, and ask them questions.",
    )
    parser.add_argument("--version", action="version", version=f"cxgraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    sub.required = True

    p = sub.add_parser("validate", help="check a journey file and summarise it")
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("lint", help="warn about legal but suspicious parts of a journey")
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    p.set_defaults(func=_cmd_lint)

    p = sub.add_parser(
        "analyze",
        help="find unowned hand-offs, silo crossings, branches, dimensions, moments of truth",
    )
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this analysis (repeat for several)",
    )
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when there are unowned hand-offs or lint warnings",
    )
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("discover", help="discover a journey from an event log")
    p.add_argument("file", metavar="LOG", help="an event log (.csv, .parquet, .xes, .xes.gz)")
    p.add_argument(
        "-o", "--output", required=True, help="the journey file to write (.json, .yaml, .yml)"
    )
    p.add_argument("--engine", choices=("numpy", "duckdb", "spark"), default="numpy")
    p.add_argument("--case", default="case:concept:name", help="the column of case ids")
    p.add_argument("--activity", default="concept:name", help="the column of activities")
    p.add_argument("--timestamp", default="time:timestamp", help="the column of timestamps")
    p.add_argument(
        "--resource",
        default="org:resource",
        help="the column of resources, whose most frequent one owns each step",
    )
    p.add_argument(
        "--outcome",
        action="append",
        metavar="ACTIVITY=KIND",
        help="make an activity an outcome of kind success, failure or exit (repeatable)",
    )
    p.set_defaults(func=_cmd_discover)

    from cxgraph.report.page import PLOT_KINDS

    p = sub.add_parser(
        "report", help="write one self-contained HTML page: summary, plots, every analysis"
    )
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument(
        "-o",
        "--output",
        default="report.html",
        help="the page to write (.html or .htm; default report.html; - for stdout)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="show only this analysis (repeat for several)",
    )
    p.add_argument("--no-plots", action="store_true", help="leave the plots out of the page")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("render", help="draw one picture of a journey as SVG or PNG")
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument(
        "-o", "--output", required=True, help="the picture to write: .svg (text kept) or .png"
    )
    p.add_argument("--kind", choices=tuple(PLOT_KINDS), default="journey_map", help="which picture")
    p.set_defaults(func=_cmd_render)

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
        # argparse writes --help and --version to sys.stdout; send them to ``out``.
        with contextlib.redirect_stdout(out):
            args = parser.parse_args(argv)
    except UsageError as exc:
        print((exc.usage or parser.format_usage()).rstrip(), file=err)
        print(str(exc), file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    func: Command = args.func
    try:
        return _run(func, args, out, err)
    except UsageError as exc:
        print(str(exc), file=err)
        return EXIT_USAGE
    except JourneyValidationError as exc:
        for p in exc.errors:
            print(f"{args.file}: {p}", file=err)
        return EXIT_PROBLEMS
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PROBLEMS
    except FileNotFoundError as exc:
        source = getattr(args, "file", None)
        if exc.filename is None:
            text = str(exc)
        elif source is not None and str(exc.filename) != str(source):
            text = f"cannot write {exc.filename!r}: {exc.strerror or 'no such folder'}"
        else:
            text = f"no such file: {exc.filename!r}"
        print(f"cxgraph: error: {text}", file=err)
        return EXIT_USAGE
    except (IsADirectoryError, PermissionError, OSError) as exc:
        source = getattr(args, "file", None)
        name = exc.filename if exc.filename is not None else source
        verb = "read" if name is None or str(name) == str(source) else "write"
        print(f"cxgraph: error: cannot {verb} {name!r}: {exc.strerror or exc}", file=err)
        return EXIT_USAGE
    except UnsupportedFormatError as exc:
        print(f"cxgraph: error: {exc}", file=err)
        return EXIT_USAGE
    except CxgraphError as exc:
        # One line per problem, each readable on its own.
        for line in str(exc).splitlines() or [""]:
            print(f"cxgraph: error: {line}", file=err)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("cxgraph: interrupted", file=err)
        return 130
    except Exception as exc:
        # A bug of ours: one readable line, the traceback only when asked for.
        if os.environ.get("CXGRAPH_DEBUG"):
            raise
        print(
            f"cxgraph: internal error: {type(exc).__name__}: {exc} (this is a bug in cxgraph; "
            "run again with CXGRAPH_DEBUG=1 for the traceback and report it)",
            file=err,
        )
        return EXIT_PROBLEMS
