"""The findings part of the report page: one section per analysis, and the terms it uses.

A built-in analysis shows what it knows beyond its findings: the hand-offs
grouped by owner pair and the crossings by silo pair (the routes folded under
each group), the paths ``branches`` lists, where journeys end. Every number is
read from the result; nothing is counted again here. The terms the page uses
are defined once, in :func:`glossary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cxgraph._util.html import esc
from cxgraph._util.numbers import count_text
from cxgraph._util.results import findings_of
from cxgraph._util.text import plural

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey
    from cxgraph.report.report import Report

__all__ = ["MAX_LINES", "VISIBLE", "glossary", "known_ids", "pct", "plural", "section", "short"]

#: Findings listed per analysis before the rest fold away under "show more".
VISIBLE = 10
#: Findings written per analysis at most (a journey of thousands of steps would
#: otherwise make a page of megabytes); the CSV and JSON exports give them all.
MAX_LINES = 500

_ID_IN_PARENS = re.compile(r"\(([A-Za-z0-9_.:-]+)\)")


def short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(text) > 200:
        text = text[:199] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- words ----------------------------------------------------------------------


def known_ids(journey: Journey) -> frozenset[str]:
    groups: Iterable[Iterable[Any]] = (
        journey.steps,
        journey.owners,
        journey.phases,
        journey.channels,
        journey.systems,
        journey.personas,
        journey.dimensions,
    )
    return frozenset(x.id for g in groups for x in g)


def words(text: str, ids: frozenset[str]) -> str:
    """Escape a finding; set the ids after names in parentheses in a quieter type."""
    out: list[str] = []
    pos = 0
    for m in _ID_IN_PARENS.finditer(text):
        if m.group(1) in ids:
            out += [esc(text[pos : m.start()]), f'<span class="id">({esc(m.group(1))})</span>']
            pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def pct(p: float) -> str:
    if 0 < p < 0.001:
        return "<0.1%"
    return f"{p:.1%}".replace(".0%", "%")


def section(name: str, result: Any, journey: Journey, ids: frozenset[str]) -> tuple[str, str, str]:
    """One analysis as ``(html, title, summary)``; a result that cannot show itself gets a note."""
    try:
        title, summary, lines, more = findings_of(result, MAX_LINES)
        items = [f"<li>{words(x, ids)}</li>" for x in lines]
        grouped = _grouped(name, result, ids)
        if grouped is not None:
            items, more, body = [], 0, grouped
        else:
            body = ""
        if items:
            body = f'<ol class="findings">{"".join(items[:VISIBLE])}</ol>'
        if len(items) > VISIBLE:
            rest = len(items) - VISIBLE
            body += (
                f"<details><summary>Show {plural(rest, 'more finding')}</summary>"
                f'<ol class="findings" start="{VISIBLE + 1}">{"".join(items[VISIBLE:])}</ol>'
                "</details>"
            )
        if more:
            body += (
                f'<p class="note">{plural(more, "more finding")} left out of this page: '
                f"<code>cxgraph analyze --only {esc(name)} --format csv</code> lists them all.</p>"
            )
        body += extra(name, result, journey)
    except Exception as exc:  # one analysis that cannot show itself must not break the page
        title, summary = name, "could not be shown"
        body = f'<p class="note">This analysis could not be shown: {esc(short(exc))}</p>'
    html = (
        f'<section class="analysis" id="a-{esc(name)}"><h3>{esc(title)}</h3>'
        f'<p class="summary">{esc(summary)}</p>{body}</section>'
    )
    return html, title, summary


def _grouped(name: str, result: Any, ids: frozenset[str]) -> str | None:
    """The grouped view of a built-in analysis, or None to list its findings."""
    if name == "unowned_handoffs" and getattr(result, "ownership_known", False):
        return _grouped_handoffs(result, ids)
    if name == "silo_boundaries" and getattr(result, "ownership_known", False):
        return _grouped_crossings(result, ids)
    return None


def extra(name: str, result: Any, journey: Journey) -> str:
    """What a built-in analysis knows beyond its findings, as a small table."""
    if name == "branches" and hasattr(result, "paths"):
        return _listed_paths(result, journey)
    if name == "markov" and getattr(result, "basis", "uniform") != "uniform":
        outcomes = {o.id: o for o in journey.outcomes}
        probs: Mapping[str, float] = result.outcome_probabilities
        ranked = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
        rows = [
            f"<tr><td>{esc(outcomes[k].name if k in outcomes else k)}</td>"
            f"<td>{esc(outcomes[k].kind if k in outcomes else '')}</td>"
            f'<td class="num">{esc(pct(p))}</td></tr>'
            for k, p in ranked
        ]
        if result.dead_end_probability > 0:
            rows.append(
                "<tr><td>Stops at a dead end</td><td></td>"
                f'<td class="num">{esc(pct(result.dead_end_probability))}</td></tr>'
            )
        if rows:
            return (
                '<div class="extra"><h4>Where journeys end</h4><table><thead><tr>'
                '<th>Outcome</th><th>Kind</th><th class="num">Share of journeys</th></tr>'
                f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
            )
    if name == "silo_boundaries" and getattr(result, "ownership_known", False):
        silos: tuple[str, ...] = result.silos
        counts: Mapping[str, Mapping[str, int]] = result.counts
        if not silos or not any(counts.get(a, {}).get(b, 0) for a in silos for b in silos):
            return ""
        owner_names = {o.id: o.name for o in journey.owners}
        head = "".join(f'<th class="num">{esc(owner_names.get(s, s))}</th>' for s in silos)
        rows = [
            f"<tr><td>{esc(owner_names.get(a, a))}</td>"
            + "".join(
                f'<td class="num">{esc(counts.get(a, {}).get(b, 0) or "")}</td>' for b in silos
            )
            + "</tr>"
            for a in silos
        ]
        return (
            '<div class="extra"><h4>Crossings from silo (row) to silo (column)</h4>'
            f"<table><thead><tr><th>From \\ to</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    return ""


# -- grouped findings -------------------------------------------------------------


def _passes(passes: float | None) -> str:
    """``, 0.46 passes per journey``; empty when flows are unknown."""
    if passes is None:
        return ""
    if 0 < passes < 0.005:
        return ", under 0.01 passes per journey"
    return f", {passes:.2f} passes per journey"


def _groups(heads: Sequence[tuple[str, list[str]]], ids: frozenset[str], noun: str) -> str:
    """Groups as folded lists: a head line per group, its routes under it, MAX_LINES in all."""
    blocks: list[str] = []
    written = 0
    left = 0
    for head, lines in heads:
        room = max(0, MAX_LINES - written)
        shown = lines[:room]
        left += len(lines) - len(shown)
        written += len(shown)
        items = "".join(f"<li>{words(x, ids)}</li>" for x in shown)
        body = f'<ol class="findings">{items}</ol>' if items else ""
        blocks.append(f'<details class="group"><summary>{esc(head)}</summary>{body}</details>')
    html = "".join(blocks)
    if left:
        html += (
            f'<p class="note">{plural(left, noun)} left out of this page: '
            "<code>cxgraph analyze --format csv</code> lists them all.</p>"
        )
    return html


def _owner(names: Mapping[str, Mapping[str, str]], owner: str | None) -> str:
    if owner is None:
        return "a step nobody owns"
    return names.get("owner", {}).get(owner) or owner


def _grouped_pairs(
    names: Mapping[str, Mapping[str, str]],
    pairs: Sequence[tuple[str | None, str | None, int, float | None, list[str]]],
    ids: frozenset[str],
    noun: str,
) -> str:
    """Groups ``(from, to, routes, passes, lines)`` as folded lists, one head line each."""
    heads = [
        (
            f"{_owner(names, a)} \u2192 {_owner(names, b)}: {plural(n, noun)}{_passes(passes)}",
            lines,
        )
        for a, b, n, passes, lines in pairs
    ]
    return _groups(heads, ids, noun)


def _grouped_handoffs(result: Any, ids: frozenset[str]) -> str:
    pairs = [
        (p.from_owner, p.to_owner, p.routes, p.passes, [result.describe_chain(c) for c in p.chains])
        for p in result.by_owner_pair()
    ]
    return _grouped_pairs(result.names, pairs, ids, "route")


def _grouped_crossings(result: Any, ids: frozenset[str]) -> str:
    pairs = [
        (p.from_silo, p.to_silo, p.routes, p.passes, [result.describe(c) for c in p.crossings])
        for p in result.by_silo_pair()
    ]
    return _grouped_pairs(result.names, pairs, ids, "crossing")


def _listed_paths(result: Any, journey: Journey) -> str:
    """The paths ``branches`` lists, each by its step names, with its probability."""
    paths = result.paths[:MAX_LINES]
    if not paths:
        return ""
    names = {s.id: s.name for s in journey.steps}
    rows = []
    for i, path in enumerate(paths, 1):
        steps = " \u2192 ".join(esc(names.get(s, s)) for s in path.steps)
        prob = "" if path.probability is None else esc(pct(path.probability))
        rows.append(
            f'<tr><td class="num">{i}</td><td>{steps}</td>'
            f"<td>{esc(path.outcome_kind)}</td>"
            f'<td class="num">{prob}</td></tr>'
        )
    shown = len(result.paths)
    total = result.path_count
    head = (
        f"The {plural(shown, 'path')} listed"
        + (f", of {count_text(total)}" if total > shown else "")
        + (
            f" ({len(result.paths) - len(paths):,} more left out of this page)"
            if len(result.paths) > len(paths)
            else ""
        )
    )
    return (
        f'<div class="extra"><h4>{esc(head)}</h4><table class="paths"><thead><tr>'
        '<th class="num">#</th><th>Steps, from entry to outcome</th><th>Ends in</th>'
        f'<th class="num">Share of journeys</th></tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table></div>"
    )


# -- terms ------------------------------------------------------------------------

#: Every term the page uses, defined once, with the analyses that use it.
TERMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Unowned hand-off",
        "a place where the journey passes from one owner to another, or to or from a step "
        "nobody owns, with nobody accountable: no hand-off declared, one declared without "
        "an owner, or no context carried, so the customer repeats themselves.",
        ("unowned_handoffs",),
    ),
    (
        "Route",
        "one way from a step to the next owned step, through any customer decisions between them.",
        ("unowned_handoffs", "silo_boundaries"),
    ),
    (
        "Passes per journey",
        "how often an average journey goes that way; a loop can make it more than one.",
        ("unowned_handoffs", "silo_boundaries"),
    ),
    (
        "Silo",
        "a top-level owner (a department, a partner) with every team and role under it.",
        ("silo_boundaries",),
    ),
    (
        "Silo crossing",
        "the journey passes from a step of one silo to a step of another.",
        ("silo_boundaries",),
    ),
    (
        "Ping-pong",
        "the customer is sent from one silo to another and back again (A \u2192 B \u2192 A); "
        "each way of doing so is made of two crossings.",
        ("silo_boundaries",),
    ),
    (
        "Crossings per route",
        "how many silo crossings one way from an entry to an outcome makes; a loop counts once.",
        ("silo_boundaries",),
    ),
    (
        "Moment of truth",
        "a step that decides whether the customer stays: declared by the team, or with at "
        "least two of these reasons: a gate (every successful journey passes it), a fork to "
        "failure (a decision with an option straight to failure or exit), a swing (what "
        "happens next decides whether the customer is won or lost), an emotional low.",
        ("moments_of_truth",),
    ),
    (
        "Removal effect",
        "the share of conversions lost if the step were taken out of the journey.",
        ("moments_of_truth", "markov"),
    ),
    (
        "Conversion",
        "the share of journeys that end in a success outcome.",
        ("markov",),
    ),
)


def glossary(report: Report) -> str:
    """The terms the analyses on the page use, each defined once; empty when none is used."""
    used = set(report.names)
    rows = [
        f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>"
        for term, text, analyses in TERMS
        if used & set(analyses)
    ]
    if not rows:
        return ""
    return (
        '<section id="terms" aria-label="Terms"><h2>Terms used on this page</h2>'
        f'<dl class="terms">{"".join(rows)}</dl></section>'
    )
