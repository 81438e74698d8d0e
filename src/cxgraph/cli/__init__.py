"""The ``cxgraph`` command line.

Exit codes: 0 clean; 1 ran and found problems (an invalid or unparseable
file; lint warnings only with ``--strict``); 2 usage or I/O error (an
unknown option, a missing file, an output that cannot be written); 130
interrupted (Ctrl-C), 143 terminated (SIGTERM), each said in one line, the
half-written output removed. Errors go to stderr, one line per problem,
never a traceback: ``cxgraph COMMAND: error: ...`` (``cxgraph: error: ...``
before a command is known), with the advice in flags and file names, never
in Python keywords.
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
from typing import Any, NoReturn, TextIO, cast

from cxgraph._util.text import plural
from cxgraph._version import __version__
from cxgraph.cli import _attribution, _check, _diff, _interchange, _io, _mining
from cxgraph.cli._errors import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    UsageError,
    _ProblemsFoundError,
)
from cxgraph.cli._help import _about, _exit_codes, _HelpFormatter
from cxgraph.cli._words import _cli_words, _columns_text, _hint_outcomes, _print_error
from cxgraph.errors import CxgraphError, CxgraphWarning, JourneyValidationError
from cxgraph.model.classes import Journey
from cxgraph.model.owners import owner_silos
from cxgraph.readwrite.files import UnsupportedFormatError
from cxgraph.readwrite.roles import MissingColumnError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage(), self.prog)


class _CommandParser(_Parser):
    """A command's parser: it rejects what it does not know itself, with its own usage.

    (argparse would hand unknown arguments up to the top-level parser, whose
    usage says nothing about the command's options.) Its help ends with the
    exit codes, whatever the command.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # add_parser names the parser "cxgraph COMMAND".
        kwargs.setdefault("epilog", _exit_codes(kwargs["prog"].split()[-1]))
        super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        ns, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return ns, extras


def summary(journey: Journey) -> str:
    """One paragraph about a valid journey, for ``cxgraph validate``."""
    silos = set(owner_silos(journey).values())
    state = "current" if journey.state == "current" else "future"
    version = f" version {journey.version}," if journey.version else ""
    parts = [
        f"Journey {journey.id!r} ({journey.name}),{version} {state} state: "
        f"{plural(len(journey.steps), 'step')} "
        f"({plural(len(journey.touchpoints), 'touchpoint')}, "
        f"{plural(len(journey.decision_points), 'decision point')}, "
        f"{plural(len(journey.outcomes), 'outcome')})",
        f"in {plural(len(journey.phases), 'phase')}",
        f"for {plural(len(journey.personas), 'persona')};",
        f"{plural(len(journey.owners), 'owner')} in {plural(len(silos), 'silo')},",
        f"{plural(len(journey.channels), 'channel')},",
        f"{plural(len(journey.dimensions), 'dimension')};",
        f"{plural(len(journey.transitions), 'transition')},",
        f"{plural(len(journey.handoffs), 'hand-off')} and",
        f"{plural(len(journey.triggers), 'trigger')}. Valid.",
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
        print(f"{plural(len(problems), 'warning')} in {args.file}", file=out)
    if problems and args.strict:
        msg = f"--strict: {plural(len(problems), 'lint warning')}"
        raise _ProblemsFoundError(msg)
    return EXIT_OK


def _cmd_analyze(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.report.registry import registered_analyses
    from cxgraph.report.report import analyze

    only = args.only or None
    if only is not None:
        valid = registered_analyses()
        unknown = [n for n in only if n not in valid]
        if unknown:
            msg = f"unknown analysis {unknown[0]!r} (valid: {', '.join(valid)})"
            raise UsageError(msg)
    if args.format == "csv" and (only is None or len(only) != 1):
        msg = "--format csv writes one analysis: choose it with --only NAME"
        raise UsageError(msg)
    journey = _load(args.file)
    _check_persona(journey, args.persona)
    report = analyze(journey, analyses=only, persona=args.persona)
    if args.format == "json":
        print(report.to_json(), file=out)
    elif args.format == "csv":
        out.write(report.to_csv(only[0]))  # type: ignore[index]
    else:
        out.write(str(report))
    if args.strict:
        from cxgraph.analyses.lint import lint

        # The headline count of unowned hand-offs is one per chain, as the report says.
        unowned = (
            len(report["unowned_handoffs"].chains) if "unowned_handoffs" in report.names else 0
        )
        found = [
            plural(n, what)
            for n, what in ((unowned, "unowned hand-off"), (len(lint(journey)), "lint warning"))
            if n
        ]
        if found:
            msg = f"--strict: {' and '.join(found)}"
            raise _ProblemsFoundError(msg)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.readwrite.schema import schema

    print(json.dumps(schema(), indent=2, ensure_ascii=False), file=out)
    return EXIT_OK


def _cmd_discover(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.mining.discovery import discover
    from cxgraph.mining.sequences import END
    from cxgraph.model.classes import OUTCOME_KINDS
    from cxgraph.readwrite.files import dump, format_for

    outcomes: dict[str, str] = {}
    for item in args.outcome or ():
        activity, sep, kind = item.rpartition("=")
        if not sep or not activity or kind not in OUTCOME_KINDS:
            msg = (
                f"--outcome {item!r}: expected ACTIVITY=KIND with "
                f"KIND one of {', '.join(OUTCOME_KINDS)}"
            )
            raise UsageError(msg)
        outcomes[activity] = kind
    keywords = _mining.log_keywords(args)
    format_for(args.output)  # an unknown suffix fails before the log is read
    try:
        journey = discover(
            args.file,
            outcomes=outcomes or None,
            verbose=args.verbose,
            variants=args.variants,
            coverage=args.coverage,
            min_count=args.min_count,
            segment=args.segment,
            times=not args.no_times,
            **keywords,
        )
    except ImportError as exc:
        raise UsageError(str(exc)) from exc
    info = journey.extensions.get("discover", {})
    print(f"{args.file}: read {_columns_text(info.get('columns', {}))}", file=err)
    with _io.writing(args.output):
        dump(journey, args.output)
    print(
        f"Discovered {plural(len(journey.touchpoints), 'touchpoint')}, "
        f"{plural(len(journey.outcomes), 'outcome')}, {plural(len(journey.owners), 'owner')} "
        f"and {plural(len(journey.transitions), 'transition')} from "
        f"{plural(info.get('events', 0), 'event')} in {plural(info.get('cases', 0), 'case')}; "
        f"wrote {args.output}",
        file=out,
    )
    if not outcomes:
        names = {s.id: s.name for s in journey.steps}
        ends = sorted(
            ((t.count or 0, names[t.source]) for t in journey.transitions if t.target == END),
            key=lambda e: (-e[0], e[1]),
        )
        if ends:
            _hint_outcomes(ends, err)
    return EXIT_OK


def _check_persona(journey: Journey, persona: str | None) -> None:
    """An unknown --persona is a usage error naming the journey's personas."""
    known = [p.id for p in journey.personas]
    if persona is not None and persona not in known:
        listed = ", ".join(known) if known else "none: the journey declares no personas"
        msg = f"unknown persona {persona!r} for --persona (the journey's personas: {listed})"
        raise UsageError(msg)


def _writable(output: str, suffixes: tuple[str, ...], what: str) -> None:
    """Check an output path before any work: not a folder, a known suffix, an existing folder."""
    path = Path(output)
    if path.is_dir():
        msg = f"cannot write {output!r}: it is a folder"
        raise UsageError(msg)
    if path.suffix.lower() not in suffixes:
        msg = (
            f"cannot tell {what} from {output!r}: "
            f"name the file with one of the suffixes {', '.join(suffixes)}"
        )
        raise UsageError(msg)
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        msg = f"cannot write {output!r}: no folder {str(folder)!r}"
        raise UsageError(msg)


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.readwrite.files import write_atomic
    from cxgraph.report.registry import registered_analyses
    from cxgraph.report.report import analyze

    only = args.only or None
    unknown = [n for n in only or () if n not in registered_analyses()]
    if unknown:
        msg = f"unknown analysis {unknown[0]!r} (valid: {', '.join(registered_analyses())})"
        raise UsageError(msg)
    if args.output != "-":
        _writable(args.output, (".html", ".htm"), "the page's format")
    baseline = _diff.read_version(args.baseline) if args.baseline is not None else None
    data = None
    if Path(args.file).suffix.lower() == ".csv":
        # A conversion-path table: its chain is the journey, its attribution opens the page.
        from cxgraph.attribution.paths import paths

        data = paths(args.file)
        journey = data.to_journey()
    else:
        journey = _load(args.file)
    _check_persona(journey, args.persona)
    report = analyze(journey, analyses=only, persona=args.persona)
    page = report.to_html(plots=not args.no_plots, baseline=baseline, paths=data)
    if args.output == "-":
        out.write(page)
    else:
        with _io.writing(args.output):
            write_atomic(Path(args.output), page)
        print(
            f"Wrote {args.output}: {plural(len(report), 'analysis', 'analyses')} of journey "
            f"{journey.id!r} ({journey.name})",
            file=out,
        )
    return EXIT_OK


Command = Callable[[argparse.Namespace, TextIO, TextIO], int]


def _run(func: Command, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run a command, showing warnings as one plain line each on stderr.

    cxgraph's own warnings are about the user's file and say so. Another
    package's warnings (Spark's, say) are about that package: they name it,
    and a command with ``--verbose`` shows them only when asked.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CxgraphWarning)
        try:
            return func(args, out, err)
        finally:
            file = getattr(args, "file", None)
            for w in caught:
                if issubclass(w.category, CxgraphWarning):
                    where = file if file else f"cxgraph {args.command}"
                    print(f"{where}: warning: {_cli_words(str(w.message))}", file=err)
                elif getattr(args, "verbose", True):
                    origin = _origin(w.filename)
                    print(f"cxgraph {args.command}: warning from {origin}: {w.message}", file=err)


def _origin(filename: str) -> str:
    """The top-level package a warning came from, read from its file's path."""
    parts = Path(filename).parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts and parts.index(marker) + 1 < len(parts):
            return Path(parts[parts.index(marker) + 1]).stem
    return Path(filename).stem or "Python"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and tests).

    Every parser's help ends with the exit codes, and every option with a
    default names it (see ``_HelpFormatter``).
    """
    from cxgraph.report.registry import registered_analyses

    parser = _Parser(
        prog="cxgraph",
        description="Model customer journeys as data, and ask them questions.",
        epilog=_exit_codes("cxgraph"),
    )
    parser.add_argument("--version", action="version", version=f"cxgraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    sub.required = True
    analyses = ", ".join(registered_analyses())

    p = sub.add_parser("validate", **_about("check a journey file and summarise it"))
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("lint", **_about("warn about legal but suspicious parts of a journey"))
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="how to print the warnings"
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    p.set_defaults(func=_cmd_lint)

    p = sub.add_parser(
        "analyze",
        **_about("find unowned hand-offs, silo crossings, branches, dimensions, moments of truth"),
    )
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only this analysis (repeat for several): one of {analyses}",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="how to print the report; csv writes one analysis: name it with --only",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when there are unowned hand-offs or lint warnings",
    )
    p.add_argument(
        "--persona",
        metavar="ID",
        help="analyse the journey this persona travels (its steps only)",
    )
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("discover", **_about("discover a journey from an event log"))
    _mining.add_log_arguments(p, engines=("numpy", "duckdb", "spark"))
    p.add_argument(
        "-o", "--output", required=True, help="the journey file to write (.json, .yaml, .yml)"
    )
    p.add_argument(
        "--variants",
        type=int,
        metavar="K",
        help="keep only the cases of the K most frequent variants (numpy and duckdb)",
    )
    p.add_argument(
        "--coverage",
        type=float,
        metavar="SHARE",
        help="keep the most frequent variants that hold at least this share of cases (0.8)",
    )
    p.add_argument(
        "--min-count",
        type=int,
        metavar="N",
        help="drop the transitions seen fewer than N times (and steps left unreachable)",
    )
    p.add_argument(
        "--segment",
        metavar="COLUMN",
        help="a case attribute: each of its values becomes a persona",
    )
    p.add_argument(
        "--no-times",
        action="store_true",
        help="count transitions only: no durations, times or variants (faster)",
    )
    p.add_argument(
        "--outcome",
        action="append",
        metavar="ACTIVITY=KIND",
        help="make an activity an outcome of kind success, failure or exit (repeatable)",
    )
    p.add_argument(
        "--verbose",
        action="store_true",
        help="show the engine's own log and warnings (Spark's)",
    )
    p.set_defaults(func=_cmd_discover)

    p = sub.add_parser(
        "report", **_about("write one self-contained HTML page: summary, plots, every analysis")
    )
    p.add_argument("file", help="a journey file (.json, .yaml, .yml) or a folder holding one")
    p.add_argument(
        "-o",
        "--output",
        default="report.html",
        help="the page to write: .html or .htm, or - for stdout",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"show only this analysis (repeat for several): one of {analyses}",
    )
    p.add_argument("--no-plots", action="store_true", help="leave the plots out of the page")
    p.add_argument(
        "--persona",
        metavar="ID",
        help="analyse the journey this persona travels (its steps only)",
    )
    p.add_argument(
        "--baseline",
        metavar="OLD",
        help="an earlier version (a file or REV:PATH): the page opens with what changed "
        "since it, and the graph marks it",
    )
    p.set_defaults(func=_cmd_report)

    _interchange.add_parsers(sub, _about)
    _diff.add_parser(sub, _about)
    _check.add_parser(sub, _about)
    _mining.add_parsers(sub, _about)
    _attribution.add_parser(sub, _about)

    p = sub.add_parser("schema", **_about("print the JSON Schema of the journey file format"))
    p.set_defaults(func=_cmd_schema)
    return parser


#: What a command may raise that is not a bug in cxgraph.
_EXPECTED = (UsageError, _ProblemsFoundError, OSError, CxgraphError, _io.OutputError)


def _failure(exc: Exception, args: argparse.Namespace) -> tuple[int, str]:
    """The exit code and the message for what a command raised."""
    source = getattr(args, "file", None)
    if isinstance(exc, UsageError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, _ProblemsFoundError):
        return EXIT_PROBLEMS, str(exc)
    if isinstance(exc, _io.OutputError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, FileNotFoundError):
        if exc.filename is None:
            return EXIT_USAGE, str(exc)
        return EXIT_USAGE, f"no such file: {exc.filename!r}"
    if isinstance(exc, OSError):
        # Outputs fail as OutputError (see _io.writing): this is the input, or a file
        # the input led to (the journey file in a folder), or one of an engine's own.
        why, name = exc.strerror or str(exc), exc.filename if exc.filename is not None else source
        if name is None:
            return EXIT_USAGE, why
        if source is not None and Path(source) not in (Path(name), *Path(name).parents):
            return EXIT_USAGE, f"{os.fspath(name)!r}: {why}"
        return EXIT_USAGE, f"cannot read {os.fspath(name)!r}: {why}"
    if isinstance(exc, UnsupportedFormatError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, MissingColumnError):  # a flag to give: usage, in the flags' words
        return EXIT_USAGE, exc.for_command_line()
    if isinstance(exc, CxgraphError):
        return EXIT_PROBLEMS, str(exc)
    # A bug of ours: one readable line, the traceback only when asked for.
    return EXIT_PROBLEMS, (
        f"internal error: {type(exc).__name__}: {exc} (this is a bug in cxgraph; "
        "run again with CXGRAPH_DEBUG=1 for the traceback and report it)"
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; return the exit code.

    Every error line is ``cxgraph COMMAND: error: ...`` (``cxgraph: error:
    ...`` when the command line names no command it knows); a problem in a
    journey file is ``FILE: PATH: ...``, a warning ``FILE: warning: ...``.

    Examples
    --------
    >>> import io
    >>> err = io.StringIO()
    >>> main(["validate", "no-such-file.yaml"], stderr=err)
    2
    >>> err.getvalue()
    "cxgraph validate: error: no such file: 'no-such-file.yaml'\\n"
    """
    out = cast(TextIO, _io.Output(stdout if stdout is not None else sys.stdout))
    err = stderr if stderr is not None else sys.stderr
    # Ctrl-C (or SIGTERM) at any moment, importing and parsing included, is one line.
    try:
        with _io.sigterm_interrupts():
            return _main(argv, out, err)
    except KeyboardInterrupt as exc:
        return _io.interrupted(exc, "cxgraph", err)
    except _io.OutputError as exc:  # --help or --version to a full device
        _io.silence_stdout(out)
        _print_error(err, "cxgraph", str(exc))
        return EXIT_USAGE


def _main(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> int:
    parser = build_parser()
    try:
        # argparse writes --help and --version to sys.stdout; send them to ``out``.
        with contextlib.redirect_stdout(out):
            args = parser.parse_args(argv)
    except UsageError as exc:
        print((exc.usage or parser.format_usage()).rstrip(), file=err)
        _print_error(err, exc.prog or parser.prog, str(exc))
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        out.flush()
        return int(exc.code or 0)
    prog = f"{parser.prog} {args.command}"
    func: Command = args.func
    try:
        code = _run(func, args, out, err)
        out.flush()  # a full device fails here, not at exit
        return code
    except JourneyValidationError as exc:
        for p in exc.errors:
            print(f"{args.file}: {p}", file=err)
        return EXIT_PROBLEMS
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do.
        _io.silence_stdout(out)
        return EXIT_PROBLEMS
    except KeyboardInterrupt as exc:
        return _io.interrupted(exc, prog, err)
    except Exception as exc:
        if not isinstance(exc, _EXPECTED) and os.environ.get("CXGRAPH_DEBUG"):
            raise
        if isinstance(exc, _io.OutputError) and exc.stdout:
            _io.silence_stdout(out)
        code, text = _failure(exc, args)
        _print_error(err, prog, text)
        return code
