"""Tests for cxgraph.readwrite.files: load, loads, dump, dumps, to_dict and from_dict."""

from __future__ import annotations

import copy
import json
import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given

import cxgraph as cx
from cxgraph.model.validation import JOURNEY_HEADER, TOP_LEVEL_KEYS
from cxgraph.readwrite import files as cxio
from strategies import journeys

HEAD = 'cxgraph: "1.0"\njourney: {id: j, name: J}\n'
JSON_HEAD = '{"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}'


def _tiny(**changes: Any) -> cx.Journey:
    base: dict[str, Any] = {
        "id": "j",
        "name": "Tiny",
        "touchpoints": [cx.Touchpoint(id="a", name="A")],
        "outcomes": [cx.Outcome(id="done", name="Done", kind="success")],
        "transitions": [cx.Transition(source="a", target="done")],
    }
    base.update(changes)
    return cx.Journey(**base)


def _messages(exc: pytest.ExceptionInfo[cx.JourneyValidationError]) -> list[str]:
    return [str(p) for p in exc.value.errors]


class TestLoads:
    @given(journeys())
    def test_json_round_trip(self, j: cx.Journey) -> None:
        """loads(dumps(j)) == j for JSON."""
        assert cx.loads(cx.dumps(j)) == j

    @given(journeys())
    def test_yaml_round_trip(self, j: cx.Journey) -> None:
        """loads(dumps(j, yaml), yaml) == j."""
        assert cx.loads(cx.dumps(j, format="yaml"), format="yaml") == j

    @given(journeys())
    def test_extensions_round_trip_untouched(self, j: cx.Journey) -> None:
        """Extensions read back equal, through both formats, as plain JSON data."""
        expected = json.loads(json.dumps(cx.to_dict(j).get("extensions", {})))
        for fmt in ("json", "yaml"):
            back = cx.loads(cx.dumps(j, format=fmt), format=fmt)
            assert back.extensions == j.extensions
            assert cx.to_dict(back).get("extensions", {}) == expected

    def test_bytes_are_utf8(self) -> None:
        """Bytes are decoded as UTF-8, non-ASCII names included."""
        text = HEAD.replace("name: J", "name: Café 見積")
        assert cx.loads(text.encode("utf-8"), format="yaml").name == "Café 見積"

    @pytest.mark.parametrize("fmt", ["json", "yaml"])
    @pytest.mark.parametrize("as_bytes", [True, False])
    def test_bom_accepted(self, fmt: str, as_bytes: bool) -> None:
        """A leading byte-order mark is ignored, in bytes and in text."""
        text = "\ufeff" + (JSON_HEAD + "}" if fmt == "json" else HEAD)
        data: str | bytes = text.encode("utf-8") if as_bytes else text
        assert cx.loads(data, format=fmt).id == "j"

    def test_non_utf8_bytes_rejected(self) -> None:
        """Bytes that are not UTF-8 give one problem naming the byte and where it is."""
        data = HEAD.replace("name: J", "name: Caf\xe9").encode("latin-1")
        with pytest.raises(
            cx.JourneyValidationError, match=r"not UTF-8: byte 0xe9 at .*save the file as UTF-8"
        ):
            cx.loads(data, format="yaml")

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                'cxgraph: "1.0"\njourney: {id: j, name: J, state: on}\n',
                r"\$\.journey\.state: expected one of 'current', 'future', got boolean true "
                r"\(YAML 1\.1 reads yes/no/on/off/true/false as booleans: quote the value\)",
            ),
            (
                HEAD + "channels: [{id: web, name: Web, kind: digital}]\n"
                "touchpoints: [{id: a, name: A, channel: NO}]\n",
                r"\$\.touchpoints\[0\]\.channel: expected an id \(a string\), got boolean false "
                r"\(YAML 1\.1 .*quote the value\)",
            ),
            (
                HEAD + "touchpoints: [{id: a, name: yes}]\n",
                r"\$\.touchpoints\[0\]\.name: expected a string, got boolean true \(YAML 1\.1",
            ),
            (
                "cxgraph: 1.0\njourney: {id: j, name: J}\n",
                r"\$\.cxgraph: expected the format version as a string, got number 1\.0: .*"
                r'cxgraph: "1\.0"',
            ),
            (
                'cxgraph: "1.0"\njourney: {id: j, name: J, version: 2024-01-31}\n',
                r"\$\.journey\.version: expected a string, got date 2024-01-31 "
                r"\(YAML reads an unquoted date or time as one: quote the value\)",
            ),
        ],
        ids=["state-on", "channel-NO", "name-yes", "cxgraph-float", "version-date"],
    )
    def test_yaml_11_surprises_explained(self, text: str, expected: str) -> None:
        """Values YAML 1.1 reads as booleans, numbers or dates get a message saying to quote."""
        with pytest.raises(cx.JourneyValidationError, match=expected):
            cx.loads(text, format="yaml")

    def test_duplicate_yaml_key(self) -> None:
        """A duplicate YAML key is rejected at path $ with its line and column."""
        text = HEAD + "journey: {id: k, name: K}\n"
        with pytest.raises(cx.JourneyValidationError) as exc:
            cx.loads(text, format="yaml")
        assert _messages(exc) == ["$: invalid YAML at line 3, column 1: duplicate key 'journey'"]

    def test_duplicate_nested_yaml_key(self) -> None:
        """A duplicate key inside a nested mapping is found too, with its position."""
        text = HEAD + "touchpoints:\n  - id: a\n    name: A\n    id: b\n"
        with pytest.raises(
            cx.JourneyValidationError, match=r"at line 6, column 5: duplicate key 'id'"
        ):
            cx.loads(text, format="yaml")

    def test_yaml_merge_keys_may_be_overridden(self) -> None:
        """A key brought in by a YAML merge (<<) may be overridden; that is no duplicate."""
        text = HEAD + "extensions:\n  base: &b {colour: red, size: 2}\n  item: {<<: *b, size: 3}\n"
        j = cx.loads(text, format="yaml")
        assert dict(j.extensions["item"]) == {"colour": "red", "size": 3}

    def test_duplicate_json_key(self) -> None:
        """A duplicate JSON key is rejected at path $ with its line and column."""
        text = '{"cxgraph": "1.0",\n "journey": {"id": "j", "name": "J", "id": "k"}}'
        with pytest.raises(cx.JourneyValidationError) as exc:
            cx.loads(text)
        assert _messages(exc) == ["$: invalid JSON at line 2, column 38: duplicate key 'id'"]

    def test_duplicate_json_key_without_position(self) -> None:
        """A duplicate JSON key that YAML cannot locate is still named, without a position."""
        text = '{"cxgraph": "1.0",\t"journey": {"id": "j", "id": "k"}}'
        with pytest.raises(cx.JourneyValidationError, match=r"invalid JSON.*duplicate key 'id'"):
            cx.loads(text)

    @pytest.mark.parametrize(
        ("fmt", "text", "expected"),
        [
            ("json", '{"cxgraph": "1.0",\n  "journey": }', r"invalid JSON at line 2, column 14"),
            ("json", "", r"invalid JSON at line 1, column 1: Expecting value"),
            ("yaml", 'cxgraph: "1.0"\njourney: [a\n', r"invalid YAML at line 3, column 1"),
            ("yaml", "a: b: c\n", r"invalid YAML at line 1, column 5"),
        ],
    )
    def test_unparseable_text(self, fmt: str, text: str, expected: str) -> None:
        """Text that does not parse is one problem at $ with line and column."""
        with pytest.raises(cx.JourneyValidationError, match=expected) as exc:
            cx.loads(text, format=fmt)
        assert [p.path for p in exc.value.errors] == ["$"]
        assert [p.code for p in exc.value.errors] == ["parse"]

    @pytest.mark.parametrize(
        ("fmt", "text", "expected"),
        [
            ("json", "[1, 2]", r"\$: expected a mapping .* got a list"),
            ("yaml", "", r"\$: expected a mapping .* got null \(the document is empty\)"),
            ("yaml", "just text\n", r"\$: expected a mapping .* got string 'just text'"),
        ],
    )
    def test_top_level_not_a_mapping(self, fmt: str, text: str, expected: str) -> None:
        """A top level that is not a mapping is rejected at path $."""
        with pytest.raises(cx.JourneyValidationError, match=expected):
            cx.loads(text, format=fmt)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("PT4H", timedelta(hours=4)),
            ("P2D", timedelta(days=2)),
            ("P1W", timedelta(weeks=1)),
            ("PT1H30M", timedelta(hours=1, minutes=30)),
            ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4)),
            ("PT0.5S", timedelta(milliseconds=500)),
            ("PT1.000001S", timedelta(seconds=1, microseconds=1)),
            ("PT1.5H", timedelta(minutes=90)),
            ("P0D", timedelta(0)),
            ("PT0S", timedelta(0)),
            ("P999999999DT23H59M59.999999S", timedelta.max),
        ],
    )
    def test_iso_durations(self, text: str, expected: timedelta) -> None:
        """ISO 8601 durations in weeks, days, hours, minutes and seconds are read exactly."""
        j = cx.loads(HEAD + f"touchpoints: [{{id: a, name: A, duration: {text}}}]\n", "yaml")
        assert j.touchpoints[0].duration == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("4h", r"invalid duration '4h': use ISO 8601"),
            ("P", r"invalid duration 'P'"),
            ("PT", r"invalid duration 'PT'"),
            ("P1DT", r"invalid duration 'P1DT'"),
            ("P1Y", r"invalid duration 'P1Y'"),
            ("P1M", r"invalid duration 'P1M'"),
            ("-PT1H", r"invalid duration '-PT1H'"),
            ("PT1.S", r"invalid duration 'PT1\.S'"),
            ("PT4H\n", r"invalid duration 'PT4H\\n'"),
            ("PT\u0663H", r"invalid duration 'PT\u0663H'"),
            ("P99999999999D", r"duration 'P99999999999D' is too long"),
        ],
    )
    def test_invalid_durations(self, text: str, expected: str) -> None:
        """Durations that are not ISO 8601 weeks to seconds are rejected with the format."""
        doc = {
            "cxgraph": "1.0",
            "journey": {"id": "j", "name": "J"},
            "touchpoints": [{"id": "a", "name": "A", "duration": text}],
        }
        with pytest.raises(cx.JourneyValidationError, match=expected) as exc:
            cx.loads(json.dumps(doc))
        assert [p.path for p in exc.value.errors] == ["$.touchpoints[0].duration"]

    def test_higher_minor_version_warns(self) -> None:
        """A newer minor format version loads with a CxgraphWarning."""
        with pytest.warns(cx.CxgraphWarning, match=r"format version 1\.7, newer than"):
            j = cx.loads(HEAD.replace('"1.0"', '"1.7"'), format="yaml")
        assert j.id == "j"

    @pytest.mark.parametrize(
        ("version", "expected"),
        [
            ('"2.0"', r"unsupported format version '2\.0': this cxgraph reads version 1\.x"),
            ('"0.9"', r"unsupported format version '0\.9'"),
            ('"1"', r"invalid format version '1': expected \"MAJOR\.MINOR\""),
            ("[1, 0]", r"expected the format version as a string"),
        ],
    )
    def test_other_versions_rejected(self, version: str, expected: str) -> None:
        """Another major version, or a malformed one, is rejected at $.cxgraph."""
        with pytest.raises(cx.JourneyValidationError, match=expected) as exc:
            cx.loads(HEAD.replace('"1.0"', version), format="yaml")
        assert [p.path for p in exc.value.errors] == ["$.cxgraph"]

    def test_missing_version(self) -> None:
        """A file without cxgraph is told to add it."""
        with pytest.raises(cx.JourneyValidationError, match=r"add cxgraph: \"1\.0\" at the top"):
            cx.loads('{"journey": {"id": "j", "name": "J"}}')

    def test_every_problem_listed(self) -> None:
        """All problems of a file come in one error, each with its path."""
        text = HEAD + (
            "touchpoints:\n"
            "  - {id: a, name: A, lane: stage, emotion: 5}\n"
            "  - {id: b c, name: B, colour: red}\n"
        )
        with pytest.raises(cx.JourneyValidationError, match=r"^4 problems in the journey:\n"):
            cx.loads(text, format="yaml")

    def test_errors_are_value_errors(self) -> None:
        """A content problem can be caught as ValueError or CxgraphError."""
        with pytest.raises(ValueError, match="unknown field"):
            cx.loads(JSON_HEAD + ', "colour": 1}')
        with pytest.raises(cx.CxgraphError, match="unknown field"):
            cx.loads(JSON_HEAD + ', "colour": 1}')

    def test_extension_values_must_be_json(self) -> None:
        """An extension that JSON cannot hold (a YAML date) is rejected with a hint."""
        with pytest.raises(
            cx.JourneyValidationError,
            match=r"\$\.extensions\.team\.since: expected a JSON value .* got date 2024-01-01",
        ):
            cx.loads(HEAD + "extensions: {team: {since: 2024-01-01}}\n", format="yaml")

    def test_extension_keys_must_be_strings(self) -> None:
        """A non-string key anywhere in the extensions is rejected."""
        with pytest.raises(
            cx.JourneyValidationError, match=r"\$\.extensions\.a: keys must be strings"
        ):
            cx.loads(HEAD + "extensions: {a: {1: x}}\n", format="yaml")

    def test_aliases_shared(self) -> None:
        """YAML anchors and aliases may share parts of a document."""
        text = HEAD + (
            "touchpoints:\n"
            "  - {id: a, name: A, pain_points: &pains [slow, rude]}\n"
            "  - {id: b, name: B, pain_points: *pains}\n"
        )
        j = cx.loads(text, format="yaml")
        assert j.touchpoints[1].pain_points == ("slow", "rude")

    def test_billion_laughs_refused(self) -> None:
        """Aliases that blow a small document up to millions of values are refused at once."""
        text = HEAD + "extensions:\n  l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
        for i in range(1, 9):
            text += f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n"
        with pytest.raises(
            cx.JourneyValidationError, match=r"^1 problem.*\n\$: YAML aliases \(\*name\) expand"
        ):
            cx.loads(text, format="yaml")

    @pytest.mark.parametrize("depth", [150, 20_000])
    @pytest.mark.parametrize("fmt", ["json", "yaml"])
    def test_deep_nesting_refused(self, fmt: str, depth: int) -> None:
        """A document nested absurdly deep is one problem at $, not a RecursionError."""
        text = JSON_HEAD + ', "extensions": {"a": ' + "[" * depth + "]" * depth + "}}"
        with pytest.raises(cx.JourneyValidationError, match=r"\$: .*nests .* at most 100"):
            cx.loads(text, format=fmt)

    def test_unknown_format(self) -> None:
        """A format other than json or yaml is an UnsupportedFormatError."""
        with pytest.raises(cx.UnsupportedFormatError, match=r"unknown format 'toml'"):
            cx.loads("", format="toml")

    def test_not_text(self) -> None:
        """Something other than str or bytes is a TypeError."""
        with pytest.raises(
            TypeError, match=r"loads\(\) takes text \(str or bytes\), got a mapping"
        ):
            cx.loads({"cxgraph": "1.0"})  # type: ignore[arg-type]

    def test_numbers_keep_their_type(self) -> None:
        """An integer probability stays an int; a float stays a float."""
        text = JSON_HEAD + (
            ', "touchpoints": [{"id": "a", "name": "A"}], '
            '"outcomes": [{"id": "o", "name": "O", "kind": "exit"}], '
            '"transitions": [{"source": "a", "target": "o", "probability": 1}]}'
        )
        assert type(cx.loads(text).transitions[0].probability) is int


class TestDumps:
    @pytest.mark.parametrize("fmt", ["json", "yaml"])
    @given(j=journeys())
    def test_byte_stable(self, fmt: str, j: cx.Journey) -> None:
        """The same journey always gives the same text, also after a round trip."""
        text = cx.dumps(j, format=fmt)
        assert cx.dumps(j, format=fmt) == text
        assert cx.dumps(cx.loads(text, format=fmt), format=fmt) == text

    @given(journeys())
    def test_json_layout(self, j: cx.Journey) -> None:
        """JSON output is indented by 2, ends in one newline and keeps key order."""
        text = cx.dumps(j)
        assert text.endswith("}\n")
        assert not text.endswith("\n\n")
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
        keys = list(json.loads(text))
        assert keys == [k for k in TOP_LEVEL_KEYS if k in keys]

    def test_exact_json(self) -> None:
        """A small journey gives exactly the expected JSON."""
        assert cx.dumps(_tiny(entries=["a"])) == (
            "{\n"
            '  "cxgraph": "1.0",\n'
            '  "journey": {\n'
            '    "id": "j",\n'
            '    "name": "Tiny"\n'
            "  },\n"
            '  "touchpoints": [\n'
            "    {\n"
            '      "id": "a",\n'
            '      "name": "A"\n'
            "    }\n"
            "  ],\n"
            '  "outcomes": [\n'
            "    {\n"
            '      "id": "done",\n'
            '      "name": "Done",\n'
            '      "kind": "success"\n'
            "    }\n"
            "  ],\n"
            '  "entries": [\n'
            '    "a"\n'
            "  ],\n"
            '  "transitions": [\n'
            "    {\n"
            '      "source": "a",\n'
            '      "target": "done"\n'
            "    }\n"
            "  ]\n"
            "}\n"
        )

    def test_exact_yaml(self) -> None:
        """A small journey gives exactly the expected YAML, keys in field order."""
        j = _tiny(
            version="2",
            state="future",
            touchpoints=[
                cx.Touchpoint(id="a", name="A", lane="backstage", duration=timedelta(hours=4))
            ],
        )
        assert cx.dumps(j, format="yaml") == (
            "cxgraph: '1.0'\n"
            "journey:\n"
            "  id: j\n"
            "  name: Tiny\n"
            "  version: '2'\n"
            "  state: future\n"
            "touchpoints:\n"
            "- id: a\n"
            "  name: A\n"
            "  lane: backstage\n"
            "  duration: PT4H\n"
            "outcomes:\n"
            "- id: done\n"
            "  name: Done\n"
            "  kind: success\n"
            "transitions:\n"
            "- source: a\n"
            "  target: done\n"
        )

    @pytest.mark.parametrize(
        "value",
        [
            "yes",
            "NO",
            "on",
            "1.0",
            "null",
            "~",
            "2024-01-31",
            "0x1F",
            "1_000",
            ".inf",
            "<<",
            "=",
            "a\x85b",
            "line\u2028sep",
            "tab\there",
            " lead",
            "trail ",
            "#hash",
            "- dash",
            "'q'",
            '"dq"',
            "multi\nline\n",
            "\x00\x07",
            "é ✓ 見 🙂",
        ],
    )
    def test_yaml_strings_survive(self, value: str) -> None:
        """Strings YAML could misread (booleans, numbers, dates, breaks) read back as written."""
        j = _tiny(name=value, extensions={value: [value]})
        back = cx.loads(cx.dumps(j, format="yaml"), format="yaml")
        assert back.name == value
        assert back.extensions == j.extensions

    def test_numpy_scalars_written_plain(self) -> None:
        """numpy floats and str subclasses the model accepts are written as plain values."""

        class Label(str):
            pass

        m = cx.Metric(name=Label("CSAT"), kind="csat", target=np.float64(0.5))
        j = _tiny(touchpoints=[cx.Touchpoint(id="a", name="A", metrics=[m])])
        for fmt in ("json", "yaml"):
            back = cx.loads(cx.dumps(j, format=fmt), format=fmt)
            assert back.touchpoints[0].metrics[0] == cx.Metric(name="CSAT", kind="csat", target=0.5)

    def test_long_durations_exact(self) -> None:
        """A long duration keeps its microseconds through the file."""
        d = timedelta(days=999_999_999, microseconds=1)
        j = _tiny(touchpoints=[cx.Touchpoint(id="a", name="A", duration=d)])
        assert '"duration": "P999999999DT0.000001S"' in cx.dumps(j)
        assert cx.loads(cx.dumps(j)).touchpoints[0].duration == d

    def test_unknown_format(self) -> None:
        """A format other than json or yaml is an UnsupportedFormatError."""
        with pytest.raises(cx.UnsupportedFormatError, match=r"unknown format 'xml'"):
            cx.dumps(_tiny(), format="xml")

    def test_not_a_journey(self) -> None:
        """Something other than a Journey is a TypeError."""
        with pytest.raises(TypeError, match=r"dumps\(\) takes a Journey, got a mapping"):
            cx.dumps({"cxgraph": "1.0"})  # type: ignore[arg-type]


class TestToDict:
    @given(journeys())
    def test_defaults_left_out(self, j: cx.Journey) -> None:
        """No field at its default is written; required fields always are."""
        d = cx.to_dict(j)
        classes = {
            "personas": cx.Persona,
            "phases": cx.Phase,
            "owners": cx.Owner,
            "channels": cx.Channel,
            "systems": cx.System,
            "dimensions": cx.Dimension,
            "touchpoints": cx.Touchpoint,
            "decision_points": cx.DecisionPoint,
            "outcomes": cx.Outcome,
            "entries": cx.Entry,
            "transitions": cx.Transition,
            "handoffs": cx.Handoff,
            "triggers": cx.Trigger,
        }
        _assert_no_defaults(d["journey"], cx.Journey)
        for name, cls in classes.items():
            assert d.get(name, None) != []
            for item in d.get(name, []):
                if isinstance(item, str):  # a bare entry
                    continue
                _assert_no_defaults(item, cls)
                for metric in item.get("metrics", []):
                    _assert_no_defaults(metric, cx.Metric)
        assert ("extensions" in d) == bool(j.extensions)

    @given(journeys())
    def test_plain_json_data(self, j: cx.Journey) -> None:
        """The result holds only dicts, lists, strings, numbers, booleans and None."""
        d = cx.to_dict(j)
        _assert_plain(d)
        assert json.loads(json.dumps(d)) == d

    def test_entries_bare_or_mapping(self) -> None:
        """An entry with neither probability nor count is written as its bare step id."""
        j = _tiny(
            touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B")],
            entries=["a", cx.Entry(step="b", count=3)],
        )
        assert cx.to_dict(j)["entries"] == ["a", {"step": "b", "count": 3}]

    def test_header_and_lists(self) -> None:
        """Journey fields go under journey; lists at the top level, in file order."""
        d = cx.to_dict(_tiny(description="About"))
        assert d["journey"] == {"id": "j", "name": "Tiny", "description": "About"}
        assert list(d) == ["cxgraph", "journey", "touchpoints", "outcomes", "transitions"]
        assert set(d["journey"]) <= set(JOURNEY_HEADER)

    def test_method_is_the_function(self) -> None:
        """Journey.to_dict gives the same as cx.to_dict."""
        j = _tiny(extensions={"x": [1, {"y": None}]})
        assert j.to_dict() == cx.to_dict(j)


class TestFromDict:
    @given(journeys())
    def test_round_trip(self, j: cx.Journey) -> None:
        """Journey.from_dict(to_dict(j)) == j, and from_dict leaves its input alone."""
        d = cx.to_dict(j)
        before = copy.deepcopy(d)
        assert cx.Journey.from_dict(d) == j
        assert cxio.from_dict(d) == j
        assert d == before

    def test_bad_document(self) -> None:
        """Every problem of the document is listed with its path."""
        doc = {
            "cxgraph": "1.0",
            "journey": {"id": "j", "name": "J"},
            "outcomes": [{"id": "ok", "name": "OK", "kind": "win"}],
            "transitions": [{"source": "ok"}],
        }
        with pytest.raises(cx.JourneyValidationError) as exc:
            cx.Journey.from_dict(doc)
        assert [p.path for p in exc.value.errors] == [
            "$.outcomes[0].kind",
            "$.transitions[0].target",
        ]

    @pytest.mark.parametrize("doc", [None, [], "text", 3])
    def test_not_a_mapping(self, doc: Any) -> None:
        """Something other than a mapping is one problem at $."""
        with pytest.raises(cx.JourneyValidationError, match=r"^1 problem in the journey:\n\$: "):
            cxio.from_dict(doc)

    def test_whole_journey_rules_apply(self) -> None:
        """A well-formed document with a dangling reference is still rejected."""
        doc = {
            "cxgraph": "1.0",
            "journey": {"id": "j", "name": "J"},
            "touchpoints": [{"id": "a", "name": "A", "owner": "ops"}],
        }
        with pytest.raises(cx.JourneyValidationError, match=r"unknown owner 'ops'"):
            cx.Journey.from_dict(doc)


class TestLoad:
    @pytest.mark.parametrize(
        ("suffix", "fmt"),
        [(".json", "json"), (".yaml", "yaml"), (".yml", "yaml"), (".YAML", "yaml")],
    )
    def test_format_from_suffix(self, tmp_path: Path, suffix: str, fmt: str) -> None:
        """The suffix picks the format (case-insensitively)."""
        j = _tiny()
        path = tmp_path / f"j{suffix}"
        path.write_text(cx.dumps(j, format=fmt), encoding="utf-8")
        assert cx.load(path) == j
        assert cx.load(str(path)) == j

    def test_format_given(self, tmp_path: Path) -> None:
        """An explicit format overrides the suffix."""
        path = tmp_path / "journey.txt"
        path.write_text(cx.dumps(_tiny(), format="yaml"), encoding="utf-8")
        assert cx.load(path, format="yaml") == _tiny()

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """A suffix that names no format is an UnsupportedFormatError saying what to do."""
        path = tmp_path / "journey.toml"
        path.write_text("x", encoding="utf-8")
        with pytest.raises(
            cx.UnsupportedFormatError,
            match=r"from its suffix '\.toml': use \.json, \.yaml or \.yml",
        ):
            cx.load(path)

    @pytest.mark.parametrize("name", ["journey.yaml", "journey.yml", "journey.json"])
    def test_folder_holds_journey(self, tmp_path: Path, name: str) -> None:
        """A folder stands for the journey file inside it."""
        cx.dump(_tiny(), tmp_path / name)
        assert cx.load(tmp_path) == _tiny()

    def test_folder_without_journey(self, tmp_path: Path) -> None:
        """A folder with no journey file is a FileNotFoundError naming what was looked for."""
        with pytest.raises(FileNotFoundError, match=r"is a folder with no journey\.yaml"):
            cx.load(tmp_path)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is the builtin FileNotFoundError, not wrapped."""
        with pytest.raises(FileNotFoundError, match=r"nope\.yaml") as exc:
            cx.load(tmp_path / "nope.yaml")
        assert not isinstance(exc.value, cx.CxgraphError)

    def test_bom_file(self, tmp_path: Path) -> None:
        """A file saved with a UTF-8 byte-order mark loads."""
        path = tmp_path / "j.json"
        path.write_bytes(b"\xef\xbb\xbf" + cx.dumps(_tiny()).encode("utf-8"))
        assert cx.load(path) == _tiny()

    def test_invalid_content(self, tmp_path: Path) -> None:
        """A file with content problems raises JourneyValidationError."""
        path = tmp_path / "j.yaml"
        path.write_text(HEAD + "touchpoints: [{id: a}]\n", encoding="utf-8")
        with pytest.raises(cx.JourneyValidationError, match=r"missing required field 'name'"):
            cx.load(path)

    def test_examples(self, example_paths: list[Path]) -> None:
        """Every bundled example loads and survives both file formats and the graph."""
        assert example_paths
        for path in example_paths:
            j = cx.load(path)
            assert cx.loads(cx.dumps(j)) == j, path.name
            assert cx.loads(cx.dumps(j, format="yaml"), format="yaml") == j, path.name
            assert cx.from_graph(cx.compile_graph(j)) == j, path.name


class TestDump:
    @pytest.mark.parametrize(
        ("suffix", "fmt"), [(".json", "json"), (".yaml", "yaml"), (".yml", "yaml")]
    )
    def test_format_from_suffix(self, tmp_path: Path, suffix: str, fmt: str) -> None:
        """The suffix picks the format; the bytes are dumps' text in UTF-8."""
        j = _tiny(name="Café")
        path = tmp_path / f"out{suffix}"
        cx.dump(j, path)
        assert path.read_bytes() == cx.dumps(j, format=fmt).encode("utf-8")
        assert cx.load(path) == j

    def test_format_given(self, tmp_path: Path) -> None:
        """An explicit format overrides the suffix."""
        path = tmp_path / "out.txt"
        cx.dump(_tiny(), path, format="json")
        assert path.read_text(encoding="utf-8") == cx.dumps(_tiny())

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """An unknown suffix is an UnsupportedFormatError, and nothing is written."""
        with pytest.raises(cx.UnsupportedFormatError, match=r"suffix '\.txt'"):
            cx.dump(_tiny(), tmp_path / "out.txt")
        assert list(tmp_path.iterdir()) == []

    def test_failure_leaves_nothing(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A dump that fails while writing leaves neither the file nor a temporary file."""

        def fail(src: Any, dst: Any) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(os, "replace", fail)
        with pytest.raises(OSError, match="disk full"):
            cx.dump(_tiny(), tmp_path / "out.json")
        assert list(tmp_path.iterdir()) == []

    def test_failure_keeps_old_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A failed dump over an existing file leaves the old content in place."""
        path = tmp_path / "out.yaml"
        path.write_text("old", encoding="utf-8")

        def fail(*args: Any, **kwargs: Any) -> Any:
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "cannot encode")

        monkeypatch.setattr(cxio.os, "fdopen", fail)
        with pytest.raises(UnicodeEncodeError):
            cx.dump(_tiny(), path)
        assert path.read_text(encoding="utf-8") == "old"
        assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]

    def test_file_mode(self, tmp_path: Path) -> None:
        """A new file gets the permissions the umask gives; a replaced file keeps its own."""
        umask = os.umask(0o022)
        os.umask(umask)
        path = tmp_path / "out.json"
        cx.dump(_tiny(), path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
        path.chmod(0o640)
        cx.dump(_tiny(name="Again"), path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        assert cx.load(path).name == "Again"

    def test_relative_path(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A bare file name is written in the current folder."""
        monkeypatch.chdir(tmp_path)
        cx.dump(_tiny(), "here.yaml")
        assert cx.load(tmp_path / "here.yaml") == _tiny()


def _assert_no_defaults(d: dict[str, Any], cls: type) -> None:
    for f in attrs.fields(cls):
        if f.default is attrs.NOTHING:
            assert f.name in d, (cls.__name__, f.name)
            continue
        if f.name not in d:
            continue
        default = f.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        value = d[f.name]
        assert value != default, (cls.__name__, f.name, value)
        assert value != [], (cls.__name__, f.name)


def _assert_plain(value: Any) -> None:
    if isinstance(value, dict):
        assert type(value) is dict
        for k, v in value.items():
            assert type(k) is str
            _assert_plain(v)
    elif isinstance(value, list):
        assert type(value) is list
        for v in value:
            _assert_plain(v)
    else:
        assert value is None or type(value) in (str, int, float, bool), repr(value)
