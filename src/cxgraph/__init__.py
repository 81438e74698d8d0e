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

from cxgraph import plot
from cxgraph._lint import lint
from cxgraph._validate import validate
from cxgraph._version import __version__
from cxgraph.analyses import (
    AnalysisResult,
    Attribution,
    Branches,
    Conformance,
    Coverage,
    Dimensions,
    MarkovModel,
    MomentsOfTruth,
    PathData,
    RemovalEffects,
    SiloBoundaries,
    TouchpointInventory,
    UnownedHandoffs,
    WeakestTouchpoints,
    attribution,
    branches,
    conformance,
    coverage,
    dimensions,
    discover,
    markov,
    moments_of_truth,
    paths,
    silo_boundaries,
    touchpoint_inventory,
    unowned_handoffs,
    weakest_touchpoints,
)
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
from cxgraph.report import (
    Report,
    analyze,
    register_analysis,
    registered_analyses,
    unregister_analysis,
)

__all__ = [
    "AnalysisResult",
    "Attribution",
    "Branches",
    "Channel",
    "Conformance",
    "Coverage",
    "CxgraphError",
    "CxgraphWarning",
    "DecisionPoint",
    "Dimension",
    "Dimensions",
    "Entry",
    "Handoff",
    "Journey",
    "JourneyValidationError",
    "MarkovModel",
    "Metric",
    "MomentsOfTruth",
    "Outcome",
    "Owner",
    "PathData",
    "Persona",
    "Phase",
    "Problem",
    "RemovalEffects",
    "Report",
    "SiloBoundaries",
    "System",
    "Touchpoint",
    "TouchpointInventory",
    "Transition",
    "Trigger",
    "UnownedHandoffs",
    "UnsupportedFormatError",
    "WeakestTouchpoints",
    "__version__",
    "analyze",
    "attribution",
    "branches",
    "compile_graph",
    "conformance",
    "coverage",
    "dimensions",
    "discover",
    "dump",
    "dumps",
    "from_graph",
    "lint",
    "load",
    "loads",
    "markov",
    "moments_of_truth",
    "paths",
    "plot",
    "register_analysis",
    "registered_analyses",
    "schema",
    "silo_boundaries",
    "to_dict",
    "touchpoint_inventory",
    "unowned_handoffs",
    "unregister_analysis",
    "validate",
    "weakest_touchpoints",
]
