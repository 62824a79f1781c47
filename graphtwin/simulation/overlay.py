"""The overlay: what a what-if run reads of the live twin, held in memory.

A run never writes to the twin it simulates. `read_overlay` reads, in one read transaction,
the building in scope (its nodes along CONTAINS / HAS_PART and what is located in them, the
points the zone models read with their current values) and the relationships between them;
the run then works on this copy: interventions change the copy's supply network and inputs,
never the graph. Only the run's own records
(graphtwin.simulation.records) are written afterwards.

>>> overlay = await read_overlay(driver, scope="bldg-a", database="neo4j")  # doctest: +SKIP
>>> overlay.nodes["bldg-a"].kind
'Building'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import neo4j

from graphtwin.errors import TwinNotFoundError
from graphtwin.simulation.errors import SimulationInputError
from graphtwin.simulation.thermal.points import point_classes
from graphtwin.store import statement_runner as runner


@dataclass(frozen=True, slots=True)
class ScopeNode:
    """One node of the overlay, with what the run needs of it."""

    twin_id: str
    kind: str | None
    name: str | None
    brick_class: str | None
    properties: Mapping[str, Any] = field(default_factory=dict)
    """floor_area_m2, volume_m3, multiplier, unit where the node has them."""
    value: float | None = None
    """A point's current value (None: not a point, or no value yet)."""
    value_at: str | None = None


@dataclass(frozen=True, slots=True)
class Overlay:
    """The building in scope, copied out of the live twin."""

    scope: str
    nodes: Mapping[str, ScopeNode]
    edges: tuple[tuple[str, str, str], ...]
    """(source, relationship type, target) between the scope's nodes."""
    supply: tuple[tuple[str, str, str], ...] = ()
    """The supply network (FEEDS / HAS_PART / SERVES) into the scope, suppliers outside it
    included: the same statement `Node.singlePointsOfFailure` reads, so both see one network."""

    def supply_edges(self) -> list[tuple[str, str, str]]:
        return list(self.supply)

    def current(self, twin_id: str) -> float | None:
        node = self.nodes.get(twin_id)
        return node.value if node else None


async def scope_of(
    driver: neo4j.AsyncDriver, named: Sequence[tuple[str, str]], *, database: str
) -> str:
    """The building that holds the first of the `named` (field, twin id) pairs the graph has
    (or its topmost container); none there: an error naming the first field."""
    ids = list(dict.fromkeys(twin_id for _, twin_id in named))
    records = await runner.query_async(
        driver, "simulation/building_of", ids=ids, database_=database, read_=True
    )
    found = {r["twin_id"]: r["scope"] for r in records}
    for twin_id in ids:
        if twin_id in found:
            return str(found[twin_id])
    field, twin_id = named[0] if named else ("scope", "(none)")
    raise SimulationInputError(
        "no live twin entity with this twin_id in the graph", field=field, entity=twin_id
    )


async def read_overlay(driver: neo4j.AsyncDriver, *, scope: str, database: str) -> Overlay:
    """Copy the building `scope` (nodes, points, relationships) out of the live twin."""

    async def work(tx: neo4j.AsyncManagedTransaction) -> Overlay:
        result = await runner.rows_async(
            tx, "simulation/scope_nodes", root=scope, point_classes=point_classes()
        )
        nodes = {r["twin_id"]: _node(r) for r in result}
        if scope not in nodes:
            raise TwinNotFoundError(scope)
        result = await runner.rows_async(tx, "simulation/scope_edges", ids=list(nodes))
        edges = tuple((r["source"], r["type"], r["target"]) for r in result)
        result = await runner.rows_async(tx, "simulation/supply_edges", roots=[scope])
        supply = tuple((r["source"], r["type"], r["target"]) for r in result)
        return Overlay(scope=scope, nodes=nodes, edges=edges, supply=supply)

    async with driver.session(
        database=database,
        default_access_mode=neo4j.READ_ACCESS,
        bookmark_manager=driver.execute_query_bookmark_manager,  # after the driver's writes
    ) as session:
        return await session.execute_read(work)


_PROPERTIES = ("floor_area_m2", "volume_m3", "multiplier", "unit")


def _node(record: neo4j.Record) -> ScopeNode:
    value = record["value"]
    return ScopeNode(
        twin_id=record["twin_id"],
        kind=record["kind"],
        name=record["name"],
        brick_class=record["brick_class"],
        properties={k: record[k] for k in _PROPERTIES if record[k] is not None},
        value=float(value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else None,
        value_at=record["value_at"],
    )
