"""Figures without pyplot: Axes sized in inches, byte-stable SVG, saving to a file."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

from cxgraph.plot.look import _METADATA, _MISSING_GLYPH, _RC, FORMATS, MUTED, OWN_FIGURE, _text

__all__ = ["save", "to_svg"]

# -- figures --------------------------------------------------------------------


def _new_axes(width: float, height: float, rect: tuple[float, float, float, float]) -> Axes:
    """A new Figure on the Agg canvas (never pyplot, never a window) and its one Axes.

    ``rect`` is (left, bottom, width, height) in inches.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    fig.set_gid(OWN_FIGURE)
    FigureCanvasAgg(fig)
    left, bottom, w, h = rect
    return fig.add_axes((left / width, bottom / height, w / width, h / height))


def _inch_axes(ax: Axes | None, width: float, height: float) -> Axes:
    """Axes whose data unit is one inch: the whole figure when ``ax`` is None."""
    if ax is None:
        ax = _new_axes(width, height, (0.0, 0.0, width, height))
    ax.set_xlim(0.0, width)
    ax.set_ylim(0.0, height)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    return ax


def _given_scale(ax: Axes, width: float, height: float) -> float:
    """How much a picture of natural size ``width`` by ``height`` must shrink to fit ``ax``.

    A picture is laid out in inches for its natural size; drawn on a smaller
    Axes of the caller's, its shapes shrink with the data limits, but text,
    lines and markers are in points and would spill into the neighbours. They
    shrink by this factor instead (seaborn's rule: a function given ``ax``
    draws only inside it). 1 when the Axes is large enough.
    """
    fig = _root_figure(ax)
    fw, fh = fig.get_size_inches()
    box = ax.get_position()
    return float(min(box.width * fw / width, box.height * fh / height, 1.0))


def _shrink(ax: Axes, scale: float) -> None:
    """Shrink the texts, lines, markers and arrow heads drawn on ``ax`` by ``scale``."""
    if scale >= 1.0:
        return
    for text in ax.texts:
        text.set_fontsize(float(text.get_fontsize()) * scale)
    for line in ax.lines:
        line.set_linewidth(line.get_linewidth() * scale)
        line.set_markersize(line.get_markersize() * scale)
    for patch in ax.patches:
        patch.set_linewidth(patch.get_linewidth() * scale)
        mutation = getattr(patch, "get_mutation_scale", None)
        if mutation is not None:
            patch.set_mutation_scale(mutation() * scale)  # type: ignore[attr-defined]


def _empty(ax: Axes | None, plot: str, note: str) -> Axes:
    """An empty but valid plot: a centred note."""
    if ax is None:
        ax = _new_axes(6.0, 3.0, (0.0, 0.0, 6.0, 3.0))
    ax.set_axis_off()
    _text(
        ax,
        0.5,
        0.5,
        note,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=11,
        color=MUTED,
        gid=f"{plot}-empty",
    )
    return ax


def _root_figure(ax_or_fig: Any) -> Figure:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    if isinstance(ax_or_fig, Axes):
        fig: Figure | SubFigure | None = ax_or_fig.get_figure()
    else:
        fig = ax_or_fig
    if isinstance(fig, SubFigure):
        fig = fig.figure
    if not isinstance(fig, Figure):
        msg = f"expected a matplotlib Axes or Figure, got {type(ax_or_fig).__name__}"
        raise TypeError(msg)
    return fig


def _crop(fig: Figure) -> dict[str, Any]:
    """Crop a figure to what it draws, unless a plot here made and sized it.

    Cropping costs a second full draw; a figure of our own needs none.
    """
    if fig.get_gid() == OWN_FIGURE:
        return {}
    return {"bbox_inches": "tight", "pad_inches": 0.1}


@contextmanager
def _stable() -> Iterator[None]:
    """Byte-stable output options, set only for the duration of one save."""
    import matplotlib

    with matplotlib.rc_context(dict(_RC)), warnings.catch_warnings():  # type: ignore[arg-type]
        # A glyph the font lacks is drawn by the SVG viewer's own fonts.
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH, category=UserWarning)
        yield


def to_svg(ax_or_fig: Axes | Figure | SubFigure) -> str:
    """Return a plot as SVG text: byte-stable, with text kept as searchable text.

    ``svg.fonttype`` is ``"none"`` and ``svg.hashsalt`` fixed inside
    ``matplotlib.rc_context`` (global rcParams are left alone), the date is
    left out, and the figure is cropped to what it draws.

    Parameters
    ----------
    ax_or_fig
        An Axes (its figure is written) or a Figure.

    Returns
    -------
    str
        The SVG document; the same figure gives the same text every time.

    Raises
    ------
    TypeError
        If ``ax_or_fig`` is neither an Axes nor a Figure.

    Examples
    --------
    >>> import cxgraph as cx
    >>> ax = cx.plot.silo_matrix(cx.Journey(id="j", name="J"))
    >>> cx.plot.to_svg(ax).startswith("<?xml")
    True
    >>> cx.plot.to_svg("plot")
    Traceback (most recent call last):
    ...
    TypeError: expected a matplotlib Axes or Figure, got str
    """
    fig = _root_figure(ax_or_fig)
    buffer = io.StringIO()
    with _stable():
        fig.savefig(
            buffer,
            format="svg",
            metadata=dict(_METADATA["svg"]),
            **_crop(fig),
        )
    return buffer.getvalue()


def save(ax_or_fig: Axes | Figure | SubFigure, path: str | Path, *, dpi: float = 150) -> Path:
    """Write a plot to an SVG, PNG or PDF file (by suffix), byte-stable.

    SVG is exactly :func:`to_svg` in UTF-8; PNG and PDF leave out the software
    version and dates, so the same figure gives the same bytes.

    Parameters
    ----------
    ax_or_fig
        An Axes (its figure is written) or a Figure.
    path
        Where to write; the suffix ``.svg``, ``.png`` or ``.pdf`` sets the format.
    dpi
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        If ``ax_or_fig`` is neither an Axes nor a Figure.
    ValueError
        If the suffix is not one of ``.svg``, ``.png``, ``.pdf``.

    Examples
    --------
    >>> import cxgraph as cx
    >>> cx.plot.save(cx.plot.graph(cx.Journey(id="j", name="J")), "plot.gif")
    Traceback (most recent call last):
    ...
    ValueError: cannot save 'plot.gif': unknown suffix '.gif' (choose '.svg', '.png' or '.pdf')
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        choices = ", ".join(f"'.{f}'" for f in FORMATS[:-1]) + f" or '.{FORMATS[-1]}'"
        msg = f"cannot save {str(path)!r}: unknown suffix {path.suffix!r} (choose {choices})"
        raise ValueError(msg)
    if fmt == "svg":
        path.write_bytes(to_svg(ax_or_fig).encode("utf-8"))
        return path
    fig = _root_figure(ax_or_fig)
    with _stable():
        fig.savefig(
            path,
            format=fmt,
            dpi=dpi,
            metadata=dict(_METADATA[fmt]),
            **_crop(fig),
        )
    return path
