"""A content hash of everything the twin holds, to prove that a refused import changed nothing."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from graphtwin.store import TwinStore


def graph_content_hash(store: TwinStore) -> str:
    """sha256 over the twin's nodes and relationships with every asserted property, the import
    sources (with their file hashes and import times), the retired history, and the counts of
    every property and lineage entry in the graph (`bench/fingerprint`), so a change to any of
    them, timestamps included, changes the hash."""
    exported = store.export().graph
    counts = store.counts()
    state: dict[str, Any] = {
        "nodes": [
            [n.twin_id, n.kind, n.name, sorted(n.properties.items())]
            for n in sorted(exported.nodes.values(), key=lambda n: n.twin_id)
        ],
        "relationships": [
            [r.start, r.type, r.end, sorted(r.properties.items())]
            for r in sorted(exported.relationships.values(), key=lambda r: r.key)
        ],
        "sources": sorted(counts.sources, key=lambda s: str(s.get("source_id"))),
        "retired": counts.retired,
        "fingerprint": store.read("bench/fingerprint"),
    }
    text = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
