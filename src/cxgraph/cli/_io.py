"""How the command line stops: an output it cannot write, Ctrl-C, SIGTERM.

A write that fails names the output and the cause (``cannot write 'x.html':
No space left on device``), whether it is a file or standard output. SIGTERM
is raised in the main thread as :class:`Terminated`, a KeyboardInterrupt, so
the cleanup that Ctrl-C runs (a half-written temporary file removed) runs for
it too; ``main`` then exits 143 (130 for Ctrl-C).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, TextIO

__all__ = [
    "Output",
    "OutputError",
    "Terminated",
    "interrupted",
    "sigterm_interrupts",
    "silence_stdout",
    "writing",
]

EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class OutputError(Exception):
    """An output could not be written (exit 2); the message names it and says why."""

    def __init__(self, message: str, *, stdout: bool = False) -> None:
        super().__init__(message)
        self.stdout = stdout


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: raised like Ctrl-C's KeyboardInterrupt, so the same cleanup runs."""


def _why(exc: OSError) -> str:
    if isinstance(exc, IsADirectoryError) or exc.errno == errno.EISDIR:
        return "it is a folder"
    return exc.strerror or str(exc)


@contextlib.contextmanager
def writing(name: str) -> Iterator[None]:
    """Turn an OSError raised inside into ``cannot write NAME: cause``.

    A closed pipe (``| head``) is left alone: ``main`` stops quietly on it.
    """
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        msg = f"cannot write {name!r}: {_why(exc)}"
        raise OutputError(msg) from exc


class Output:
    """A text stream whose write errors say they are about the output, not the input.

    Standard output on a full device fails in ``write`` or ``flush``, long
    after the command read its input; the error says so.
    """

    def __init__(self, stream: TextIO, name: str = "standard output") -> None:
        self._stream = stream
        self._name = name

    def write(self, text: str) -> int:
        with self._failing():
            return self._stream.write(text)

    def flush(self) -> None:
        with self._failing():
            self._stream.flush()

    @contextlib.contextmanager
    def _failing(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as exc:
            msg = f"cannot write to {self._name}: {_why(exc)}"
            raise OutputError(msg, stdout=True) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def silence_stdout(out: TextIO) -> None:
    """Point standard output at the null device, if ``out`` is the process's own.

    Python flushes standard output once more at exit; on a closed pipe or a full
    device that would fail again and print a traceback.
    """
    stream = out._stream if isinstance(out, Output) else out
    if stream is not sys.__stdout__:  # a stream of the caller's (or a test's capture)
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` in the main thread.

    The previous handler comes back on the way out, and at the first SIGTERM
    already, so a second one acts at once. Nothing changes outside the main
    thread (where Python cannot set handlers) or where SIGTERM is ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_IGN:
        yield
        return
    restore = previous if previous is not None else signal.SIG_DFL

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, restore)
        raise Terminated

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, restore)


def interrupted(exc: KeyboardInterrupt, prog: str, err: TextIO) -> int:
    """Say that ``prog`` was interrupted (Ctrl-C) or terminated (SIGTERM); the exit code."""
    terminated = isinstance(exc, Terminated)
    with contextlib.suppress(OSError, ValueError):
        print(f"{prog}: {'terminated' if terminated else 'interrupted'}", file=err)
    return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
