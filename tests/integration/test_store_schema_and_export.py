"""Schema migrations on the real server, and reading the twin back out."""

from __future__ import annotations

import pytest

from graphtwin.errors import MigrationError, TwinNotFoundError
from graphtwin.store import migrations
from importers.twinfile import TwinFileImporter
from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j

DEMO = ROOT / "examples" / "demo-campus.yaml"


def test_migrations_are_recorded_applied_once_and_create_the_twin_id_constraint(store):
    assert store.pending_migrations() == []
    assert store.migrate() == []  # idempotent
    applied = store.applied_migrations()
    assert [(m.version, m.name) for m in applied][:1] == [(1, "core_schema")]
    constraints = {c["name"]: c for c in store.constraints()}
    twin_id = constraints["twin_id_unique"]
    assert twin_id["type"] == "UNIQUENESS"
    assert (twin_id["labels"], twin_id["properties"]) == (["Twin"], ["twin_id"])
    assert constraints["source_id_unique"]["properties"] == ["source_id"]
    index_names = {i["name"] for i in store.indexes()}
    for origin in ("uri", "brick_class", "ifc_guid", "ifc_class", "isa95_id", "isa95_level"):
        assert f"twin_{origin}" in index_names


def test_a_migration_edited_after_it_was_applied_is_refused(store, monkeypatch):
    shipped = migrations.available_migrations()

    class Edited(migrations.Migration):
        @property
        def checksum(self) -> str:
            return "0" * 64

    edited = [Edited(m.version, m.name, m.statement_name) for m in shipped]
    monkeypatch.setattr(migrations, "available_migrations", lambda: edited)
    with pytest.raises(MigrationError) as caught:
        store.pending_migrations()
    assert "0001_core_schema was changed" in str(caught.value)


def test_export_returns_what_was_imported_and_nothing_else(store):
    graph = TwinFileImporter().parse(DEMO)
    store.load([graph])
    exported = store.export()
    assert exported.sources == {"demo-campus"}
    assert exported.formats == {"twin"}
    assert {t: (n.kind, n.name, n.properties) for t, n in exported.graph.nodes.items()} == {
        t: (n.kind, n.name, n.properties) for t, n in graph.nodes.items()
    }
    assert {k: r.properties for k, r in exported.graph.relationships.items()} == {
        k: r.properties for k, r in graph.relationships.items()
    }


def test_a_subtree_export_follows_containment_down_and_location_up(store):
    store.load([TwinFileImporter().parse(DEMO)])
    exported = store.export(root="bldg-a.l1")
    assert {
        "bldg-a.l1",
        "bldg-a.l1.lobby",
        "bldg-a.l1.r101",
        "bldg-a.l1.mech",
        "ahu-1",
        "ahu-1-bim",  # LOCATED_IN the mechanical room
        "ahu-1.sat",
        "ahu-1.sat-sp",
        "ahu-1.fan-status",  # points of the AHU
    } == set(exported.graph.nodes)
    # FEEDS to VAVs on other floors, MEMBER_OF the system, etc. leave the subtree
    assert exported.left_out > 0
    assert all(
        r.start in exported.graph.nodes and r.end in exported.graph.nodes
        for r in exported.graph.iter_relationships()
    )


def test_exporting_below_a_node_that_does_not_exist_names_it(store):
    with pytest.raises(TwinNotFoundError) as caught:
        store.export(root="nowhere")
    assert caught.value.entity == "nowhere"
    assert caught.value.exit_code == 2
