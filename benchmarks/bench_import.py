"""How long ``import cxgraph`` takes beyond importing its own dependencies.

Run: ``python benchmarks/bench_import.py [--runs 15]``.

Each run is a fresh Python process that first imports what cxgraph is built
on (networkx, numpy, attrs, cattrs, yaml), then ``cxgraph``, and times the
two steps apart with ``time.perf_counter``. A user pays for the dependencies
whatever library they pick; what cxgraph adds is the second number. The table
gives the median and the best of the runs, and the ratio of cxgraph's own
time to the dependencies' time.

The target (issue "The layered house"): cxgraph's own import at most 0.1 s
more than its dependencies in the same process. ``cx.plot`` is imported on
first use and matplotlib only when a picture is drawn, so neither is counted.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys

PROBE = """
import time
t0 = time.perf_counter()
import networkx, numpy, attrs, cattrs, yaml
t1 = time.perf_counter()
import cxgraph
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""

TARGET_S = 0.1


def run_once() -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    run_once()  # warm the file cache and write bytecode before timing
    deps, own = zip(*(run_once() for _ in range(args.runs)), strict=True)
    print(f"python {platform.python_version()}, {args.runs} fresh processes")
    print(f"{'':>22} {'median s':>9} {'best s':>8}")
    print(f"{'dependencies':>22} {statistics.median(deps):>9.3f} {min(deps):>8.3f}")
    print(f"{'cxgraph on top':>22} {statistics.median(own):>9.3f} {min(own):>8.3f}")
    ratio = statistics.median(own) / statistics.median(deps)
    print(f"cxgraph / dependencies: {ratio:.2f}x (median)")
    verdict = "met" if statistics.median(own) <= TARGET_S else "missed"
    print(f"target: cxgraph at most {TARGET_S} s over its dependencies: {verdict}")


if __name__ == "__main__":
    main()
