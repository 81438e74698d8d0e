"""The Spark engine at scale: ``cx.discover(..., engine="spark")`` against numpy.

Run it with a Python that has the benchmark extras and pyspark (and a Java
runtime for Spark)::

    /work/bench-venv/bin/pip install -e . pyspark pyarrow pandas psutil
    /work/bench-venv/bin/python benchmarks/bench_spark.py [--sizes 1M] [--repeat 3]

For each size it writes one generated log (``generate_log.py``, as
``bench_discover.py`` does: interleaved customers, string case ids, ISO 8601
text timestamps with mixed offsets) to a CSV and a Parquet file under a
temporary folder, then runs two spawned child processes (each starts clean):

* ``spark``: one process, one local Spark session, as a user on one machine
  has it. Its first call, ``cx.discover(parquet, engine="spark")``, starts
  the session (cxgraph's own: ``local[*]``, quiet) and is timed whole; then
  the session is up and each of these is timed, best of ``--repeat``, with
  the default ``times=True`` (durations and variants measured too) and with
  ``times=False`` (counting only): ``cx.discover`` on the Parquet path, on
  the CSV path, and on a Spark DataFrame the user read
  (``spark.read.parquet(path)``, the way users with a cluster call it);
* ``numpy``: ``cx.discover(parquet)`` on the same file, with and without
  times, best of ``--repeat`` after a warm-up call.

Wall seconds are the measure; CPU seconds are those of the process and its
children (the JVM's included), the steadier figure on a machine shared with
other jobs. Ratios compare Spark's best call once the session is up with
numpy's on the same log and the same ``times``. Before any time is reported
the script checks that every Spark call's journey equals numpy's (as
``bench_discover.py`` compares them: the name taken from a file left out),
and stops if not. The table goes to stdout and, unless ``--no-readme``, into
the Spark section of ``benchmarks/README.md`` between its result markers,
with the machine, versions, date and command.

Target (design notes, "Scale"): the Spark engine on 1M events in under 30 s
per call once its session is up.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_discover import (
    checks_and_targets,
    ensure_log,
    in_child,
    journey_dict,
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

README = Path(__file__).parent / "README.md"
START, END = "<!-- spark-results:start -->", "<!-- spark-results:end -->"
#: Target: seconds per call once the session is up, at 1M events.
TARGET_S = 30.0


def cpu_seconds() -> float:
    """CPU seconds of this process and its children (Spark's JVM)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # a child that ended
            total += sum(child.cpu_times()[:2])
    return total


def timed(fn: Any, repeat: int) -> tuple[float, float, list[float], Any]:
    """Best wall and CPU seconds of ``repeat`` runs, every wall time, the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        c0, w0 = cpu_seconds(), time.perf_counter()
        result = fn()
        w1, c1 = time.perf_counter(), cpu_seconds()
        walls.append(w1 - w0)
        cpus.append(c1 - c0)
    return min(walls), min(cpus), walls, result


def run_spark(csv_path: str, pq_path: str, repeat: int) -> dict[str, Any]:
    """In the child: the first call (the session starts), then every input, best of ``repeat``."""
    warnings.simplefilter("ignore")
    import cxgraph as cx

    c0, w0 = cpu_seconds(), time.perf_counter()
    first = cx.discover(pq_path, engine="spark")
    out: dict[str, Any] = {
        "first": (time.perf_counter() - w0, cpu_seconds() - c0),
        "journeys": {"first call, parquet path, times": journey_dict(first)},
        "rows": [],
    }
    from pyspark.sql import SparkSession

    spark = SparkSession.active()
    out["partitions"] = spark.conf.get("spark.sql.shuffle.partitions")
    out["cores"] = spark.sparkContext.defaultParallelism
    frame = spark.read.parquet(pq_path)
    inputs = [("parquet path", pq_path), ("csv path", csv_path), ("Spark DataFrame", frame)]
    for times in (True, False):
        for label, source in inputs:
            wall, cpu, walls, journey = timed(
                lambda s=source, t=times: cx.discover(s, engine="spark", times=t), repeat
            )
            out["rows"].append((label, times, wall, cpu, walls))
            out["journeys"][f"{label}, {'times' if times else 'no times'}"] = journey_dict(journey)
            print(
                f"  spark  {label:16s} times={times!s:5s} best {wall:6.2f} s "
                f"(runs: {', '.join(f'{w:.2f}' for w in walls)})",
                flush=True,
            )
    return out


def run_numpy(pq_path: str, repeat: int) -> dict[str, Any]:
    """In the child: numpy on the Parquet file, with and without times, after a warm-up."""
    import cxgraph as cx

    cx.discover(pq_path, times=False)
    out: dict[str, Any] = {"rows": [], "journeys": {}}
    for times in (True, False):
        wall, cpu, walls, journey = timed(lambda t=times: cx.discover(pq_path, times=t), repeat)
        out["rows"].append(("parquet path", times, wall, cpu, walls))
        out["journeys"][times] = journey_dict(journey)
        print(f"  numpy  parquet path     times={times!s:5s} best {wall:6.2f} s", flush=True)
    return out


def java_version() -> str:
    """The first line of ``java -version``, or why there is none."""
    java = shutil.which("java") or (
        str(Path(os.environ["JAVA_HOME"], "bin", "java")) if "JAVA_HOME" in os.environ else None
    )
    if java is None:
        return "Java (not found)"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    line = (done.stderr or done.stdout).splitlines()
    return line[0].strip() if line else "Java (unknown version)"


def versions() -> str:
    names = ["cxgraph", "pyspark", "numpy", "pandas", "pyarrow", "psutil"]
    return package_versions(names) + f", {java_version()}"


def write_readme(path: Path, block: str) -> None:
    """Put ``block`` between the result markers of the Spark section."""
    shared_write_readme(path, block, start=START, end=END, section="Spark")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=[1_000_000], metavar="N")
    parser.add_argument("--repeat", type=int, default=3, help="best of N calls (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the generated logs here and reuse them (default: a temporary folder)",
    )
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args(argv)
    command = shlex.join(["python", *[Path(a).as_posix() for a in sys.argv[:1]], *sys.argv[1:]])

    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="cxgraph-bench-spark-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    load_before = load_average()
    print(f"{machine()}\n{versions()}\nload average {load_before}\ndata in {folder}", flush=True)
    lines = [
        "| events | input | times | first call s | best call s | CPU s | runs, s | vs numpy |",
        "|---:|---|---|---:|---:|---:|---|---:|",
    ]
    verdicts: list[str] = []
    checks: list[str] = []
    setup = ""
    try:
        for n in sorted(args.sizes):
            label = size_label(n)
            print(f"\n{label} events", flush=True)
            csv_path, pq_path = ensure_log(folder, n, args.seed)
            spark = in_child(run_spark, csv_path, pq_path, args.repeat)
            numpy = in_child(run_numpy, pq_path, args.repeat)
            for name, journey in spark["journeys"].items():
                times = not name.endswith("no times")
                assert journey == numpy["journeys"][times], f"spark ({name}) differs at {label}"
            checks.append(f"{label}: all {len(spark['journeys'])} Spark calls give numpy's journey")
            print(f"  journeys identical: {len(spark['journeys'])} Spark calls and numpy")
            setup = (
                f"the session had {spark['cores']} cores and {spark['partitions']} shuffle "
                "partitions as its own setting"
            )
            ref = {t: (w, c) for _, t, w, c, _ in numpy["rows"]}
            for _, times, wall, cpu, walls in numpy["rows"]:
                runs = ", ".join(f"{w:.2f}" for w in walls)
                lines.append(
                    f"| {label} | numpy, parquet path | {'yes' if times else 'no'} | – "
                    f"| {wall:.2f} | {cpu:.2f} | {runs} | 1.00x |"
                )
            first_wall, first_cpu = spark["first"]
            for i, (source, times, wall, cpu, walls) in enumerate(spark["rows"]):
                runs = ", ".join(f"{w:.2f}" for w in walls)
                first = f"{first_wall:.1f}" if i == 0 else "–"
                ratio = wall / ref[times][0]
                lines.append(
                    f"| {label} | spark, {source} | {'yes' if times else 'no'} | {first} "
                    f"| {wall:.2f} | {cpu:.2f} | {runs} | {ratio:.0f}x |"
                )
                if n == 1_000_000:
                    mark = "met" if wall < TARGET_S else "MISSED"
                    verdicts.append(
                        f"spark under {TARGET_S:.0f} s per call once the session is up, "
                        f"{label} {source}, times={'yes' if times else 'no'}: "
                        f"{wall:.1f} s, {mark}"
                    )
            print(
                f"  first call (session start included) {first_wall:.1f} s wall, "
                f"{first_cpu:.1f} s CPU",
                flush=True,
            )
    finally:
        if args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)

    table = "\n".join(lines)
    print("\n" + table + "\n")
    print("\n".join(verdicts))
    if not args.no_readme:
        block = "\n".join(
            [
                *measured(started, load_before, versions(), command),
                table,
                "",
                "One child process per engine. The first call starts cxgraph's own local "
                f"Spark session ({setup}; the engine sets the shuffle partitions for each "
                "job from the size of the log and the cores, and puts the setting back); "
                f"the others are best of {args.repeat} once the session is up. CPU seconds "
                "include Spark's JVM. The ratio is against numpy on the Parquet file with "
                "the same `times`.",
                "",
                *checks_and_targets(checks, verdicts, "Target:"),
            ]
        )
        write_readme(args.readme, block)
        print(f"\nwrote the results into {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
