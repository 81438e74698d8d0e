"""``python -m cxgraph``: the command line."""

from __future__ import annotations

import sys

from cxgraph.cli import main

if __name__ == "__main__":
    sys.exit(main())
