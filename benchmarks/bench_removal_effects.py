"""Removal effects of every step: one factorisation against one solve per step.

Run it (a script, not a test)::

    python benchmarks/bench_removal_effects.py [--steps 2000] [--sample 20] [--big 10000 100000]
    python benchmarks/bench_removal_effects.py --scc 2000 10000 [--shapes rework cross-linked]

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

``--scc N ...`` instead makes each journey one strongly connected component of
``N`` steps (every step reachable from every other, each with a way out to an
outcome), the worst case for the per-loop work, in two shapes: ``rework``
(each step goes on, sometimes skips ahead, and goes back one to three steps
with probability 0.3: the design's loop-heavy journey) and ``cross-linked``
(the same, plus a jump to any step from 30% of the steps: the LU fills in and
the loop is solved densely). It times, side by side, ``markov(j).removal_effects()``
from the Journey against one dense ``numpy.linalg.inv(I - Q)`` of the same
size, with the ratio (targets: within 1.5x at 2,000 steps, under 10 s at
10,000), and checks ``--sample`` steps against naive solves (the chain
re-solved without the step: dense up to 3,000 steps, sparse LU above), among
the steps journeys reach with probability at least 1e-9: the largest relative
difference in ``conversion_without`` and absolute difference in the effect.
"""

from __future__ import annotations

import argparse
import math
import os
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


def generate_scc(n: int, *, cross: float = 0.0, seed: int = 0) -> cx.Journey:
    """One loop of ``n`` steps: rework back one to three steps, and ``cross`` long jumps.

    Each step goes on to the next (and sometimes skips up to 25 ahead), back
    one to three steps with probability 0.3, to an outcome with probability
    0.05, and with probability ``cross`` also to any step at all. Every step
    after the first goes back and the first goes on, so all ``n`` steps form
    one strongly connected component. Journeys start at 20 steps spread evenly
    over the loop, so that every part of it carries some flow.
    """
    rng = np.random.default_rng(seed)
    steps = [f"s{i}" for i in range(n)]
    outcomes = ["won", "lost", "end"]
    transitions = []
    for i, s in enumerate(steps):
        ways: list[tuple[int, float]] = [((i + 1) % n, 0.45)]
        ways += [
            (int(t) % n, 0.1) for t in rng.integers(i + 1, i + 26, size=int(rng.integers(0, 3)))
        ]
        if i > 0:
            ways.append((max(0, i - int(rng.integers(1, 4))), 0.3))
        if rng.random() < cross:
            ways.append((int(rng.integers(n)), 0.1))
        out: dict[str, float] = {}
        for k, w in ways:
            out[steps[k]] = out.get(steps[k], 0.0) + w
        total = math.fsum(out.values())
        probs = {t: 0.95 * w / total for t, w in out.items()}
        probs[outcomes[int(rng.integers(3))]] = 0.05
        transitions += [
            cx.Transition(source=s, target=t, probability=w) for t, w in sorted(probs.items())
        ]
    return cx.Journey(
        id=f"scc-{n}",
        name=f"One loop of {n} steps",
        touchpoints=[cx.Touchpoint(id=s, name=f"Activity {i}") for i, s in enumerate(steps)],
        outcomes=[
            cx.Outcome(id="won", name="Won", kind="success"),
            cx.Outcome(id="lost", name="Lost", kind="failure"),
            cx.Outcome(id="end", name="End", kind="exit"),
        ],
        entries=[cx.Entry(step=steps[k]) for k in range(0, n, max(1, n // 20))],
        transitions=transitions,
    )


def naive_without(Q: Any, r: np.ndarray, alpha: np.ndarray, c: int) -> float:
    """Conversion with step ``c`` taken out, solved from scratch (its row of Q and r zeroed)."""
    from scipy import sparse
    from scipy.sparse.linalg import splu

    n = Q.shape[0]
    keep = np.ones(n)
    keep[c] = 0.0
    A = sparse.identity(n, format="csc") - sparse.diags(keep) @ Q
    rc = r * keep
    if n <= 3000:
        return float(np.linalg.solve(A.toarray().T, alpha) @ rc)
    return float(splu(sparse.csc_matrix(A)).solve(alpha, trans="T") @ rc)


def run_scc(sizes: list[int], shapes: list[str], sample: int) -> int:
    """The ``--scc`` mode: one loop of each size and shape, ours against one dense inverse."""
    from scipy.sparse import csgraph

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = (
        f"{'steps':>6} {'shape':<13} {'loop':>6} {'ours s':>8} {'inv s':>8} {'ratio':>6} "
        f"{'rel diff':>8} {'effect diff':>11} {'target':>22}"
    )
    print(header)
    for n in sizes:
        for shape in shapes:
            j = generate_scc(n, cross=0.3 if shape == "cross-linked" else 0.0)
            repeat = 3 if n <= 3000 else 1
            t_ours, effects = best_of(lambda j=j: markov(j).removal_effects(), repeat)
            model = markov(j)
            chain = model._chain
            _, labels = csgraph.connected_components(chain.Q, connection="strong")
            I_minus_Q = np.eye(n) - chain.Q.toarray()
            t_inv, _ = best_of(lambda a=I_minus_Q: np.linalg.inv(a), repeat)
            del I_minus_Q
            r = np.asarray(chain.R @ chain.success.astype(float)).ravel()
            # Steps the journeys reach at all (far from every entry the reach underflows
            # to 0 and the check would compare p with p).
            reached = [i for i in range(n) if model.visit_probability.get(f"s{i}", 0.0) >= 1e-9]
            rng = np.random.default_rng(1)
            picked = sorted(rng.choice(reached, size=min(sample, len(reached)), replace=False))
            worst = worst_effect = 0.0
            p = model.conversion_probability
            for c in picked:
                want = naive_without(chain.Q, r, chain.alpha_t, int(c))
                got = effects.conversion_without[f"s{c}"]
                worst = max(worst, abs(got - want) / max(abs(want), 1e-300))
                worst_effect = max(worst_effect, abs(effects[f"s{c}"] - (1 - want / p)))
            ratio = t_ours / t_inv
            target = (
                f"<= 1.5x inverse: {'met' if ratio <= 1.5 else 'MISSED'}"
                if n <= 2000
                else f"< 10 s: {'met' if t_ours < 10 else 'MISSED'}"
            )
            print(
                f"{n:>6} {shape:<13} {int(np.bincount(labels).max()):>6} {t_ours:>8.3f} "
                f"{t_inv:>8.3f} {ratio:>5.2f}x {worst:>8.1e} {worst_effect:>11.1e} {target:>22}"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


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
    ap.add_argument("--scc", type=int, nargs="*", help="one loop of each size instead")
    ap.add_argument(
        "--shapes",
        nargs="*",
        default=["rework", "cross-linked"],
        choices=["rework", "cross-linked"],
    )
    args = ap.parse_args(argv)
    if args.scc:
        return run_scc(args.scc, args.shapes, args.sample)

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
