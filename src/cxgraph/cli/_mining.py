"""The event-log commands' shared flags, and ``cxgraph performance`` and ``cxgraph variants``.

Every command that reads an event log (``discover``, ``performance``,
``variants``) takes the same column flags with the same defaults and
detection as :func:`cxgraph.discover`; they are declared once, here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from cxgraph.readwrite.columns import (
    DEFAULT_ACTIVITY,
    DEFAULT_CASE,
    DEFAULT_RESOURCE,
    DEFAULT_TIMESTAMP,
)
from cxgraph.readwrite.roles import USUAL_NAMES

__all__ = ["add_log_arguments", "add_parsers", "log_keywords"]

#: The formats ``performance`` and ``variants`` print.
FORMATS = ("text", "json", "csv")


def add_log_arguments(p: argparse.ArgumentParser, *, engines: tuple[str, ...]) -> None:
    """The log file, ``--engine`` and the column flags of every event-log command."""
    p.add_argument("file", metavar="LOG", help="an event log (.csv, .parquet, .xes, .xes.gz)")
    helps = {"numpy": "numpy (in memory)", "duckdb": "duckdb (out of core)", "spark": "spark"}
    p.add_argument(
        "--engine",
        choices=engines,
        default="numpy",
        help=", ".join(helps[e] for e in engines[:-1]) + f" or {helps[engines[-1]]}",
    )
    usual = {role: ", ".join(names[:4]) for role, names in USUAL_NAMES.items()}
    p.add_argument(
        "--case",
        default=DEFAULT_CASE,
        help=f"the column of case ids; if absent, the usual names are tried ({usual['case']}, ...)",
    )
    p.add_argument(
        "--activity",
        default=DEFAULT_ACTIVITY,
        help=f"the column of activities; else the usual names ({usual['activity']}, ...)",
    )
    p.add_argument(
        "--timestamp",
        default=None,
        help=f"the column of timestamps (default: {DEFAULT_TIMESTAMP}); "
        f"else the usual names ({usual['timestamp']}, ...)",
    )
    p.add_argument(
        "--no-timestamp",
        action="store_true",
        help="read no times: each case keeps the file's order",
    )
    p.add_argument(
        "--start-timestamp",
        metavar="COLUMN",
        help="a column of start times: each case is ordered by start, then end time",
    )
    p.add_argument(
        "--lifecycle",
        metavar="VALUE",
        help="keep only the events whose lifecycle:transition is VALUE (e.g. complete)",
    )
    p.add_argument(
        "--resource",
        default=DEFAULT_RESOURCE,
        help="the column of resources, whose most frequent one owns each step; "
        f"else the usual names ({usual['resource']})",
    )


def log_keywords(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of :func:`cxgraph.discover` the column flags give."""
    from cxgraph.cli._errors import UsageError

    if args.no_timestamp and args.timestamp is not None:
        msg = "--timestamp names the column of times, --no-timestamp reads none: give one"
        raise UsageError(msg)
    return {
        "case": args.case,
        "activity": args.activity,
        "timestamp": None if args.no_timestamp else args.timestamp or DEFAULT_TIMESTAMP,
        "resource": args.resource,
        "engine": args.engine,
        "start_timestamp": args.start_timestamp,
        "lifecycle": args.lifecycle,
    }


def add_parsers(sub: Any, about: Any) -> None:
    """Add ``performance`` and ``variants`` to the command line's sub-commands."""
    p = sub.add_parser(
        "performance", **about("how long each transition and each case takes in an event log")
    )
    add_log_arguments(p, engines=("numpy", "duckdb"))
    p.add_argument(
        "--journey",
        metavar="FILE",
        help="a designed journey: check its hand-offs' SLAs and its phases' expected durations",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="how to print the result")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=run_performance)

    p = sub.add_parser(
        "variants", **about("the distinct journeys of an event log, most cases first")
    )
    add_log_arguments(p, engines=("numpy", "duckdb"))
    p.add_argument("--top", type=_positive, metavar="K", help="show only the K most frequent")
    p.add_argument("--format", choices=FORMATS, default="text", help="how to print the result")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=run_variants)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"expected a whole number of at least 1, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def run_performance(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``performance`` command."""
    from cxgraph.mining.performance import performance

    _check_output(args.output)
    journey = None
    if args.journey is not None:
        from cxgraph.readwrite.files import load

        journey = load(args.journey)
    result = performance(args.file, journey, **_keywords(args))
    extra = {
        "cases": dict(result.cases),
        "sla_breaches": _records(result.sla_breaches),
        "phases": _records(result.phases),
    }
    return _write(args, out, result, "transitions", extra)


def run_variants(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``variants`` command."""
    from cxgraph.mining.variants import variants

    _check_output(args.output)
    result = variants(args.file, top=args.top, **_keywords(args))
    return _write(args, out, result, "variants", {"cases": result.total_cases})


def _keywords(args: argparse.Namespace) -> dict[str, Any]:
    from cxgraph.cli._errors import UsageError

    try:
        return log_keywords(args)
    except ImportError as exc:  # pragma: no cover - the engines are installed with cxgraph
        raise UsageError(str(exc)) from exc


def _check_output(output: str | None) -> None:
    from cxgraph.cli import _io

    if output is not None and Path(output).is_dir():
        msg = f"cannot write {output!r}: it is a folder"
        raise _io.OutputError(msg)


def _records(items: Any) -> list[dict[str, Any]]:
    from cxgraph._util.results import record_of

    return [record_of(x) for x in items]


def _write(
    args: argparse.Namespace, out: TextIO, result: Any, name: str, extra: dict[str, Any]
) -> int:
    """Print or write ``result`` as text, JSON (``{name: records, **extra}``) or CSV."""
    from cxgraph._util.escape import csv_text
    from cxgraph.cli import _io
    from cxgraph.cli._errors import EXIT_OK
    from cxgraph.readwrite.files import write_atomic

    records = result.to_records()
    if args.format == "json":
        text = json.dumps({name: records, **extra}, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        columns = list(records[0]) if records else result.columns()
        text = csv_text(columns, ([_cell(r[c]) for c in columns] for r in records))
    else:
        text = "\n".join([result.summary(), *result.lines()]) + "\n"
    if args.output is None:
        out.write(text)
    else:
        with _io.writing(args.output):
            write_atomic(Path(args.output), text)
    return EXIT_OK


def _cell(value: Any) -> Any:
    """A record's value as a CSV cell: a variant's activities joined by `` > ``."""
    if isinstance(value, list | tuple):
        return " > ".join(str(v) for v in value)
    return value
