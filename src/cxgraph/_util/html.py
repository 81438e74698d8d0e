"""HTML helpers for every view: escaped, inline CSS only, no JavaScript, never raising.

Every view escapes every user string, styles itself inline (a notebook
strips ``<style>`` blocks in some front ends, and the view must not leak
styles into the page around it), and falls back to its text in a ``<pre>``
when anything goes wrong: a broken view must never break the notebook.
The views stay light: counts and findings in words, no plots. The
journey's view is in :mod:`cxgraph.model.views`, a report's in
:mod:`cxgraph.report.views`; results show themselves with :func:`result_html`.

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
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cxgraph._util.results import cell_text, findings_of

#: The system font stack: no web fonts, nothing fetched.
#: Single quotes: the stack also goes into ``style="..."`` attributes.
FONTS = (
    "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "'Noto Sans','Liberation Sans',sans-serif"
)
# Colours are left to the notebook (light or dark theme); only greys with
# transparency, which read on both, are set here.
BOX = f"font-family:{FONTS};font-size:13px;line-height:1.45;max-width:72em"
TABLE = "border-collapse:collapse;font-size:12px;margin:6px 0"
CELL = "border:1px solid rgba(128,128,128,.35);padding:3px 8px;text-align:left;vertical-align:top"
HEAD = CELL + ";font-weight:600;background:rgba(128,128,128,.10)"
MUTED = "opacity:.75"
LIST = "margin:4px 0 4px 1.6em;padding:0"


#: The most characters of one value a page shows (the rest is cut with an
#: ellipsis): a 10 MB name must not make a page of hundreds of megabytes.
SHOWN_CHARS = 10_000


def esc(value: object) -> str:
    """Escape any value for HTML text or attributes, at most SHOWN_CHARS of it.

    Examples
    --------
    >>> esc('<a href="x">Tom & Jerry</a>')
    '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;'
    >>> len(esc("x" * 10**6))
    10000
    """
    text = str(value)
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1] + "\u2026"
    return html.escape(text, quote=True)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A small inline-styled HTML table; every cell escaped.

    Examples
    --------
    >>> table(["a"], [["<b>"]]).count("&lt;b&gt;")
    1
    """
    head = "".join(f'<th style="{HEAD}">{esc(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL}">{esc(c)}</td>' for c in row) + "</tr>" for row in rows
    )
    return f'<table style="{TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


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


def words_list(lines: Iterable[str]) -> str:
    items = "".join(f"<li>{esc(x)}</li>" for x in lines)
    return f'<ol style="{LIST}">{items}</ol>' if items else ""


def result_html(result: Any, show: int) -> str:
    """An analysis result: title, summary, the first findings in words, its records.

    At most ``show`` findings and records; the records (as ``to_frame()``
    gives them) fold away under the findings.
    """

    def render() -> str:
        title, summary, lines, more = findings_of(result, show)
        tail = (
            f'<div style="{MUTED}">... and {more} more (to_records() or to_frame() give all)</div>'
            if more > 0
            else ""
        )
        records = result.to_records()[:show]
        columns = list(records[0]) if records else []
        data = ""
        if records:
            rows = [[cell_text(r.get(c)) for c in columns] for r in records]
            data = (
                f'<details><summary style="cursor:pointer;{MUTED}">records</summary>'
                f"{table(columns, rows)}</details>"
            )
        return (
            f'<div style="{BOX}"><div style="font-weight:600">{esc(title)}</div>'
            f'<div style="{MUTED}">{esc(summary)}</div>'
            f"{words_list(lines)}{tail}{data}</div>"
        )

    return safe_html(render, lambda: repr(result))
