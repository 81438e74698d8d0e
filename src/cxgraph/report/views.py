"""A report's light HTML view for Jupyter.

Per analysis the first findings in words; it never raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxgraph.report.report import Report

from cxgraph._util.html import BOX, MUTED, esc, safe_html, words_list
from cxgraph._util.results import findings_of
from cxgraph.model.views import state_text

#: How many findings per analysis a report shows in a notebook.
REPORT_SHOW = 5


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
                f'<div style="{MUTED}">cannot be shown ({esc(type(exc).__name__)}); '
                f"see report[{esc(repr(name))}]</div></div>"
            )
        tail = f'<div style="{MUTED}">... and {more} more</div>' if more > 0 else ""
        return (
            f'<div style="margin-top:8px"><div style="font-weight:600">{esc(title)}</div>'
            f'<div style="{MUTED}">{esc(summary)}</div>{words_list(lines)}{tail}</div>'
        )

    def render() -> str:
        j = report.journey
        head = (
            f'<div style="font-size:15px;font-weight:600">Report on {esc(j.name)} '
            f'<code style="font-weight:400">{esc(j.id)}</code></div>'
            f'<div style="{MUTED}">{state_text(j)}{len(report)} '
            f"analys{'i' if len(report) == 1 else 'e'}s; report.to_html() gives the full page "
            "with plots</div>"
        )
        body = "".join(section(n, r) for n, r in report)
        return f'<div style="{BOX}">{head}{body}</div>'

    return safe_html(render, lambda: str(report))
