"""The owner hierarchy: each owner's silo is the root of its ``parent`` chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey

__all__ = ["owner_silos"]


def owner_silos(journey: Journey) -> dict[str, str]:
    """Map each owner id to its silo: the root of its ``parent`` chain.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J", owners=[
    ...     cx.Owner(id="svc", name="Service", kind="department"),
    ...     cx.Owner(id="t1", name="Tier 1", kind="team", parent="svc"),
    ...     cx.Owner(id="ana", name="Ana", kind="role", parent="t1")])
    >>> owner_silos(j)
    {'svc': 'svc', 't1': 'svc', 'ana': 'svc'}
    """
    parents = {o.id: o.parent for o in journey.owners}
    out: dict[str, str] = {}
    for oid in parents:
        chain = [oid]
        cur = oid
        while parents.get(cur) is not None and cur not in out:
            cur = parents[cur]  # type: ignore[assignment]
            chain.append(cur)
        root = out.get(cur, cur)
        for c in chain:
            out[c] = root
    return out
