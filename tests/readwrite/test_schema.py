"""Tests for the JSON Schema: cxgraph.schema() and the shipped schema file."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from jsonschema import Draft202012Validator

import cxgraph as cx
from cxgraph.readwrite.schema import SCHEMA_ID, build_schema, schema_text
from strategies import journeys

#: One validator for the module: building it per example would dominate the run.
VALIDATOR = Draft202012Validator(cx.schema())


@pytest.fixture
def validator() -> Draft202012Validator:
    """A Draft 2020-12 validator for the shipped schema."""
    return VALIDATOR


def _errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [e.message for e in validator.iter_errors(doc)]


class TestSchema:
    def test_is_a_valid_draft_2020_12_schema(self) -> None:
        """The schema is itself valid under the Draft 2020-12 meta-schema."""
        s = cx.schema()
        Draft202012Validator.check_schema(s)
        assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert s["$id"] == SCHEMA_ID

    def test_shipped_file_is_generated(self) -> None:
        """The file in the package is exactly schema_text(): regenerate it after model changes."""
        shipped = (
            resources.files("cxgraph.readwrite.schemas")
            .joinpath("journey-1.0.schema.json")
            .read_text("utf-8")
        )
        assert shipped == schema_text(), "run: python -m cxgraph.readwrite.schema"

    def test_returns_the_shipped_schema(self) -> None:
        """cx.schema() is the shipped file parsed, equal to build_schema()."""
        assert cx.schema() == build_schema()

    def test_fresh_copy(self) -> None:
        """Changing the returned dict does not change the next one."""
        s = cx.schema()
        s["required"].append("x")
        assert cx.schema()["required"] == ["cxgraph", "journey"]

    def test_every_model_class_defined(self) -> None:
        """Every model class has a definition that forbids unknown keys."""
        defs = cx.schema()["$defs"]
        for name in (
            "Persona",
            "Phase",
            "Owner",
            "Channel",
            "System",
            "Dimension",
            "Metric",
            "Touchpoint",
            "DecisionPoint",
            "Outcome",
            "Transition",
            "Handoff",
            "Trigger",
            "Entry",
        ):
            assert defs[name]["additionalProperties"] is False, name

    @given(journeys())
    def test_every_dump_validates(self, j: cx.Journey) -> None:
        """Every file dump writes, JSON and YAML, validates against the schema."""
        doc = json.loads(cx.dumps(j))
        assert _errors(VALIDATOR, doc) == []
        # The YAML text holds the same document, so it validates too.
        assert yaml.load(cx.dumps(j, format="yaml"), Loader=yaml.CSafeLoader) == doc

    def test_examples_validate(
        self, validator: Draft202012Validator, example_paths: list[Path]
    ) -> None:
        """Every bundled example file validates against the schema as written."""
        for path in example_paths:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert _errors(validator, doc) == [], path.name

    @pytest.mark.parametrize(
        ("doc", "expected"),
        [
            ({"journey": {"id": "j", "name": "J"}}, "'cxgraph' is a required property"),
            ({"cxgraph": 1.0, "journey": {"id": "j", "name": "J"}}, "is not of type 'string'"),
            ({"cxgraph": "2.0", "journey": {"id": "j", "name": "J"}}, "does not match"),
            ({"cxgraph": "1.0", "journey": {"id": "j k", "name": "J"}}, "does not match"),
            (
                {"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}, "touchpoint": []},
                "Additional properties are not allowed ('touchpoint' was unexpected)",
            ),
            (
                {
                    "cxgraph": "1.0",
                    "journey": {"id": "j", "name": "J"},
                    "outcomes": [{"id": "o", "name": "O", "kind": "win"}],
                },
                "'win' is not one of ['success', 'failure', 'exit']",
            ),
            (
                {
                    "cxgraph": "1.0",
                    "journey": {"id": "j", "name": "J"},
                    "touchpoints": [{"id": "a", "name": "A", "duration": "4h"}],
                },
                "'4h' is not valid under any of the given schemas",
            ),
        ],
        ids=["no-version", "float-version", "major-2", "bad-id", "unknown-key", "enum", "duration"],
    )
    def test_rejects_bad_shapes(
        self, validator: Draft202012Validator, doc: dict[str, Any], expected: str
    ) -> None:
        """The schema rejects the shape errors the loader rejects."""
        assert any(expected in m for m in _errors(validator, doc)), _errors(validator, doc)
        with pytest.raises(cx.JourneyValidationError):
            cx.Journey.from_dict(doc)
