"""``cxgraph render``, ``export`` and ``import``: a journey in the formats other programs read.

``render`` draws a picture (SVG, PNG) or writes a diagram or graph file
(Mermaid, DOT, GraphML, GEXF, BPMN); ``export`` writes the same files and the
journey-map grid (CSV, XLSX); ``import`` reads a grid into a journey file.
The format follows the output's suffix when ``--format`` is absent; text
formats go to standard output without ``-o``, binary ones (PNG, XLSX) need it.
Every output is written whole or not at all.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cxgraph.cli import _io
from cxgraph.cli._errors import EXIT_OK, UsageError, _ProblemsFoundError
from cxgraph.errors import CxgraphError, JourneyValidationError

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey

__all__ = ["EXPORT_FORMATS", "RENDER_FORMATS", "SUFFIXES", "add_parsers"]

#: The formats ``cxgraph render`` writes, in the order its help lists them.
RENDER_FORMATS = ("svg", "png", "mermaid", "dot", "graphml", "gexf", "bpmn")
#: The formats ``cxgraph export`` writes: the grid, then the files other programs read.
EXPORT_FORMATS = ("table", "mermaid", "dot", "graphml", "gexf", "bpmn")
#: The format each output suffix means.
SUFFIXES: dict[str, str] = {
    ".svg": "svg",
    ".png": "png",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".dot": "dot",
    ".gv": "dot",
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".bpmn": "bpmn",
    ".csv": "table",
    ".xlsx": "table",
}
#: What each format is called in messages.
_TITLES = {
    "svg": "an SVG picture",
    "png": "a PNG picture",
    "mermaid": "a Mermaid diagram",
    "dot": "a Graphviz DOT graph",
    "graphml": "GraphML",
    "gexf": "GEXF",
    "bpmn": "BPMN 2.0",
    "table": "a journey-map grid",
}
#: The options that shape one format only, and their defaults.
_SHAPING: dict[str, tuple[str, str]] = {
    "diagram": ("mermaid", "flowchart"),
    "cluster": ("dot", "phase"),
    "lanes": ("bpmn", "silo"),
}


def _format(args: argparse.Namespace, formats: tuple[str, ...]) -> str:
    """The output format: ``--format``, else the output's suffix; checked against the options."""
    fmt: str | None = args.format
    output: str | None = args.output
    if output is not None and Path(output).is_dir():
        msg = f"cannot write {output!r}: it is a folder"
        raise UsageError(msg)
    if fmt is None:
        if output is None:
            msg = f"say which format to write: --format {{{','.join(formats)}}}, or -o FILE"
            raise UsageError(msg)
        fmt = SUFFIXES.get(Path(output).suffix.lower())
        if fmt is None or fmt not in formats:
            known = ", ".join(s for s, f in SUFFIXES.items() if f in formats)
            msg = (
                f"cannot tell the format from {output!r}: give --format, or name the file "
                f"with one of the suffixes {known}"
            )
            raise UsageError(msg)
    if (
        fmt == "table"
        and output is not None
        and Path(output).suffix.lower()
        not in (
            ".csv",
            ".xlsx",
        )
    ):
        msg = f"a journey-map grid is .csv or .xlsx: cannot write {output!r}"
        raise UsageError(msg)
    if output is None and fmt == "png":
        msg = "a PNG picture is binary: name the file to write with -o FILE.png"
        raise UsageError(msg)
    if output is not None:
        folder = Path(output).parent
        if not folder.is_dir():
            msg = f"cannot write {output!r}: no folder {str(folder)!r}"
            raise UsageError(msg)
    for option, (owner, _) in _SHAPING.items():
        if getattr(args, option, None) is not None and fmt != owner:
            msg = f"--{option} shapes --format {owner} only, not {fmt}"
            raise UsageError(msg)
    if getattr(args, "kind", None) is not None and fmt not in ("svg", "png"):
        msg = f"--kind chooses the picture of --format svg or png, not {fmt}"
        raise UsageError(msg)
    return fmt


def _shaping(args: argparse.Namespace, option: str) -> str:
    value: str | None = getattr(args, option, None)
    return value if value is not None else _SHAPING[option][1]


def _text(journey: Journey, fmt: str, args: argparse.Namespace) -> str:
    """The document of a text format."""
    if fmt == "mermaid":
        from cxgraph.readwrite.mermaid import write_mermaid

        return write_mermaid(journey, kind=_shaping(args, "diagram"))
    if fmt == "dot":
        from cxgraph.readwrite.graphfiles import write_dot

        cluster = _shaping(args, "cluster")
        return write_dot(journey, cluster=None if cluster == "none" else cluster)
    if fmt == "graphml":
        from cxgraph.readwrite.graphfiles import graphml_xml

        return graphml_xml(journey)
    if fmt == "gexf":
        from cxgraph.readwrite.graphfiles import gexf_xml

        return gexf_xml(journey)
    if fmt == "bpmn":
        from cxgraph.readwrite.bpmn import bpmn_xml

        return bpmn_xml(journey, lanes=_shaping(args, "lanes"))
    from cxgraph.report.page import plot_svg

    return plot_svg(journey, args.kind or "journey_map")


def _write(journey: Journey, fmt: str, args: argparse.Namespace, out: TextIO) -> None:
    """Write ``journey`` as ``fmt`` to ``args.output`` (whole or not at all), or to ``out``."""
    from cxgraph.readwrite.files import write_atomic

    output: str | None = args.output
    try:
        if fmt == "png":
            assert output is not None  # _format insists
            _save_png(journey, args.kind or "journey_map", Path(output))
        elif fmt == "table":
            _write_table(journey, output, out)
        elif output is None:
            out.write(_ensure_newline(_text(journey, fmt, args)))
        else:
            text = _text(journey, fmt, args)
            with _io.writing(output):
                write_atomic(Path(output), text)
    except (CxgraphError, OSError, _io.OutputError, UsageError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a writer that fails is one line on stderr, not a traceback
        if fmt in ("svg", "png"):
            from cxgraph.report.page import PLOT_KINDS

            what = f"draw the {PLOT_KINDS[args.kind or 'journey_map'][1].lower()}"
        else:
            what = f"write {_TITLES[fmt]}"
        msg = f"could not {what} of {journey.id!r}: {type(exc).__name__}: {exc}"
        raise CxgraphError(msg) from exc


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _write_table(journey: Journey, output: str | None, out: TextIO) -> None:
    """The grid: to the file (CSV or XLSX by suffix), or as CSV to ``out``."""
    from cxgraph.readwrite.table import write_table

    if output is not None:
        with _io.writing(output):
            write_table(journey, output)
        return
    import warnings

    with tempfile.TemporaryDirectory(prefix="cxgraph-") as folder:
        path = Path(folder) / "map.csv"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            write_table(journey, path)
        # What the grid leaves out is said of standard output, not of our temporary file.
        for w in caught:
            text = str(w.message).replace(f"the grid {path.name!r}", "the grid on standard output")
            warnings.warn_explicit(text, w.category, w.filename, w.lineno)
        out.write(path.read_text(encoding="utf-8"))


def _save_png(journey: Journey, kind: str, path: Path) -> None:
    """Draw and write a PNG beside ``path``, then move it into place (as write_atomic does)."""
    from cxgraph import plot
    from cxgraph.readwrite.files import file_mode
    from cxgraph.report.page import PLOT_KINDS

    ax = getattr(plot, PLOT_KINDS[kind][0])(journey)
    with _io.writing(os.fspath(path)):
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


def _said(journey: Journey, fmt: str, args: argparse.Namespace) -> str:
    """The line that says what was written."""
    what = _TITLES[fmt]
    if fmt in ("svg", "png"):
        from cxgraph.report.page import PLOT_KINDS

        what = f"the {PLOT_KINDS[args.kind or 'journey_map'][1].lower()}"
    return f"Wrote {args.output}: {what} of journey {journey.id!r}"


def _cmd_render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return _convert(args, out, RENDER_FORMATS)


def _cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return _convert(args, out, EXPORT_FORMATS)


def _convert(args: argparse.Namespace, out: TextIO, formats: tuple[str, ...]) -> int:
    from cxgraph.readwrite.files import load

    fmt = _format(args, formats)
    journey = load(args.file)
    _write(journey, fmt, args, out)
    if args.output is not None:
        print(_said(journey, fmt, args), file=out)
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cxgraph.readwrite.files import dump, dumps, format_for
    from cxgraph.readwrite.table import read_table

    if Path(args.file).suffix.lower() not in (".csv", ".xlsx"):
        msg = f"cxgraph import reads a journey-map grid, .csv or .xlsx: not {args.file!r}"
        raise UsageError(msg)
    if args.output is not None:
        if Path(args.output).is_dir():
            msg = f"cannot write {args.output!r}: it is a folder"
            raise UsageError(msg)
        format_for(args.output)  # an unknown suffix fails before the grid is read
    try:
        journey = read_table(args.file, sheet=args.sheet)
    except JourneyValidationError as exc:
        # Each problem names its row and column in the grid already.
        for problem in exc.errors:
            print(problem.message if problem.path == "$" else str(problem), file=err)
        n = len(exc.errors)
        msg = f"{n} problem{'s' if n != 1 else ''} in {args.file}; nothing written"
        raise _ProblemsFoundError(msg) from exc
    except ImportError as exc:  # openpyxl, for .xlsx
        raise UsageError(str(exc)) from exc
    if args.output is None:
        out.write(dumps(journey, "yaml"))
        return EXIT_OK
    with _io.writing(args.output):
        dump(journey, args.output)
    print(
        f"Wrote {args.output}: journey {journey.id!r} ({journey.name}) with "
        f"{len(journey.steps)} steps from {args.file}",
        file=out,
    )
    return EXIT_OK


def _shaping_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--diagram",
        choices=("flowchart", "journey"),
        help="the Mermaid diagram: a flowchart with a subgraph per phase, or a user "
        "journey scored by emotion (default: flowchart)",
    )
    p.add_argument(
        "--cluster",
        choices=("phase", "owner", "none"),
        help="the DOT clusters: by phase, by owner (nested by parent), or none (default: phase)",
    )
    p.add_argument(
        "--lanes",
        choices=("silo", "owner"),
        help="the BPMN lanes: one per silo or one per owner (default: silo)",
    )


def add_parsers(sub: Any, about: Callable[[str], dict[str, Any]]) -> None:
    """Add ``render``, ``export`` and ``import`` to the command line's subparsers."""
    from cxgraph.report.page import PLOT_KINDS

    journey_file = "a journey file (.json, .yaml, .yml) or a folder holding one"
    p = sub.add_parser("render", **about("draw a journey as a picture, a diagram or a graph file"))
    p.add_argument("file", help=journey_file)
    p.add_argument(
        "-o",
        "--output",
        help="the file to write (its suffix names the format: .svg, .png, .mmd, .dot, "
        ".graphml, .gexf, .bpmn); text formats go to standard output without it",
    )
    p.add_argument("--format", choices=RENDER_FORMATS, help="the format to write")
    *others, last = (f"{kind} (the {about[1].lower()})" for kind, about in PLOT_KINDS.items())
    p.add_argument(
        "--kind",
        choices=tuple(PLOT_KINDS),
        metavar="KIND",
        help=f"which picture, for svg and png: {', '.join(others)} or {last} "
        "(default: journey_map)",
    )
    _shaping_options(p)
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser(
        "export", **about("write a journey as a journey-map grid or for another program")
    )
    p.add_argument("file", help=journey_file)
    p.add_argument(
        "-o",
        "--output",
        help="the file to write (.csv or .xlsx for the grid, .mmd, .dot, .graphml, .gexf, "
        ".bpmn); text formats go to standard output without it",
    )
    p.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        help="the format to write: table is the grid cxgraph import reads",
    )
    _shaping_options(p)
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("import", **about("read a journey-map grid (CSV or XLSX) into a journey"))
    p.add_argument("file", help="the grid: .csv, or .xlsx (needs pip install 'cxgraph[excel]')")
    p.add_argument(
        "-o",
        "--output",
        help="the journey file to write (.yaml, .yml or .json); YAML to standard output without it",
    )
    p.add_argument("--sheet", help="the workbook's sheet to read (default: the first)")
    p.set_defaults(func=_cmd_import)
