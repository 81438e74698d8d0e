"""For the ``cxgraph`` command: Ctrl-C while it is still importing is one line, exit 130.

The command's ``main`` handles interrupts once it runs; before that, the
console script is importing the package, and an uncaught KeyboardInterrupt
would print a traceback. ``cxgraph/__init__`` imports this module first, and
only the ``cxgraph`` program gets the hook: a library user's process (a
notebook, a script) is left alone.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType

__all__ = ["install"]

PROGRAMS = ("cxgraph", "cxgraph.exe")


def install() -> bool:
    """Install the hook when this process is the ``cxgraph`` program; say whether it did."""
    if not sys.argv or os.path.basename(sys.argv[0]) not in PROGRAMS:
        return False
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.stdout.flush()
            print("cxgraph: interrupted", file=sys.stderr, flush=True)
            os._exit(130)
        previous(kind, value, tb)

    sys.excepthook = hook
    return True


install()
