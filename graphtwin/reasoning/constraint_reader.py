"""Reading what constraint reasoning needs from Neo4j, asynchronously and in batches.

Every public method runs a constant number of statements however many nodes it is asked about
(one per step, `UNWIND $ids`; ids beyond `batch_size` split into further statements of the same
kind, except the contributions: one statement walks down from every anchor once, whatever the
ids, or, for fewer than `walk_up_below` ids, walks up from each), all in one read transaction,
so the answer is one consistent snapshot. Each statement answers one record (its rows in a list:
a record costs the driver far more). The rules themselves are pure code: `constraints.combine`,
`checks.find_violations`, `capacity.check_capacity`. `statements` counts what was run (tests and
benchmarks read it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import neo4j

from graphtwin.errors import TwinNotFoundError
from graphtwin.reasoning import governed
from graphtwin.reasoning.because import Step
from graphtwin.reasoning.capacity import (
    CapacityCheck,
    Reached,
    build_network,
    check_capacity,
    unique_checks,
)
from graphtwin.reasoning.checks import (
    Violation,
    capacity_violation,
    find_violations,
    unique_violations,
)
from graphtwin.reasoning.constraints import (
    CAPACITY,
    RANGE,
    Contribution,
    EffectiveConstraint,
    combine,
)
from graphtwin.reasoning.observations import (
    Observation,
    as_number,
    measuring_classes,
    point_observations,
)
from graphtwin.reasoning.pacing import paced
from graphtwin.store import statement_runner as runner

Record = dict[str, Any]
T = TypeVar("T")

WALK_UP_BELOW = 1000
"""Fewer ids than this have their contributions found by walking up from each
(reasoning/contributions_up), more by walking down once from every anchor in the database
(reasoning/contributions). The walk up costs per id (~0.26 ms), the walk down what every
anchor's subtree holds, whatever is asked (on a portfolio, every building's, for one room).
On the 10,000-point building with 302 anchors (docs/benchmarks.md, 2026-12-08) the two break
even at about a floor (1,126 ids: the walk up 0.79x-1.08x the walk down's time), the walk up
wins for a room (45 ids: 0.18x-0.29x) and loses for the whole building (11,262 ids: 1.68x).
A database with more buildings makes the walk down dearer and the walk up no dearer, so 1,000
errs on the walk down's side there."""


class ConstraintReader:
    """Effective constraints, capacity checks and violations of the twin in `database`."""

    def __init__(
        self,
        driver: neo4j.AsyncDriver,
        database: str = "neo4j",
        *,
        batch_size: int = 1000,
        timeout_s: float | None = None,
        walk_up_below: int = WALK_UP_BELOW,
    ) -> None:
        self._driver = driver
        self._database = database
        self._batch_size = batch_size
        self._timeout_s = timeout_s
        """Transaction timeout: Neo4j stops a reasoning that runs longer (None: no limit)."""
        self._walk_up_below = walk_up_below
        """Fewer ids than this walk up from each node for their contributions (see
        WALK_UP_BELOW; 0: always the walk down from every anchor)."""
        self.statements = 0
        """How many Cypher statements this reader has run."""

    # --- public API ------------------------------------------------------------------------

    async def effective_constraints(
        self, twin_ids: Sequence[str]
    ) -> dict[str, list[EffectiveConstraint]]:
        """twin_id -> its effective constraints (each with its contributions and their because
        chains). Every id must be a live twin node, else `TwinNotFoundError`."""
        ids = list(dict.fromkeys(twin_ids))

        async def work(tx: neo4j.AsyncManagedTransaction) -> dict[str, list[EffectiveConstraint]]:
            await self._require(tx, ids)
            return await self._effective(tx, ids)

        return await self._read(work)

    async def capacity_checks(self, scope: str) -> list[CapacityCheck]:
        """The capacity constraints on `scope` and the nodes below it, each checked against
        the demand of what its node feeds."""

        async def work(tx: neo4j.AsyncManagedTransaction) -> list[CapacityCheck]:
            if await self._nothing_to_check(tx, scope):
                return []
            effective = await self._effective(tx, await self._subtree(tx, scope))
            return await self._capacity(tx, effective)

        return await self._read(work)

    async def violations(self, scope: str) -> list[Violation]:
        """Everything wrong in the subtree of `scope` (itself included), in one list: every
        current value that breaks an effective range constraint (`kind="range"`), and every
        capacity check that fails (`kind="capacity"`, with the check in `capacity`).

        A value seen from several nodes (a point LOCATED_IN a room, a SAME_AS pair) is
        reported once, at the governed node nearest to the rule."""

        async def work(tx: neo4j.AsyncManagedTransaction) -> list[Violation]:
            if await self._nothing_to_check(tx, scope):
                return []
            ids = await self._subtree(tx, scope)
            effective = await self._effective(tx, ids)
            # only a node with a range constraint has values to check
            ranged = [i for i in ids if any(e.constraint_type == RANGE for e in effective[i])]
            observations = await self._observations(tx, ranged, _properties(effective))
            found = find_violations(_all(effective), _all(observations))
            for check in await self._capacity(tx, effective):
                violation = capacity_violation(check)
                if violation:
                    found.append(violation)
            return unique_violations(found)

        return await self._read(work)

    async def subtree(self, scope: str) -> list[str]:
        """twin_ids of `scope` and everything that inherits its constraints, nearest first."""

        async def work(tx: neo4j.AsyncManagedTransaction) -> list[str]:
            await self._require(tx, [scope])
            return await self._subtree(tx, scope)

        return await self._read(work)

    # --- steps -----------------------------------------------------------------------------

    async def _read(self, work: Callable[[neo4j.AsyncManagedTransaction], Awaitable[T]]) -> T:
        """Run `work` in one read transaction (retried by the driver on transient errors), after
        the driver's earlier writes (its bookmarks: a follower waits until it has them)."""
        async with self._driver.session(
            database=self._database,
            default_access_mode=neo4j.READ_ACCESS,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        ) as session:
            return await session.execute_read(neo4j.unit_of_work(timeout=self._timeout_s)(work))

    async def _run(
        self, tx: neo4j.AsyncManagedTransaction, statement: str, **params: Any
    ) -> list[Record]:
        self.statements += 1
        records = await runner.rows_async(tx, statement, **params)
        # the records as they came: data() would walk every nested list and map again
        return [dict(record.items()) for record in records]

    async def _batched(
        self,
        tx: neo4j.AsyncManagedTransaction,
        statement: str,
        key: str,
        ids: Sequence[str],
        **params: Any,
    ) -> list[Record]:
        rows: list[Record] = []
        for start in range(0, len(ids), self._batch_size):
            chunk = list(ids[start : start + self._batch_size])
            [found] = await self._run(tx, statement, **{key: chunk}, **params)
            rows += found["rows"]
        return rows

    async def _require(self, tx: neo4j.AsyncManagedTransaction, ids: Sequence[str]) -> None:
        rows = await self._batched(tx, "reasoning/nodes_found", "ids", ids)
        missing = [r["id"] for r in rows if not r["found"]]
        if missing:
            raise TwinNotFoundError(missing[0])

    async def _nothing_to_check(self, tx: neo4j.AsyncManagedTransaction, scope: str) -> bool:
        """No rule applies anywhere in the twin (`reasoning.governed`): no violation and no
        capacity check, without walking the scope's subtree to find none. An unknown scope is
        TwinNotFoundError, as `_require` says."""
        return governed.answer(await self._run(tx, "reasoning/governed", scope=scope), scope)

    async def _subtree(self, tx: neo4j.AsyncManagedTransaction, scope: str) -> list[str]:
        [found] = await self._run(tx, "reasoning/subtree", root=scope)
        return list(found["ids"])

    async def _effective(
        self, tx: neo4j.AsyncManagedTransaction, ids: Sequence[str]
    ) -> dict[str, list[EffectiveConstraint]]:
        # one statement for all ids: the walk down from every anchor costs the same whatever the
        # ids (batches would repeat it); a few ids walk up from each instead, at their own cost
        if len(ids) < self._walk_up_below:
            statement = "reasoning/contributions_up"
        else:
            statement = "reasoning/contributions"
        [found] = await self._run(tx, statement, ids=list(ids))
        by_node: dict[str, list[Contribution]] = {twin_id: [] for twin_id in ids}
        # paced: ~20,000 contributions of a building's rules held the event loop for seconds
        async for node, contribution in paced(_contributions(found)):
            by_node[node].append(contribution)
        return {twin_id: combine(found) async for twin_id, found in paced(by_node.items())}

    async def _observations(
        self, tx: neo4j.AsyncManagedTransaction, ids: Sequence[str], properties: set[str]
    ) -> dict[str, list[Observation]]:
        """twin_id -> its current values of `properties` (own, points, located, served)."""
        found: dict[str, list[Observation]] = {twin_id: [] for twin_id in ids}
        if not ids or not properties:
            return found
        wanted = sorted(properties)
        own = await self._batched(tx, "reasoning/own_values", "ids", ids, properties=wanted)
        async for row in paced(own):
            number = as_number(row["value"])
            if number is not None:
                found[row["node"]].append(
                    Observation(
                        node=row["node"],
                        property=row["property"],
                        value=number,
                        unit=row["unit"],
                        route="own",
                        holder=row["holder"],
                        via=_steps(row["via"]),
                    )
                )
        classes = measuring_classes(wanted)
        points: dict[str, Record] = {}
        for start in range(0, len(ids), self._batch_size):
            chunk = list(ids[start : start + self._batch_size])
            [batch] = await self._run(
                tx, "reasoning/point_values", ids=chunk, properties=wanted, classes=classes
            )
            points |= {p["point"]: p | {"at": _native(p["at"])} for p in batch["points"]}
            async for row in paced(batch["rows"]):
                p = points[row["point"]]
                found[row["node"]] += point_observations(
                    row["node"],
                    properties,
                    point=row["point"],
                    measures=p["measures"],
                    brick_class=p["brick_class"],
                    value=p["value"],
                    unit=p["unit"],
                    route=row["route"],
                    at=p["at"],
                    quality=p["quality"],
                    health=p["health"],
                    via=_steps(row["via"]),
                )
        return {twin_id: _closest(values) async for twin_id, values in paced(found.items())}

    async def _capacity(
        self,
        tx: neo4j.AsyncManagedTransaction,
        effective: dict[str, list[EffectiveConstraint]],
    ) -> list[CapacityCheck]:
        # an unconditional capacity constraint sits in every group of its property: once each
        unique = {
            (c.node, c.constraint_id): c
            for groups in effective.values()
            for group in groups
            if group.constraint_type == CAPACITY
            for c in group.contributions
        }
        capacities = list(unique.values())
        if not capacities:
            return []
        parents = sorted({c.node for c in capacities})
        rows = await self._batched(tx, "reasoning/feed_network", "parents", parents)
        reached: dict[str, list[Reached]] = defaultdict(list)
        for row in rows:
            reached[row["parent"]].append(
                Reached(row["twin_id"], row["name"], tuple(row["members"]), tuple(row["feeds"]))
            )
        networks = {parent: build_network(parent, reached[parent]) for parent in parents}
        nodes = sorted({key for network in networks.values() for key in network})
        readings = await self._observations(tx, nodes, {c.property for c in capacities})
        checks = []
        for c in sorted(capacities, key=lambda c: (c.node, c.constraint_id)):
            network = {
                key: replace(node, readings=tuple(readings.get(key, ())))
                for key, node in networks[c.node].items()
            }
            checks.append(check_capacity(c, c.node, network))
        return unique_checks(checks)


# --- records -> dataclasses ----------------------------------------------------------------


def _contributions(found: Record) -> Iterator[tuple[str, Contribution]]:
    """(node, contribution) for every route of reasoning/contributions and every rule of its
    anchor; the chain: the regulation's HAS_PART, the APPLIES_TO, the route down (each step
    made once, however many routes walk it)."""
    relationships = {r["id"]: r for r in found["steps"]}
    rules: dict[str, list[tuple[Record, tuple[Step, ...]]]] = defaultdict(list)
    for rule in found["rules"]:
        head = [rule["has_part"]] if rule["has_part"] else []
        # each rule's fields read once, not once per node it reaches
        rules[rule["anchor"]].append((_rule_fields(rule), _steps([*head, rule["applies_to"]])))
    steps: dict[tuple[str, bool], Step] = {}
    for route in found["routes"]:
        path = []
        for key in zip(route["steps"], route["backwards"], strict=True):
            if key not in steps:
                steps[key] = _step(relationships[key[0]], reverse=key[1])
            path.append(steps[key])
        node = route["node"]
        for fields, head in rules[route["anchor"]]:
            yield node, Contribution(**fields, node=node, because=(*head, *path))


def _step(relationship: Record, *, reverse: bool) -> Step:
    """`relationship` walked from its start node to its end node or, `reverse`, backwards."""
    here, there = ("end", "start") if reverse else ("start", "end")
    return Step(
        from_id=relationship[f"{here}_id"],
        relation=relationship["relation"],
        to_id=relationship[f"{there}_id"],
        reverse=reverse,
        from_name=relationship[f"{here}_name"],
        to_name=relationship[f"{there}_name"],
        selector=relationship["selector"],
        sources=tuple(relationship["sources"] or ()),
    )


def _rule_fields(rule: Record) -> Record:
    """A rule's `Contribution` fields, but for the node it reaches and the chain."""
    return {
        "constraint_id": rule["constraint_id"],
        "name": rule["name"] or rule["constraint_id"],
        "property": rule["property"],
        "min": as_number(rule["min"]),
        "max": as_number(rule["max"]),
        "unit": rule["unit"] or "",
        "severity": rule["severity"] or "hard",
        "constraint_type": rule["constraint_type"] or "range",
        "when": rule["when"],
        "regulation": rule["regulation"],
    }


def _steps(rows: Iterable[Record]) -> tuple[Step, ...]:
    return tuple(
        Step(
            from_id=r["from_id"],
            relation=r["relation"],
            to_id=r["to_id"],
            reverse=bool(r["reverse"]),
            from_name=r["from_name"],
            to_name=r["to_name"],
            selector=r["selector"],
            sources=tuple(r["sources"] or ()),
        )
        for r in rows
    )


def _closest(values: list[Observation]) -> list[Observation]:
    """One observation per (property, holder): a point that is both the node's point and
    located in it counts once, by its closest route."""
    best: dict[tuple[str, str], Observation] = {}
    for o in values:
        key = (o.property, o.holder)
        if key not in best or o.rank < best[key].rank:
            best[key] = o
    return sorted(best.values(), key=lambda o: (o.property, o.rank))


def _properties(effective: dict[str, list[EffectiveConstraint]]) -> set[str]:
    return {e.property for groups in effective.values() for e in groups}


def _all(by_node: dict[str, list[T]]) -> list[T]:
    return [item for items in by_node.values() for item in items]


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value
