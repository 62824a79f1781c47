"""The twin as it was, on the real Neo4j: answers recorded at a time are given again as of it,
and the changes between two times are exactly those the imports made (docs/history.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from neo4j.time import Date, DateTime

from graphtwin.errors import AsOfError, TwinNotFoundError
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.store import LoadReport, TwinStore
from graphtwin.store.asof import nodes_at
from graphtwin.store.reader import ExportedTwin
from graphtwin.store.versions import NodeState, Stamp, close_nodes

pytestmark = pytest.mark.neo4j


def building(
    sha: str,
    *,
    area: float = 42.0,
    ahu: bool = True,
    room2: bool = False,
    point_in: str = "room",
) -> TwinGraph:
    """A small building: each argument is one kind of change a re-import makes."""
    g = TwinGraph(SourceInfo("twin:b.yaml", "twin", "b.yaml", sha * 64))
    g.add_node(TwinNode("site", "Site", "Site", {"address": "1 Road"}))
    room = {"area_m2": area, "tags": ["a", "b"], "opened": "2025-01-01T00:00:00Z"}
    g.add_node(TwinNode("room", "Space", "Room", room))  # text like a time stays text
    g.add_node(TwinNode("temp", "Point", "Temp", {"brick_class": "Temperature_Sensor"}))
    g.add_node(
        TwinNode(
            "code",
            "Regulation",
            "Code",
            {"selects_as": "APPLIES_TO", "selects_kind": "Space"},
        )
    )
    g.add_relationship(TwinRelationship("site", "CONTAINS", "room"))
    g.add_relationship(TwinRelationship(point_in, "HAS_POINT", "temp"))
    if ahu:
        g.add_node(TwinNode("ahu", "Equipment", "AHU", {"brick_class": "Air_Handling_Unit"}))
        g.add_relationship(TwinRelationship("ahu", "SERVES", "room", {"design_flow": 2.5}))
    if room2:
        g.add_node(TwinNode("room2", "Space", "Room 2", {"area_m2": 10.0}))
        g.add_relationship(TwinRelationship("site", "CONTAINS", "room2"))
    return g


def answers(store: TwinStore) -> dict[str, object]:
    """What the present-time reads say (the export and the lineage of two nodes)."""
    exported = store.export()
    return {
        "export": _graph(exported),
        "sources": (sorted(exported.sources), sorted(exported.formats)),
        "room": store.lineage("room"),
        "site": store.lineage("site"),
        "subtree": _graph(store.export(root="site")),
    }


def answers_at(store: TwinStore, at: datetime) -> dict[str, object]:
    exported = store.export_at(at)
    return {
        "export": _graph(exported),
        "sources": (sorted(exported.sources), sorted(exported.formats)),
        "room": store.lineage_at("room", at),
        "site": store.lineage_at("site", at),
        "subtree": _graph(store.export_at(at, root="site")),
    }


def _graph(exported: ExportedTwin) -> tuple[list, list, int]:
    g = exported.graph
    nodes = [(n.twin_id, n.kind, n.name, n.properties) for n in g.nodes.values()]
    rels = [(r.start, r.type, r.end, r.properties) for r in g.iter_relationships()]
    return sorted(nodes), sorted(rels), exported.left_out


def after(store: TwinStore, graph: TwinGraph) -> tuple[LoadReport, datetime]:
    [report] = store.load([graph], diff=True, allow_retire=True)
    return report, datetime.now(UTC)


def test_answers_recorded_at_each_time_are_given_again_as_of_that_time(store):
    _, t1 = after(store, building("a"))
    recorded = {t1: answers(store)}
    # a property change, a node retired, a relationship moved, a node (and a selector edge) new
    report2, t2 = after(store, building("b", area=50.0, ahu=False, room2=True, point_in="room2"))
    recorded[t2] = answers(store)
    # the retired node re-created, the new room retired (its selector edge dropped)
    report3, t3 = after(store, building("c", area=50.0))
    recorded[t3] = answers(store)
    assert report2.selector_rels_created == 1 and report3.selector_rels_deleted == 0
    assert report3.nodes_retired == 1 and report3.nodes_created == 1

    for at, then in recorded.items():
        assert answers_at(store, at) == then, at
    # the property's lineage as it was, not as it is
    assert store.lineage_at("room", t1).property("area_m2").value == 42.0
    assert store.lineage_at("room", t3).property("area_m2").value == 50.0
    # a closed version keeps each value's type: text like a time, a time with its microseconds
    then = store.lineage_at("room", t1)
    assert then.property("opened").value == "2025-01-01T00:00:00Z"
    assert store.lineage("room").property("opened").value == "2025-01-01T00:00:00Z"
    with pytest.raises(TwinNotFoundError) as caught:
        store.lineage_at("room2", t1)
    assert caught.value.at == t1.isoformat() and t1.isoformat() in caught.value.message
    assert store.lineage_at("room2", t2).labels == ("Space", "Twin")


def test_the_changes_between_two_times_are_exactly_those_the_import_made(store):
    _, t1 = after(store, building("a"))
    report, t2 = after(store, building("b", area=50.0, ahu=False, room2=True, point_in="room2"))
    made = report.diff
    assert made is not None

    changes = store.diff_between(t1, t2)
    assert {n.twin_id for n in changes.of("added")} == set(made.added) == {"room2"}
    assert {n.twin_id for n in changes.of("removed")} == set(made.removed) == {"ahu"}
    assert {n.twin_id: n.keys for n in changes.of("changed")} == made.changed
    [room] = changes.of("changed")
    assert (room.old, room.new) == ({"area_m2": 42.0}, {"area_m2": 50.0})
    assert room.sources == ["twin:b.yaml"] and room.runs == [report.run_id]

    def keys(kind: str) -> set[tuple[str, str, str]]:
        return {(r.start, r.type, r.end) for r in changes.relationships_of(kind)}

    selector_edge = ("code", "APPLIES_TO", "room2")
    assert keys("added") == set(made.relationships_added) | {selector_edge}
    assert keys("removed") == set(made.relationships_removed)
    assert keys("changed") == set(made.relationships_changed) == set()
    made_by = {(r.start, r.type, r.end): r.sources for r in changes.relationships}
    assert made_by[selector_edge] == ["selector:code"]
    # nothing changed after t2; a root restricts the diff to what lay below it
    assert store.diff_between(t2, datetime.now(UTC)).empty
    below_room = store.diff_between(t1, t2, root="room")
    assert [n.twin_id for n in below_room.nodes] == ["room"]


def test_a_time_before_the_history_or_in_the_future_is_an_error_naming_the_range(store):
    _, t1 = after(store, building("a"))
    for at in (t1 - timedelta(days=1), datetime.now(UTC) + timedelta(hours=1)):
        with pytest.raises(AsOfError) as caught:
            store.export_at(at)
        assert at.isoformat() in caught.value.message
        assert caught.value.start is not None and caught.value.start <= t1.isoformat()


def test_a_closed_version_gives_back_each_value_with_its_neo4j_type(store):
    """No importer writes a time on a twin node today; a version written by any path must still
    give one back exactly (with its nanoseconds), and text that looks like a time as text."""
    _, t1 = after(store, building("a"))
    surveyed = DateTime(2025, 6, 1, 9, 30, 0, 123456789, tzinfo=UTC)
    props = {"twin_id": "old", "kind": "Space", "name": "Old", "opened": "2025-01-01T00:00:00Z",
             "surveyed": surveyed, "days": [Date(2025, 1, 1)], "big": 2**62, "share": 0.1 + 0.2,
             "version_from": DateTime.from_native(t1 - timedelta(seconds=1))}  # fmt: skip
    stamp = Stamp(t1, "test", "test-run")
    with store.driver.session(database=store.database) as session:
        session.execute_write(
            lambda tx: close_nodes(tx, [NodeState("-", ["Space", "Twin"], props, [])], stamp)
        )
        [old] = nodes_at(session, ["old"], t1 - timedelta(microseconds=1)).values()
    assert old.props == {k: v for k, v in props.items() if k != "version_from"}
    assert isinstance(old.props["opened"], str) and isinstance(old.props["surveyed"], DateTime)
