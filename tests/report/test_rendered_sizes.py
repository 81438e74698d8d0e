"""Rendered sizes in a real browser: at a 1,400 px window every picture is read, not scrolled.

Selenium drives Debian's headless Chromium through its ``chromium-driver``
(never a downloaded driver) and measures, for every picture of every
example's report page, the size its smallest text renders at and whether its
frame scrolls sideways. Without the driver the tests skip, except under CI
(``CI=true``), where a missing driver fails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests._programs import program

import cxgraph as cx

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
WIDTH, HEIGHT = 1400, 900

#: For each picture on the page: its frame's widths and the smallest text it renders.
MEASURE = """
return Array.from(document.querySelectorAll('figure')).map(function (fig) {
  var svg = fig.querySelector('svg');
  var frame = fig.querySelector('.frame');
  if (!svg || !frame) { return null; }
  var shown = svg.getBoundingClientRect().width;
  var units = svg.viewBox.baseVal.width;
  var smallest = Infinity;
  svg.querySelectorAll('text').forEach(function (t) {
    if (!t.textContent.trim()) { return; }
    var size = parseFloat(window.getComputedStyle(t).fontSize);
    if (size < smallest) { smallest = size; }
  });
  return {id: fig.id, scroll: frame.scrollWidth, client: frame.clientWidth,
          px: smallest * shown / units};
});
"""


def _driver_paths() -> tuple[str, str]:
    missing = "Chromium and its driver are needed (apt-get install chromium chromium-driver)"
    in_ci = "CI must measure the rendered page"
    driver = program("chromedriver", missing=missing, in_ci=in_ci)
    return driver, program("chromium", missing=missing, in_ci=in_ci)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session, driven by Debian's chromedriver."""
    driver_path, browser_path = _driver_paths()
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(flag)
    options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
    service = webdriver.ChromeService(executable_path=driver_path)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_pictures_read_at_page_width(browser: Any, path: Path, tmp_path: Path) -> None:
    """Every picture: smallest text at least 9 px, and no frame scrolls sideways."""
    page = tmp_path / "report.html"
    page.write_text(cx.analyze(cx.load(path)).to_html(), encoding="utf-8")
    browser.get(page.as_uri())
    figures = [f for f in browser.execute_script(MEASURE) if f is not None]
    # Every picture; the technology map only for a journey that names systems.
    assert len(figures) == 6 if cx.load(path).systems else 5
    for f in figures:
        assert f["px"] >= 9.0 - 0.05, f
        assert f["scroll"] <= f["client"] + 1, f
