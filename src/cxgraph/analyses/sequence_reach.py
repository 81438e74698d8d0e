"""The share of journeys that pass chosen steps in order, from the Markov chain.

What :func:`cxgraph.funnel` reports for a Journey: the probability of
visiting ``s1``, then ``s2`` after it, and so on, from the entries, either
with anything between (:func:`eventually_reached`) or as one contiguous run
(:func:`directly_reached`). Both are solves with the chain
:func:`cxgraph.markov` has factorised, so they live beside it; the funnel
(observed journeys, layer 5) checks its inputs and words the result.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="J",
...     touchpoints=[cx.Touchpoint(id=s, name=s) for s in "abc"],
...     outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
...     transitions=[cx.Transition(source="a", target="b", probability=0.5),
...                  cx.Transition(source="a", target="c", probability=0.5),
...                  cx.Transition(source="b", target="c", probability=1.0),
...                  cx.Transition(source="c", target="won", probability=1.0)],
...     entries=["a"])
>>> eventually_reached(cx.markov(j), ("a", "c"))
[1.0, 1.0]
>>> directly_reached(cx.markov(j), ("a", "b", "c"))
[1.0, 0.5, 0.5]
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.analyses._chain import _Chain
    from cxgraph.analyses.markov_model import MarkovModel

__all__ = ["directly_reached", "eventually_reached"]


def eventually_reached(model: MarkovModel, wanted: tuple[str, ...]) -> list[float]:
    """Per prefix ``s1..sk`` of ``wanted`` (step ids), the share of journeys that visit it in order.

    Anything may come between two steps. Unclipped: the funnel keeps each
    share within the one before.
    """
    return _eventually(model, model._chain, wanted)


def directly_reached(model: MarkovModel, wanted: tuple[str, ...]) -> list[float]:
    """Per prefix ``s1..sk`` of ``wanted``, the share of journeys that take it as one run.

    The steps follow one another with nothing between (a KMP matcher on the
    chain, so a run that starts over partway is counted once).
    """
    return _directly(model, model._chain, wanted)


def _eventually(model: MarkovModel, chain: _Chain, wanted: tuple[str, ...]) -> list[float]:
    import numpy as np

    reached = [model.reach_probability(wanted[0])]
    columns: dict[str, npt.NDArray[np.float64]] = {}
    for u, t in itertools.pairwise(wanted):
        gu, gt = chain.index[u], chain.index[t]
        pu = int(chain.pos[gu])
        if reached[-1] <= 0 or pu < 0:  # nothing follows an outcome
            reached.append(0.0)
            continue
        if t not in columns:
            n_t = chain.Q.shape[0]
            if chain.opos[gt] >= 0:  # the share of journeys from each step that end at t
                rhs = np.asarray(chain.R[:, int(chain.opos[gt])].toarray()).ravel()
                columns[t] = np.asarray(chain.lu().solve(rhs), dtype=np.float64)
            elif chain.pos[gt] >= 0:  # N[:, t] / N[t, t]: the chance to hit t from each step
                e = np.zeros(n_t)
                e[chain.pos[gt]] = 1.0
                col = np.asarray(chain.lu().solve(e), dtype=np.float64)
                col[chain.pos[gt]] -= 1.0  # now Q N[:, t]: t visited after leaving
                columns[t] = col / (col[chain.pos[gt]] + 1.0)
            else:
                columns[t] = np.zeros(n_t)
        hit = float(columns[t][pu])
        reached.append(reached[-1] * min(max(hit, 0.0), 1.0))
    return reached


def _directly(model: MarkovModel, chain: _Chain, wanted: tuple[str, ...]) -> list[float]:
    """Reach shares of each prefix run ``s1..sm``, on the chain times a KMP matcher."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import splu

    k = len(wanted)
    g = [chain.index[s] for s in wanted]
    # A run stops at an outcome, or at a step no entry reaches: later prefixes never occur.
    cut = k
    for i, gi in enumerate(g):
        if chain.opos[gi] >= 0:
            cut = min(cut, i + 1)
            break
        if chain.pos[gi] < 0:
            cut = i
            break
    reached = [0.0] * k
    if cut >= 1:
        reached[0] = model.reach_probability(wanted[0])
    if cut <= 1 or reached[0] <= 0:
        return reached
    p = g[:cut]
    m = len(p)
    fail = [0] * m
    for i in range(1, m):
        j = fail[i - 1]
        while j and p[i] != p[j]:
            j = fail[j - 1]
        fail[i] = j + 1 if p[i] == p[j] else j

    def step(j: int, y: int) -> int:
        while j and p[j] != y:
            j = fail[j - 1]
        return j + 1 if p[j] == y else j

    n_t = chain.Q.shape[0]
    # States: (x, 0) for every transient x at index pos(x); (p[j-1], j) for
    # j = 1..m-1 at n_t + j - 1. Matching all m steps absorbs into r.
    extra = n_t - 1
    q = chain.Q.tocoo()
    rows, cols, vals = [q.row], [q.col.copy()], [q.data]
    p0 = int(chain.pos[p[0]])
    cols[0][cols[0] == p0] = extra + 1  # any step into s1 has matched one step
    r = np.zeros(n_t + m - 1)
    Qcsr, Rcsr = chain.Q.tocsr(), chain.R.tocsr()
    transient = np.flatnonzero(chain.pos >= 0)
    outcome_of = np.flatnonzero(chain.opos >= 0)[np.argsort(chain.opos[chain.opos >= 0])]
    for j in range(1, m):
        x = int(chain.pos[p[j - 1]])
        lo, hi = Qcsr.indptr[x], Qcsr.indptr[x + 1]
        for col, val in zip(Qcsr.indices[lo:hi].tolist(), Qcsr.data[lo:hi].tolist(), strict=True):
            y = int(transient[col])
            nj = step(j, y)
            if nj == m:
                r[extra + j] += val
                continue
            rows.append(np.array([extra + j]))
            cols.append(np.array([col if nj == 0 else extra + nj]))
            vals.append(np.array([val]))
        lo, hi = Rcsr.indptr[x], Rcsr.indptr[x + 1]
        for col, val in zip(Rcsr.indices[lo:hi].tolist(), Rcsr.data[lo:hi].tolist(), strict=True):
            if step(j, int(outcome_of[col])) == m:
                r[extra + j] += val
    size = n_t + m - 1
    Qx = sparse.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(size, size)
    )
    alpha = np.zeros(size)
    alpha[:n_t] = chain.alpha_t
    alpha[extra + 1] += alpha[p0]  # an entry at s1 has matched one step
    alpha[p0] = 0.0
    lu = splu(sparse.csc_matrix(sparse.identity(size, format="csc") - Qx))
    visits = np.asarray(lu.solve(alpha, trans="T"), dtype=np.float64)
    for j in range(2, m):
        # The first time j steps match, the journey is at (p[j-1], j): its
        # hitting probability is visits / N[c, c].
        e = np.zeros(size)
        e[extra + j] = 1.0
        diagonal = float(lu.solve(e)[extra + j])
        reached[j - 1] = min(max(float(visits[extra + j]) / diagonal, 0.0), 1.0)
    reached[m - 1] = min(max(float(visits @ r), 0.0), 1.0)
    return reached
