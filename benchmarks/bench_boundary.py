"""The decision boundary against the Markov model it rests on.

Run it (a script, not a test)::

    python benchmarks/bench_boundary.py [--sizes 2000 10000 100000] [--repeat 5] [--sample 20]

It generates designed journeys (``generate.py``: probabilities on every edge,
loops back, hand-offs) and times, side by side in one run:

* ``cx.decision_boundary(j)``: the whole analysis, from the Journey object to
  every step's status and the boundary edges with their flows (one ``markov``
  call, one more sparse solve for every step's ``conversion_from`` at once,
  two searches over the edges);
* ``cx.markov(j)``: one call, the yardstick (the design's target: the boundary
  within 2x of it);
* for reference, what the shared solve saves: ``conversion_from`` asked the
  naive way, one sparse factorisation and solve per step, timed on a sample of
  ``--sample`` steps and extrapolated to every step (the table says so).

Nothing is cached between calls outside ``analyze`` (``_util/cache.py``), so
every timed call is cold; each repeat gets a fresh copy of its journey. The
boundary and markov take turns, best of ``--repeat`` runs each, in wall and
CPU seconds (on a machine shared with other jobs the CPU time is the
steadier), after a warm-up on a small journey that pays for imports. Before
any time is reported the script checks that every step's ``conversion_from``
equals the model's, and on the sample the naive solve's.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_changes import machine
from generate import generate_journey

import cxgraph as cx
from cxgraph.analyses.boundary import decision_boundary
from cxgraph.analyses.markov import markov

TARGET_X = 2.0


def fresh(j: cx.Journey) -> cx.Journey:
    """An equal journey that is a different object (nothing keyed on the old one applies)."""
    return attrs.evolve(j)


def best_pair(
    fns: tuple[Callable[..., Any], Callable[..., Any]],
    make: Callable[[], tuple[Any, ...]],
    repeat: int,
) -> list[tuple[float, float]]:
    """Best (wall, CPU) seconds of each of two calls, each on fresh arguments from ``make``.

    The two take turns, so that a burst of load from other jobs on a shared
    machine falls on both alike; ``make`` is not timed.
    """
    out = [(math.inf, math.inf), (math.inf, math.inf)]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            args = make()
            wall, cpu = time.perf_counter(), time.process_time()
            fn(*args)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            out[k] = (min(out[k][0], wall), min(out[k][1], cpu))
    return out


def naive(model: Any, steps: list[str]) -> tuple[float, dict[str, float]]:
    """Seconds per step, and P(success | step), factorising ``I - Q`` afresh for each step."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import splu

    chain = model._chain  # the benchmark reuses the model's own resolved chain
    n = chain.Q.shape[0]
    r = np.asarray(chain.R @ chain.success.astype(float)).ravel()
    out: dict[str, float] = {}
    t = time.perf_counter()
    for s in steps:
        lu = splu(sparse.csc_matrix(sparse.identity(n, format="csc") - chain.Q))
        out[s] = float(lu.solve(r)[chain.pos[chain.index[s]]])
    return (time.perf_counter() - t) / max(1, len(steps)), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=20)
    args = parser.parse_args()

    print(f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}")
    print(f"python benchmarks/bench_boundary.py {' '.join(sys.argv[1:])}".rstrip())
    print()
    warm = generate_journey(100, seed=0)
    decision_boundary(warm)
    markov(warm)

    rows: list[tuple[str, str, float, float, str]] = []
    checks: list[str] = []
    for n in args.sizes:
        j = generate_journey(n, seed=0)
        result = decision_boundary(j)
        model = markov(j)
        conversions = model.conversions()
        for s in result.steps:
            if s.step in conversions:
                assert s.conversion_from == conversions[s.step], s.step
        transient = [s.id for s in (*j.touchpoints, *j.decision_points) if s.id in conversions]
        sample = random.Random(1).sample(transient, min(args.sample, len(transient)))
        per_step, slow = naive(model, sample)
        err = max((abs(slow[s] - conversions[s]) for s in sample), default=0.0)
        assert err < 1e-9, err

        (t_ours, c_ours), (t_markov, c_markov) = best_pair(
            (decision_boundary, markov), lambda j=j: (fresh(j),), args.repeat
        )
        cpu = f"{c_ours:.3f} | {c_markov:.3f} | {c_ours / c_markov:.2f}x"
        rows.append((f"decision_boundary, {n:,} steps", "markov(j)", t_ours, t_markov, cpu))
        what = (
            f"naive conversion_from, {n:,} steps (a factorisation per step, "
            f"x{len(transient):,}, extrapolated from {len(sample)})"
        )
        rows.append((what, "decision_boundary(j)", per_step * len(transient), t_ours, " | | "))
        counts = {
            k: sum(s.status == k for s in result.steps) for k in ("committed", "lost", "open")
        }
        checks.append(
            f"{n:,} steps: {len(result):,} boundary edges, {counts['committed']:,} committed, "
            f"{counts['lost']:,} lost, {counts['open']:,} open; every conversion_from equals "
            f"the model's, and the naive solve's on {len(sample)} steps (max |difference| "
            f"{err:.1e})"
        )
        if n == 10_000:
            ratio, ratio_cpu = t_ours / t_markov, c_ours / c_markov
            verdict = "met" if max(ratio, ratio_cpu) <= TARGET_X else "MISSED"
            checks.append(
                "target: decision_boundary of a 10,000-step journey within 2x one markov: "
                f"{ratio:.2f}x wall, {ratio_cpu:.2f}x CPU, {verdict}"
            )

    print(
        "| what | against | ours s | against s | ratio | CPU: ours s | CPU: against s "
        "| ratio, CPU |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for what, against, ours, other, cpu in rows:
        print(
            f"| `{what}` | `{against}` | {ours:.3f} | {other:.3f} | {ours / other:.2f}x | {cpu} |"
        )
    print()
    for line in checks:
        print(f"- {line}")


if __name__ == "__main__":
    main()
