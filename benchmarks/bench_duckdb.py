"""The DuckDB engine against the plain DuckDB query it wraps, and out of core at 100M events.

Run it with a Python that has cxgraph, duckdb, pyarrow and pandas (psutil only
off Linux)::

    python benchmarks/bench_duckdb.py [--sizes 5M 20M] [--big 100M] [--data-dir DIR]

For each size it writes one generated log (``generate_log.py``: interleaved
customers, string case ids, ISO 8601 text timestamps with mixed offsets, 2%
ties in time) to a CSV and a Parquet file, then times, each run in its own
spawned child process, on the same file:

* ``plain LAG``: the query a DuckDB user would write to count directly-follows
  pairs: ``LAG(activity) OVER (PARTITION BY case ORDER BY CAST(time AS
  TIMESTAMPTZ))`` and a ``GROUP BY`` of the pairs, over ``read_parquet`` or
  ``read_csv(all_varchar = true)``, with DuckDB's defaults (its memory limit
  is 80% of the RAM). It checks nothing and breaks ties in time arbitrarily;
* ``cxgraph``: ``cx.discover(path, engine="duckdb", times=False)``, counting
  only, as the plain query does: the same window plus what makes it exact
  (ties in row order, the timestamp grammar, a missing case, activity or
  time named by its row, a column mixing zoned and naive times) and the rest
  of a journey (starts, ends, resources), with cxgraph's DuckDB settings
  (memory limit and temporary folder, see the docs);
* ``cxgraph, times``: ``cx.discover(path, engine="duckdb")`` with its default
  ``times=True`` (also the durations of every pair and the variants), for
  reference.

Each child warms up on a 2,000-event log first, then measures wall seconds
(best of ``--repeat``), CPU seconds (DuckDB's threads included) and the peak
resident memory above what the process held before the run (the kernel's
high-water mark, reset first). The pairs are checked: the plain query's pair
count equals the journey's (events minus cases).

``--big`` writes a log of that many events to Parquet in slices of 5M
(case ids unique across slices), never holding it all in memory, and runs
``cxgraph discover FILE --engine duckdb -o journey.yaml`` on it, as a user
would, reporting wall seconds and the command's peak RSS (from ``wait4``).

The tables go to stdout and, unless ``--no-readme``, into the DuckDB section
of ``benchmarks/README.md`` between its result markers.

Targets (design.md, section 8): the duckdb engine within 1.2x the plain query's
time and memory at 5M and 20M events, on Parquet and CSV; 100M events through
it under 4 GiB peak memory.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_discover import (
    ACTIVITY,
    CASE,
    MB,
    TIME,
    WARMUP_EVENTS,
    PeakMemory,
    ensure_log,
    in_child,
    load_average,
    machine,
    measured,
    package_versions,
    parse_size,
    size_label,
)
from bench_discover import (
    write_readme as shared_write_readme,
)

CONTENDERS = ("plain LAG", "cxgraph", "cxgraph, times")
README = Path(__file__).parent / "README.md"
START, END = "<!-- duckdb-results:start -->", "<!-- duckdb-results:end -->"
SLICE = 5_000_000
GIB = 2**30


def plain_sql(path: str, source: str) -> str:
    """The plain directly-follows query over a file."""
    quoted = "'" + path.replace("'", "''") + "'"
    scan = (
        f"read_parquet({quoted})"
        if source == "parquet"
        else f"read_csv({quoted}, header = true, all_varchar = true)"
    )
    return (
        f'SELECT prev, a, COUNT(*) FROM (SELECT "{ACTIVITY}" AS a, LAG("{ACTIVITY}") OVER '
        f'(PARTITION BY "{CASE}" ORDER BY CAST("{TIME}" AS TIMESTAMPTZ)) AS prev FROM {scan}) '
        "GROUP BY ALL"
    )


@dataclass(frozen=True)
class Task:
    """One contender on one file, run in a child process."""

    contender: str
    source: str
    path: str
    warmup: str
    repeat: int


def run_task(task: Task) -> dict[str, Any]:
    """In the child: import, warm up, then measure ``repeat`` runs."""
    import duckdb

    import cxgraph as cx

    def plain(path: str) -> int:
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            rows = con.execute(plain_sql(path, task.source)).fetchall()
        finally:
            con.close()
        return sum(int(n) for prev, _, n in rows if prev is not None)

    def ours(path: str) -> int:
        j = cx.discover(path, engine="duckdb", times=task.contender.endswith("times"))
        inner = {s.id for s in j.touchpoints}
        return sum(int(t.count or 0) for t in j.transitions if t.target in inner)

    run = plain if task.contender == "plain LAG" else ours
    run(task.warmup)
    walls, cpus, peaks, pairs = [], [], [], 0
    for _ in range(task.repeat):
        with PeakMemory() as mem:
            c0, w0 = time.process_time(), time.perf_counter()
            pairs = run(task.path)
            w1, c1 = time.perf_counter(), time.process_time()
        walls.append(w1 - w0)
        cpus.append(c1 - c0)
        peaks.append(mem.above)
    return {"wall": min(walls), "cpu": min(cpus), "peak": max(peaks), "pairs": pairs}


# -- the 100M log, written in slices ------------------------------------------


def write_big(n: int, path: str, seed: int) -> tuple[int, int]:
    """In a child: ``n`` events to Parquet, ``SLICE`` at a time; case ids unique across slices."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    from generate_log import generate_log

    writer = None
    events = cases = 0
    try:
        for i, start in enumerate(range(0, n, SLICE)):
            log = generate_log(min(SLICE, n - start), seed=seed + i)
            log[CASE] = np.char.add(f"S{i:03d}", log[CASE].to_numpy().astype(str)).astype(object)
            table = pa.Table.from_pandas(log, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            events += len(log)
            cases += int(log[CASE].nunique())
    finally:
        if writer is not None:
            writer.close()
    return events, cases


def run_big(path: str, out: Path) -> dict[str, Any]:
    """``cxgraph discover FILE --engine duckdb``, as a user runs it: seconds and peak RSS."""
    command = [sys.executable, "-m", "cxgraph", "discover", path, "--engine", "duckdb"]
    command += ["-o", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"cxgraph discover failed ({code}):\n{stderr}")
    return {"wall": wall, "peak": usage.ru_maxrss * 1024, "cpu": usage.ru_utime + usage.ru_stime}


# -- reporting ----------------------------------------------------------------


def versions() -> str:
    return package_versions(["cxgraph", "duckdb", "pyarrow", "pandas"])


def write_readme(path: Path, block: str) -> None:
    """Put ``block`` between the result markers of the DuckDB section."""
    shared_write_readme(path, block, start=START, end=END, section="DuckDB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=parse_size, default=[5_000_000, 20_000_000])
    parser.add_argument("--big", nargs="*", type=parse_size, default=[100_000_000])
    parser.add_argument(
        "--sources", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"]
    )
    parser.add_argument("--contenders", nargs="+", choices=CONTENDERS, default=list(CONTENDERS))
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, help="keep the generated logs here and reuse them")
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args(argv)
    command = shlex.join(["python", *sys.argv])
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="cxgraph-bench-duckdb-"))
    folder.mkdir(parents=True, exist_ok=True)
    load_before, started = load_average(), datetime.now(UTC)
    print(f"{machine()}\n{versions()}\nload average {load_before}\ndata in {folder}", flush=True)
    lines = [
        "| events | input | contender | wall s | CPU s | peak MB above start "
        "| time vs plain | CPU vs plain | memory vs plain |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    warm_csv, warm_pq = ensure_log(folder, WARMUP_EVENTS, args.seed + 1)
    for n in sorted(args.sizes):
        print(f"\n{size_label(n)} events", flush=True)
        csv_path, pq_path = ensure_log(folder, n, args.seed)
        for source in args.sources:
            path, warm = (pq_path, warm_pq) if source == "parquet" else (csv_path, warm_csv)
            results = {}
            for contender in args.contenders:
                task = Task(contender, source, path, warm, args.repeat)
                results[contender] = res = in_child(run_task, task)
                print(
                    f"  {source:8s}{contender:16s}{res['wall']:8.2f} s {res['cpu']:8.2f} s CPU"
                    f"{res['peak'] / MB:8.0f} MB",
                    flush=True,
                )
            counted = {c: r["pairs"] for c, r in results.items()}
            if len(set(counted.values())) != 1:
                raise SystemExit(f"the pair counts differ at {n:,} events, {source}: {counted}")
            plain = results.get("plain LAG")
            for contender, res in results.items():
                ratios = ["–", "–", "–"]
                if plain is not None and contender != "plain LAG":
                    wall, cpu = res["wall"] / plain["wall"], res["cpu"] / plain["cpu"]
                    memory = res["peak"] / max(plain["peak"], 1)
                    ratios = [f"{wall:.2f}x", f"{cpu:.2f}x", f"{memory:.2f}x"]
                    if contender == "cxgraph":
                        ok = "met" if wall <= 1.2 and memory <= 1.2 else "MISSED"
                        verdicts.append(
                            f"- within 1.2x the plain query, {size_label(n)} {source}: "
                            f"{wall:.2f}x time ({cpu:.2f}x CPU), {memory:.2f}x memory: {ok}"
                        )
                lines.append(
                    f"| {size_label(n)} | {source} | {contender} | {res['wall']:.2f} "
                    f"| {res['cpu']:.2f} | {res['peak'] / MB:.0f} | " + " | ".join(ratios) + " |"
                )
    big_lines = ["| events | Parquet MB | wall s | CPU s | peak RSS MB | target |"]
    big_lines.append("|---:|---:|---:|---:|---:|---|")
    for n in args.big:
        path = folder / f"big_{n}_s{args.seed}.parquet"
        if not path.exists():
            t0 = time.perf_counter()
            events, cases = in_child(write_big, n, str(path), args.seed)
            print(
                f"\nwrote {events:,} events in {cases:,} cases to {path} "
                f"({path.stat().st_size / MB:.0f} MB) in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
        res = run_big(str(path), folder / "big-journey.yaml")
        ok = "met" if res["peak"] < 4 * GIB else "MISSED"
        print(f"{size_label(n)}: {res['wall']:.0f} s, peak RSS {res['peak'] / MB:.0f} MB ({ok})")
        big_lines.append(
            f"| {size_label(n)} | {path.stat().st_size / MB:.0f} | {res['wall']:.0f} "
            f"| {res['cpu']:.0f} | {res['peak'] / MB:.0f} | under 4 GiB: {ok} |"
        )
        verdicts.append(
            f"- {size_label(n)} events under 4 GiB: {res['peak'] / GIB:.2f} GiB peak RSS: {ok}"
        )
    block = "\n".join(
        [
            *measured(started, load_before, versions(), command),
            *lines,
            "",
            *(big_lines if args.big else []),
            "",
            *verdicts,
        ]
    )
    print("\n" + block)
    if not args.no_readme:
        write_readme(args.readme, block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
