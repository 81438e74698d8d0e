"""Journeys as BPMN 2.0 process diagrams, for bpmn.io, Camunda Modeler and Signavio.

The journey becomes one pool (a ``participant`` of a ``collaboration``,
named after the journey) around one ``process``:

- a lane per silo (the root of an owner's ``parent`` chain, as
  :func:`~cxgraph.graph.owner_silos` finds it), or per owner with
  ``lanes="owner"``, in the order of the journey's owners (owners of one silo
  together), below a first lane ``Customer`` for the steps without an owner:
  outcomes, and decisions the customer takes. Lanes that would hold no step
  are left out;
- a ``task`` per touchpoint, an ``exclusiveGateway`` per decision point and
  an ``endEvent`` per outcome, each named with the step's name; a failure
  outcome is an error end event (an ``errorEventDefinition`` referring to a
  ``bpmn:error`` named after it);
- a ``startEvent`` per entry (the declared entries, else every step with no
  inflow, as :func:`~cxgraph.graph.entry_weights` finds them), with a flow to
  the entry's step;
- an unnamed ``exclusiveGateway`` after each touchpoint with several ways on
  (transitions and hand-offs); the ways leave from it;
- a ``sequenceFlow`` per transition and per hand-off, named with its
  probability as ``repr`` writes it (``0.7``), unnamed when it has none; the
  flow from a start event carries the entry's declared probability the same way.

Triggers are left out: they start internal work while the customer does not
move, which a sequence flow would misstate. The other fields of steps and
edges (channels, emotions, the owner a hand-off passes to, conditions...) are
left out too; the journey file keeps them.

Ids are XML NCNames made from the step ids: ``Task_<id>``, ``Gateway_<id>``,
``EndEvent_<id>``, ``StartEvent_<id>``, ``Gateway_<id>_split``,
``Flow_<source>_<target>``, ``Flow_start_<id>``, ``Flow_<id>_split``,
``Lane_<owner>`` (``Lane_Customer``); a character other than
``A-Z a-z 0-9 _ . -`` becomes ``_``, and an id already taken gets ``_2``,
``_3``. Steps get theirs before the events, gateways and flows made for them.
Names that XML cannot hold (a control character, a lone surrogate) show as
U+FFFD.

The diagram interchange (``bpmndi``) places every shape and routes every flow.
Steps are laid out left to right by layer, the longest path from the start
events with cycles broken, and each sits in its lane's band; lanes are
stacked top to bottom; flows are orthogonal lines from the side of one shape
to the side of the next, routed in the gaps between shapes and never across
one, flows that close a loop running back between the rows. Shapes have the
sizes bpmn.io gives them.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="coffee", name="Coffee",
...     owners=[cx.Owner(id="bar", name="Bar", kind="team")],
...     touchpoints=[cx.Touchpoint(id="order", name="Order", owner="bar")],
...     outcomes=[cx.Outcome(id="served", name="Served", kind="success"),
...               cx.Outcome(id="left", name="Left <unserved>", kind="failure")],
...     transitions=[cx.Transition(source="order", target="served", probability=0.9),
...                  cx.Transition(source="order", target="left", probability=0.1)])
>>> text = bpmn_xml(j)
>>> for line in text.splitlines():
...     if "<bpmn:" in line and "coming>" not in line and "going>" not in line:
...         print(line.strip())  # doctest: +ELLIPSIS
<bpmn:definitions xmlns:bpmn=... id="Definitions_coffee" ...>
<bpmn:collaboration id="Collaboration_coffee">
<bpmn:participant id="Participant_coffee" name="Coffee" processRef="Process_coffee" />
<bpmn:process id="Process_coffee" name="Coffee" isExecutable="false">
<bpmn:laneSet id="LaneSet_coffee">
<bpmn:lane id="Lane_Customer" name="Customer">
<bpmn:flowNodeRef>EndEvent_served</bpmn:flowNodeRef>
<bpmn:flowNodeRef>EndEvent_left</bpmn:flowNodeRef>
<bpmn:lane id="Lane_bar" name="Bar">
<bpmn:flowNodeRef>StartEvent_order</bpmn:flowNodeRef>
<bpmn:flowNodeRef>Task_order</bpmn:flowNodeRef>
<bpmn:flowNodeRef>Gateway_order_split</bpmn:flowNodeRef>
<bpmn:startEvent id="StartEvent_order">
<bpmn:task id="Task_order" name="Order">
<bpmn:exclusiveGateway id="Gateway_order_split">
<bpmn:endEvent id="EndEvent_served" name="Served">
<bpmn:endEvent id="EndEvent_left" name="Left &lt;unserved&gt;">
<bpmn:errorEventDefinition id="ErrorEventDefinition_left" errorRef="Error_left" />
<bpmn:sequenceFlow id="Flow_start_order" sourceRef="StartEvent_order" targetRef="Task_order" />
<bpmn:sequenceFlow id="Flow_order_split" sourceRef="Task_order" targetRef="Gateway_order_split" />
<bpmn:sequenceFlow id="Flow_order_served" name="0.9" sourceRef="Gateway_order_split" ... />
<bpmn:sequenceFlow id="Flow_order_left" name="0.1" sourceRef="Gateway_order_split" ... />
<bpmn:error id="Error_left" name="Left &lt;unserved&gt;" />
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from cxgraph.graph import entry_weights, owner_silos, step_owner
from cxgraph.model.classes import (
    DecisionPoint,
    Handoff,
    Journey,
    Outcome,
    Touchpoint,
    Transition,
)
from cxgraph.readwrite import _bpmn_layout as layout
from cxgraph.readwrite.files import write_atomic
from cxgraph.readwrite.graphfiles import _xml_text  # characters XML cannot hold: U+FFFD

__all__ = ["LANES", "NAMESPACES", "bpmn_xml", "write_bpmn"]

#: The namespaces of a BPMN 2.0 file, by the prefix this module writes them with.
NAMESPACES: dict[str, str] = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
#: What a lane can stand for.
LANES = ("silo", "owner")
#: The name of the lane for the steps without an owner.
CUSTOMER = "Customer"
#: The ``targetNamespace`` of the documents written.
TARGET_NAMESPACE = "https://github.com/cxgraph/cxgraph"

_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]")
_SIZES = {
    "startEvent": layout.EVENT,
    "task": layout.TASK,
    "exclusiveGateway": layout.GATEWAY,
    "endEvent": layout.EVENT,
}


class _Ids:
    """Hands out unique NCNames: ``prefix_part``, then ``_2``, ``_3`` on a clash."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, prefix: str, *parts: str) -> str:
        base = "_".join((prefix, *(_NOT_ID.sub("_", p) for p in parts)))
        candidate, k = base, 2
        while candidate in self.taken:
            candidate, k = f"{base}_{k}", k + 1
        self.taken.add(candidate)
        return candidate


@dataclass
class _FlowNode:
    id: str
    tag: str
    name: str | None
    lane: int
    error: str | None = None  # the bpmn:error a failure end event throws
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Flow:
    id: str
    source: str
    target: str
    name: str | None


@dataclass
class _Process:
    """The BPMN elements of a journey, before they are written."""

    lanes: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    nodes: list[_FlowNode] = field(default_factory=list)
    flows: list[_Flow] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (id, name)

    def connect(self, flow_id: str, source: _FlowNode, target: _FlowNode, p: object) -> None:
        """Add a flow named with the probability ``p`` (unnamed if ``None``)."""
        flow = _Flow(flow_id, source.id, target.id, None if p is None else repr(p))
        source.outgoing.append(flow.id)
        target.incoming.append(flow.id)
        self.flows.append(flow)


def _lane_keys(journey: Journey, lanes: str) -> dict[str, str | None]:
    """Each step's lane: its owner's silo (or the owner), ``None`` for the Customer lane."""
    silos = owner_silos(journey)
    keys: dict[str, str | None] = {}
    for step in journey.steps:
        owner = step_owner(step)
        keys[step.id] = None if owner is None else silos[owner] if lanes == "silo" else owner
    return keys


def _lane_order(journey: Journey, keys: dict[str, str | None]) -> list[str | None]:
    """The lanes holding steps, top to bottom: Customer, then by silo, then by owner."""
    order = {o.id: i for i, o in enumerate(journey.owners)}
    silos = owner_silos(journey)
    used = set(keys.values())
    owned = sorted((k for k in used if k is not None), key=lambda k: (order[silos[k]], order[k]))
    return [None, *owned] if None in used else [*owned]


_STEP_TAGS = (
    (Touchpoint, "Task", "task"),
    (DecisionPoint, "Gateway", "exclusiveGateway"),
    (Outcome, "EndEvent", "endEvent"),
)


def _process(journey: Journey, lanes: str, ids: _Ids) -> _Process:
    """The journey's lanes, flow nodes (in the order written) and flows."""
    keys = _lane_keys(journey, lanes)
    lane_keys = _lane_order(journey, keys)
    owner_names = {o.id: o.name for o in journey.owners}
    proc = _Process()
    for key in lane_keys:
        name = CUSTOMER if key is None else _xml_text(owner_names[key])
        proc.lanes.append((ids("Lane", CUSTOMER if key is None else key), name))
    lane = {step_id: lane_keys.index(key) for step_id, key in keys.items()}
    steps: dict[str, _FlowNode] = {}
    for step in journey.steps:
        prefix, tag = next((p, t) for cls, p, t in _STEP_TAGS if isinstance(step, cls))
        steps[step.id] = _FlowNode(ids(prefix, step.id), tag, _xml_text(step.name), lane[step.id])
    entries = list(entry_weights(journey)[0])
    starts = {s: _FlowNode(ids("StartEvent", s), "startEvent", None, lane[s]) for s in entries}
    ways: dict[str, int] = {}
    flow_edges: tuple[Transition | Handoff, ...] = (*journey.transitions, *journey.handoffs)
    for edge in flow_edges:
        ways[edge.source] = ways.get(edge.source, 0) + 1
    splits = {
        tp.id: _FlowNode(ids("Gateway", tp.id, "split"), "exclusiveGateway", None, lane[tp.id])
        for tp in journey.touchpoints
        if ways.get(tp.id, 0) > 1
    }
    for outcome in journey.outcomes:
        if outcome.kind == "failure":
            node = steps[outcome.id]
            node.error = ids("Error", outcome.id)
            proc.errors.append((node.error, node.name or ""))
    proc.nodes = list(starts.values())
    for step in journey.steps:
        proc.nodes.append(steps[step.id])
        if step.id in splits:
            proc.nodes.append(splits[step.id])
    declared = {e.step: e.probability for e in journey.entries}
    for s in entries:
        proc.connect(ids("Flow", "start", s), starts[s], steps[s], declared.get(s))
    for tp_id, split in splits.items():
        proc.connect(ids("Flow", tp_id, "split"), steps[tp_id], split, None)
    for edge in flow_edges:
        source = splits.get(edge.source, steps[edge.source])
        flow_id = ids("Flow", edge.source, edge.target)
        proc.connect(flow_id, source, steps[edge.target], edge.probability)
    return proc


# -- writing ---------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, **attrs: str | int | None) -> ET.Element:
    """A child element; attributes that are ``None`` are left out."""
    return ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})


def _check(journey: Journey, lanes: str, what: str) -> None:
    if not isinstance(journey, Journey):
        msg = f"{what}() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    if lanes not in LANES:
        msg = f"unknown lanes {lanes!r} (valid: 'silo', 'owner')"
        raise ValueError(msg)


def bpmn_xml(journey: Journey, *, lanes: str = "silo") -> str:
    """A journey as a BPMN 2.0 document with its diagram; see the module docstring.

    Parameters
    ----------
    journey
        The journey.
    lanes
        ``"silo"``: a lane per silo (the root of the owner's ``parent``
        chain); ``"owner"``: a lane per owner. Unowned steps are in the
        ``Customer`` lane either way.

    Returns
    -------
    str
        The document, UTF-8 declared, ending in a newline; the same journey
        always gives the same text.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        For any ``lanes`` other than ``"silo"`` or ``"owner"``.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J", owners=[cx.Owner(id="s", name="S", kind="team"),
    ...     cx.Owner(id="t", name="T", kind="team", parent="s")],
    ...     touchpoints=[cx.Touchpoint(id="a", name="A", owner="t")])
    >>> [line.strip() for line in bpmn_xml(j, lanes="owner").splitlines() if "<bpmn:lane " in line]
    ['<bpmn:lane id="Lane_t" name="T">']
    >>> bpmn_xml(j, lanes="team")
    Traceback (most recent call last):
    ...
    ValueError: unknown lanes 'team' (valid: 'silo', 'owner')
    """
    _check(journey, lanes, "bpmn_xml")
    ids = _Ids()
    head = {
        part: ids(part, journey.id)
        for part in ("Definitions", "Collaboration", "Participant", "Process", "LaneSet")
    }
    diagram_ids = (ids("BPMNDiagram", journey.id), ids("BPMNPlane", journey.id))
    proc = _process(journey, lanes, ids)
    root = ET.Element(
        "bpmn:definitions",
        {
            **{f"xmlns:{prefix}": uri for prefix, uri in NAMESPACES.items()},
            "id": head["Definitions"],
            "targetNamespace": TARGET_NAMESPACE,
            "exporter": "cxgraph",
        },
    )
    _write_process(root, proc, head, _xml_text(journey.name), ids)
    _write_diagram(root, proc, head, diagram_ids, ids)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _write_process(
    root: ET.Element, proc: _Process, head: dict[str, str], name: str, ids: _Ids
) -> None:
    """The collaboration, the process and the errors its end events throw."""
    collaboration = _sub(root, "bpmn:collaboration", id=head["Collaboration"])
    _sub(
        collaboration,
        "bpmn:participant",
        id=head["Participant"],
        name=name,
        processRef=head["Process"],
    )
    process = _sub(root, "bpmn:process", id=head["Process"], name=name, isExecutable="false")
    if proc.lanes:
        lane_set = _sub(process, "bpmn:laneSet", id=head["LaneSet"])
        for k, (lane_id, lane_name) in enumerate(proc.lanes):
            lane = _sub(lane_set, "bpmn:lane", id=lane_id, name=lane_name)
            for node in proc.nodes:
                if node.lane == k:
                    _sub(lane, "bpmn:flowNodeRef").text = node.id
    for node in proc.nodes:
        element = _sub(process, f"bpmn:{node.tag}", id=node.id, name=node.name)
        for flow_id in node.incoming:
            _sub(element, "bpmn:incoming").text = flow_id
        for flow_id in node.outgoing:
            _sub(element, "bpmn:outgoing").text = flow_id
        if node.error is not None:
            definition_id = ids("ErrorEventDefinition", node.id.removeprefix("EndEvent_"))
            _sub(element, "bpmn:errorEventDefinition", id=definition_id, errorRef=node.error)
    for flow in proc.flows:
        _sub(
            process,
            "bpmn:sequenceFlow",
            id=flow.id,
            name=flow.name,
            sourceRef=flow.source,
            targetRef=flow.target,
        )
    for error_id, error_name in proc.errors:
        _sub(root, "bpmn:error", id=error_id, name=error_name)


def _write_diagram(
    root: ET.Element, proc: _Process, head: dict[str, str], diagram_ids: tuple[str, str], ids: _Ids
) -> None:
    """The diagram interchange: a shape for the pool, each lane and each flow node, an
    edge for each flow."""
    nodes = [
        layout.Node(
            n.id,
            n.lane,
            _SIZES[n.tag],
            start=n.tag == "startEvent",
            fans_out=n.tag == "exclusiveGateway",
        )
        for n in proc.nodes
    ]
    placed = layout.diagram(nodes, [(f.source, f.target) for f in proc.flows], len(proc.lanes))
    diagram = _sub(root, "bpmndi:BPMNDiagram", id=diagram_ids[0])
    plane = _sub(diagram, "bpmndi:BPMNPlane", id=diagram_ids[1], bpmnElement=head["Collaboration"])
    horizontal = {"isHorizontal": "true"}
    shapes = [(head["Participant"], placed.pool, horizontal)]
    shapes += [
        (lane_id, bounds, horizontal)
        for (lane_id, _), bounds in zip(proc.lanes, placed.lanes, strict=True)
    ]
    for node in proc.nodes:
        marker = {"isMarkerVisible": "true"} if node.tag == "exclusiveGateway" else {}
        shapes.append((node.id, placed.shapes[node.id], marker))
    for element_id, b, extra in shapes:
        shape_id = ids(f"{element_id}_di")
        shape = _sub(plane, "bpmndi:BPMNShape", id=shape_id, bpmnElement=element_id, **extra)
        _sub(shape, "dc:Bounds", x=b.x, y=b.y, width=b.width, height=b.height)
    for flow, points in zip(proc.flows, placed.waypoints, strict=True):
        edge = _sub(plane, "bpmndi:BPMNEdge", id=ids(f"{flow.id}_di"), bpmnElement=flow.id)
        for x, y in points:
            _sub(edge, "di:waypoint", x=x, y=y)


def write_bpmn(journey: Journey, path: str | os.PathLike[str], *, lanes: str = "silo") -> None:
    """Write a journey as a BPMN 2.0 file (``.bpmn``), atomically; see :func:`bpmn_xml`.

    Raises
    ------
    TypeError, ValueError
        As :func:`bpmn_xml`; nothing is written.
    OSError
        If the file cannot be written (it names ``path``); nothing is left half-written.

    Examples
    --------
    >>> import cxgraph as cx, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "j.bpmn"
    >>> write_bpmn(cx.Journey(id="j", name="J"), p)
    >>> p.read_text(encoding="utf-8").splitlines()[0]
    '<?xml version="1.0" encoding="UTF-8"?>'
    """
    _check(journey, lanes, "write_bpmn")
    write_atomic(Path(path), bpmn_xml(journey, lanes=lanes))
