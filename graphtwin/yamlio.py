"""YAML that remembers where things were written, for error messages that name the line.

Plain `yaml.safe_load` forgets positions, silently keeps the last of two equal keys and turns
`2024-01-01` into a date. Here every mapping and sequence carries the lines of its entries, a
duplicate key is an error, and timestamps stay text (the twin stores plain values). libyaml's C
parser is used when PyYAML has it: twin files of tens of thousands of entities parse in seconds.

Aliases are expanded under limits (`YamlLimits`): a few hundred bytes of nested aliases ("billion
laughs") would otherwise expand to billions of nodes, and an anchor used inside itself would
recurse forever. Both, and nesting deeper than the limit, are a `YamlLimitError` raised while
loading, before the document grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graphtwin.errors import MalformedFileError, SourceLocation, YamlLimitError
from graphtwin.input_files import check_regular_file

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlainLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader (libyaml when available) without the timestamp resolver."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """How far one YAML document may nest and how much its aliases may expand."""

    max_depth: int = 100
    """Mappings and sequences inside each other (a twin file nests two per level of `contains`)."""
    max_alias_nodes: int = 10_000
    """Nodes (mappings, sequences, scalars) that aliases may add by repeating what their anchors
    hold, in all; a larger document may add `alias_factor` times the nodes it writes itself.
    Each alias adds at least one node, so this bounds the number of aliases too."""
    alias_factor: int = 4


DEFAULT_LIMITS = YamlLimits()
_MERGE_TAG = "tag:yaml.org,2002:merge"


class LinedDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}


class LinedList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class LineIndex:
    """Finds the line of a path (keys and list indexes) into the loaded document."""

    def __init__(self, file: str, root: Any) -> None:
        self.file = file
        self._root = root

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of `path`, or of its nearest ancestor that was written in the file."""
        node = self._root
        line = getattr(node, "line", None)
        for part in path:
            if isinstance(node, LinedDict) and part in node:
                line = node.key_lines[part]
                node = node[part]
            elif isinstance(node, LinedList) and isinstance(part, int) and 0 <= part < len(node):
                line = node.item_lines[part]
                node = node[part]
            else:
                break
        return line

    def location(self, path: Sequence[str | int]) -> SourceLocation:
        return SourceLocation(self.file, self.line(path))


def load_yaml(
    path: Path, *, display_name: str | None = None, limits: YamlLimits = DEFAULT_LIMITS
) -> tuple[Any, LineIndex]:
    """Parse a YAML file into plain Python data plus the line of everything in it."""
    name = display_name or str(path)
    check_regular_file(path, name=name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFileError(
            f"not UTF-8 text (byte {exc.start})", location=SourceLocation(name)
        ) from exc
    return parse_yaml(text, name, limits=limits)


def parse_yaml(
    text: str, name: str, *, limits: YamlLimits = DEFAULT_LIMITS
) -> tuple[Any, LineIndex]:
    loader = _PlainLoader(text)
    try:
        root = loader.get_single_node()
        data = _Builder(loader, name, limits).build(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise MalformedFileError(
            f"invalid YAML: {problem}", location=SourceLocation(name, line)
        ) from exc
    except yaml.YAMLError as exc:
        raise MalformedFileError(f"invalid YAML: {exc}", location=SourceLocation(name)) from exc
    except RecursionError as exc:  # PyYAML's pure-Python composer, without libyaml's own limit
        raise YamlLimitError(
            f"nested deeper than Python can compose (the limit is {limits.max_depth} levels)",
            location=SourceLocation(name),
        ) from exc
    finally:
        loader.dispose()
    return data, LineIndex(name, data)


class _Builder:
    """Builds plain data from the composed node graph, where an alias is the anchored node
    itself: a node reached a second time is an alias being expanded, and is counted."""

    def __init__(self, loader: Any, file: str, limits: YamlLimits) -> None:
        self.loader = loader
        self.file = file
        self.limits = limits
        self.seen: set[int] = set()
        self.alias_nodes = 0
        self.open: set[int] = set()  # collections being built: reaching one again is a cycle
        self.alias_line: int | None = None  # where the outermost alias being expanded is used

    def build(self, node: yaml.Node) -> Any:
        return self._node(node, depth=1, line=node.start_mark.line + 1)

    def _node(self, node: yaml.Node, *, depth: int, line: int) -> Any:
        if isinstance(node, yaml.ScalarNode):
            self._count(node, line)
            return self.loader.construct_object(node, deep=True)
        if id(node) in self.open:
            raise YamlLimitError(
                "an alias refers to a node that contains it (a recursive alias)",
                location=SourceLocation(self.file, line),
            )
        if depth > self.limits.max_depth:
            raise YamlLimitError(
                f"nested more than {self.limits.max_depth} levels deep",
                location=SourceLocation(self.file, line),
            )
        outermost = self._count(node, line)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, depth)
            return self._sequence(node, depth)
        finally:
            self.open.discard(id(node))
            if outermost:
                self.alias_line = None

    def _count(self, node: yaml.Node, line: int) -> bool:
        """Count a visit; True when it starts expanding an alias (to reset where it is used)."""
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return False
        self.alias_nodes += 1
        outermost = self.alias_line is None
        if outermost:
            self.alias_line = line
        written = len(self.seen)
        if self.alias_nodes > max(self.limits.max_alias_nodes, self.limits.alias_factor * written):
            raise YamlLimitError(
                f"aliases expand to more than {self.alias_nodes - 1:,} nodes, over the limit of "
                f"{self.limits.max_alias_nodes:,} (or {self.limits.alias_factor} times the "
                f"{written:,} nodes written so far); a 'billion laughs' document?",
                location=SourceLocation(self.file, self.alias_line),
            )
        return outermost

    def _mapping(self, node: yaml.MappingNode, depth: int) -> LinedDict:
        own = LinedDict(node.start_mark.line + 1)
        merged = LinedDict(own.line)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                self._merge(merged, value_node, depth, key_line)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise MalformedFileError(
                    "mapping keys must be plain values",
                    location=SourceLocation(self.file, key_line),
                )
            key = self._node(key_node, depth=depth, line=key_line)
            if not isinstance(key, str | int | float | bool):
                raise MalformedFileError(
                    "mapping keys must be plain values",
                    location=SourceLocation(self.file, key_line),
                )
            if key in own:
                raise MalformedFileError(
                    f"duplicate key {key!r}", location=SourceLocation(self.file, key_line)
                )
            own[key] = self._node(value_node, depth=depth + 1, line=key_line)
            own.key_lines[key] = key_line
        if not merged:
            return own
        # YAML merge keys (<<): the mapping's own keys win over merged ones, and merged keys
        # come first, as PyYAML orders them.
        mapping = LinedDict(own.line)
        for source in (merged, own):
            for key, value in source.items():
                if source is own or key not in own:
                    mapping[key] = value
                    mapping.key_lines[key] = source.key_lines[key]
        return mapping

    def _merge(self, merged: LinedDict, value: yaml.Node, depth: int, line: int) -> None:
        """Add what `<<: *anchor` (or `<<: [*a, *b]`, the first winning) brings to `merged`."""
        sources = [value]
        if isinstance(value, yaml.SequenceNode):
            self._count(value, line)
            sources = list(value.value)
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise MalformedFileError(
                    "a merge key (<<) takes a mapping or a list of mappings",
                    location=SourceLocation(self.file, line),
                )
            mapping = self._node(source, depth=depth + 1, line=line)
            for key, item in mapping.items():
                if key not in merged:
                    merged[key] = item
                    merged.key_lines[key] = mapping.key_lines[key]

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> LinedList:
        sequence = LinedList(node.start_mark.line + 1)
        for item in node.value:
            # An alias item has no place of its own in the composed graph (its marks are its
            # anchor's); the sequence's line is the nearest place that is really its.
            item_line = sequence.line if id(item) in self.seen else item.start_mark.line + 1
            sequence.append(self._node(item, depth=depth + 1, line=item_line))
            sequence.item_lines.append(item_line)
        return sequence
