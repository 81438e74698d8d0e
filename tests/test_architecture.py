"""The layered house stands: arrows point down, no circles, short modules, private stays private.

Read from the source with ``ast`` (the package is not imported), so the rules
hold for imports inside functions too; imports under ``if TYPE_CHECKING:``
are for type checkers only and do not count. docs/architecture.md draws the
layers and explains each rule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "cxgraph"

#: Each part of src/cxgraph and its layer (design section 0).
LAYERS: dict[str, int] = {
    "errors": 0,
    "_version": 0,
    "_util": 0,
    "model": 1,
    "graph": 2,
    "readwrite": 3,
    "analyses": 4,
    "mining": 5,
    "attribution": 5,
    "changes": 5,
    "plot": 6,
    "report": 7,
    "__init__": 8,
    "cli": 9,
    "__main__": 10,
}

#: The model's documented conveniences, the only upward arrows:
#: (importing module, imported module) -> the one function allowed to import it.
ALLOWED_UP: dict[tuple[str, str], str] = {
    ("cxgraph.model.classes", "cxgraph.graph"): "to_graph",
    ("cxgraph.model.classes", "cxgraph.readwrite.converter"): "from_dict/to_dict",
}

MAX_LINES = 700


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def part_of(module: str) -> str:
    """``cxgraph.analyses.markov`` -> ``analyses``; the package itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    return skip


def imports(module: str) -> Iterator[tuple[str, str, int]]:
    """``(imported module, imported name, line)`` for every cxgraph import that runs."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "cxgraph":
                continue
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                target = full if full in MODULES else node.module
                yield target, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "cxgraph":
                    yield alias.name, "", node.lineno


def import_graph() -> nx.DiGraph[str]:
    G: nx.DiGraph[str] = nx.DiGraph()
    G.add_nodes_from(MODULES)
    for module in MODULES:
        for target, _, _ in imports(module):
            if target != module and (module, target) not in ALLOWED_UP:
                G.add_edge(module, target)
    return G


class TestTheHouse:
    def test_every_part_has_a_layer(self) -> None:
        """Every module of src/cxgraph sits in a part the layer table knows."""
        unknown = sorted({part_of(m) for m in MODULES} - set(LAYERS))
        assert unknown == [], f"parts without a layer: {unknown}; add them to LAYERS"

    def test_arrows_point_down(self) -> None:
        """A module imports only its own part or a lower layer (the model's conveniences aside)."""
        wrong = []
        for module in MODULES:
            for target, name, line in imports(module):
                here, there = part_of(module), part_of(target)
                if here == there or (module, target) in ALLOWED_UP:
                    continue
                if LAYERS[there] >= LAYERS[here]:
                    wrong.append(f"{module}:{line} imports {target} ({name})")
        assert wrong == []

    def test_allowed_upward_arrows_stay_inside_their_methods(self) -> None:
        """The model imports graph and readwrite only inside to_graph, from_dict and to_dict."""
        tree = ast.parse(MODULES["cxgraph.model.classes"].read_text(encoding="utf-8"))
        found = set()
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and node.module in {
                    "cxgraph.graph",
                    "cxgraph.readwrite.converter",
                }:
                    found.add(func.name)
        assert found == {"to_graph", "from_dict", "to_dict"}
        module_level = [
            n.module
            for n in tree.body
            if isinstance(n, ast.ImportFrom)
            and (n.module or "").startswith(("cxgraph.graph", "cxgraph.readwrite"))
        ]
        assert module_level == []

    def test_no_circles(self) -> None:
        """The modules import each other without a circle."""
        cycles = list(nx.simple_cycles(import_graph()))
        assert cycles == []

    def test_modules_are_short(self) -> None:
        """No module is over 700 lines."""
        long = {
            m: n
            for m, p in MODULES.items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        }
        assert long == {}

    def test_private_names_stay_in_their_part(self) -> None:
        """A private name, or any name of a private module, is used only in its own part."""
        wrong = []
        for module in MODULES:
            for target, name, line in imports(module):
                there = part_of(target)
                if there in {part_of(module), "_util", "_version"}:
                    continue
                private_module = any(p.startswith("_") for p in target.split(".")[1:])
                if private_module or name.startswith("_"):
                    wrong.append(f"{module}:{line} uses {target}.{name}")
        assert wrong == []

    def test_sub_packages_do_not_shadow_their_modules(self) -> None:
        """A sub-package never binds a name that is also one of its modules' names."""
        wrong = []
        for package, path in MODULES.items():
            if path.name != "__init__.py" or package == "cxgraph":
                continue
            submodules = {m.rsplit(".", 1)[1] for m in MODULES if m.rsplit(".", 1)[0] == package}
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    for alias in node.names:
                        bound = alias.asname or alias.name
                        if bound in submodules and f"{node.module}.{alias.name}" not in MODULES:
                            wrong.append(f"{package}.{bound}")
        assert wrong == []

    def test_the_tree_reads_as_the_data_flow(self) -> None:
        """The layers, top-down, are model, graph, readwrite, analyses, the rest, plot, report."""
        order = sorted(
            (p for p in LAYERS if LAYERS[p] in range(1, 8)), key=lambda p: (LAYERS[p], p)
        )
        assert order == [
            "model",
            "graph",
            "readwrite",
            "analyses",
            "attribution",
            "changes",
            "mining",
            "plot",
            "report",
        ]


class TestRuleCheckers:
    """The checks above catch what they are for (they would pass vacuously otherwise)."""

    def test_an_upward_arrow_is_seen(self) -> None:
        """An analysis importing the report is an upward arrow."""
        assert LAYERS[part_of("cxgraph.report.report")] > LAYERS[part_of("cxgraph.analyses.x")]

    def test_a_circle_is_seen(self) -> None:
        """The model's conveniences would close a circle if they were not the allowed arrows."""
        G = import_graph()
        G.add_edges_from(ALLOWED_UP)
        assert list(nx.simple_cycles(G)) != []

    def test_type_checking_imports_do_not_count(self) -> None:
        """The model names the graph's types only under TYPE_CHECKING, so nothing is seen."""
        seen = {t for t, _, _ in imports("cxgraph.model.checks")}
        assert "cxgraph.model.classes" not in seen


class TestImportIsLight:
    @pytest.mark.parametrize("module", ["cxgraph.plot", "cxgraph.mining.discovery", "matplotlib"])
    def test_import_cxgraph_leaves_heavy_parts_for_later(self, module: str) -> None:
        """``import cxgraph`` imports neither the pictures, nor mining, nor matplotlib."""
        code = f"import sys, cxgraph; print({module!r} in sys.modules)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "False"

    def test_lazy_names_arrive_on_first_use(self) -> None:
        """``cx.plot``, ``cx.discover`` and ``cx.conformance`` import their part on first use."""
        code = (
            "import cxgraph as cx; from cxgraph import discover; "
            "print(cx.plot.journey_map.__module__, discover.__module__, "
            "cx.Conformance.__module__, 'plot' in dir(cx))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.split() == [
            "cxgraph.plot.journey",
            "cxgraph.mining.discovery",
            "cxgraph.mining.conformance",
            "True",
        ]
