"""The Cooper-Harvey-Kennedy dominator tree of ``_util.dominators`` answers like networkx's."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxgraph._util.dominators import (
    immediate_dominators,
    immediate_dominators_of,
    strongly_connected_components,
)


@st.composite
def digraphs(draw: st.DrawFn, max_nodes: int = 12) -> nx.DiGraph[int]:
    """Any digraph: unreachable nodes, self-loops, loops and isolated nodes included."""
    n = draw(st.integers(1, max_nodes))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=4 * n))
    g: nx.DiGraph[int] = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    return g


def networkx_tree(g: nx.DiGraph[object], root: object) -> dict[object, object]:
    tree = dict(nx.immediate_dominators(g, root))
    tree.pop(root, None)  # networkx before 3.5 lists the root too
    return tree


@settings(max_examples=300, deadline=None)
@given(digraphs(), st.data())
def test_matches_networkx(g: nx.DiGraph[int], data: st.DataObject) -> None:
    root = data.draw(st.sampled_from(sorted(g)))
    assert immediate_dominators_of(g, root) == networkx_tree(g, root)


@settings(max_examples=200, deadline=None)
@given(digraphs(), st.data())
def test_integer_arrays_and_csr_agree(g: nx.DiGraph[int], data: st.DataObject) -> None:
    root = data.draw(st.sampled_from(sorted(g)))
    succ = [sorted(g.successors(u)) for u in range(len(g))]
    idom = immediate_dominators(succ, root)
    expected = networkx_tree(g, root)
    assert idom[root] == root
    assert {v: d for v, d in enumerate(idom) if d >= 0 and v != root} == expected
    assert all(idom[v] == -1 for v in g if v != root and v not in expected)
    indptr = [0]
    for s in succ:
        indptr.append(indptr[-1] + len(s))
    indices = [v for s in succ for v in s]
    assert immediate_dominators((indptr, indices), root) == idom


@settings(max_examples=200, deadline=None)
@given(digraphs(), st.data())
def test_several_roots_through_a_virtual_root(g: nx.DiGraph[int], data: st.DataObject) -> None:
    roots = data.draw(st.lists(st.sampled_from(sorted(g)), min_size=1, unique=True))
    h: nx.DiGraph[object] = nx.DiGraph(g)
    h.add_edges_from(("root", r) for r in roots)
    assert immediate_dominators_of(h, "root") == networkx_tree(h, "root")


def test_long_chain_needs_no_recursion() -> None:
    n = 200_000
    succ = [[u + 1] for u in range(n - 1)] + [[0]]
    idom = immediate_dominators(succ, 0)
    assert idom[0] == 0
    assert idom[1:] == list(range(n - 1))


def test_string_nodes_and_unknown_root() -> None:
    g: nx.DiGraph[str] = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "b")])
    assert immediate_dominators_of(g, "a") == {"b": "a"}
    with pytest.raises(ValueError, match="not in the graph"):
        immediate_dominators_of(g, "z")
    with pytest.raises(ValueError, match="not a node"):
        immediate_dominators([[1], []], 2)


@settings(max_examples=300, deadline=None)
@given(digraphs())
def test_components_match_networkx_in_reverse_topological_order(g: nx.DiGraph[int]) -> None:
    comp = strongly_connected_components([list(g.successors(u)) for u in range(len(g))])
    groups: dict[int, set[int]] = {}
    for v, c in enumerate(comp):
        groups.setdefault(c, set()).add(v)
    expected = {frozenset(c) for c in nx.strongly_connected_components(g)}
    assert {frozenset(m) for m in groups.values()} == expected
    assert sorted(groups) == list(range(len(groups)))
    assert all(comp[v] <= comp[u] for u, v in g.edges)
