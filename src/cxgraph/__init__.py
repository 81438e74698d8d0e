"""cxgraph: customer journeys as typed data, compiled to graphs and analysed.

Model a journey (personas, phases, owners, touchpoints, decisions, hand-offs),
load and save it as JSON or YAML, compile it to a networkx graph and ask where
responsibility passes with nobody accountable, where the journey crosses
silos, which branches exist and which moments decide whether a customer stays.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.loads('{"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}}')
>>> j.name
'J'
"""

from __future__ import annotations

from cxgraph._lint import lint
from cxgraph._validate import validate
from cxgraph._version import __version__
from cxgraph.errors import CxgraphError, CxgraphWarning, JourneyValidationError, Problem
from cxgraph.graph import compile_graph, from_graph
from cxgraph.io import UnsupportedFormatError, dump, dumps, load, loads, schema, to_dict
from cxgraph.model import (
    Channel,
    DecisionPoint,
    Dimension,
    Entry,
    Handoff,
    Journey,
    Metric,
    Outcome,
    Owner,
    Persona,
    Phase,
    System,
    Touchpoint,
    Transition,
    Trigger,
)

__all__ = [
    "Channel",
    "CxgraphError",
    "CxgraphWarning",
    "DecisionPoint",
    "Dimension",
    "Entry",
    "Handoff",
    "Journey",
    "JourneyValidationError",
    "Metric",
    "Outcome",
    "Owner",
    "Persona",
    "Phase",
    "Problem",
    "System",
    "Touchpoint",
    "Transition",
    "Trigger",
    "UnsupportedFormatError",
    "__version__",
    "compile_graph",
    "dump",
    "dumps",
    "from_graph",
    "lint",
    "load",
    "loads",
    "schema",
    "to_dict",
    "validate",
]
