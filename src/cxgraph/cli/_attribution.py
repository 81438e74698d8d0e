"""``cxgraph attribution FILE``: which channels earn the conversions, by one model or several.

FILE is a path table in ChannelAttribution's layout (a ``path`` column of
``a > b > c``, with ``total_conversions`` and perhaps ``total_null`` and
``total_conversion_value``: :func:`cxgraph.paths`), or a raw touch log (one
row per touch: :func:`cxgraph.paths_from_events`), told apart by the ``path``
column (``--path-column``).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any, TextIO

__all__ = ["add_parser", "run_attribution"]

#: The formats ``cxgraph attribution`` writes.
FORMATS = ("text", "json", "csv")


def add_parser(sub: Any, about: Any) -> None:
    """Add ``attribution`` to the command line's sub-commands."""
    from cxgraph.attribution.models import MODELS

    p = sub.add_parser(
        "attribution", **about("share conversions and value out among the channels of paths")
    )
    p.add_argument(
        "file",
        metavar="PATHS",
        help="a path table (.csv, ChannelAttribution's layout) or a raw touch log "
        "(.csv, .parquet, .xes)",
    )
    p.add_argument(
        "--model",
        action="append",
        choices=MODELS,
        metavar="MODEL",
        help=f"the model, one of {', '.join(MODELS)}; repeat to compare several side by "
        "side (default: markov)",
    )
    p.add_argument("--order", type=int, default=1, help="markov: the order of the chain")
    p.add_argument(
        "--half-life",
        metavar="DURATION",
        help="time_decay: an ISO 8601 duration such as P7D or PT12H",
    )
    p.add_argument(
        "--intervals", type=float, metavar="LEVEL", help="bootstrap intervals, such as 0.95"
    )
    p.add_argument("--resamples", type=int, default=200, help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument(
        "--cost",
        metavar="FILE",
        help="a CSV of channel,spend: adds cost per conversion and ROAS",
    )
    p.add_argument("--path-column", default="path", help="the path table's column of paths")
    p.add_argument("--channel", default="channel", help="a touch log's column of channels")
    p.add_argument("--case", default="case:concept:name", help="a touch log's column of case ids")
    p.add_argument(
        "--timestamp", default="time:timestamp", help="a touch log's column of touch times"
    )
    p.add_argument(
        "--conversion",
        metavar="COLUMN_OR_CHANNEL",
        help="a touch log's boolean column of conversions, or the channel value that marks one",
    )
    p.add_argument("--value", metavar="COLUMN", help="a touch log's column of conversion value")
    p.add_argument("--format", choices=FORMATS, default="text", help="how to write the result")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=run_attribution)


def run_attribution(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``attribution`` command."""
    from cxgraph._util.escape import csv_text
    from cxgraph.attribution.models import attribution
    from cxgraph.cli import _io
    from cxgraph.cli._errors import EXIT_OK, UsageError
    from cxgraph.model.fields import parse_duration
    from cxgraph.readwrite.files import write_atomic

    if args.output is not None and Path(args.output).is_dir():
        msg = f"cannot write {args.output!r}: it is a folder"
        raise _io.OutputError(msg)
    half_life = None
    if args.half_life is not None:
        try:
            half_life = parse_duration(args.half_life)
        except ValueError as exc:
            msg = f"--half-life {args.half_life!r}: {exc}"
            raise UsageError(msg) from None
    cost = _read_cost(args.cost) if args.cost is not None else None
    data = _read_paths(args)
    models = args.model or ["markov"]
    result = attribution(
        data,
        model=models[0] if len(models) == 1 else models,
        order=args.order,
        half_life=half_life,
        intervals=args.intervals,
        resamples=args.resamples,
        seed=args.seed,
        cost=cost,
    )
    records = result.to_records()
    if args.format == "json":
        text = json.dumps({"attribution": records}, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        columns = list(records[0]) if records else result.columns()
        text = csv_text(columns, ([r.get(c) for c in columns] for r in records))
    else:
        text = "\n".join([result.summary(), *("  " + line for line in result.lines())]) + "\n"
    if args.output is None:
        out.write(text)
    else:
        with _io.writing(args.output):
            write_atomic(Path(args.output), text)
    return EXIT_OK


def _read_paths(args: argparse.Namespace) -> Any:
    """A path table when the file has the path column, else a touch log."""
    from cxgraph.attribution.paths import paths
    from cxgraph.attribution.touches import paths_from_events
    from cxgraph.readwrite import eventlog as EL

    path = Path(args.file)
    if not path.exists():
        msg = f"no such file: {args.file!r}"
        raise FileNotFoundError(msg)
    kind = EL.log_kind(args.file)
    found = EL.csv_header(path)[0] if kind == "csv" else []
    if args.path_column in found:
        return paths(args.file, path=args.path_column)
    return paths_from_events(
        args.file,
        case=args.case,
        channel=args.channel,
        timestamp=args.timestamp,
        conversion=args.conversion,
        value=args.value,
    )


def _read_cost(name: str) -> dict[str, float]:
    """``channel,spend`` rows (a header line optional) as a mapping."""
    from cxgraph.cli._errors import UsageError

    try:
        text = Path(name).read_text(encoding="utf-8-sig")
    except OSError as exc:
        msg = f"--cost {name!r}: {exc.strerror or exc}"
        raise UsageError(msg) from None
    out: dict[str, float] = {}
    for n, row in enumerate(csv.reader(text.splitlines()), 1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2:
            msg = f"--cost {name!r}, line {n}: expected two fields, channel and spend"
            raise UsageError(msg)
        channel, spend = row[0].strip(), row[1].strip()
        try:
            out[channel] = float(spend)
        except ValueError:
            if n == 1:
                continue  # a header line
            msg = f"--cost {name!r}, line {n}: the spend {spend!r} is not a number"
            raise UsageError(msg) from None
    return out
