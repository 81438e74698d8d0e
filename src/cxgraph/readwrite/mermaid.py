"""Journeys as Mermaid text: a flowchart, or Mermaid's user-journey diagram.

The text :func:`write_mermaid` writes goes in a fenced ``mermaid`` code block
(GitHub and GitLab Markdown, Notion, mermaid.live), or in a ``.mmd`` file.

Every name is written by :func:`mermaid_text`: a letter, a digit, an inner
space and ``. , - ' ( ) / ? !`` stay as they are; every other character is a
Mermaid entity ``#code;``, its code point in decimal (``#34;`` for ``"``,
``#35;`` for ``#``, ``#58;`` for ``:``). Mermaid turns the entities into HTML
character references after it has parsed the diagram, in flowcharts and user
journeys alike, so the text shown is the name, and no quote, bracket, arrow,
``%%`` comment, ``:`` or ``;`` in a name can end a label or start a
statement. A line break is ``<br>`` in a flowchart; a user journey shows its
text without HTML, so there it is ``#10;`` and shows as a space. Words that
Mermaid reads as a statement wherever a flowchart's line holds them
(``direction LR``), or at the start of a journey's task (``section``,
``title``, ``journey``), get their first letter as an entity too. Control
characters and lone surrogates, which a page cannot show, are shown as
U+FFFD; an empty name is a zero-width space, since Mermaid needs some text.

Mermaid draws a diagram of at most 50,000 characters and a flowchart of at
most 500 edges unless its ``maxTextSize`` and ``maxEdges`` settings are
raised; a journey with thousands of steps needs them raised.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="J", phases=[cx.Phase(id="p", name="Pay")],
...     owners=[cx.Owner(id="o", name="Till", kind="team")],
...     touchpoints=[cx.Touchpoint(id="a", name='Say "hi"', phase="p", owner="o", emotion=1),
...                  cx.Touchpoint(id="b", name="B: end")],
...     handoffs=[cx.Handoff(source="a", target="b")])
>>> print(write_mermaid(j))
flowchart LR
  accTitle: J
  subgraph s0["Pay"]
    n0("Say #34;hi#34;")
  end
  n1("B#58; end"):::unowned
  n0 -.->|"unowned"| n1
  linkStyle 0 stroke:#c00,color:#c00,stroke-width:2px
  classDef unowned stroke:#c00,stroke-dasharray:4 3
<BLANKLINE>
>>> print(write_mermaid(j, kind="journey"))
journey
  title J
  section Pay
    Say #34;hi#34;: 4: Till
  section No phase
    B#58; end: 3
<BLANKLINE>
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

from cxgraph.model.classes import (
    DecisionPoint,
    Handoff,
    Journey,
    Outcome,
    Touchpoint,
    Transition,
)

__all__ = ["write_mermaid"]

#: The diagrams :func:`write_mermaid` writes.
KINDS = ("flowchart", "journey")
#: The section of a user journey holding the touchpoints without a phase.
NO_PHASE = "No phase"
#: The label of a hand-off without an owner.
UNOWNED = "unowned"
#: The warning style of an unowned hand-off (a ``linkStyle``) and of an unowned step.
WARNING_LINK = "stroke:#c00,color:#c00,stroke-width:2px"
WARNING_STEP = "stroke:#c00,stroke-dasharray:4 3"

# Punctuation that means nothing to Mermaid inside a quoted label, a journey task,
# a section or an actor (a comma only where it does not separate actors).
_PLAIN = frozenset(".,-'()/?!")
# Mermaid's flowchart lexer reads ``direction LR`` as a statement wherever a line
# holds it, quotes or no quotes; the journey lexer reads these at a line's start.
_ANYWHERE = ("direction",)
_AT_START = ("journey", "title", "section")
# The characters Mermaid marks entities with (``ﬂ°°35¶ß`` for ``#35;``).
_MARKERS = ("\ufb02\xb0", "\xb6\xdf")
_EMPTY = "#8203;"  # a zero-width space: Mermaid drops a label, section or task with no text


def _starts(text: str, i: int, word: str) -> bool:
    """Whether ``word`` starts at ``text[i]``, ignoring ASCII case (as Mermaid's lexers)."""
    return text[i : i + len(word)].lower() == word


def mermaid_text(text: str, *, kind: str = "flowchart", actor: bool = False) -> str:
    r"""``text`` written for a Mermaid diagram of ``kind``, shown as ``text``.

    See the module docstring. In a flowchart a line break is ``<br>``, and
    the pairs ``ﬂ°`` and ``¶ß`` get an invisible word joiner (U+2060) between
    their two characters: Mermaid marks entities with them, and reads them
    again in a flowchart's labels after it has shown the entities. In a user
    journey, whose text Mermaid writes without HTML, a line break is ``#10;``
    (shown as a space). ``actor=True`` writes a comma as an entity too: a
    comma separates the actors of a journey's task.

    Examples
    --------
    >>> print(mermaid_text('Pay "now" --> %% #1;'))
    Pay #34;now#34; --#62; #37;#37; #35;1#59;
    >>> print(mermaid_text(" end\n"), mermaid_text(" end\n", kind="journey"))
    #32;end<br> #32;end#10;
    >>> print(mermaid_text("section A, B", kind="journey"))
    #115;ection A, B
    >>> print(mermaid_text("A, B", kind="journey", actor=True), mermaid_text("direction LR"))
    A#44; B #100;irection LR
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    flowchart = kind == "flowchart"
    if flowchart:
        for pair in _MARKERS:
            text = text.replace(pair, "\u2060".join(pair))
    newline = "<br>" if flowchart else "#10;"
    plain = _PLAIN - {","} if actor else _PLAIN
    last = len(text) - 1
    out: list[str] = []
    for i, ch in enumerate(text):
        if flowchart:
            keyword = any(_starts(text, i, word) for word in _ANYWHERE)
        else:
            keyword = i == 0 and any(_starts(text, 0, word) for word in _AT_START)
        if ch == "\n":
            out.append(newline)
        elif not keyword and (ch.isalnum() or ch in plain or (ch == " " and 0 < i < last)):
            out.append(ch)
        elif ch != "\t" and unicodedata.category(ch) in ("Cc", "Cs"):
            out.append("#65533;")  # U+FFFD: a page shows no control character
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out) or _EMPTY


# -- flowchart -------------------------------------------------------------------

#: Mermaid's shape for each kind of step: (opening, closing) around the quoted name.
SHAPES: dict[type[Touchpoint | DecisionPoint | Outcome], tuple[str, str]] = {
    Touchpoint: ("(", ")"),
    DecisionPoint: ("{", "}"),
    Outcome: ("([", "])"),
}
_PAD = "  "


def _quoted(text: str) -> str:
    return f'"{mermaid_text(text)}"'


def _edge_label(label: str, probability: float | None) -> str | None:
    """The text on a transition or trigger: its label, its probability, both, or none."""
    if probability is None:
        return label or None
    return f"{label} ({probability!r})" if label else repr(probability)


def _flowchart(journey: Journey) -> Iterator[str]:
    node = {step.id: f"n{i}" for i, step in enumerate(journey.steps)}
    lines: dict[str | None, list[str]] = {}  # by phase id
    unowned = False
    for step in journey.steps:
        opening, closing = SHAPES[type(step)]
        line = f"{node[step.id]}{opening}{_quoted(step.name)}{closing}"
        if isinstance(step, Touchpoint) and step.owner is None:
            line += ":::unowned"
            unowned = True
        lines.setdefault(None if isinstance(step, Outcome) else step.phase, []).append(line)
    yield "flowchart LR"
    yield f"{_PAD}accTitle: {mermaid_text(journey.name)}"
    for i, phase in enumerate(journey.phases):
        if phase.id in lines:
            yield f"{_PAD}subgraph s{i}[{_quoted(phase.name)}]"
            yield from (f"{_PAD * 2}{line}" for line in lines[phase.id])
            yield f"{_PAD}end"
    yield from (f"{_PAD}{line}" for line in lines.get(None, []))
    owner_names = {o.id: o.name for o in journey.owners}
    warned: list[str] = []
    for index, edge in enumerate(journey.edges):
        text: str | None
        if isinstance(edge, Handoff):
            arrow = "-.->"
            if edge.owner is None:
                text = UNOWNED
                warned.append(str(index))
            else:
                text = owner_names[edge.owner]
        elif isinstance(edge, Transition):
            arrow = "-->"
            text = _edge_label(edge.label, edge.probability)
        else:
            arrow = "==>"
            text = _edge_label(edge.label, None)
        label = "" if text is None else f"|{_quoted(text)}|"
        yield f"{_PAD}{node[edge.source]} {arrow}{label} {node[edge.target]}"
    if warned:
        yield f"{_PAD}linkStyle {','.join(warned)} {WARNING_LINK}"
    if unowned:
        # No style line ends in ";": Mermaid's pass over the text for entities cuts
        # the last ";" off a line holding "classDef ...:...#...;".
        yield f"{_PAD}classDef unowned {WARNING_STEP}"


# -- user journey ------------------------------------------------------------------


def score(emotion: int | None) -> int:
    """A touchpoint's score in a user journey: ``emotion + 3`` within 1..5, 3 if unknown.

    Examples
    --------
    >>> [score(e) for e in (-3, -2, 0, 2, 3, None)]
    [1, 1, 3, 5, 5, 3]
    """
    return 3 if emotion is None else min(5, max(1, emotion + 3))


def _task(tp: Touchpoint, owner_names: dict[str, str]) -> str:
    name = mermaid_text(tp.name, kind="journey")
    if tp.owner is None:
        return f"{_PAD * 2}{name}: {score(tp.emotion)}"
    actor = mermaid_text(owner_names[tp.owner], kind="journey", actor=True)
    return f"{_PAD * 2}{name}: {score(tp.emotion)}: {actor}"


def _journey(journey: Journey) -> Iterator[str]:
    owner_names = {o.id: o.name for o in journey.owners}
    by_phase: dict[str | None, list[Touchpoint]] = {}
    for tp in journey.touchpoints:
        by_phase.setdefault(tp.phase, []).append(tp)
    yield "journey"
    yield f"{_PAD}title {mermaid_text(journey.name, kind='journey')}"
    sections: Sequence[tuple[str, str | None]] = [
        *((ph.name, ph.id) for ph in journey.phases),
        (NO_PHASE, None),
    ]
    for name, phase in sections:
        if phase in by_phase:
            yield f"{_PAD}section {mermaid_text(name, kind='journey')}"
            yield from (_task(tp, owner_names) for tp in by_phase[phase])


def write_mermaid(journey: Journey, *, kind: str = "flowchart") -> str:
    """A journey as Mermaid text: a flowchart, or a user-journey diagram.

    ``kind="flowchart"``: ``flowchart LR``; a node per step, ``n0``, ``n1``,
    ... in the order of :attr:`Journey.steps`, with no other node:
    touchpoints rounded boxes, decision points rhombi, outcomes stadiums. A
    ``subgraph`` per phase that holds steps, in phase order, titled with its
    name (ids ``s0``, ``s1``, ... by the phase's place); outcomes and steps
    without a phase sit outside every subgraph. Transitions are solid arrows
    (``-->``) labelled with their label and probability when they have them;
    hand-offs dashed (``-.->``) and labelled with their owner's name, or
    ``unowned`` and drawn red and wider (a ``linkStyle``) when they have none;
    triggers thick (``==>``), labelled with their label. A touchpoint without
    an owner has a red dashed border (class ``unowned``). The journey's name
    is the diagram's accessible title (``accTitle``, the SVG's ``<title>``):
    a flowchart's visible title lives in YAML front matter, where Mermaid
    reads no entities and shows ``&``, ``<`` and ``>`` escaped, so it could
    not show every name as it is.

    ``kind="journey"``: Mermaid's user journey: ``title`` the journey's name,
    a ``section`` per phase that holds touchpoints, in phase order, then a
    section ``No phase`` for the touchpoints without one. A task per
    touchpoint, in the journey's order, scored ``emotion + 3`` within 1..5
    (3 when the emotion is unknown), with its owner's name as its actor, or
    no actor when it has no owner.

    Names are written by :func:`mermaid_text`, so Mermaid shows each as it
    is and none can change the diagram (see the module docstring).

    Parameters
    ----------
    kind
        ``"flowchart"`` or ``"journey"``.

    Raises
    ------
    ValueError
        For any other ``kind``.
    TypeError
        If ``journey`` is not a :class:`~cxgraph.Journey`.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="Coffee",
    ...     touchpoints=[cx.Touchpoint(id="order", name="Order", emotion=-2)],
    ...     decision_points=[cx.DecisionPoint(id="q", name="Milk?", decided_by="customer")],
    ...     outcomes=[cx.Outcome(id="done", name="Served", kind="success")],
    ...     transitions=[cx.Transition(source="order", target="q"),
    ...                  cx.Transition(source="q", target="done", probability=1.0)])
    >>> print(write_mermaid(j))
    flowchart LR
      accTitle: Coffee
      n0("Order"):::unowned
      n1{"Milk?"}
      n2(["Served"])
      n0 --> n1
      n1 -->|"1.0"| n2
      classDef unowned stroke:#c00,stroke-dasharray:4 3
    <BLANKLINE>
    >>> write_mermaid(j, kind="journey").splitlines()[-1]
    '    Order: 1'
    >>> write_mermaid(j, kind="gantt")
    Traceback (most recent call last):
    ...
    ValueError: unknown kind 'gantt' (valid: 'flowchart', 'journey')
    """
    if not isinstance(journey, Journey):
        msg = f"write_mermaid() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    if kind not in KINDS:
        msg = f"unknown kind {kind!r} (valid: 'flowchart', 'journey')"
        raise ValueError(msg)
    lines = _flowchart(journey) if kind == "flowchart" else _journey(journey)
    return "\n".join(lines) + "\n"
