"""Removal effects of every step: one factorisation against one solve per step.

Run it (a script, not a test)::

    python benchmarks/bench_removal_effects.py [--steps 2000] [--sample 20] [--big 10000 100000]

It generates a journey shaped like one discovered from an event log (mostly
forward, some loops back, weights as counts) and times, side by side in one run:

* ``markov(j).removal_effects()``: the whole analysis, from the Journey object
  to every step's removal effect (one sparse LU plus the loops' diagonals);
* the naive approach: for each step, take it out (zero its row of ``Q`` and
  ``R``) and solve the dense ``(I - Q)`` once with ``numpy.linalg.solve``; a
  sample of ``--sample`` steps is timed and the total extrapolated to every
  step (the table says so);
* one dense ``numpy.linalg.inv(I - Q)`` of the same size, the yardstick of the
  design's target (all effects within 5x of it, and within 0.5 s).

Then ``markov`` alone (and all removal effects) on larger generated journeys.
The effects of the sampled steps are checked against the naive solves.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import cxgraph as cx
from cxgraph.analyses.markov import markov


def generate(n: int, *, seed: int = 0, loop_rate: float = 0.1) -> cx.Journey:
    """A discovered-looking journey of ``n`` touchpoints and three outcomes.

    Each step moves forward to the next step and up to two of the next 25, sometimes
    back to one of the previous 6 (a loop: rework, a second visit), sometimes
    straight to an outcome; weights are counts. Every step has a way forward,
    so no loop is closed.
    """
    rng = np.random.default_rng(seed)
    channels = [cx.Channel(id=f"ch{k}", name=f"Channel {k}", kind="digital") for k in range(12)]
    owners = [cx.Owner(id=f"team{k}", name=f"Team {k}", kind="team") for k in range(40)]
    steps = [f"s{i}" for i in range(n)]
    touchpoints = [
        cx.Touchpoint(
            id=s,
            name=f"Activity {i}",
            channel=f"ch{rng.integers(12)}",
            owner=f"team{rng.integers(40)}",
        )
        for i, s in enumerate(steps)
    ]
    outcomes = [
        cx.Outcome(id="won", name="Won", kind="success"),
        cx.Outcome(id="lost", name="Lost", kind="failure"),
        cx.Outcome(id="end", name="End", kind="exit"),
    ]
    transitions = []
    for i, s in enumerate(steps):
        targets: set[str] = set()
        if i < n - 1:
            # The next activity most cases do, and one or two later ones some skip to.
            targets.add(steps[i + 1])
            k = int(rng.integers(0, 3))
            hi = min(n, i + 26)
            targets |= {steps[int(t)] for t in rng.integers(i + 1, hi, size=k)}
        if i > 0 and rng.random() < loop_rate:
            targets.add(steps[int(rng.integers(max(0, i - 6), i))])
        if i >= n - 1 or rng.random() < 0.12:
            targets.add(["won", "lost", "end"][int(rng.integers(3))])
        for t in sorted(targets):
            transitions.append(cx.Transition(source=s, target=t, count=int(rng.integers(1, 100))))
    return cx.Journey(
        id=f"generated-{n}",
        name=f"Generated journey of {n} steps",
        channels=channels,
        owners=owners,
        touchpoints=touchpoints,
        outcomes=outcomes,
        entries=[cx.Entry(step=steps[0], count=700), cx.Entry(step=steps[1], count=300)],
        transitions=transitions,
    )


def dense_chain(model: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Dense ``Q``, ``r`` (one step to a success) and start vector over the transient steps."""
    chain = model._chain  # the benchmark reuses the model's own resolved chain
    order = np.argsort(chain.pos[chain.pos >= 0])
    ids = [s for s, i in sorted(chain.index.items(), key=lambda kv: kv[1])]
    transient = [ids[g] for g in np.flatnonzero(chain.pos >= 0)]
    Q = chain.Q.toarray()
    r = np.asarray(chain.R @ chain.success.astype(float)).ravel()
    assert (order == np.arange(order.size)).all()
    return Q, r, chain.alpha_t.copy(), transient


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--big", type=int, nargs="*", default=[10_000, 100_000])
    args = ap.parse_args(argv)

    from scipy.sparse import csgraph

    t0 = time.perf_counter()
    j = generate(args.steps)
    build = time.perf_counter() - t0
    model = markov(j)
    Q, r, alpha, transient = dense_chain(model)
    n = Q.shape[0]
    _, labels = csgraph.connected_components(model._chain.Q, connection="strong")
    sizes = np.bincount(labels)
    print(
        f"journey: {args.steps} steps ({n} transient), {len(j.transitions)} transitions, "
        f"{int((sizes > 1).sum())} loops, largest {int(sizes.max())} steps "
        f"(generated and validated in {build:.2f} s)"
    )

    t_ours, effects = best_of(lambda: markov(j).removal_effects())
    t_model, _ = best_of(lambda: markov(j))
    I_minus_Q = np.eye(n) - Q
    t_inv, _ = best_of(lambda: np.linalg.inv(I_minus_Q))

    p = float(np.linalg.solve(I_minus_Q.T, alpha) @ r)
    rng = np.random.default_rng(1)
    sample = sorted(rng.choice(n, size=min(args.sample, n), replace=False).tolist())

    def naive(c: int) -> float:
        A = I_minus_Q.copy()
        A[c, :] = 0.0
        A[c, c] = 1.0  # c's row of Q zeroed: the journey stops at c
        rc = r.copy()
        rc[c] = 0.0
        return 1.0 - float(np.linalg.solve(A.T, alpha) @ rc) / p

    t0 = time.perf_counter()
    naive_effects = {transient[c]: naive(c) for c in sample}
    t_sample = time.perf_counter() - t0
    t_naive = t_sample / len(sample) * n
    err = max(abs(effects[s] - e) for s, e in naive_effects.items())

    rows = [
        ("markov(j).removal_effects() (all steps)", t_ours),
        ("  of which markov(j)", t_model),
        ("one dense inv(I - Q)", t_inv),
        (f"naive: one dense solve per step (x{n}, extrapolated from {len(sample)})", t_naive),
    ]
    print(f"\n{'approach':<72} {'seconds':>9} {'vs ours':>9}")
    for name, t in rows:
        print(f"{name:<72} {t:>9.4f} {t / t_ours:>8.1f}x")
    print(
        f"\nall removal effects in {t_ours:.3f} s = {t_ours / t_inv:.2f}x one dense inverse "
        f"(targets: < 0.5 s, < 5x): {'met' if t_ours < 0.5 and t_ours < 5 * t_inv else 'MISSED'}"
    )
    print(f"naive / ours = {t_naive / t_ours:.0f}x; max |difference| on the sample = {err:.2e}")
    print(f"conversion {model.conversion_probability:.6f}, basis {model.basis}")

    for big in args.big:
        t0 = time.perf_counter()
        jb = generate(big, seed=2)
        build = time.perf_counter() - t0
        t_m, mb = best_of(lambda jb=jb: markov(jb), repeat=1)
        t_e, _ = best_of(lambda mb=mb: mb.removal_effects(), repeat=1)
        t_c, _ = best_of(lambda mb=mb: mb.removal_effects(by="channel"), repeat=1)
        t_o, _ = best_of(lambda mb=mb: mb.removal_effects(by="owner"), repeat=1)
        _, lb = csgraph.connected_components(mb._chain.Q, connection="strong")
        print(
            f"\n{big} steps (largest loop {int(np.bincount(lb).max())}, built in {build:.1f} s): "
            f"markov {t_m:.2f} s; step effects +{t_e:.3f} s; "
            f"by channel (12) +{t_c:.2f} s; by owner (40) +{t_o:.2f} s; "
            f"conversion {mb.conversion_probability:.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
