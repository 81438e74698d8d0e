"""The touchpoint inventory: who owns each interaction and what data it shares.

One record per touchpoint, in the journey's order: its phase, owner and the
owner's silo, channel, blueprint lane, the personas it serves (empty means
every persona), the systems behind it, the data it captures or shares, the
content it uses and the names of its metrics.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.inventory import touchpoint_inventory
>>> j = cx.Journey(id="j", name="J",
...     owners=[cx.Owner(id="ops", name="Operations", kind="department"),
...             cx.Owner(id="foh", name="Front of house", kind="team", parent="ops")],
...     touchpoints=[cx.Touchpoint(id="pay", name="Pay the bill", owner="foh",
...                                data=["Payment"],
...                                metrics=[cx.Metric(name="Spend", kind="custom")])])
>>> rec = touchpoint_inventory(j).to_records()[0]
>>> rec["owner"], rec["silo"], rec["data"], rec["metrics"]
('foh', 'ops', ('Payment',), ('Spend',))
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

from attrs import field, frozen

from cxgraph.analyses.results import AnalysisResult
from cxgraph.graph import compile_graph
from cxgraph.model.classes import Journey

__all__ = ["InventoryItem", "TouchpointInventory", "touchpoint_inventory"]


@frozen(kw_only=True)
class InventoryItem:
    """One touchpoint: where it sits, who owns it and what it uses and shares.

    ``personas`` empty means the touchpoint serves every persona; ``metrics``
    holds the names of its metrics.
    """

    step: str
    phase: str | None
    owner: str | None
    silo: str | None
    channel: str | None
    lane: str
    personas: tuple[str, ...]
    systems: tuple[str, ...]
    data: tuple[str, ...]
    content: tuple[str, ...]
    metrics: tuple[str, ...]


@frozen(kw_only=True, repr=False)
class TouchpointInventory(AnalysisResult[InventoryItem]):
    """Every touchpoint in journey order, with counts of the gaps it shows.

    ``unowned``, ``without_channel`` and ``without_metric`` count touchpoints
    with no owner, no channel and no metric; ``sharing_data`` counts those
    that capture or share data.
    """

    name: ClassVar[str] = "touchpoint_inventory"
    title: ClassVar[str] = "Touchpoint inventory"

    unowned: int
    without_channel: int
    without_metric: int
    sharing_data: int
    #: Names by kind of object (``step``, ``phase``, ``owner``, ``channel``,
    #: ``system``), then id: ids are unique only within a kind.
    names: Mapping[str, Mapping[str, str]] = field(factory=dict, eq=False, hash=False)

    def _name(self, kind: str, ref: str | None, none: str = "") -> str:
        if ref is None:
            return none
        name = self.names.get(kind, {}).get(ref)
        return f"{name} ({ref})" if name and name != ref else ref

    def describe(self, finding: InventoryItem) -> str:
        """The touchpoint by name: where, who, how, and what it uses and shares."""
        phase = self._name("phase", finding.phase, "no phase")
        parts = [
            f"{self._name('step', finding.step)} in {phase}",
            f"owned by {self._name('owner', finding.owner, 'nobody')}",
        ]
        if finding.silo is not None and finding.silo != finding.owner:
            parts[-1] += f", silo {self._name('owner', finding.silo)}"
        parts.append(f"via {self._name('channel', finding.channel, 'no channel')}, {finding.lane}")
        if finding.systems:
            parts.append("systems " + ", ".join(self._name("system", s) for s in finding.systems))
        if finding.data:
            parts.append("data " + ", ".join(finding.data))
        return "; ".join(parts)

    def summary(self) -> str:
        """How many touchpoints, and how many lack an owner, a channel or a metric."""
        n = len(self.findings)
        return (
            f"{n} touchpoint{'s' if n != 1 else ''}: {self.unowned} without owner, "
            f"{self.without_channel} without channel, {self.without_metric} without metric, "
            f"{self.sharing_data} sharing data"
        )


def touchpoint_inventory(journey: Journey) -> TouchpointInventory:
    """List every touchpoint with its owner, silo, channel and what it uses and shares.

    Parameters
    ----------
    journey
        The journey to list.

    Returns
    -------
    TouchpointInventory
        One finding per touchpoint, in the order of ``journey.touchpoints``.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     channels=[cx.Channel(id="web", name="Website", kind="digital")],
    ...     touchpoints=[cx.Touchpoint(id="book", name="Book a table", channel="web",
    ...                                data=["Party size"])])
    >>> inv = touchpoint_inventory(j)
    >>> print(inv.describe(inv[0]))
    Book a table (book) in no phase; owned by nobody; via Website (web), frontstage; data Party size
    >>> inv.summary()
    '1 touchpoint: 1 without owner, 0 without channel, 1 without metric, 1 sharing data'
    """
    if not isinstance(journey, Journey):
        msg = f"touchpoint_inventory() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    graph = compile_graph(journey)
    items = tuple(
        InventoryItem(
            step=tp.id,
            phase=tp.phase,
            owner=tp.owner,
            silo=graph.nodes[tp.id]["silo"],
            channel=tp.channel,
            lane=tp.lane,
            personas=tp.personas,
            systems=tp.systems,
            data=tp.data,
            content=tp.content,
            metrics=tuple(m.name for m in tp.metrics),
        )
        for tp in journey.touchpoints
    )
    names = {
        kind: MappingProxyType({o.id: o.name for o in group})
        for kind, group in (
            ("step", journey.steps),
            ("phase", journey.phases),
            ("owner", journey.owners),
            ("channel", journey.channels),
            ("system", journey.systems),
        )
    }
    return TouchpointInventory(
        findings=items,
        unowned=sum(i.owner is None for i in items),
        without_channel=sum(i.channel is None for i in items),
        without_metric=sum(not i.metrics for i in items),
        sharing_data=sum(bool(i.data) for i in items),
        names=MappingProxyType(names),
    )
