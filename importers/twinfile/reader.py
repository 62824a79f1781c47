"""Twin file -> TwinGraph: YAML with line numbers, schema validation, then the graph model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graphtwin.errors import SchemaViolationError, SourceLocation
from graphtwin.model import ORIGIN_KEYS, SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.yamlio import LineIndex, load_yaml
from importers.twinfile.schema import NodeSpec, TwinFile

_Path = tuple[str | int, ...]


def read_twin_file(path: Path, source: SourceInfo, *, source_id_given: bool) -> TwinGraph:
    """Parse a twin file. The file's own `source:` wins over the default source id, the
    command line's `--source-id` over both."""
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise SchemaViolationError(
            "a twin file is a mapping with `graphtwin: 1` and `nodes:`",
            location=lines.location(()),
        )
    try:
        spec = TwinFile.model_validate(data)
    except ValidationError as exc:
        raise _schema_error(exc, data, lines) from exc
    if spec.source and not source_id_given:
        source = SourceInfo(spec.source, source.format, source.file_name, source.sha256)
    graph = TwinGraph(source)
    for i, node in enumerate(spec.nodes):
        _add_node(graph, node, ("nodes", i), lines)
    for i, rel in enumerate(spec.relationships):
        graph.add_relationship(
            TwinRelationship(
                rel.start,
                rel.type,
                rel.end,
                _present(rel.properties),
                lines.location(("relationships", i)),
            )
        )
    return graph


def _add_node(graph: TwinGraph, spec: NodeSpec, path: _Path, lines: LineIndex) -> None:
    props = {k: getattr(spec, k) for k in ORIGIN_KEYS if getattr(spec, k) is not None}
    props.update(_present(spec.properties))
    graph.add_node(TwinNode(spec.id, spec.kind, spec.name or spec.id, props, lines.location(path)))
    for rel_type, targets in spec.links.items():
        for k, target in enumerate(targets):
            graph.add_relationship(
                TwinRelationship(
                    spec.id, rel_type, target, {}, lines.location((*path, "links", rel_type, k))
                )
            )
    for k, child in enumerate(spec.contains):
        child_path = (*path, "contains", k)
        if isinstance(child, str):
            child_id = child
        else:
            _add_node(graph, child, child_path, lines)
            child_id = child.id
        graph.add_relationship(
            TwinRelationship(spec.id, "CONTAINS", child_id, {}, lines.location(child_path))
        )


def _present(properties: dict[str, Any]) -> dict[str, Any]:
    """Plain property values; `null` in YAML means "not set"."""
    return {
        k: list(v) if isinstance(v, list) else v for k, v in properties.items() if v is not None
    }


def _schema_error(exc: ValidationError, data: Any, lines: LineIndex) -> SchemaViolationError:
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
