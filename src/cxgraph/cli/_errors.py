"""The command line's exit codes and the errors its commands raise for ``main`` to print."""

from __future__ import annotations

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "UsageError", "_ProblemsFoundError"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A command-line usage error (exit 2).

    The message is the problem alone; ``main`` puts ``cxgraph COMMAND: error:``
    before it. ``usage`` is the usage of the parser at fault and ``prog`` its
    name, set when the error comes from parsing (before the command is known).
    """

    def __init__(self, message: str, usage: str = "", prog: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage
        self.prog = prog


class _ProblemsFoundError(Exception):
    """The command ran and found problems (exit 1); the message says which."""
