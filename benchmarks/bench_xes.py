"""Reading XES: ``cx.discover("log.xes")`` against pm4py's ``read_xes`` + ``discover_dfg``.

Run it with a Python that has the benchmark extras (pm4py is AGPL, rustxes
its optional Rust reader: install them only in a separate benchmark
environment, never as cxgraph dependencies)::

    /work/bench-venv/bin/pip install -e . pm4py rustxes psutil
    /work/bench-venv/bin/python benchmarks/bench_xes.py [--traces 13087] [--events 262200]

It writes a BPI-Challenge-2012-shaped XES file (``--events`` events in
``--traces`` traces, by default those of BPI 2012: 262,200 and 13,087; the
XES namespace on the log; trace attributes ``REG_DATE``, ``concept:name``
and ``AMOUNT_REQ``; events with ``org:resource``, ``lifecycle:transition``,
``concept:name`` among 24 activities and ``time:timestamp`` with
milliseconds and an offset) into a temporary folder (or ``--folder``), and a
2,000-event one to warm up on, then times, each in its own spawned child
process that imports, warms up and runs best of ``--repeat``:

* ``cxgraph``: ``cx.discover(path, times=False)``: reading, encoding and
  counting (``discover_dfg`` counts only, hence ``times=False``);
* ``cxgraph, reading only``: ``cxgraph.readwrite.xes.read_xes`` into the four
  columns discover asks for, for reference;
* ``pm4py rustxes``: ``pm4py.read_xes(path, variant="rustxes")`` (pm4py's
  default when rustxes is installed) then ``pm4py.discover_dfg``;
* ``pm4py chunk_regex``: the same with pm4py's default without rustxes;
* ``pm4py iterparse``: the same with its lxml ``iterparse`` reader;
* ``expat, no handlers``: ``xml.parsers.expat`` over the file with no Python
  handler at all: the floor for any reader built on the standard library's
  XML parser;
* ``expat, empty Python handler``: the same with a start-tag handler that
  does nothing (and ends counted by a C ``list.append``, as cxgraph's reader
  counts them): the floor for any reader in which Python sees each element
  once, which is what an expat reader must do to find the events.

Wall and CPU seconds are reported (on a machine shared with other jobs the
CPU time is the steadier), events/s on wall time, and ratios against pm4py
with rustxes (or, without it, pm4py's default). Before any time is reported
the script checks that cxgraph's journey's transition counts equal every pm4py
variant's directly-follows counts, and stops if not. The table goes to stdout
and, unless ``--no-readme``, into the XES section of ``benchmarks/README.md``
between its result markers, with the machine, versions, date and command.

Target (issue 21, design notes "Scale"): ``cxgraph`` at least as fast as pm4py's
``read_xes`` + ``discover_dfg`` with its fastest backend, with identical counts.
"""

from __future__ import annotations

import argparse
import random
import shlex
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_discover import (
    PeakMemory,
    in_child,
    journey_dict,
    journey_pairs,
    load_average,
    machine,
    package_versions,
    quiet,
)
from bench_discover import (
    write_readme as shared_write_readme,
)

README = Path(__file__).parent / "README.md"
START, END = "<!-- xes-results:start -->", "<!-- xes-results:end -->"
MB = 2**20
CONTENDERS = (
    "cxgraph",
    "cxgraph, reading only",
    "pm4py rustxes",
    "pm4py chunk_regex",
    "pm4py iterparse",
    "expat, no handlers",
    "expat, empty Python handler",
)
PM4PY_VARIANTS = {"pm4py rustxes": "rustxes", "pm4py chunk_regex": "chunk_regex",
                  "pm4py iterparse": "iterparse"}  # fmt: skip
WANTED = ["case:concept:name", "concept:name", "time:timestamp", "org:resource"]

# -- data -------------------------------------------------------------------

A_NAMES = "SUBMITTED PARTLYSUBMITTED PREACCEPTED ACCEPTED FINALIZED DECLINED CANCELLED"
O_NAMES = "SELECTED CREATED SENT SENT_BACK CANCELLED ACCEPTED DECLINED"
W_NAMES = (
    "Afhandelen leads,Completeren aanvraag,Nabellen offertes,Valideren aanvraag,"
    "Nabellen incomplete dossiers,Beoordelen fraude,Wijzigen contractgegevens"
)
#: 24 activities, named as in BPI 2012.
ACTIVITIES = (
    [f"A_{x}" for x in (A_NAMES + " APPROVED REGISTERED ACTIVATED").split()]
    + [f"O_{x}" for x in O_NAMES.split()]
    + [f"W_{x}" for x in W_NAMES.split(",")]
)
HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xes.features="nested-attributes" openxes.version="1.0RC7" \
xmlns="http://www.xes-standard.org/">
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t</global>
\t<classifier name="Activity" keys="concept:name"/>
\t<string key="concept:name" value="financial_log.xes"/>
"""


def iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def write_xes(path: Path, traces: int, events: int, seed: int = 0) -> None:
    """A BPI-2012-shaped XES file: ``events`` events spread evenly over ``traces`` traces."""
    rng = random.Random(seed)
    per = [events // traces] * traces
    for i in range(events - sum(per)):
        per[i] += 1
    t0 = datetime(2011, 10, 1, tzinfo=timezone(timedelta(hours=2)))
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for k, n in enumerate(per):
            t = t0 + timedelta(seconds=rng.randrange(0, 150 * 86400))
            fh.write(
                f'\t<trace>\n\t\t<date key="REG_DATE" value="{iso(t)}"/>\n'
                f'\t\t<string key="concept:name" value="{173688 + k}"/>\n'
                f'\t\t<string key="AMOUNT_REQ" value="{rng.randrange(500, 50000)}"/>\n'
            )
            a = rng.randrange(3)
            for _ in range(n):
                a = (a + rng.choice((1, 1, 1, 2, 3, -1))) % len(ACTIVITIES)
                t += timedelta(seconds=rng.randrange(1, 40000), milliseconds=rng.randrange(1000))
                fh.write(
                    "\t\t<event>\n"
                    f'\t\t\t<string key="org:resource" value="{rng.randrange(10000, 11400)}"/>\n'
                    '\t\t\t<string key="lifecycle:transition" '
                    f'value="{rng.choice(("COMPLETE", "COMPLETE", "START", "SCHEDULE"))}"/>\n'
                    f'\t\t\t<string key="concept:name" value="{ACTIVITIES[a]}"/>\n'
                    f'\t\t\t<date key="time:timestamp" value="{iso(t)}"/>\n'
                    "\t\t</event>\n"
                )
            fh.write("\t</trace>\n")
        fh.write("</log>\n")


# -- the contenders ---------------------------------------------------------


def runner(contender: str) -> Any:
    """In the child: the function that reads (and counts) one path."""
    if contender == "cxgraph":
        import cxgraph as cx

        return lambda path: cx.discover(path, times=False)
    if contender == "cxgraph, reading only":
        from cxgraph.readwrite.xes import read_xes

        return lambda path: read_xes(Path(path), WANTED)
    if contender == "expat, no handlers":
        from xml.parsers import expat

        def bare(path: str) -> None:
            parser = expat.ParserCreate(namespace_separator="}")
            with open(path, "rb") as fh:
                parser.ParseFile(fh)

        return bare
    if contender == "expat, empty Python handler":
        from xml.parsers import expat

        def nothing(name: str, attrs: dict[str, str]) -> None:
            pass

        def empty(path: str) -> None:
            parser = expat.ParserCreate(namespace_separator="}")
            parser.StartElementHandler = nothing
            parser.EndElementHandler = [].append
            with open(path, "rb") as fh:
                parser.ParseFile(fh)

        return empty
    variant = PM4PY_VARIANTS[contender]
    with quiet():
        import pm4py

    def pm(path: str) -> Any:
        with quiet():
            return pm4py.discover_dfg(pm4py.read_xes(path, variant=variant))

    return pm


def run_contender(contender: str, path: str, warmup: str, repeat: int) -> dict[str, Any]:
    """In the child: import, warm up, then measure ``repeat`` runs."""
    run = runner(contender)
    run(warmup)
    walls, cpus, peaks = [], [], []
    result = None
    for _ in range(repeat):
        result = None
        with PeakMemory() as mem:
            c0, w0 = time.process_time(), time.perf_counter()
            result = run(path)
            w1, c1 = time.perf_counter(), time.process_time()
        walls.append(w1 - w0)
        cpus.append(c1 - c0)
        peaks.append(mem.above)
    out: dict[str, Any] = {"wall": min(walls), "cpu": min(cpus), "peak": max(peaks)}
    if contender == "cxgraph":
        out["pairs"] = journey_pairs(journey_dict(result))
    elif contender in PM4PY_VARIANTS:
        out["pairs"] = {(str(a), str(b)): int(n) for (a, b), n in result[0].items()}  # type: ignore[index]
    elif contender == "cxgraph, reading only":
        out["events"] = len(result[0]["concept:name"])  # type: ignore[index]
    return out


def available(contender: str) -> str | None:
    """Why a contender cannot run here, or None."""
    import importlib.util

    if contender in PM4PY_VARIANTS and importlib.util.find_spec("pm4py") is None:
        return "pm4py is not installed"
    if contender == "pm4py rustxes" and importlib.util.find_spec("rustxes") is None:
        return "rustxes is not installed"
    return None


# -- report -----------------------------------------------------------------


def versions() -> str:
    import pyexpat

    names = ["cxgraph", "pm4py", "rustxes", "polars", "pandas", "lxml", "psutil"]
    return package_versions(names, python_note=f" ({pyexpat.EXPAT_VERSION})")


def write_readme(path: Path, block: str) -> None:
    """Put ``block`` between the result markers of the XES section."""
    shared_write_readme(path, block, start=START, end=END, section="XES")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=13_087)
    parser.add_argument("--events", type=int, default=262_200)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--contenders", nargs="+", choices=CONTENDERS, default=list(CONTENDERS))
    parser.add_argument(
        "--folder", type=Path, help="where the XES files go (default: a temporary folder)"
    )
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args(argv)

    command = shlex.join(
        ["python", "benchmarks/bench_xes.py", *(argv if argv is not None else sys.argv[1:])]
    )
    started = datetime.now(UTC)
    load_start = load_average()
    with tempfile.TemporaryDirectory(prefix="cxgraph-bench-xes-") as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bpi2012-shaped-{args.events}.xes"
        warmup = folder / "warmup-2000.xes"
        if not path.exists():
            write_xes(path, args.traces, args.events)
        if not warmup.exists():
            write_xes(warmup, 100, 2_000, seed=1)
        size = path.stat().st_size
        print(
            f"{path}: {args.events:,} events in {args.traces:,} traces, {size / MB:.0f} MB",
            file=sys.stderr,
        )
        results: dict[str, dict[str, Any]] = {}
        skipped: dict[str, str] = {}
        for contender in args.contenders:
            why = available(contender)
            if why:
                skipped[contender] = why
                print(f"{contender}: skipped, {why}", file=sys.stderr)
                continue
            results[contender] = in_child(
                run_contender, contender, str(path), str(warmup), args.repeat
            )
            r = results[contender]
            print(f"{contender}: {r['wall']:.3f} s wall, {r['cpu']:.3f} s CPU", file=sys.stderr)

    checks = []
    if "cxgraph" in results:
        ours = results["cxgraph"]["pairs"]
        for contender in (c for c in PM4PY_VARIANTS if c in results):
            theirs = results[contender]["pairs"]
            if ours != theirs:
                print(
                    f"cxgraph's directly-follows counts differ from {contender}'s", file=sys.stderr
                )
                return 1
            checks.append(contender)
    if (
        "cxgraph, reading only" in results
        and results["cxgraph, reading only"]["events"] != args.events
    ):
        print("cxgraph's reader did not read every event", file=sys.stderr)
        return 1

    yardstick = next((c for c in PM4PY_VARIANTS if c in results), None)
    lines = [
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}; load average {load_start} at the "
        f"start and {load_average()} at the end.",
        "",
        f"{versions()}.",
        "",
        "```",
        command,
        "```",
        "",
        f"A BPI-2012-shaped XES file: {args.events:,} events in {args.traces:,} traces, "
        f"{size / MB:.0f} MB; best of {args.repeat} runs, each contender in its own child process.",
        "",
        f"| contender | wall s | CPU s | events/s | peak MB | vs {yardstick or 'pm4py'} "
        f"| vs {yardstick or 'pm4py'}, CPU |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    base = results.get(yardstick) if yardstick else None
    for contender, r in results.items():
        ratio = f"{r['wall'] / base['wall']:.2f}x" if base else "–"
        ratio_cpu = f"{r['cpu'] / base['cpu']:.2f}x" if base else "–"
        rate = args.events / r["wall"] / 1e3
        lines.append(
            f"| {contender} | {r['wall']:.3f} | {r['cpu']:.3f} | {rate:,.0f}k "
            f"| {r['peak'] / MB:.0f} | {ratio} | {ratio_cpu} |"
        )
    lines.append("")
    for contender, why in skipped.items():
        lines.append(f"- {contender}: not run, {why}.")
    if checks:
        lines.append(
            "- cxgraph's directly-follows counts equal those of " + ", ".join(checks) + "."
        )
    if base and "cxgraph" in results:
        r = results["cxgraph"]
        marks = [
            f"{r[k] / base[k]:.2f}x {what} {'met' if r[k] <= base[k] else 'MISSED'}"
            for k, what in (("wall", "wall"), ("cpu", "CPU"))
        ]
        lines.append(
            f"- target: cxgraph at least as fast as {yardstick}: " + ", ".join(marks) + "."
        )
    floor = results.get("expat, empty Python handler")
    if base and floor:
        share = floor["wall"] / base["wall"]
        verdict = (
            "so no reader in which Python sees each element can meet the target: it needs a "
            "compiled reader"
            if share >= 0.9
            else "which leaves room for a faster Python-driven reader"
        )
        lines.append(
            f"- floor: expat with an empty Python handler per element alone takes "
            f"{share:.2f}x {yardstick}'s whole read and count, {verdict}."
        )
    block = "\n".join(lines)
    print(block)
    if not args.no_readme:
        write_readme(README, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
