"""A pydantic validation error on a YAML file, as a SchemaViolationError naming the line and the
entity (the `id` of the innermost item that holds the mistake)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from graphtwin.errors import SchemaViolationError, SourceLocation
from graphtwin.yamlio import LineIndex

_Path = tuple[str | int, ...]


def schema_error(exc: ValidationError, data: Any, lines: LineIndex) -> SchemaViolationError:
    # A union (`contains: [id or node]`) fails once per member; the error reaching deepest into
    # the data is the one that says what is wrong.
    error = max(exc.errors(), key=lambda e: len(_data_path(data, e["loc"], e["type"])))
    path = _data_path(data, error["loc"], error["type"])
    where = ".".join(str(p) for p in path) or "file"
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown field (check its spelling)"
    elif error["type"] == "missing":
        message = "required field is missing"
    return SchemaViolationError(
        f"{where}: {message}",
        location=SourceLocation(lines.file, lines.line(path)),
        entity=_enclosing_id(data, path),
    )


def _data_path(data: Any, loc: Sequence[str | int], error_type: str) -> _Path:
    """The part of a pydantic error location that exists in the data (drops union tags)."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif error_type == "missing" and i == len(loc) - 1:
            path.append(part)  # name the missing field
            break
        else:
            continue  # a union member's tag, not a place in the data
        path.append(part)
    return tuple(path)


def _enclosing_id(data: Any, path: _Path) -> str | None:
    """The `id` of the innermost node that contains `path`, to name the entity."""
    found = None
    node = data
    for part in path:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
        if isinstance(node, dict | list):
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
    if isinstance(node, dict) and isinstance(node.get("id"), str):
        found = node["id"]
    return found
