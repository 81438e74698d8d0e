"""The command line on broken inputs, unwritable outputs, Ctrl-C and SIGTERM.

Every case ends in one readable line on stderr and exit 1 or 2 (130 for
Ctrl-C, 143 for SIGTERM): never a traceback, never "internal error", and
never a temporary file left behind.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import cxgraph.cli as cli
from cxgraph.cli import main
from cxgraph.readwrite import files as cxio

TINY = """\
cxgraph: "1.0"
journey: {id: j, name: J}
touchpoints: [{id: a, name: A}]
outcomes: [{id: done, name: Done, kind: success}]
transitions: [{source: a, target: done}]
"""
HEAD = 'cxgraph: "1.0"\njourney: {id: j, name: J}\n'
SURROGATE = "which is not a character and cannot be written as UTF-8"


def run(*argv: str, stdout: Any = None) -> tuple[int, str, str]:
    """Run the CLI in process; return (exit code, stdout, stderr)."""
    out, err = stdout if stdout is not None else io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue() if stdout is None else "", err.getvalue()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding a valid journey, tiny.yaml."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    return tmp_path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


# Each case: id, file name, its content (text, or a callable making it), exit code, the
# one line on stderr after the command's prefix ("FILE: " for problems in the file).
def _link(target: str) -> Any:
    def make(path: Path) -> None:
        if not Path(target).exists():
            pytest.skip(f"no {target}")
        path.symlink_to(target)

    return make


def _fifo(path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(path)


BROKEN_INPUTS: list[tuple[str, str, Any, int, str]] = [
    (
        "float-tag-empty",
        "t.yaml",
        HEAD + "a: !!float ''\n",
        1,
        "t.yaml: $: invalid YAML at line 3, column 4: !!float '' is not a number",
    ),
    (
        "bool-tag-empty",
        "t.yaml",
        HEAD + "a: !!bool ''\n",
        1,
        "t.yaml: $: invalid YAML at line 3, column 4: !!bool '' is not true or false",
    ),
    (
        "timestamp-tag-word",
        "t.yaml",
        HEAD + "a: !!timestamp 'x'\n",
        1,
        "t.yaml: $: invalid YAML at line 3, column 4: !!timestamp 'x' is not a date or time "
        "such as 2024-01-31 or 2024-01-31T09:30:00Z",
    ),
    (
        "map-tag-on-list",
        "t.yaml",
        HEAD + "a: !!map [1]\n",
        1,
        "t.yaml: $: invalid YAML at line 3, column 4: !!map on a list: expected a mapping",
    ),
    (
        "python-tag",
        "t.yaml",
        HEAD + "a: !!python/object:os.system x\n",
        1,
        "t.yaml: $: invalid YAML at line 3, column 4: unsupported tag "
        "'!!python/object:os.system': a journey file holds only mappings, lists, strings, "
        "numbers, true/false and null; remove the tag",
    ),
    (
        "integer-beyond-a-float",
        "t.json",
        '{"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}, '
        '"touchpoints": [{"id": "a", "name": "A"}], '
        '"entries": [{"step": "a", "probability": 1' + "0" * 400 + "}]}",
        1,
        "t.json: $.entries[0].probability: an integer of 401 digits is too large: the numbers "
        "in a journey file must fit a 64-bit float (at most about 1.8e308)",
    ),
    (
        "integer-over-4300-digits",
        "t.yaml",
        HEAD + "extensions: {n: 1" + "0" * 5000 + "}\n",
        1,
        "t.yaml: $: invalid YAML at line 3, column 17: a number written with 5,001 "
        "characters; at most 500 are allowed",
    ),
    (
        "surrogate-json-escape",
        "t.json",
        '{"cxgraph": "1.0", "journey": {"id": "j", "name": "J\\ud800"}}',
        1,
        f"t.json: $.journey.name: the text 'J\\ud800' holds a lone surrogate U+D800, {SURROGATE}: "
        "remove it",
    ),
    (
        "surrogate-yaml-escape",
        "t.yaml",
        'cxgraph: "1.0"\njourney: {id: j, name: "\\udc00"}\n',
        1,
        f"t.yaml: $.journey.name: the text '\\udc00' holds a lone surrogate U+DC00, {SURROGATE}: "
        "remove it",
    ),
    (
        "link-to-dev-zero",
        "z.yaml",
        _link("/dev/zero"),
        2,
        "cannot read 'z.yaml': it is a character device (it leads to '/dev/zero'), not a "
        "regular file: give the journey file itself",
    ),
    (
        "link-to-dev-urandom",
        "r.json",
        _link("/dev/urandom"),
        2,
        "cannot read 'r.json': it is a character device (it leads to '/dev/urandom'), not a "
        "regular file: give the journey file itself",
    ),
    (
        "fifo",
        "p.yaml",
        _fifo,
        2,
        "cannot read 'p.yaml': it is a FIFO (named pipe), not a regular file: give the journey "
        "file itself",
    ),
]


class TestBrokenInputs:
    """validate and report: one line naming the file and what is wrong; exit 1 or 2."""

    @pytest.mark.parametrize("command", ["validate", "report"])
    @pytest.mark.parametrize(
        ("name", "content", "code", "line"),
        [c[1:] for c in BROKEN_INPUTS],
        ids=[c[0] for c in BROKEN_INPUTS],
    )
    def test_one_line(
        self, here: Path, command: str, name: str, content: Any, code: int, line: str
    ) -> None:
        """Each broken input gives exactly its line, and report writes nothing."""
        if callable(content):
            content(here / name)
        else:
            (here / name).write_text(content, encoding="utf-8")
        argv = [command, name] + (["-o", "out.html"] if command == "report" else [])
        prefix = "" if line.startswith(name) else f"cxgraph {command}: error: "
        assert run(*argv) == (code, "", f"{prefix}{line}\n")
        assert not (here / "out.html").exists()
        assert _leftovers(here) == []

    def test_fifo_in_a_folder(self, here: Path) -> None:
        """A folder whose journey.yaml is a FIFO: it is read, not written, and named."""
        (here / "folder").mkdir()
        _fifo(here / "folder" / "journey.yaml")
        code, _, err = run("validate", "folder")
        assert (code, err) == (
            2,
            "cxgraph validate: error: cannot read 'folder/journey.yaml': it is a FIFO (named "
            "pipe), not a regular file: give the journey file itself\n",
        )

    @pytest.mark.parametrize("command", ["validate", "report"])
    def test_too_large(self, here: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
        """A file over CXGRAPH_MAX_FILE_BYTES: the limit and how to raise it."""
        monkeypatch.setenv("CXGRAPH_MAX_FILE_BYTES", "100")
        argv = [command, "tiny.yaml"] + (["-o", "out.html"] if command == "report" else [])
        assert run(*argv) == (
            1,
            "",
            f"cxgraph {command}: error: 'tiny.yaml' is {len(TINY)} bytes, more than the limit "
            "of 100 bytes for a journey file: to read it, set the environment variable "
            "CXGRAPH_MAX_FILE_BYTES to a larger number of bytes, or pass max_bytes to load()\n",
        )
        monkeypatch.setenv("CXGRAPH_MAX_FILE_BYTES", "1000")
        assert run("validate", "tiny.yaml")[0] == 0

    def test_bad_limit(self, here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A limit that is not a number of bytes is one line too."""
        monkeypatch.setenv("CXGRAPH_MAX_FILE_BYTES", "64M")
        assert run("validate", "tiny.yaml") == (
            1,
            "",
            "cxgraph validate: error: the environment variable CXGRAPH_MAX_FILE_BYTES must be "
            "a whole number of bytes above 0, such as 134217728 for 128 MiB; got '64M'\n",
        )


def _no_space(*args: Any, **kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


_fdopen = os.fdopen


def _no_space_to_write(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    """os.fdopen on a full disk: reading works, writing fails."""
    if "w" in mode:
        _no_space()
    return _fdopen(fd, mode, *args, **kwargs)


class _FullDevice(io.StringIO):
    """A stdout on a full device: every write fails."""

    def write(self, text: str) -> int:
        _no_space()
        return 0


class TestOutputs:
    """An output that cannot be written is named, with the real cause; exit 2."""

    @pytest.mark.parametrize("output", ["out", "out/"])
    def test_folder_as_output(self, here: Path, output: str) -> None:
        """A folder given as -o is named as the user wrote it, not as a temporary file."""
        (here / "out").mkdir()
        assert run("report", "tiny.yaml", "-o", output) == (
            2,
            "",
            f"cxgraph report: error: cannot write {output!r}: it is a folder\n",
        )

    def test_folder_with_a_page_suffix(self, here: Path) -> None:
        """A folder named like a page is a folder still."""
        (here / "out.html").mkdir()
        assert run("report", "tiny.yaml", "-o", "out.html") == (
            2,
            "",
            "cxgraph report: error: cannot write 'out.html': it is a folder\n",
        )
        assert _leftovers(here) == []

    @pytest.mark.parametrize(
        ("argv", "output"),
        [
            (["report", "tiny.yaml", "--no-plots", "-o", "out.html"], "out.html"),
            (["render", "tiny.yaml", "-o", "map.svg"], "map.svg"),
        ],
        ids=["report", "render-svg"],
    )
    def test_no_space_left(
        self, here: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], output: str
    ) -> None:
        """A full disk names the output and the cause, not the input, and leaves nothing."""
        monkeypatch.setattr(cxio.os, "fdopen", _no_space_to_write)
        assert run(*argv) == (
            2,
            "",
            f"cxgraph {argv[0]}: error: cannot write {output!r}: No space left on device\n",
        )
        assert sorted(p.name for p in here.iterdir()) == ["tiny.yaml"]

    def test_discover_no_space_left(self, here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """discover's journey file on a full disk: named, and the log is not blamed."""
        (here / "log.csv").write_text("case,activity,timestamp\n1,a,2024-01-01\n1,b,2024-01-02\n")
        monkeypatch.setattr(cxio.os, "fdopen", _no_space_to_write)
        code, _, err = run("discover", "log.csv", "-o", "found.json")
        assert code == 2
        assert err.splitlines()[-1] == (
            "cxgraph discover: error: cannot write 'found.json': No space left on device"
        )

    @pytest.mark.parametrize(
        "argv",
        [["schema"], ["validate", "tiny.yaml"], ["report", "tiny.yaml", "--no-plots", "-o", "-"]],
        ids=["schema", "validate", "report-to-stdout"],
    )
    def test_stdout_full(self, here: Path, argv: list[str]) -> None:
        """Standard output on a full device is named as such, not as the input."""
        assert run(*argv, stdout=_FullDevice()) == (
            2,
            "",
            f"cxgraph {argv[0]}: error: cannot write to standard output: No space left on device\n",
        )

    def test_help_to_a_full_device(self) -> None:
        """Even --help, written before any command runs."""
        assert run("--help", stdout=_FullDevice()) == (
            2,
            "",
            "cxgraph: error: cannot write to standard output: No space left on device\n",
        )

    @pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
    def test_dev_full(self) -> None:
        """``python -m cxgraph schema > /dev/full``: one line, exit 2, no traceback at exit."""
        with open("/dev/full", "w") as full:
            proc = subprocess.run(
                [sys.executable, "-m", "cxgraph", "schema"],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
                timeout=60,
            )
        assert (proc.returncode, proc.stderr) == (
            2,
            "cxgraph schema: error: cannot write to standard output: No space left on device\n",
        )


class TestInterrupts:
    """Ctrl-C and SIGTERM, at any moment: one line, exit 130 or 143."""

    def test_while_building_the_parser(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Ctrl-C before the command is known (imports for the parser): ``cxgraph: interrupted``."""

        def interrupted() -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(cli, "build_parser", interrupted)
        assert run("validate", "tiny.yaml") == (130, "", "cxgraph: interrupted\n")

    def test_while_parsing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Ctrl-C inside argument parsing."""

        def interrupted(*args: Any, **kwargs: Any) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(cli._Parser, "parse_args", interrupted)
        assert run("validate", "tiny.yaml") == (130, "", "cxgraph: interrupted\n")

    @pytest.mark.parametrize(
        ("raised", "code", "word"),
        [(KeyboardInterrupt, 130, "interrupted"), (cli._io.Terminated, 143, "terminated")],
        ids=["ctrl-c", "sigterm"],
    )
    def test_inside_a_command(
        self, here: Path, monkeypatch: pytest.MonkeyPatch, raised: type, code: int, word: str
    ) -> None:
        """Inside a command (its imports included): the command is named."""

        def interrupted(path: str) -> None:
            raise raised

        monkeypatch.setattr(cli, "_load", interrupted)
        assert run("validate", "tiny.yaml") == (code, "", f"cxgraph validate: {word}\n")

    def test_sigterm_handler_only_while_running(
        self, here: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """SIGTERM raises inside the run, and the previous handler is back after it."""
        before = signal.getsignal(signal.SIGTERM)
        during: list[Any] = []
        real_load = cli._load

        def spy(path: str) -> Any:
            during.append(signal.getsignal(signal.SIGTERM))
            return real_load(path)

        monkeypatch.setattr(cli, "_load", spy)
        assert run("validate", "tiny.yaml")[0] == 0
        assert during[0] not in (before, signal.SIG_DFL, signal.SIG_IGN)
        assert signal.getsignal(signal.SIGTERM) == before


# A child that runs the CLI with the final move of write_atomic made slow: it says
# "ready" once the temporary file exists, then waits on stdin until signalled.
SLOW_WRITE = textwrap.dedent(
    """
    import os, sys
    from cxgraph.cli import main

    replace = os.replace

    def slow_replace(src, dst):
        print("ready", flush=True)
        sys.stdin.read()
        replace(src, dst)

    os.replace = slow_replace
    sys.exit(main(sys.argv[1:]))
    """
)


class TestSignalsInAChild:
    """Real signals to a real process writing a report."""

    @pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
    def test_signal_during_write(self, here: Path) -> None:
        """SIGTERM and SIGINT mid-write: the temporary file is removed, no page is left,
        and one line says why (143 terminated, 130 interrupted)."""
        cases = {"term.html": signal.SIGTERM, "int.html": signal.SIGINT}
        procs = {  # started together, so the two interpreters start up side by side
            page: subprocess.Popen(
                [sys.executable, "-c", SLOW_WRITE, "report", "tiny.yaml", "--no-plots", "-o", page],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=here,
            )
            for page in cases
        }
        results = {}
        try:
            for page, proc in procs.items():
                assert proc.stdout is not None
                assert proc.stdout.readline() == "ready\n"
                assert [n for n in _leftovers(here) if n.startswith(f".{page}.")] != []
            for page, proc in procs.items():
                proc.send_signal(cases[page])
            for page, proc in procs.items():
                out, err = proc.communicate(timeout=30)
                results[page] = (proc.returncode, out, err)
        finally:
            for proc in procs.values():
                proc.kill()
        assert results == {
            "term.html": (143, "", "cxgraph report: terminated\n"),
            "int.html": (130, "", "cxgraph report: interrupted\n"),
        }
        assert _leftovers(here) == []
        assert sorted(p.name for p in here.iterdir()) == ["tiny.yaml"]

    def test_interrupt_while_importing(self, here: Path) -> None:
        """``python -m cxgraph``: Ctrl-C while cxgraph is imported is one line, exit 130."""
        script = textwrap.dedent(
            """
            import runpy, sys

            class Interrupt:
                def find_spec(self, name, path=None, target=None):
                    if name == "cxgraph.cli":
                        raise KeyboardInterrupt
                    return None

            sys.meta_path.insert(0, Interrupt())
            sys.argv = ["cxgraph", "validate", "tiny.yaml"]
            runpy.run_module("cxgraph", run_name="__main__", alter_sys=True)
            """
        )
        proc = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            cwd=here,
            check=False,
            timeout=60,
        )
        assert (proc.returncode, proc.stdout, proc.stderr) == (130, "", "cxgraph: interrupted\n")


class TestInterruptWhileStarting:
    """Ctrl-C while the cxgraph program is still importing the package: one line, exit 130."""

    def test_the_program_gets_one_line(self) -> None:
        code = "import sys; sys.argv[0] = '/bin/cxgraph'; import cxgraph; raise KeyboardInterrupt"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert (done.returncode, done.stderr) == (130, "cxgraph: interrupted\n")

    def test_a_library_user_keeps_the_traceback(self) -> None:
        code = "import cxgraph; raise KeyboardInterrupt"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert done.returncode != 130
        assert "Traceback" in done.stderr
