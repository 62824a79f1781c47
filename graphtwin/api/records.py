"""Neo4j values -> the plain records the GraphQL types read from.

A node record is the API's node view as `cypher/api/nodes_by_id.cypher` shapes it (a map keyed
by the Python field names of `graphtwin.api.schema`), used as the driver returns it: the planner
and strawberry read it the same way, and no Python runs per node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import neo4j.time

Record = dict[str, Any]

ORIGIN_KEYS = ("uri", "brick_class", "ifc_guid", "ifc_class", "isa95_id", "isa95_level")


def plain(value: Any) -> Any:
    """A Neo4j value as JSON: temporal values as ISO 8601 text (UTC as `Z`, as Neo4j writes
    it), spatial ones as text."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date | neo4j.time.Time):
        text = value.to_native().isoformat()
        return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
    return str(value)


def origin(record: Mapping[str, Any]) -> Record:
    return {key: record.get(key) for key in ORIGIN_KEYS}
