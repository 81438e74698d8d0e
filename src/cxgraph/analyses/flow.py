"""Small pieces every analysis shares: the customer flow, labels, the Markov model.

One place for them, so that "customer flow" or "a step's label" means the
same thing in every analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import networkx as nx

from cxgraph._util.cache import cached
from cxgraph._util.graphs import digraph
from cxgraph.errors import CxgraphError
from cxgraph.model.classes import Journey

if TYPE_CHECKING:
    from cxgraph.analyses.markov_model import MarkovModel

__all__ = [
    "CUSTOMER_LANES",
    "FLOW_KINDS",
    "customer_flow",
    "flow_model",
    "markov_or_reason",
    "require_journey",
    "shared_customer_flow",
    "step_label",
]

#: Edge kinds the customer moves along; triggers are internal flows.
FLOW_KINDS: tuple[str, ...] = ("transition", "handoff")
#: Blueprint lanes the customer sees.
CUSTOMER_LANES: tuple[str, ...] = ("customer", "frontstage")


def require_journey(journey: object, function: str) -> Journey:
    """Return ``journey`` if it is a Journey, else raise a TypeError naming what arrived."""
    if not isinstance(journey, Journey):
        msg = f"{function}() takes a Journey, got {type(journey).__name__}"
        raise TypeError(msg)
    return journey


def step_label(names: Mapping[str, str], step: str) -> str:
    """A step for people: ``'Name' (id)``, or just ``'id'`` when it has no other name.

    Examples
    --------
    >>> step_label({"a": "Visit the site"}, "a"), step_label({}, "b")
    ("'Visit the site' (a)", "'b'")
    """
    name = names.get(step)
    return f"{name!r} ({step})" if name and name != step else repr(step)


def customer_flow(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """The customer flow: every step, and the transitions and hand-offs between them."""
    return digraph(
        ((n, {}) for n in graph),
        (
            (u, v, {})
            for u, nbrs in graph.adjacency()
            for v, d in nbrs.items()
            if d["kind"] in FLOW_KINDS
        ),
    )


def shared_customer_flow(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """:func:`customer_flow`, made once inside ``analyze`` and shared: treat it as read-only."""
    return cached(graph, "customer_flow", lambda: customer_flow(graph))


def markov_or_reason(journey: Journey) -> tuple[MarkovModel | None, str]:
    """The Markov model, or None and why when it cannot be built.

    A structural analysis must not fail on a journey whose flow the Markov
    model rejects (a closed loop with no way out): it drops what needs the
    model and says why.
    """
    from cxgraph.analyses.markov import markov

    try:
        return markov(journey), ""
    except CxgraphError as exc:
        return None, f"no removal effects: {exc}"


def flow_model(journey: Journey) -> MarkovModel | None:
    """The Markov model when its probabilities are known (basis probability or count), else None."""
    model, _ = markov_or_reason(journey)
    return model if model is not None and model.probabilities_known else None
