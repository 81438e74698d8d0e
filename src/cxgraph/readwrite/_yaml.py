"""The YAML reader behind journey files: safe, strict, and failing only in YAML's words.

PyYAML's safe loader keeps the last of two equal keys, and its constructors
trust the value a tag is given (``!!float ''`` raises IndexError, ``!!bool ''``
KeyError, ``!!map [1]`` TypeError). Here a duplicate key, a tag on the wrong
kind of node, a value its tag cannot read, an unknown tag and an overlong
number are each a :class:`yaml.MarkedYAMLError` at the node's line and column.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import yaml

__all__ = [
    "MAX_NUMBER_LENGTH",
    "StrictLoader",
    "WithoutAliases",
    "aliases_and_tags",
    "load_yaml",
    "too_long",
]

#: The longest number a file may write, in characters: far more than a 64-bit float
#: needs, and short enough that reading it costs nothing (Python itself refuses
#: to read integers of more than 4,300 digits).
MAX_NUMBER_LENGTH = 500


class StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of keeping the last."""


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    # Keys written in the mapping itself may not repeat; keys brought in by a
    # ``<<`` merge may be overridden there, as YAML's merge rule says.
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        out[key] = loader.construct_object(value_node, deep=True)
    return out


# -- YAML's tags: every failure a YAML error at its node -----------------------

_YAML_TAG = "tag:yaml.org,2002:"
_NODE_WORDS = {"scalar": "plain value", "sequence": "list", "mapping": "mapping"}
#: What each of YAML's own scalar tags reads, for the message when a value is not one.
_TAG_READS = {
    "bool": "true or false",
    "int": "an integer",
    "float": "a number",
    "null": "null (write null, or nothing)",
    "timestamp": "a date or time such as 2024-01-31 or 2024-01-31T09:30:00Z",
    "binary": "base64 data",
}
#: The kind of node each of YAML's own tags takes (``!!map [1]`` is refused, not crashed on).
_TAG_KINDS = {
    **dict.fromkeys(("str", "bool", "int", "float", "null", "timestamp", "binary"), "scalar"),
    **dict.fromkeys(("seq", "omap", "pairs"), "sequence"),
    **dict.fromkeys(("map", "set"), "mapping"),
}
_Construct = Callable[[Any, Any], Any]


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return "scalar"
    return "sequence" if isinstance(node, yaml.SequenceNode) else "mapping"


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def _refuse(node: yaml.Node, problem: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _excerpt(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _unreadable(node: yaml.Node, exc: Exception) -> yaml.constructor.ConstructorError:
    name = _tag_name(node.tag)
    reads = _TAG_READS.get(node.tag.removeprefix(_YAML_TAG))
    if isinstance(node, yaml.ScalarNode) and reads is not None:
        return _refuse(node, f"{name} {_excerpt(node.value)} is not {reads}")
    return _refuse(node, f"cannot read the {_NODE_WORDS[_kind(node)]} tagged {name}: {exc}")


def _guarded(construct: _Construct) -> _Construct:
    """A constructor whose failures are YAML errors marked at the node, never Python ones.

    PyYAML's own constructors trust the value a tag is given: ``!!float ''``
    raises IndexError, ``!!bool ''`` KeyError, ``!!timestamp x`` AttributeError.
    """

    def run(loader: Any, node: yaml.Node) -> Any:
        found = _kind(node)
        kind = _TAG_KINDS.get(node.tag.removeprefix(_YAML_TAG), found)
        if found != kind:
            words = _NODE_WORDS[found], _NODE_WORDS[kind]
            raise _refuse(node, f"{_tag_name(node.tag)} on a {words[0]}: expected a {words[1]}")
        try:
            data = construct(loader, node)
        except (yaml.YAMLError, RecursionError, MemoryError):
            raise
        except Exception as exc:
            raise _unreadable(node, exc) from None
        if isinstance(data, types.GeneratorType):  # lists, sets: filled in later
            return _guarded_steps(data, node)
        return data

    return run


def _guarded_steps(steps: Iterator[Any], node: yaml.Node) -> Iterator[Any]:
    try:
        yield from steps
    except (yaml.YAMLError, RecursionError, MemoryError):
        raise
    except Exception as exc:
        raise _unreadable(node, exc) from None


def _bounded(construct: _Construct) -> _Construct:
    """A number constructor that refuses a literal longer than :data:`MAX_NUMBER_LENGTH`."""

    def run(loader: Any, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_NUMBER_LENGTH:
            raise _refuse(node, too_long(len(node.value)))
        return construct(loader, node)

    return run


def too_long(length: int) -> str:
    """The message refusing a number literal of ``length`` characters."""
    return f"a number written with {length:,} characters; at most {MAX_NUMBER_LENGTH} are allowed"


def _construct_null(loader: Any, node: yaml.Node) -> None:
    # PyYAML reads ``!!null 'anything'`` as null; the value must be one.
    if loader.construct_scalar(node) not in ("", "~", "null", "Null", "NULL"):
        raise ValueError(node.value)


def _construct_unknown(loader: Any, node: yaml.Node) -> Any:
    raise _refuse(
        node,
        f"unsupported tag {_tag_name(node.tag)!r}: a journey file holds only mappings, lists, "
        "strings, numbers, true/false and null; remove the tag",
    )


def _harden(loader: type[Any]) -> None:
    """Give a loader class YAML's safe constructors, guarded, and the strict mapping."""
    for tag, construct in list(yaml.SafeLoader.yaml_constructors.items()):
        if tag is None:
            continue
        suffix = tag.removeprefix(_YAML_TAG)
        if suffix == "null":
            construct = _construct_null
        elif suffix in ("int", "float"):
            construct = _bounded(construct)
        loader.add_constructor(tag, _guarded(construct))
    loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _guarded(_construct_mapping)
    )
    loader.add_constructor(None, _construct_unknown)


_harden(StrictLoader)

_FastLoader: Any = None
if hasattr(yaml, "CSafeLoader"):

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """The same loader on libyaml's parser, when PyYAML was built with it."""

    _harden(_FastLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text: libyaml when present, the pure-Python parser otherwise or on error.

    libyaml reads about 15 times faster; the pure-Python parser's error
    messages are clearer, so a document that fails is parsed again for them.
    """
    if _FastLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLoader)
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in (exc.problem or ""):
                # The pure-Python parser would only recurse until it gives up.
                raise RecursionError(exc.problem) from None
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=StrictLoader)


# -- documents that may use neither aliases nor tags (rules files) ---------------


def aliases_and_tags(text: str) -> dict[str, list[str]]:
    """Where the text uses YAML aliases and tags, in words, read from the parser's events.

    Nothing is built, so an alias that would expand to billions of values
    costs no more than its characters. A syntax error stops the reading
    (the parse that follows reports it).
    """
    found: dict[str, list[str]] = {"alias": [], "tag": []}
    loader = _FastLoader if _FastLoader is not None else StrictLoader
    try:
        for event in yaml.parse(text, Loader=loader):
            mark = event.start_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            if isinstance(event, yaml.AliasEvent):
                found["alias"].append(f"YAML alias *{event.anchor}{where}")
            elif isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None) is not None:
                found["tag"].append(f"YAML tag {_tag_name(event.tag)}{where}")  # type: ignore[attr-defined]
    except yaml.YAMLError:
        pass
    return found


class WithoutAliases(StrictLoader):
    """The strict loader reading each alias as null and each tagged value untagged.

    For a document whose aliases and tags have been refused already, so that
    its other problems show in the same run.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        return super().compose_node(parent, index)

    def get_event(self) -> Any:
        event = super().get_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None) is not None:
            event.tag = None  # type: ignore[attr-defined]
        return event
