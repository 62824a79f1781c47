"""Twin file -> TwinGraph: YAML with line numbers, schema validation, then the graph model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphtwin.model import ORIGIN_KEYS, SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.yaml_spec import read_spec
from graphtwin.yamlio import LineIndex
from importers.base import file_source
from importers.twinfile.schema import NodeSpec, TwinFile

_Path = tuple[str | int, ...]


def read_twin_file(path: Path, source: SourceInfo, *, source_id_given: bool) -> TwinGraph:
    """Parse a twin file. The file's own `source:` wins over the default source id, the
    command line's `--source-id` over both."""
    spec, lines = read_spec(
        path, TwinFile, expected="a twin file is a mapping with `graphtwin: 1` and `nodes:`"
    )
    graph = TwinGraph(file_source(source, spec.source, source_id_given=source_id_given))
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
