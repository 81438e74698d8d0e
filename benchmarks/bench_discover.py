"""Discovery at scale: ``cx.discover`` against a plain directly-follows count and pm4py.

Run it with a Python that has the benchmark extras (pm4py is AGPL: install it
only in a separate benchmark environment, never as a cxgraph dependency)::

    python -m venv /work/bench-venv
    /work/bench-venv/bin/pip install -e . pm4py duckdb pyarrow pandas polars psutil
    /work/bench-venv/bin/python benchmarks/bench_discover.py [--sizes 10k 100k 1M 5M]

For each size it writes one generated log (``generate_log.py``: interleaved
customers, string case ids, ISO 8601 text timestamps with mixed offsets) to a
CSV and a Parquet file under a temporary folder, then times, each run in its
own child process (spawned, so it starts clean):

* ``baseline``: the plain directly-follows count over the same pandas frame:
  ``pd.factorize`` case and activity, ``pd.to_datetime(utc=True,
  format="ISO8601")`` (text timestamps with offsets must be parsed to be
  ordered), one ``np.lexsort`` by case and time, ``np.bincount`` of pairs;
* ``numpy``: ``cx.discover(frame, engine="numpy", times=False)`` on that frame
  (counting only, as ``discover_dfg`` does; with its default ``times=True``
  discover also measures durations and variants: see ``bench_performance.py``);
* ``pm4py``: ``pm4py.discover_dfg(frame)``; pm4py needs
  ``pm4py.format_dataframe`` first (it parses the timestamps and sorts), which
  is done before the clock starts: only the discovery is timed. The format
  time is listed apart;
* ``encode floor``: pyarrow's ``dictionary_encode`` of the case and activity
  columns of the same frame and nothing else (no times, no order, no
  counts): what encoding the two string columns costs in compiled code,
  which every engine must do before it can count, and a floor under it;
* ``numpy (path)`` and ``duckdb (path)``: ``cx.discover(path, times=False)`` straight on the
  Parquet or CSV file, reading included (DuckDB scans it out of core).

Frames are read with ``pd.read_parquet`` / ``pd.read_csv`` with their
defaults, so the columns are strings as read. Each child imports what it needs,
loads its input, warms up on a 2,000-event log, then measures: wall seconds
(best of ``--repeat``), CPU seconds of the process, and the peak resident
memory above what it held before the run (after imports and the loaded input;
on Linux the kernel's high-water mark is reset first, elsewhere RSS is
sampled). Ratios compare wall seconds with the baseline and with pm4py on the
same input.

It checks the results as it goes: all cxgraph runs give the same journey
(frames and paths, numpy and DuckDB, CSV and Parquet; the file name is left
out), the baseline's pair counts and pm4py's directly-follows counts equal
the journey's transition counts (the flows from starts and into the end
left out), and stops with an error if not. The table goes to stdout and,
unless ``--no-readme``, into the Discovery section of ``benchmarks/README.md``
between its result markers, with the machine, versions, date and command.

Targets (design.md, section 8, and issue 21): ``numpy`` within 1.5x the
baseline; at most 0.08x pm4py's time at 1M and 5M events (0.1x in section 8);
at least 5M events/s; under 1 GiB above the input at 5M events.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import platform
import re
import shlex
import shutil
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

CASE, ACTIVITY, TIME = "case:concept:name", "concept:name", "time:timestamp"
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
#: Best of this many runs per size when --repeat is not given.
AUTO_REPEAT = {10_000: 7, 100_000: 5, 1_000_000: 3, 5_000_000: 2}
WARMUP_EVENTS = 2_000
ENGINES = ("baseline", "numpy", "pm4py", "encode floor", "numpy (path)", "duckdb (path)")
README = Path(__file__).parent / "README.md"
START, END = "<!-- discovery-results:start -->", "<!-- discovery-results:end -->"
MB = 2**20


def parse_size(text: str) -> int:
    """``10k``, ``1M``, ``5_000_000`` or ``250000`` as a number of events."""
    t = text.replace("_", "").strip()
    scale = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(t[-1:], 1)
    number = t[:-1] if scale != 1 else t
    try:
        return int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 10k, 1M, 250000)") from None


def size_label(n: int) -> str:
    """``10k``, ``1M``, ``2.5M``: how the table names a size."""
    for label, value in SIZES.items():
        if value == n:
            return label
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    return f"{n / 1_000:g}k" if n >= 1_000 else str(n)


# -- memory -----------------------------------------------------------------


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            found = re.search(rf"^{field}:\s+(\d+) kB", fh.read(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) if found else None


def current_rss() -> int:
    """This process's resident memory in bytes."""
    kib = _status_kib("VmRSS")
    if kib is not None:
        return kib * 1024
    import psutil

    return int(psutil.Process().memory_info().rss)


class PeakMemory:
    """The peak resident memory of this process during a block, above its start.

    On Linux the kernel's high-water mark (``VmHWM``) is reset by writing 5 to
    ``/proc/self/clear_refs``, so the peak is exact and costs nothing. Where
    that is not possible, a thread samples RSS every millisecond with psutil
    (a peak shorter than that can be missed).
    """

    def __enter__(self) -> PeakMemory:
        gc.collect()
        self.start = current_rss()
        self.peak = 0
        self._sampler: threading.Thread | None = None
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            self.exact = _status_kib("VmHWM") is not None
        except OSError:
            self.exact = False
        if not self.exact:
            self._stop = threading.Event()
            self._sampler = threading.Thread(target=self._sample, daemon=True)
            self._sampler.start()
        return self

    def _sample(self) -> None:
        import psutil

        proc = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, proc.memory_info().rss)
            self._stop.wait(0.001)

    def __exit__(self, *exc: object) -> None:
        if self._sampler is not None:
            self._stop.set()
            self._sampler.join()
            self.peak = max(self.peak, current_rss())
        else:
            self.peak = (_status_kib("VmHWM") or 0) * 1024

    @property
    def above(self) -> int:
        """Bytes above the resident memory at the start (never negative)."""
        return max(0, self.peak - self.start)


# -- the contenders ---------------------------------------------------------


def plain_count(frame: Any) -> dict[tuple[str, str], int]:
    """The baseline: a plain directly-follows count over a pandas frame."""
    import numpy as np
    import pandas as pd

    case, _ = pd.factorize(frame[CASE])
    act, names = pd.factorize(frame[ACTIVITY])
    t = pd.to_datetime(frame[TIME], utc=True, format="ISO8601").to_numpy("int64")
    order = np.lexsort((t, case))
    a, c = act[order], case[order]
    same = c[1:] == c[:-1]
    k = len(names)
    counts = np.bincount(a[:-1][same] * k + a[1:][same], minlength=k * k)
    nz = np.flatnonzero(counts)
    labels = [str(x) for x in names]
    return {
        (labels[i // k], labels[i % k]): int(n)
        for i, n in zip(nz.tolist(), counts[nz].tolist(), strict=True)
    }


def journey_dict(journey: Any) -> dict[str, Any]:
    """The journey as plain data, without the name it takes from a file name."""
    import cxgraph as cx

    d = cx.to_dict(journey)
    d["journey"] = {**d["journey"], "id": "discovered", "name": "Discovered journey"}
    return d


def journey_pairs(d: dict[str, Any]) -> dict[tuple[str, str], int]:
    """Directly-follows counts of a discovered journey: its transitions between
    activities (flows into the end outcome left out, as entries are)."""
    names = {t["id"]: t["name"] for t in d["touchpoints"]}
    names.update({o["id"]: o["name"] for o in d["outcomes"] if o["id"] != "end"})
    return {
        (names[t["source"]], names[t["target"]]): int(t["count"])
        for t in d["transitions"]
        if t["target"] in names
    }


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Hide pm4py's banner and warnings."""
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


def have_pm4py() -> bool:
    import importlib.util

    return importlib.util.find_spec("pm4py") is not None


@dataclass(frozen=True)
class Task:
    """One contender on one input, run in a child process."""

    events: int
    source: str  # "parquet" or "csv"
    engine: str  # one of ENGINES
    path: str
    warmup: str
    repeat: int


def run_task(task: Task) -> dict[str, Any]:
    """In the child: import, load the input, warm up, then measure ``repeat`` runs."""
    import cxgraph as cx

    out: dict[str, Any] = {"load_s": None, "prep_s": None}
    run: Callable[[], Any]
    if task.engine.endswith("(path)"):
        engine = task.engine.split()[0]
        if engine == "duckdb":
            import duckdb  # noqa: F401 - imported before the baseline, not during the run
        cx.discover(task.warmup, engine=engine, times=False)

        def run() -> Any:
            return cx.discover(task.path, engine=engine, times=False)

    else:
        import pandas as pd
        import pyarrow.csv
        import pyarrow.parquet  # imported here so that the read time below is reading only

        t0 = time.perf_counter()
        frame = pd.read_parquet(task.path) if task.source == "parquet" else pd.read_csv(task.path)
        out["load_s"] = time.perf_counter() - t0
        if task.engine == "pm4py":
            with quiet():
                import pm4py

                t0 = time.perf_counter()
                frame = pm4py.format_dataframe(frame)
                out["prep_s"] = time.perf_counter() - t0
                pm4py.discover_dfg(frame.head(WARMUP_EVENTS).copy())

            def run() -> Any:
                with quiet():
                    return pm4py.discover_dfg(frame)

        elif task.engine == "encode floor":
            import pyarrow as pa
            import pyarrow.compute as pc

            # The frame's columns as arrow arrays (no copy for arrow-backed
            # strings) before the clock starts: only the encoding is timed.
            columns = [pa.array(frame[c]) for c in ("case:concept:name", "concept:name")]
            [pc.dictionary_encode(c[:WARMUP_EVENTS]) for c in columns]

            def run() -> Any:
                return [pc.dictionary_encode(c) for c in columns]

        elif task.engine == "baseline":
            plain_count(frame.head(WARMUP_EVENTS))

            def run() -> Any:
                return plain_count(frame)

        else:
            cx.discover(frame.head(WARMUP_EVENTS), times=False)

            def run() -> Any:
                return cx.discover(frame, engine="numpy", times=False)

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
    out.update(wall=min(walls), cpu=min(cpus), peak=max(peaks), walls=walls)
    if task.engine == "pm4py":
        dfg = result[0]  # type: ignore[index]
        out["pairs"] = {(str(a), str(b)): int(n) for (a, b), n in dfg.items()}
    elif task.engine == "baseline":
        out["pairs"] = result
    elif task.engine == "encode floor":
        out["encoded"] = [len(c) for c in result]  # type: ignore[union-attr]
    else:
        out["journey"] = journey_dict(result)
    return out


def in_child(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` in a freshly spawned process and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# -- data -------------------------------------------------------------------


def write_log(n: int, seed: int, csv_path: str, parquet_path: str) -> tuple[int, int]:
    """In a child: generate a log of ``n`` events, write it as CSV and Parquet."""
    from generate_log import generate_log

    log = generate_log(n, seed=seed)
    log.to_csv(csv_path, index=False)
    log.to_parquet(parquet_path, index=False)
    return len(log), int(log[CASE].nunique())


def ensure_log(folder: Path, n: int, seed: int) -> tuple[str, str]:
    """The CSV and Parquet paths of the log of ``n`` events, written if absent."""
    csv_path, pq_path = folder / f"log_{n}_s{seed}.csv", folder / f"log_{n}_s{seed}.parquet"
    if csv_path.exists() and pq_path.exists():
        print(f"  reusing {csv_path.name}, {pq_path.name}", flush=True)
    else:
        t0 = time.perf_counter()
        events, cases = in_child(write_log, n, seed, str(csv_path), str(pq_path))
        print(
            f"  wrote {events:,} events in {cases:,} cases to {folder} "
            f"({csv_path.stat().st_size / MB:.0f} MB CSV, "
            f"{pq_path.stat().st_size / MB:.0f} MB Parquet) in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
    return str(csv_path), str(pq_path)


# -- reporting --------------------------------------------------------------


@dataclass
class Row:
    """One line of the table; ratios are None where there is nothing to compare."""

    events: int
    source: str
    engine: str
    wall: float
    cpu: float
    peak: int
    base: tuple[float, float] | None = None  # (wall, CPU) of the baseline on this input
    pm4py: tuple[float, float] | None = None
    pm4py_prep: float | None = None  # wall seconds of pm4py.format_dataframe

    def ratio(self, other: tuple[float, float] | None, cpu: bool) -> float | None:
        if other is None:
            return None
        return self.cpu / other[1] if cpu else self.wall / other[0]


def fmt_ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}x"


def table(rows: list[Row]) -> str:
    """The results as a Markdown table (also readable as text)."""
    lines = [
        "| events | input | engine | wall s | CPU s | events/s | peak MB above input "
        "| vs baseline | vs baseline, CPU | vs pm4py | vs pm4py, CPU |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {size_label(r.events)} | {r.source} | {r.engine} | {r.wall:.3f} | {r.cpu:.3f} "
            f"| {r.events / r.wall / 1e6:.2f}M | {r.peak / MB:.0f} "
            f"| {fmt_ratio(r.ratio(r.base, False))} | {fmt_ratio(r.ratio(r.base, True))} "
            f"| {fmt_ratio(r.ratio(r.pm4py, False))} | {fmt_ratio(r.ratio(r.pm4py, True))} |"
        )
    return "\n".join(lines)


def package_versions(names: Sequence[str], python_note: str = "") -> str:
    """``Python 3.11.7, cxgraph 0.1.0, numpy 2.4.6, ...``: each package's version, or
    that it is not installed; ``python_note`` follows Python's version."""
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return f"Python {platform.python_version()}{python_note}, " + ", ".join(found)


def versions() -> str:
    return package_versions(["cxgraph", "numpy", "pandas", "pyarrow", "duckdb", "pm4py", "psutil"])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        found = re.search(r"^model name\s*:\s*(.+)$", fh.read(), re.MULTILINE)
        if found:
            cpu = found.group(1).strip()
    ram = ""
    with contextlib.suppress(ImportError):
        import psutil

        ram = f", {psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores ({cpu}){ram}, {platform.system()} {platform.release()}"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on this platform
        return "unknown"


def verdicts(rows: list[Row]) -> list[str]:
    """Each design target for the numpy engine on frames: met or missed, on wall
    time and on CPU time (wall time suffers from other jobs on a shared machine)."""

    def judged(what: str, wall: float, cpu: float, ok: Callable[[float], bool], unit: str) -> str:
        marks = [
            f"{wall:.2f}{unit} wall {'met' if ok(wall) else 'MISSED'}",
            f"{cpu:.2f}{unit} CPU {'met' if ok(cpu) else 'MISSED'}",
        ]
        return f"{what}: " + ", ".join(marks)

    out = []
    floors = {(r.events, r.source): r for r in rows if r.engine == "encode floor"}
    for r in (r for r in rows if r.engine == "numpy"):
        label = f"{size_label(r.events)} {r.source}"
        if r.base is not None:
            out.append(
                judged(
                    f"numpy within 1.5x the baseline, {label}",
                    r.wall / r.base[0],
                    r.cpu / r.base[1],
                    lambda x: x <= 1.5,
                    "x",
                )
            )
        if r.pm4py is not None and r.events >= 1_000_000:
            out.append(
                judged(
                    f"numpy at most 0.08x pm4py (issue 21; 0.1x in design section 8), {label}",
                    r.wall / r.pm4py[0],
                    r.cpu / r.pm4py[1],
                    lambda x: x <= 0.08,
                    "x",
                )
            )
            floor = floors.get((r.events, r.source))
            if floor is not None:
                out.append(
                    f"floor, {label}: encoding the case and activity columns alone takes "
                    f"{floor.wall / r.pm4py[0]:.2f}x pm4py's wall time and "
                    f"{floor.cpu / r.pm4py[1]:.2f}x its CPU time; numpy's whole discover is "
                    f"{r.wall / floor.wall:.1f}x that encoding (wall), {r.cpu / floor.cpu:.1f}x "
                    "(CPU)"
                )
        if r.pm4py is not None and r.pm4py_prep is not None:
            both = r.pm4py[0] + r.pm4py_prep
            out.append(
                f"for reference, numpy against pm4py's format_dataframe + discover_dfg "
                f"(both from the same string columns), {label}: {r.wall / both:.2f}x wall"
            )
        out.append(
            judged(
                f"numpy at least 5M events/s, {label}",
                r.events / r.wall / 1e6,
                r.events / r.cpu / 1e6,
                lambda x: x >= 5,
                "M/s",
            )
        )
        if r.events >= 5_000_000:
            verdict = "met" if r.peak < 2**30 else "MISSED"
            out.append(
                f"numpy under 1 GiB above the input, {label}: {r.peak / MB:.0f} MB, {verdict}"
            )
    return out


def measured(started: datetime, load_before: str, versions: str, command: str) -> list[str]:
    """The lines that open a README block: when, where, under what load, with what, how."""
    return [
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}; load average "
        f"{load_before} at the start and {load_average()} at the end: other jobs "
        "shared the machine.",
        "",
        versions + ".",
        "",
        "```",
        command,
        "```",
        "",
    ]


def checks_and_targets(checks: Sequence[str], targets: Sequence[str], heading: str) -> list[str]:
    """The closing lines of a README block: what was checked, then each target's verdict."""
    return ["Checks: " + "; ".join(checks) + ".", "", heading, "", *(f"- {x}" for x in targets)]


def write_readme(
    path: Path, block: str, *, start: str = START, end: str = END, section: str = "Discovery"
) -> None:
    """Put ``block`` between the result markers ``start`` and ``end`` of a section of
    the README, read afresh (other scripts write the other sections); a section
    not there yet is added at the end."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = f"{before}{start}\n{block}\n{end}{after}"
    else:
        text += f"\n## {section}\n\n{start}\n{block}\n{end}\n"
    path.write_text(text, encoding="utf-8")


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
    parser.add_argument("--repeat", type=int, help="best of N runs (default: 7 to 2 by size)")
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
            "pm4py is not installed: its column is empty (it is AGPL, so install it "
            "only in a benchmark environment: pip install pm4py)"
        )
        print(pm4py_note, flush=True)

    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="cxgraph-bench-discover-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    load_before = load_average()
    print(f"{machine()}\n{versions()}\nload average {load_before}\ndata in {folder}", flush=True)
    rows: list[Row] = []
    prep = [
        "| events | input | read the frame, s | pm4py.format_dataframe, s |",
        "|---:|---|---:|---:|",
    ]
    sampled = False
    checks: list[str] = []
    try:
        warm_csv, warm_pq = ensure_log(folder, WARMUP_EVENTS, args.seed + 1)
        for n in sorted(args.sizes):
            print(f"\n{size_label(n)} events", flush=True)
            csv_path, pq_path = ensure_log(folder, n, args.seed)
            repeat = args.repeat or AUTO_REPEAT.get(n, 3 if n < 5_000_000 else 2)
            journeys: dict[str, dict[str, Any]] = {}
            for source in args.sources:
                path, warm = (pq_path, warm_pq) if source == "parquet" else (csv_path, warm_csv)
                results: dict[str, dict[str, Any]] = {}
                for engine in engines:
                    res = in_child(run_task, Task(n, source, engine, path, warm, repeat))
                    results[engine] = res
                    runs = ", ".join(f"{w:.3f}" for w in res["walls"])
                    print(
                        f"  {source:8s}{engine:15s}{res['wall']:9.3f} s  "
                        f"{res['peak'] / MB:7.0f} MB above input   (runs: {runs})",
                        flush=True,
                    )
                    if "journey" in res:
                        journeys[f"{engine} on {source}"] = res["journey"]
                base = results.get("baseline")
                pm = results.get("pm4py")
                for engine, res in results.items():
                    rows.append(
                        Row(
                            n,
                            source,
                            engine,
                            res["wall"],
                            res["cpu"],
                            res["peak"],
                            (base["wall"], base["cpu"]) if base else None,
                            (pm["wall"], pm["cpu"]) if pm else None,
                            pm["prep_s"] if pm else None,
                        )
                    )
                loads = [r["load_s"] for r in results.values() if r["load_s"] is not None]
                prep.append(
                    f"| {size_label(n)} | {source} | "
                    + (f"{min(loads):.2f}" if loads else "–")
                    + " | "
                    + (f"{pm['prep_s']:.2f}" if pm else "–")
                    + " |"
                )
                if not all(r["exact_memory"] for r in results.values()):
                    sampled = True
                # Counts must agree before any time means anything.
                reference = next(iter(journeys.values()), None)
                if reference is not None:
                    mine = journey_pairs(reference)
                    if base:
                        assert base["pairs"] == mine, f"baseline counts differ at {n} {source}"
                        print(f"  baseline counts agree with cxgraph on {source}")
                        checks.append(f"{size_label(n)} {source}: baseline counts agree")
                    if pm:
                        assert pm["pairs"] == mine, f"pm4py counts differ at {n} {source}"
                        print(f"  counts agree: pm4py and cxgraph on {source} ({len(mine)} pairs)")
                        checks.append(f"{size_label(n)} {source}: counts agree with pm4py")
            if journeys:
                first_name, first = next(iter(journeys.items()))
                for name, other in journeys.items():
                    assert other == first, f"{name} differs from {first_name} at {n} events"
                print(f"  journeys identical: {', '.join(journeys)}")
                checks.append(f"{size_label(n)}: {len(journeys)} cxgraph runs, journeys identical")
    finally:
        if args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)

    rows.sort(key=lambda r: (r.events, args.sources.index(r.source), ENGINES.index(r.engine)))
    result = table(rows)
    lines = verdicts(rows)
    print("\n" + result + "\n")
    print("\n".join(["Not timed:", "", *prep, "", *lines]))
    if not args.no_readme:
        block = "\n".join(
            [
                *measured(started, load_before, versions(), command),
                result,
                "",
                "Wall seconds and CPU seconds are each the best of the runs; events/s is on "
                "wall time. Wall time includes waiting for a core while other jobs run, so the "
                "CPU-time ratios are the steadier comparison of the single-threaded contenders "
                "(baseline, numpy, pm4py); DuckDB and arrow's readers use several threads, so "
                "their CPU seconds exceed their wall seconds on an idle machine. Rows marked "
                "(path) include reading the file; the others start from the loaded frame. "
                + (
                    "Peak memory was sampled (no resettable high-water mark here)."
                    if sampled
                    else "Peak memory is the kernel's high-water mark, reset before each run."
                ),
                "",
                "Not timed: reading the frame (best over the frame rows) and pm4py's preparation:",
                "",
                *prep,
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
