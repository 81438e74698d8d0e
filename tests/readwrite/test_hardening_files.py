"""Broken journey files and the Python API: every one a CxgraphError that says what and where.

Tags with values their tag cannot read, numbers no float holds, text UTF-8
cannot encode, files that are not regular or too large, and outputs that
cannot be written. The command line's side is in ``tests/test_cli_signals.py``.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

import cxgraph as cx
from cxgraph.model.validation import value_problems
from cxgraph.readwrite import _yaml
from cxgraph.readwrite import files as cxio

HEAD = 'cxgraph: "1.0"\njourney: {id: j, name: J}\n'
JSON_HEAD = '{"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}'
TINY = HEAD + "touchpoints: [{id: a, name: A}]\n"
BIG = "1" + "0" * 400  # fits no float
HUGE = "1" + "0" * 5000  # more digits than Python reads into an int by default
FLOAT_TOO_BIG = (
    "an integer of 401 digits is too large: the numbers in a journey file must fit a "
    "64-bit float (at most about 1.8e308)"
)
SURROGATE = "which is not a character and cannot be written as UTF-8"


def _problems(text: str | bytes, fmt: str) -> list[str]:
    with pytest.raises(cx.JourneyValidationError) as exc:
        cx.loads(text, format=fmt)
    return [str(p) for p in exc.value.errors]


def _unsupported(tag: str) -> str:
    return (
        f"unsupported tag {tag!r}: a journey file holds only mappings, lists, strings, numbers, "
        "true/false and null; remove the tag"
    )


# Each case: id, YAML value of key ``a`` (line 3, column 4), the problem after "column 4: ".
BAD_TAGS = [
    ("float-empty", "!!float ''", "!!float '' is not a number"),
    ("int-empty", "!!int ''", "!!int '' is not an integer"),
    ("bool-empty", "!!bool ''", "!!bool '' is not true or false"),
    (
        "timestamp-word",
        "!!timestamp 'x'",
        "!!timestamp 'x' is not a date or time such as 2024-01-31 or 2024-01-31T09:30:00Z",
    ),
    (
        "timestamp-month-13",
        "!!timestamp '2024-13-01'",
        "!!timestamp '2024-13-01' is not a date or time such as 2024-01-31 or 2024-01-31T09:30:00Z",
    ),
    ("int-word", "!!int 'abc'", "!!int 'abc' is not an integer"),
    ("int-hex-prefix", "!!int 0x", "!!int '0x' is not an integer"),
    ("int-octal-8", "!!int '0o8'", "!!int '0o8' is not an integer"),
    ("int-sexagesimal", "!!int '1:'", "!!int '1:' is not an integer"),
    ("float-exponent", "!!float '1e'", "!!float '1e' is not a number"),
    ("bool-word", "!!bool 'x'", "!!bool 'x' is not true or false"),
    ("null-word", "!!null 'x'", "!!null 'x' is not null (write null, or nothing)"),
    ("map-on-list", "!!map [1]", "!!map on a list: expected a mapping"),
    ("map-on-value", "!!map x", "!!map on a plain value: expected a mapping"),
    ("set-on-list", "!!set [1]", "!!set on a list: expected a mapping"),
    ("seq-on-mapping", "!!seq {}", "!!seq on a mapping: expected a list"),
    ("omap-on-mapping", "!!omap {a: 1}", "!!omap on a mapping: expected a list"),
    ("pairs-on-mapping", "!!pairs {}", "!!pairs on a mapping: expected a list"),
    ("str-on-list", "!!str [1]", "!!str on a list: expected a plain value"),
    ("int-on-mapping", "!!int {}", "!!int on a mapping: expected a plain value"),
    ("binary-on-list", "!!binary [1]", "!!binary on a list: expected a plain value"),
    ("python-object", "!!python/object:os.system x", _unsupported("!!python/object:os.system")),
    ("python-name", "!!python/name:os.system ''", _unsupported("!!python/name:os.system")),
    ("custom-tag", "!foo x", _unsupported("!foo")),
    ("verbatim-tag", "!<tag:example.com,2024:x> x", _unsupported("tag:example.com,2024:x")),
    ("merge-as-value", "!!merge x", _unsupported("!!merge")),
    (
        "number-too-long",
        "1" + "0" * 600,
        "a number written with 601 characters; at most 500 are allowed",
    ),
]


class TestLoads:
    """loads: every broken document is a JourneyValidationError, never a Python error."""

    @pytest.mark.parametrize(
        ("value", "problem"), [c[1:] for c in BAD_TAGS], ids=[c[0] for c in BAD_TAGS]
    )
    def test_bad_tags(self, value: str, problem: str) -> None:
        """A tag its value cannot satisfy, or an unknown tag, is refused at its line and column."""
        assert _problems(HEAD + f"a: {value}\n", "yaml") == [
            f"$: invalid YAML at line 3, column 4: {problem}"
        ]

    @pytest.mark.parametrize(
        "loader",
        [_yaml.StrictLoader, _yaml._FastLoader],
        ids=["pure-python", "libyaml"],
    )
    @pytest.mark.parametrize("value", [c[1] for c in BAD_TAGS], ids=[c[0] for c in BAD_TAGS])
    def test_both_parsers_refuse(self, loader: Any, value: str) -> None:
        """libyaml's loader and the pure-Python one both fail in YAML's words, at the node."""
        if loader is None:
            pytest.skip("PyYAML was built without libyaml")
        with pytest.raises(yaml.MarkedYAMLError) as exc:
            yaml.load(HEAD + f"a: {value}\n", Loader=loader)
        assert exc.value.problem_mark is not None
        assert exc.value.problem_mark.line == 2

    def test_bad_tag_as_key(self) -> None:
        """A tag on the wrong node is refused where the key is, too."""
        assert _problems(HEAD + "? !!map [1]\n: x\n", "yaml") == [
            "$: invalid YAML at line 3, column 3: !!map on a list: expected a mapping"
        ]

    def test_bad_tag_inside_a_list(self) -> None:
        """A bad tag deep inside lists and mappings is refused where it is."""
        text = HEAD + "extensions:\n  x: [1, {y: !!set [2]}]\n"
        assert _problems(text, "yaml") == [
            "$: invalid YAML at line 4, column 14: !!set on a list: expected a mapping"
        ]

    def test_failure_in_a_deferred_step(self) -> None:
        """A constructor failing after it handed out its container fails at its node too.

        (PyYAML fills lists and sets in after making them.)
        """

        def steps(loader: Any, node: Any) -> Any:
            yield []
            msg = "boom"
            raise ValueError(msg)

        mark = yaml.Mark("<text>", 0, 2, 3, None, None)
        node = yaml.SequenceNode("tag:yaml.org,2002:seq", [], start_mark=mark)
        filled = _yaml._guarded(steps)(None, node)
        assert next(filled) == []
        with pytest.raises(yaml.MarkedYAMLError, match=r"cannot read the list tagged !!seq: boom"):
            next(filled)

    def test_good_tags_still_read(self) -> None:
        """The tags YAML defines still read when their values are right."""
        text = HEAD + "extensions: {a: !!int '7', b: !!float '2.5', c: !!str 3, d: !!null ''}\n"
        assert cx.loads(text, format="yaml").extensions == {"a": 7, "b": 2.5, "c": "3", "d": None}

    @pytest.mark.parametrize(
        ("fmt", "text", "expected"),
        [
            (
                "yaml",
                TINY + f"entries: [{{step: a, probability: {BIG}}}]\n",
                f"$.entries[0].probability: {FLOAT_TOO_BIG}",
            ),
            (
                "json",
                JSON_HEAD + ', "touchpoints": [{"id": "a", "name": "A"}], '
                f'"entries": [{{"step": "a", "probability": {BIG}}}]}}',
                f"$.entries[0].probability: {FLOAT_TOO_BIG}",
            ),
            (
                "yaml",
                TINY + f"transitions: [{{source: a, target: a, count: {BIG}}}]\n",
                f"$.transitions[0].count: {FLOAT_TOO_BIG}",
            ),
            ("yaml", HEAD + f"extensions: {{n: -{BIG}}}\n", f"$.extensions.n: {FLOAT_TOO_BIG}"),
            (
                "yaml",
                TINY + f"entries: [{{step: a, probability: {HUGE}}}]\n",
                "$: invalid YAML at line 4, column 34: a number written with 5,001 characters; "
                "at most 500 are allowed",
            ),
            (
                "json",
                JSON_HEAD + f', "extensions": {{"n": {HUGE}}}}}',
                "$: invalid JSON at line 1, column 77: a number written with 5,001 characters; "
                "at most 500 are allowed",
            ),
            (
                "json",
                JSON_HEAD + f', "extensions": {{"n": 0.{HUGE}}}}}',
                "$: invalid JSON at line 1, column 77: a number written with 5,003 characters; "
                "at most 500 are allowed",
            ),
            (
                "yaml",
                HEAD + "extensions: {n: 1" + "0" * 500 + ".5}\n",
                "$: invalid YAML at line 3, column 17: a number written with 503 characters; "
                "at most 500 are allowed",
            ),
        ],
        ids=[
            "yaml-probability",
            "json-probability",
            "yaml-count",
            "yaml-extension",
            "yaml-over-4300-digits",
            "json-over-4300-digits",
            "json-long-float",
            "yaml-long-float",
        ],
    )
    def test_numbers_no_float_holds(self, fmt: str, text: str, expected: str) -> None:
        """An integer beyond a float is refused at its path; an overlong literal, at its line."""
        assert _problems(text, fmt) == [expected]

    def test_number_bound_is_the_documented_one(self) -> None:
        """500 characters read; 501 do not."""
        ok = HEAD + "extensions: {n: 0." + "1" * 498 + "}\n"
        assert cx.loads(ok, format="yaml").extensions["n"] == pytest.approx(1 / 9)
        with pytest.raises(cx.JourneyValidationError, match="501 characters; at most 500"):
            cx.loads(ok.replace("0.", "0.1"), format="yaml")

    @pytest.mark.parametrize(
        ("fmt", "text", "expected"),
        [
            (
                "json",
                '{"cxgraph": "1.0", "journey": {"id": "j", "name": "J\\ud800"}}',
                f"$.journey.name: the text 'J\\ud800' holds a lone surrogate U+D800, {SURROGATE}: "
                "remove it",
            ),
            (
                "yaml",
                'cxgraph: "1.0"\njourney: {id: j, name: "J\\ud800"}\n',
                f"$.journey.name: the text 'J\\ud800' holds a lone surrogate U+D800, {SURROGATE}: "
                "remove it",
            ),
            (
                "yaml",
                'cxgraph: "1.0"\njourney: {id: j, name: "J\\U0000DFFF"}\n',
                f"$.journey.name: the text 'J\\udfff' holds a lone surrogate U+DFFF, {SURROGATE}: "
                "remove it",
            ),
            (
                "yaml",
                'cxgraph: "1.0"\njourney: {id: j, name: "J\\ud83d\\ude00"}\n',
                f"$.journey.name: the text 'J\\ud83d\\ude00' holds a lone surrogate U+D83D, "
                f"{SURROGATE}: write the character itself, or one \\U0001F600-style escape in "
                "YAML (YAML does not join two \\u escapes into one character)",
            ),
            (
                "json",
                JSON_HEAD + ', "extensions": {"\\udc00": 1}}',
                f"$.extensions: the key '\\udc00' holds a lone surrogate U+DC00, {SURROGATE}: "
                "remove it",
            ),
            (
                "json",
                JSON_HEAD + ', "touchpoints": [{"id": "a", "name": "A\\udbff"}]}',
                "$.touchpoints[0].name: the text 'A\\udbff' holds a lone surrogate U+DBFF, "
                f"{SURROGATE}: remove it",
            ),
            (
                "json",
                '{"cxgraph": "1.0", "journey": {"id": "j", "name": "J\ud800"}}',
                "$: the text holds a lone surrogate U+D800 at line 1, column 53, "
                f"{SURROGATE}: remove it",
            ),
            (
                "yaml",
                'cxgraph: "1.0"\njourney: {id: j, name: J\udc80}\n',
                "$: the text holds a lone surrogate U+DC80 at line 2, column 25, "
                f"{SURROGATE}: remove it",
            ),
        ],
        ids=[
            "json-escape",
            "yaml-escape",
            "yaml-long-escape",
            "yaml-escaped-pair",
            "json-key",
            "json-nested",
            "raw-in-json-text",
            "raw-in-yaml-text",
        ],
    )
    def test_lone_surrogates_refused(self, fmt: str, text: str, expected: str) -> None:
        """Text UTF-8 cannot encode is refused on the way in, with where it is."""
        assert _problems(text, fmt) == [expected]

    def test_json_surrogate_pair_is_one_character(self) -> None:
        """A JSON escape pair is one character (JSON joins the halves) and loads."""
        text = '{"cxgraph": "1.0", "journey": {"id": "j", "name": "J\\ud83d\\ude00"}}'
        assert cx.loads(text).name == "J\U0001f600"

    def test_surrogate_problem_joins_the_others(self) -> None:
        """A lone surrogate is one problem among the rest, listed together."""
        text = 'cxgraph: "1.0"\njourney: {id: j, name: "J\\ud800"}\ntouchpoint: []\n'
        assert [p.split(":")[0] for p in _problems(text, "yaml")] == [
            "$.journey.name",
            "$.touchpoint",
        ]


class TestFromDict:
    """from_dict and validate: values no file can hold are problems, with their paths."""

    def test_integer_beyond_a_float(self) -> None:
        """A huge integer in a dict is a validation error, not an OverflowError."""
        doc: dict[str, Any] = {
            "cxgraph": "1.0",
            "journey": {"id": "j", "name": "J"},
            "touchpoints": [{"id": "a", "name": "A"}],
            "entries": [{"step": "a", "probability": 10**400, "count": 10**5000}],
        }
        with pytest.raises(cx.JourneyValidationError) as exc:
            cx.Journey.from_dict(doc)
        assert [p.path for p in exc.value.errors] == [
            "$.entries[0].probability",
            "$.entries[0].count",
        ]
        assert exc.value.errors[1].message.startswith("an integer of 5001 digits is too large")
        with pytest.raises(cx.JourneyValidationError, match=r"401 digits is too large"):
            cx.validate({**doc, "entries": [{"step": "a", "probability": 10**400}]})

    def test_shared_parts_checked_once(self) -> None:
        """A part shared through YAML aliases is reported once, at its first path."""
        shared = {"x": "\udc00"}
        assert [p.path for p in value_problems({"a": shared, "b": shared})] == ["$.a.x"]


class TestDumps:
    """dumps: a journey built in Python that no file can hold is refused, with where."""

    @pytest.mark.parametrize("fmt", ["json", "yaml"])
    def test_lone_surrogate(self, fmt: str) -> None:
        """A lone surrogate is a JourneyValidationError naming the field, not UnicodeEncodeError."""
        j = cx.Journey(id="j", name="J\ud800")
        with pytest.raises(cx.JourneyValidationError, match=r"^1 problem") as exc:
            cx.dumps(j, format=fmt)
        assert str(exc.value.errors[0]).startswith(
            "$.journey.name: the text 'J\\ud800' holds a lone surrogate U+D800"
        )

    def test_dump_writes_nothing(self, tmp_path: Path) -> None:
        """dump of such a journey leaves no file and no temporary file."""
        j = cx.Journey(id="j", name="J", extensions={"k": "\udfff"})
        with pytest.raises(cx.JourneyValidationError, match=r"\$\.extensions\.k: the text"):
            cx.dump(j, tmp_path / "x.json")
        assert list(tmp_path.iterdir()) == []


def _fifo(tmp_path: Path, name: str) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    path = tmp_path / name
    os.mkfifo(path)
    return path


def _returns_at_once(call: Any) -> BaseException | None:
    """Run ``call`` in a thread; fail if it has not returned within 5 s (it would block)."""
    raised: list[BaseException] = []

    def target() -> None:
        try:
            call()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "the call blocked"
    return raised[0] if raised else None


class TestLoad:
    """load: only regular files, at most the size limit, and errors that name the file."""

    @pytest.mark.parametrize(
        ("device", "kind"),
        [("/dev/zero", "a character device"), ("/dev/urandom", "a character device")],
    )
    def test_link_to_a_device(self, tmp_path: Path, device: str, kind: str) -> None:
        """A link to an endless device is refused before it is opened."""
        if not Path(device).exists():
            pytest.skip(f"no {device}")
        link = tmp_path / "j.yaml"
        link.symlink_to(device)
        with pytest.raises(OSError, match=r"is a character device") as exc:
            cx.load(link)
        assert exc.value.filename == str(link)
        assert exc.value.strerror == (
            f"it is {kind} (it leads to {device!r}), not a regular file: "
            "give the journey file itself"
        )

    def test_fifo(self, tmp_path: Path) -> None:
        """A FIFO is refused at once (opening it would wait for a writer)."""
        fifo = _fifo(tmp_path, "j.yaml")
        exc = _returns_at_once(lambda: cx.load(fifo))
        assert isinstance(exc, OSError)
        assert exc.errno == errno.EINVAL
        assert exc.strerror == (
            "it is a FIFO (named pipe), not a regular file: give the journey file itself"
        )

    def test_fifo_in_a_folder(self, tmp_path: Path) -> None:
        """A folder's journey.yaml that is a FIFO is refused by name, not skipped."""
        _fifo(tmp_path, "journey.yaml")
        exc = _returns_at_once(lambda: cx.load(tmp_path))
        assert isinstance(exc, OSError)
        assert exc.filename == str(tmp_path / "journey.yaml")

    def test_fifo_swapped_in_after_the_check(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A FIFO that replaces the file between the check and the open is refused too."""
        fifo = _fifo(tmp_path, "j.yaml")
        real_stat = os.stat
        regular = real_stat(tmp_path)  # any stat; its mode is made a regular file's below

        def fake_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            if Path(path) == fifo:
                fields = list(regular)
                fields[0] = 0o100644
                fields[6] = 10
                return os.stat_result(fields)
            return real_stat(path, *args, **kwargs)

        monkeypatch.setattr(cxio.os, "stat", fake_stat)
        exc = _returns_at_once(lambda: cx.load(fifo))
        assert isinstance(exc, OSError)
        assert "FIFO" in str(exc)

    def test_folder_still_stands_for_its_journey(self, tmp_path: Path) -> None:
        """A folder holding journey.yaml reads that file, as before."""
        (tmp_path / "journey.yaml").write_text(TINY, encoding="utf-8")
        assert cx.load(tmp_path).id == "j"

    def test_default_limit(self) -> None:
        """The default limit is 64 MiB, a module constant."""
        assert cxio.MAX_FILE_BYTES == 64 * 2**20

    def test_too_large_by_keyword(self, tmp_path: Path) -> None:
        """A file over max_bytes is refused, saying the limit and both ways to raise it."""
        path = tmp_path / "j.yaml"
        path.write_text(TINY, encoding="utf-8")
        with pytest.raises(cxio.FileTooLargeError) as exc:
            cx.load(path, max_bytes=20)
        assert str(exc.value) == (
            f"{str(path)!r} is {len(TINY)} bytes, more than the limit of 20 bytes for a journey "
            "file: to read it, set the environment variable CXGRAPH_MAX_FILE_BYTES to a larger "
            "number of bytes, or pass max_bytes to load()"
        )
        assert isinstance(exc.value, cx.CxgraphError)
        assert cx.load(path, max_bytes=len(TINY)).id == "j"

    def test_too_large_by_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """CXGRAPH_MAX_FILE_BYTES sets the limit; the keyword overrides it."""
        path = tmp_path / "j.yaml"
        path.write_text(TINY, encoding="utf-8")
        monkeypatch.setenv("CXGRAPH_MAX_FILE_BYTES", "20")
        with pytest.raises(cxio.FileTooLargeError, match=r"more than the limit of 20 bytes"):
            cx.load(path)
        assert cx.load(path, max_bytes=1000).id == "j"

    def test_limit_in_mebibytes_said_so(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A limit of whole MiB is said in MiB too."""
        path = tmp_path / "j.yaml"
        path.write_bytes(b" " * (2**20 + 1))
        with pytest.raises(cxio.FileTooLargeError, match=r"limit of 1 MiB \(1,048,576 bytes\)"):
            cx.load(path, max_bytes=2**20)

    @pytest.mark.parametrize(
        ("setting", "shown"), [("abc", "'abc'"), ("0", "'0'"), ("-5", "'-5'"), ("1.5", "'1.5'")]
    )
    def test_bad_limit_in_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, shown: str
    ) -> None:
        """A limit that is not a whole number of bytes is refused, saying what is expected."""
        path = tmp_path / "j.yaml"
        path.write_text(TINY, encoding="utf-8")
        monkeypatch.setenv("CXGRAPH_MAX_FILE_BYTES", setting)
        with pytest.raises(cxio.FileTooLargeError) as exc:
            cx.load(path)
        assert str(exc.value) == (
            "the environment variable CXGRAPH_MAX_FILE_BYTES must be a whole number of bytes "
            f"above 0, such as 134217728 for 128 MiB; got {shown}"
        )

    @pytest.mark.parametrize("limit", [0, -1, True])
    def test_bad_limit_keyword(self, tmp_path: Path, limit: Any) -> None:
        """max_bytes must be a positive number of bytes."""
        path = tmp_path / "j.yaml"
        path.write_text(TINY, encoding="utf-8")
        with pytest.raises(cxio.FileTooLargeError, match=r"^max_bytes must be a whole number"):
            cx.load(path, max_bytes=limit)

    def test_file_that_grows_is_bounded(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The read stops at the limit even when the file was small when looked at."""
        path = tmp_path / "j.yaml"
        path.write_bytes(b" " * 500)
        real_stat = os.stat

        def small_stat(p: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            st = real_stat(p, *args, **kwargs)
            fields = list(st)
            fields[6] = 10  # st_size, as it was a moment ago
            return os.stat_result(fields)

        monkeypatch.setattr(cxio.os, "stat", small_stat)
        with pytest.raises(cxio.FileTooLargeError, match=r"'\S+j\.yaml' has grown more than"):
            cx.load(path, max_bytes=100)

    def test_error_names_the_file(self, tmp_path: Path) -> None:
        """A content error from load names the file, with line and column for a bad tag."""
        path = tmp_path / "j.yaml"
        path.write_text(HEAD + "a: !!float ''\n", encoding="utf-8")
        with pytest.raises(cx.JourneyValidationError) as exc:
            cx.load(path)
        assert str(exc.value) == (
            f"1 problem in the journey file {str(path)!r}:\n"
            "$: invalid YAML at line 3, column 4: !!float '' is not a number"
        )


class TestWriteAtomic:
    """dump (and every file the CLI writes): failures name the file asked for, leave nothing."""

    def test_no_space(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A full disk names the output, not the temporary file, and leaves nothing."""

        def full(*args: Any, **kwargs: Any) -> Any:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(cxio.os, "fdopen", full)
        target = tmp_path / "out.json"
        with pytest.raises(OSError, match="No space left on device") as exc:
            cx.dump(cx.Journey(id="j", name="J"), target)
        assert (exc.value.errno, exc.value.filename) == (errno.ENOSPC, str(target))
        assert list(tmp_path.iterdir()) == []

    def test_folder_as_target(self, tmp_path: Path) -> None:
        """A folder where the file should go is refused by its name, before any write."""
        (tmp_path / "out.json").mkdir()
        with pytest.raises(IsADirectoryError) as exc:
            cx.dump(cx.Journey(id="j", name="J"), tmp_path / "out.json")
        assert exc.value.filename == str(tmp_path / "out.json")
        assert exc.value.strerror == "it is a folder"
        assert [p.name for p in tmp_path.iterdir()] == ["out.json"]

    def test_interrupt_leaves_nothing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An interrupt while writing (Ctrl-C, or SIGTERM in the CLI) removes the temporary file."""

        def interrupted(src: Any, dst: Any) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(cxio.os, "replace", interrupted)
        with pytest.raises(KeyboardInterrupt):
            cxio.write_atomic(tmp_path / "page.html", "<p>hi</p>")
        assert list(tmp_path.iterdir()) == []
