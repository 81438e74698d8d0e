"""Build the JSON Schemas of the journey file (from the model's field rules) and the rules file.

The shipped files ``schemas/journey-1.0.schema.json`` and
``schemas/rules-1.0.schema.json`` are these functions' output; a test checks
they agree, and ``python -m cxgraph.readwrite.schema`` rewrites them.
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

__all__ = ["rules_schema", "schema"]

SCHEMA_ID = "https://cxgraph.dev/schemas/journey-1.0.schema.json"
RULES_SCHEMA_ID = "https://cxgraph.dev/schemas/rules-1.0.schema.json"
RULES_SCHEMA_RESOURCE = "rules-1.0.schema.json"


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


# -- the rules file's schema ------------------------------------------------------


def build_rules_schema() -> dict[str, Any]:
    """The rules file's JSON Schema (Draft 2020-12), for editors.

    It checks the shape: keys, types, operators. Unique rule ids, ``min`` not
    above ``max``, and the analyses and fields named are checked by
    :func:`~cxgraph.readwrite.rules.parse_rules` and ``check``.
    """
    # Imported here: ``import cxgraph`` reads this module, and needs no rules.
    from cxgraph.readwrite.rules import ORDERING, REQUIRE_PATTERN, RULES_VERSION, VERSION_KEY

    scalar = {"type": ["string", "number", "boolean", "null"]}
    number = {"type": "number"}
    ops: dict[str, Any] = {op: {"$ref": "#/$defs/Number"} for op in ORDERING}
    ops["ne"] = {"$ref": "#/$defs/Scalar"}
    condition = {
        "description": "A value (equal), a list of values (any of them), or operators.",
        "anyOf": [
            {"$ref": "#/$defs/Scalar"},
            {"type": "array", "items": {"$ref": "#/$defs/Scalar"}, "minItems": 1},
            {
                "type": "object",
                "properties": ops,
                "additionalProperties": False,
                "minProperties": 1,
            },
        ],
    }
    common = {
        "id": {"type": "string", "pattern": F.ID_PATTERN, "description": "The rule's id."},
        "description": {
            "type": "string",
            "minLength": 1,
            "description": "What the rule protects, in words (printed on a violation).",
        },
    }
    forbid = {
        "type": "object",
        "description": "At most max findings of an analysis may match where.",
        "properties": {
            **common,
            "forbid": {"type": "string", "pattern": F.ID_PATTERN, "description": "An analysis."},
            "where": {
                "type": "object",
                "description": "Conditions on the findings' fields; all must hold.",
                "additionalProperties": {"$ref": "#/$defs/Condition"},
            },
            "max": {
                "type": "integer",
                "minimum": 0,
                "description": "How many findings may match (default 0).",
            },
        },
        "required": ["id", "description", "forbid"],
        "additionalProperties": False,
    }
    require = {
        "type": "object",
        "description": "A summary field of an analysis must lie within min and max.",
        "properties": {
            **common,
            "require": {
                "type": "string",
                "pattern": REQUIRE_PATTERN,
                "description": "ANALYSIS.FIELD, such as markov.conversion_probability.",
            },
            "min": {"$ref": "#/$defs/Number"},
            "max": {"$ref": "#/$defs/Number"},
        },
        "required": ["id", "description", "require"],
        "anyOf": [{"required": ["min"]}, {"required": ["max"]}],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": RULES_SCHEMA_ID,
        "title": "cxgraph journey rules",
        "description": "Rules a journey must keep, checked by cxgraph check --rules.",
        "type": "object",
        "properties": {
            VERSION_KEY: {
                "const": RULES_VERSION,
                "description": f'The rules format version, the string "{RULES_VERSION}".',
            },
            "$schema": {"type": "string"},
            "rules": {
                "type": "array",
                "items": {"oneOf": [{"$ref": "#/$defs/Forbid"}, {"$ref": "#/$defs/Require"}]},
            },
        },
        "required": [VERSION_KEY, "rules"],
        "additionalProperties": False,
        "$defs": {
            "Scalar": scalar,
            "Number": number,
            "Condition": condition,
            "Forbid": forbid,
            "Require": require,
        },
    }


def rules_schema_text() -> str:
    """The rules schema as the bytes shipped in the package."""
    return json.dumps(build_rules_schema(), indent=2, ensure_ascii=False) + "\n"


def rules_schema() -> dict[str, Any]:
    """The JSON Schema of the rules file, as shipped in ``schemas/rules-1.0.schema.json``.

    Examples
    --------
    >>> rules_schema()["required"]
    ['cxgraph-rules', 'rules']
    """
    where = resources.files("cxgraph.readwrite.schemas").joinpath(RULES_SCHEMA_RESOURCE)
    result: dict[str, Any] = json.loads(where.read_text("utf-8"))
    return result


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    folder = Path(__file__).parent / "schemas"
    for name, text in (
        (SCHEMA_RESOURCE, schema_text()),
        (RULES_SCHEMA_RESOURCE, rules_schema_text()),
    ):
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {folder / name}")
