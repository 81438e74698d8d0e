"""``cxgraph diff OLD NEW``: what changed between two versions of a journey, for people and CI.

OLD and NEW are journey files or ``REV:PATH``, read with ``git show`` from the
repository around the current directory (``main:journeys/x.yaml``), so that a
repository of journeys can run ``cxgraph diff main:journeys/x.yaml
journeys/x.yaml --fail-on regressions`` in its CI. A path that exists is a file
even when its name holds a colon.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey

__all__ = ["FORMATS", "add_parser", "read_version", "run_diff"]

#: The formats ``cxgraph diff`` writes.
FORMATS = ("text", "json", "markdown", "html")
#: How long ``git show`` may take.
GIT_SECONDS = 60


def read_version(spec: str) -> Journey:
    """A journey from a file, or from ``REV:PATH`` through ``git show``.

    Raises
    ------
    cxgraph.cli.UsageError
        When git is missing, the folder is not in a repository, or git cannot
        show that revision and path (its own words, first line).
    """
    from cxgraph.cli._errors import UsageError
    from cxgraph.readwrite.files import FileTooLargeError, format_for, load, loads, size_limit

    rev, sep, inner = spec.partition(":")
    if Path(spec).exists() or not sep or not rev or not inner or len(rev) == 1:
        # A file (a one-letter "revision" is a Windows drive: C:\\x.yaml).
        return load(spec)
    fmt = format_for(inner)  # an unknown suffix fails before git runs
    git = shutil.which("git")
    if git is None:
        msg = f"reading {spec!r} (REV:PATH) needs git, which is not installed"
        raise UsageError(msg)
    target = inner if inner.startswith(("/", "./", "../")) else f"./{inner}"
    try:
        done = subprocess.run(
            [git, "show", f"{rev}:{target}"],
            capture_output=True,
            cwd=os.getcwd(),
            timeout=GIT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        msg = f"git show {rev}:{target} took more than {GIT_SECONDS} s"
        raise UsageError(msg) from exc
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        msg = f"cannot read {spec!r} from git: {why[0] if why else 'git show failed'}"
        raise UsageError(msg)
    limit = size_limit(None)
    if len(done.stdout) > limit:
        msg = (
            f"{spec!r} is {len(done.stdout):,} bytes, more than the limit of {limit:,} bytes "
            "for a journey file: set the environment variable CXGRAPH_MAX_FILE_BYTES higher"
        )
        raise FileTooLargeError(msg)
    return loads(done.stdout, format=fmt)


def add_parser(sub: Any, about: Any) -> None:
    """Add ``diff`` to the command line's sub-commands."""
    p = sub.add_parser("diff", **about("say what changed between two versions of a journey"))
    p.add_argument("old", metavar="OLD", help="the older journey: a file or REV:PATH (git)")
    p.add_argument("new", metavar="NEW", help="the newer journey: a file or REV:PATH (git)")
    p.add_argument("--format", choices=FORMATS, default="text", help="how to write the diff")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument(
        "--fail-on",
        choices=("regressions", "changes"),
        help="exit 1 when the diff has regressions (or any change), for CI",
    )
    p.set_defaults(func=run_diff)


def run_diff(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The ``diff`` command: compare, write, and exit 1 when ``--fail-on`` holds."""
    from cxgraph.changes.diff import diff
    from cxgraph.cli import _io
    from cxgraph.cli._errors import EXIT_OK, _ProblemsFoundError
    from cxgraph.readwrite.files import write_atomic

    if args.output is not None and Path(args.output).is_dir():
        msg = f"cannot write {args.output!r}: it is a folder"
        raise _io.OutputError(msg)
    old, new = read_version(args.old), read_version(args.new)
    result = diff(old, new)
    if args.format == "json":
        text = result.to_json() + "\n"
    elif args.format == "markdown":
        text = result.to_markdown()
    elif args.format == "html":
        text = _page(result, args.old, args.new)
    else:
        text = str(result)
    if args.output is None:
        out.write(text)
    else:
        with _io.writing(args.output):
            write_atomic(Path(args.output), text)
    if args.fail_on == "regressions" and result.regressions:
        n = len(result.regressions)
        msg = f"--fail-on regressions: {n} regression{'s' if n != 1 else ''}"
        raise _ProblemsFoundError(msg)
    if args.fail_on == "changes" and not result.is_empty:
        msg = f"--fail-on changes: {len(result.findings)} changes"
        raise _ProblemsFoundError(msg)
    return EXIT_OK


def _page(result: Any, old: str, new: str) -> str:
    """A self-contained HTML page of the diff (no JavaScript, every string escaped)."""
    from cxgraph._util.html import FONTS, esc

    title = f"What changed: {old} \u2192 {new}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>body{{font-family:{FONTS};max-width:1100px;margin:2em auto;padding:0 1em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:3px 6px}</style>"
        f"</head><body><h1>{esc(title)}</h1>{result._repr_html_()}</body></html>\n"
    )
