"""Versions of the twin on the real Neo4j: each change keeps the state before it (history.md)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from benchmarks.baseline import in_one_transaction, write_minimal
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.statements import cypher, split_statements
from graphtwin.store import TwinStore
from graphtwin.store.version_codec import decode, decode_assertions

pytestmark = pytest.mark.neo4j

RUN_ID = re.compile(r"^import-\d{8}T\d{6}Z-[0-9a-f]{8}$")


def site(sha: str = "a", *, area: float = 42.0, with_ahu: bool = True) -> TwinGraph:
    g = TwinGraph(SourceInfo("twin:site.yaml", "twin", "site.yaml", sha * 64))
    g.add_node(TwinNode("site", "Site", "Site", {"address": "1 Road"}))
    g.add_node(TwinNode("room", "Space", "Room", {"area_m2": area}))
    g.add_relationship(TwinRelationship("site", "CONTAINS", "room"))
    if with_ahu:
        g.add_node(TwinNode("ahu", "Equipment", "AHU", {"brick_class": "Air_Handling_Unit"}))
        g.add_relationship(TwinRelationship("ahu", "SERVES", "room"))
    return g


def live_stamp(store: TwinStore, twin_id: str) -> tuple[object, ...]:
    [props] = store.read("api/properties", ids=[twin_id])
    p = props["props"]
    return p["version_from"], p["version_source"], p["version_run"]


def test_a_changed_property_keeps_the_previous_state_as_a_version_named_by_the_next_run(store):
    [first] = store.load([site()])
    assert RUN_ID.match(first.run_id) and first.to_json()["run_id"] == first.run_id
    began, _, _ = live_stamp(store, "room")
    [second] = store.load([site("b", area=50.0)])
    assert second.run_id != first.run_id

    [version] = store.node_versions("room")
    assert decode(version["props"])["area_m2"] == 42.0
    assert version["labels"] == ["Space", "Twin"]
    assert (version["version_run"], version["closed_by_run"]) == (first.run_id, second.run_id)
    assert version["version_from"] == began and version["retired"] is False
    [assertion] = decode_assertions(version["assertions"])
    assert assertion["source_id"] == "twin:site.yaml" and "sha256" not in assertion
    now_from, now_source, now_run = live_stamp(store, "room")
    assert now_from == version["version_to"] and (now_source, now_run) == (
        "twin:site.yaml",
        second.run_id,
    )
    # only the room changed; the source's earlier file is kept too
    assert store.version_counts() == {"node_versions": 1, "edge_versions": 0, "source_versions": 1}
    assert "version_from" not in {p.key for p in store.lineage("room").properties}


def test_re_importing_an_unchanged_file_writes_no_version(store):
    store.load([site()])
    stamps = [live_stamp(store, t) for t in ("site", "room", "ahu")]
    [again] = store.load([site()])
    assert not again.changed
    assert store.version_counts() == {"node_versions": 0, "edge_versions": 0, "source_versions": 0}
    assert [live_stamp(store, t) for t in ("site", "room", "ahu")] == stamps


def test_a_retired_node_ends_in_a_retired_version_and_its_relationships_in_edge_versions(store):
    store.load([site()])
    [report] = store.load([site("b", with_ahu=False)])
    assert report.nodes_retired == 1
    [ahu] = store.node_versions("ahu")
    assert ahu["retired"] is True and ahu["closed_by_run"] == report.run_id
    assert decode(ahu["props"])["brick_class"] == "Air_Handling_Unit"
    counts = store.version_counts()
    assert counts["edge_versions"] == 1  # SERVES went with it
    # the room lost a relationship but nothing of its own: no version
    assert store.node_versions("room") == []


def test_db_reset_removes_the_history_with_the_twin(store):
    store.load([site()])
    store.load([site("b", area=1.0, with_ahu=False)])
    assert sum(store.version_counts().values()) > 0
    store.reset()
    assert store.version_counts() == {"node_versions": 0, "edge_versions": 0, "source_versions": 0}


def test_the_migration_dates_a_twin_made_before_versioning_and_names_itself(store):
    # nodes and relationships as a store before versioning (or a hand) wrote them: no stamps
    in_one_transaction(store.driver, store.database, write_minimal, site(), 100)
    before = datetime.now(UTC)
    for statement in split_statements(cypher("migrations/0010_versions")):
        store.driver.execute_query(statement, database_=store.database)
    for twin_id in ("site", "room", "ahu"):
        began, source, run = live_stamp(store, twin_id)
        assert began.to_native() >= before and (source, run) == ("migration", "migration")
    [rel] = store.read("api/relationships", ids=["site"], types=["CONTAINS"])
    assert rel["props"]["version_run"] == "migration"


def test_a_change_outside_an_import_keeps_the_state_before_it_named_by_its_actor(store):
    [report] = store.load([site()])
    [row] = store.write_versioned(
        "ml/plant_mislabel", ["ahu"], actor="demo", twin_id="ahu", brick_class="Fan"
    )
    assert row["twin_id"] == "ahu"
    [before] = store.node_versions("ahu")
    assert decode(before["props"])["brick_class"] == "Air_Handling_Unit"
    assert (before["version_run"], before["closed_by_source"]) == (report.run_id, "demo")
    _, source, run = live_stamp(store, "ahu")
    assert source == "demo" and run == before["closed_by_run"] and run.startswith("demo-")
