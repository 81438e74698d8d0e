"""A seeded, structure-aware fuzz over the bundled journeys: only documented errors escape.

Each run takes one example journey as data, applies one to three mutations
that know the file format's shape (drop a key, give a field a hostile value,
rename a key, duplicate, swap or cut a list, point a reference at another
id, nest wrong), writes it as JSON and loads it. Loading must give a Journey
or a :class:`~cxgraph.CxgraphError` (a ``JourneyValidationError`` for a bad
file); a journey that loads must analyse, and write as text, JSON, Markdown,
an HTML page (without pictures) and a journey file that loads back equal.

The default run is short (150 cases, a few seconds). A long one, for local
runs::

    CXGRAPH_FUZZ_RUNS=20000 python -m pytest tests/readwrite/test_fuzz_journeys.py

A failure names its seed: ``run(seed)`` repeats that case alone.
"""

from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

import cxgraph as cx

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
DOCS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLES}
RUNS = int(os.environ.get("CXGRAPH_FUZZ_RUNS", "150"))

#: Values a field may be given: wrong types, edges of ranges, hostile text.
HOSTILE: list[Any] = [
    None,
    "",
    " ",
    0,
    -1,
    1.5,
    -0.0,
    1e308,
    10**30,
    True,
    [],
    {},
    [1, "a", None],
    {"x": 1},
    "x" * 5000,
    '=HYPERLINK("http://evil")',
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "a\nb\tc\x00d",
    "\u202eevil",
    "\ud800",
    "../../etc/passwd",
    "P1D",
    "PT-1H",
    "2024-13-45",
    "success",
    "customer",
]


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside the document (dict keys and list indexes)."""
    out = [here]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*here, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*here, i))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> tuple[Any, Any]:
    node = doc
    for key in path[:-1]:
        node = node[key]
    return node, path[-1]


def _ids(doc: Any) -> list[str]:
    return [
        v for p in _paths(doc) if p and p[-1] == "id" for v in [_get(doc, p)] if isinstance(v, str)
    ]


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    node = doc
    for key in path:
        node = node[key]
    return node


def mutate(doc: dict[str, Any], rnd: random.Random) -> str:
    """Apply one mutation in place; return what it did (for the failure message)."""
    paths = [p for p in _paths(doc) if p]
    path = rnd.choice(paths)
    parent, key = _parent(doc, path)
    op = rnd.choice(["drop", "hostile", "hostile", "rename", "dup", "swap", "cut", "ref", "nest"])
    if op == "drop":
        del parent[key]
    elif op == "hostile":
        parent[key] = copy.deepcopy(rnd.choice(HOSTILE))
    elif op == "rename" and isinstance(parent, dict):
        parent[rnd.choice(["idd", "Name", "probabilty", "x-extra", ""])] = parent.pop(key)
    elif op == "dup" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
    elif op == "swap" and isinstance(parent, list) and len(parent) > 1:
        other = rnd.randrange(len(parent))
        parent[key], parent[other] = parent[other], parent[key]
    elif op == "cut" and isinstance(parent, list):
        del parent[key:]
    elif op == "ref" and _ids(doc):
        parent[key] = rnd.choice(_ids(doc))
    elif op == "nest":
        parent[key] = [parent[key]] if rnd.random() < 0.5 else {"value": parent[key]}
    else:
        parent[key] = None
    return f"{op} at {'.'.join(map(str, path))}"


def run(seed: int) -> None:
    """One fuzz case: mutate, load, and when it loads, analyse and write every format."""
    rnd = random.Random(seed)
    name = rnd.choice(sorted(DOCS))
    doc = copy.deepcopy(DOCS[name])
    done = [mutate(doc, rnd) for _ in range(rnd.randint(1, 3))]
    text = json.dumps(doc, ensure_ascii=True, default=str)
    where = f"seed {seed} ({name}: {'; '.join(done)})"
    try:
        journey = cx.loads(text, format="json")
    except cx.CxgraphError as exc:
        if not str(exc):  # pragma: no cover - an error must say what is wrong
            pytest.fail(f"{where}: an error without a message")
        return
    except Exception as exc:  # pragma: no cover - the failure this fuzz looks for
        pytest.fail(f"{where}: loading raised {type(exc).__name__}: {exc}")
    try:
        report = cx.analyze(journey)
        assert str(report)
        json.loads(report.to_json())
        assert report.to_markdown()
        assert report.to_html(plots=False).startswith("<!DOCTYPE html>")
        again = cx.loads(cx.dumps(journey), format="json")
        assert again == journey, where
    except cx.CxgraphError:
        # An analysis may refuse a journey it cannot answer for (a documented error).
        return
    except Exception as exc:  # pragma: no cover - the failure this fuzz looks for
        pytest.fail(f"{where}: a loaded journey raised {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("block", range(5))
def test_only_documented_errors_escape(block: int) -> None:
    """RUNS seeded cases in five blocks (so a failing block narrows the seed)."""
    size = -(-RUNS // 5)
    for seed in range(block * size, min(RUNS, (block + 1) * size)):
        run(seed)


def test_the_mutations_change_the_document() -> None:
    """The fuzz does something: most mutated documents no longer load as they were."""
    refused = 0
    for seed in range(40):
        rnd = random.Random(seed)
        name = rnd.choice(sorted(DOCS))
        doc = copy.deepcopy(DOCS[name])
        mutate(doc, rnd)
        try:
            cx.loads(json.dumps(doc, ensure_ascii=True, default=str), format="json")
        except cx.CxgraphError:
            refused += 1
    assert refused >= 10
