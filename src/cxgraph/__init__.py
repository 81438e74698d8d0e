"""cxgraph: customer journeys as typed data, compiled to graphs and analysed.

Model a journey (personas, phases, owners, touchpoints, decisions, hand-offs),
load and save it as JSON or YAML, compile it to a networkx graph and ask where
responsibility passes with nobody accountable, where the journey crosses
silos, which branches exist and which moments decide whether a customer stays.

This module is the one public namespace: every function and class is
``cx.<name>``. The package below it is a house of layers, each importing
only from those beneath it (docs/architecture.md): ``model`` (the classes),
``graph`` (compile to networkx), ``readwrite`` (files and event logs),
``analyses`` (questions about a designed journey), ``mining``,
``attribution`` and ``changes`` (observed journeys, conversion paths,
versions), ``plot`` (pictures), ``report`` (reports and pages), and ``cli``.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.loads('{"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}}')
>>> j.name
'J'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# First: the cxgraph command's Ctrl-C while the rest is imported is one line.
from cxgraph._util import startup as _startup  # noqa: F401
from cxgraph._version import __version__
from cxgraph.analyses.boundary import DecisionBoundary, decision_boundary
from cxgraph.analyses.branches import Branches, branches
from cxgraph.analyses.coverage import Coverage, coverage
from cxgraph.analyses.dimensions import Dimensions, dimensions
from cxgraph.analyses.handoffs import UnownedHandoffs, unowned_handoffs
from cxgraph.analyses.inventory import TouchpointInventory, touchpoint_inventory
from cxgraph.analyses.lint import lint
from cxgraph.analyses.markov import markov
from cxgraph.analyses.markov_model import MarkovModel, RemovalEffects
from cxgraph.analyses.moments import MomentsOfTruth, moments_of_truth
from cxgraph.analyses.results import AnalysisResult
from cxgraph.analyses.silos import SiloBoundaries, silo_boundaries
from cxgraph.analyses.technology import Technology, technology
from cxgraph.analyses.trust import TrustAndValue, trust_and_value
from cxgraph.analyses.weakest import WeakestTouchpoints, weakest_touchpoints
from cxgraph.attribution.models import Attribution, attribution
from cxgraph.attribution.paths import PathData, paths
from cxgraph.changes import (
    Diff,
    EditError,
    Sensitivity,
    assign_owner,
    declare_handoff,
    for_persona,
    merge_steps,
    remove_step,
    set_probabilities,
)
from cxgraph.changes.diff import diff
from cxgraph.changes.sensitivity import sensitivity
from cxgraph.errors import (
    CxgraphError,
    CxgraphWarning,
    JourneyValidationError,
    Problem,
    RulesError,
)
from cxgraph.graph import compile_graph, from_graph
from cxgraph.model.classes import (
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
from cxgraph.model.validation import validate
from cxgraph.readwrite.converter import to_dict
from cxgraph.readwrite.files import (
    FileTooLargeError,
    UnsupportedFormatError,
    dump,
    dumps,
    load,
    loads,
)
from cxgraph.readwrite.schema import schema
from cxgraph.report.registry import register_analysis, registered_analyses, unregister_analysis
from cxgraph.report.report import Report, analyze
from cxgraph.report.rules import RuleCheck, check

if TYPE_CHECKING:
    from cxgraph import plot
    from cxgraph.attribution.shapley import shapley_values
    from cxgraph.attribution.touches import paths_from_events
    from cxgraph.mining.conformance import Conformance, conformance
    from cxgraph.mining.discovery import discover, discover_by
    from cxgraph.mining.funnel import Funnel, funnel
    from cxgraph.mining.performance import Performance, performance
    from cxgraph.mining.simulate import simulate
    from cxgraph.mining.variants import Variants, variants
    from cxgraph.readwrite.graphfiles import (
        read_gexf,
        read_graphml,
        write_dot,
        write_gexf,
        write_graphml,
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
    "DecisionBoundary",
    "DecisionPoint",
    "Diff",
    "Dimension",
    "Dimensions",
    "EditError",
    "Entry",
    "FileTooLargeError",
    "Funnel",
    "Handoff",
    "Journey",
    "JourneyValidationError",
    "MarkovModel",
    "Metric",
    "MomentsOfTruth",
    "Outcome",
    "Owner",
    "PathData",
    "Performance",
    "Persona",
    "Phase",
    "Problem",
    "RemovalEffects",
    "Report",
    "RuleCheck",
    "RulesError",
    "Sensitivity",
    "SiloBoundaries",
    "System",
    "Technology",
    "Touchpoint",
    "TouchpointInventory",
    "Transition",
    "Trigger",
    "TrustAndValue",
    "UnownedHandoffs",
    "UnsupportedFormatError",
    "Variants",
    "WeakestTouchpoints",
    "__version__",
    "analyze",
    "assign_owner",
    "attribution",
    "branches",
    "check",
    "compile_graph",
    "conformance",
    "coverage",
    "decision_boundary",
    "declare_handoff",
    "diff",
    "dimensions",
    "discover",
    "discover_by",
    "dump",
    "dumps",
    "for_persona",
    "from_graph",
    "funnel",
    "lint",
    "load",
    "loads",
    "markov",
    "merge_steps",
    "moments_of_truth",
    "paths",
    "paths_from_events",
    "performance",
    "plot",
    "read_gexf",
    "read_graphml",
    "read_table",
    "register_analysis",
    "registered_analyses",
    "remove_step",
    "schema",
    "sensitivity",
    "set_probabilities",
    "shapley_values",
    "silo_boundaries",
    "simulate",
    "technology",
    "to_dict",
    "touchpoint_inventory",
    "trust_and_value",
    "unowned_handoffs",
    "unregister_analysis",
    "validate",
    "variants",
    "weakest_touchpoints",
    "write_bpmn",
    "write_dot",
    "write_gexf",
    "write_graphml",
    "write_mermaid",
    "write_table",
]


#: Names imported on first use (PEP 562), so that ``import cxgraph`` stays
#: light: the pictures are the largest part of the package to import, and
#: mining pulls in the event-log readers; most scripts use neither.
_LAZY = {
    "plot": "cxgraph.plot",
    "Conformance": "cxgraph.mining.conformance",
    "conformance": "cxgraph.mining.conformance",
    "discover": "cxgraph.mining.discovery",
    "discover_by": "cxgraph.mining.discovery",
    "Funnel": "cxgraph.mining.funnel",
    "funnel": "cxgraph.mining.funnel",
    "Performance": "cxgraph.mining.performance",
    "performance": "cxgraph.mining.performance",
    "simulate": "cxgraph.mining.simulate",
    "Variants": "cxgraph.mining.variants",
    "variants": "cxgraph.mining.variants",
    "paths_from_events": "cxgraph.attribution.touches",
    "shapley_values": "cxgraph.attribution.shapley",
    "read_table": "cxgraph.readwrite.table",
    "write_table": "cxgraph.readwrite.table",
    "write_bpmn": "cxgraph.readwrite.bpmn",
    "write_mermaid": "cxgraph.readwrite.mermaid",
    "read_gexf": "cxgraph.readwrite.graphfiles",
    "read_graphml": "cxgraph.readwrite.graphfiles",
    "write_dot": "cxgraph.readwrite.graphfiles",
    "write_gexf": "cxgraph.readwrite.graphfiles",
    "write_graphml": "cxgraph.readwrite.graphfiles",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = module if name == "plot" else getattr(module, name)
        globals()[name] = value  # once: later look-ups find the attribute
        return value
    msg = f"module 'cxgraph' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    # The public names only: not the imports this module needs itself
    # (annotations, importlib, TYPE_CHECKING, Any), and the lazy names too.
    return sorted(__all__)
