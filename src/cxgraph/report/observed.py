"""The page's "Observed in the log" section, for a journey ``discover`` made from a log.

``discover`` keeps what it measured in ``extensions["discover"]``: ``times``
(per transition ``source, target, count, mean_s, median_s, p90_s, min_s,
max_s``, and the cases' cycle time) and ``variants`` (how many distinct
journeys the cases took, and the most common ones). The section shows the
slowest transitions first and the most common variants, as tables with the
numbers in words a person reads (``3.5 h``, ``42%``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cxgraph._util.html import esc
from cxgraph._util.numbers import span_text
from cxgraph._util.text import plural
from cxgraph.model.classes import Journey

__all__ = ["SHOWN", "observed_section"]

#: How many transitions and variants the page lists (the data keeps them all).
SHOWN = 12
#: How many activities of a long variant the page spells out, at each end.
ENDS = 4


def observed_section(journey: Journey) -> str:
    """The section's HTML, or ``""`` for a journey without measurements."""
    record = journey.extensions.get("discover")
    if not isinstance(record, Mapping):
        return ""
    times, variants = record.get("times"), record.get("variants")
    parts = []
    if isinstance(times, Mapping) and times.get("transitions"):
        parts.append(_times(journey, times))
    if isinstance(variants, Mapping) and variants.get("top"):
        parts.append(_variants(variants, int(record.get("cases_kept", record.get("cases", 0)))))
    if not parts:
        return ""
    return (
        '<div class="wrap"><section id="observed" aria-label="Observed in the log">'
        "<h2>Observed in the log</h2>" + "".join(parts) + "</section></div>"
    )


def _times(journey: Journey, times: Mapping[str, Any]) -> str:
    names: dict[Any, str] = {s.id: s.name for s in journey.steps}
    rows: Sequence[Mapping[str, Any]] = [r for r in times["transitions"] if isinstance(r, Mapping)]
    slowest = sorted(rows, key=lambda r: (-(r.get("median_s") or 0.0), -(r.get("mean_s") or 0.0)))
    body = "".join(
        "<tr>"
        f"<td>{esc(names.get(r.get('source'), r.get('source')))} \u2192 "
        f"{esc(names.get(r.get('target'), r.get('target')))}</td>"
        f'<td class="num">{int(r.get("count") or 0):,}</td>'
        f'<td class="num">{esc(span_text(r.get("median_s")))}</td>'
        f'<td class="num">{esc(span_text(r.get("mean_s")))}</td>'
        f'<td class="num">{esc(span_text(r.get("p90_s")))}</td>'
        "</tr>"
        for r in slowest[:SHOWN]
    )
    cases = times.get("cases") if isinstance(times.get("cases"), Mapping) else {}
    cycle = (
        f"A case takes {esc(span_text(cases.get('median_s')))} from its first event to its "
        f"last at the median (mean {esc(span_text(cases.get('mean_s')))}, 90% within "
        f"{esc(span_text(cases.get('p90_s')))}). "
        if cases and cases.get("count")
        else ""
    )
    more = (
        f" The {len(rows) - SHOWN:,} faster ones are in the journey file "
        "(<code>extensions.discover.times</code>)."
        if len(rows) > SHOWN
        else ""
    )
    return (
        '<div class="extra" id="observed-times"><h3>Time per transition, slowest first</h3>'
        f'<p class="note">{cycle}The time from one event to the next in the same case, '
        f"over {plural(len(rows), 'observed transition')}.{more}</p>"
        '<table><thead><tr><th>Transition</th><th class="num">Times seen</th>'
        '<th class="num">Median</th><th class="num">Mean</th><th class="num">90th percentile</th>'
        f"</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _variants(variants: Mapping[str, Any], cases: int) -> str:
    top = [v for v in variants["top"] if isinstance(v, Mapping)]
    total = int(variants.get("count") or len(top))
    cumulative = 0.0
    rows = []
    for i, v in enumerate(top[:SHOWN], 1):
        share = float(v.get("share") or 0.0)
        cumulative += share
        rows.append(
            f'<tr><td class="num">{i}</td><td>{esc(_path(v.get("variant") or ()))}</td>'
            f'<td class="num">{int(v.get("cases") or 0):,}</td>'
            f'<td class="num">{share:.1%}</td><td class="num">{cumulative:.1%}</td></tr>'
        )
    return (
        '<div class="extra" id="observed-variants"><h3>The most common journeys</h3>'
        f'<p class="note">{plural(cases, "case")} took {plural(total, "distinct journey")} '
        f"(variants: the activities of a case in time order); the top {min(len(top), SHOWN)} "
        f"hold {cumulative:.1%} of the cases.</p>"
        '<table><thead><tr><th class="num">#</th><th>Journey</th><th class="num">Cases</th>'
        '<th class="num">Share</th><th class="num">Together</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _path(activities: Sequence[Any]) -> str:
    """``A → B → C``; a long one keeps its ends and says how many steps it skips."""
    names = [str(a) for a in activities]
    if len(names) > 2 * ENDS + 1:
        skipped = len(names) - 2 * ENDS
        names = [*names[:ENDS], f"\u2026 {skipped} more \u2026", *names[-ENDS:]]
    return " \u2192 ".join(names)
