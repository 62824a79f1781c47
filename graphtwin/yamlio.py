"""YAML that remembers where things were written, for error messages that name the line.

Plain `yaml.safe_load` forgets positions, silently keeps the last of two equal keys and turns
`2024-01-01` into a date. Here each mapping and sequence records the line of every entry, a
duplicate key is an error, and timestamps stay text (the twin stores plain values).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from graphtwin.errors import MalformedFileError, SourceLocation

Path_ = tuple[str | int, ...]


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class LineIndex:
    """Maps a path into the loaded document (keys and list indexes) to its 1-based line."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._lines: dict[Path_, int] = {}

    def record(self, path: Path_, line: int) -> None:
        self._lines[path] = line

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of `path`, or of its nearest recorded ancestor."""
        candidate = tuple(path)
        while candidate:
            if candidate in self._lines:
                return self._lines[candidate]
            candidate = candidate[:-1]
        return self._lines.get(())

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
    index = LineIndex(name)
    loader = _PlainLoader(text)
    try:
        root = loader.get_single_node()
        data = _construct(loader, root, (), index) if root is not None else None
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
    return data, index


def _construct(loader: _PlainLoader, node: yaml.Node, path: Path_, index: LineIndex) -> Any:
    index.record(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolve YAML merge keys (<<)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise MalformedFileError(
                    "mapping keys must be plain values",
                    location=SourceLocation(index.file, key_node.start_mark.line + 1),
                )
            if key in result:
                raise MalformedFileError(
                    f"duplicate key {key!r}",
                    location=SourceLocation(index.file, key_node.start_mark.line + 1),
                )
            result[key] = _construct(loader, value_node, (*path, str(key)), index)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, (*path, i), index) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
