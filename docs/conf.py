"""Sphinx configuration for the cxgraph documentation.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
The notebooks are rendered as committed (without outputs): the test suite
runs them with nbmake, so the docs build never starts a kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cxgraph

if TYPE_CHECKING:
    from sphinx.application import Sphinx

project = "cxgraph"
author = "The cxgraph developers"
copyright = "the cxgraph developers"
release = cxgraph.__version__
version = ".".join(release.split(".")[:2])

# No intersphinx: the build never touches the network.
extensions = [
    "myst_nb",  # loads myst_parser for the Markdown pages too
    "sphinx.ext.autodoc",
    "numpydoc",
]

exclude_patterns = ["_build", "_generated", "**.ipynb_checkpoints", "jupyter_execute"]
root_doc = "index"

# -- MyST and notebooks -------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
# Headings become link targets, so pages can link to a section (#transparent-steps).
myst_heading_anchors = 3
# The test suite executes the notebooks (nbmake); the docs show them as committed.
nb_execution_mode = "off"

# -- API reference --------------------------------------------------------------

autodoc_member_order = "bysource"
# Annotations are in the signatures; numpydoc sections carry no types.
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": False}
# The members worth a page are listed in docs/api/*.md; numpydoc's table of
# every attrs field and method would repeat them and warn on duplicates.
numpydoc_show_class_members = False
# Attributes sections as plain lists: attrs fields have no entries to link to.
numpydoc_attributes_as_param_list = False

# -- HTML -------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"cxgraph {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_show_sourcelink = False


# -- Module docstrings ---------------------------------------------------------------
#
# numpydoc rewrites the sections of function and class docstrings as rubrics but
# leaves module docstrings alone, so their "Examples" would become real section
# titles: in the page's table of contents, and duplicated when a page shows two
# modules. Make them rubrics too.


def _module_sections_as_rubrics(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    if what != "module":
        return
    out: list[str] = []
    i = 0
    while i < len(lines):
        title = lines[i].strip()
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if title and len(underline) >= len(title) and set(underline) == {"-"}:
            out += [f".. rubric:: {title}", ""]
            i += 2
        else:
            out.append(lines[i])
            i += 1
    lines[:] = out


# -- Pictures ----------------------------------------------------------------------
#
# The pictures page shows what the library draws today: each build draws the
# bundled restaurant example afresh into docs/_generated (ignored by git).

PICTURES = {
    "journey-map": lambda j: cxgraph.plot.journey_map(j),
    "blueprint": lambda j: cxgraph.plot.blueprint(j),
    "graph": lambda j: cxgraph.plot.graph(j),
    "emotion-curve": lambda j: cxgraph.plot.emotion_curve(j),
    "silo-matrix": lambda j: cxgraph.plot.silo_matrix(j),
}


def _draw_pictures(app: Sphinx) -> None:
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    here = Path(app.srcdir)
    out = here / "_generated"
    out.mkdir(exist_ok=True)
    journey = cxgraph.load(here.parent / "examples" / "restaurant.yaml")
    for name, draw in PICTURES.items():
        ax = draw(journey)
        svg = cxgraph.plot.to_svg(ax)
        target = out / f"restaurant-{name}.svg"
        if not target.exists() or target.read_text(encoding="utf-8") != svg:
            target.write_text(svg, encoding="utf-8")
        plt.close(ax.figure)


def setup(app: Sphinx) -> None:
    app.connect("autodoc-process-docstring", _module_sections_as_rubrics)
    app.connect("builder-inited", _draw_pictures)
