"""Analyses of journeys: pure functions ``name(journey, *, options) -> Result``.

Each lives in its own module, named for its topic (never the same as the
function it exports, so ``cxgraph.analyses.handoffs`` stays the module).
Results are frozen, iterable over sorted findings, with ``to_records()``,
``to_frame()``, a readable ``repr`` and ``_repr_html_``.
"""

from __future__ import annotations

from cxgraph.analyses._base import AnalysisResult
from cxgraph.analyses.absorbing import MarkovModel, RemovalEffects, markov
from cxgraph.analyses.branching import Branches, branches
from cxgraph.analyses.crediting import Attribution, PathData, attribution, paths
from cxgraph.analyses.engagement import Coverage, coverage
from cxgraph.analyses.fitness import Conformance, conformance
from cxgraph.analyses.handoffs import UnownedHandoffs, unowned_handoffs
from cxgraph.analyses.inventory import TouchpointInventory, touchpoint_inventory
from cxgraph.analyses.mining import discover
from cxgraph.analyses.moments import MomentsOfTruth, moments_of_truth
from cxgraph.analyses.silos import SiloBoundaries, silo_boundaries
from cxgraph.analyses.tiers import Dimensions, dimensions
from cxgraph.analyses.weakness import WeakestTouchpoints, weakest_touchpoints

__all__ = [
    "AnalysisResult",
    "Attribution",
    "Branches",
    "Conformance",
    "Coverage",
    "Dimensions",
    "MarkovModel",
    "MomentsOfTruth",
    "PathData",
    "RemovalEffects",
    "SiloBoundaries",
    "TouchpointInventory",
    "UnownedHandoffs",
    "WeakestTouchpoints",
    "attribution",
    "branches",
    "conformance",
    "coverage",
    "dimensions",
    "discover",
    "markov",
    "moments_of_truth",
    "paths",
    "silo_boundaries",
    "touchpoint_inventory",
    "unowned_handoffs",
    "weakest_touchpoints",
]
