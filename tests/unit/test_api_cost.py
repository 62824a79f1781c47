"""The real work of a query counts in its cost, introspection can be turned off, and one key's
reads wait for each other's turn: checked on the document and the gates alone, no server."""

from __future__ import annotations

import asyncio

import pytest
from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    get_introspection_query,
    parse,
)

from graphtwin.api.key_gates import KeyGates
from graphtwin.api.limits import (
    SUBTREE_REASONING,
    QueryLimits,
    QueryRefusedError,
    analyse,
)
from graphtwin.api.schema import build_schema
from graphtwin.config import Settings

SCHEMA = build_schema()


def _cost(query: str, limits: QueryLimits | None = None) -> int:
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return analyse(SCHEMA._schema, operation, fragments, {}, limits or QueryLimits(),
                   SCHEMA.field_permissions, SCHEMA.field_work).cost  # fmt: skip


def _refusal(query: str, limits: QueryLimits | None = None) -> QueryRefusedError:
    with pytest.raises(QueryRefusedError) as refused:
        _cost(query, limits)
    return refused.value


def _aliases(field: str, count: int = 1000) -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def test_a_thousand_aliases_of_violations_cost_a_thousand_reasonings_and_are_refused():
    one = _cost('{ violations(scope: "campus") { twinId } }')
    assert one >= SUBTREE_REASONING.per_call
    refused = _refusal(_aliases('violations(scope: "campus") { twinId }'))
    assert refused.code == "COST_LIMIT"
    assert "aliases" in str(refused)


@pytest.mark.parametrize(
    "field",
    [
        'effectiveConstraints(twinId: "bldg-a") { property }',
        'capacityChecks(scope: "campus") { twinId }',
        'node(twinId: "x") { effectiveConstraints { property } }',
        'node(twinId: "x") { lineage { sources { sourceId } } }',
        'search(text: "ahu") { twinId }',
        'node(twinId: "x") { descendants(maxDepth: 50) { twinId } }',
    ],
)
def test_every_costly_field_counts_its_work_so_a_thousand_aliases_are_refused(field: str):
    assert _refusal(_aliases(field)).code == "COST_LIMIT"


def test_a_walk_costs_more_the_deeper_it_may_go():
    shallow = _cost('{ node(twinId: "x") { descendants(maxDepth: 1) { twinId } } }')
    deep = _cost('{ node(twinId: "x") { descendants(maxDepth: 30) { twinId } } }')
    assert deep > shallow


def test_introspection_counts_the_objects_it_returns_so_a_thousand_schemas_are_refused():
    refused = _refusal(_aliases("__schema { types { name fields { name } } }"))
    assert refused.code == "COST_LIMIT"
    one = _cost("{ __schema { types { name fields { name } } } }")
    types = len(SCHEMA._schema.type_map)
    assert one > types  # each type, and the fields of each


def test_graphiqls_own_introspection_query_fits_the_default_limits():
    query = get_introspection_query(descriptions=True, input_value_deprecation=True)
    assert 0 < _cost(query) <= QueryLimits().max_cost  # deeper than max_depth, and allowed


def test_turned_off_introspection_refuses_schema_and_type_but_not_typename():
    off = QueryLimits(introspection=False)
    assert _refusal("{ __schema { queryType { name } } }", off).code == "INTROSPECTION_DISABLED"
    fragment = '{ ...t } fragment t on Query { __type(name: "Node") { name } }'
    assert _refusal(fragment, off).code == "INTROSPECTION_DISABLED"
    assert _cost('{ __typename node(twinId: "x") { __typename name } }', off) > 0


def test_the_limits_follow_the_settings():
    settings = Settings(
        api_query_max_cost=5_000,
        api_query_timeout_s=2.5,
        api_reads_per_key=2,
        api_reasonings_per_key=3,
        api_introspection=False,
        api_search_max_chars=50,
    )
    limits = QueryLimits.from_settings(settings)
    assert (limits.max_cost, limits.timeout_s, limits.reads_per_key) == (5_000, 2.5, 2)
    assert limits.reasonings_per_key == 3
    assert (limits.introspection, limits.max_search_chars) == (False, 50)
    assert _refusal('{ violations(scope: "x") { twinId } }', limits).code == "COST_LIMIT"


def test_a_key_runs_one_expensive_read_at_a_time_and_its_cheap_reads_still_go():
    async def scenario() -> tuple[int, bool]:
        gates = KeyGates(per_key=4, expensive_per_key=1)
        busy = most = 0
        release = asyncio.Event()

        async def reasoning() -> None:
            nonlocal busy, most
            async with gates.slot("k", expensive=True):
                busy += 1
                most = max(most, busy)
                await release.wait()
                busy -= 1

        started = [asyncio.create_task(reasoning()) for _ in range(5)]
        await asyncio.sleep(0.01)
        try:
            async with asyncio.timeout(1):
                async with gates.slot("k"):  # a cheap read of the same key
                    cheap = True
        finally:
            release.set()
            await asyncio.gather(*started)
        return most, cheap

    most, cheap = asyncio.run(scenario())
    assert most == 1 and cheap


def test_one_keys_reads_wait_for_its_own_slots_while_another_key_goes_ahead():
    async def scenario() -> tuple[int, bool]:
        gates = KeyGates(per_key=2)
        busy = 0
        most = 0
        release = asyncio.Event()

        async def read(key: str) -> None:
            nonlocal busy, most
            async with gates.slot(key):
                if key == "greedy":
                    busy += 1
                    most = max(most, busy)
                    await release.wait()
                    busy -= 1

        greedy = [asyncio.create_task(read("greedy")) for _ in range(10)]
        await asyncio.sleep(0.01)
        other_done = False
        try:
            await asyncio.wait_for(read("other"), timeout=1)  # not behind the greedy key
            other_done = True
        finally:
            release.set()
            await asyncio.gather(*greedy)
        assert gates.in_use("greedy") == 0  # a key's gate goes with its last read
        return most, other_done

    most, other_done = asyncio.run(scenario())
    assert most == 2
    assert other_done
