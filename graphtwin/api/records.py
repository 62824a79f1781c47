"""Neo4j values -> the plain records the GraphQL types read from.

A record is a dict keyed by the Python field names of `graphtwin.api.schema`, so that the
planner and strawberry read it the same way. Values are made JSON-ready here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import neo4j.graph
import neo4j.time

Record = dict[str, Any]

ORIGIN_KEYS = ("uri", "brick_class", "ifc_guid", "ifc_class", "isa95_id", "isa95_level")
CURRENT_VALUE_KEYS = ("value", "value_at", "value_quality", "value_source", "health")
"""Where a point keeps its live value (written by the API's `recordPointValues` and telemetry)."""


def plain(value: Any) -> Any:
    """A Neo4j value as JSON: temporal values as ISO 8601 text, spatial ones as a dict."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date | neo4j.time.Time):
        return value.to_native().isoformat()  # microseconds: what Python and browsers read
    if isinstance(value, neo4j.time.Duration):
        return str(value)
    return str(value)


def node_record(node: neo4j.graph.Node) -> Record:
    """A twin node as the `Node` type reads it; properties stay raw until asked for."""
    props = node._properties  # the driver's own dict: no copy per node
    return {
        "twin_id": props["twin_id"],
        "kind": props.get("kind"),
        "name": props.get("name"),
        "brick_class": props.get("brick_class"),
        "retired": "Retired" in node.labels,
        "labels": sorted(node.labels),
        "raw": props,
    }


def current_value(raw: Mapping[str, Any]) -> Record | None:
    """A point's live value, unit, time, quality, source and health; None for other nodes."""
    if raw.get("kind") != "Point":
        return None
    value = raw.get("value")
    return {
        "value": value if isinstance(value, int | float) and not isinstance(value, bool) else None,
        "text": None if value is None else str(plain(value)),
        "unit": raw.get("unit"),
        "timestamp": plain(raw.get("value_at")),
        "quality": raw.get("value_quality"),
        "source": raw.get("value_source"),
        "health": raw.get("health") or ("unknown" if value is None else "ok"),
    }


def origin(raw: Mapping[str, Any]) -> Record:
    return {key: raw.get(key) for key in ORIGIN_KEYS}
