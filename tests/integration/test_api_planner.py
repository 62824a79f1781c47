"""The planner answers exactly what strawberry's own execution answers, in fewer statements.

Both read the same field declarations; these queries run both ways over the sample buildings
(every standard, linked) and the results must be equal, while the planner runs one statement per
field and level however many nodes there are. Its fused statements (`graphtwin.api.fused_cypher`:
a chain of hierarchy fields in one statement) answer the same JSON, byte for byte, as its
per-level reads.
"""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import orjson
import pytest
import strawberry
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from graphtwin.api.apikeys import ApiKeyStore
from graphtwin.api.context import ApiContext, ApiServices
from graphtwin.api.limits import QueryLimits, QueryRefusedError
from graphtwin.api.planner import Planner
from graphtwin.api.roles import Principal, Role
from graphtwin.api.schema import build_schema
from graphtwin.store import TwinStore, resolve_target
from graphtwin.store.connection import open_async_driver
from tests.conftest import GRAPHTWIN, ROOT

pytestmark = pytest.mark.neo4j

EXAMPLES = ROOT / "examples"
QUERIES = [
    """{ node(twinId: "campus") { __typename twinId kind labels children { name kind
         children(types: [CONTAINS]) { name children(types: [LOCATED_IN]) { twinId
           points { twinId current { value unit health } } downstream { twinId } } } } } }""",
    """{ nodes(kind: "Equipment", first: 4) { items { twinId origin { uri ifcGuid isa95Id }
         sameAs { twinId kind } parent { twinId } } pageInfo { hasNextPage endCursor } } }""",
    """query($id: ID!) { a: node(twinId: $id) { ...n upstream { ...n } }
         b: node(twinId: "no-such-node") { twinId } }
       fragment n on Node { twinId name properties ancestors(maxDepth: 3) { twinId } }""",
    """{ search(text: "AHU", first: 5) { twinId relationships { type direction sources selector
         other { twinId } } lineage { sources { sourceId fileName } importRuns { sourceId keys }
         properties { key sourceId assertedBy } } } }""",
    """query($skip: Boolean!) { nodesById(twinIds: ["ahu-1", "vav-101"]) { twinId
         name @skip(if: $skip) brickClass @include(if: $skip) } }""",
    # fused: six levels down the default hierarchy in one statement
    """{ node(twinId: "campus") { twinId kind labels children(first: 5) { __typename name kind
         children(first: 5) { twinId brickClass retired { at } children { name kind children {
           twinId name labels current { value text unit timestamp quality source health }
           parent { twinId } children { twinId current { value health } } } } } } } }""",
]
FUSED = [
    QUERIES[-1],
    """query($b: ID!) { b: node(twinId: $b) { ...f floors: children(types: [CONTAINS]) { ...f
         rooms: children(types: [CONTAINS], kinds: ["Space"]) { ...f
           equipment: children(types: [LOCATED_IN]) { ...f parts: children(types: [HAS_PART])
             { ...f } points(first: 20) { ...f current { value unit timestamp health } } } } } } }
       fragment f on Node { id: twinId name }""",
    """{ nodesById(twinIds: ["urn:riverside:bldg-b/vav-201", "ahu-1",
         "urn:riverside:bldg-b/vav-201", "no-such-node"]) { twinId parents(first: 2) { name }
         points { twinId current { value text } } } }""",
    # fused below a root field that is not: one statement per chain, for all its parents
    """{ search(text: "VAV", first: 5) { twinId parent { name parent { name } }
         points { name current { value } } } }""",
    """{ node(twinId: "ahu-1") { downstream { twinId points { name } } children { name } } }""",
]
VALUES = [  # every kind of value a point's `current` shows: float, integer, large, text, none
    ("urn:riverside:bldg-b/ahu-2-sat", 16.5, "ok"),
    ("urn:riverside:bldg-b/ahu-2-oat", 7, "stale"),
    ("urn:riverside:bldg-b/vav-201-zat", 12_345_678.9, "fault"),
    ("urn:riverside:bldg-b/ahu-2-fan-status", "on", None),
    ("vav-101.zat", 21.25, "ok"),
]


class CountingContext(ApiContext):
    statements = 0

    async def read(self, statement: str, **params: Any):
        CountingContext.statements += 1
        return await super().read(statement, **params)

    async def read_compiled(self, text: str, params: dict[str, Any]):
        CountingContext.statements += 1
        return await super().read_compiled(text, params)


async def _both_ways(settings, query: str) -> tuple[Any, Any, int, int]:
    target = resolve_target(settings)
    driver = await open_async_driver(target)
    try:
        services = ApiServices(driver, target.database, settings, ApiKeyStore(driver, "neo4j"))
        schema = build_schema()
        admin = Principal("test", "test", Role.ADMIN)
        variables = {"id": "vav-101", "skip": True}
        CountingContext.statements = 0
        planned = await schema.execute(query, variables, CountingContext(services, admin))
        planned_statements = CountingContext.statements
        CountingContext.statements = 0
        reference = await strawberry.Schema.execute(
            schema, query, variables, CountingContext(services, admin)
        )
        return planned, reference, planned_statements, CountingContext.statements
    finally:
        await driver.close()


@pytest.fixture(scope="module")
def twin(neo4j_settings, neo4j_env):
    """The sample buildings, imported once for the module (read-only tests)."""
    with TwinStore.open(neo4j_settings) as store:
        store.reset()
    commands = [
        ["import", "twin", EXAMPLES / "demo-campus.yaml"],
        ["import", "brick", EXAMPLES / "riverside-building-b.ttl"],
        ["import", "ifc", EXAMPLES / "riverside-building-b.ifc"],
        ["link"],
    ]
    for args in commands:
        subprocess.run([str(GRAPHTWIN), *map(str, args)], env=neo4j_env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    rows = [{"twin_id": twin_id, "value": value, "at": "2026-12-01T08:00:00.250Z",
             "quality": "good", "source": "test", "health": health}
            for twin_id, value, health in VALUES]  # fmt: skip
    with TwinStore.open(neo4j_settings) as store:
        [written] = store.write("bench/api_point_values", rows=rows)
    assert written["points"] == len(VALUES)
    return neo4j_settings


@pytest.mark.parametrize("query", QUERIES)
def test_the_planner_and_strawberry_give_the_same_answer(twin, query: str):
    planned, reference, _, _ = asyncio.run(_both_ways(twin, query))
    assert reference.errors is None, reference.errors
    assert planned.errors is None, planned.errors
    assert planned.data == reference.data
    assert planned.data and any(v is not None for v in planned.data.values())


def test_the_planner_runs_one_statement_per_field_and_level(twin):
    query = QUERIES[0]  # 5 levels; points and downstream per piece of equipment
    planned, _, statements, reference_statements = asyncio.run(_both_ways(twin, query))
    assert planned.errors is None
    # node, 3 x children, points, downstream (a walk: one statement per depth, 2 deep here)
    assert statements <= 8, statements
    assert statements <= reference_statements


async def _fused_and_per_level(
    settings, query: str, limits: QueryLimits | None = None
) -> list[tuple[bytes, int]]:
    """(the answer as JSON, statements run) of the planner with and without fusion."""
    schema = build_schema()
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    variables = get_variable_values(schema._schema, operation.variable_definitions or (),
                                    {"b": "urn:riverside:bldg-b/building"})  # fmt: skip
    target = resolve_target(settings)
    driver = await open_async_driver(target)
    try:
        services = ApiServices(driver, target.database, settings, ApiKeyStore(driver, "neo4j"))
        admin = Principal("test", "test", Role.ADMIN)
        found = []
        for fuse in (True, False):
            planner = Planner(schema._schema, limits or services.limits, fuse=fuse)
            CountingContext.statements = 0
            data = await planner.execute(CountingContext(services, admin), operation, fragments,
                                         variables)  # fmt: skip
            found.append((orjson.dumps(data), CountingContext.statements))
        return found
    finally:
        await driver.close()


@pytest.mark.parametrize("query", FUSED)
def test_fused_statements_answer_the_same_json_as_the_per_level_planner(twin, query: str):
    (fused, fused_statements), (per_level, statements) = asyncio.run(
        _fused_and_per_level(twin, query)
    )
    assert fused == per_level
    assert fused_statements <= statements
    answer = orjson.loads(fused)
    assert any(answer.values())


def test_a_chain_of_hierarchy_fields_runs_as_one_statement(twin):
    [(fused, statements), (_, per_level)] = asyncio.run(_fused_and_per_level(twin, FUSED[1]))
    assert statements == 1
    assert per_level >= 5  # building, floors, rooms, equipment, parts + points
    text = fused.decode()
    for twin_id, _, _ in VALUES[:2]:  # the plant room's AHU's points, with their values
        assert f'"id":"{twin_id}"' in text
    assert '"value":16.5' in text and '"value":7,' in text


def test_a_fused_answer_counts_its_objects_towards_the_result_limit(twin):
    [(fused, _), _] = asyncio.run(_fused_and_per_level(twin, FUSED[1]))
    objects = fused.count(b'"id":') + fused.count(b'"current":{')  # nodes, values
    limit = QueryLimits(max_result_objects=objects)  # the root counts one more
    with pytest.raises(QueryRefusedError, match=f"more than {objects} objects"):
        asyncio.run(_fused_and_per_level(twin, FUSED[1], limit))
    asyncio.run(_fused_and_per_level(twin, FUSED[1], QueryLimits(max_result_objects=objects + 1)))
