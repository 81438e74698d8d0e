"""The one-page HTML report: what ``Report.to_html()`` and ``cxgraph report`` write.

One self-contained page a journey team can put in front of its leadership:
a header (the journey's name, state and version), a summary band of counts
and headline findings, the plots as inline SVG, every analysis in plain
words, and a footer. The page has inline CSS only, no JavaScript and no
external resource (fonts come from the system stack); every user string
is escaped; the same report gives the same bytes (no timestamps, plots
drawn byte-stable). A plot that fails shows a short note in its place;
an analysis that cannot show itself does the same.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="<b>Tea</b>")
>>> page = report_page(cx.analyze(j, analyses=["coverage"]), plots=False)
>>> "&lt;b&gt;Tea&lt;/b&gt;" in page, "<script" in page
(True, False)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cxgraph._util.html import FONTS, esc
from cxgraph._util.text import plural
from cxgraph._version import __version__
from cxgraph.report.observed import observed_section
from cxgraph.report.sections import glossary, known_ids, pct, section, short

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey
    from cxgraph.report.report import Report

__all__ = ["PLOT_KINDS", "inline_svg", "plot_svg", "report_page"]

#: The plots, by the name ``cxgraph render --kind`` takes, in page order:
#: ``(function in cxgraph.plot, title, caption)``.
PLOT_KINDS: Mapping[str, tuple[str, str, str]] = {
    "journey_map": (
        "journey_map",
        "Journey map",
        "Every step by phase and lane: what the customer does and who serves them.",
    ),
    "blueprint": (
        "blueprint",
        "Service blueprint",
        "Customer, frontstage, backstage and support lanes, split by the line of visibility.",
    ),
    "emotion": (
        "emotion_curve",
        "Emotion curve",
        "How the customer feels along the journey, from -3 to +3.",
    ),
    "graph": (
        "graph",
        "Journey graph",
        "Steps layered by phase; hand-offs, silo crossings and the decision boundary "
        "(where the outcome gets settled) highlighted.",
    ),
    "silos": (
        "silo_matrix",
        "Silo crossings",
        "How often the journey passes from one silo to another.",
    ),
    "technology": (
        "technology_map",
        "Technology map",
        "Which systems hold each phase up: steps per phase and system, each system's "
        "status, and the share of journeys that touch it.",
    ),
}


_CSS = """
:root{--ink:#1f2933;--muted:#52606d;--faint:#7b8794;--line:#e4e7eb;--bg:#f5f7fa;
--accent:#2c5282;--head:#102a43;--bad:#b42318;--bad-bg:#fef3f2;--ok:#1e7b4f}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 FONTS;
-webkit-font-smoothing:antialiased}
.wrap{max-width:1320px;margin-left:auto;margin-right:auto;padding:0 32px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-size:.88em}
.masthead{background:var(--head);color:#fff;padding:34px 0 30px}
.eyebrow{margin:0 0 6px;font-size:12px;font-weight:600;letter-spacing:.09em;
text-transform:uppercase;color:#9fb3c8}
h1{margin:0 0 10px;font-size:30px;line-height:1.2;font-weight:650;letter-spacing:-.01em}
.meta{margin:0;color:#bcccdc;font-size:14px}
.meta code{color:#d9e2ec}
.state{display:inline-block;margin-right:10px;padding:1px 10px;border-radius:999px;
font-size:12px;font-weight:650;letter-spacing:.03em;background:#d9e2ec;color:var(--head)}
.state.future{background:#f7c948}
.lede{max-width:75ch;margin:14px 0 0;color:#d9e2ec}
main{padding-bottom:24px}
section{margin-top:34px}
h2{margin:0 0 14px;padding-bottom:6px;font-size:19px;font-weight:650;
border-bottom:2px solid var(--line)}
.band{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:12px;margin:0}
.band.found{grid-template-columns:repeat(4,minmax(0,1fr));margin-top:12px}
.kpi{margin:0;padding:12px 16px;background:#fff;border:1px solid var(--line);border-radius:8px}
.kpi dt{font-size:12px;font-weight:600;letter-spacing:.05em;text-transform:uppercase;
color:var(--muted)}
.kpi dd{margin:2px 0 0;font-size:26px;font-weight:650;line-height:1.25;
font-variant-numeric:tabular-nums}
.kpi dd.sub{margin:2px 0 0;font-size:12.5px;font-weight:400;line-height:1.4;color:var(--faint)}
.found .kpi dd:not(.sub){font-size:30px}
.kpi.alert{border-top:3px solid var(--bad);background:var(--bad-bg)}
.kpi.alert dd:not(.sub){color:var(--bad)}
.kpi.good dd:not(.sub){color:var(--ok)}
table{border-collapse:collapse;font-size:14px}
th{text-align:left;font-weight:600;color:var(--muted);padding:7px 14px 7px 0;
border-bottom:2px solid var(--line);vertical-align:bottom}
td{padding:7px 14px 7px 0;border-bottom:1px solid var(--line);vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.glance{width:100%;background:#fff;border:1px solid var(--line);border-radius:8px;
border-collapse:separate;border-spacing:0;overflow:hidden}
.glance th,.glance td{padding:9px 16px}
.glance tr:last-child td{border-bottom:0}
.glance td:first-child{white-space:nowrap;font-weight:600;width:1%}
figure{margin:0 0 18px;padding:18px 20px 14px;background:#fff;border:1px solid var(--line);
border-radius:8px}
figure h3{margin:0 0 10px;font-size:16px;font-weight:650}
figure .frame{overflow-x:auto}
figure svg{display:block;max-width:100%;height:auto;margin:0 auto}
figcaption{margin-top:8px;font-size:13px;color:var(--muted)}
.note{margin:0;padding:10px 14px;border-left:3px solid var(--faint);background:var(--bg);
color:var(--muted);font-size:14px}
.analysis{margin-top:16px;padding:20px 24px 14px;background:#fff;border:1px solid var(--line);
border-radius:8px}
.analysis h3{margin:0 0 4px;font-size:17px;font-weight:650}
.analysis .summary{margin:0 0 12px;color:var(--muted)}
ol.findings{margin:0;padding:0 0 0 2.4em}
ol.findings li{padding:6px 0;border-top:1px solid var(--line)}
ol.findings li::marker{color:var(--faint);font-size:13px;font-variant-numeric:tabular-nums}
.id{color:var(--faint);font-size:.86em}
details{margin-top:2px}
details>summary{padding:8px 0;color:var(--accent);font-size:14px;font-weight:600;cursor:pointer}
.extra{margin-top:14px}
details.group{border-top:1px solid var(--line)}
details.group>summary{color:var(--ink);font-weight:600}
details.group ol.findings{margin-bottom:8px}
table.paths td{font-size:13.5px}
dl.terms{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:0;
padding:16px 20px;background:#fff;border:1px solid var(--line);border-radius:8px}
dl.terms dt{font-weight:600}
dl.terms dd{margin:0;color:var(--muted)}
.extra h4{margin:0 0 6px;font-size:14px;font-weight:600;color:var(--muted)}
footer{margin-top:40px;padding:16px 0 40px;border-top:1px solid var(--line);
color:var(--faint);font-size:13px}
@media (max-width:900px){.band{grid-template-columns:repeat(3,minmax(0,1fr))}
.band.found{grid-template-columns:repeat(2,minmax(0,1fr))}.wrap{padding:0 16px}}
@media print{body{background:#fff}.masthead{-webkit-print-color-adjust:exact;
print-color-adjust:exact}figure,.kpi,.analysis li{break-inside:avoid}
figure svg{min-width:0!important}.hint{display:none}}
""".replace("FONTS", FONTS)

_CSS = _CSS.replace("\n", "").strip()  # one line: the page source stays readable


# -- plots --------------------------------------------------------------------


def plot_svg(journey: Journey, kind: str, **options: Any) -> str:
    """Draw one plot of ``journey`` (a key of :data:`PLOT_KINDS`) as SVG text.

    Raises
    ------
    KeyError
        For a kind that is not in :data:`PLOT_KINDS`.
    """
    from cxgraph import plot

    func: Callable[..., Any] = getattr(plot, PLOT_KINDS[kind][0])
    # plot draws on a Figure of its own (never pyplot): nothing to close.
    return str(plot.to_svg(func(journey, **options)))


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """Make an SVG document fit inside an HTML page.

    Drops the XML prolog, the doctype and the metadata (which names outside
    URLs), gives every id a ``prefix`` so that several plots on one page
    cannot resolve each other's clip paths and markers, scopes the SVG's own
    style sheet to it, and labels it for screen readers.

    Examples
    --------
    >>> svg = '<?xml version="1.0"?>\\n<svg id="a"><use href="#a"/></svg>'
    >>> inline_svg(svg, "p", "A <map>")
    '<svg role="img" aria-label="A &lt;map&gt;" id="p-a"><use href="#p-a"/></svg>'
    """
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    body = re.sub(r"<metadata>.*?</metadata>\s*", "", body, flags=re.S)

    def fix_tag(m: re.Match[str]) -> str:
        tag = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', m.group(0))
        tag = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", tag)
        return re.sub(
            r'\b((?:xlink:)?href)="#([^"]+)"',
            lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"',
            tag,
        )

    # Only inside tags: a step named 'id="x"' is text and must stay as it is.
    body = re.sub(r"<[^>]+>", fix_tag, body)
    # matplotlib's sheet is "*{...}": inside HTML it would style the whole page.
    body = re.sub(
        r"(<style[^>]*>)(.*?)(</style>)",
        lambda m: m.group(1) + m.group(2).replace("*{", f".{prefix} *{{") + m.group(3),
        body,
        flags=re.S,
    )
    body = body.replace("<svg", f'<svg role="img" aria-label="{esc(label)}"', 1)
    if f'class="{prefix}"' not in body and "<style" in body:
        body = body.replace("<svg", f'<svg class="{prefix}"', 1)
    return body.rstrip()


#: The smallest text a picture may show, in CSS px: a picture is never drawn
#: smaller than the scale that keeps its smallest text this size; a wider one
#: scrolls inside its frame rather than shrink past reading.
READABLE_PX = 9.0
#: A plot wider than this (CSS px) at its least scale says that it scrolls in a
#: narrower window (a laptop's page column; at 1,400 px every bundled picture fits).
SCROLLS_BEYOND = 1100
_FONT_SIZE = re.compile(r"font-size:\s*([0-9.]+)px")


#: The pictures that draw every step (a card or a node each), and the most steps
#: a page draws them for: past that they are unreadable at page width and slow to
#: draw (a 32,000-step graph took minutes); the page says so instead.
EVERY_STEP_KINDS = frozenset({"journey_map", "blueprint", "graph"})
PICTURE_STEPS = 500


def _figure(journey: Journey, kind: str, baseline: Journey | None = None) -> str:
    _, title, caption = PLOT_KINDS[kind]
    n = len(journey.steps)
    if kind in EVERY_STEP_KINDS and n > PICTURE_STEPS:
        note = (
            f"Not drawn: the journey has {n:,} steps, and the page draws a picture of every "
            f"step only up to {PICTURE_STEPS:,} (more would be unreadable at page width). "
            f"Draw it on its own with: cxgraph render FILE --kind {kind} -o {kind}.svg"
        )
        return (
            f'<figure id="plot-{kind}"><h3>{esc(title)}</h3><p class="note">{esc(note)}</p>'
            "</figure>"
        )
    try:
        options: dict[str, Any] = {"boundary": True} if kind == "graph" else {}
        if baseline is not None and kind == "graph":
            options["baseline"] = baseline
        svg = plot_svg(journey, kind, **options)
        svg, wide = _sized(inline_svg(svg, f"fig-{kind}", title))
        svg = f'<div class="frame">{svg}</div>'
        if wide:
            # Whole at a 1,400 px window, it scrolls in a narrower one: say when.
            caption += " Wide picture: in a narrower window it scrolls sideways."
    except Exception as exc:  # one plot that fails must not break the page
        svg = f'<p class="note">This plot could not be drawn: {esc(short(exc))}</p>'
    return (
        f'<figure id="plot-{kind}"><h3>{esc(title)}</h3>{svg}'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _attribution(paths: Any, plots: bool) -> str:
    """The attribution section of a path table, its bar chart drawn like the other plots."""
    from cxgraph import plot
    from cxgraph.report.credit import attribution_section, comparison

    result = comparison(paths)
    figure = ""
    if plots:
        title = "Attributed conversions by model"
        try:
            svg = str(plot.to_svg(plot.attribution(result)))
            svg, _ = _sized(inline_svg(svg, "fig-attribution", title))
            figure = f'<figure id="plot-attribution"><div class="frame">{svg}</div></figure>'
        except Exception as exc:  # one plot that fails must not break the page
            figure = f'<p class="note">This plot could not be drawn: {esc(short(exc))}</p>'
    return attribution_section(result, figure)


def _sized(svg: str) -> tuple[str, bool]:
    """Fit the width of the page, but never so small that text drops below ``READABLE_PX``.

    The SVG's sizes are points (its viewBox is in points), so its smallest
    text of ``f`` pt is ``f * 4 / 3`` CSS px at natural size; the least
    scale is ``READABLE_PX / (f * 4 / 3)``, and a picture whose text is small
    even at natural size may grow past it. Returns the SVG and whether it is
    wide enough to scroll on a laptop screen.
    """
    m = re.match(r'<svg[^>]*?\swidth="([0-9.]+)pt"', svg)
    if m is None:
        return svg, False
    natural = float(m.group(1)) * 4 / 3  # CSS px per pt
    fonts = [float(f) for f in _FONT_SIZE.findall(svg)]
    scale = READABLE_PX / (min(fonts) * 4 / 3) if fonts else 0.0
    least = natural * scale
    most = natural * max(1.0, scale)
    style = f"width:100%;max-width:{most:.0f}px;min-width:{least:.0f}px"
    return svg.replace("<svg", f'<svg style="{style}"', 1), least > SCROLLS_BEYOND


# -- page parts -------------------------------------------------------------------


def _header(journey: Journey, persona: str | None = None) -> str:
    state = "Future state" if journey.state == "future" else "Current state"
    parts = [f'<span class="state {esc(journey.state)}">{state}</span>']
    if persona is not None:
        name = next((p.name for p in journey.personas if p.id == persona), persona)
        parts.append(f'<span class="state">For one persona: {esc(name)}</span> ')
    if journey.version:
        parts.append(f"version {esc(journey.version)} · ")
    parts.append(f"<code>{esc(journey.id)}</code>")
    if journey.personas:
        names = "; ".join(esc(p.name) for p in journey.personas)
        parts.append(f" · {'persona' if len(journey.personas) == 1 else 'personas'}: {names}")
    lede = f'<p class="lede">{esc(journey.description)}</p>' if journey.description else ""
    return (
        '<header class="masthead"><div class="wrap">'
        '<p class="eyebrow">Customer journey report</p>'
        f"<h1>{esc(journey.name)}</h1>"
        f'<p class="meta">{"".join(parts)}</p>{lede}</div></header>'
    )


def _kpi(label: str, value: str, note: str = "", tone: str = "") -> str:
    cls = f"kpi {tone}".strip()
    note_html = f'<dd class="sub">{esc(note)}</dd>' if note else ""
    return f'<dl class="{cls}"><dt>{esc(label)}</dt><dd>{esc(value)}</dd>{note_html}</dl>'


_DECIDED_BY = {"customer": "by the customer", "employee": "by staff", "automated": "automated"}


def _band(report: Report) -> str:
    from cxgraph.model.owners import owner_silos

    j = report.journey
    silos = len(set(owner_silos(j).values()))
    shape = [
        _kpi("Steps", f"{len(j.steps):,}", f"in {plural(len(j.phases), 'phase')}"),
        _kpi(
            "Touchpoints", f"{len(j.touchpoints):,}", f"over {plural(len(j.channels), 'channel')}"
        ),
        _kpi(
            "Decisions",
            f"{len(j.decision_points):,}",
            _kinds((d.decided_by for d in j.decision_points), _DECIDED_BY),
        ),
        _kpi("Outcomes", f"{len(j.outcomes):,}", _kinds((o.kind for o in j.outcomes), {})),
        _kpi("Owners", f"{len(j.owners):,}", _kinds(o.kind for o in j.owners)),
        _kpi("Silos", f"{silos:,}", "top-level owners"),
    ]
    found = [c for c in (_found(report, name) for name in _FOUND) if c]
    band = f'<div class="band">{"".join(shape)}</div>'
    if found:
        band += f'<div class="band found">{"".join(found)}</div>'
    if report.persona is None and len(j.personas) > 1:
        band += _by_persona(j)
    return f'<section id="summary" aria-label="Summary"><h2>At a glance</h2>{band}</section>'


def _by_persona(journey: Journey) -> str:
    """Headline numbers for the journey each persona travels (``analyze(persona=)``)."""
    from cxgraph.analyses.handoffs import unowned_handoffs
    from cxgraph.analyses.markov import markov
    from cxgraph.analyses.moments import moments_of_truth
    from cxgraph.analyses.silos import silo_boundaries
    from cxgraph.changes.edits import for_persona
    from cxgraph.errors import CxgraphError

    rows = []
    for p in journey.personas:
        try:
            j = for_persona(journey, p.id)
            try:
                model = markov(j)
                conversion = (
                    pct(model.conversion_probability) if model.probabilities_known else "\u2014"
                )
            except CxgraphError:
                conversion = "\u2014"
            cells = [
                conversion,
                f"{len(unowned_handoffs(j).chains):,}",
                f"{len(silo_boundaries(j)):,}",
                f"{len(moments_of_truth(j)):,}",
            ]
        except CxgraphError as exc:
            cells = [esc(short(exc)), "", "", ""]
        rows.append(
            f"<tr><td>{esc(p.name)}</td>"
            + "".join(f'<td class="num">{c}</td>' for c in cells)
            + "</tr>"
        )
    return (
        '<div class="extra" id="by-persona"><h4>By persona: the journey each one travels '
        "(its steps, probabilities renormalised)</h4><table><thead><tr><th>Persona</th>"
        '<th class="num">Conversion</th><th class="num">Unowned hand-offs</th>'
        '<th class="num">Silo crossings</th><th class="num">Moments of truth</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _kinds(kinds: Iterable[str], words: Mapping[str, str] | None = None) -> str:
    """``3 teams, 2 departments``: the most common kinds first, then by name.

    ``words`` says a kind in words (``{"customer": "by the customer"}``);
    without it the kind is a noun and takes an ``s`` when more than one.
    """
    counts = Counter(kinds)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if words is None:
        return ", ".join(plural(n, k) for k, n in ranked)
    return ", ".join(f"{n:,} {words.get(k, k)}" for k, n in ranked)


_FOUND = ("markov", "unowned_handoffs", "silo_boundaries", "moments_of_truth")


def _found(report: Report, name: str) -> str:
    """The headline card of one analysis, or "" when it did not run or cannot say."""
    if name not in report.names:
        return ""
    r = report[name]
    try:
        if name == "markov":
            basis = str(r.basis)
            if basis == "uniform":
                return _kpi("Conversion", "unknown", "the map gives no probabilities or counts")
            note = {
                "probability": "of journeys end in success",
                "count": "of journeys end in success, from counts",
            }.get(basis, "of journeys end in success; some odds assumed equal")
            return _kpi("Conversion", pct(float(r.conversion_probability)), note)
        if name == "unowned_handoffs":
            if not r.ownership_known:
                return _kpi("Unowned hand-offs", "unknown", "no step has an owner")
            chains = len(r.chains)
            note = r.reasons_text()
            tone = "alert" if chains else "good"
            return _kpi("Unowned hand-offs", f"{chains:,}", note or "every hand-off owned", tone)
        if name == "silo_boundaries":
            if not r.ownership_known:
                return _kpi("Silo crossings", "unknown", "no step has an owner")
            note = f"{r.customer_visible:,} seen by the customer"
            return _kpi("Silo crossings", f"{len(r):,}", note)
        steps = len(report.journey.steps)
        declared = sum(1 for f in r if "declared" in f.reasons)
        note = f"of {steps:,} step{'s' if steps != 1 else ''}, {declared:,} declared"
        return _kpi("Moments of truth", f"{len(r):,}", note)
    except Exception:  # a custom or changed result: leave its card out, keep the page
        return ""


def _glance(sections: list[tuple[str, str, str]]) -> str:
    rows = "".join(
        f'<tr><td><a href="#a-{esc(name)}">{esc(title)}</a></td><td>{esc(summary)}</td></tr>'
        for name, title, summary in sections
    )
    return f'<table class="glance" id="contents"><tbody>{rows}</tbody></table>'


def _since(baseline: Journey, journey: Journey) -> str:
    """The section that opens a page with a baseline: the diff, in words and a table."""
    from cxgraph.changes.diff import diff

    d = diff(baseline, journey)
    version = f" (version {baseline.version})" if baseline.version else ""
    head = f"What changed since the baseline{version}"
    return (
        f'<div class="wrap"><section id="changes" aria-label="Changes"><h2>{esc(head)}</h2>'
        f"{d._repr_html_()}</section></div>"
    )


def report_page(
    report: Report,
    *,
    plots: bool = True,
    baseline: Journey | None = None,
    paths: Any = None,
) -> str:
    """The whole page for ``report``, as text (see the module docstring).

    Parameters
    ----------
    report
        The report to show.
    plots
        Draw the plots (as inline SVG); False leaves them out.
    baseline
        An earlier version of the journey: what changed since it comes first
        in the page (:func:`~cxgraph.diff`), and the journey graph marks the
        steps and edges added or changed.
    paths
        The conversion paths (:class:`~cxgraph.PathData`) the journey was made
        from: the page opens with their attribution, models side by side.

    Returns
    -------
    str
        The HTML page, ending in a newline.
    """
    journey = report.journey
    ids = known_ids(journey)
    sections = [section(name, result, journey, ids) for name, result in report]
    glance = [(name, s[1], s[2]) for name, s in zip(report.names, sections, strict=True)]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="cxgraph {esc(__version__)}">',
        f"<title>{esc(journey.name)} · customer journey report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _header(journey, report.persona),
        "<main>",
        *([_since(baseline, journey)] if baseline is not None else []),
        f'<div class="wrap">{_band(report)}</div>',
        observed_section(journey),
        *([_attribution(paths, plots)] if paths is not None else []),
    ]
    if plots:
        # A journey that names no systems has no technology map to show.
        kinds = [k for k in PLOT_KINDS if k != "technology" or journey.systems]
        figures = "".join(_figure(journey, kind, baseline) for kind in kinds)
        parts.append(
            '<div class="wrap"><section id="plots" aria-label="Plots"><h2>Pictures</h2>'
            f"{figures}</section></div>"
        )
    if sections:
        parts.append(
            '<div class="wrap"><section id="analyses" aria-label="Findings"><h2>Findings</h2>'
            + _glance(glance)
            + "".join(s[0] for s in sections)
            + "</section>"
            + glossary(report)
            + "</div>"
        )
    else:
        parts.append(
            '<div class="wrap"><section id="analyses"><p class="note">No analysis was run.</p>'
            "</section></div>"
        )
    parts += [
        "</main>",
        '<footer><div class="wrap">'
        f"Made with cxgraph {esc(__version__)} from journey <code>{esc(journey.id)}</code>"
        + (f", version {esc(journey.version)}" if journey.version else "")
        + f" ({plural(len(report), 'analysis', 'analyses')}). "
        "Every finding here is also in <code>cxgraph analyze --format json</code>."
        "</div></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"
