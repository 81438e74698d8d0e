"""Programs the tests run (Chromium, its driver, Graphviz dot): found, or skipped, or failed.

Outside CI a missing program skips the tests that need it, saying how to
install it; under ``CI=true`` it fails them, since CI must run them all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest


def unavailable(reason: str, in_ci: str) -> NoReturn:
    """Skip with ``reason``; under CI fail with ``reason; in_ci``."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; {in_ci}")
    pytest.skip(reason)


def program(*names: str, missing: str, in_ci: str) -> str:
    """The first of ``names`` on the PATH or in /usr/bin, else :func:`unavailable`."""
    for name in names:
        found = shutil.which(name)
        if found is None and Path(f"/usr/bin/{name}").exists():
            found = f"/usr/bin/{name}"
        if found is not None:
            return found
    unavailable(missing, in_ci)
