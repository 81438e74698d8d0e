"""Immediate dominators on integer arrays (Cooper, Harvey and Kennedy).

A step ``d`` dominates ``v`` when every path from the root to ``v`` passes
``d``; the immediate dominator of ``v`` is its closest strict dominator. The
tree is computed with the iterative algorithm of Cooper, Harvey and Kennedy,
"A Simple, Fast Dominance Algorithm" (2001): number the steps reachable from
the root in reverse postorder (an iterative depth-first search, so a long
journey cannot exhaust Python's recursion limit), then refine each step's
dominator as the nearest common ancestor of its processed predecessors until
nothing changes. On a journey graph (mostly forward, with short loops back)
it settles in two or three passes over the edges: near linear.

:func:`immediate_dominators` works on successor lists of integers (or CSR
arrays); :func:`immediate_dominators_of` takes any graph with hashable nodes
and ``successors`` (a networkx ``DiGraph``) and answers like networkx's
``immediate_dominators`` (3.5 and later): the root is left out.
:func:`strongly_connected_components` numbers the loops of such lists
(Tarjan's algorithm, also without recursion).

Examples
--------
>>> immediate_dominators([[1, 2], [3], [3], [], [0]], 0)
[0, 0, 0, 0, -1]
>>> import networkx as nx
>>> immediate_dominators_of(nx.DiGraph([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]), "a")
{'b': 'a', 'c': 'a', 'd': 'a'}
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

__all__ = ["immediate_dominators", "immediate_dominators_of", "strongly_connected_components"]

N = TypeVar("N", bound=Hashable)


class _Graph(Protocol[N]):
    def __iter__(self) -> Any: ...  # pragma: no cover - typing only

    def __contains__(self, node: object) -> bool: ...  # pragma: no cover - typing only

    def successors(self, node: N) -> Iterable[N]: ...  # pragma: no cover - typing only


def immediate_dominators(
    succ: Sequence[Sequence[int]] | tuple[Sequence[int], Sequence[int]], root: int
) -> list[int]:
    """Each node's immediate dominator from ``root``: ``-1`` where ``root`` does not reach.

    Parameters
    ----------
    succ
        The successors of nodes ``0 .. n-1``: a list of lists, or CSR arrays
        ``(indptr, indices)`` (node ``u``'s successors are
        ``indices[indptr[u]:indptr[u + 1]]``). Self-loops and repeated edges
        are allowed.
    root
        Where every path starts; its own entry is ``root``.

    Returns
    -------
    list[int]
        ``idom[v]`` for every node: ``root`` for the root itself, ``-1`` for
        the nodes it does not reach.
    """
    if isinstance(succ, tuple):
        indptr, indices = (list(map(int, a)) for a in succ)
        adj: list[list[int]] = [indices[indptr[u] : indptr[u + 1]] for u in range(len(indptr) - 1)]
    else:
        adj = [list(s) for s in succ]
    n = len(adj)
    if not 0 <= root < n:
        msg = f"root {root} is not a node (0 to {n - 1})"
        raise ValueError(msg)
    # Postorder by an iterative depth-first search.
    order: list[int] = []
    seen = [False] * n
    seen[root] = True
    stack: list[tuple[int, int]] = [(root, 0)]
    while stack:
        u, i = stack[-1]
        out = adj[u]
        while i < len(out) and seen[out[i]]:
            i += 1
        if i < len(out):
            v = out[i]
            stack[-1] = (u, i + 1)
            seen[v] = True
            stack.append((v, 0))
        else:
            stack.pop()
            order.append(u)
    # Work on postorder numbers: the root has the highest, and a node's
    # dominators all have higher numbers than it.
    number = [-1] * n
    for k, u in enumerate(order):
        number[u] = k
    preds: list[list[int]] = [[] for _ in order]
    for u in order:
        nu = number[u]
        for v in adj[u]:
            nv = number[v]
            if nv != nu:  # a self-loop changes no dominator
                preds[nv].append(nu)
    top = len(order) - 1
    dom = [-1] * len(order)
    dom[top] = top
    changed = True
    while changed:
        changed = False
        for b in range(top - 1, -1, -1):  # reverse postorder, root left out
            new = -1
            for p in preds[b]:
                if dom[p] < 0:
                    continue
                if new < 0:
                    new = p
                    continue
                f1, f2 = p, new
                while f1 != f2:
                    while f1 < f2:
                        f1 = dom[f1]
                    while f2 < f1:
                        f2 = dom[f2]
                new = f1
            if dom[b] != new:
                dom[b] = new
                changed = True
    idom = [-1] * n
    for k, u in enumerate(order):
        idom[u] = order[dom[k]]
    return idom


def immediate_dominators_of(graph: _Graph[N], root: N) -> dict[N, N]:
    """Immediate dominators of the nodes ``root`` reaches, by node (the root left out).

    ``graph`` is any graph with ``successors`` and node iteration (a
    networkx ``DiGraph``); the answer is networkx's
    ``immediate_dominators(graph, root)`` (3.5 and later), on integer arrays.

    Raises
    ------
    ValueError
        If ``root`` is not in the graph.
    """
    if root not in graph:
        msg = f"root {root!r} is not in the graph"
        raise ValueError(msg)
    nodes: list[N] = list(graph)
    index = {node: k for k, node in enumerate(nodes)}
    succ = [[index[v] for v in graph.successors(u)] for u in nodes]
    idom = immediate_dominators(succ, index[root])
    r = index[root]
    return {nodes[k]: nodes[d] for k, d in enumerate(idom) if d >= 0 and k != r}


def strongly_connected_components(succ: Sequence[Sequence[int]]) -> list[int]:
    """Strongly connected components of nodes ``0..n-1``, Tarjan's algorithm without recursion.

    Components are numbered in the order Tarjan closes them, which is
    reverse topological: an edge between two components goes to the lower
    number. (``networkx.condensation`` gives the same components, but
    building its graphs costs most of the time on a large journey.)

    >>> strongly_connected_components([[1], [2, 0], [], [3]])
    [1, 1, 0, 2]
    """
    n = len(succ)
    comp = [-1] * n
    order = [-1] * n
    low = [0] * n
    stack: list[int] = []
    found = closed = 0
    for root in range(n):
        if order[root] >= 0:
            continue
        order[root] = low[root] = found
        found += 1
        stack.append(root)
        work = [(root, 0)]
        while work:
            v, k = work[-1]
            if k < len(succ[v]):
                work[-1] = (v, k + 1)
                w = succ[v][k]
                if order[w] < 0:
                    order[w] = low[w] = found
                    found += 1
                    stack.append(w)
                    work.append((w, 0))
                elif comp[w] < 0:
                    # Seen and not yet closed: still on the stack, same component.
                    low[v] = min(low[v], order[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == order[v]:
                while True:
                    w = stack.pop()
                    comp[w] = closed
                    if w == v:
                        break
                closed += 1
    return comp
