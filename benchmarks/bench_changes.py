"""Diff and sensitivity against the analyses they must run anyway.

Run it (a script, not a test)::

    python benchmarks/bench_changes.py [--sizes 1000 2000 10000] [--sensitivity 2000] [--repeat 3]

It generates designed journeys (``generate.py``) and times, side by side in one run:

* ``cx.diff(a, b)`` of a journey and an edited version of it (a step's owner
  taken away, another's changed, a step removed with its flow rerouted, the
  probabilities out of a step changed), against ``cx.analyze(a)`` +
  ``cx.analyze(b)``: diff runs the analyses it compares on both versions, so
  two analyses are its yardstick;
* ``cx.sensitivity(j)`` of a 2,000-step journey against one ``cx.markov(j)``
  (sensitivity is one markov call plus the derivatives).

Nothing is cached between calls outside ``analyze`` (``_util/cache.py``: the
cache lives only while ``analyze`` runs), so every timed call is cold; each
repeat still gets a fresh copy of its journeys to be sure. Best of
``--repeat`` runs, after a warm-up on a small journey that pays for imports.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_journey

import cxgraph as cx

DIFF_TARGET_S = 2.0
SENSITIVITY_TARGET_X = 3.0


def edited(j: cx.Journey) -> cx.Journey:
    """``j`` after a few edits spread over the journey."""
    n = len(j.steps)
    ids = [s.id for s in j.touchpoints]
    b = cx.assign_owner(j, ids[len(ids) // 10], None)
    b = cx.assign_owner(b, ids[len(ids) // 3], "sales-team-1")
    b = cx.remove_step(b, ids[len(ids) // 2])
    out: dict[str, list[str]] = {}
    for e in b.edges:
        if e.probability is not None:
            out.setdefault(e.source, []).append(e.target)
    source = next(s for s in ids[2 * len(ids) // 3 :] if len(out.get(s, ())) > 1)
    targets = out[source]
    b = cx.set_probabilities(b, source, {targets[0]: 0.3})
    assert len(b.steps) == n - 1
    return b


def fresh(j: cx.Journey) -> cx.Journey:
    """An equal journey that is a different object (nothing keyed on the old one applies)."""
    return attrs.evolve(j)


def best(fn: Callable[[], Any], make: Callable[[], tuple[Any, ...]], repeat: int) -> float:
    """Best wall seconds of ``fn(*make())`` over ``repeat`` runs; ``make`` is not timed."""
    times = []
    for _ in range(repeat):
        args = make()
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return min(times)


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on this platform
        load = "unknown"
    return (
        f"{cores} cores ({platform.processor() or platform.machine()}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"cxgraph {cx.__version__}; load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 2_000, 10_000])
    parser.add_argument("--sensitivity", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}")
    print(f"python benchmarks/bench_changes.py {' '.join(sys.argv[1:])}".rstrip())
    print()
    warm = generate_journey(100, seed=0)
    cx.diff(warm, edited(warm))
    cx.analyze(warm)
    cx.sensitivity(warm)

    rows: list[tuple[str, str, float, str, float]] = []
    checks: list[str] = []
    for n in args.sizes:
        a = generate_journey(n, seed=0)
        b = edited(a)
        d = cx.diff(a, b)
        t_diff = best(cx.diff, lambda a=a, b=b: (fresh(a), fresh(b)), args.repeat)

        def both(x: cx.Journey, y: cx.Journey) -> None:
            cx.analyze(x)
            cx.analyze(y)

        t_two = best(both, lambda a=a, b=b: (fresh(a), fresh(b)), args.repeat)
        rows.append((f"diff, {n:,} steps", "analyze(a) + analyze(b)", t_diff, "", t_two))
        checks.append(f"diff of {n:,} steps: {len(d.findings)} records")
        if n == 10_000:
            verdict = "met" if t_diff < DIFF_TARGET_S else "MISSED"
            checks.append(
                f"target: diff of two 10,000-step journeys under 2 s: {t_diff:.2f} s, {verdict}"
            )

    j = generate_journey(args.sensitivity, seed=0)
    s = cx.sensitivity(j)
    t_sens = best(cx.sensitivity, lambda: (fresh(j),), args.repeat)
    t_markov = best(cx.markov, lambda: (fresh(j),), args.repeat)
    rows.append((f"sensitivity, {args.sensitivity:,} steps", "markov(j)", t_sens, "", t_markov))
    checks.append(f"sensitivity of {args.sensitivity:,} steps: {len(s.findings)} edges")
    ratio = t_sens / t_markov
    verdict = "met" if ratio <= SENSITIVITY_TARGET_X else "MISSED"
    checks.append(
        f"target: sensitivity of a {args.sensitivity:,}-step journey within 3x one markov: "
        f"{ratio:.1f}x, {verdict}"
    )

    print("| what | against | ours s | against s | ratio |")
    print("|---|---|---:|---:|---:|")
    for what, against, ours, _, other in rows:
        print(f"| `{what}` | `{against}` | {ours:.3f} | {other:.3f} | {ours / other:.2f}x |")
    print()
    for line in checks:
        print(f"- {line}")


if __name__ == "__main__":
    main()
