"""The API's node queries over the real Neo4j: Brick classes with their subclasses, what one
source defines, and retired entities on request.

Each query runs both ways (the planner and strawberry's own execution) and both must agree.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry

from graphtwin.api.apikeys import ApiKeyStore
from graphtwin.api.context import ApiContext, ApiServices
from graphtwin.api.roles import Principal, Role
from graphtwin.api.schema import build_schema
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.store import TwinStore, resolve_target
from graphtwin.store.connection import open_async_driver

pytestmark = pytest.mark.neo4j

SCHEMA = build_schema()
PLANT = SourceInfo("brick:plant.ttl", "brick", "plant.ttl", "b" * 64)
SITE = SourceInfo("twin:site.yaml", "twin", "site.yaml", "a" * 64)


def plant(*, with_old_vav: bool = True) -> TwinGraph:
    """A Brick model without a Building: an AHU, a rooftop unit (a Brick subclass of AHU), a
    VAV box and a retiring VAV."""
    g = TwinGraph(PLANT)
    g.add_node(TwinNode("ahu-1", "Equipment", "AHU 1", {"brick_class": "Air_Handling_Unit"}))
    g.add_node(TwinNode("rtu-1", "Equipment", "Rooftop 1", {"brick_class": "Rooftop_Unit"}))
    g.add_node(TwinNode("vav-1", "Equipment", "VAV 1", {"brick_class": "Variable_Air_Volume_Box"}))
    if with_old_vav:
        g.add_node(TwinNode("vav-old", "Equipment", "Old Zebra VAV", {"brick_class": "VAV"}))
        g.add_relationship(TwinRelationship("ahu-1", "FEEDS", "vav-old"))
    g.add_relationship(TwinRelationship("ahu-1", "FEEDS", "vav-1"))
    return g


def site() -> TwinGraph:
    """A twin file with a Building whose AHU is declared with Brick's alias (AHU)."""
    g = TwinGraph(SITE)
    g.add_node(TwinNode("bldg", "Building", "Building", {"brick_class": "Building"}))
    g.add_node(TwinNode("ahu-b", "Equipment", "AHU B", {"brick_class": "AHU"}))
    g.add_relationship(TwinRelationship("bldg", "CONTAINS", "ahu-b"))
    return g


def ask(settings, query: str, role: Role = Role.ADMIN) -> tuple[dict[str, Any] | None, list]:
    """(data, errors) of a query, after checking the planner and strawberry agree on it."""

    async def both_ways() -> tuple[Any, Any]:
        target = resolve_target(settings)
        driver = await open_async_driver(target)
        try:
            services = ApiServices(driver, target.database, settings, ApiKeyStore(driver, "neo4j"))
            principal = Principal("test", "test", role)
            planned = await SCHEMA.execute(query, None, ApiContext(services, principal))
            reference = await strawberry.Schema.execute(
                SCHEMA, query, None, ApiContext(services, principal)
            )
            return planned, reference
        finally:
            await driver.close()

    planned, reference = asyncio.run(both_ways())
    assert planned.data == reference.data
    assert [e.message for e in planned.errors or []] == [e.message for e in reference.errors or []]
    return planned.data, list(planned.errors or [])


def ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["twinId"] for n in nodes]


@pytest.fixture
def twin(store: TwinStore, neo4j_settings):
    store.load([site(), plant()])
    return neo4j_settings


def test_a_brick_class_finds_its_subclasses_and_aliases_unless_exact(twin):
    data, errors = ask(
        twin,
        """{ all: nodes(brickClass: "Air_Handling_Unit") { items { twinId brickClass } }
             exact: nodes(brickClass: "Air_Handling_Unit", exact: true) { items { twinId } }
             rtus: nodes(brickClass: "Rooftop_Unit") { items { twinId } } }""",
    )
    assert not errors
    assert ids(data["all"]["items"]) == ["ahu-1", "ahu-b", "rtu-1"]
    assert ids(data["exact"]["items"]) == ["ahu-1"]
    assert ids(data["rtus"]["items"]) == ["rtu-1"]


def test_nodes_of_one_source_are_those_it_defines(twin):
    data, errors = ask(
        twin,
        """{ plant: nodes(source: "brick:plant.ttl", kind: "Equipment") { items { twinId } }
             site: nodes(source: "twin:site.yaml") { items { twinId } } }""",
    )
    assert not errors
    assert ids(data["plant"]["items"]) == ["ahu-1", "rtu-1", "vav-1", "vav-old"]
    assert ids(data["site"]["items"]) == ["ahu-b", "bldg"]


def test_an_unknown_source_is_an_error_naming_it(twin):
    data, errors = ask(twin, '{ nodes(source: "brick:nope.ttl") { items { twinId } } }')
    assert data is None
    assert "brick:nope.ttl" in errors[0].message


def test_retired_entities_appear_only_when_asked_for_with_when_and_by_whom(twin, store):
    store.load([plant(with_old_vav=False)])  # the model no longer defines vav-old
    [record] = store.retired("vav-old")

    hidden, errors = ask(
        twin,
        """{ node(twinId: "vav-old") { twinId }
             nodesById(twinIds: ["vav-old", "vav-1"]) { twinId retired { at } }
             search(text: "zebra") { twinId } }""",
    )
    assert not errors
    assert hidden == {"node": None, "nodesById": [{"twinId": "vav-1", "retired": None}],
                      "search": []}  # fmt: skip

    shown, errors = ask(
        twin,
        """{ node(twinId: "vav-old", includeRetired: true) {
               twinId kind name brickClass labels retired { at by }
               properties origin { brickClass } children { twinId }
               lineage { sources { sourceId } events { type sourceId } } }
             nodesById(twinIds: ["vav-old", "vav-1"], includeRetired: true) {
               twinId retired { by } }
             search(text: "zebra", includeRetired: true) { twinId retired { by } } }""",
    )
    assert not errors
    node = shown["node"]
    assert (node["twinId"], node["kind"], node["name"]) == ("vav-old", "Equipment", "Old Zebra VAV")
    assert node["brickClass"] == "VAV" and node["origin"] == {"brickClass": "VAV"}
    assert node["labels"] == ["Retired"]
    assert node["retired"]["by"] == "brick:plant.ttl"
    assert node["retired"]["at"].startswith(record["retired_at"].iso_format()[:19])
    assert node["properties"]["brick_class"] == "VAV"
    assert node["children"] == []
    assert node["lineage"] == {
        "sources": [],
        "events": [{"type": "retired", "sourceId": "brick:plant.ttl"}],
    }
    assert shown["nodesById"] == [
        {"twinId": "vav-old", "retired": {"by": "brick:plant.ttl"}},
        {"twinId": "vav-1", "retired": None},
    ]
    assert shown["search"] == [{"twinId": "vav-old", "retired": {"by": "brick:plant.ttl"}}]


def test_an_entity_that_came_back_is_shown_live_not_as_its_retirement(twin, store):
    store.load([plant(with_old_vav=False)])
    store.load([plant()])  # defined again: a new live node; the retirement record stays
    assert store.retired("vav-old")
    data, errors = ask(
        twin,
        """{ node(twinId: "vav-old", includeRetired: true) { labels retired { at } }
             search(text: "zebra", includeRetired: true) { twinId retired { at } } }""",
    )
    assert not errors
    assert sorted(data["node"]["labels"]) == ["Equipment", "Twin"]
    assert data["node"]["retired"] is None
    assert data["search"] == [{"twinId": "vav-old", "retired": None}]
