"""Escapes for text the project writes: CSV cells and Markdown text.

Every name, id and description comes from a journey file or an event log,
so every CSV and Markdown the project writes passes user strings through
the functions here (HTML has :func:`cxgraph._util.html.esc`).

CSV (:func:`csv_text`, one cell by :func:`csv_cell`) follows OWASP's advice
on CSV injection: a spreadsheet takes a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return for a formula, so such a text cell
gets a single quote in front (``'=1+1``), as does any part of it after a
``;`` or a tab (OWASP's warning about separators: ``;`` is the separator of
spreadsheets in many locales, and a tab of TSV); a text cell that holds a
separator, a quote or a line break is quoted. Numbers are written as they
are: ``-0.5`` from a float is a number, not a formula; the text ``"-1+1"``
is text and gets its quote.

Markdown (:func:`markdown_text`) turns a user string into inline text that
every CommonMark renderer shows character for character: no link, image,
HTML element, emphasis, heading or table cell break can come out of it.
"""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cxgraph._util.results import plain

__all__ = ["csv_cell", "csv_text", "markdown_text"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP's
#: list; a line feed too, like the carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# A formula may start a cell at the start of the text, and after a ";" or a
# tab: a spreadsheet set to split on those (";" is the list separator in many
# locales, and joins our tuples) starts a new cell there, inside our quotes.
_FORMULA = re.compile(r"(^|[;\t])(?=[=+\-@\t\r\n])")
# Quoted besides what RFC 4180 asks (",", '"', line breaks): ";" and tab, so
# that a spreadsheet splitting on those keeps the cell whole where it can
# (OWASP: quote a field that holds a separator).
_CSV_QUOTE = re.compile(r"[,;\"\t\r\n]")


def csv_cell(value: Any) -> str | numbers.Number:
    """One CSV cell: numbers as they are, anything else as text made safe.

    ``None`` is empty; tuples and lists are their items joined with ``;``;
    mappings are JSON. Text that starts like a formula gets a single quote
    in front (OWASP), and so does each part after a ``;`` or a tab (where a
    spreadsheet splitting on those would start a cell); numbers (``int``,
    ``float``, numpy scalars) and booleans are never changed.

    Examples
    --------
    >>> csv_cell("=HYPERLINK(\\"http://evil\\")"), csv_cell("-1+1"), csv_cell(-0.5)
    ('\\'=HYPERLINK("http://evil")', "'-1+1", -0.5)
    >>> csv_cell(("a", "b")), csv_cell(("-x", "=y")), csv_cell("a; -b"), csv_cell(None)
    ('a;b', "'-x;'=y", 'a; -b', '')
    """
    if value is None:
        return ""
    if isinstance(value, numbers.Number):
        return value
    if isinstance(value, tuple | list):
        text = ";".join("" if v is None else str(v) for v in value)
    elif isinstance(value, Mapping):
        text = json.dumps(plain(value), ensure_ascii=False, default=str)
    else:
        text = str(value)
    return _FORMULA.sub(r"\1'", text)


def _field(value: Any) -> str:
    cell = csv_cell(value)
    if not isinstance(cell, str):
        return str(cell)
    if _CSV_QUOTE.search(cell):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_text(columns: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text: a header row, then the rows, every cell through :func:`csv_cell`.

    Cells are separated by ``,`` and rows end with ``\\n``. A text cell is
    quoted (``"`` doubled inside) when it holds ``,``, ``;``, ``"``, a tab or a
    line break; ``csv.reader`` reads back every text cell as written, with the
    single quote in front of a cell that starts like a formula.

    Examples
    --------
    >>> print(csv_text(["step", "score"], [["=1+1", -0.5], ["a, b", 2]]), end="")
    step,score
    '=1+1,-0.5
    "a, b",2
    """
    lines = [",".join(_field(c) for c in columns)]
    lines += [",".join(_field(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


# Markdown: ASCII punctuation that starts inline syntax anywhere (code spans,
# emphasis, strikethrough, links and images, table cells, maths on GitHub) gets
# a backslash, which CommonMark allows before any ASCII punctuation. "&", "<"
# and ">" become entities instead: an entity is never syntax, and some
# renderers do not take "\<" for an escape.
_MD_INLINE = re.compile(r"([\\`*_~\[\]()!|$])")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")
# What makes a block at the start of a line: a heading, a list item (bullet or
# number), a thematic break, a setext underline, a fence (backticks and "~"
# are escaped everywhere already).
_MD_BLOCK_START = re.compile(r"^(?:([#+=-])|(\d{1,9})([.)]))")


def markdown_text(value: object) -> str:
    """Any value as Markdown inline text that renders as exactly its characters.

    Escapes ``\\``, backticks, ``*``, ``_``, ``~``, ``[``, ``]``, ``(``, ``)``,
    ``!``, ``|`` and ``$`` with a backslash; ``&``, ``<`` and ``>`` become
    ``&amp;``, ``&lt;``, ``&gt;``; a ``#``, ``+``, ``-``, ``=`` or ``1.`` at the
    start gets a backslash too. Line breaks become spaces (a renderer shows
    a break inside a paragraph as a space, and one would end a table row)
    and leading whitespace goes (a renderer drops it at the start of a
    block, and four spaces would make a code block): the text is safe in a
    heading, a list item, a paragraph and a table cell alike.

    Examples
    --------
    >>> print(markdown_text("[x](javascript:alert(1))"))
    \\[x\\]\\(javascript:alert\\(1\\)\\)
    >>> print(markdown_text("<script>alert(1)</script> &lt; a|b"))
    &lt;script&gt;alert\\(1\\)&lt;/script&gt; &amp;lt; a\\|b
    >>> print(markdown_text("# one\\n1. two"))
    \\# one 1. two
    """
    text = _MD_LINE_BREAK.sub(" ", str(value)).lstrip()
    text = _MD_INLINE.sub(r"\\\1", text)
    text = "".join(_MD_ENTITIES.get(c, c) for c in text)
    return _MD_BLOCK_START.sub(_block_start, text, count=1)


def _block_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)
