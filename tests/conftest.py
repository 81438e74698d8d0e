"""Shared test setup: Hypothesis profiles and the bundled example journeys.

The ``ci`` profile (the default) keeps property tests quick; run
``HYPOTHESIS_PROFILE=dev pytest`` for a deeper search.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# The quick profile writes no example database, so a test run leaves nothing behind.
settings.register_profile("ci", max_examples=30, deadline=None, database=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="session")
def example_paths() -> list[Path]:
    """The bundled example journey files, sorted by name."""
    return sorted(EXAMPLES.glob("*.yaml"))
