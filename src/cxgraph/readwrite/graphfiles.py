"""Journeys as graph files: GraphML and GEXF (read and write), Graphviz DOT (write).

GraphML (yEd, Cytoscape) and GEXF (Gephi) go through networkx's readers and
writers. Node ids are step ids and edges run from source to target; the
attributes are, under these keys:

- node ``label``: the step's name; ``kind``: ``touchpoint``,
  ``decision_point`` or ``outcome``;
- edge ``kind``: ``transition``, ``handoff`` or ``trigger``; ``weight``: the
  probability, when known; ``label``: the edge's label, when it has one;
  ``index``: its place among the edges of its kind;
- ``cxgraph`` on every node and edge: the step's or edge's own part of the
  journey file (:func:`~cxgraph.to_dict`) as a JSON string;
- the rest of the journey file (its header, phases, owners, entries, ...) as
  a JSON string: the GraphML graph data key ``cxgraph``, or GEXF's
  ``<meta><description>``.

The readable keys are for the programs that open the file; reading back uses
the JSON, in the file's order of nodes (and of ``index`` for edges), and
checks it as :func:`~cxgraph.load` does, so ``read_graphml(write_graphml(j))
== j`` and ``read_gexf(write_gexf(j)) == j``. Names that XML cannot hold (a
control character, a lone surrogate) show as U+FFFD in ``label``; the JSON
keeps them.

Examples
--------
>>> import cxgraph as cx, tempfile, pathlib
>>> j = cx.Journey(id="j", name="J",
...     touchpoints=[cx.Touchpoint(id="a", name="Ask"), cx.Touchpoint(id="b", name="Buy")],
...     transitions=[cx.Transition(source="a", target="b", probability=1.0)])
>>> p = pathlib.Path(tempfile.mkdtemp()) / "j.graphml"
>>> write_graphml(j, p)
>>> read_graphml(p) == j
True
>>> import networkx as nx
>>> G = nx.read_graphml(p)
>>> G.nodes["a"]["label"], G.edges["a", "b"]["weight"]
('Ask', 1.0)
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from cxgraph.errors import JourneyValidationError, Problem
from cxgraph.model.classes import Journey, Owner
from cxgraph.readwrite.converter import from_dict, to_dict
from cxgraph.readwrite.files import read_bounded, size_limit, write_atomic

__all__ = [
    "gexf_xml",
    "graphml_xml",
    "read_gexf",
    "read_graphml",
    "write_dot",
    "write_gexf",
    "write_graphml",
]

#: The journey file's lists of steps, and the ``kind`` each is written with.
STEP_KINDS: dict[str, str] = {
    "touchpoints": "touchpoint",
    "decision_points": "decision_point",
    "outcomes": "outcome",
}
#: The journey file's lists of edges, and the ``kind`` each is written with.
EDGE_KINDS: dict[str, str] = {
    "transitions": "transition",
    "handoffs": "handoff",
    "triggers": "trigger",
}
#: The key holding each part of the journey file as JSON.
DATA_KEY = "cxgraph"

# Characters XML 1.0 cannot hold: shown as U+FFFD in the readable attributes.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _json(value: Any) -> str:
    # ASCII only: no control character or surrogate reaches the XML, and no newline
    # is normalised away in an XML attribute (GEXF keeps values in attributes).
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


# -- writing -------------------------------------------------------------------


def _graph(journey: Journey, *, edge_ids: bool) -> tuple[nx.MultiDiGraph[str], str]:
    """The journey as a graph with our attributes, and the rest of its file as JSON."""
    if not isinstance(journey, Journey):
        msg = f"expected a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    doc = to_dict(journey)
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for name, kind in STEP_KINDS.items():
        for step in doc.pop(name, []):
            G.add_node(step["id"], label=_xml_text(step["name"]), kind=kind, cxgraph=_json(step))
    for name, kind in EDGE_KINDS.items():
        for i, edge in enumerate(doc.pop(name, [])):
            data: dict[str, Any] = {"kind": kind, "index": i}
            if edge.get("probability") is not None:
                data["weight"] = float(edge["probability"])
            if edge.get("label"):
                data["label"] = _xml_text(edge["label"])
            data[DATA_KEY] = _json(edge)
            if edge_ids:
                data["id"] = f"{kind}{i}"
            G.add_edge(edge["source"], edge["target"], key=f"{kind}{i}", **data)
    return G, _json(doc)


def graphml_xml(journey: Journey) -> str:
    """The GraphML document :func:`write_graphml` writes, as text."""
    G, head = _graph(journey, edge_ids=False)
    G.graph[DATA_KEY] = head
    buffer = io.BytesIO()
    nx.write_graphml(G, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")


def write_graphml(journey: Journey, path: str | os.PathLike[str]) -> None:
    """Write a journey as GraphML (yEd, Cytoscape), atomically; see the module docstring.

    Raises
    ------
    OSError
        If the file cannot be written (it names ``path``); nothing is left half-written.
    """
    write_atomic(Path(path), graphml_xml(journey))


def gexf_xml(journey: Journey) -> str:
    """The GEXF document :func:`write_gexf` writes, as text.

    The rest of the journey file is in ``<meta><description>``, which
    ``nx.write_gexf`` does not write: this uses its writer, ``GEXFWriter``,
    and adds it (and leaves out the date, so the same journey gives the same bytes).
    """
    G, head = _graph(journey, edge_ids=True)
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(G)
    meta = writer.xml.find("meta")
    assert meta is not None  # GEXFWriter always writes one
    meta.attrib.pop("lastmodifieddate", None)
    ET.SubElement(meta, "description").text = head
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue().decode("utf-8")


def write_gexf(journey: Journey, path: str | os.PathLike[str]) -> None:
    """Write a journey as GEXF 1.2 (Gephi), atomically; see the module docstring.

    Raises
    ------
    OSError
        If the file cannot be written (it names ``path``); nothing is left half-written.
    """
    write_atomic(Path(path), gexf_xml(journey))


# -- reading -------------------------------------------------------------------


def _problem(message: str) -> Problem:
    return Problem("$", "parse", message)


def _load_json(text: Any, what: str, problems: list[Problem]) -> Any:
    if not isinstance(text, str):
        problems.append(
            _problem(f"{what} has no {DATA_KEY!r} data: the file was not written by cxgraph")
        )
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        problems.append(_problem(f"{what} holds invalid JSON under {DATA_KEY!r}: {exc}"))
        return None


def _document(G: nx.Graph[Any], head_text: Any, fmt: str) -> dict[str, Any]:
    """The journey file's shape put back together from a graph read from a file."""
    problems: list[Problem] = []
    where = "the graph data" if fmt == "GraphML" else "<meta><description>"
    head = _load_json(head_text, where, problems)
    if head is not None and not isinstance(head, dict):
        problems.append(
            _problem(f"{where} is not a JSON object: the file was not written by cxgraph")
        )
    elif isinstance(head, dict):
        for name in (*STEP_KINDS, *EDGE_KINDS):
            if name in head:
                problems.append(
                    _problem(f"{where} holds {name!r}, which belong in nodes and edges")
                )
    step_lists: dict[str, list[Any]] = {name: [] for name in STEP_KINDS}
    list_of = {kind: name for name, kind in STEP_KINDS.items()}
    for node, data in G.nodes(data=True):
        what = f"node {node!r}"
        kind = data.get("kind")
        if kind not in list_of:
            valid = ", ".join(repr(k) for k in list_of)
            problems.append(_problem(f"{what} has kind {kind!r} (valid: {valid})"))
            continue
        step = _load_json(data.get(DATA_KEY), what, problems)
        if isinstance(step, dict) and step.get("id") != node:
            problems.append(_problem(f"{what} holds the step {step.get('id')!r}"))
        step_lists[list_of[kind]].append(step)
    edge_lists: dict[str, list[tuple[Any, Any]]] = {name: [] for name in EDGE_KINDS}
    edge_list_of = {kind: name for name, kind in EDGE_KINDS.items()}
    for u, v, data in G.edges(data=True):
        what = f"the edge {u!r} -> {v!r}"
        kind = data.get("kind")
        if kind not in edge_list_of:
            valid = ", ".join(repr(k) for k in edge_list_of)
            problems.append(_problem(f"{what} has kind {kind!r} (valid: {valid})"))
            continue
        edge = _load_json(data.get(DATA_KEY), what, problems)
        if isinstance(edge, dict) and (edge.get("source"), edge.get("target")) != (u, v):
            held = f"{edge.get('source')!r} -> {edge.get('target')!r}"
            problems.append(_problem(f"{what} holds the edge {held}"))
        index = data.get("index")
        if isinstance(index, bool) or not isinstance(index, int):
            problems.append(_problem(f"{what} has index {index!r}, not a whole number"))
            continue
        edge_lists[edge_list_of[kind]].append((index, edge))
    if problems:
        raise JourneyValidationError(problems)
    doc: dict[str, Any] = dict(head)
    doc.update({name: items for name, items in step_lists.items() if items})
    for name, pairs in edge_lists.items():
        if pairs:
            doc[name] = [edge for _, edge in sorted(pairs, key=lambda pair: pair[0])]
    return doc


def _read(
    path: str | os.PathLike[str],
    fmt: str,
    parse: Callable[[bytes], tuple[nx.Graph[Any], Any]],
) -> Journey:
    p = Path(path)
    data = read_bounded(p, size_limit(None))
    try:
        try:
            G, head = parse(data)
        # The readers raise what their parsers meet (ParseError, NetworkXError,
        # KeyError, ValueError, a bare RuntimeError...): all mean a file we cannot read.
        except Exception as exc:
            why = str(exc) or type(exc).__name__
            raise JourneyValidationError([_problem(f"invalid {fmt}: {why}")]) from None
        return from_dict(_document(G, head, fmt))
    except JourneyValidationError as exc:
        named = JourneyValidationError(exc.errors)
        head_line = f" in the {fmt} file {os.fspath(p)!r}:"
        named.args = (str(named).replace(" in the journey:", head_line, 1),)
        raise named from None


def _parse_graphml(data: bytes) -> tuple[nx.Graph[Any], Any]:
    G = nx.read_graphml(io.BytesIO(data))
    return G, G.graph.get(DATA_KEY)


def _parse_gexf(data: bytes) -> tuple[nx.Graph[Any], Any]:
    G = nx.read_gexf(io.BytesIO(data))
    root = ET.fromstring(data)  # expat refuses entity bombs and external entities
    description = root.find("{*}meta/{*}description")
    return G, None if description is None else (description.text or "")


def read_graphml(path: str | os.PathLike[str]) -> Journey:
    """Read a journey from a GraphML file that :func:`write_graphml` wrote.

    Raises
    ------
    FileNotFoundError, OSError
        If the file cannot be read (as :func:`~cxgraph.load`).
    FileTooLargeError
        If the file is over the size limit of :func:`~cxgraph.load`.
    JourneyValidationError
        If the file is not well-formed GraphML, was not written by cxgraph
        (it lacks the ``cxgraph`` data), or holds an invalid journey; the
        message names the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.graphml"
    >>> _ = p.write_text("<graphml>")
    >>> read_graphml(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxgraph.errors.JourneyValidationError: 1 problem in the GraphML file '...x.graphml':
    $: invalid GraphML: no element found: line 1, column 9
    """
    return _read(path, "GraphML", _parse_graphml)


def read_gexf(path: str | os.PathLike[str]) -> Journey:
    """Read a journey from a GEXF file that :func:`write_gexf` wrote.

    Raises
    ------
    FileNotFoundError, OSError, FileTooLargeError, JourneyValidationError
        As :func:`read_graphml`.
    """
    return _read(path, "GEXF", _parse_gexf)


# -- DOT -------------------------------------------------------------------------

CLUSTERS = ("phase", "owner", None)
_DOT_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SHAPES = {
    "touchpoint": "shape=box, style=rounded",
    "decision_point": "shape=diamond",
    "outcome": "shape=ellipse, peripheries=2",
}


def dot_quote(text: str) -> str:
    r"""``text`` as a quoted DOT string that Graphviz shows as ``text``.

    Backslashes and quotes are escaped, a newline becomes ``\n`` (a line
    break in a label); other control characters and lone surrogates show as U+FFFD.

    Examples
    --------
    >>> print(dot_quote('say "hi"\\now\n<b>'))
    "say \"hi\"\\now\n<b>"
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _DOT_CONTROL.sub("\ufffd", text)
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _step_line(journey: Journey, step_id: str, kind: str) -> str:
    name = journey.step(step_id).name
    return f"{dot_quote(step_id)} [label={dot_quote(name)}, {_SHAPES[kind]}];"


def _owner_clusters(
    journey: Journey, members: dict[str | None, list[str]], owner: Owner
) -> Iterator[str]:
    """Lines of an owner's cluster, its children's inside; nothing if none holds a step."""
    index = {o.id: i for i, o in enumerate(journey.owners)}
    children = [o for o in journey.owners if o.parent == owner.id]
    inner = [line for child in children for line in _owner_clusters(journey, members, child)]
    steps = members.get(owner.id, [])
    if not steps and not inner:
        return
    pad = "  "
    yield f"subgraph {dot_quote(f'cluster_{index[owner.id]}')} {{"
    yield f"{pad}label={dot_quote(owner.name)};"
    yield from (f"{pad}{line}" for line in steps)
    yield from (f"{pad}{line}" for line in inner)
    yield "}"


def write_dot(journey: Journey, *, cluster: str | None = "phase") -> str:
    """A journey as Graphviz DOT text, left to right.

    Touchpoints are boxes, decision points diamonds, outcomes double
    ellipses, each labelled with the step's name; transitions are solid
    (labelled with their probability when known), hand-offs dashed and
    labelled with their owner's name (``unowned`` in red when they have
    none), triggers bold. Every id and label is quoted.

    Parameters
    ----------
    cluster
        ``"phase"``: a ``cluster_N`` subgraph for each phase N that holds
        steps, labelled with its name; ``"owner"``: one for each owner N
        holding steps, nested by ``parent``, unowned steps outside every
        cluster; ``None``: no clusters.

    Raises
    ------
    ValueError
        For any other ``cluster``.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J", phases=[cx.Phase(id="p", name="Pay")],
    ...     touchpoints=[cx.Touchpoint(id="a", name='Say "hi"', phase="p"),
    ...                  cx.Touchpoint(id="b", name="B")],
    ...     handoffs=[cx.Handoff(source="a", target="b")])
    >>> print(write_dot(j))
    digraph "j" {
      graph [rankdir=LR, label="J", labelloc=t];
      subgraph "cluster_0" {
        label="Pay";
        "a" [label="Say \\"hi\\"", shape=box, style=rounded];
      }
      "b" [label="B", shape=box, style=rounded];
      "a" -> "b" [style=dashed, label="unowned", color=red, fontcolor=red];
    }
    """
    if not isinstance(journey, Journey):
        msg = f"write_dot() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    if cluster not in CLUSTERS:
        msg = f"unknown cluster {cluster!r} (valid: 'phase', 'owner', None)"
        raise ValueError(msg)
    steps: list[tuple[str, str | None, str | None]] = []  # (line, phase, owner)
    for tp in journey.touchpoints:
        steps.append((_step_line(journey, tp.id, "touchpoint"), tp.phase, tp.owner))
    for dp in journey.decision_points:
        steps.append((_step_line(journey, dp.id, "decision_point"), dp.phase, dp.owner))
    for oc in journey.outcomes:
        steps.append((_step_line(journey, oc.id, "outcome"), None, None))
    pad = "  "
    lines = [
        f"digraph {dot_quote(journey.id)} {{",
        f"{pad}graph [rankdir=LR, label={dot_quote(journey.name)}, labelloc=t];",
    ]
    outside: list[str] = []
    if cluster == "phase":
        members: dict[str | None, list[str]] = {}
        for line, phase, _ in steps:
            members.setdefault(phase, []).append(line)
        for i, ph in enumerate(journey.phases):
            if ph.id not in members:
                continue
            lines += [f"{pad}subgraph {dot_quote(f'cluster_{i}')} {{"]
            lines += [f"{pad * 2}label={dot_quote(ph.name)};"]
            lines += [f"{pad * 2}{line}" for line in members[ph.id]]
            lines += [f"{pad}}}"]
        outside = members.get(None, [])
    elif cluster == "owner":
        members = {}
        for line, _, owner in steps:
            members.setdefault(owner, []).append(line)
        for top in journey.owners:
            if top.parent is None:
                lines += [f"{pad}{x}" for x in _owner_clusters(journey, members, top)]
        outside = members.get(None, [])
    else:
        outside = [line for line, _, _ in steps]
    lines += [f"{pad}{line}" for line in outside]
    owner_names = {o.id: o.name for o in journey.owners}
    for t in journey.transitions:
        attrs = "" if t.probability is None else f" [label={dot_quote(repr(t.probability))}]"
        lines.append(f"{pad}{dot_quote(t.source)} -> {dot_quote(t.target)}{attrs};")
    for h in journey.handoffs:
        if h.owner is None:
            style = 'style=dashed, label="unowned", color=red, fontcolor=red'
        else:
            style = f"style=dashed, label={dot_quote(owner_names.get(h.owner, h.owner))}"
        lines.append(f"{pad}{dot_quote(h.source)} -> {dot_quote(h.target)} [{style}];")
    for tr in journey.triggers:
        lines.append(f"{pad}{dot_quote(tr.source)} -> {dot_quote(tr.target)} [style=bold];")
    lines.append("}")
    return "\n".join(lines) + "\n"
