"""Tests for cxgraph.readwrite.bpmn: BPMN 2.0 process and diagram, read back by bpmn-moddle."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from tests._programs import program, unavailable

import cxgraph as cx
from cxgraph.graph import entry_weights, owner_silos
from cxgraph.readwrite.bpmn import NAMESPACES, bpmn_xml, write_bpmn
from strategies import journeys

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
NODE_MODULES = Path(__file__).resolve().parents[1] / "js" / "node_modules"
CHECK_BPMN = Path(__file__).resolve().parents[1] / "js" / "check_bpmn.mjs"

B = f"{{{NAMESPACES['bpmn']}}}"
BPMNDI = f"{{{NAMESPACES['bpmndi']}}}"
DC = f"{{{NAMESPACES['dc']}}}"
FLOW_NODES = {"startEvent", "task", "exclusiveGateway", "endEvent"}
STEP_TAGS = {"touchpoint": "task", "decision": "exclusiveGateway", "outcome": "endEvent"}
STEP_PREFIXES = {"touchpoint": "Task", "decision": "Gateway", "outcome": "EndEvent"}
# bpmn-moddle's test for ids (an NCName in ASCII).
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
HOSTILE = [
    "<b>bold</b> & \"quoted\" 'single'",
    "two\nlines\r\nand\ttab",
    "ctrl\x01\x0b\x1f\x7f end",
    "]]> <![CDATA[ x ]]>",
    "café ☕ 日本 🙂 ﷽",
    "lone \ud800 surrogate",
    "&amp; &#10; &lt; literally \\ back\\slash\\",
    "",
    " spaced ",
]


def _hostile_journey() -> cx.Journey:
    """Hostile names everywhere, ids that clash once made NCNames, loops and a trigger."""
    return cx.Journey(
        id="1:hostile",
        name=HOSTILE[0] + HOSTILE[1],
        owners=[
            cx.Owner(id="org:1", name=HOSTILE[2], kind="department"),
            cx.Owner(id="team", name=HOSTILE[3], kind="team", parent="org:1"),
            cx.Owner(id="other", name=HOSTILE[4], kind="partner"),
        ],
        touchpoints=[
            cx.Touchpoint(id="a:b", name=HOSTILE[0], owner="team"),
            cx.Touchpoint(id="a_b", name=HOSTILE[1], owner="org:1"),
            cx.Touchpoint(id="1st", name=HOSTILE[2], owner="other"),
            cx.Touchpoint(id="t", name=HOSTILE[3]),
            cx.Touchpoint(id="-x.y", name=HOSTILE[7]),
        ],
        decision_points=[
            cx.DecisionPoint(id="t_split", name=HOSTILE[4], decided_by="customer"),
            cx.DecisionPoint(id="q", name=HOSTILE[8], decided_by="employee", owner="other"),
        ],
        outcomes=[
            cx.Outcome(id="won", name=HOSTILE[5], kind="success"),
            cx.Outcome(id="lost", name=HOSTILE[6], kind="failure"),
            cx.Outcome(id="gone", name="Gone", kind="exit"),
        ],
        entries=[cx.Entry(step="a:b", probability=0.7), cx.Entry(step="1st", probability=0.3)],
        transitions=[
            cx.Transition(source="a:b", target="a_b", probability=0.5),
            cx.Transition(source="a:b", target="t_split", probability=0.5),
            cx.Transition(source="a_b", target="t", probability=1 / 3),
            cx.Transition(source="a_b", target="a_b", probability=1 / 3),
            cx.Transition(source="t_split", target="q"),
            cx.Transition(source="t_split", target="a:b"),
            cx.Transition(source="q", target="won", probability=0.1),
            cx.Transition(source="q", target="lost", probability=0.9),
            cx.Transition(source="t", target="gone"),
            cx.Transition(source="t", target="lost"),
        ],
        handoffs=[
            cx.Handoff(source="a_b", target="1st", probability=1 - 2 / 3, owner="other"),
            cx.Handoff(source="1st", target="q", probability=1),
        ],
        triggers=[cx.Trigger(source="q", target="-x.y")],
    )


def _journeys() -> Iterator[Any]:
    for path in EXAMPLES:
        yield pytest.param(path, id=path.stem)
    yield pytest.param("hostile", id="hostile")
    yield pytest.param("empty", id="empty")


def _load(source: Path | str) -> cx.Journey:
    if source == "hostile":
        return _hostile_journey()
    if source == "empty":
        return cx.Journey(id="empty", name="Nothing yet")
    return cx.load(source)


# -- reading the document back --------------------------------------------------


def _parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _xml(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def _step_ids(journey: cx.Journey) -> dict[str, str]:
    """The element id of each step, by the documented rule (steps are named first)."""
    taken: set[str] = set()
    out = {}
    kinds = {
        **{s.id: "touchpoint" for s in journey.touchpoints},
        **{s.id: "decision" for s in journey.decision_points},
        **{s.id: "outcome" for s in journey.outcomes},
    }
    for step in journey.steps:
        base = f"{STEP_PREFIXES[kinds[step.id]]}_{re.sub(r'[^A-Za-z0-9_.-]', '_', step.id)}"
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}_{k}", k + 1
        taken.add(candidate)
        out[step.id] = candidate
    return out


class Doc:
    """The parts of a BPMN document the tests look at."""

    def __init__(self, text: str) -> None:
        self.root = root = _parse(text)
        self.process = root.find(f"{B}process")
        assert self.process is not None
        self.nodes = {e.get("id"): e for e in self.process if _local(e) in FLOW_NODES}
        self.flows = {e.get("id"): e for e in self.process.iter(f"{B}sequenceFlow")}
        self.lanes = list(self.process.iter(f"{B}lane"))
        self.shapes: dict[str, list[tuple[float, float, float, float]]] = {}
        for shape in root.iter(f"{BPMNDI}BPMNShape"):
            b = shape.find(f"{DC}Bounds")
            assert b is not None
            box = tuple(float(b.get(k, "nan")) for k in ("x", "y", "width", "height"))
            self.shapes.setdefault(shape.get("bpmnElement", ""), []).append(box)  # type: ignore[arg-type]
        self.edges: dict[str, list[list[tuple[float, float]]]] = {}
        for edge in root.iter(f"{BPMNDI}BPMNEdge"):
            points = [(float(p.get("x", "nan")), float(p.get("y", "nan"))) for p in edge]
            self.edges.setdefault(edge.get("bpmnElement", ""), []).append(points)

    def box(self, element_id: str) -> tuple[float, float, float, float]:
        (box,) = self.shapes[element_id]
        return box


def _keys(doc: Doc, step_ids: dict[str, str]) -> dict[str, Any]:
    """Each flow node as the test names it: a step id, ("start", step) or ("split", step)."""
    step_of = {v: k for k, v in step_ids.items()}
    keys: dict[str, Any] = {}
    for node_id, element in doc.nodes.items():
        if node_id in step_of:
            keys[node_id] = step_of[node_id]
            continue
        tag = _local(element)
        if tag == "startEvent":
            (out,) = (f for f in doc.flows.values() if f.get("sourceRef") == node_id)
            keys[node_id] = ("start", step_of[out.get("targetRef", "")])
        else:
            assert tag == "exclusiveGateway", node_id
            (into,) = (f for f in doc.flows.values() if f.get("targetRef") == node_id)
            keys[node_id] = ("split", step_of[into.get("sourceRef", "")])
    return keys


def _lane_name(
    journey: cx.Journey, step: cx.Touchpoint | cx.DecisionPoint | cx.Outcome, lanes: str
) -> str:
    owner = None if isinstance(step, cx.Outcome) else step.owner
    if owner is None:
        return "Customer"
    key = owner_silos(journey)[owner] if lanes == "silo" else owner
    return _xml(next(o.name for o in journey.owners if o.id == key))


def check_structure(journey: cx.Journey, text: str, lanes: str = "silo") -> Doc:
    """Every element, name, flow and lane as the module docstring promises."""
    doc = Doc(text)
    root = doc.root
    # Ids: NCNames, unique; every reference resolves.
    ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
    assert all(NCNAME.fullmatch(i or "") for i in ids), ids
    assert len(ids) == len(set(ids))
    known = set(ids)
    for e in root.iter():
        for attr in ("sourceRef", "targetRef", "bpmnElement", "processRef", "errorRef"):
            if e.get(attr) is not None:
                assert e.get(attr) in known, (attr, e.get(attr))
        if _local(e) in {"incoming", "outgoing", "flowNodeRef"}:
            assert e.text in known
    (participant,) = root.iter(f"{B}participant")
    assert participant.get("processRef") == doc.process.get("id")
    assert participant.get("name") == _xml(journey.name)

    # Steps: tasks, gateways and end events named with the step's name.
    step_ids = _step_ids(journey)
    kinds = cx.compile_graph(journey).nodes
    for step in journey.steps:
        element = doc.nodes[step_ids[step.id]]
        assert _local(element) == STEP_TAGS[kinds[step.id]["kind"]]
        assert element.get("name") == _xml(step.name)
    ways = Counter(e.source for e in (*journey.transitions, *journey.handoffs))
    splits = [tp.id for tp in journey.touchpoints if ways[tp.id] > 1]
    tags = Counter(_local(e) for e in doc.nodes.values())
    entries = entry_weights(journey)[0]
    assert tags["task"] == len(journey.touchpoints)
    assert tags["exclusiveGateway"] == len(journey.decision_points) + len(splits)
    assert tags["endEvent"] == len(journey.outcomes)
    assert tags["startEvent"] == len(entries)
    # Error end events for failures, each throwing a defined error.
    errors = {e.get("id"): e for e in root.findall(f"{B}error")}
    for outcome in journey.outcomes:
        definitions = doc.nodes[step_ids[outcome.id]].findall(f"{B}errorEventDefinition")
        assert len(definitions) == (outcome.kind == "failure")
        for d in definitions:
            assert errors[d.get("errorRef")].get("name") == _xml(outcome.name)
    assert len(errors) == sum(o.kind == "failure" for o in journey.outcomes)

    # Flows: transitions and hand-offs (out of the split gateway where there is one),
    # one from each start event, one into each split gateway; nothing for triggers.
    keys = _keys(doc, step_ids)
    for key in keys.values():
        if isinstance(key, tuple) and key[0] == "split":
            assert doc.nodes[next(k for k, v in keys.items() if v == key)].get("name") is None
    declared = {e.step: e.probability for e in journey.entries}
    expected = Counter()
    for step_id in entries:
        p = declared.get(step_id)
        expected[("start", step_id), step_id, None if p is None else repr(p)] += 1
    for tp in splits:
        expected[tp, ("split", tp), None] += 1
    for e in (*journey.transitions, *journey.handoffs):
        source = ("split", e.source) if e.source in splits else e.source
        expected[source, e.target, None if e.probability is None else repr(e.probability)] += 1
    actual = Counter(
        (keys[f.get("sourceRef", "")], keys[f.get("targetRef", "")], f.get("name"))
        for f in doc.flows.values()
    )
    assert actual == expected
    assert len(doc.flows) == len(entries) + len(splits) + len(journey.transitions) + len(
        journey.handoffs
    )
    for node_id, element in doc.nodes.items():
        incoming = sorted(i.text or "" for i in element.findall(f"{B}incoming"))
        outgoing = sorted(o.text or "" for o in element.findall(f"{B}outgoing"))
        assert incoming == sorted(k for k, f in doc.flows.items() if f.get("targetRef") == node_id)
        assert outgoing == sorted(k for k, f in doc.flows.items() if f.get("sourceRef") == node_id)

    # Lanes: every flow node in exactly one, the one of its step's silo (or owner).
    refs = Counter(r.text for lane in doc.lanes for r in lane.findall(f"{B}flowNodeRef"))
    assert refs == Counter(list(doc.nodes))
    lane_of = {r.text: lane.get("name") for lane in doc.lanes for r in lane}
    steps = {s.id: s for s in journey.steps}
    for node_id, key in keys.items():
        step = steps[key if isinstance(key, str) else key[1]]
        assert lane_of[node_id] == _lane_name(journey, step, lanes), (node_id, key)
    assert all(lane.findall(f"{B}flowNodeRef") for lane in doc.lanes)  # no empty lane
    names = [lane.get("name") for lane in doc.lanes]
    if "Customer" in names:
        assert names[0] == "Customer"
    return doc


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether the interiors of two boxes meet."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _on_border(point: tuple[float, float], box: tuple[float, ...]) -> bool:
    x, y = point
    bx, by, bw, bh = box
    inside = bx <= x <= bx + bw and by <= y <= by + bh
    return inside and (x in (bx, bx + bw) or y in (by, by + bh))


def _crosses(p: tuple[float, float], q: tuple[float, float], box: tuple[float, ...]) -> bool:
    """Whether the axis-parallel segment p-q passes through the interior of a box."""
    bx, by, bw, bh = box
    if p[1] == q[1]:
        lo, hi = sorted((p[0], q[0]))
        return by < p[1] < by + bh and lo < bx + bw and bx < hi
    lo, hi = sorted((p[1], q[1]))
    return bx < p[0] < bx + bw and lo < by + bh and by < hi


def check_geometry(doc: Doc) -> None:
    """Shapes for everything, inside their lanes, apart; edges orthogonal, border to border."""
    participant = doc.root.find(f".//{B}participant")
    assert participant is not None
    pool = doc.box(participant.get("id", ""))
    lanes = [(lane, doc.box(lane.get("id", ""))) for lane in doc.lanes]
    for _, box in lanes:
        assert _inside(box, pool)
        assert box[0] > pool[0]  # the pool's name shows left of the lanes
    for (_, a), (_, b) in itertools.pairwise(lanes):
        assert (a[0], a[2]) == (b[0], b[2])  # stacked
        assert a[1] + a[3] <= b[1]  # top to bottom, apart
    if lanes:
        assert lanes[0][1][1] == pool[1]
        assert sum(b[3] for _, b in lanes) == pool[3]
    lane_box = {r.text: box for lane, box in lanes for r in lane.findall(f"{B}flowNodeRef")}
    boxes = {node_id: doc.box(node_id) for node_id in doc.nodes}
    for node_id, box in boxes.items():
        assert min(box[2], box[3]) > 0
        assert _inside(box, lane_box[node_id] if lanes else pool), node_id
    ordered = sorted(boxes.values())
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b[0] >= a[0] + a[2]:
                break
            assert not _overlap(a, b), (a, b)
    leftward = []
    for flow_id, flow in doc.flows.items():
        (points,) = doc.edges[flow_id]
        assert len(points) >= 2
        source, target = boxes[flow.get("sourceRef", "")], boxes[flow.get("targetRef", "")]
        assert _on_border(points[0], source), (flow_id, points[0], source)
        assert _on_border(points[-1], target), (flow_id, points[-1], target)
        for p, q in itertools.pairwise(points):
            assert p[0] == q[0] or p[1] == q[1], (flow_id, points)  # orthogonal
            for node_id, box in boxes.items():
                assert not _crosses(p, q, box), (flow_id, node_id, points)
        if target[0] + target[2] / 2 <= source[0] + source[2] / 2:
            leftward.append(flow_id)
    # Left to right: the flows that are not, are a feedback set (none in an acyclic journey).
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    G.add_nodes_from(boxes)
    G.add_edges_from(
        (f.get("sourceRef"), f.get("targetRef")) for k, f in doc.flows.items() if k not in leftward
    )
    assert nx.is_directed_acyclic_graph(G)
    whole: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    whole.add_edges_from((f.get("sourceRef"), f.get("targetRef")) for f in doc.flows.values())
    if nx.is_directed_acyclic_graph(whole):
        assert leftward == []


# -- bpmn_xml ------------------------------------------------------------------------


class TestBpmnXml:
    @pytest.mark.parametrize("lanes", ["silo", "owner"])
    @pytest.mark.parametrize("source", list(_journeys()))
    def test_structure_and_geometry(self, source: Path | str, lanes: str) -> None:
        """Every example, the hostile journey and the empty one: elements, lanes, flows, DI."""
        journey = _load(source)
        doc = check_structure(journey, bpmn_xml(journey, lanes=lanes), lanes)
        check_geometry(doc)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(journey=journeys())
    def test_any_journey(self, journey: cx.Journey) -> None:
        """Any valid journey gives a well-formed document with the promised structure and DI."""
        for lanes in ("silo", "owner"):
            check_geometry(check_structure(journey, bpmn_xml(journey, lanes=lanes), lanes))

    def test_hostile_names_round_trip(self) -> None:
        """XML specials, ]]>, line breaks and unicode come back as written; controls as U+FFFD."""
        journey = _hostile_journey()
        doc = Doc(bpmn_xml(journey))
        names = {e.get("name") for e in doc.nodes.values()}
        assert {HOSTILE[0], HOSTILE[1], HOSTILE[3], HOSTILE[4], HOSTILE[7], HOSTILE[8]} <= names
        assert "ctrl\ufffd\ufffd\ufffd\x7f end" in names
        assert "lone \ufffd surrogate" in names
        assert HOSTILE[6] in names  # entities in a name are text, not entities
        lanes = [lane.get("name") for lane in doc.lanes]
        assert lanes == ["Customer", "ctrl\ufffd\ufffd\ufffd\x7f end", HOSTILE[4]]

    def test_ids_are_made_from_step_ids(self) -> None:
        """Step ids become NCNames by kind; a clash gets _2, never an id twice."""
        doc = Doc(bpmn_xml(_hostile_journey()))
        assert {"Task_a_b", "Task_a_b_2", "Task_1st", "Task_t", "Task_-x.y"} <= set(doc.nodes)
        assert {"Gateway_t_split", "Gateway_q", "EndEvent_lost"} <= set(doc.nodes)
        assert {"Gateway_a_b_split", "Gateway_a_b_split_2", "Gateway_t_split_2"} <= set(doc.nodes)
        assert {"StartEvent_a_b", "StartEvent_1st"} <= set(doc.nodes)
        assert doc.root.get("id") == "Definitions_1_hostile"

    def test_flow_names_are_probabilities(self) -> None:
        """A flow's name is repr(probability); entries' declared probabilities name start flows."""
        doc = Doc(bpmn_xml(_hostile_journey()))
        names = Counter(f.get("name") for f in doc.flows.values())
        assert names[repr(1 / 3)] == 2
        assert names[repr(1 - 2 / 3)] == 1
        assert names["1"] == 1  # an int probability, as repr writes it
        assert names["0.7"] == names["0.3"] == 1
        starts = [f for f in doc.flows.values() if f.get("sourceRef") == "StartEvent_a_b"]
        assert [f.get("name") for f in starts] == ["0.7"]

    def test_triggers_are_left_out(self) -> None:
        """A step reached only by a trigger has no incoming flow and no start event."""
        doc = Doc(bpmn_xml(_hostile_journey()))
        assert doc.nodes["Task_-x.y"].findall(f"{B}incoming") == []
        assert not any(f.get("targetRef") == "Task_-x.y" for f in doc.flows.values())

    def test_self_loop_through_the_split_gateway(self) -> None:
        """A touchpoint's way back to itself leaves its split gateway and comes back in."""
        doc = Doc(bpmn_xml(_hostile_journey()))
        loops = [
            f
            for f in doc.flows.values()
            if (f.get("sourceRef"), f.get("targetRef")) == ("Gateway_a_b_split_2", "Task_a_b_2")
        ]
        assert len(loops) == 1
        (points,) = doc.edges[loops[0].get("id", "")]
        assert points[0][1] > points[-1][1]  # leaves the gateway below, enters the task level

    def test_unowned_steps_are_in_the_customer_lane(self) -> None:
        """Outcomes and the customer's decisions sit in the Customer lane, listed first."""
        doc = Doc(bpmn_xml(cx.load(EXAMPLES[1])))
        customer = doc.lanes[0]
        assert customer.get("name") == "Customer"
        inside = {r.text for r in customer}
        assert {n for n, e in doc.nodes.items() if _local(e) == "endEvent"} <= inside

    def test_owner_lanes(self) -> None:
        """lanes="owner" gives a lane per owner holding steps, owners of a silo together."""
        journey = cx.load(EXAMPLES[1])
        names = [lane.get("name") for lane in Doc(bpmn_xml(journey, lanes="owner")).lanes]
        silo_names = [lane.get("name") for lane in Doc(bpmn_xml(journey)).lanes]
        assert len(names) > len(silo_names)
        assert names[0] == "Customer"
        owners = {o.name: o.id for o in journey.owners}
        silos = owner_silos(journey)
        order = [o.id for o in journey.owners]
        ranks = [(order.index(silos[owners[n]]), order.index(owners[n])) for n in names[1:]]
        assert ranks == sorted(ranks)

    def test_empty_journey(self) -> None:
        """A journey with no steps is a pool with no lanes, nodes or flows."""
        doc = Doc(bpmn_xml(cx.Journey(id="j", name="J")))
        assert (doc.nodes, doc.flows, doc.lanes) == ({}, {}, [])
        assert doc.process.find(f"{B}laneSet") is None
        assert set(doc.shapes) == {"Participant_j"}

    def test_same_journey_same_text(self) -> None:
        """The output is deterministic."""
        assert bpmn_xml(_hostile_journey()) == bpmn_xml(_hostile_journey())

    def test_namespaces_and_prefixes(self) -> None:
        """The root declares bpmn, bpmndi, dc, di and xsi under their usual prefixes."""
        text = bpmn_xml(cx.Journey(id="j", name="J"))
        head = text.splitlines()[1]
        for prefix, uri in NAMESPACES.items():
            assert f'xmlns:{prefix}="{uri}"' in head
        assert _parse(text).tag == f"{B}definitions"

    @pytest.mark.parametrize("bad", ["silos", "phase", "", None])
    def test_bad_lanes(self, bad: Any) -> None:
        """An unknown lanes value is refused, naming the valid ones."""
        with pytest.raises(ValueError, match=r"unknown lanes .* \(valid: 'silo', 'owner'\)"):
            bpmn_xml(cx.Journey(id="j", name="J"), lanes=bad)

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError."""
        with pytest.raises(TypeError, match="bpmn_xml\\(\\) takes a Journey, got dict"):
            bpmn_xml({"id": "j"})  # type: ignore[arg-type]


# -- write_bpmn -----------------------------------------------------------------------


class TestWriteBpmn:
    def test_writes_the_document(self, tmp_path: Path) -> None:
        """The file holds bpmn_xml's text as UTF-8, and no temporary file is left."""
        journey = _hostile_journey()
        write_bpmn(journey, tmp_path / "j.bpmn", lanes="owner")
        data = (tmp_path / "j.bpmn").read_bytes()
        assert data.decode("utf-8") == bpmn_xml(journey, lanes="owner")
        assert [p.name for p in tmp_path.iterdir()] == ["j.bpmn"]

    def test_bad_lanes_write_nothing(self, tmp_path: Path) -> None:
        """A bad option is refused before any file exists."""
        with pytest.raises(ValueError, match="unknown lanes 'x'"):
            write_bpmn(_hostile_journey(), tmp_path / "j.bpmn", lanes="x")
        assert list(tmp_path.iterdir()) == []

    def test_not_a_journey(self, tmp_path: Path) -> None:
        """Anything but a Journey is a TypeError, and nothing is written."""
        with pytest.raises(TypeError, match="write_bpmn\\(\\) takes a Journey"):
            write_bpmn("journey.yaml", tmp_path / "j.bpmn")  # type: ignore[arg-type]
        assert list(tmp_path.iterdir()) == []

    def test_folder_is_refused(self, tmp_path: Path) -> None:
        """Writing to a folder raises an OSError naming it, and leaves nothing behind."""
        with pytest.raises(IsADirectoryError, match=re.escape(str(tmp_path))):
            write_bpmn(_hostile_journey(), tmp_path)
        assert list(tmp_path.iterdir()) == []


# -- bpmn-moddle, the reader behind bpmn.io and Camunda Modeler ---------------------------


MODDLE_SOURCES = [(p, lanes) for p in _journeys() for lanes in ("silo", "owner")]


@pytest.fixture(scope="module")
def moddle_read() -> Iterator[dict[str, Any]]:
    """Every document written to a file and read by bpmn-moddle, in one run of node."""
    node = program(
        "node",
        "nodejs",
        missing="Node.js is missing: apt-get install nodejs npm; run npm ci --prefix tests/js",
        in_ci="CI must read the BPMN files with bpmn-moddle",
    )
    if not (NODE_MODULES / "bpmn-moddle").is_dir():
        unavailable(
            "bpmn-moddle is not installed: run npm ci --prefix tests/js",
            "CI must read the BPMN files with bpmn-moddle",
        )
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for param, lanes in MODDLE_SOURCES:
            (source,) = param.values
            path = Path(folder) / f"{param.id}-{lanes}.bpmn"
            write_bpmn(_load(source), path, lanes=lanes)
            files[param.id, lanes] = path
        done = subprocess.run(
            [node, os.fspath(CHECK_BPMN), *map(os.fspath, files.values())],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        read = json.loads(done.stdout)
        yield {
            key: (read[os.fspath(path)], path.read_text(encoding="utf-8"))
            for key, path in files.items()
        }


class TestBpmnModdle:
    @pytest.mark.parametrize("lanes", ["silo", "owner"])
    @pytest.mark.parametrize("source", list(_journeys()))
    def test_reads_without_warnings(
        self, moddle_read: dict[str, Any], source: Path | str, lanes: str
    ) -> None:
        """bpmn-moddle reads the file with no warning and finds every element, name and DI."""
        key = (Path(source).stem if isinstance(source, Path) else source, lanes)
        found, text = moddle_read[key]
        assert found["error"] is None
        assert found["warnings"] == []
        assert found["root"] == "bpmn:Definitions"
        root = _parse(text)
        ours = {e.get("id"): e for e in root.iter() if e.get("id") is not None}
        types = {
            "task": "bpmn:Task",
            "exclusiveGateway": "bpmn:ExclusiveGateway",
            "startEvent": "bpmn:StartEvent",
            "endEvent": "bpmn:EndEvent",
            "sequenceFlow": "bpmn:SequenceFlow",
            "lane": "bpmn:Lane",
            "participant": "bpmn:Participant",
            "BPMNShape": "bpmndi:BPMNShape",
            "BPMNEdge": "bpmndi:BPMNEdge",
        }
        assert set(found["elements"]) == set(ours)
        for element_id, element in ours.items():
            if _local(element) in types:
                assert found["elements"][element_id] == types[_local(element)]
            if element.get("name") is not None:
                assert found["names"][element_id] == element.get("name")
        doc = Doc(text)
        shapes = Counter(s["element"] for s in found["shapes"])
        wanted = [*doc.nodes, *(lane.get("id") for lane in doc.lanes)]
        wanted.append(root.find(f".//{B}participant").get("id"))  # type: ignore[union-attr]
        assert shapes == Counter(wanted)
        for shape in found["shapes"]:
            assert tuple(shape["bounds"]) == doc.box(shape["element"])
        edges = {e["element"]: e["waypoints"] for e in found["edges"]}
        assert set(edges) == set(doc.flows)
        for flow_id, points in edges.items():
            assert [tuple(p) for p in points] == doc.edges[flow_id][0]
