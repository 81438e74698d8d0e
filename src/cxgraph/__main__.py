"""``python -m cxgraph``: the command line."""

from __future__ import annotations

import sys


def _run() -> int:
    # Ctrl-C while cxgraph is still being imported is one line too, not a traceback.
    try:
        from cxgraph.cli import main
    except KeyboardInterrupt:
        print("cxgraph: interrupted", file=sys.stderr)
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(_run())
