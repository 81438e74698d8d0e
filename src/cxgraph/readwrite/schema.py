"""Build the JSON Schema of the file format from the model's field rules.

The shipped file ``schemas/journey-1.0.schema.json`` is this function's
output; a test checks they agree, and ``python -m cxgraph.readwrite.schema`` rewrites it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from cxgraph.model import fields as F
from cxgraph.model.classes import (
    Journey,
)
from cxgraph.model.validation import (
    JOURNEY_HEADER,
    JOURNEY_LISTS,
)
from cxgraph.readwrite.converter import _MODEL_CLASSES

__all__ = ["schema"]

SCHEMA_ID = "https://cxgraph.dev/schemas/journey-1.0.schema.json"


def _object(cls: type) -> dict[str, Any]:
    rules = F.field_rules(cls)
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": {name: rule.schema() for name, (rule, _) in rules.items()},
        "required": [name for name, (_, req) in rules.items() if req],
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    """The journey file schema, Draft 2020-12."""

    journey_rules = F.field_rules(Journey)
    header = {
        "type": "object",
        "description": "The journey's identity: id, name, version, state and description.",
        "properties": {k: journey_rules[k][0].schema() for k in JOURNEY_HEADER},
        "required": [k for k in JOURNEY_HEADER if journey_rules[k][1]],
        "additionalProperties": False,
    }
    props: dict[str, Any] = {
        "cxgraph": {
            "type": "string",
            "pattern": r"^1\.(0|[1-9][0-9]*)$",
            "description": 'The file format version, a quoted string such as "1.0".',
        },
        "$schema": {"type": "string"},
        "journey": header,
    }
    for name in JOURNEY_LISTS:
        props[name] = journey_rules[name][0].schema()
    props["extensions"] = {
        "type": "object",
        "description": "Anything of your own; kept through load and dump untouched.",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cxgraph journey",
        "description": "A customer journey map in the cxgraph file format, version 1.0.",
        "type": "object",
        "properties": props,
        "required": ["cxgraph", "journey"],
        "additionalProperties": False,
        "$defs": {cls.__name__: _object(cls) for cls in _MODEL_CLASSES},
    }


def schema_text() -> str:
    """The schema as the bytes shipped in the package."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


SCHEMA_RESOURCE = "journey-1.0.schema.json"


# -- schema -----------------------------------------------------------------


def schema() -> dict[str, Any]:
    """Return the JSON Schema (Draft 2020-12) of the journey file format.

    The schema checks shape (types, enums, required and unknown keys); the
    whole-journey rules (references, probability sums) are :func:`validate`'s.

    Examples
    --------
    >>> s = schema()
    >>> s["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    >>> sorted(s["required"])
    ['cxgraph', 'journey']
    """
    text = resources.files("cxgraph.readwrite.schemas").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    target = Path(__file__).parent / "schemas" / "journey-1.0.schema.json"
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")
