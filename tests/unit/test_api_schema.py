"""The API's schema, limits and keys, without a server: the parts that are pure."""

from __future__ import annotations

import asyncio

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from graphtwin.api.apikeys import ApiKeyStore
from graphtwin.api.limits import STATEMENT, QueryLimits, QueryRefusedError, analyse
from graphtwin.api.roles import ROLE_PERMISSIONS, Permission, Role
from graphtwin.api.schema import build_schema
from graphtwin.statements import cypher
from tests.conftest import ROOT

SCHEMA = build_schema()


def test_docs_schema_graphql_is_the_schema_the_code_serves():
    committed = (ROOT / "docs" / "schema.graphql").read_text(encoding="utf-8")
    assert committed.strip() == SCHEMA.as_str().strip(), (
        "docs/schema.graphql is stale: run `graphtwin schema graphql > docs/schema.graphql`"
    )


def _analyse(query: str, limits: QueryLimits | None = None, variables: dict | None = None):
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    values = get_variable_values(SCHEMA._schema, operation.variable_definitions or (),
                                 variables or {})  # fmt: skip
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return analyse(SCHEMA._schema, operation, fragments, values, limits or QueryLimits(),
                   SCHEMA.field_permissions, SCHEMA.field_work)  # fmt: skip


STATEMENTS = STATEMENT.per_call
"""What each field loaded from Neo4j adds for its statement."""


def test_cost_counts_objects_times_the_lists_they_are_in():
    analysis = _analyse(
        '{ node(twinId: "b") { children(first: 5) { points(first: 7) { name } } } }'
    )
    assert analysis.cost == 1 + 5 + 5 * 7 + 3 * STATEMENTS
    assert analysis.depth == 4  # nested selection sets, the operation's own included
    # without `first`, a list counts as the typical fan-out, not its (larger) default cap
    typical = QueryLimits().typical_fan_out
    cost = _analyse('{ node(twinId: "b") { children { name } } }').cost
    assert cost == 1 + typical + 2 * STATEMENTS


def test_first_from_a_variable_counts_and_is_capped():
    query = "query($n: Int!) { nodes(first: $n) { items { twinId } } }"
    assert _analyse(query, variables={"n": 40}).cost == 1 + 40 + STATEMENTS
    with pytest.raises(QueryRefusedError) as refused:
        _analyse(query, variables={"n": 5000})
    assert refused.value.code == "PAGE_LIMIT"


def test_depth_and_cost_limits_refuse_before_anything_runs():
    with pytest.raises(QueryRefusedError) as deep:
        _analyse('{ node(twinId: "b") { parent { parent { parent { name } } } } }',
                 QueryLimits(max_depth=3))  # fmt: skip
    assert deep.value.code == "DEPTH_LIMIT"
    with pytest.raises(QueryRefusedError) as costly:
        _analyse('{ nodes(first: 1000) { items { sameAs { sameAs { twinId } } } } }',
                 QueryLimits(max_cost=10_000))  # fmt: skip
    assert costly.value.code == "COST_LIMIT"


def test_fields_behind_a_permission_are_found_through_fragments():
    analysis = _analyse(
        '{ node(twinId: "b") { ...audit } } fragment audit on Node { lineage { events { at } } }'
    )
    assert analysis.permissions == {Permission.AUDIT}
    assert _analyse('{ node(twinId: "b") { name } }').permissions == set()


def test_roles_grant_what_their_names_say():
    assert ROLE_PERMISSIONS[Role.VIEWER] == {Permission.READ}
    assert Permission.AUDIT in ROLE_PERMISSIONS[Role.AUDITOR]
    assert Permission.IMPORT not in ROLE_PERMISSIONS[Role.AUDITOR]
    assert Permission.WRITE_VALUES in ROLE_PERMISSIONS[Role.OPERATOR]
    assert ROLE_PERMISSIONS[Role.ADMIN] == set(Permission)


@pytest.mark.parametrize(
    "token", ["", "Bearer x", "gt_short_secret", "gt_0123456789ab_" + "x" * 42, "gt_ZZ_" + "x" * 43]
)
def test_a_malformed_key_is_refused_without_asking_the_database(token: str):
    no_database = ApiKeyStore(None, "neo4j")  # type: ignore[arg-type] - must not be used
    assert asyncio.run(no_database.verify(token)) is None


def test_the_node_view_is_the_same_wherever_nodes_are_shaped():
    def view(name: str) -> str:
        text = cypher(f"api/{name}")
        start = text.index("n {\n")
        return text[start : text.index("} END", start) + 5]

    assert view("neighbours") == view("nodes_by_id")
    assert view("retired_nodes_by_id") == view("nodes_by_id")
