"""Performance and variants at scale: ``cx.performance`` against ``cx.discover``,
``cx.variants`` against pm4py's ``get_variants``.

Run it with a Python that has the benchmark extras (pm4py is AGPL: install it
only in a separate benchmark environment, never as a cxgraph dependency)::

    python -m venv /work/bench-venv
    /work/bench-venv/bin/pip install -e . pm4py duckdb pyarrow pandas psutil
    /work/bench-venv/bin/python benchmarks/bench_performance.py [--sizes 1M 5M]

For each size it writes one generated log (``generate_log.py``, as the
discovery benchmark does: interleaved customers, string case ids, ISO 8601
text timestamps with mixed offsets, some ties) to a CSV and a Parquet file
under a temporary folder, then runs each contender in its own spawned child
process, on each of the two files:

* ``numpy``: the frame read with ``pd.read_parquet`` / ``pd.read_csv`` (strings
  as read), then ``cx.discover``, ``cx.performance`` and ``cx.variants`` on it
  with ``engine="numpy"``;
* ``numpy (path)``, ``duckdb (path)``: the same three calls on the file's path,
  reading included (DuckDB scans it out of core);
* ``pm4py``: ``pm4py.get_variants`` on the same frame after
  ``pm4py.format_dataframe`` (which parses the timestamps and sorts, and which
  ``get_variants`` needs: on a frame it has not formatted it assumes each
  case's rows are together and in time order). Only ``get_variants`` is
  timed; the formatting is listed apart.

Each child imports what it needs, loads its input, warms up every call on a
2,000-event log, then times each call (best of ``--repeat``; wall and CPU
seconds; peak resident memory above what the process held before the call,
as in ``bench_discover.py``).

The results are checked before any time is reported: ``performance``'s pair
counts equal ``discover``'s transition counts, every cxgraph run gives the
same pairs and counts and the same seconds (within 1e-9 relative: sums may
be added in another order), the same case cycle times and the same variants,
and pm4py's variants and case counts equal ``cx.variants``'. The tables go to
stdout and, unless ``--no-readme``, into the "Performance and variants"
section of ``benchmarks/README.md`` between its result markers.

``discover`` is timed with ``times=False``: counting transitions, as the
target means it (by default it measures durations and variants too).

Targets: ``performance`` within 2x ``discover`` on the same engine and input;
``variants`` at most 0.1x pm4py's ``get_variants`` at 1M events.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_discover import (
    MB,
    WARMUP_EVENTS,
    PeakMemory,
    checks_and_targets,
    ensure_log,
    have_pm4py,
    in_child,
    load_average,
    machine,
    package_versions,
    parse_size,
    quiet,
    size_label,
)
from bench_discover import (
    write_readme as shared_write_readme,
)

SIZES = {"1M": 1_000_000, "5M": 5_000_000}
AUTO_REPEAT = {10_000: 5, 100_000: 5, 1_000_000: 3, 5_000_000: 2}
ENGINES = ("numpy", "numpy (path)", "duckdb (path)", "pm4py")
CALLS = ("discover", "performance", "variants")
#: Keywords per call: discover counts only (``times=False``), as the target means
#: it; with its default it measures times and variants too, as performance does.
KEYWORDS: dict[str, dict[str, Any]] = {"discover": {"times": False}}
README = Path(__file__).parent / "README.md"
START, END = "<!-- performance-results:start -->", "<!-- performance-results:end -->"


@dataclass(frozen=True)
class Task:
    """One contender on one input, run in a child process."""

    events: int
    source: str  # "parquet" or "csv"
    engine: str  # one of ENGINES
    path: str
    warmup: str
    repeat: int


def variants_digest(pairs: Any) -> tuple[int, int, str]:
    """(variants, cases, sha256) of (variant, cases) pairs, in a canonical order."""
    lines = sorted("\x1f".join(map(str, v)) + "\t" + str(int(n)) for v, n in pairs)
    h = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return len(lines), sum(int(n) for _, n in pairs), h


def summary(call: str, result: Any) -> Any:
    """What the parent checks of one call's result (small enough to send back)."""
    if call == "discover":
        steps = {t.id for t in result.touchpoints}
        return {
            (t.source, t.target): int(t.count or 0)
            for t in result.transitions
            if t.source in steps and t.target in steps
        }
    if call == "performance":
        pairs = {
            (t.source, t.target): (
                int(t.count),
                float(t.mean_s),
                float(t.median_s),
                float(t.p90_s),
                float(t.min_s),
                float(t.max_s),
            )
            for t in result.findings
        }
        return {"pairs": pairs, "cases": {k: float(v) for k, v in dict(result.cases).items()}}
    if call == "variants":
        return variants_digest([(v.variant, v.cases) for v in result.findings])
    return variants_digest(result.items())  # pm4py's {variant: cases}


def run_task(task: Task) -> dict[str, Any]:
    """In the child: import, load the input, warm up, then time each call."""
    import cxgraph as cx

    out: dict[str, Any] = {"load_s": None, "prep_s": None, "calls": {}}
    runs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {}
    if task.engine.endswith("(path)"):
        engine = task.engine.split()[0]
        if engine == "duckdb":
            import duckdb  # noqa: F401 - imported before the clock starts
        for call in CALLS:
            fn = getattr(cx, call)
            kw = KEYWORDS.get(call, {})
            runs[call] = (
                partial(fn, task.warmup, engine=engine, **kw),
                partial(fn, task.path, engine=engine, **kw),
            )
    else:
        import pandas as pd
        import pyarrow.csv
        import pyarrow.parquet  # noqa: F401 - so that the read time below is reading only

        t0 = time.perf_counter()
        frame = pd.read_parquet(task.path) if task.source == "parquet" else pd.read_csv(task.path)
        out["load_s"] = time.perf_counter() - t0
        warm = (
            pd.read_parquet(task.warmup) if task.source == "parquet" else pd.read_csv(task.warmup)
        )
        if task.engine == "pm4py":
            with quiet():
                import pm4py  # type: ignore[import-not-found]

                t0 = time.perf_counter()
                frame = pm4py.format_dataframe(frame)
                out["prep_s"] = time.perf_counter() - t0
                warm = pm4py.format_dataframe(warm)

            def pm4py_variants(df: Any) -> Any:
                with quiet():
                    return pm4py.get_variants(df)

            runs["pm4py"] = (partial(pm4py_variants, warm), partial(pm4py_variants, frame))
        else:
            for call in CALLS:
                fn, kw = getattr(cx, call), KEYWORDS.get(call, {})
                runs[call] = (
                    partial(fn, warm, engine="numpy", **kw),
                    partial(fn, frame, engine="numpy", **kw),
                )

    for call, (warmup, run) in runs.items():
        warmup()
        walls, cpus, peaks = [], [], []
        result = None
        for _ in range(task.repeat):
            result = None
            with PeakMemory() as mem:
                c0, w0 = time.process_time(), time.perf_counter()
                result = run()
                w1, c1 = time.perf_counter(), time.process_time()
            walls.append(w1 - w0)
            cpus.append(c1 - c0)
            peaks.append(mem.above)
            out["exact_memory"] = mem.exact
        out["calls"][call] = {
            "wall": min(walls),
            "cpu": min(cpus),
            "peak": max(peaks),
            "walls": walls,
            "summary": summary(call, result),
        }
        del result
    return out


# -- checks -----------------------------------------------------------------


def same_performance(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """None if two performance summaries agree (counts exactly, seconds within 1e-9)."""
    if set(a["pairs"]) != set(b["pairs"]):
        return f"pairs differ: {sorted(set(a['pairs']) ^ set(b['pairs']))[:5]}"
    for k, x in a["pairs"].items():
        y = b["pairs"][k]
        if x[0] != y[0]:
            return f"{k}: count {x[0]} against {y[0]}"
        for name, u, v in zip(("mean", "median", "p90", "min", "max"), x[1:], y[1:], strict=True):
            if not math.isclose(u, v, rel_tol=1e-9, abs_tol=1e-6):
                return f"{k}: {name} {u!r} against {v!r}"
    if set(a["cases"]) != set(b["cases"]):
        return "case statistics differ in their keys"
    for k, u in a["cases"].items():
        if not math.isclose(u, b["cases"][k], rel_tol=1e-9, abs_tol=1e-6):
            return f"cases {k}: {u!r} against {b['cases'][k]!r}"
    return None


def check(n: int, source: str, results: dict[str, dict[str, Any]]) -> list[str]:
    """Stop with an error unless every run agrees; the checks made, as text."""
    label = f"{size_label(n)} {source}"
    done = []
    ours = {e: r for e, r in results.items() if e != "pm4py"}
    for engine, res in ours.items():
        perf = res["calls"]["performance"]["summary"]
        counts = {k: v[0] for k, v in perf["pairs"].items()}
        assert counts == res["calls"]["discover"]["summary"], (
            f"{label} {engine}: performance counts differ from discover's"
        )
    if ours:
        done.append(f"{label}: performance counts equal discover's on every engine")
        first, ref = next(iter(ours.items()))
        for engine, res in ours.items():
            why = same_performance(
                ref["calls"]["performance"]["summary"], res["calls"]["performance"]["summary"]
            )
            assert why is None, f"{label}: performance of {engine} differs from {first}: {why}"
            assert res["calls"]["variants"]["summary"] == ref["calls"]["variants"]["summary"], (
                f"{label}: variants of {engine} differ from {first}"
            )
        done.append(f"{label}: {len(ours)} cxgraph runs agree (performance, variants)")
        variants, cases, _ = ref["calls"]["variants"]["summary"]
        pm = results.get("pm4py")
        if pm is not None:
            assert pm["calls"]["pm4py"]["summary"] == ref["calls"]["variants"]["summary"], (
                f"{label}: pm4py's variants differ from cx.variants"
            )
            done.append(
                f"{label}: pm4py's {variants:,} variants of {cases:,} cases equal cx.variants'"
            )
    return done


# -- reporting --------------------------------------------------------------


@dataclass
class Result:
    events: int
    source: str
    engine: str
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    prep_s: float | None = None
    load_s: float | None = None


def x(a: float, b: float) -> str:
    return f"{a / b:.2f}x"


def performance_table(results: list[Result]) -> str:
    lines = [
        "| events | input | engine | discover s | performance s | performance / discover "
        "| CPU: discover s | CPU: performance s | performance / discover, CPU "
        "| peak MB above input: discover | peak MB: performance |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "performance" not in r.calls:
            continue
        d, p = r.calls["discover"], r.calls["performance"]
        lines.append(
            f"| {size_label(r.events)} | {r.source} | {r.engine} | {d['wall']:.3f} "
            f"| {p['wall']:.3f} | {x(p['wall'], d['wall'])} | {d['cpu']:.3f} | {p['cpu']:.3f} "
            f"| {x(p['cpu'], d['cpu'])} | {d['peak'] / MB:.0f} | {p['peak'] / MB:.0f} |"
        )
    return "\n".join(lines)


def variants_table(results: list[Result]) -> str:
    lines = [
        "| events | input | engine | variants s | CPU s | peak MB above input "
        "| vs pm4py get_variants | vs pm4py, CPU |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    by_input = {(r.events, r.source): r for r in results if r.engine == "pm4py"}
    for r in results:
        call = r.calls.get("variants") or r.calls.get("pm4py")
        if call is None:
            continue
        pm = by_input.get((r.events, r.source))
        ref = pm.calls["pm4py"] if pm else None
        name = "pm4py get_variants" if r.engine == "pm4py" else r.engine
        lines.append(
            f"| {size_label(r.events)} | {r.source} | {name} | {call['wall']:.3f} "
            f"| {call['cpu']:.3f} | {call['peak'] / MB:.0f} "
            f"| {x(call['wall'], ref['wall']) if ref else '–'} "
            f"| {x(call['cpu'], ref['cpu']) if ref else '–'} |"
        )
    return "\n".join(lines)


def prep_table(results: list[Result]) -> str:
    lines = [
        "| events | input | read the frame, s | pm4py.format_dataframe, s |",
        "|---:|---|---:|---:|",
    ]
    seen: dict[tuple[int, str], list[Result]] = {}
    for r in results:
        seen.setdefault((r.events, r.source), []).append(r)
    for (n, source), rs in seen.items():
        loads = [r.load_s for r in rs if r.load_s is not None]
        preps = [r.prep_s for r in rs if r.prep_s is not None]
        lines.append(
            f"| {size_label(n)} | {source} | {f'{min(loads):.2f}' if loads else '–'} "
            f"| {f'{preps[0]:.2f}' if preps else '–'} |"
        )
    return "\n".join(lines)


def verdicts(results: list[Result]) -> list[str]:
    out = []
    by_input = {(r.events, r.source): r for r in results if r.engine == "pm4py"}
    for r in results:
        label = f"{size_label(r.events)} {r.source}, {r.engine}"
        if "performance" in r.calls:
            d, p = r.calls["discover"], r.calls["performance"]
            wall, cpu = p["wall"] / d["wall"], p["cpu"] / d["cpu"]
            out.append(
                f"performance within 2x discover, {label}: {wall:.2f}x wall "
                f"{'met' if wall <= 2 else 'MISSED'}, {cpu:.2f}x CPU "
                f"{'met' if cpu <= 2 else 'MISSED'}"
            )
        pm = by_input.get((r.events, r.source))
        if "variants" in r.calls and pm is not None and not r.engine.endswith("(path)"):
            v, ref = r.calls["variants"], pm.calls["pm4py"]
            wall, cpu = v["wall"] / ref["wall"], v["cpu"] / ref["cpu"]
            if r.events >= 1_000_000:
                out.append(
                    f"variants at most 0.1x pm4py's get_variants, {label}: {wall:.2f}x wall "
                    f"{'met' if wall <= 0.1 else 'MISSED'}, {cpu:.2f}x CPU "
                    f"{'met' if cpu <= 0.1 else 'MISSED'}"
                )
            if pm.prep_s is not None:
                both = ref["wall"] + pm.prep_s
                out.append(
                    f"for reference, variants against pm4py's format_dataframe + get_variants "
                    f"(both from the same string columns), {label}: {v['wall'] / both:.2f}x wall"
                )
    return out


def versions() -> str:
    return package_versions(["cxgraph", "numpy", "pandas", "pyarrow", "duckdb", "pm4py", "psutil"])


SRC = Path(__file__).resolve().parents[1] / "src" / "cxgraph"


def source_digest() -> str:
    """A digest of cxgraph's source files, to tell whether they changed during the run."""
    h = hashlib.sha256()
    for f in sorted(SRC.rglob("*.py")):
        h.update(str(f.relative_to(SRC)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def source_state() -> str:
    """The commit measured, and whether cxgraph's source differs from it."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=SRC, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "cxgraph source: not a git checkout"
    dirty = git("status", "--porcelain", "--", ".")
    return f"cxgraph at commit {commit}" + (" with uncommitted changes in src" if dirty else "")


def write_readme(path: Path, block: str) -> None:
    """Put ``block`` between the result markers of the Performance and variants section."""
    shared_write_readme(path, block, start=START, end=END, section="Performance and variants")


# -- main -------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", nargs="+", type=parse_size, default=list(SIZES.values()), metavar="N"
    )
    parser.add_argument(
        "--sources", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"]
    )
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--repeat", type=int, help="best of N runs (default: 3 at 1M, 2 at 5M)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the generated logs here and reuse them (default: a temporary folder)",
    )
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args(argv)
    command = shlex.join([Path(sys.executable).as_posix(), *sys.argv])

    engines = list(args.engines)
    pm4py_note = ""
    if "pm4py" in engines and not have_pm4py():
        engines.remove("pm4py")
        pm4py_note = (
            "pm4py is not installed: no variants comparison (it is AGPL, so install it "
            "only in a benchmark environment: pip install pm4py)"
        )
        print(pm4py_note, flush=True)

    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="cxgraph-bench-performance-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    load_before = load_average()
    state, digest = source_state(), source_digest()
    print(
        f"{machine()}\n{versions()}\n{state}\nload average {load_before}\ndata in {folder}",
        flush=True,
    )
    results: list[Result] = []
    checks: list[str] = []
    sampled = False
    try:
        warm_csv, warm_pq = ensure_log(folder, WARMUP_EVENTS, args.seed + 1)
        for n in sorted(args.sizes):
            print(f"\n{size_label(n)} events", flush=True)
            csv_path, pq_path = ensure_log(folder, n, args.seed)
            repeat = args.repeat or AUTO_REPEAT.get(n, 3 if n < 5_000_000 else 2)
            for source in args.sources:
                path, warm = (pq_path, warm_pq) if source == "parquet" else (csv_path, warm_csv)
                here: dict[str, dict[str, Any]] = {}
                for engine in engines:
                    res = in_child(run_task, Task(n, source, engine, path, warm, repeat))
                    here[engine] = res
                    sampled = sampled or not res.get("exact_memory", True)
                    for call, c in res["calls"].items():
                        runs = ", ".join(f"{w:.3f}" for w in c["walls"])
                        print(
                            f"  {source:8s}{engine:15s}{call:12s}{c['wall']:9.3f} s "
                            f"{c['peak'] / MB:7.0f} MB above input   (runs: {runs})",
                            flush=True,
                        )
                    results.append(
                        Result(n, source, engine, res["calls"], res["prep_s"], res["load_s"])
                    )
                # Results must agree before any time means anything.
                done = check(n, source, here)
                for line in done:
                    print(f"  {line}", flush=True)
                checks.extend(done)
    finally:
        if args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)

    changed = ""
    if source_digest() != digest:
        changed = (
            "WARNING: cxgraph's source files changed during the run: the rows mix two "
            "versions of the code; run it again."
        )
        print(changed, flush=True)
    results.sort(key=lambda r: (r.events, args.sources.index(r.source), ENGINES.index(r.engine)))
    perf, var, prep = performance_table(results), variants_table(results), prep_table(results)
    lines = verdicts(results)
    print("\n" + perf + "\n\n" + var + "\n\nNot timed:\n\n" + prep + "\n")
    print("\n".join(lines))
    if not args.no_readme:
        block = "\n".join(
            [
                f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}; load average "
                f"{load_before} at the start and {load_average()} at the end.",
                "",
                versions() + f"; {state}.",
                "",
                *([changed, ""] if changed else []),
                "```",
                command,
                "```",
                "",
                "`performance` against `discover` (same engine, same input):",
                "",
                perf,
                "",
                "`variants` against pm4py's `get_variants` (same frame; pm4py's after its "
                "`format_dataframe`, which is not timed):",
                "",
                var,
                "",
                "Seconds are the best of the runs; peak memory is the largest above what the "
                "process held before the call ("
                + (
                    "sampled: no resettable high-water mark here"
                    if sampled
                    else "the kernel's high-water mark, reset before each call"
                )
                + "). Rows marked (path) include reading the file; the others start from the "
                "loaded frame.",
                "",
                "Not timed: reading the frame (best over the frame rows) and pm4py's preparation:",
                "",
                prep,
                "",
                *([pm4py_note, ""] if pm4py_note else []),
                *checks_and_targets(checks, lines, "Targets:"),
            ]
        )
        write_readme(args.readme, block)
        print(f"\nwrote the results into {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
