"""Tests for cxgraph.readwrite.xes: the streaming expat reader, against a plain tree walk."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from cxgraph.readwrite import xes as XES_READER
from cxgraph.readwrite.columns import XES_ATTRIBUTES, EventLogError

DATA = Path(__file__).resolve().parents[1] / "data"
WANTED = [
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "org:resource",
    "lifecycle:transition",
    "case:creator",
    "Costs",
]


def write(tmp: Path, body: str, name: str = "log.xes", encoding: str = "UTF-8") -> Path:
    """An XES document with the given traces."""
    path = tmp / name
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n<log xes.version="1.0">\n{body}</log>\n'
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def tree_walk(path: Path, wanted: list[str]) -> tuple[dict[str, list[Any]], list[str]]:
    """What the reader must give, from the whole document parsed by ElementTree."""
    opener: Any = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        root = ET.parse(fh).getroot()

    def local(elem: ET.Element) -> str:
        return elem.tag.rsplit("}", 1)[-1]

    cols: dict[str, list[Any]] = {c: [] for c in wanted}
    found: dict[str, None] = {}
    for trace in (t for t in root if local(t) == "trace"):
        attrs: dict[str, Any] = {}
        events = []
        for child in trace:
            if local(child) == "event":
                event = {}
                for a in child:
                    if local(a) in XES_ATTRIBUTES and a.get("key") is not None:
                        found.setdefault(a.get("key"), None)  # type: ignore[arg-type]
                        event[a.get("key")] = a.get("value")
                events.append(event)
            elif local(child) in XES_ATTRIBUTES and child.get("key") is not None:
                found.setdefault("case:" + child.get("key"), None)  # type: ignore[operator]
                attrs["case:" + child.get("key")] = child.get("value")  # type: ignore[operator]
        for ev in events:
            for c in wanted:
                cols[c].append(ev.get(c, attrs.get(c)))
    return cols, list(found)


class TestAgainstATreeWalk:
    """The streaming reader gives what a walk over the whole tree gives."""

    @pytest.mark.parametrize("path", sorted(DATA.glob("*.xes*")), ids=lambda p: p.name)
    def test_data_files(self, path: Path) -> None:
        """Every XES file of the test data, namespaced and gzipped ones included."""
        assert XES_READER.read_xes(path, WANTED) == tree_walk(path, WANTED)

    def test_small_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Tags and values cut across the chunks handed to expat read the same."""
        path = DATA / "running-example.xes"
        whole = XES_READER.read_xes(path, WANTED)
        monkeypatch.setattr(XES_READER, "_CHUNK", 7)
        assert XES_READER.read_xes(path, WANTED) == whole

    def test_attributes_split_around_nested_elements(self, tmp_path: Path) -> None:
        """An event's attributes before and after lists, containers and nested attributes,
        and trace attributes between events, all count; what is nested in them does not."""
        body = (
            "<trace>"
            '<string key="concept:name" value="c1"/>'
            '<event><string key="concept:name" value="a"/>'
            '<list key="org:resource"><values><string key="org:resource" value="no"/></values>'
            "</list>"
            '<container key="c"><string key="lifecycle:transition" value="no"/></container>'
            '<date key="time:timestamp" value="2024-01-01T00:00:00Z">'
            '<string key="Costs" value="nested, not the event\'s"/></date>'
            '<string key="org:resource" value="Pete"/></event>'
            '<int key="creator" value="7"/>'
            '<event><string key="concept:name" value="b"/><int key="Costs" value="3"/>'
            '<date key="time:timestamp" value="2024-01-02T00:00:00Z"/></event>'
            "</trace>\n"
        )
        path = write(tmp_path, body)
        data, found = XES_READER.read_xes(path, WANTED)
        assert (data, found) == tree_walk(path, WANTED)
        assert data["concept:name"] == ["a", "b"]
        assert data["org:resource"] == ["Pete", None]
        assert data["lifecycle:transition"] == [None, None]
        assert data["Costs"] == [None, "3"]
        assert data["case:creator"] == ["7", "7"]
        assert found == [
            "case:concept:name",
            "concept:name",
            "time:timestamp",
            "org:resource",
            "case:creator",
            "Costs",
        ]

    @pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "ISO-8859-1"])
    def test_unicode(self, encoding: str, tmp_path: Path) -> None:
        """Names outside ASCII, in any encoding the declaration names, and character references."""
        names = ["Café crème", "naïve", "&#x1F600; smile"] if encoding != "ISO-8859-1" else []
        names += ["déjà vu", "&#233;t&#233;"]
        events = "".join(
            f'<event><string key="concept:name" value="{n}"/>'
            f'<date key="time:timestamp" value="2024-01-0{i + 1}T00:00:00Z"/></event>'
            for i, n in enumerate(names)
        )
        path = write(tmp_path, f'<trace><string key="concept:name" value="ü"/>{events}</trace>\n',
                     encoding=encoding)  # fmt: skip
        data, _ = XES_READER.read_xes(path, WANTED)
        assert (data, _) == tree_walk(path, WANTED)
        expected = [n.replace("&#x1F600;", "\U0001f600").replace("&#233;", "é") for n in names]
        assert data["concept:name"] == expected
        assert set(data["case:concept:name"]) == {"ü"}

    def test_prefixed_namespace(self, tmp_path: Path) -> None:
        """A namespace prefix on the elements is no different from a default namespace."""
        path = tmp_path / "log.xes"
        path.write_text(
            '<x:log xmlns:x="http://www.xes-standard.org/"><x:trace>'
            '<x:string key="concept:name" value="t"/><x:event>'
            '<x:string key="concept:name" value="a"/></x:event></x:trace></x:log>',
            encoding="utf-8",
        )
        data, found = XES_READER.read_xes(path, ["case:concept:name", "concept:name"])
        assert data == {"case:concept:name": ["t"], "concept:name": ["a"]}
        assert found == ["case:concept:name", "concept:name"]


class TestRefused:
    """Misplaced rows and entities are errors that say where."""

    @pytest.mark.parametrize(
        ("body", "match"),
        [
            (
                '<trace><event><string key="concept:name" value="a"/></event>'
                '<event><string key="concept:name" value="b"><event/></string></event></trace>',
                r"an <event> inside <string>, after 1 event: ",
            ),
            (
                '<trace><event><string key="concept:name" value="a"/></event></trace>'
                '<trace><event><string key="concept:name" value="b"/></event>'
                '<string key="x" value="y"><trace/></string></trace>',
                r"a <trace> inside <string>, after 2 events: ",
            ),
            (
                '<trace><event><list key="l"><values><event/></values></list></event></trace>',
                r"an <event> inside <values>, after 0 events: ",
            ),
            ("<global><event/></global>", r"an <event> inside <global>, after 0 events: "),
        ],
        ids=["in an attribute", "trace in a trace attribute", "deep in a list", "in a global"],
    )
    def test_misplaced(self, body: str, match: str, tmp_path: Path) -> None:
        """The count is of the events that ended before the misplaced element."""
        with pytest.raises(EventLogError, match=match):
            XES_READER.read_xes(write(tmp_path, body), ["concept:name"])

    def test_external_entity_in_text(self, tmp_path: Path) -> None:
        """An external entity outside an attribute is never fetched: the error ElementTree gives."""
        path = tmp_path / "log.xes"
        path.write_text(
            '<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            '<log><trace><event><string key="concept:name" value="a"/>&x;</event></trace></log>',
            encoding="utf-8",
        )
        with pytest.raises(
            EventLogError, match=r"^malformed XES in '.*': undefined entity &x;: line 2, column"
        ):
            XES_READER.read_xes(path, ["concept:name"])

    def test_not_a_log(self, tmp_path: Path) -> None:
        """The root is checked before anything malformed after it."""
        path = tmp_path / "log.xes"
        path.write_text('<ns:journey xmlns:ns="urn:x"><a></b></ns:journey>', encoding="utf-8")
        with pytest.raises(EventLogError, match=r"its root element is <journey>, not <log>$"):
            XES_READER.read_xes(path, ["concept:name"])

    @pytest.mark.parametrize(
        "doctype",
        [
            '<!DOCTYPE log SYSTEM "file:///no/such/file.dtd">',
            '<!DOCTYPE log [<!ENTITY % x SYSTEM "file:///no/such/file.dtd"> %x;]>',
        ],
        ids=["external subset", "parameter entity"],
    )
    def test_external_dtd_is_not_fetched(self, doctype: str, tmp_path: Path) -> None:
        """An external DTD or parameter entity is never read: the log reads without it."""
        path = tmp_path / "log.xes"
        path.write_text(
            f'<?xml version="1.0"?>\n{doctype}\n<log><trace><event>'
            '<string key="concept:name" value="a"/></event></trace></log>',
            encoding="utf-8",
        )
        assert XES_READER.read_xes(path, ["concept:name"]) == (
            {"concept:name": ["a"]},
            ["concept:name"],
        )
