"""The page's "Attribution" section, for a report of a conversion-path table.

``cxgraph report PATHS.csv`` (or ``Report.to_html(paths=data)``) reports the
first-order chain of the paths (:meth:`~cxgraph.PathData.to_journey`) and
opens with which channels earn the conversions: the models of
:data:`MODELS_SHOWN` side by side, as a table and a bar chart.
"""

from __future__ import annotations

from typing import Any

from cxgraph._util.html import esc
from cxgraph._util.text import plural

__all__ = ["MODELS_SHOWN", "attribution_section"]

#: The models compared in the section (the ones that need nothing but the paths).
MODELS_SHOWN = ("first_touch", "last_touch", "linear", "position_based", "markov", "shapley")


def comparison(data: Any) -> Any:
    """The models of :data:`MODELS_SHOWN` side by side on ``data``."""
    from cxgraph.attribution.models import attribution

    return attribution(data, model=list(MODELS_SHOWN))


def attribution_section(result: Any, figure: str) -> str:
    """The section's HTML: the comparison as a table, then ``figure`` (the bar chart)."""
    models = list(result.models)
    head = "".join(f'<th class="num">{esc(m.replace("_", " "))}</th>' for m in models)
    total = result.total_conversions
    rows = []
    for f in result.findings:
        cells = "".join(f'<td class="num">{c:,.2f}</td>' for c in f.conversions)
        rows.append(f"<tr><td>{esc(f.channel)}</td>{cells}</tr>")
    note = (
        f"{plural(len(result.findings), 'channel')} share {total:,.6g} conversions "
        f"(value {result.total_value:,.6g}). Each column is one model's credit; every column "
        "adds up to the total. Markov is each channel's exact removal effect in the chain of "
        "the paths; Shapley splits each path equally among its distinct channels. More models, "
        "intervals and return on ad spend: cxgraph attribution PATHS."
    )
    return (
        '<div class="wrap"><section id="attribution" aria-label="Attribution">'
        "<h2>Attribution: which channels earn the conversions</h2>"
        f'<p class="note">{esc(note)}</p>'
        f"<table><thead><tr><th>Channel</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{figure}</section></div>"
    )
