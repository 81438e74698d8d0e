"""The notebooks in docs/notebooks are committed clean and all listed in the docs.

nbmake runs them (``--nbmake`` in the pytest options); these checks keep
their committed form reviewable: no outputs, no execution counts, the
``python3`` kernel, and a place in the documentation's table of contents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))


def read(path: Path) -> dict[str, Any]:
    """A notebook as the JSON it is stored as."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class TestNotebooks:
    def test_there_are_six(self) -> None:
        """The six tutorial notebooks are there, numbered in reading order."""
        assert [p.name[:3] for p in NOTEBOOKS] == ["01-", "02-", "03-", "04-", "05-", "06-"]

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
    def test_committed_without_outputs(self, path: Path) -> None:
        """Every code cell has no outputs and no execution count."""
        code = [c for c in read(path)["cells"] if c["cell_type"] == "code"]
        assert code
        dirty = [c["id"] for c in code if c["outputs"] or c["execution_count"] is not None]
        assert dirty == []

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
    def test_runs_on_the_python3_kernel(self, path: Path) -> None:
        """The notebook names the python3 kernel, which ipykernel provides."""
        assert read(path)["metadata"]["kernelspec"]["name"] == "python3"

    @pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
    def test_listed_in_the_docs(self, path: Path) -> None:
        """The notebook is in the toctree of docs/notebooks/index.md."""
        index = (DOCS / "notebooks" / "index.md").read_text(encoding="utf-8")
        assert f"\n{path.stem}\n" in index
