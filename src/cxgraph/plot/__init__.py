"""Plots of a journey: the journey map, the service blueprint, the emotion curve, the graph.

Six plots, each taking the :class:`~cxgraph.Journey` first and ``ax=None``
and returning the matplotlib ``Axes`` it drew on:

:func:`journey_map`
    The classic map: phases across, blueprint lanes (or owners) down, one
    card per step; hand-offs and silo crossings as arrows, unowned hand-offs
    flagged with numbered red badges explained below the map.
:func:`blueprint`
    The service blueprint: customer actions, frontstage, backstage and
    support processes, with the lines of interaction, visibility and
    internal interaction.
:func:`emotion_curve`
    Emotion (-3 to 3) along the touchpoints in phase order, one line per
    persona or per path, pain points numbered and listed.
:func:`graph`
    The journey graph layered by phase, edge width by flow, moments of truth,
    hand-offs and silo crossings highlighted.
:func:`silo_matrix`
    The silo × silo matrix of crossings (or of their expected flow).
:func:`technology_map`
    The phase × system grid of the technology behind the steps: counts per
    cell, each system's status, share of journeys and gate tag.

And one plot of a result rather than a journey: :func:`attribution`, each
channel's attributed conversions as bars, one model or several side by side
(``attribution-bar-<model>-<channel>``).

matplotlib is imported only when a plot is drawn, never through pyplot: with
``ax=None`` each plot makes a :class:`matplotlib.figure.Figure` on the Agg
canvas, sized for the journey, so nothing opens a window and nothing is left
in pyplot's global state. In a notebook, show ``ax.figure``. Text is laid out
in points, so a plot drawn on an ``ax`` of your own keeps its text size and
may crowd if the axes are small. :func:`to_svg` and :func:`save` write
byte-stable files (text kept as text, fixed ``svg.hashsalt``, no date),
setting matplotlib options only inside ``matplotlib.rc_context``.

User text is plain text: ``$`` never starts mathtext, control characters show
as U+FFFD, and a name too long for its card is wrapped, then cut with an
ellipsis.

Artists carry stable ``gid`` values, written into SVG as element ids, so a
report or a test can find them: ``journey_map-card-<step id>``,
``journey_map-name-<step id>``, ``journey_map-row-<key>``,
``journey_map-column-<key>``, ``journey_map-crossing-<source>-><target>``,
``journey_map-handoff-<source>-><target>``,
``journey_map-unowned-<source>-><target>``; the same ``card``, ``name``,
``row`` and ``column`` ids under ``blueprint-``, and ``blueprint-line-interaction``,
``blueprint-line-visibility``, ``blueprint-line-internal``;
``emotion_curve-series-<key>``, ``emotion_curve-pain-<step id>``;
``graph-node-<step id>``, ``graph-edge-<source>-><target>``,
``graph-moment-<step id>``; ``silo_matrix-value-<from>-><to>``; and
``<plot>-empty`` for the note on an empty plot. Row keys are lanes or owner
ids, with ``(customer)`` and ``(unowned)``; a column key is a phase id, or
``(none)`` for the steps without a phase.

One module per picture (``journey.py``, ``service_blueprint.py``,
``emotion.py``, ``layered_graph.py``, ``silos.py``), with what they share in
``look.py`` (colours, sizes, text), ``figures.py`` (figures and files) and
``drawing.py`` (cards, grids, legends, arrows). The modules are named for
the picture's topic, not the function, so that ``cxgraph.plot.graph`` is
always the function.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="coffee", name="Buying a coffee",
...     owners=[cx.Owner(id="bar", name="Bar", kind="team")],
...     touchpoints=[cx.Touchpoint(id="order", name="Order at the counter", owner="bar",
...                                emotion=1)],
...     outcomes=[cx.Outcome(id="served", name="Coffee served", kind="success")],
...     transitions=[cx.Transition(source="order", target="served")])
>>> ax = cx.plot.journey_map(j)
>>> svg = cx.plot.to_svg(ax)
>>> "Order at the counter" in svg, svg == cx.plot.to_svg(ax)
(True, True)
"""

from __future__ import annotations

from cxgraph.plot.credit import attribution
from cxgraph.plot.emotion import emotion_curve
from cxgraph.plot.figures import save, to_svg
from cxgraph.plot.journey import journey_map
from cxgraph.plot.layered_graph import graph
from cxgraph.plot.look import BY, ROWS, VALUES
from cxgraph.plot.service_blueprint import blueprint
from cxgraph.plot.silos import silo_matrix
from cxgraph.plot.technology import technology_map

__all__ = [
    "BY",
    "ROWS",
    "VALUES",
    "attribution",
    "blueprint",
    "emotion_curve",
    "graph",
    "journey_map",
    "save",
    "silo_matrix",
    "technology_map",
    "to_svg",
]
