"""Layered (Sugiyama) layout: dummy nodes, crossing reduction, coordinates, routes.

The method Graphviz ``dot`` uses, written once for the pictures: the caller
gives each node a rank (its row); every edge that spans more than one rank
gets a dummy node in each rank between, so that edges only ever join
neighbouring ranks; barycentre sweeps down and up reorder each rank, each
followed by swaps of neighbours while they cut crossings, as ``dot`` does
(the best order seen is kept, counted exactly); then nodes are
placed left to right in their order, with a minimum gap, and pulled towards
the mean of their neighbours. An edge is drawn through its dummies, each of
which holds a slot of its own in its rank, so a drawn edge never passes
through a node box it does not join: inside a rank it runs through its own
slot, and between ranks there are no boxes.

Examples
--------
>>> lay = layered_layout(
...     {"a": 0, "b": 1, "c": 1, "d": 2},
...     [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("a", "d")],
...     width={"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0},
... )
>>> [len(row) for row in lay.rows], lay.crossings
([1, 3, 1], 0)
>>> lay.route("a", "d")[0], lay.route("a", "d")[-1], len(lay.route("a", "d"))
('a', 'd', 3)
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence

from attrs import frozen

__all__ = ["Layout", "count_crossings", "layered_layout"]

#: Sweeps down and up the ranks (each a pair) before the best order is kept.
SWEEPS = 24
#: Passes of neighbour swaps after a sweep, at most (each pass is quadratic in a rank).
TRANSPOSE_PASSES = 4
#: Sweeps without a better order after which a run stops.
STALE = 4
#: Nodes and dummies up to which sifting refines the order (it is quadratic per rank).
SIFT_LIMIT = 1500
#: Seeded random first orders tried besides the given one, its mirror and a depth-first walk.
RESTARTS = 24
#: Nodes and dummies up to which the shuffled starts are tried (they cost time).
RESTART_LIMIT = 400
#: Passes of sifting at most (it stops earlier when nothing moves).
SIFT_PASSES = 8
#: Passes pulling nodes towards their neighbours once the order is fixed.
PULLS = 16


@frozen(kw_only=True)
class Layout:
    """Where every node and dummy goes, and the chain each edge runs through.

    ``rows`` lists each rank's nodes and dummies left to right; ``x`` holds
    the centre of each; ``chains`` maps an edge ``(u, v)`` to the nodes and
    dummies it passes, from ``u`` to ``v``; ``crossings`` counts the
    crossings between neighbouring ranks of the chosen order.
    """

    rows: tuple[tuple[str, ...], ...]
    x: Mapping[str, float]
    chains: Mapping[tuple[str, str], tuple[str, ...]]
    crossings: int

    def route(self, u: str, v: str) -> tuple[str, ...]:
        """The nodes and dummies edge ``(u, v)`` passes, from ``u`` to ``v``."""
        return self.chains[u, v]


def count_crossings(
    upper: Sequence[str], lower: Sequence[str], links: Sequence[tuple[str, str]]
) -> int:
    """Crossings between two ranks: pairs of links whose ends come in opposite orders.

    Two links cross when their upper ends come in one order and their lower
    ends strictly in the other; links sharing an end never cross. Sorted by
    upper then lower end, that is an inversion of the lower ends, counted by
    insertion into a sorted list, ``O(E log E)``.

    Examples
    --------
    >>> count_crossings(["a", "b"], ["c", "d"], [("a", "d"), ("b", "c")])
    1
    """
    pu = {n: i for i, n in enumerate(upper)}
    pl = {n: i for i, n in enumerate(lower)}
    ends = sorted((pu[a], pl[b]) for a, b in links)
    seen: list[int] = []
    total = 0
    for _, b in ends:
        # Links seen before start left of this one (or at it, then ending left of it
        # or at it); those ending strictly right of it cross it.
        total += len(seen) - bisect.bisect_right(seen, b)
        bisect.insort(seen, b)
    return total


def layered_layout(
    rank: Mapping[str, int],
    edges: Sequence[tuple[str, str]],
    *,
    width: Mapping[str, float],
    gap: float = 0.4,
    dummy_width: float = 0.12,
) -> Layout:
    """Lay out a graph in the given ranks, the Sugiyama way.

    Parameters
    ----------
    rank
        Each node's rank (row), from 0; nodes keep the given order within a
        rank as the first order tried (dict order).
    edges
        The edges; an edge within one rank, or a node to itself, gets no
        chain (the caller draws it as it likes).
    width
        Each node's width; dummies take ``dummy_width``.
    gap
        The least room between two neighbours in a rank.

    Returns
    -------
    Layout
    """
    n_ranks = max(rank.values(), default=-1) + 1
    rows: list[list[str]] = [[] for _ in range(n_ranks)]
    for node, r in rank.items():
        rows[r].append(node)
    where = dict(rank)
    links: list[list[tuple[str, str]]] = [[] for _ in range(max(n_ranks - 1, 0))]
    chains: dict[tuple[str, str], tuple[str, ...]] = {}
    dummies: set[str] = set()
    for k, (u, v) in enumerate(edges):
        ru, rv = rank[u], rank[v]
        if ru == rv:
            continue
        step = 1 if rv > ru else -1
        chain = [u]
        for r in range(ru + step, rv, step):
            d = f"\0{k}:{r}"
            dummies.add(d)
            rows[r].append(d)
            where[d] = r
            chain.append(d)
        chain.append(v)
        chains[u, v] = tuple(chain)
        for a, b in itertools.pairwise(chain):
            top, bottom = (a, b) if where[a] < where[b] else (b, a)
            links[where[top]].append((top, bottom))

    up: dict[str, list[str]] = {n: [] for n in where}
    down: dict[str, list[str]] = {n: [] for n in where}
    for between in links:
        for a, b in between:
            down[a].append(b)
            up[b].append(a)

    def total(order: list[list[str]]) -> int:
        return sum(count_crossings(order[r], order[r + 1], links[r]) for r in range(len(links)))

    def median(ps: list[int]) -> float:
        """dot's weighted median of neighbour positions (-1 for none: the node stays put)."""
        ps = sorted(ps)
        m = len(ps) // 2
        if not ps:
            return -1.0
        if len(ps) % 2:
            return float(ps[m])
        if len(ps) == 2:
            return (ps[0] + ps[1]) / 2
        left, right = ps[m - 1] - ps[0], ps[-1] - ps[m]
        if left + right == 0:
            return (ps[m - 1] + ps[m]) / 2
        return (ps[m - 1] * right + ps[m] * left) / (left + right)

    def sweep(order: list[list[str]], downwards: bool, use_median: bool) -> list[list[str]]:
        out = [list(row) for row in order]
        ranks = range(1, n_ranks) if downwards else range(n_ranks - 2, -1, -1)
        near = up if downwards else down
        for r in ranks:
            fixed = out[r - 1] if downwards else out[r + 1]
            pos = {n: i for i, n in enumerate(fixed)}
            row = out[r]
            value: dict[str, float] = {}
            for n in row:
                ns = [pos[m] for m in near[n] if m in pos]
                if use_median:
                    value[n] = median(ns)
                else:
                    value[n] = sum(ns) / len(ns) if ns else -1.0
            # A node with no neighbour on that side sorts in at its own index.
            index = {n: i for i, n in enumerate(row)}
            out[r] = sorted(row, key=lambda n: (value[n] if value[n] >= 0 else index[n], index[n]))
        return out

    def pair(pos: Mapping[str, int], a: str, b: str) -> tuple[int, int]:
        """Crossings between the links of ``a`` and ``b``: with ``a`` left of ``b``, and right."""
        ab = ba = 0
        for side in (up, down):
            pa = [pos[m] for m in side[a]]
            if not pa:
                continue
            for y in [pos[m] for m in side[b]]:
                for x in pa:
                    if x > y:
                        ab += 1
                    elif x < y:
                        ba += 1
        return ab, ba

    def transpose(order: list[list[str]]) -> list[list[str]]:
        """Swap neighbours in a rank while that cuts crossings (as dot does after each sweep)."""
        out = [list(row) for row in order]
        pos = {n: i for row in out for i, n in enumerate(row)}
        improved = True
        passes = 0
        while improved and passes < TRANSPOSE_PASSES:
            improved = False
            passes += 1
            for row in out:
                for j in range(len(row) - 1):
                    a, b = row[j], row[j + 1]
                    here, swapped = pair(pos, a, b)
                    if swapped < here:
                        row[j], row[j + 1] = b, a
                        pos[a], pos[b] = j + 1, j
                        improved = True
        return out

    def sift(order: list[list[str]]) -> list[list[str]]:
        """Move each node, busiest first, to the place in its rank with the fewest crossings.

        Sifting (Matuszewski, Schönfeld and Molitor): it leaves the local
        minima of the sweeps that dot's swaps of neighbours cannot. Moving a
        node past a neighbour changes the crossings by what the two of them
        make in one order against the other, so each place costs a few sums.
        """
        out = [list(row) for row in order]
        pos = {n: i for row in out for i, n in enumerate(row)}
        rank_of = {n: r for r, row in enumerate(out) for n in row}
        busiest = sorted(rank_of, key=lambda n: (-(len(up[n]) + len(down[n])), n))
        for _ in range(SIFT_PASSES):
            changed = False
            for n in busiest:
                row = out[rank_of[n]]
                start = pos[n]
                others = [m for m in row if m != n]
                # Crossings of n with the others, n first; then n moves right one by one.
                cost = 0
                best_at, best_cost = 0, 0
                for i, m in enumerate(others):
                    left, right = pair(pos, n, m)
                    cost += right - left
                    if cost < best_cost or (cost == best_cost and i + 1 == start):
                        best_at, best_cost = i + 1, cost
                if start == 0 and best_cost == 0:
                    best_at = 0
                if best_at != start:
                    others.insert(best_at, n)
                    row[:] = others
                    for i, m in enumerate(row):
                        pos[m] = i
                    changed = True
            if not changed:
                break
        return out

    def dfs_order() -> list[list[str]]:
        """dot's first order: a depth-first walk down the links from the top, rank by rank."""
        out: list[list[str]] = [[] for _ in range(n_ranks)]
        seen: set[str] = set()
        for root in (n for row in rows for n in row):
            if root in seen:
                continue
            stack = [root]
            while stack:
                n = stack.pop()
                if n in seen:
                    continue
                seen.add(n)
                out[where[n]].append(n)
                stack.extend(reversed(down[n]))
        return out

    best = [list(row) for row in rows]
    best_count = total(best)
    # Barycentre and dot's weighted median each sweep from the given order; the
    # sweeps go on from their own order, and each is also tried with swaps
    # (carried on, the swaps can trap further sweeps in a local minimum).
    # Each first order is swept by barycentre and by dot's weighted median, each
    # sweep followed by swaps of neighbours (as dot does); a run stops once a few
    # sweeps bring nothing. The first orders: the given one, its mirror, a
    # depth-first walk, and seeded shuffles (the same drawing every time).
    starts = [rows, [row[::-1] for row in rows], dfs_order()]
    shuffler = random.Random(0)
    for _ in range(RESTARTS if len(where) <= RESTART_LIMIT else 0):
        starts.append([shuffler.sample(row, len(row)) for row in rows])
    large = len(where) > RESTART_LIMIT
    if large:  # a big journey: the given order and a depth-first walk, by median only
        starts = [rows, starts[2]]
    for start, use_median in itertools.product(starts, (True,) if large else (False, True)):
        order = [list(row) for row in start]
        stale = 0
        for i in range(SWEEPS):
            if best_count == 0 or stale >= STALE:
                break
            order = transpose(sweep(order, i % 2 == 0, use_median))
            count = total(order)
            if count < best_count:
                best, best_count = [list(row) for row in order], count
                stale = 0
            else:
                stale += 1
    best = transpose(sift(best)) if len(where) <= SIFT_LIMIT else transpose(best)
    best_count = total(best)

    size = {n: (dummy_width if n in dummies else width[n]) for n in where}
    x: dict[str, float] = {}
    for row in best:
        cursor = 0.0
        for n in row:
            x[n] = cursor + size[n] / 2
            cursor += size[n] + gap
    # Pull each node towards the mean of its neighbours, keeping the order and the gaps.
    for i in range(PULLS):
        for row in best if i % 2 == 0 else reversed(best):
            wanted = []
            for n in row:
                ns = [x[m] for m in (*up[n], *down[n])]
                wanted.append(sum(ns) / len(ns) if ns else x[n])
            # Left to right and right to left, each keeping the gaps; their mean keeps them too.
            sep = [(size[row[j - 1]] + size[row[j]]) / 2 + gap for j in range(1, len(row))]
            rightward = list(wanted)
            for j in range(1, len(row)):
                rightward[j] = max(wanted[j], rightward[j - 1] + sep[j - 1])
            leftward = list(wanted)
            for j in range(len(row) - 2, -1, -1):
                leftward[j] = min(wanted[j], leftward[j + 1] - sep[j])
            placed = [(a + b) / 2 for a, b in zip(rightward, leftward, strict=True)]
            for n, px in zip(row, placed, strict=True):
                x[n] = px
    # Straighten long edges: each run of dummies moves, as far as its neighbours
    # in the row allow, to one x (their median), so the edge runs down as a line.
    slot_of = {n: (r, j) for r, row in enumerate(best) for j, n in enumerate(row)}
    for _ in range(3):
        for links_of_edge in chains.values():
            inner = list(links_of_edge[1:-1])
            if len(inner) < 2:
                continue
            target = sorted(x[d] for d in inner)[len(inner) // 2]
            for d in inner:
                r, j = slot_of[d]
                row = best[r]
                lo = x[row[j - 1]] + (size[row[j - 1]] + size[d]) / 2 + gap if j else -1e18
                hi = (
                    x[row[j + 1]] - (size[row[j + 1]] + size[d]) / 2 - gap
                    if j + 1 < len(row)
                    else 1e18
                )
                x[d] = min(max(target, lo), hi)
    low = min(x[n] - size[n] / 2 for n in x) if x else 0.0
    return Layout(
        rows=tuple(tuple(row) for row in best),
        x={n: px - low for n, px in x.items()},
        chains=chains,
        crossings=best_count,
    )
