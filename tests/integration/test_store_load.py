"""Loading twin graphs into the real Neo4j: idempotent, atomic, with provenance and lineage."""

from __future__ import annotations

import pytest

from graphtwin.errors import ConflictingKindError, DanglingRelationshipError, SourceLocation
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.store import TwinStore

pytestmark = pytest.mark.neo4j


def source(source_id: str = "twin:site.yaml", sha: str = "a") -> SourceInfo:
    # the format its id's prefix names (a source belongs to its format)
    return SourceInfo(source_id, source_id.split(":")[0], source_id.split(":")[-1], sha * 64)


def site_graph(src: SourceInfo | None = None, *, area: float = 42.0) -> TwinGraph:
    g = TwinGraph(src or source())
    g.add_node(TwinNode("site", "Site", "Site", {"address": "1 Road"}))
    g.add_node(TwinNode("room", "Space", "Room", {"area_m2": area, "tags": ["a", "b"]}))
    g.add_node(TwinNode("ahu", "Equipment", "AHU", {"brick_class": "Air_Handling_Unit"}))
    g.add_relationship(TwinRelationship("site", "CONTAINS", "room"))
    g.add_relationship(TwinRelationship("ahu", "SERVES", "room"))
    g.add_relationship(TwinRelationship("ahu", "SAME_AS", "room", {"confidence": 0.1}))
    return g


def snapshot(store: TwinStore) -> tuple[dict, dict]:
    """Everything the twin holds, to compare before and after."""
    exported = store.export().graph
    nodes = {t: (n.kind, n.name, n.properties) for t, n in exported.nodes.items()}
    rels = {k: r.properties for k, r in exported.relationships.items()}
    return nodes, rels


def test_a_first_load_creates_every_node_and_relationship_with_labels_and_provenance(store):
    [report] = store.load([site_graph()])
    assert (report.nodes_created, report.nodes_updated, report.nodes_unchanged) == (3, 0, 0)
    assert (report.rels_created, report.rels_updated, report.rels_unchanged) == (3, 0, 0)
    assert report.sha256 == "a" * 64

    room = store.lineage("room")
    assert room.labels == ("Space", "Twin")
    assert room.property("area_m2").value == 42.0
    assert room.property("area_m2").source_id == "twin:site.yaml"
    assert room.property("tags").value == ["a", "b"]
    assert room.sources["twin:site.yaml"]["keys"] == ["kind", "name", "area_m2", "tags"]
    serves = next(r for r in room.relationships if r.type == "SERVES")
    assert serves.sources == ("twin:site.yaml",) and not serves.outgoing
    counts = store.counts()
    assert counts.nodes_by_kind == {"Equipment": 1, "Site": 1, "Space": 1}
    assert counts.relationships_by_type == {"CONTAINS": 1, "SAME_AS": 1, "SERVES": 1}
    assert [s["source_id"] for s in counts.sources] == ["twin:site.yaml"]
    assert counts.sources[0]["nodes"] == 3


def test_reloading_the_same_graph_reports_nothing_created_or_updated_and_changes_nothing(store):
    store.load([site_graph()])
    before = snapshot(store)
    lineage_before = store.lineage("room")
    [again] = store.load([site_graph()])
    assert (again.nodes_created, again.nodes_updated, again.nodes_unchanged) == (0, 0, 3)
    assert (again.rels_created, again.rels_updated, again.rels_unchanged) == (0, 0, 3)
    assert not again.changed
    assert snapshot(store) == before
    assert store.lineage("room") == lineage_before  # not even a timestamp moved


def test_a_changed_value_updates_one_node_and_moves_only_that_propertys_timestamp(store):
    store.load([site_graph(area=42.0)])
    before = store.lineage("room")
    [report] = store.load([site_graph(source(sha="b"), area=50.0)])
    assert (report.nodes_created, report.nodes_updated, report.nodes_unchanged) == (0, 1, 2)
    after = store.lineage("room")
    assert after.property("area_m2").value == 50.0
    assert after.property("area_m2").changed_at > before.property("area_m2").changed_at
    assert after.property("tags").changed_at == before.property("tags").changed_at
    assert after.property("name").changed_at == before.property("name").changed_at


def test_entities_the_source_no_longer_asserts_are_removed(store):
    store.load([site_graph()])
    smaller = TwinGraph(source())
    smaller.add_node(TwinNode("site", "Site", "Site"))  # dropped its address
    smaller.add_node(TwinNode("room", "Space", "Room", {"area_m2": 42.0, "tags": ["a", "b"]}))
    smaller.add_relationship(TwinRelationship("site", "CONTAINS", "room"))
    [report] = store.load([smaller])
    assert (report.nodes_removed, report.nodes_retired) == (1, 1)
    assert report.nodes_updated == 1  # site lost a property
    # SERVES and SAME_AS were both retracted and deleted with the AHU
    assert (report.rels_removed, report.rels_deleted) == (2, 2)
    nodes, rels = snapshot(store)
    assert set(nodes) == {"site", "room"}
    assert "address" not in nodes["site"][2]
    assert set(rels) == {("site", "CONTAINS", "room")}
    # the AHU left the live twin but not the history
    [record] = store.retired("ahu")
    assert record["retired_by"] == "twin:site.yaml"
    assert record["props"]["brick_class"] == "Air_Handling_Unit"
    assert store.counts().retired == 1


def test_a_node_asserted_by_two_sources_survives_when_one_retracts_it(store):
    store.load([site_graph()])
    bim = TwinGraph(source("ifc:model.ifc"))
    bim.add_node(TwinNode("ahu", "Equipment", "AHU", {"ifc_guid": "0abc"}))
    [report] = store.load([bim])
    assert (report.nodes_created, report.nodes_updated) == (0, 1)
    ahu = store.lineage("ahu")
    assert set(ahu.sources) == {"twin:site.yaml", "ifc:model.ifc"}
    assert ahu.property("ifc_guid").source_id == "ifc:model.ifc"
    assert ahu.property("brick_class").source_id == "twin:site.yaml"

    without_ahu = site_graph()
    del without_ahu.nodes["ahu"]
    for key in [k for k in without_ahu.relationships if "ahu" in k]:
        del without_ahu.relationships[key]
    [report] = store.load([without_ahu])
    assert (report.nodes_removed, report.nodes_retired) == (1, 0)
    ahu = store.lineage("ahu")
    assert set(ahu.sources) == {"ifc:model.ifc"}
    assert [p.key for p in ahu.properties] == ["ifc_guid", "kind", "name", "twin_id"]


def test_relationships_to_nodes_of_another_source_are_remembered_and_retracted(store):
    store.load([site_graph()])
    rules = TwinGraph(source("twin:rules.yaml"))
    rules.add_node(TwinNode("code", "Regulation", "Fire code"))
    rules.add_relationship(TwinRelationship("code", "APPLIES_TO", "room"))
    rules.add_relationship(TwinRelationship("ahu", "SERVES", "room"))  # also asserted by site
    [report] = store.load([rules])
    assert (report.rels_created, report.rels_updated) == (1, 1)
    serves = next(r for r in store.lineage("ahu").relationships if r.type == "SERVES")
    assert set(serves.sources) == {"twin:site.yaml", "twin:rules.yaml"}

    rules_v2 = TwinGraph(source("twin:rules.yaml", sha="c"))
    rules_v2.add_node(TwinNode("code", "Regulation", "Fire code"))
    [report] = store.load([rules_v2])
    # APPLIES_TO leaves the graph; SERVES stays, asserted by the site source alone
    assert (report.rels_removed, report.rels_deleted) == (2, 1)
    _, rels = snapshot(store)
    assert ("code", "APPLIES_TO", "room") not in rels
    serves = next(r for r in store.lineage("ahu").relationships if r.type == "SERVES")
    assert serves.sources == ("twin:site.yaml",)


def test_a_relationship_to_a_node_nowhere_in_file_or_graph_writes_nothing(store):
    store.load([site_graph()])
    before = snapshot(store)
    g = site_graph(source("twin:other.yaml"))
    g.add_relationship(
        TwinRelationship("ahu", "FEEDS", "vav-9", location=SourceLocation("other.yaml", 12))
    )
    with pytest.raises(DanglingRelationshipError) as caught:
        store.load([g])
    assert caught.value.line == 12
    assert caught.value.entity == "(ahu)-[:FEEDS]->(vav-9)"
    assert "vav-9" in caught.value.reason
    assert snapshot(store) == before
    assert [s["source_id"] for s in store.counts().sources] == ["twin:site.yaml"]


def test_a_kind_that_contradicts_the_graph_is_refused_and_nothing_is_written(store):
    store.load([site_graph()])
    before = snapshot(store)
    g = TwinGraph(source("twin:other.yaml"))
    g.add_node(TwinNode("new", "Space", "New"))
    g.add_node(TwinNode("room", "Equipment", "Room", location=SourceLocation("other.yaml", 3)))
    with pytest.raises(ConflictingKindError) as caught:
        store.load([g])
    assert caught.value.entity == "room" and caught.value.line == 3
    assert snapshot(store) == before


def test_several_graphs_load_in_one_transaction_all_or_nothing(store):
    good = site_graph()
    bad = TwinGraph(source("twin:bad.yaml"))
    bad.add_node(TwinNode("x", "Space", "X"))
    bad.add_relationship(TwinRelationship("x", "LOCATED_IN", "missing"))
    with pytest.raises(DanglingRelationshipError):
        store.load([good, bad])
    assert store.counts().nodes == 0
    assert store.counts().sources == []


def test_a_later_graph_in_the_same_load_can_refer_to_an_earlier_one(store):
    rules = TwinGraph(source("twin:rules.yaml"))
    rules.add_node(TwinNode("code", "Regulation", "Fire code"))
    rules.add_relationship(TwinRelationship("code", "APPLIES_TO", "room"))
    reports = store.load([site_graph(), rules])
    assert [r.nodes_created for r in reports] == [3, 1]
    assert store.counts().relationships == 4


def test_a_dry_run_reports_the_changes_and_writes_nothing(store):
    [report] = store.load([site_graph()], dry_run=True)
    assert report.dry_run and report.nodes_created == 3 and report.rels_created == 3
    assert store.counts().nodes == 0
    store.load([site_graph()])
    [report] = store.load([site_graph(source(sha="b"), area=1.0)], dry_run=True)
    assert report.nodes_updated == 1
    assert store.lineage("room").property("area_m2").value == 42.0


def test_loads_larger_than_one_batch_are_complete(neo4j_settings):
    with TwinStore.open(neo4j_settings) as small_batches:
        small_batches.batch_size = 7
        small_batches.reset()
        g = TwinGraph(source("twin:big.yaml"))
        g.add_node(TwinNode("floor", "Floor", "Floor"))
        for i in range(50):
            g.add_node(TwinNode(f"room-{i}", "Space", f"Room {i}", {"n": i}))
            g.add_relationship(TwinRelationship("floor", "CONTAINS", f"room-{i}"))
        [first] = small_batches.load([g])
        [second] = small_batches.load([g])
        assert (first.nodes_created, first.rels_created) == (51, 50)
        assert (second.nodes_unchanged, second.rels_unchanged) == (51, 50)
        assert small_batches.counts().relationships_by_type == {"CONTAINS": 50}


def test_progress_is_reported_per_stage(store):
    seen: list[tuple[str, int, int]] = []
    store.load(
        [site_graph()], progress=lambda stage, done, total: seen.append((stage, done, total))
    )
    assert ("writing nodes", 3, 3) in seen
    assert ("writing relationships", 3, 3) in seen


def test_a_diff_lists_what_was_added_removed_and_which_properties_changed(store):
    store.load([site_graph()])
    newer = site_graph(source(sha="b"), area=50.0)
    del newer.nodes["ahu"]
    for key in [k for k in newer.relationships if "ahu" in k]:
        del newer.relationships[key]
    newer.add_node(TwinNode("room2", "Space", "Room 2"))
    newer.add_relationship(TwinRelationship("site", "CONTAINS", "room2"))
    [report] = store.load([newer], diff=True)
    diff = report.diff
    assert diff is not None
    assert diff.added == ["room2"]
    assert diff.removed == ["ahu"]
    assert diff.changed == {"room": ["area_m2"]}
    assert diff.relationships_added == [("site", "CONTAINS", "room2")]
    assert sorted(diff.relationships_removed) == [
        ("ahu", "SAME_AS", "room"),
        ("ahu", "SERVES", "room"),
    ]
    [again] = store.load([newer], diff=True)
    assert again.diff is not None and again.diff.empty
