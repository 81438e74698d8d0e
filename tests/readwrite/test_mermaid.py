"""Tests for cxgraph.readwrite.mermaid: the text, its escaping, and Mermaid in Chromium.

The structure is checked on the text by a small parser of the lines
``write_mermaid`` writes (every line must be one of them). The binding check
renders every diagram at once: one headless Chromium loads tests/js/mermaid.html,
which renders each diagram with the ``mermaid`` npm package (installed by
``npm ci --prefix tests/js``) and writes what it shows into the page for
``--dump-dom``. Without Chromium or the package the render tests skip, except
under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from tests._programs import program, unavailable

import cxgraph as cx
from cxgraph.readwrite.mermaid import mermaid_text, score, write_mermaid
from strategies import journeys

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
JS = Path(__file__).resolve().parents[1] / "js"
PAGE = JS / "mermaid.html"
MERMAID_JS = JS / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
KINDS = ("flowchart", "journey")

#: Names that would break a diagram or inject syntax if written as they are.
HOSTILE = [
    '"]',
    "%%",
    "-->",
    "a: b",
    "x; y",
    "#",
    "#35;",
    "<script>alert(1)</script>",
    "`code`",
    "{braces}",
    "end",
    "direction LR",
    "section X",
    "title T",
    "journey",
    "two\nlines",
    " padded ",
    "",
    "a, b",
    "&amp;",
    "\ufb02\xb0\xb035\xb6\xdf",  # Mermaid's own marks for the entity #35;
    "tab\tend",
    "ctrl\x01",
    "café 日本 🙂",
    "style:#35;",
    "classDef x fill:#f00;",
    "%%{init: {'theme':'dark'}}%%",
    "\\n",
    "[x]|y|",
    "__proto__",
    "n0 --> n1",
    "~~~",
    "<br>",
    "a\r\nb",
    "\u2028",
    "\xa0nbsp",
]


def _hostile_journey() -> cx.Journey:
    """Every hostile name as a phase, an owner, a step, an edge label and the title."""
    n = len(HOSTILE)
    return cx.Journey(
        id="hostile",
        name=HOSTILE[7],
        phases=[cx.Phase(id=f"p{i}", name=name) for i, name in enumerate(HOSTILE)],
        owners=[cx.Owner(id=f"o{i}", name=name, kind="team") for i, name in enumerate(HOSTILE)],
        touchpoints=[
            cx.Touchpoint(
                id=f"t{i}",
                name=name,
                phase=f"p{i}" if i % 3 else None,
                owner=f"o{i}" if i % 4 else None,
                emotion=i % 7 - 3 if i % 5 else None,
            )
            for i, name in enumerate(HOSTILE)
        ],
        decision_points=[
            cx.DecisionPoint(id="d", name=HOSTILE[0], phase="p1", decided_by="customer")
        ],
        outcomes=[cx.Outcome(id="z", name=HOSTILE[2], kind="failure")],
        transitions=[
            cx.Transition(source=f"t{i}", target=f"t{i + 1}", label=HOSTILE[i])
            for i in range(0, n - 1, 2)
        ],
        handoffs=[
            cx.Handoff(source=f"t{i}", target=f"t{i + 1}", owner=f"o{i}" if i % 3 else None)
            for i in range(1, n - 1, 2)
        ],
        triggers=[cx.Trigger(source="t0", target="z", label=HOSTILE[3])],
    )


def _small_journey() -> cx.Journey:
    """Two phases, every kind of step and edge, an unowned touchpoint and hand-off."""
    return cx.Journey(
        id="small",
        name="Small",
        phases=[cx.Phase(id="look", name="Look"), cx.Phase(id="buy", name="Buy")],
        owners=[
            cx.Owner(id="web", name="Web team", kind="team"),
            cx.Owner(id="shop", name="Shop", kind="team"),
        ],
        touchpoints=[
            cx.Touchpoint(id="browse", name="Browse", phase="look", owner="web", emotion=-2),
            cx.Touchpoint(id="pay", name="Pay", phase="buy", owner="shop", emotion=2),
            cx.Touchpoint(id="call", name="Call us", emotion=None),
            cx.Touchpoint(id="box", name="Pack", phase="buy", owner="shop", emotion=3),
        ],
        decision_points=[
            cx.DecisionPoint(id="q", name="Buy?", phase="look", decided_by="customer")
        ],
        outcomes=[
            cx.Outcome(id="won", name="Bought", kind="success"),
            cx.Outcome(id="lost", name="Left", kind="exit"),
        ],
        transitions=[
            cx.Transition(source="browse", target="q"),
            cx.Transition(source="q", target="lost", probability=0.25, label="too dear"),
            cx.Transition(source="pay", target="won", label="paid"),
        ],
        handoffs=[
            cx.Handoff(source="q", target="pay", probability=0.75, owner="shop"),
            cx.Handoff(source="call", target="pay"),
        ],
        triggers=[cx.Trigger(source="pay", target="box")],
    )


# -- what the text says: a parser of the lines write_mermaid writes ----------------

#: The text of a label, task, section or title: alphanumerics, the plain
#: punctuation, entities and (in a flowchart) <br>; nothing Mermaid reads as syntax.
TEXT = re.compile(r"(?:#\d+;|<br>|[^\W_]|[ .,\-'()/?!])+")
NODE = re.compile(r'^  (?:  )?(n\d+)(\(\[|\(|\{)"([^"]*)"(\]\)|\)|\})(:::unowned)?$')
SUBGRAPH = re.compile(r'^  subgraph (s\d+)\["([^"]*)"\]$')
EDGE = re.compile(r'^  (n\d+) (-->|-\.->|==>)(?:\|"([^"]*)"\|)? (n\d+)$')
LINK_STYLE = re.compile(r"^  linkStyle (\d+(?:,\d+)*) stroke:#c00,color:#c00,stroke-width:2px$")
CLASS_DEF = "  classDef unowned stroke:#c00,stroke-dasharray:4 3"
TASK = re.compile(r"^    ([^:]+): ([1-5])(?:: ([^:,]+))?$")
SHAPES = {"(": ")", "{": "}", "([": "])"}
# What Mermaid's journey lexer reads at the start of a line before a task's name.
JOURNEY_STATEMENT = re.compile(r"(?i)journey\b|title\s|section\s|acctitle\s*:|accdescr\s*[:{]|%")
# Mermaid's pass over the whole text before parsing, which cuts a line's last ";".
STYLE_CUT = re.compile(r"style.*:\S*#.*;|classDef.*:\S*#.*;")


def decoded(text: str) -> str:
    """What Mermaid shows for written text: entities and <br> turned back."""
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), text.replace("<br>", "\n"))


def shown(name: str, kind: str) -> str:
    """What Mermaid shows for a name: the name, with the documented exceptions."""
    text = name.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        "\ufffd" if ch not in "\t\n" and unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in text
    )
    if kind == "flowchart":
        text = text.replace("\ufb02\xb0", "\ufb02\u2060\xb0").replace("\xb6\xdf", "\xb6\u2060\xdf")
    return text or "\u200b"


def _checked_text(text: str, *, journey: bool = False, actor: bool = False) -> str:
    """The shown text of written text, which must hold nothing Mermaid reads as syntax."""
    assert TEXT.fullmatch(text), text
    if journey:
        assert "<br>" not in text
        assert not (actor and "," in text)
        return decoded(text.replace("#10;", "<br>"))
    assert "direction" not in text.lower()
    return decoded(text)


def body(text: str) -> list[str]:
    """The diagram's lines after any front matter (``---`` ... ``---``)."""
    lines = text.split("\n")
    assert lines[-1] == "", "the text ends with a newline"
    lines = lines[:-1]
    if lines and lines[0] == "---":
        lines = lines[lines.index("---", 1) + 1 :]
    return lines


@dataclass
class Flowchart:
    """A flowchart as write_mermaid writes it, its texts decoded."""

    title: str = ""
    nodes: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # shape, text, unowned
    subgraphs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)
    edges: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)
    class_def: bool = False


def parse_flowchart(text: str) -> Flowchart:
    """Parse the text, failing on any line write_mermaid does not write."""
    lines = body(text)
    assert lines[0] == "flowchart LR"
    assert lines[1].startswith("  accTitle: ")
    chart = Flowchart(title=_checked_text(lines[1].removeprefix("  accTitle: ")))
    current: str | None = None
    for line in lines[2:]:
        assert not STYLE_CUT.search(line), line
        if m := SUBGRAPH.match(line):
            assert current is None, "subgraphs do not nest"
            current = m[1]
            chart.subgraphs[current] = (_checked_text(m[2]), [])
        elif line == "  end":
            assert current is not None
            current = None
        elif m := NODE.match(line):
            assert (current is None) == (not line.startswith("    ")), line
            assert m[1] not in chart.nodes, f"{m[1]} defined twice"
            assert SHAPES[m[2]] == m[4], line
            chart.nodes[m[1]] = (m[2], _checked_text(m[3]), bool(m[5]))
            (chart.subgraphs[current][1] if current else chart.outside).append(m[1])
        elif m := EDGE.match(line):
            assert not chart.warned, "edges come before styles"
            assert not chart.class_def, "edges come before styles"
            label = None if m[3] is None else _checked_text(m[3])
            chart.edges.append((m[1], m[2], label, m[4]))
        elif m := LINK_STYLE.match(line):
            chart.warned = [int(i) for i in m[1].split(",")]
        elif line == CLASS_DEF:
            chart.class_def = True
        else:
            pytest.fail(f"a line write_mermaid does not write: {line!r}")
    assert current is None, "an open subgraph"
    assert all(node in chart.nodes for edge in chart.edges for node in (edge[0], edge[3]))
    return chart


@dataclass
class UserJourney:
    """A user journey as write_mermaid writes it: title, then (section, tasks)."""

    title: str = ""
    sections: list[tuple[str, list[tuple[str, int, str | None]]]] = field(default_factory=list)


def parse_journey(text: str) -> UserJourney:
    """Parse the text, failing on any line write_mermaid does not write."""
    lines = body(text)
    assert lines[0] == "journey"
    assert lines[1].startswith("  title ")
    diagram = UserJourney(title=_checked_text(lines[1].removeprefix("  title "), journey=True))
    for line in lines[2:]:
        if line.startswith("  section "):
            name = _checked_text(line.removeprefix("  section "), journey=True)
            diagram.sections.append((name, []))
        elif m := TASK.match(line):
            # Mermaid's journey lexer reads these at the start of a line as statements.
            assert not JOURNEY_STATEMENT.match(m[1]), line
            actor = None if m[3] is None else _checked_text(m[3], journey=True, actor=True)
            task = _checked_text(m[1], journey=True)
            diagram.sections[-1][1].append((task, int(m[2]), actor))
        else:
            pytest.fail(f"a line write_mermaid does not write: {line!r}")
    return diagram


# -- what the text should say ----------------------------------------------------


def _placed(journey: cx.Journey) -> dict[str, str | None]:
    """Each step's phase (None for outcomes and steps without one)."""
    return {s.id: None if isinstance(s, cx.Outcome) else s.phase for s in journey.steps}


def expected_flowchart(journey: cx.Journey) -> Flowchart:
    node = {s.id: f"n{i}" for i, s in enumerate(journey.steps)}
    shape = {cx.Touchpoint: "(", cx.DecisionPoint: "{", cx.Outcome: "(["}
    chart = Flowchart(title=shown(journey.name, "flowchart"))
    for s in journey.steps:
        unowned = isinstance(s, cx.Touchpoint) and s.owner is None
        chart.nodes[node[s.id]] = (shape[type(s)], shown(s.name, "flowchart"), unowned)
    phase = _placed(journey)
    for i, ph in enumerate(journey.phases):
        members = [node[s.id] for s in journey.steps if phase[s.id] == ph.id]
        if members:
            chart.subgraphs[f"s{i}"] = (shown(ph.name, "flowchart"), members)
    chart.outside = [node[s.id] for s in journey.steps if phase[s.id] is None]
    owners = {o.id: o.name for o in journey.owners}
    for i, e in enumerate(journey.edges):
        label: str | None
        if isinstance(e, cx.Handoff):
            arrow, label = "-.->", "unowned" if e.owner is None else owners[e.owner]
            if e.owner is None:
                chart.warned.append(i)
        else:
            arrow = "-->" if isinstance(e, cx.Transition) else "==>"
            p = e.probability if isinstance(e, cx.Transition) else None
            parts = [e.label] if e.label else []
            if p is not None:
                parts.append(f"({p!r})" if parts else repr(p))
            label = " ".join(parts) or None
        label = None if label is None else shown(label, "flowchart")
        chart.edges.append((node[e.source], arrow, label, node[e.target]))
    chart.class_def = any(unowned for _, _, unowned in chart.nodes.values())
    return chart


def expected_journey(journey: cx.Journey) -> UserJourney:
    owners = {o.id: o.name for o in journey.owners}

    def tasks(phase: str | None) -> list[tuple[str, int, str | None]]:
        return [
            (
                shown(tp.name, "journey"),
                score(tp.emotion),
                None if tp.owner is None else shown(owners[tp.owner], "journey"),
            )
            for tp in journey.touchpoints
            if tp.phase == phase
        ]

    groups = [(ph.name, tasks(ph.id)) for ph in journey.phases] + [("No phase", tasks(None))]
    return UserJourney(
        title=shown(journey.name, "journey"),
        sections=[(shown(name, "journey"), t) for name, t in groups if t],
    )


# -- the text ----------------------------------------------------------------------


class TestWriteMermaid:
    def test_flowchart_structure(self) -> None:
        """One node per step, n0.. in step order, a subgraph per phase, styled edges."""
        journey = _small_journey()
        text = write_mermaid(journey)
        assert parse_flowchart(text) == expected_flowchart(journey)
        assert text == (
            "flowchart LR\n"
            "  accTitle: Small\n"
            '  subgraph s0["Look"]\n'
            '    n0("Browse")\n'
            '    n4{"Buy?"}\n'
            "  end\n"
            '  subgraph s1["Buy"]\n'
            '    n1("Pay")\n'
            '    n3("Pack")\n'
            "  end\n"
            '  n2("Call us"):::unowned\n'
            '  n5(["Bought"])\n'
            '  n6(["Left"])\n'
            "  n0 --> n4\n"
            '  n4 -->|"too dear (0.25)"| n6\n'
            '  n1 -->|"paid"| n5\n'
            '  n4 -.->|"Shop"| n1\n'
            '  n2 -.->|"unowned"| n1\n'
            "  n1 ==> n3\n"
            "  linkStyle 4 stroke:#c00,color:#c00,stroke-width:2px\n"
            "  classDef unowned stroke:#c00,stroke-dasharray:4 3\n"
        )

    def test_nodes_in_step_order(self) -> None:
        """Node ids follow Journey.steps: touchpoints, decision points, outcomes."""
        journey = _small_journey()
        chart = parse_flowchart(write_mermaid(journey))
        ids = sorted(chart.nodes, key=lambda n: int(n[1:]))
        assert ids == [f"n{i}" for i in range(len(journey.steps))]
        assert [chart.nodes[n][1] for n in ids] == [s.name for s in journey.steps]
        assert [chart.nodes[n][0] for n in ids] == ["("] * 4 + ["{"] + ["(["] * 2

    def test_subgraph_per_phase_outcomes_outside(self) -> None:
        """A subgraph per phase holding steps, titled with its name; outcomes outside."""
        journey = cx.load(EXAMPLES[0].parent / "restaurant.yaml")
        chart = parse_flowchart(write_mermaid(journey))
        assert [title for title, _ in chart.subgraphs.values()] == [p.name for p in journey.phases]
        outcome_nodes = {f"n{i}" for i, s in enumerate(journey.steps) if isinstance(s, cx.Outcome)}
        assert outcome_nodes <= set(chart.outside)

    def test_empty_phases_are_left_out(self) -> None:
        """A phase with no steps has no subgraph and no section; ids keep the phase's place."""
        journey = _small_journey().with_changes(
            phases=[cx.Phase(id="none", name="Empty"), *_small_journey().phases]
        )
        chart = parse_flowchart(write_mermaid(journey))
        assert list(chart.subgraphs) == ["s1", "s2"]
        sections = parse_journey(write_mermaid(journey, kind="journey")).sections
        assert [name for name, _ in sections] == ["Look", "Buy", "No phase"]

    def test_edge_kinds(self) -> None:
        """Transitions solid, hand-offs dashed with the owner's name, triggers thick."""
        chart = parse_flowchart(write_mermaid(_small_journey()))
        assert [(arrow, label) for _, arrow, label, _ in chart.edges] == [
            ("-->", None),
            ("-->", "too dear (0.25)"),
            ("-->", "paid"),
            ("-.->", "Shop"),
            ("-.->", "unowned"),
            ("==>", None),
        ]

    def test_unowned_handoff_warned(self) -> None:
        """An unowned hand-off is labelled unowned and drawn in the warning style."""
        journey = _hostile_journey()
        chart = parse_flowchart(write_mermaid(journey))
        unowned = [
            i for i, e in enumerate(journey.edges) if isinstance(e, cx.Handoff) and not e.owner
        ]
        assert unowned
        assert chart.warned == unowned
        assert all(chart.edges[i][2] == "unowned" for i in unowned)

    def test_unowned_steps_marked(self) -> None:
        """Touchpoints without an owner have the class unowned; nothing else has."""
        journey = _small_journey()
        chart = parse_flowchart(write_mermaid(journey))
        assert [n for n, (_, _, unowned) in chart.nodes.items() if unowned] == ["n2"]
        assert chart.class_def
        owned = cx.Journey(
            id="o",
            name="Owned",
            owners=[cx.Owner(id="x", name="X", kind="team")],
            touchpoints=[cx.Touchpoint(id="a", name="A", owner="x")],
            decision_points=[cx.DecisionPoint(id="q", name="Q", decided_by="customer")],
            handoffs=[cx.Handoff(source="a", target="q", owner="x")],
        )
        text = write_mermaid(owned)
        assert "unowned" not in text
        assert "linkStyle" not in text

    def test_empty_journey(self) -> None:
        """A journey without steps is a diagram with a title and nothing else."""
        journey = cx.Journey(id="e", name="")
        assert write_mermaid(journey) == "flowchart LR\n  accTitle: #8203;\n"
        assert write_mermaid(journey, kind="journey") == "journey\n  title #8203;\n"

    def test_same_journey_same_text(self) -> None:
        """The text depends on the journey only."""
        assert write_mermaid(_hostile_journey()) == write_mermaid(_hostile_journey())

    @pytest.mark.parametrize("bad", ["gantt", "Journey", "", None])
    def test_unknown_kind(self, bad: Any) -> None:
        """Any other kind is a ValueError naming the valid ones."""
        with pytest.raises(ValueError, match=r"unknown kind .* \(valid: 'flowchart', 'journey'\)"):
            write_mermaid(_small_journey(), kind=bad)

    def test_not_a_journey(self) -> None:
        """Something other than a Journey is a TypeError."""
        with pytest.raises(TypeError, match="write_mermaid\\(\\) takes a Journey, got dict"):
            write_mermaid({})  # type: ignore[arg-type]

    @pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
    @pytest.mark.parametrize("kind", KINDS)
    def test_examples(self, example: Path, kind: str) -> None:
        """Every example, in both kinds, is what it should be, line by line."""
        journey = cx.load(example)
        text = write_mermaid(journey, kind=kind)
        if kind == "flowchart":
            assert parse_flowchart(text) == expected_flowchart(journey)
        else:
            assert parse_journey(text) == expected_journey(journey)

    def test_front_matter_allowed(self) -> None:
        """The diagram line may follow front matter: the parser skips it."""
        text = write_mermaid(_small_journey())
        with_front = "---\ntitle: Small\n---\n" + text
        assert parse_flowchart(with_front) == parse_flowchart(text)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(journey=journeys())
    def test_any_journey(self, journey: cx.Journey) -> None:
        """Any journey: one node definition per step, every line well-formed, names shown."""
        text = write_mermaid(journey)
        node_lines = [line for line in text.splitlines() if NODE.match(line)]
        assert len(node_lines) == len(journey.steps)
        assert parse_flowchart(text) == expected_flowchart(journey)
        assert parse_journey(write_mermaid(journey, kind="journey")) == expected_journey(journey)


class TestUserJourney:
    def test_sections_tasks_scores_actors(self) -> None:
        """A section per phase in order, then No phase; score emotion + 3; owner as actor."""
        text = write_mermaid(_small_journey(), kind="journey")
        assert text == (
            "journey\n"
            "  title Small\n"
            "  section Look\n"
            "    Browse: 1: Web team\n"
            "  section Buy\n"
            "    Pay: 5: Shop\n"
            "    Pack: 5: Shop\n"
            "  section No phase\n"
            "    Call us: 3\n"
        )

    @pytest.mark.parametrize(
        ("emotion", "expected"),
        [(-3, 1), (-2, 1), (-1, 2), (0, 3), (1, 4), (2, 5), (3, 5), (None, 3)],
    )
    def test_score(self, emotion: int | None, expected: int) -> None:
        """emotion + 3 clipped to 1..5, 3 when the emotion is unknown."""
        journey = cx.Journey(
            id="j", name="J", touchpoints=[cx.Touchpoint(id="a", name="A", emotion=emotion)]
        )
        assert write_mermaid(journey, kind="journey").splitlines()[-1] == f"    A: {expected}"

    def test_only_touchpoints_are_tasks(self) -> None:
        """Decision points and outcomes are no tasks; a phase without touchpoints no section."""
        journey = _small_journey()
        diagram = parse_journey(write_mermaid(journey, kind="journey"))
        tasks = [name for _, section in diagram.sections for name, _, _ in section]
        assert sorted(tasks) == sorted(tp.name for tp in journey.touchpoints)

    def test_no_phase_is_last(self) -> None:
        """Touchpoints without a phase go in a final section No phase."""
        diagram = parse_journey(write_mermaid(_hostile_journey(), kind="journey"))
        assert diagram.sections[-1][0] == "No phase"
        assert [name for name, _ in diagram.sections].count("No phase") == 1


# -- escaping ------------------------------------------------------------------------

ESCAPES = [
    # name, in a flowchart, in a user journey (None: the same)
    ('"]', "#34;#93;", None),
    ("%%", "#37;#37;", None),
    ("-->", "--#62;", None),
    ("a: b", "a#58; b", None),
    ("x; y", "x#59; y", None),
    ("#", "#35;", None),
    ("#35;", "#35;35#59;", None),
    ("<script>", "#60;script#62;", None),
    ("`code`", "#96;code#96;", None),
    ("{braces}", "#123;braces#125;", None),
    ("end", "end", None),
    ("direction LR", "#100;irection LR", "direction LR"),
    ("Set direction\tTB", "Set #100;irection#9;TB", "Set direction#9;TB"),
    ("section X", "section X", "#115;ection X"),
    ("Title search", "Title search", "#84;itle search"),
    ("journey", "journey", "#106;ourney"),
    ("accTitle: x", "accTitle#58; x", None),
    ("two\nlines", "two<br>lines", "two#10;lines"),
    ("a\r\nb\rc", "a<br>b<br>c", "a#10;b#10;c"),
    (" padded ", "#32;padded#32;", None),
    ("", "#8203;", None),
    ("a, b", "a, b", None),
    ("&amp;", "#38;amp#59;", None),
    ("\ufb02\xb0\xb6\xdf", "\ufb02#8288;#176;#182;#8288;\xdf", "\ufb02#176;#182;\xdf"),
    ("tab\tend", "tab#9;end", None),
    ("ctrl\x01\x7f\ud800", "ctrl#65533;#65533;#65533;", None),
    ("café 日本 🙂", "café 日本 #128578;", None),
    ("\\n", "#92;n", None),
    ("__proto__", "#95;#95;proto#95;#95;", None),
    ("it's (1/2)?!.", "it's (1/2)?!.", None),
    ("=+*~^$@|[]", "#61;#43;#42;#126;#94;#36;#64;#124;#91;#93;", None),
    ("\u2028\xa0", "#8232;#160;", None),
]


class TestMermaidText:
    @pytest.mark.parametrize(("name", "flowchart", "journey"), ESCAPES, ids=repr)
    def test_escapes(self, name: str, flowchart: str, journey: str | None) -> None:
        """Each hostile name is written as entities that read back as the name."""
        assert mermaid_text(name) == flowchart
        assert mermaid_text(name, kind="journey") == (journey or flowchart)
        assert decoded(flowchart) == shown(name, "flowchart")
        assert decoded((journey or flowchart).replace("#10;", "\n")) == shown(name, "journey")

    def test_actor_comma(self) -> None:
        """In an actor a comma is an entity: it would separate two actors."""
        assert mermaid_text("Sales, EMEA", kind="journey", actor=True) == "Sales#44; EMEA"

    @pytest.mark.parametrize("name", HOSTILE, ids=repr)
    def test_hostile_names_well_formed(self, name: str) -> None:
        """Every hostile name is plain text, entities and <br> only, read back as itself."""
        for kind in KINDS:
            written = mermaid_text(name, kind=kind)
            assert TEXT.fullmatch(written)
            assert decoded(written.replace("#10;", "\n")) == shown(name, kind)


# -- Mermaid itself, in headless Chromium ------------------------------------------------

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=60000",
)


def mermaid_js(path: Path = MERMAID_JS) -> Path:
    """The mermaid package's script; skip without it, or fail under CI."""
    if not path.is_file():
        unavailable(
            "the mermaid npm package is not installed: run npm ci --prefix tests/js",
            in_ci="CI must render the Mermaid diagrams",
        )
    return path


def chromium() -> str:
    return program(
        "chromium",
        "chromium-browser",
        missing="headless Chromium is not installed (apt-get install chromium)",
        in_ci="CI must render the Mermaid diagrams",
    )


def _generated() -> list[cx.Journey]:
    """A few journeys from the strategy, the same ones every run."""
    found: list[cx.Journey] = []

    @settings(max_examples=8, derandomize=True, database=None, deadline=None)
    @given(journey=journeys(min_steps=3))
    def collect(journey: cx.Journey) -> None:
        found.append(journey)

    collect()
    assert len(found) >= 4
    return found[-4:]


def _journeys() -> dict[str, cx.Journey]:
    out = {p.stem: cx.load(p) for p in EXAMPLES}
    out["hostile"] = _hostile_journey()
    out["small"] = _small_journey()
    out["empty"] = cx.Journey(id="empty", name="Empty")
    out.update({f"generated{i}": j for i, j in enumerate(_generated())})
    return out


@dataclass
class Rendered:
    """What Mermaid showed for each (journey name, kind), and the journeys."""

    journeys: dict[str, cx.Journey]
    results: dict[tuple[str, str], dict[str, Any]]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Render every diagram of every journey in one Chromium launch."""
    mermaid_js()
    binary = chromium()
    journeys_ = _journeys()
    keys = [(name, kind) for name in journeys_ for kind in KINDS]
    diagrams = [write_mermaid(journeys_[name], kind=kind) for name, kind in keys]
    tmp = tmp_path_factory.mktemp("mermaid")
    data = tmp / "diagrams.js"
    data.write_text(f"window.DIAGRAMS = {json.dumps(diagrams)};\n", encoding="utf-8")
    url = f"{PAGE.as_uri()}?diagrams={quote(data.as_uri(), safe='')}"
    done = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={tmp / 'profile'}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no results in the page: {done.stdout[:500]}"
    assert found[1], "the page wrote nothing: Mermaid did not finish"
    results = json.loads(html.unescape(found[1]))
    assert isinstance(results, list), results
    assert len(results) == len(keys)
    return Rendered(journeys_, dict(zip(keys, results, strict=True)))


RENDERED = [*(p.stem for p in EXAMPLES), "hostile", "small", "empty"]
RENDERED += [f"generated{i}" for i in range(4)]


def _inside(inner: list[float], outer: list[float]) -> bool:
    return all(inner[i] >= outer[i] - 1 for i in (0, 1)) and all(
        inner[i] <= outer[i] + 1 for i in (2, 3)
    )


def _centre_inside(inner: list[float], outer: list[float]) -> bool:
    x, y = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] < x < outer[2] and outer[1] < y < outer[3]


class TestRenderedByMermaid:
    @pytest.mark.parametrize("name", RENDERED)
    def test_flowchart(self, rendered: Rendered, name: str) -> None:
        """Mermaid renders the flowchart and shows every name, subgraph and edge as written."""
        journey = rendered.journeys[name]
        got = rendered.results[name, "flowchart"]
        assert got["ok"], got.get("error")
        assert got["kind"] == "flowchart-v2"
        assert not {"script", "a", "iframe", "image"} & set(got["elements"])
        want = expected_flowchart(journey)
        assert got["title"] == want.title
        nodes = {re.sub(r"^flowchart-(n\d+)-\d+$", r"\1", n["id"]): n for n in got["nodes"]}
        assert len(nodes) == len(got["nodes"]) == len(journey.steps)
        assert {k: n["text"] for k, n in nodes.items()} == {
            k: text for k, (_, text, _) in want.nodes.items()
        }
        assert {k for k, n in nodes.items() if "unowned" in n["classes"].split()} == {
            k for k, (_, _, unowned) in want.nodes.items() if unowned
        }
        clusters = {c["id"]: c for c in got["clusters"]}
        assert {k: c["text"] for k, c in clusters.items()} == {
            k: title for k, (title, _) in want.subgraphs.items()
        }
        for k, (_, members) in want.subgraphs.items():
            for member in members:
                assert _inside(nodes[member]["box"], clusters[k]["box"]), (k, member)
        for member in want.outside:
            assert not any(_centre_inside(nodes[member]["box"], c["box"]) for c in got["clusters"])
        self._check_edges(got["edges"], want)

    @staticmethod
    def _check_edges(edges: list[dict[str, Any]], want: Flowchart) -> None:
        by_id = {e["id"]: e for e in edges}
        loops = sum(source == target for source, _, _, target in want.edges)
        # Mermaid draws a self-loop as three paths, the label on the middle one.
        assert len(by_id) == len(edges) == len(want.edges) + 2 * loops
        seen: dict[tuple[str, str], int] = {}
        style = {
            "-->": ("normal", "solid"),
            "-.->": ("normal", "dotted"),
            "==>": ("thick", "solid"),
        }
        for i, (source, arrow, label, target) in enumerate(want.edges):
            k = seen[source, target] = seen.get((source, target), -1) + 1
            if source == target:
                parts = [by_id[f"{source}-cyclic-special-{p}"] for p in ("1", "mid", "2")]
                labelled = parts[1]
            else:
                parts = [by_id[f"L_{source}_{target}_{k}"]]
                labelled = parts[0]
            assert (labelled["label"] or None) == label
            for edge in parts:
                thickness, pattern = edge["classes"].split()[:2]
                assert (thickness, pattern) == tuple(
                    f"edge-{what}-{value}"
                    for what, value in zip(("thickness", "pattern"), style[arrow], strict=True)
                )
                warned = edge["stroke"] == "rgb(204, 0, 0)"
                assert warned == (i in want.warned), edge

    @pytest.mark.parametrize("name", RENDERED)
    def test_user_journey(self, rendered: Rendered, name: str) -> None:
        """Mermaid renders the user journey: sections, tasks, scores and actors as written."""
        journey = rendered.journeys[name]
        got = rendered.results[name, "journey"]
        assert got["ok"], got.get("error")
        assert got["kind"] == "journey"
        assert not {"script", "a", "iframe", "image"} & set(got["elements"])
        want = expected_journey(journey)
        assert got["title"] == want.title
        # Mermaid draws one section for consecutive sections of the same name.
        sections = [
            s for i, (s, _) in enumerate(want.sections) if i == 0 or want.sections[i - 1][0] != s
        ]
        assert got["sections"] == sections
        tasks = [task for _, section in want.sections for task in section]
        assert [t["text"] for t in got["tasks"]] == [text for text, _, _ in tasks]
        # The face sits at 300 + (5 - score) * 30: the score as Mermaid read it.
        assert [round(5 - (t["face"] - 300) / 30) for t in got["tasks"]] == [s for _, s, _ in tasks]
        assert [t["actors"] for t in got["tasks"]] == [[a] if a else [] for _, _, a in tasks]

    @pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
    def test_legend_names_owners(self, rendered: Rendered, name: str) -> None:
        """The journey's legend lists each acting owner's name once."""
        journey = rendered.journeys[name]
        got = rendered.results[name, "journey"]
        owners = {o.id: o.name for o in journey.owners}
        acting = {owners[tp.owner] for tp in journey.touchpoints if tp.owner}
        assert sorted(got["legend"]) == sorted(acting)


class TestMermaidLookup:
    def test_missing_package_fails_under_ci(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Under CI=true a missing mermaid package fails the render tests."""
        monkeypatch.setenv("CI", "true")
        with pytest.raises(pytest.fail.Exception, match="run npm ci --prefix tests/js"):
            mermaid_js(tmp_path / "mermaid.min.js")

    def test_missing_package_skips_elsewhere(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Outside CI a missing mermaid package skips them, saying how to install it."""
        monkeypatch.delenv("CI", raising=False)
        with pytest.raises(pytest.skip.Exception, match="run npm ci --prefix tests/js"):
            mermaid_js(tmp_path / "mermaid.min.js")
