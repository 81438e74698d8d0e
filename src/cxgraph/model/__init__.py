"""Layer 1: the journey model.

``classes`` holds the attrs classes (``Journey``, ``Touchpoint``, ...),
``fields`` the rule behind each field (validator, raw-file check and JSON
Schema fragment in one), ``checks`` the whole-journey checks a ``Journey``
runs after construction, ``validation`` the checks of raw documents and
``validate``, ``owners`` the owner hierarchy (silos) and ``views`` the
journey's own HTML view. The model does no I/O and no analysis: its only
upward arrows are ``Journey.to_graph()`` and ``Journey.from_dict()/to_dict()``.
"""

from __future__ import annotations

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
    Step,
    System,
    Touchpoint,
    Transition,
    Trigger,
)

__all__ = [
    "Channel",
    "DecisionPoint",
    "Dimension",
    "Entry",
    "Handoff",
    "Journey",
    "Metric",
    "Outcome",
    "Owner",
    "Persona",
    "Phase",
    "Step",
    "System",
    "Touchpoint",
    "Transition",
    "Trigger",
]
