"""HTML for Jupyter: escaped, inline CSS only, no JavaScript, never raising.

Every view escapes every user string, styles itself inline (a notebook
strips ``<style>`` blocks in some front ends, and the view must not leak
styles into the page around it), and falls back to its text in a ``<pre>``
when anything goes wrong: a broken view must never break the notebook.
The views stay light: counts and findings in words, no plots.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="<Tea & cake>")
>>> html = j._repr_html_()
>>> "&lt;Tea &amp; cake&gt;" in html and "<script" not in html
True
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxgraph.model import Journey
    from cxgraph.report import Report

#: The system font stack: no web fonts, nothing fetched.
#: Single quotes: the stack also goes into ``style="..."`` attributes.
FONTS = (
    "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "'Noto Sans','Liberation Sans',sans-serif"
)
# Colours are left to the notebook (light or dark theme); only greys with
# transparency, which read on both, are set here.
_BOX = f"font-family:{FONTS};font-size:13px;line-height:1.45;max-width:72em"
_TABLE = "border-collapse:collapse;font-size:12px;margin:6px 0"
_CELL = "border:1px solid rgba(128,128,128,.35);padding:3px 8px;text-align:left;vertical-align:top"
_HEAD = _CELL + ";font-weight:600;background:rgba(128,128,128,.10)"
_MUTED = "opacity:.75"
_LIST = "margin:4px 0 4px 1.6em;padding:0"

#: How many findings per analysis a report shows in a notebook.
REPORT_SHOW = 5


def esc(value: object) -> str:
    """Escape any value for HTML text or attributes.

    Examples
    --------
    >>> esc('<a href="x">Tom & Jerry</a>')
    '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;'
    """
    return html.escape(str(value), quote=True)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A small inline-styled HTML table; every cell escaped.

    Examples
    --------
    >>> table(["a"], [["<b>"]]).count("&lt;b&gt;")
    1
    """
    head = "".join(f'<th style="{_HEAD}">{esc(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{esc(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def safe_text(fallback: str | Callable[[], object]) -> str:
    """The text of ``fallback`` (called if callable); never raises.

    Examples
    --------
    >>> safe_text(lambda: 1 / 0)
    '(this object cannot show itself: ZeroDivisionError)'
    """
    try:
        return str(fallback() if callable(fallback) else fallback)
    except Exception as exc:  # a repr that raises must not take the view down with it
        return f"(this object cannot show itself: {type(exc).__name__})"


def safe_html(render: Callable[[], object], fallback: str | Callable[[], object]) -> str:
    """Call ``render()``; on any failure show the text fallback in ``<pre>``.

    ``fallback`` may be a callable, called only when needed: a repr that
    fails the same way as the view then fails once, caught.

    Examples
    --------
    >>> safe_html(lambda: 1 / 0, "a <b>")
    '<pre>a &lt;b&gt;</pre>'
    """
    try:
        return str(render())
    except Exception:  # display must never raise in a notebook
        return f"<pre>{esc(safe_text(fallback))}</pre>"


def _words_list(lines: Iterable[str]) -> str:
    items = "".join(f"<li>{esc(x)}</li>" for x in lines)
    return f'<ol style="{_LIST}">{items}</ol>' if items else ""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def findings_of(result: Any, limit: int | None) -> tuple[str, str, list[str], int]:
    """``(title, summary, lines, more)`` of an analysis result, at most ``limit`` lines.

    An :class:`~cxgraph.AnalysisResult` (anything with ``summary`` and
    ``lines``) speaks for itself; a custom result with ``to_records`` shows
    its records; anything else its repr. ``more`` counts the lines left out.
    """
    title = str(getattr(result, "title", "") or type(result).__name__)
    lines_fn = getattr(result, "lines", None)
    summary_fn = getattr(result, "summary", None)
    if callable(lines_fn) and callable(summary_fn):
        total = len(result) if hasattr(result, "__len__") else None
        shown = [str(x) for x in (lines_fn() if limit is None else lines_fn(limit))]
        if limit is not None and total is not None and total > limit:
            # lines(limit) ends with its own "... and N more"; count instead of parsing it.
            shown, more = shown[:limit], total - limit
        else:
            more = 0
        return title, str(summary_fn()), shown, more
    if callable(getattr(result, "to_records", None)):
        from cxgraph.report import records_of

        records = records_of(result)
        cut = records if limit is None else records[:limit]
        n = len(records)
        words = [", ".join(f"{k}={_cell(v)}" for k, v in r.items()) for r in cut]
        return title, f"{n} record{'s' if n != 1 else ''}", words, n - len(cut)
    return title, repr(result), [], 0


def result_html(result: Any) -> str:
    """An analysis result: title, summary, the first findings in words, its records.

    The records (as ``to_frame()`` gives them) fold away under the findings.
    """
    from cxgraph.analyses._base import SHOW

    def render() -> str:
        title, summary, lines, more = findings_of(result, SHOW)
        tail = (
            f'<div style="{_MUTED}">... and {more} more (to_records() or to_frame() give all)</div>'
            if more > 0
            else ""
        )
        records = result.to_records()[:SHOW]
        columns = list(records[0]) if records else []
        data = ""
        if records:
            rows = [[_cell(r.get(c)) for c in columns] for r in records]
            data = (
                f'<details><summary style="cursor:pointer;{_MUTED}">records</summary>'
                f"{table(columns, rows)}</details>"
            )
        return (
            f'<div style="{_BOX}"><div style="font-weight:600">{esc(title)}</div>'
            f'<div style="{_MUTED}">{esc(summary)}</div>'
            f"{_words_list(lines)}{tail}{data}</div>"
        )

    return safe_html(render, lambda: repr(result))


def report_html(report: Report, *, limit: int = REPORT_SHOW) -> str:
    """A report: per analysis its title, summary and first ``limit`` findings in words.

    One analysis that cannot show itself gets a short note; the others still show.
    """

    def section(name: str, result: Any) -> str:
        try:
            title, summary, lines, more = findings_of(result, limit)
        except Exception as exc:  # one broken result must not hide the others
            return (
                f'<div style="margin-top:8px"><div style="font-weight:600">{esc(name)}</div>'
                f'<div style="{_MUTED}">cannot be shown ({esc(type(exc).__name__)}); '
                f"see report[{esc(repr(name))}]</div></div>"
            )
        tail = f'<div style="{_MUTED}">... and {more} more</div>' if more > 0 else ""
        return (
            f'<div style="margin-top:8px"><div style="font-weight:600">{esc(title)}</div>'
            f'<div style="{_MUTED}">{esc(summary)}</div>{_words_list(lines)}{tail}</div>'
        )

    def render() -> str:
        j = report.journey
        head = (
            f'<div style="font-size:15px;font-weight:600">Report on {esc(j.name)} '
            f'<code style="font-weight:400">{esc(j.id)}</code></div>'
            f'<div style="{_MUTED}">{_state_text(j)}{len(report)} '
            f"analys{'i' if len(report) == 1 else 'e'}s; report.to_html() gives the full page "
            "with plots</div>"
        )
        body = "".join(section(n, r) for n, r in report)
        return f'<div style="{_BOX}">{head}{body}</div>'

    return safe_html(render, lambda: str(report))


def _state_text(journey: Journey) -> str:
    version = f"version {esc(journey.version)}, " if journey.version else ""
    return f"{version}{esc(journey.state)} state; "


def journey_html(journey: Journey) -> str:
    """A journey's summary: counts and a phase by owner table of its steps.

    The model runs no analyses, so this shows only what the journey holds.
    Rows are owners (sorted by name), columns phases in journey order; a
    cell counts the touchpoints and decision points of that owner in that
    phase.
    """

    def render() -> str:
        from cxgraph.graph import owner_silos

        counts = [
            ("steps", len(journey.steps)),
            ("touchpoints", len(journey.touchpoints)),
            ("decision points", len(journey.decision_points)),
            ("outcomes", len(journey.outcomes)),
            ("transitions", len(journey.transitions)),
            ("hand-offs", len(journey.handoffs)),
            ("triggers", len(journey.triggers)),
            ("phases", len(journey.phases)),
            ("owners", len(journey.owners)),
            ("silos", len(set(owner_silos(journey).values()))),
            ("channels", len(journey.channels)),
            ("personas", len(journey.personas)),
        ]
        summary = ", ".join(f"{n} {k}" for k, n in counts)
        # Keyed by id (names need not be unique); None is "no phase" / "no owner".
        cells: Counter[tuple[str | None, str | None]] = Counter()
        for tp in journey.touchpoints:
            cells[tp.phase, tp.owner] += 1
        for dp in journey.decision_points:
            cells[dp.phase, dp.owner] += 1
        phases: list[str | None] = [p.id for p in journey.phases]
        if any(k[0] is None for k in cells):
            phases.append(None)
        names = {o.id: o.name for o in journey.owners}
        owned = {k[1] for k in cells if k[1] is not None}
        owners: list[str | None] = [*sorted(owned, key=lambda o: (names[o], o))]
        if any(k[1] is None for k in cells):
            owners.append(None)
        phase_names = {p.id: p.name for p in journey.phases}
        header = [
            "owner / phase",
            *(phase_names[p] if p is not None else "(no phase)" for p in phases),
        ]
        rows: list[list[object]] = [
            [
                names[o] if o is not None else "(customer / no owner)",
                *(cells.get((p, o), "") for p in phases),
            ]
            for o in owners
        ]
        description = (
            f'<div style="{_MUTED}">{esc(journey.description)}</div>' if journey.description else ""
        )
        grid = table(header, rows) if rows else ""
        return (
            f'<div style="{_BOX}"><div style="font-size:15px;font-weight:600">'
            f"Journey {esc(journey.name)} "
            f'<code style="font-weight:400">{esc(journey.id)}</code></div>'
            f'<div style="{_MUTED}">{_state_text(journey)}{summary}</div>'
            f"{description}{grid}</div>"
        )

    return safe_html(render, lambda: repr(journey))
