"""Layer 5: what changed between two versions of a journey (design section 9).

``diff`` (what changed, and whether it got better), pure what-if edits that
return a new journey (``remove_step``, ``merge_steps``, ``assign_owner``,
``declare_handoff``, ``set_probabilities``, ``for_persona``), and
``sensitivity`` (the exact derivative of conversion per edge probability).
The functions ``diff`` and ``sensitivity`` are ``cx.diff`` and
``cx.sensitivity`` (here their modules keep those names).
"""

from __future__ import annotations

from cxgraph.changes.diff import Change, Diff
from cxgraph.changes.edits import (
    EditError,
    assign_owner,
    declare_handoff,
    for_persona,
    merge_steps,
    remove_step,
    set_probabilities,
)
from cxgraph.changes.sensitivity import EdgeSensitivity, Sensitivity

__all__ = [
    "Change",
    "Diff",
    "EdgeSensitivity",
    "EditError",
    "Sensitivity",
    "assign_owner",
    "declare_handoff",
    "for_persona",
    "merge_steps",
    "remove_step",
    "set_probabilities",
]
