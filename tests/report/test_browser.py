"""The report page in a real browser: headless Chromium renders it and finds the steps.

Chromium starts twice for the whole session (a screenshot, then the DOM),
in a session-scoped fixture. Without Chromium the tests skip, except under
CI (``CI=true``), where a missing browser fails them.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from tests._programs import program

import cxgraph as cx

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
WIDTH, HEIGHT = 1400, 3000


def chromium() -> str:
    """The Chromium binary; skip without it, or fail under CI."""
    return program(
        "chromium",
        "chromium-browser",
        missing="headless Chromium is not installed (apt-get install chromium)",
        in_ci="CI must run the browser test",
    )


class Rendered:
    """What the browser made of the restaurant's report page."""

    def __init__(self, page: str, pixels: np.ndarray, dom: str) -> None:
        self.page = page
        self.pixels = pixels
        self.dom = dom


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Write the restaurant's page, screenshot it and dump its DOM (two launches)."""
    import matplotlib.image

    binary = chromium()
    tmp = tmp_path_factory.mktemp("browser")
    page = cx.analyze(cx.load(EXAMPLES / "restaurant.yaml")).to_html()
    path = tmp / "report.html"
    path.write_text(page, encoding="utf-8")
    base = [binary, *FLAGS, f"--user-data-dir={tmp / 'profile'}", f"--window-size={WIDTH},{HEIGHT}"]
    png = tmp / "report.png"
    subprocess.run(
        [*base, f"--screenshot={png}", path.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    dom = subprocess.run(
        [*base, "--dump-dom", path.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
        text=True,
    ).stdout
    assert png.exists(), "Chromium wrote no screenshot"
    pixels = np.round(matplotlib.image.imread(png)[..., :3] * 255).astype(np.uint8)
    return Rendered(page, pixels, dom)


def colours(pixels: np.ndarray) -> Counter[str]:
    """How many pixels of each colour, as ``#rrggbb``."""
    flat = pixels.reshape(-1, 3).astype(np.uint32)
    packed = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    return Counter({f"#{v:06x}": int(c) for v, c in zip(values, counts, strict=True)})


class TestReportInBrowser:
    def test_screenshot_is_a_rendered_page(self, rendered: Rendered) -> None:
        """The screenshot has the page's size and many colours: the header, the band, plots."""
        assert rendered.pixels.shape == (HEIGHT, WIDTH, 3)
        seen = colours(rendered.pixels)
        assert len(seen) > 50
        assert seen["#102a43"] > 10_000  # the masthead's navy, a wide band at the top
        assert seen["#f5f7fa"] > 10_000  # the page background around the cards

    def test_journey_map_drawn(self, rendered: Rendered) -> None:
        """The journey map's own fill colours show on screen: the SVG was drawn."""
        figure = rendered.page.split('<figure id="plot-journey_map">', 1)[1].split("</figure>")[0]
        assert "<svg" in figure
        fills = Counter(re.findall(r"fill: ?(#[0-9a-f]{6})", figure))
        grey = {f for f in fills if len({f[1:3], f[3:5], f[5:7]}) == 1}
        wanted = [f for f, _ in fills.most_common() if f not in grey]
        assert wanted, "the journey map has no coloured fills"
        seen = colours(rendered.pixels)
        assert any(seen[f] > 50 for f in wanted[:5]), (wanted[:5], seen.most_common(12))

    def test_dom_names_every_step(self, rendered: Rendered) -> None:
        """Every step's name is in the rendered DOM as text, and no script ran."""
        restaurant = cx.load(EXAMPLES / "restaurant.yaml")
        assert "<h1>Neighbourhood restaurant</h1>" in rendered.dom
        for step in restaurant.steps:
            assert html.escape(step.name, quote=False) in rendered.dom, step.name
        assert "<script" not in rendered.dom.lower()


class TestChromiumLookup:
    def test_missing_fails_under_ci(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Under CI=true a missing Chromium fails the browser tests."""
        monkeypatch.setattr(shutil, "which", lambda name: None)
        monkeypatch.setattr(Path, "exists", lambda self: False)
        monkeypatch.setenv("CI", "true")
        with pytest.raises(pytest.fail.Exception, match="CI must run the browser test"):
            chromium()

    def test_missing_skips_elsewhere(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Outside CI a missing Chromium skips them, saying how to install it."""
        monkeypatch.setattr(shutil, "which", lambda name: None)
        monkeypatch.setattr(Path, "exists", lambda self: False)
        monkeypatch.delenv("CI", raising=False)
        with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
            chromium()
