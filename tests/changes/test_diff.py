"""Tests for cxgraph.changes.diff: matching, renames, findings deltas, measures, formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import cxgraph as cx
from cxgraph.changes.diff import Change, Diff, diff

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def _base(**changes: Any) -> cx.Journey:
    j = cx.Journey(
        id="j",
        name="J",
        personas=[cx.Persona(id="p1", name="Buyer")],
        phases=[cx.Phase(id="aware", name="Aware"), cx.Phase(id="buy", name="Buy")],
        owners=[
            cx.Owner(id="web", name="Web team", kind="team"),
            cx.Owner(id="sales", name="Sales", kind="team"),
        ],
        channels=[cx.Channel(id="site", name="Website", kind="digital")],
        touchpoints=[
            cx.Touchpoint(
                id="t_ad", name="Ad", phase="aware", owner="web", channel="site", personas=["p1"]
            ),
            cx.Touchpoint(id="t_site", name="Site", phase="aware", owner="web", channel="site"),
            cx.Touchpoint(id="t_call", name="Call", phase="buy", owner="sales", channel="site"),
        ],
        outcomes=[
            cx.Outcome(id="won", name="Won", kind="success"),
            cx.Outcome(id="lost", name="Lost", kind="failure"),
        ],
        entries=["t_ad"],
        transitions=[
            cx.Transition(source="t_ad", target="t_site", probability=1.0),
            cx.Transition(source="t_site", target="lost", probability=0.4),
            cx.Transition(source="t_call", target="won", probability=1.0),
        ],
        handoffs=[
            cx.Handoff(
                source="t_site", target="t_call", probability=0.6, owner="sales", carries=["lead"]
            )
        ],
    )
    return j.with_changes(**changes) if changes else j


BASE = _base()


def _rows(d: Diff, *areas: str) -> list[tuple[Any, ...]]:
    """The records of the given areas (all when none) as tuples."""
    return [
        (c.area, c.change, c.key, c.field, c.old, c.new) for c in d if not areas or c.area in areas
    ]


def _tp(j: cx.Journey, step: str, **changes: Any) -> tuple[cx.Touchpoint, ...]:
    return tuple(attrs.evolve(t, **changes) if t.id == step else t for t in j.touchpoints)


def _rename_ad() -> cx.Journey:
    tps = _tp(BASE, "t_ad", id="t_campaign")
    edges = tuple(
        attrs.evolve(e, source="t_campaign") if e.source == "t_ad" else e for e in BASE.transitions
    )
    return BASE.with_changes(touchpoints=tps, transitions=edges, entries=["t_campaign"])


def _rename_owner() -> cx.Journey:
    owners = (cx.Owner(id="web_team", name="Web team", kind="team"), BASE.owners[1])
    tps = tuple(
        attrs.evolve(t, owner="web_team") if t.owner == "web" else t for t in BASE.touchpoints
    )
    return BASE.with_changes(owners=owners, touchpoints=tps)


def _to_handoff() -> cx.Journey:
    first = BASE.transitions[0]
    return BASE.with_changes(
        transitions=BASE.transitions[1:],
        handoffs=(
            *BASE.handoffs,
            cx.Handoff(source=first.source, target=first.target, probability=1.0, owner="web"),
        ),
    )


def _probabilities(p: float) -> cx.Journey:
    ts = (
        BASE.transitions[0],
        attrs.evolve(BASE.transitions[1], probability=round(1 - p, 10)),
        BASE.transitions[2],
    )
    return BASE.with_changes(
        transitions=ts, handoffs=(attrs.evolve(BASE.handoffs[0], probability=p),)
    )


def _unowned_handoff() -> cx.Journey:
    return BASE.with_changes(handoffs=(attrs.evolve(BASE.handoffs[0], owner=None),))


EDITS: dict[str, Callable[[], cx.Journey]] = {
    "rename_step": _rename_ad,
    "rename_owner": _rename_owner,
    "to_handoff": _to_handoff,
    "probability_up": lambda: _probabilities(0.7),
    "probability_down": lambda: _probabilities(0.5),
    "unowned_handoff": _unowned_handoff,
    "owner_change": lambda: BASE.with_changes(touchpoints=_tp(BASE, "t_call", owner="web")),
    "add_persona": lambda: BASE.with_changes(
        personas=(*BASE.personas, cx.Persona(id="p2", name="Browser"))
    ),
    "header": lambda: BASE.with_changes(version="2", state="future"),
}


def _load(name: str) -> cx.Journey:
    return cx.load(EXAMPLES / f"{name}.yaml")


class TestDiff:
    def test_same_journey_is_empty(self) -> None:
        """diff(j, j) has no records, no regressions and zero deltas."""
        d = diff(BASE, BASE)
        assert d.is_empty
        assert len(d) == 0
        assert d.regressions == ()
        assert d.summary() == "no changes"
        assert all(delta in (0, None) for _, _, delta in d.measures.values())

    @pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
    def test_every_example_against_itself_is_empty(self, path: Path) -> None:
        """Every bundled example is unchanged against itself."""
        j = cx.load(path)
        assert diff(j, j).is_empty

    @pytest.mark.parametrize(
        ("area", "edited", "key"),
        [
            ("personas", BASE.with_changes(personas=(), touchpoints=_tp(BASE, "t_ad", personas=())),
             "p1"),
            ("phases", BASE.with_changes(phases=(*BASE.phases, cx.Phase(id="after", name="After"))),
             "after"),
            ("channels", BASE.with_changes(
                channels=(*BASE.channels, cx.Channel(id="ph", name="Phone", kind="human"))), "ph"),
            ("systems", BASE.with_changes(systems=(cx.System(id="crm", name="CRM"),)), "crm"),
            ("dimensions", BASE.with_changes(dimensions=(cx.Dimension(id="d", name="D", tier=1),)),
             "d"),
            ("owners", BASE.with_changes(
                owners=(*BASE.owners, cx.Owner(id="ops", name="Ops", kind="team"))), "ops"),
        ],
    )  # fmt: skip
    def test_added_and_removed_per_list(self, area: str, edited: cx.Journey, key: str) -> None:
        """An object only in one journey is one added (or, backwards, removed) record."""
        removed = area == "personas"
        d = diff(BASE, edited)
        (rec,) = [c for c in d if c.area == area]
        assert (rec.change, rec.key, rec.field) == ("removed" if removed else "added", key, None)
        assert (rec.old if removed else rec.new)["id"] == key
        back = [c for c in diff(edited, BASE) if c.area == area]
        assert [c.change for c in back] == ["added" if removed else "removed"]

    def test_added_step_and_edges(self) -> None:
        """A new step is one added record with its type; its edges are added and changed."""
        j = BASE.with_changes(
            touchpoints=(*BASE.touchpoints, cx.Touchpoint(id="t_chat", name="Chat", owner="web")),
            transitions=(
                *BASE.transitions[:1],
                cx.Transition(source="t_site", target="lost", probability=0.3),
                cx.Transition(source="t_site", target="t_chat", probability=0.1),
                cx.Transition(source="t_chat", target="lost", probability=1.0),
                *BASE.transitions[2:],
            ),
        )
        rows = _rows(diff(BASE, j), "steps", "edges")
        assert rows == [
            ("steps", "added", "t_chat", None, None,
             {"type": "touchpoint", "id": "t_chat", "name": "Chat", "owner": "web"}),
            ("edges", "added", "t_chat>lost", None, None,
             {"kind": "transition", "source": "t_chat", "target": "lost", "probability": 1.0}),
            ("edges", "changed", "t_site>lost", "probability", 0.4, 0.3),
            ("edges", "added", "t_site>t_chat", None, None,
             {"kind": "transition", "source": "t_site", "target": "t_chat", "probability": 0.1}),
        ]  # fmt: skip

    def test_changed_field(self) -> None:
        """A field that differs on an object kept by id is one changed record."""
        j = BASE.with_changes(personas=(cx.Persona(id="p1", name="Shopper"),))
        assert _rows(diff(BASE, j)) == [("personas", "changed", "p1", "name", "Buyer", "Shopper")]

    def test_step_rename_carries_through_edges_and_entries(self) -> None:
        """t_ad -> t_campaign with the same name is one renamed record and nothing else."""
        d = diff(BASE, _rename_ad())
        assert _rows(d) == [("steps", "renamed", "t_campaign", "id", "t_ad", "t_campaign")]
        assert d.renames == {"t_ad": "t_campaign"}
        assert d.summary() == "1 change: 1 step renamed; no regressions"

    def test_owner_rename_carries_through_steps(self) -> None:
        """Renaming an owner id changes no step that names it, nor any finding."""
        d = diff(BASE, _rename_owner())
        assert _rows(d) == [("owners", "renamed", "web_team", "id", "web", "web_team")]

    def test_rename_with_other_changes(self) -> None:
        """A renamed object that also changed gives its changed records under the new id."""
        tps = _tp(_rename_ad(), "t_campaign", emotion=2)
        d = diff(BASE, _rename_ad().with_changes(touchpoints=tps))
        assert _rows(d, "steps") == [
            ("steps", "renamed", "t_campaign", "id", "t_ad", "t_campaign"),
            ("steps", "changed", "t_campaign", "emotion", None, 2),
        ]

    def test_same_name_twice_is_not_a_rename(self) -> None:
        """Two added objects with the removed one's name: no rename, a removal and additions."""
        j = BASE.with_changes(
            personas=(cx.Persona(id="a", name="Buyer"), cx.Persona(id="b", name="Buyer")),
            touchpoints=_tp(BASE, "t_ad", personas=()),
        )
        assert [(c.change, c.key) for c in diff(BASE, j) if c.area == "personas"] == [
            ("added", "a"),
            ("added", "b"),
            ("removed", "p1"),
        ]

    def test_transition_becomes_handoff(self) -> None:
        """An edge turned from transition to hand-off changes field kind (and its owner)."""
        assert _rows(diff(BASE, _to_handoff()), "edges") == [
            ("edges", "changed", "t_ad>t_site", "kind", "transition", "handoff"),
            ("edges", "changed", "t_ad>t_site", "owner", None, "web"),
        ]

    def test_probability_change(self) -> None:
        """Probabilities changed: one record per edge, and the conversion measure moves."""
        d = diff(BASE, _probabilities(0.7))
        assert _rows(d, "edges") == [
            ("edges", "changed", "t_site>lost", "probability", 0.4, 0.3),
            ("edges", "changed", "t_site>t_call", "probability", 0.6, 0.7),
        ]
        old, new, delta = d.measures["conversion_probability"]
        assert (old, new) == pytest.approx((0.6, 0.7))
        assert delta == pytest.approx(0.1)
        assert ("measures", "changed", "conversion_probability") in [
            (c.area, c.change, c.key) for c in d
        ]
        assert d.regressions == ()

    def test_owner_change(self) -> None:
        """A step that changes owner gives one owner record, and the crossing is resolved."""
        d = diff(BASE, BASE.with_changes(touchpoints=_tp(BASE, "t_call", owner="web")))
        assert _rows(d, "steps") == [("steps", "changed", "t_call", "owner", "sales", "web")]
        assert ("silo_boundaries", "resolved", "t_site>t_call") in [
            (c.area, c.change, c.key) for c in d
        ]
        assert d.measures["silo_crossings"] == (1, 0, -1)

    def test_header_fields(self) -> None:
        """Journey header fields that differ are records of area journey."""
        d = diff(BASE, EDITS["header"]())
        assert _rows(d) == [
            ("journey", "changed", "j", "state", "current", "future"),
            ("journey", "changed", "j", "version", "", "2"),
        ]
        assert d.summary() == "2 changes: 2 journey fields changed; no regressions"

    def test_durations_are_iso_8601(self) -> None:
        """Duration values are ISO 8601 text."""
        from datetime import timedelta

        j = BASE.with_changes(touchpoints=_tp(BASE, "t_call", duration=timedelta(hours=2)))
        assert _rows(diff(BASE, j), "steps") == [
            ("steps", "changed", "t_call", "duration", None, "PT2H")
        ]


class TestRegressions:
    def test_unowned_handoff_introduced(self) -> None:
        """Removing a hand-off's owner introduces an unowned hand-off, a regression."""
        d = diff(BASE, _unowned_handoff())
        keys = [(c.area, c.change, c.key) for c in d.regressions]
        assert ("unowned_handoffs", "introduced", "t_site>t_call:no_owner") in keys
        assert all(c.change == "introduced" for c in d.regressions)
        assert d.measures["unowned_handoffs"] == (0, 1, 1)
        assert "regression" in d.summary()
        # Backwards it is resolved, and no regression.
        back = diff(_unowned_handoff(), BASE)
        assert ("unowned_handoffs", "resolved", "t_site>t_call:no_owner") in [
            (c.area, c.change, c.key) for c in back
        ]
        assert back.regressions == ()

    def test_conversion_fall(self) -> None:
        """A fall in conversion probability beyond the tolerance is a regression."""
        d = diff(BASE, _probabilities(0.5))
        assert [(c.area, c.key) for c in d.regressions] == [("measures", "conversion_probability")]
        assert diff(BASE, _probabilities(0.5), tolerance=0.2).regressions == ()

    def test_customer_visible_crossing_introduced(self) -> None:
        """A new crossing the customer sees is a regression."""
        owned = BASE.with_changes(touchpoints=_tp(BASE, "t_call", owner="web"))
        d = diff(owned, BASE)
        assert ("silo_boundaries", "introduced", "t_site>t_call") in [
            (c.area, c.change, c.key) for c in d.regressions
        ]

    def test_lint_warning_introduced(self) -> None:
        """A new lint warning is a regression keyed code:step."""
        j = BASE.with_changes(touchpoints=_tp(BASE, "t_call", channel=None))
        d = diff(BASE, j)
        assert ("lint", "introduced", "no_channel:t_call") in [
            (c.area, c.change, c.key) for c in d.regressions
        ]


@pytest.fixture(scope="module")
def vending() -> Diff:
    """The diff of the current and future vending journeys, computed once."""
    return diff(_load("vending"), _load("vending_future"))


@pytest.fixture(scope="module")
def hostile() -> Diff:
    """A diff whose only change is a step renamed to a hostile name."""
    name = "<script>alert(1)</script> [x](javascript:alert(1)) | *b*"
    return diff(BASE, BASE.with_changes(touchpoints=_tp(BASE, "t_call", name=name)))


class TestVending:
    def test_records(self, vending: Diff) -> None:
        """Records read off the two YAML files by hand."""
        d = vending
        rows = _rows(d)
        assert ("journey", "changed", "vending-snack", "state", "current", "future") in rows
        assert (
            "edges",
            "changed",
            "route-planning>restock-visit",
            "kind",
            "transition",
            "handoff",
        ) in rows
        assert ("edges", "changed", "route-planning>restock-visit", "sla", None, "P1D") in rows
        assert ("steps", "changed", "route-planning", "duration", "P3D", "PT2H") in rows
        assert (
            "steps",
            "changed",
            "route-planning",
            "owner",
            "logistics",
            "restocking-team",
        ) in rows
        assert ("steps", "changed", "select-product", "phase", "pay", "choose") in rows
        assert ("steps", "changed", "refunded", "kind", "failure", "exit") in rows
        changes = {(c.area, c.change, c.key) for c in d}
        assert {
            ("steps", "added", "tap-to-pay"),
            ("steps", "removed", "product-stuck"),
            ("owners", "removed", "logistics"),
            ("owners", "added", "restocking-team"),
            ("edges", "removed", "dispense>low-stock-alert"),
            ("edges", "added", "dispense>stock-alert"),
            ("unowned_handoffs", "resolved", "dispense>low-stock-alert:no_owner"),
            ("unowned_handoffs", "resolved", "route-planning>restock-visit:undeclared"),
        } <= changes

    def test_measures(self, vending: Diff) -> None:
        """Steps, edges and owners counted from the files; conversion rises."""
        d = vending
        assert d.measures["steps"] == (17, 14, -3)
        assert d.measures["edges"] == (18, 15, -3)
        assert d.measures["owners"] == (6, 6, 0)
        old, new, delta = d.measures["conversion_probability"]
        assert old is not None
        assert new is not None
        assert new > old
        assert delta == pytest.approx(new - old)
        assert set(d.measures) == {
            "steps", "edges", "owners", "unowned_handoffs", "silo_crossings",
            "customer_visible_crossings", "moments_of_truth", "path_count",
            "conversion_probability", "expected_steps",
        }  # fmt: skip
        assert not any(c.key == "owners" for c in d if c.area == "measures")

    def test_regressions(self, vending: Diff) -> None:
        """The future state's new undeclared hand-offs are its only regressions."""
        d = vending
        assert {c.key for c in d.regressions} == {
            "dispense>dp-drop-sensor:undeclared",
            "dp-drop-sensor>auto-refund:undeclared",
        }


def _mirror_key(c: Change) -> tuple[Any, ...]:
    return (c.area, c.change, c.key, c.field, json.dumps(c.old), json.dumps(c.new))


PAIRS = [(lambda: BASE, f) for f in EDITS.values()] + [
    (lambda: _load("vending"), lambda: _load("vending_future"))
]


@pytest.mark.parametrize(("make_a", "make_b"), PAIRS, ids=[*EDITS, "vending"])
def test_mirror(make_a: Callable[[], cx.Journey], make_b: Callable[[], cx.Journey]) -> None:
    """diff(b, a) mirrors diff(a, b): sides swapped, deltas negated, renames reversed."""
    a, b = make_a(), make_b()
    ab, ba = diff(a, b), diff(b, a)
    back = {v: k for k, v in ab.renames.items()}
    assert ba.renames == back
    assert sorted(map(_mirror_key, (c.mirrored(back) for c in ab))) == sorted(map(_mirror_key, ba))
    for name, (old, new, delta) in ab.measures.items():
        assert ba.measures[name] == (new, old, None if delta is None else -delta)


class TestFormats:
    def test_json(self) -> None:
        """JSON parses, with changes, measures and regressions."""
        d = diff(BASE, _unowned_handoff())
        data = json.loads(d.to_json())
        assert set(data) == {"changes", "measures", "regressions"}
        assert data["changes"] == d.to_records()
        assert data["measures"]["unowned_handoffs"] == {"old": 0, "new": 1, "delta": 1}
        assert data["regressions"][0]["change"] == "introduced"

    def test_records_and_frame(self) -> None:
        """Records have the six columns; the frame too, even with no changes."""
        pd = pytest.importorskip("pandas")
        d = diff(BASE, _to_handoff())
        cols = ["area", "change", "key", "field", "old", "new"]
        assert list(d.to_records()[0]) == cols
        assert list(d.to_frame().columns) == cols
        empty = diff(BASE, BASE).to_frame()
        assert isinstance(empty, pd.DataFrame)
        assert list(empty.columns) == cols

    def test_markdown_escapes(self, hostile: Diff) -> None:
        """Markdown shows a hostile step name as text: no tag, link or emphasis."""
        md = hostile.to_markdown()
        assert "&lt;script&gt;" in md
        assert "<script" not in md
        assert "\\[x\\]\\(javascript" in md
        assert "\\*b\\*" in md
        assert md.startswith("# Journey diff\n")
        assert "| measure | old | new | delta |" in md

    def test_html_escapes(self, hostile: Diff) -> None:
        """The HTML view escapes the hostile name and shows the measures."""
        page = hostile._repr_html_()
        assert "&lt;script&gt;" in page
        assert "<script" not in page
        assert "conversion_probability" in page

    def test_describe_and_repr(self) -> None:
        """describe speaks plain words; repr starts with the summary."""
        d = diff(BASE, _to_handoff())
        words = [d.describe(c) for c in d]
        assert 'edge \'t_ad>t_site\': kind "transition" -> "handoff"' in words
        assert repr(d).startswith("<Diff: ")
        m = diff(BASE, _probabilities(0.7))
        (rec,) = [c for c in m if c.key == "conversion_probability"]
        assert m.describe(rec) == "conversion_probability: 0.6 -> 0.7 (+0.1)"


class TestErrors:
    @pytest.mark.parametrize(("args", "name"), [((1, BASE), "'old'"), ((BASE, "x"), "'new'")])
    def test_not_a_journey(self, args: tuple[Any, Any], name: str) -> None:
        """A non-Journey argument is a TypeError naming the argument."""
        with pytest.raises(TypeError, match=f"Journey as {name}"):
            diff(*args)

    @pytest.mark.parametrize("tolerance", [-1.0, "x", float("nan")])
    def test_bad_tolerance(self, tolerance: Any) -> None:
        """A negative or non-numeric tolerance is a ValueError."""
        with pytest.raises(ValueError, match="non-negative number"):
            diff(BASE, BASE, tolerance=tolerance)
