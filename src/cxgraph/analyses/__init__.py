"""Analyses of journeys: pure functions ``name(journey, *, options) -> Result``.

Each lives in its own module, named for its topic (never the same as the
function it exports, so ``cxgraph.analyses.handoffs`` stays the module).
"""

from __future__ import annotations

from cxgraph.analyses._base import AnalysisResult

__all__ = ["AnalysisResult"]
