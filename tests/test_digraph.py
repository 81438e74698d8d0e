"""``cxgraph._util.graphs.digraph`` builds the graph networkx's own calls would."""

from __future__ import annotations

from typing import Any

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from cxgraph._util.graphs import digraph

names = st.sampled_from(["a", "b", "c", "d", "e"])
attrs = st.dictionaries(st.sampled_from(["kind", "p", "owner"]), st.integers(0, 3), max_size=2)


def _shape(G: nx.DiGraph[str]) -> Any:
    """Everything order-sensitive about a graph: nodes, edges, successors, predecessors."""
    return (
        list(G.nodes(data=True)),
        list(G.edges(data=True)),
        {n: list(G.successors(n)) for n in G},
        {n: list(G.predecessors(n)) for n in G},
    )


@given(
    st.lists(st.tuples(names, attrs), max_size=6),
    st.lists(st.tuples(names, names, attrs), max_size=10),
)
def test_the_same_graph_as_add_nodes_from_and_add_edges_from(
    nodes: list[tuple[str, dict[str, int]]], edges: list[tuple[str, str, dict[str, int]]]
) -> None:
    expected: nx.DiGraph[str] = nx.DiGraph()
    expected.add_nodes_from((n, dict(d)) for n, d in nodes)
    expected.add_edges_from((u, v, dict(d)) for u, v, d in edges)
    got = digraph([(n, dict(d)) for n, d in nodes], [(u, v, dict(d)) for u, v, d in edges])
    assert _shape(got) == _shape(expected)
    # The graph works as any other afterwards.
    got.add_edge("x", "a", p=1)
    expected.add_edge("x", "a", p=1)
    assert _shape(got) == _shape(expected)
    assert nx.utils.graphs_equal(got, expected)
