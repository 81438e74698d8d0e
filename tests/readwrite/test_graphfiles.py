"""Tests for cxgraph.readwrite.graphfiles: GraphML and GEXF round trips, DOT in Graphviz."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from tests._programs import program

import cxgraph as cx
from cxgraph.readwrite.graphfiles import (
    read_gexf,
    read_graphml,
    write_dot,
    write_gexf,
    write_graphml,
)
from strategies import journeys

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
FORMATS: dict[str, tuple[Callable[[cx.Journey, Path], None], Callable[[Path], cx.Journey]]] = {
    "graphml": (write_graphml, read_graphml),
    "gexf": (write_gexf, read_gexf),
}
NASTY = ['Say "hi"', "two\nlines", "back\\slash\\", "<b>bold</b> & co", "café ☕ 日本", "tab\tend"]


def _nasty_journey() -> cx.Journey:
    """Names with quotes, newlines, backslashes, markup and unicode everywhere."""
    return cx.Journey(
        id="nasty",
        name='The "nasty" <journey>\n',
        phases=[cx.Phase(id="p1", name=NASTY[0]), cx.Phase(id="p2", name=NASTY[3])],
        owners=[
            cx.Owner(id="org", name=NASTY[1], kind="department"),
            cx.Owner(id="team", name=NASTY[2], kind="team", parent="org"),
            cx.Owner(id="other", name=NASTY[4], kind="team"),
        ],
        touchpoints=[
            cx.Touchpoint(id="a", name=NASTY[0], phase="p1", owner="team"),
            cx.Touchpoint(id="b", name=NASTY[1], phase="p2", owner="org"),
            cx.Touchpoint(id="c", name=NASTY[5], owner="other"),
            cx.Touchpoint(id="d", name="ctrl\x01char"),
        ],
        decision_points=[
            cx.DecisionPoint(id="q", name=NASTY[2], phase="p1", decided_by="customer")
        ],
        outcomes=[cx.Outcome(id="done", name=NASTY[4], kind="success")],
        transitions=[
            cx.Transition(source="a", target="q"),
            cx.Transition(source="q", target="done", probability=0.25, label=NASTY[3]),
            cx.Transition(source="q", target="c", probability=0.75),
            cx.Transition(source="d", target="done"),
        ],
        handoffs=[
            cx.Handoff(source="b", target="d", owner="org"),
            cx.Handoff(source="c", target="done"),
        ],
        triggers=[cx.Trigger(source="a", target="b"), cx.Trigger(source="q", target="b")],
    )


def _round_trip(fmt: str, journey: cx.Journey, folder: Path) -> cx.Journey:
    write, read = FORMATS[fmt]
    path = folder / f"j.{fmt}"
    write(journey, path)
    return read(path)


# -- GraphML and GEXF ------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
class TestRoundTrip:
    @pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
    def test_examples(self, fmt: str, example: Path, tmp_path: Path) -> None:
        journey = cx.load(example)
        assert _round_trip(fmt, journey, tmp_path) == journey

    def test_nasty_names(self, fmt: str, tmp_path: Path) -> None:
        journey = _nasty_journey()
        back = _round_trip(fmt, journey, tmp_path)
        assert back == journey
        assert cx.to_dict(back) == cx.to_dict(journey)  # same order of every list

    def test_empty_journey(self, fmt: str, tmp_path: Path) -> None:
        journey = cx.Journey(id="j", name="J")
        assert _round_trip(fmt, journey, tmp_path) == journey

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(journey=journeys())
    def test_any_journey(self, fmt: str, journey: cx.Journey) -> None:
        with tempfile.TemporaryDirectory() as folder:
            back = _round_trip(fmt, journey, Path(folder))
        assert back == journey
        assert cx.to_dict(back) == cx.to_dict(journey)

    def test_same_journey_same_bytes(self, fmt: str, tmp_path: Path) -> None:
        write, _ = FORMATS[fmt]
        write(_nasty_journey(), tmp_path / "one")
        write(_nasty_journey(), tmp_path / "two")
        assert (tmp_path / "one").read_bytes() == (tmp_path / "two").read_bytes()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file


class TestWhatOtherProgramsSee:
    def test_graphml_labels_kinds_and_weights(self, tmp_path: Path) -> None:
        write_graphml(_nasty_journey(), tmp_path / "j.graphml")
        G = nx.read_graphml(tmp_path / "j.graphml")
        assert list(G.nodes) == ["a", "b", "c", "d", "q", "done"]
        assert G.nodes["a"]["label"] == NASTY[0]
        assert G.nodes["b"]["label"] == NASTY[1]
        assert G.nodes["d"]["label"] == "ctrl\ufffdchar"  # XML cannot hold \x01
        assert G.nodes["q"]["kind"] == "decision_point"
        assert G.nodes["done"]["kind"] == "outcome"
        edges = {(u, v, d["kind"]): d for u, v, d in G.edges(data=True)}
        assert edges["q", "done", "transition"]["weight"] == 0.25
        assert edges["q", "done", "transition"]["label"] == NASTY[3]
        assert "weight" not in edges["a", "q", "transition"]
        assert edges["c", "done", "handoff"]["kind"] == "handoff"
        assert edges["a", "b", "trigger"]["kind"] == "trigger"
        assert json.loads(G.graph["cxgraph"])["journey"]["id"] == "nasty"
        step = json.loads(G.nodes["a"]["cxgraph"])
        assert step == {"id": "a", "name": NASTY[0], "phase": "p1", "owner": "team"}

    def test_gexf_labels_kinds_weights_and_meta(self, tmp_path: Path) -> None:
        write_gexf(_nasty_journey(), tmp_path / "j.gexf")
        G = nx.read_gexf(tmp_path / "j.gexf")
        assert list(G.nodes) == ["a", "b", "c", "d", "q", "done"]
        assert G.nodes["c"]["label"] == NASTY[5]
        assert G.nodes["done"]["label"] == NASTY[4]
        edges = {(u, v, d["kind"]): d for u, v, d in G.edges(data=True)}
        assert edges["q", "c", "transition"]["weight"] == 0.75
        text = (tmp_path / "j.gexf").read_text(encoding="utf-8")
        assert re.search(r"<meta>\s*<creator>.*</creator>\s*<description>\{", text)
        assert "lastmodifieddate" not in text


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _graphml(graph_data: str = "", nodes: str = "", edges: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<key id="g" for="graph" attr.name="cxgraph" attr.type="string"/>\n'
        '<key id="k" for="node" attr.name="kind" attr.type="string"/>\n'
        '<key id="c" for="node" attr.name="cxgraph" attr.type="string"/>\n'
        f'<graph edgedefault="directed">{graph_data}{nodes}{edges}</graph></graphml>\n'
    )


HEAD = '<data key="g">{"cxgraph":"1.0","journey":{"id":"j","name":"J"}}</data>'


class TestMalformedFiles:
    @pytest.mark.parametrize(
        ("name", "text", "says"),
        [
            ("truncated.graphml", "<graphml><graph>", "invalid GraphML: no element found"),
            ("binary.graphml", "\x00\x01junk", "invalid GraphML"),
            ("empty.graphml", "", "invalid GraphML"),
            ("nograph.graphml", "<graphml/>", "invalid GraphML"),
            ("foreign.graphml", _graphml(), "no 'cxgraph' data: the file was not written"),
            ("badjson.graphml", _graphml('<data key="g">{oops</data>'), "invalid JSON"),
            ("list.graphml", _graphml('<data key="g">[1]</data>'), "not a JSON object"),
            (
                "nodekind.graphml",
                _graphml(HEAD, '<node id="a"><data key="k">blob</data></node>'),
                "node 'a' has kind 'blob' (valid: 'touchpoint'",
            ),
            (
                "nodedata.graphml",
                _graphml(HEAD, '<node id="a"><data key="k">touchpoint</data></node>'),
                "node 'a' has no 'cxgraph' data",
            ),
            (
                "mismatch.graphml",
                _graphml(
                    HEAD,
                    '<node id="a"><data key="k">touchpoint</data>'
                    '<data key="c">{"id":"b","name":"B"}</data></node>',
                ),
                "node 'a' holds the step 'b'",
            ),
            (
                "invalid.graphml",
                _graphml(
                    HEAD,
                    '<node id="a"><data key="k">touchpoint</data>'
                    '<data key="c">{"id":"a","name":"A","emotion":9}</data></node>',
                ),
                "$.touchpoints[0].emotion",
            ),
            ("truncated.gexf", "<gexf><graph>", "invalid GEXF"),
            (
                "entity.gexf",
                '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
                "invalid GEXF",
            ),
        ],
    )
    def test_clear_error_naming_the_file(
        self, tmp_path: Path, name: str, text: str, says: str
    ) -> None:
        path = _write(tmp_path, name, text)
        read = read_gexf if name.endswith(".gexf") else read_graphml
        with pytest.raises(cx.JourneyValidationError) as exc:
            read(path)
        message = str(exc.value)
        assert says in message
        assert repr(str(path)) in message.splitlines()[0]
        assert "Traceback" not in message
        assert exc.value.__cause__ is None
        assert exc.value.__suppress_context__

    def test_gexf_written_by_others(self, tmp_path: Path) -> None:
        path = tmp_path / "plain.gexf"
        nx.write_gexf(nx.path_graph(3, create_using=nx.DiGraph), path)
        with pytest.raises(cx.JourneyValidationError, match="no 'cxgraph' data"):
            read_gexf(path)

    def test_edited_edge_endpoints_are_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "j.graphml"
        write_graphml(_nasty_journey(), path)
        G = nx.read_graphml(path)
        data = G.edges["a", "q"]
        G.remove_edge("a", "q")
        G.add_edge("a", "c", **data)
        nx.write_graphml(G, path)
        with pytest.raises(cx.JourneyValidationError, match="the edge 'a' -> 'c' holds the edge"):
            read_graphml(path)

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(FileNotFoundError):
            read_graphml(tmp_path / "none.graphml")

    def test_write_to_a_folder_leaves_nothing(self, tmp_path: Path) -> None:
        with pytest.raises(IsADirectoryError):
            write_graphml(_nasty_journey(), tmp_path)
        with pytest.raises(TypeError, match="expected a Journey"):
            write_gexf("nope", tmp_path / "x.gexf")  # type: ignore[arg-type]
        assert list(tmp_path.iterdir()) == []


# -- DOT ---------------------------------------------------------------------------


def dot_program() -> str:
    return program(
        "dot",
        missing="Graphviz dot is not installed (apt-get install graphviz)",
        in_ci="CI must check the DOT output with dot",
    )


def _shown(label: str) -> str:
    """The text Graphviz shows for a label as -Tjson reports it (escapes still in)."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], label)


def _layout(text: str) -> dict[str, Any]:
    done = subprocess.run(
        [dot_program(), "-Tjson"], input=text.encode(), capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    assert not done.stderr, done.stderr.decode()  # no warnings either
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _nodes_and_clusters(
    layout: dict[str, Any],
) -> tuple[dict[str, str], dict[str, tuple[str, set[str], set[str]]]]:
    """Node name -> shown label; cluster name -> (shown label, its nodes, its sub-clusters)."""
    objects = layout.get("objects", [])
    nodes = {
        o["name"]: _shown(o["label"])
        for o in objects
        if "nodes" not in o and "subgraphs" not in o and not o["name"].startswith("cluster")
    }
    clusters = {
        o["name"]: (
            _shown(o.get("label", "")),
            {objects[i]["name"] for i in o.get("nodes", [])},
            {objects[i]["name"] for i in o.get("subgraphs", [])},
        )
        for o in objects
        if o["name"].startswith("cluster")
    }
    return nodes, clusters


def _placed(journey: cx.Journey) -> list[cx.Touchpoint | cx.DecisionPoint]:
    """The steps that may have a phase and an owner."""
    return [*journey.touchpoints, *journey.decision_points]


def _steps(journey: cx.Journey) -> dict[str, str]:
    return {s.id: s.name for s in (*_placed(journey), *journey.outcomes)}


def _expected_phase_clusters(journey: cx.Journey) -> dict[str, tuple[str, set[str], set[str]]]:
    out: dict[str, tuple[str, set[str], set[str]]] = {}
    for i, ph in enumerate(journey.phases):
        members = {s.id for s in _placed(journey) if s.phase == ph.id}
        if members:
            out[f"cluster_{i}"] = (ph.name, members, set())
    return out


def _expected_owner_clusters(journey: cx.Journey) -> dict[str, tuple[str, set[str], set[str]]]:
    index = {o.id: i for i, o in enumerate(journey.owners)}
    own = {o.id: {s.id for s in _placed(journey) if s.owner == o.id} for o in journey.owners}

    def holds(owner: cx.Owner) -> bool:
        return bool(own[owner.id]) or any(holds(c) for c in journey.owners if c.parent == owner.id)

    out: dict[str, tuple[str, set[str], set[str]]] = {}
    for o in journey.owners:
        if holds(o):
            kids = {
                f"cluster_{index[c.id]}" for c in journey.owners if c.parent == o.id and holds(c)
            }
            out[f"cluster_{index[o.id]}"] = (o.name, own[o.id], kids)
    return out


def _no_clusters(journey: cx.Journey) -> dict[str, tuple[str, set[str], set[str]]]:
    return {}


def _all_members(clusters: dict[str, tuple[str, set[str], set[str]]], name: str) -> set[str]:
    """Every node in a cluster, its sub-clusters' included (as -Tjson lists them)."""
    _, nodes, subs = clusters[name]
    return nodes.union(*(_all_members(clusters, s) for s in subs))


JOURNEYS = [*(pytest.param(p, id=p.stem) for p in EXAMPLES), pytest.param(None, id="nasty")]


class TestDot:
    @pytest.mark.parametrize("source", JOURNEYS)
    @pytest.mark.parametrize("cluster", ["phase", "owner", None])
    def test_graphviz_reads_it(self, source: Path | None, cluster: str | None) -> None:
        journey = _nasty_journey() if source is None else cx.load(source)
        nodes, clusters = _nodes_and_clusters(_layout(write_dot(journey, cluster=cluster)))
        expected_nodes = {k: v.replace("\x01", "\ufffd") for k, v in _steps(journey).items()}
        assert nodes == expected_nodes
        expected = {
            "phase": _expected_phase_clusters,
            "owner": _expected_owner_clusters,
            None: _no_clusters,
        }[cluster](journey)
        assert {k: v[0] for k, v in clusters.items()} == {k: v[0] for k, v in expected.items()}
        for name in expected:
            assert clusters[name][2] == expected[name][2], name
            assert _all_members(clusters, name) == _all_members(expected, name), name
        inside = set().union(*(v[1] for v in clusters.values()))
        if cluster == "owner":
            assert set(nodes) - inside == {s for s, o in _step_owners(journey).items() if o is None}
        elif cluster == "phase":
            assert set(nodes) - inside == {s for s, p in _step_phases(journey).items() if p is None}

    def test_edge_styles(self) -> None:
        text = write_dot(_nasty_journey())
        assert text.startswith('digraph "nasty" {\n  graph [rankdir=LR, ')
        assert '"c" -> "done" [style=dashed, label="unowned", color=red, fontcolor=red];' in text
        assert '"b" -> "d" [style=dashed, label="two\\nlines"];' in text
        assert '"a" -> "b" [style=bold];' in text
        assert '"q" -> "done" [label="0.25"];' in text
        assert '"a" -> "q";' in text
        layout = _layout(text)
        names = {o["_gvid"]: o["name"] for o in layout["objects"]}
        styles = {
            (names[e["tail"]], names[e["head"]], e.get("style", "solid")) for e in layout["edges"]
        }
        assert ("c", "done", "dashed") in styles
        assert ("a", "b", "bold") in styles
        assert ("a", "q", "solid") in styles

    def test_shapes(self) -> None:
        layout = _layout(write_dot(_nasty_journey(), cluster=None))
        shapes = {o["name"]: o.get("shape") for o in layout["objects"]}
        assert (shapes["a"], shapes["q"], shapes["done"]) == ("box", "diamond", "ellipse")

    @pytest.mark.parametrize("bad", ["phases", "silo", "", 1])
    def test_bad_cluster(self, bad: Any) -> None:
        with pytest.raises(
            ValueError, match=r"unknown cluster .* \(valid: 'phase', 'owner', None\)"
        ):
            write_dot(_nasty_journey(), cluster=bad)

    @settings(max_examples=25, deadline=None)
    @given(journey=journeys())
    def test_any_journey_lays_out(self, journey: cx.Journey) -> None:
        for cluster in ("phase", "owner"):
            nodes, _ = _nodes_and_clusters(_layout(write_dot(journey, cluster=cluster)))
            assert set(nodes) == set(_steps(journey))


def _step_owners(journey: cx.Journey) -> dict[str, str | None]:
    out: dict[str, str | None] = {s.id: s.owner for s in _placed(journey)}
    out.update({o.id: None for o in journey.outcomes})
    return out


def _step_phases(journey: cx.Journey) -> dict[str, str | None]:
    out: dict[str, str | None] = {s.id: s.phase for s in _placed(journey)}
    out.update({o.id: None for o in journey.outcomes})
    return out
