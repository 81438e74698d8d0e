"""``cx.plot.attribution``: the attribution bar chart, its geometry on the Agg canvas."""

from __future__ import annotations

import itertools

import pytest
from matplotlib.patches import Rectangle

import cxgraph as cx

ROWS = [
    {"path": "search > email > direct", "total_conversions": 4, "total_null": 6},
    {"path": "email > direct", "total_conversions": 2, "total_null": 2},
    {"path": "social", "total_conversions": 1, "total_null": 9},
    {"path": "search", "total_conversions": 3, "total_null": 3},
]
MODELS = ["first_touch", "linear", "markov", "shapley"]


def data() -> cx.PathData:
    return cx.paths(ROWS)


def bars(ax: object) -> dict[str, Rectangle]:
    return {p.get_gid(): p for p in ax.patches if str(p.get_gid()).startswith("attribution-bar-")}  # type: ignore[attr-defined]


def texts(ax: object) -> dict[str, object]:
    return {t.get_gid(): t for t in ax.texts if t.get_gid()}  # type: ignore[attr-defined]


def test_one_model_one_bar_per_channel_as_long_as_its_credit() -> None:
    result = cx.attribution(data(), model="linear")
    ax = cx.plot.attribution(result)
    got = bars(ax)
    assert len(got) == len(result.findings) == 4
    for f in result.findings:
        bar = got[f"attribution-bar-linear-{f.channel}"]
        assert bar.get_x() == 0
        assert bar.get_width() == pytest.approx(f.conversions)
    assert ax.get_legend() is None


def test_models_side_by_side() -> None:
    result = cx.attribution(data(), model=MODELS)
    ax = cx.plot.attribution(result)
    got = bars(ax)
    assert len(got) == 4 * len(MODELS)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == MODELS
    lo, hi = ax.get_xlim()
    for row, channel in enumerate(f.channel for f in result.findings):
        group = [got[f"attribution-bar-{m}-{channel}"] for m in MODELS]
        # Each channel's bars sit inside its band, in the models' order, not overlapping.
        ys = [(b.get_y(), b.get_y() + b.get_height()) for b in group]
        assert all(row <= y0 < y1 <= row + 1 for y0, y1 in ys)
        assert ys == sorted(ys)
        for upper, lower in itertools.pairwise(ys):
            assert upper[1] <= lower[0] + 1e-12
        for m, b in zip(MODELS, group, strict=True):
            want = result.attribution(m).findings[row].conversions
            assert b.get_width() == pytest.approx(want)
            assert lo <= b.get_width() < hi


def test_every_bar_ends_in_its_number_and_numbers_do_not_collide() -> None:
    ax = cx.plot.attribution(cx.attribution(data(), model=MODELS))
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    got, labels = bars(ax), texts(ax)
    boxes = []
    for gid, bar in got.items():
        label = labels[gid.replace("-bar-", "-value-")]
        x, _ = label.get_position()
        assert x >= bar.get_x() + bar.get_width()  # right of the bar's end
        boxes.append(label.get_window_extent(renderer))
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    # Every label inside the figure.
    page = fig.bbox
    assert all(page.x0 <= b.x0 and b.x1 <= page.x1 for b in boxes)


def test_intervals_draw_error_bars_past_the_bar() -> None:
    result = cx.attribution(data(), model="linear", intervals=0.9, resamples=30, seed=1)
    ax = cx.plot.attribution(result)
    whiskers = {
        a.get_gid()
        for a in [*ax.lines, *ax.collections]
        if str(a.get_gid() or "").startswith("attribution-interval-")
    }
    assert whiskers == {f"attribution-interval-linear-{f.channel}" for f in result.findings}
    for f in result.findings:
        label = texts(ax)[f"attribution-value-linear-{f.channel}"]
        assert label.get_position()[0] >= f.high  # type: ignore[attr-defined,operator]


def test_names_are_plain_text() -> None:
    rows = [{"path": "$x$ > a\tb", "total_conversions": 1}]
    ax = cx.plot.attribution(cx.attribution(cx.paths(rows), model="linear"))
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert "$x$" in shown
    assert all(not t.get_usetex() for t in ax.get_yticklabels())


def test_svg_is_byte_stable() -> None:
    result = cx.attribution(data(), model=MODELS)
    assert cx.plot.to_svg(cx.plot.attribution(result)) == cx.plot.to_svg(
        cx.plot.attribution(result)
    )


def test_not_a_result() -> None:
    with pytest.raises(TypeError, match=r"takes the result of cx.attribution\(\)"):
        cx.plot.attribution(data())
