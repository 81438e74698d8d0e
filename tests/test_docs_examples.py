"""What README.md and the user guide (docs/*.md) tell users is true.

Every ```python block of a page runs, the page's blocks in order in one fresh
namespace, in a temporary folder holding copies of ``examples/`` and
``tests/data/`` (so ``cx.dump(journey, "journey.json")`` writes nothing into
the repository). A comment that states a value is checked: after ``print(x)``
the first line printed, after a bare expression the first line of its repr::

    print(journey)                     # <Journey 'b2b-software' (...): 38 steps, 61 edges>
    G.nodes["discovery-call"]["silo"]  # 'sales': the department at the root ...

A python block that is not meant to run says why in the page, in an HTML
comment right before it: ``<!-- not run: the reason -->``. Blocks in other
languages (yaml, bash, ...) are not run, but every fence must name its
language, so that an untagged python block cannot slip through.

Beyond the blocks: the ``cxgraph`` commands the pages show parse, the
README's command table lists every command, every ``cx.`` name the pages use
exists, and the tables of analyses and model classes match the code.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import io
import re
import shlex
import shutil
import tokenize
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import pytest

import cxgraph
import cxgraph as cx
from cxgraph import cli
from cxgraph.report.registry import BUILTIN_NAMES, registered_analyses, unregister_analysis

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
#: The pages whose python blocks run: the README and the user guide (not docs/api).
PAGES = [README, *sorted(DOCS.glob("*.md"))]
#: The pages whose prose is checked for command lines and names.
PROSE = [*PAGES, ROOT / "CHANGELOG.md"]

EXAMPLE = ROOT / "examples" / "b2b_software.yaml"
LOG = ROOT / "tests" / "data" / "running-example.csv"

#: Fence languages the pages may use; only python runs.
LANGUAGES = {"python", "yaml", "json", "bash", "text", "{toctree}"}

FENCE = re.compile(r"^```(?P<lang>[^\s`]*)[^\n]*\n(?P<code>.*?)^```[ \t]*$", re.M | re.S)
NOT_RUN = re.compile(r"<!--\s*not run:(?P<reason>(?:(?!-->).)*)-->\s*\Z", re.S)
#: An inline code span; Markdown lets one wrap onto the next line.
SPAN = re.compile(r"`([^`]+)`")
#: A comment that states a value: a repr in angle brackets, a string, a number
#: or a constant, alone or followed by ``:``, ``;`` or ``,`` and prose.
STATED = re.compile(
    r"^#\s*(?P<value><.*>|'[^']*'|\"[^\"]*\"|-?\d[\d_]*(?:\.\d+)?|True|False|None)"
    r"(?:[:;,]\s.*)?$"
)
#: What the placeholders of a documented command line stand for.
PLACEHOLDERS = {
    "FILE": str(EXAMPLE),
    "LOG": str(LOG),
    "NAME": "branches",
    "ACTIVITY=KIND": "Done=success",
    "COLUMN": "case",
    "VALUE": "complete",
    "OLD": str(EXAMPLE),
    "NEW": str(EXAMPLE),
    "K": "3",
    "N": "2",
    "SHARE": "0.8",
    "PATHS": str(ROOT / "tests" / "data" / "paths-small.csv"),
    "MODEL": "linear",
    "DURATION": "P1D",
    "LEVEL": "0.9",
}


class Block(NamedTuple):
    """A fenced code block of a page."""

    page: Path
    line: int  # the page's line number of the block's first line of code
    lang: str
    code: str
    not_run: str | None  # the reason given in ``<!-- not run: ... -->``, if any


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a page, in order."""
    text = page.read_text("utf-8")
    out = []
    for m in FENCE.finditer(text):
        note = NOT_RUN.search(text, 0, m.start())
        out.append(
            Block(
                page=page,
                line=text.count("\n", 0, m.start("code")) + 1,
                lang=m["lang"],
                code=m["code"],
                not_run=note["reason"].strip() if note else None,
            )
        )
    return out


def python_blocks(page: Path) -> list[Block]:
    """The page's python blocks, those marked not to run included."""
    return [b for b in blocks(page) if b.lang == "python"]


def prose(page: Path) -> str:
    """The page without its fenced blocks."""
    return FENCE.sub("", page.read_text("utf-8"))


def spans(page: Path) -> list[str]:
    """The inline code spans of a page's prose and tables, ``\\|`` unescaped, one line each."""
    return [" ".join(s.replace("\\|", "|").split()) for s in SPAN.findall(prose(page))]


def comments(code: str) -> dict[int, str]:
    """The comments of a block by line number (1-based, in the block)."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    return {t.start[0]: t.string for t in tokens if t.type == tokenize.COMMENT}


def is_print(stmt: ast.stmt) -> bool:
    """Whether a statement is ``print(x)`` with one argument."""
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Name)
        and stmt.value.func.id == "print"
        and len(stmt.value.args) == 1
        and not stmt.value.keywords
    )


def run_block(block: Block, namespace: dict[str, Any]) -> int:
    """Run a block statement by statement, checking stated values; return how many."""
    tree = ast.parse(block.code)
    notes = comments(block.code)
    checked = 0
    for stmt in tree.body:
        m = STATED.match(notes.get(stmt.end_lineno or stmt.lineno, ""))
        ast.increment_lineno(stmt, block.line - 1)  # tracebacks name the page's line
        where = f"{block.page.name}:{stmt.lineno}"
        code = compile(ast.Module(body=[stmt], type_ignores=[]), str(block.page), "exec")
        if m is None:
            exec(code, namespace)
            continue
        stated = m["value"]
        if is_print(stmt):
            shown = io.StringIO()
            with contextlib.redirect_stdout(shown):
                exec(code, namespace)
            if not stated.startswith("<"):
                stated = str(ast.literal_eval(stated))
            got = shown.getvalue()
        elif isinstance(stmt, ast.Expr):
            expr = compile(ast.Expression(body=stmt.value), str(block.page), "eval")
            got = repr(eval(expr, namespace))
        else:
            pytest.fail(f"{where}: the comment states {stated}, but the statement shows nothing")
        first = got.splitlines()[0] if got else ""
        assert first == stated, f"{where}: the page says {stated}, the code gives {first}"
        checked += 1
    return checked


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working folder with copies of examples/ and tests/data/."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "tests" / "data", tmp_path / "tests" / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def own_analyses() -> Iterator[None]:
    """Unregister the analyses a page registers (``@cx.register_analysis``)."""
    before = set(registered_analyses())
    yield
    for name in set(registered_analyses()) - before:
        unregister_analysis(name)


def argvs(command: str) -> list[list[str]]:
    """Argument lists for a documented command line, one per alternative of each choice.

    Optional parts (``[...]``) are included, placeholders (``FILE``, ``LOG``,
    ``NAME``) filled in, and ``a|b|c`` tried one alternative at a time.
    """
    # Shell quoting as the shell reads it: --outcome "pay compensation=success" is one word.
    words = shlex.split(command.replace("\\|", "|").replace("[", " ").replace("]", " "))
    assert words[0] == "cxgraph", command
    choices = [PLACEHOLDERS.get(w, w).split("|") for w in words[1:]]
    first = [c[0] for c in choices]
    out = [first]
    for i, alternatives in enumerate(choices):
        out += [[*first[:i], alt, *first[i + 1 :]] for alt in alternatives[1:]]
    return out


def readme_commands() -> list[str]:
    """The command lines in the first column of the README's command table."""
    text = README.read_text("utf-8")
    section = text.split("## The command line", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(cxgraph [^`]+)` \|", section, re.M)


def documented_commands() -> list[tuple[str, str]]:
    """Every ``cxgraph COMMAND ...`` the pages and the changelog show: (page, command)."""
    out = []
    for page in PROSE:
        found = [s for s in spans(page) if re.match(r"cxgraph [a-z]", s)]
        for block in blocks(page):
            if block.lang == "bash":
                parts = re.split(r"&&|;|\n", block.code)
                found += [p.strip() for p in parts if p.strip().startswith("cxgraph ")]
        out += [(page.name, command) for command in found]
    return out


def help_commands() -> list[str]:
    """The command names ``cxgraph --help`` lists."""
    out = io.StringIO()
    assert cli.main(["--help"], stdout=out) == 0
    # A long name stands alone on its line, its help on the next.
    return re.findall(r"^ {4}([a-z][\w-]*)(?: |$)", out.getvalue(), re.M)


def resolve(dotted: str) -> object:
    """The object a dotted name such as ``cxgraph.graph.owner_silos`` names."""
    parts = dotted.split(".")
    obj: object = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[:i]))
    return obj


def table_rows(page: Path) -> list[list[str]]:
    """The body rows of the tables of a page, as lists of cells (header rows left out)."""
    rows = []
    lines = page.read_text("utf-8").splitlines()
    for before, line in zip(["", *lines], lines, strict=False):
        if line.startswith("|") and not line.startswith("|---") and before.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            rows.append([c.strip() for c in cells])
    return [r for r in rows if not r[0].startswith("---")]


@pytest.fixture(scope="module")
def restaurant() -> cx.Journey:
    """The bundled restaurant journey."""
    return cx.load(ROOT / "examples" / "restaurant.yaml")


class TestPythonBlocks:
    @pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=lambda p: p.name)
    @pytest.mark.usefixtures("own_analyses")
    def test_page_runs(self, page: Path, workdir: Path) -> None:
        """A page's python blocks run in order, and every value a comment states is right."""
        namespace: dict[str, Any] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
        for block in python_blocks(page):
            if block.not_run is None:
                run_block(block, namespace)

    def test_pages_with_code_are_found(self) -> None:
        """The README and the analyses page have python blocks to run."""
        assert {p.name for p in PAGES if python_blocks(p)} >= {"README.md", "analyses.md"}

    def test_readme_states_values(self) -> None:
        """The README's quick start states values the test checks, the summary line first."""
        quick = python_blocks(README)[0]
        notes = [c for c in comments(quick.code).values() if STATED.match(c)]
        assert notes[0].startswith("# <Journey 'b2b-software'")

    @pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
    def test_fences_name_a_known_language(self, page: Path) -> None:
        """Every fenced block names its language, so no python block escapes the run."""
        assert {b.lang for b in blocks(page)} <= LANGUAGES

    @pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
    def test_skipped_blocks_say_why(self, page: Path) -> None:
        """A python block is left out only with a reason written in the page."""
        assert all(b.not_run != "" for b in python_blocks(page))

    @pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
    def test_cx_names_exist(self, page: Path) -> None:
        """Every ``cx.NAME`` a python block uses is in ``cxgraph.__all__``."""
        used = {
            node.attr
            for block in python_blocks(page)
            for node in ast.walk(ast.parse(block.code))
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("cx", "cxgraph")
        }
        assert used - set(cxgraph.__all__) == set()


class TestNamesInProse:
    @pytest.mark.parametrize("page", PROSE, ids=lambda p: p.name)
    def test_dotted_names_resolve(self, page: Path) -> None:
        """``cx.X``, ``cxgraph.a.b`` and ``Class.attr`` in the prose name real things."""
        missing = []
        for span in spans(page):
            for prefix, rest in re.findall(r"(?<![\w.@])(cx|cxgraph)\.([A-Za-z_][\w.]*)", span):
                if prefix == "cx" and rest.split(".")[0] not in cxgraph.__all__:
                    missing.append(span)
                    continue
                try:
                    resolve(f"cxgraph.{rest}")
                except (AttributeError, ImportError):
                    missing.append(span)
            for cls, attr in re.findall(r"(?<![\w.])([A-Z]\w+)\.([a-z_]\w*)", span):
                if cls in cxgraph.__all__ and not hasattr(getattr(cx, cls), attr):
                    missing.append(span)
        assert missing == []


class TestCommandLine:
    def test_readme_table_parses(self) -> None:
        """Every command line in the README's table parses, each choice of each option."""
        parser = cli.build_parser()
        commands = readme_commands()
        assert len(commands) >= 7
        for command in commands:
            for argv in argvs(command):
                args = parser.parse_args(argv)
                assert args.command == argv[0], command

    def test_readme_table_lists_every_command(self) -> None:
        """Every command ``cxgraph --help`` lists has a row in the README's table, and no other."""
        in_table = [c.split()[1] for c in readme_commands()]
        assert sorted(in_table) == sorted(help_commands())

    @pytest.mark.parametrize(
        ("page", "command"), documented_commands(), ids=lambda v: str(v).replace(" ", "_")
    )
    def test_documented_command_parses(self, page: str, command: str) -> None:
        """A ``cxgraph ...`` command in the prose or a shell block parses (a bare name exists)."""
        words = command.split()
        if len(words) == 2:
            assert words[1] in help_commands()
            return
        parser = cli.build_parser()
        for argv in argvs(command):
            assert parser.parse_args(argv).command == argv[0]

    def test_exit_codes(self, tmp_path: Path) -> None:
        """Exit codes: 0 clean, 1 problems found, 2 usage or I/O error, as the README says."""
        assert "Exit codes: 0 clean, 1 problems found, 2 usage or I/O error." in prose(README)
        bad = tmp_path / "bad.yaml"
        bad.write_text("cxgraph: 1.0\njourney: {id: j, name: J}\n", encoding="utf-8")
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        assert cli.main(["validate", str(EXAMPLE)], **quiet) == 0
        assert cli.main(["validate", str(bad)], **quiet) == 1
        assert cli.main(["validate", "--no-such-option", str(EXAMPLE)], **quiet) == 2
        assert cli.main(["validate", str(tmp_path / "missing.yaml")], **quiet) == 2

    def test_install_groups_and_extras_exist(self) -> None:
        """The ``--group`` and ``cxgraph[extra]`` names the README installs are in pyproject."""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        text = README.read_text("utf-8")
        groups = set(re.findall(r"--group (\w+)", text))
        extras = set(re.findall(r"cxgraph\[(\w+)\]", text))
        assert groups
        assert groups <= set(project["dependency-groups"])
        assert extras
        assert extras <= set(project["project"]["optional-dependencies"])


class TestAnalysesTable:
    def rows(self) -> list[list[str]]:
        return [r for r in table_rows(DOCS / "analyses.md") if re.match(r"`\w+\(", r[0])]

    def test_lists_the_builtin_analyses(self) -> None:
        """The table has one row per built-in analysis."""
        names = [re.match(r"`(\w+)\(", r[0])[1] for r in self.rows()]  # type: ignore[index]
        assert names == list(BUILTIN_NAMES)

    def test_options_and_defaults(self) -> None:
        """Each row shows every keyword-only option of the function, with its default."""
        for row in self.rows():
            call = ast.parse(row[0].strip("`"), mode="eval").body
            assert isinstance(call, ast.Call)
            assert isinstance(call.func, ast.Name)
            shown = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
            params = inspect.signature(getattr(cx, call.func.id)).parameters.values()
            actual = {p.name: p.default for p in params if p.kind is p.KEYWORD_ONLY}
            assert shown == actual, row[0]

    def test_record_fields(self, restaurant: cx.Journey) -> None:
        """Each row's record fields are the columns of the result's records, in order."""
        for row in self.rows():
            name = re.match(r"`(\w+)\(", row[0])[1]  # type: ignore[index]
            fields = SPAN.search(row[2])[1].split(", ")  # type: ignore[index]
            assert fields == getattr(cx, name)(restaurant).columns(), name

    def test_twelve_analyses_in_the_design_notes(self) -> None:
        """The design notes' "twelve times" is the number of built-in analyses."""
        assert "does not compile it twelve times" in prose(DOCS / "design-notes.md")
        assert len(BUILTIN_NAMES) == 12


class TestModellingTable:
    def rows(self) -> list[list[str]]:
        return [r for r in table_rows(DOCS / "modelling.md") if r[0].startswith("`")]

    def test_classes_and_fields_exist(self) -> None:
        """Each class is public and each field its notes name is a field of it."""
        for cls_name, _, notes in self.rows():
            cls = getattr(cx, cls_name.strip("`"))
            fields = {f.name for f in attrs.fields(cls)}
            for span in SPAN.findall(notes):
                if "." in span:
                    owner, attr = span.split(".")
                    assert attr in {f.name for f in attrs.fields(getattr(cx, owner))}, span
                else:
                    assert span in fields, f"{cls_name}: {span}"

    def test_listed_values_are_the_valid_ones(self) -> None:
        """A note listing a field's values (`kind`: a, b, c) lists the schema's enum, in order."""
        defs = cx.schema()["$defs"]
        listed = 0
        for cls_name, _, notes in self.rows():
            for field, values in re.findall(r"`(\w+)`: ([a-z_]+(?:, [a-z_]+)+)", notes):
                prop = defs[cls_name.strip("`")]["properties"][field]
                enum = prop.get("enum") or next(a["enum"] for a in prop["anyOf"] if "enum" in a)
                assert values.split(", ") == enum, f"{cls_name}.{field}"
                listed += 1
        assert listed >= 6


class TestOtherClaims:
    def test_file_format_example_loads(self) -> None:
        """The example file on the file-format page is a valid journey."""
        (yaml_block,) = [b for b in blocks(DOCS / "file-format.md") if b.lang == "yaml"]
        journey = cx.loads(yaml_block.code, "yaml")
        assert journey.extensions == {"workshop": "2026-03 mapping session"}

    def test_file_format_key_order(self) -> None:
        """The top-level keys, in the order the file-format page gives, are the schema's."""
        text = prose(DOCS / "file-format.md")
        sentence = text.split("Top-level keys, in this order:", 1)[1].split("Every list", 1)[0]
        keys = [k for span in SPAN.findall(sentence) for k in re.split(r",\s+", span)]
        assert keys == list(cx.schema()["properties"])

    def test_restaurant_has_three_dimensions(self, restaurant: cx.Journey) -> None:
        """The README's restaurant "with three dimensions of value" has three."""
        assert "a restaurant with three dimensions of value" in prose(README)
        assert len(restaurant.dimensions) == 3

    def test_six_notebooks(self) -> None:
        """The README and the changelog speak of six notebooks, and there are six."""
        for page in (README, ROOT / "CHANGELOG.md"):
            assert "six" in re.findall(r"(\w+)\s+notebooks", prose(page)), page.name
        assert len(list((DOCS / "notebooks").glob("*.ipynb"))) == 6


class TestHarness:
    """The checks above catch what they are meant to catch."""

    def page(self, tmp_path: Path, text: str) -> Path:
        path = tmp_path / "page.md"
        path.write_text(text, encoding="utf-8")
        return path

    def test_wrong_stated_value_fails(self, tmp_path: Path) -> None:
        """A stated value the code does not give fails, naming the page's line."""
        page = self.page(tmp_path, "Text.\n\n```python\nx = 2\nx + 1   # 4: the sum\n```\n")
        (block,) = python_blocks(page)
        with pytest.raises(AssertionError, match=r"page\.md:5: the page says 4, the code gives 3"):
            run_block(block, {})

    def test_stated_values_are_checked(self, tmp_path: Path) -> None:
        """Printed text and a bare expression's repr are both checked; prose comments are not."""
        code = (
            "x = 'a'  # set it\nprint(x)  # 'a': printed\nprint(int)  # <class 'str'>\nx  # 'a'\n"
        )
        page = self.page(tmp_path, f"```python\n{code}```\n")
        (block,) = python_blocks(page)
        with pytest.raises(AssertionError, match=r"page\.md:4: the page says <class 'str'>"):
            run_block(block, {})
        fixed = block._replace(code=code.replace("<class 'str'>", "<class 'int'>"))
        assert run_block(fixed, {}) == 3

    def test_not_run_needs_a_reason_before_the_block(self, tmp_path: Path) -> None:
        """``<!-- not run: why -->`` right before a block marks it; a distant one does not."""
        page = self.page(
            tmp_path,
            "<!-- not run: needs a browser -->\n```python\n1\n```\n\n"
            "<!-- other -->\n```python\n2\n```\n",
        )
        assert [b.not_run for b in python_blocks(page)] == ["needs a browser", None]

    def test_argvs_try_every_choice(self) -> None:
        """Optional parts are included and each alternative is tried once."""
        assert argvs("cxgraph lint FILE [--format text\\|json]") == [
            ["lint", str(EXAMPLE), "--format", "text"],
            ["lint", str(EXAMPLE), "--format", "json"],
        ]
