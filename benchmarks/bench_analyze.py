"""How long ``cx.analyze`` takes on generated journeys of 100 to 100,000 steps.

Run: ``python benchmarks/bench_analyze.py [--sizes 100 1000 10000 100000]``.

Each row times, in one process, side by side:

- ``networkx``: what a user would write by hand with networkx for the graph
  part of the questions: build a DiGraph of the steps, its condensation, and
  the immediate dominators from the entry (no ownership, no probabilities);
- ``analyze``: every analysis ``cx.analyze`` runs by default, plus the time
  of each analysis on its own.

The ratio ``analyze / networkx`` says what the whole report costs against the
bare graph pass. Both are the best of ``--repeat`` runs (3 by default: on a
shared machine one run of the same work varies by 10-15%). The targets:
``analyze`` on 10,000 steps under 5 s, on 100,000 under 10 s.
``--long-loops`` makes 5% of the steps loop back to any earlier step, which
joins most of the journey into one strongly connected component: the case of
design section 8's bound (exact up to 5,000 steps in one component).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate_journey

import cxgraph as cx


def networkx_baseline(j: cx.Journey) -> float:
    t = time.perf_counter()
    G: nx.DiGraph[str] = nx.DiGraph()
    G.add_nodes_from(s.id for s in j.steps)
    G.add_edges_from((e.source, e.target) for e in j.edges)
    C = nx.condensation(G)
    nx.immediate_dominators(G, j.entries[0].step)
    _ = C.number_of_nodes()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000])
    parser.add_argument(
        "--long-loops",
        action="store_true",
        help="loops back to any earlier step (5%% of steps): one large loop, the Markov bound",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="best of N runs (default 3: a shared machine varies)"
    )
    args = parser.parse_args()
    names = cx.registered_analyses()
    # Warm up: the first call pays for imports (scipy, numpy), not for the analyses.
    cx.analyze(generate_journey(50, seed=2))
    print(f"{'steps':>8} {'networkx s':>11} {'analyze s':>10} {'ratio':>7}  slowest analyses")
    for n in args.sizes:
        j = (
            generate_journey(n, seed=1, loop_share=0.05, long_loops=True)
            if args.long_loops
            else generate_journey(n, seed=1)
        )
        base = min(networkx_baseline(j) for _ in range(args.repeat))
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            cx.analyze(j)
            runs.append(time.perf_counter() - t)
        total = min(runs)
        each = {}
        for name in names:
            t = time.perf_counter()
            cx.analyze(j, analyses=[name])
            each[name] = time.perf_counter() - t
        slow = ", ".join(
            f"{k} {v:.2f}s" for k, v in sorted(each.items(), key=lambda kv: -kv[1])[:3]
        )
        print(f"{n:>8} {base:>11.3f} {total:>10.3f} {total / base:>7.1f}  {slow}", flush=True)


if __name__ == "__main__":
    main()
