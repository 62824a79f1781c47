"""YAML that remembers where things were written, for error messages that name the line.

Plain `yaml.safe_load` forgets positions, silently keeps the last of two equal keys and turns
`2024-01-01` into a date. Here every mapping and sequence carries the lines of its entries, a
duplicate key is an error, and timestamps stay text (the twin stores plain values). libyaml's C
parser is used when PyYAML has it: twin files of tens of thousands of entities parse in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from graphtwin.errors import MalformedFileError, SourceLocation

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlainLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader (libyaml when available) without the timestamp resolver."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def load_yaml(path: Path, *, display_name: str | None = None) -> tuple[Any, LineIndex]:
    """Parse a YAML file into plain Python data plus the line of everything in it."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFileError(
            f"not UTF-8 text (byte {exc.start})", location=SourceLocation(name)
        ) from exc
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, LineIndex]:
    loader = _PlainLoader(text)
    try:
        root = loader.get_single_node()
        data = _construct(loader, root, name) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise MalformedFileError(
            f"invalid YAML: {problem}", location=SourceLocation(name, line)
        ) from exc
    except yaml.YAMLError as exc:
        raise MalformedFileError(f"invalid YAML: {exc}", location=SourceLocation(name)) from exc
    finally:
        loader.dispose()
    return data, LineIndex(name, data)


def _construct(loader: Any, node: yaml.Node, file: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve YAML merge keys (<<)
        mapping = LinedDict(node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | float | bool):
                raise MalformedFileError(
                    "mapping keys must be plain values", location=SourceLocation(file, key_line)
                )
            if key in mapping:
                raise MalformedFileError(
                    f"duplicate key {key!r}", location=SourceLocation(file, key_line)
                )
            mapping[key] = _construct(loader, value_node, file)
            mapping.key_lines[key] = key_line
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LinedList(node.start_mark.line + 1)
        for item in node.value:
            sequence.append(_construct(loader, item, file))
            sequence.item_lines.append(item.start_mark.line + 1)
        return sequence
    return loader.construct_object(node, deep=True)
