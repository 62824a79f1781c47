"""The planner answers exactly what strawberry's own execution answers, in fewer statements.

Both read the same field declarations; these queries run both ways over the sample buildings
(every standard, linked) and the results must be equal, while the planner runs one statement per
field and level however many nodes there are.
"""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import pytest
import strawberry

from graphtwin.api.apikeys import ApiKeyStore
from graphtwin.api.context import ApiContext, ApiServices
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
]


class CountingContext(ApiContext):
    statements = 0

    async def read(self, statement: str, **params: Any):
        CountingContext.statements += 1
        return await super().read(statement, **params)


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
