"""TwinGraph -> twin file YAML, in a stable order so exports diff cleanly in git.

A node with exactly one CONTAINS parent (a property-less relationship) is written nested under
it; other property-less relationships go into the start node's `links`; relationships with
properties go into the top-level `relationships` list.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import yaml

from graphtwin.model import ORIGIN_KEYS, TwinGraph, TwinNode, TwinRelationship
from graphtwin.vocabulary import vocabulary
from importers.twinfile.schema import FORMAT_VERSION


class _Dumper(yaml.SafeDumper):
    """Block style for the structure, flow style for short lists of plain values."""


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    flow = all(isinstance(i, str | int | float | bool) for i in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def render_twin_file(
    graph: TwinGraph, *, source_id: str | None = None, description: str | None = None
) -> str:
    """The twin file text for `graph`; `source_id` is written as the file's `source:`."""
    parent = _nesting_parents(graph)
    children: dict[str, list[str]] = defaultdict(list)
    for child, p in parent.items():
        children[p].append(child)
    nested_rels = {(p, "CONTAINS", c) for c, p in parent.items()}

    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with_props: list[TwinRelationship] = []
    for rel in graph.iter_relationships():
        if rel.key in nested_rels:
            continue
        if rel.properties:
            with_props.append(rel)
        else:
            links[rel.start][rel.type].append(rel.end)

    def node_entry(node: TwinNode) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": node.twin_id, "kind": node.kind, "name": node.name}
        for key in ORIGIN_KEYS:
            if key in node.properties:
                entry[key] = node.properties[key]
        extra = {k: v for k, v in sorted(node.properties.items()) if k not in ORIGIN_KEYS}
        if extra:
            entry["properties"] = extra
        if node.twin_id in links:
            entry["links"] = {t: sorted(ends) for t, ends in sorted(links[node.twin_id].items())}
        if node.twin_id in children:
            entry["contains"] = [
                node_entry(graph.nodes[c]) for c in _ordered(graph, children[node.twin_id])
            ]
        return entry

    document: dict[str, Any] = {"graphtwin": FORMAT_VERSION}
    if source_id:
        document["source"] = source_id
    if description:
        document["description"] = description
    top_level = [t for t in graph.nodes if t not in parent]
    document["nodes"] = [node_entry(graph.nodes[t]) for t in _ordered(graph, top_level)]
    if with_props:
        document["relationships"] = [
            {
                "from": r.start,
                "type": r.type,
                "to": r.end,
                "properties": dict(sorted(r.properties.items())),
            }
            for r in sorted(with_props, key=lambda r: r.key)
        ]
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )


def _ordered(graph: TwinGraph, twin_ids: list[str]) -> list[str]:
    """Vocabulary order of kinds (sites before buildings before ... points), then by id."""
    rank = {kind: i for i, kind in enumerate(vocabulary().node_kinds)}
    return sorted(twin_ids, key=lambda t: (rank[graph.nodes[t].kind], t))


def _nesting_parents(graph: TwinGraph) -> dict[str, str]:
    """child -> parent for nodes written nested: exactly one property-less CONTAINS parent in
    the graph, and reachable from a top-level node (a CONTAINS cycle is written flat)."""
    parents: dict[str, list[str]] = defaultdict(list)
    for rel in graph.iter_relationships():
        if rel.type == "CONTAINS" and rel.end in graph.nodes and rel.start in graph.nodes:
            parents[rel.end].append(rel.start)
    contains_props = {
        rel.key for rel in graph.iter_relationships() if rel.type == "CONTAINS" and rel.properties
    }
    parent = {
        child: ps[0]
        for child, ps in parents.items()
        if len(ps) == 1 and (ps[0], "CONTAINS", child) not in contains_props
    }
    # Keep only nodes whose chain of parents ends at a top-level node.
    reachable: dict[str, bool] = {}

    def rooted(node: str, trail: set[str]) -> bool:
        if node in reachable:
            return reachable[node]
        if node not in parent:
            return True
        if node in trail:
            return False
        result = rooted(parent[node], trail | {node})
        reachable[node] = result
        return result

    return {child: p for child, p in parent.items() if rooted(child, set())}
