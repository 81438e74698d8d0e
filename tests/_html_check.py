"""Shared HTML test helpers: a hostile journey and a check that tags balance.

Every name of :func:`hostile_journey` is hostile HTML. A broken escape (a
user's ``<script>`` or a stray quote) shows up as an unbalanced tag or an
unexpected attribute, so the HTML tests run every page and view through
:func:`assert_balanced`.
"""

from __future__ import annotations

from html.parser import HTMLParser

import cxgraph as cx

#: Elements with no end tag (HTML void elements, and SVG ones written without one).
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "source", "path", "use"}


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.update(name for name, _ in attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.update(name for name, _ in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]!r}")
            return
        self.stack.pop()


def assert_balanced(text: str, *, only_style: bool = False) -> None:
    """Every tag closed in order; with ``only_style``, no attribute but ``style``."""
    parser = _Balance()
    parser.feed(text)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    if only_style:
        # A quote inside a style value would spill out as other attributes.
        assert parser.attributes <= {"style"}


HOSTILE = "<script>alert('x')</script> & \"Tom's\" 🍕 </td><!--"


def hostile_journey() -> cx.Journey:
    """A journey whose every name is hostile HTML."""
    return cx.Journey(
        id="hostile",
        name=HOSTILE,
        version=HOSTILE,
        description=HOSTILE,
        personas=(cx.Persona(id="p", name=HOSTILE),),
        phases=(cx.Phase(id="ph", name=HOSTILE),),
        owners=(
            cx.Owner(id="o", name=HOSTILE, kind="team"),
            cx.Owner(id="o2", name="2 " + HOSTILE, kind="team"),
        ),
        channels=(cx.Channel(id="c", name=HOSTILE, kind="digital"),),
        touchpoints=(
            cx.Touchpoint(id="a", name=HOSTILE, phase="ph", owner="o", channel="c", emotion=-3),
            cx.Touchpoint(id="b", name="B " + HOSTILE, owner="o2", channel="c", emotion=2),
        ),
        decision_points=(cx.DecisionPoint(id="d", name=HOSTILE, decided_by="customer"),),
        outcomes=(
            cx.Outcome(id="ok", name=HOSTILE, kind="success"),
            cx.Outcome(id="no", name="No " + HOSTILE, kind="exit"),
        ),
        transitions=(
            cx.Transition(source="a", target="d"),
            cx.Transition(source="d", target="b", probability=0.5),
            cx.Transition(source="d", target="no", probability=0.5),
            cx.Transition(source="b", target="ok"),
        ),
    )
