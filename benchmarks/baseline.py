"""The baselines of the load benchmark: the same rows written with the bare driver.

Both write blind (no reads first) with plain `UNWIND` statements from `cypher/bench/`, in one
transaction, in batches of the store's batch size:

- same state: exactly what a first load through the store leaves behind: the Source node, every
  node with labels Twin and its kind, its ASSERTED_IN lineage (hash, keys, changed_at,
  first_asserted_at), and every relationship with sources, hash, first_asserted_at, changed_at;
  nodes and relationships with their version stamps (version_from, version_source, version_run).
- minimal: only the nodes (labels and properties) and the relationships (type and properties),
  no provenance at all, so that the cost of provenance is visible.

Row building (hashes included) is part of the timed work, as it is for the store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import neo4j

import graphtwin
from graphtwin.batching import chunked
from graphtwin.model import TwinGraph
from graphtwin.statements import cypher
from graphtwin.store.rows import new_node_row, new_relationship_row, node_properties
from graphtwin.store.versions import new_run_id


class Runner(Protocol):
    """What the writers need of a transaction (a neo4j.Transaction, or a profiling wrapper)."""

    def run(self, query: str, parameters: dict[str, Any] | None = None, **kwargs: Any) -> Any: ...


Writer = Callable[[Runner, TwinGraph, int], None]


def write_same_state(tx: Runner, graph: TwinGraph, batch_size: int) -> None:
    """The end state of a first store load, provenance included."""
    now = datetime.now(UTC)
    run = new_run_id("import", now)
    source = graph.source
    tx.run(
        cypher("bench/baseline_source"),
        source_id=source.source_id,
        format=source.format,
        file_name=source.file_name,
        sha256=source.sha256,
        graphtwin_version=graphtwin.__version__,
        now=now,
        run=run,
    ).consume()
    for chunk in chunked(graph.nodes.values(), batch_size):
        rows = [new_node_row(n) for n in chunk]
        tx.run(
            cypher("bench/baseline_nodes"),
            rows=rows,
            source_id=source.source_id,
            now=now,
            run=run,
        ).consume()
    for chunk in chunked(graph.iter_relationships(), batch_size):
        rows = [new_relationship_row(r) for r in chunk]
        tx.run(
            cypher("bench/baseline_relationships"),
            rows=rows,
            source_id=source.source_id,
            now=now,
            run=run,
        ).consume()


def write_minimal(tx: Runner, graph: TwinGraph, batch_size: int) -> None:
    """Nodes and relationships with their own properties only: no Source, no lineage."""
    for chunk in chunked(graph.nodes.values(), batch_size):
        rows = [{"kind": n.kind, "props": node_properties(n)} for n in chunk]
        tx.run(cypher("bench/minimal_nodes"), rows=rows).consume()
    for chunk in chunked(graph.iter_relationships(), batch_size):
        rows = [
            {"start": r.start, "type": r.type, "end": r.end, "props": r.properties} for r in chunk
        ]
        tx.run(cypher("bench/minimal_relationships"), rows=rows).consume()


def in_one_transaction(
    driver: neo4j.Driver, database: str, write: Writer, graph: TwinGraph, batch_size: int
) -> None:
    """Run `write` in one explicit transaction and commit it, as the store does."""
    with driver.session(database=database) as session:
        tx = session.begin_transaction()
        try:
            write(tx, graph, batch_size)
        except BaseException:
            tx.rollback()
            raise
        tx.commit()
