"""The parameter rows the load statements take, built from the twin model in one place."""

from __future__ import annotations

from typing import Any

from graphtwin.model import TwinNode, TwinRelationship


def node_properties(node: TwinNode) -> dict[str, Any]:
    """Every property the node carries in Neo4j: identity, kind, name and the asserted ones."""
    return {**node.properties, "twin_id": node.twin_id, "kind": node.kind, "name": node.name}


def new_node_row(node: TwinNode) -> dict[str, Any]:
    """A row for `load/nodes_create`: the node and its assertion by the importing source."""
    return {
        "kind": node.kind,
        "props": node_properties(node),
        "hash": node.content_hash(),
        "keys": node.asserted_keys(),
    }


def new_relationship_row(rel: TwinRelationship) -> dict[str, Any]:
    """A row for `load/relationships_create`."""
    return {
        "start": rel.start,
        "type": rel.type,
        "end": rel.end,
        "props": rel.properties,
        "hash": rel.content_hash(),
    }
