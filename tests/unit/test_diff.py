"""Deciding what an import changes, from what the source asserted before (no database)."""

from __future__ import annotations

import pytest

from graphtwin.errors import ConflictingKindError, DanglingRelationshipError
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.store.diff import (
    Assertion,
    ForeignNode,
    PreviousRelationship,
    check_endpoints,
    diff_nodes,
    diff_relationships,
    relationships_to_look_up,
)


def graph(*nodes: TwinNode, rels: tuple[TwinRelationship, ...] = ()) -> TwinGraph:
    g = TwinGraph(SourceInfo("s", "twin", "s.yaml", "0" * 64))
    for n in nodes:
        g.add_node(n)
    for r in rels:
        g.add_relationship(r)
    return g


ROOM = TwinNode("room", "Space", "Room", {"area": 1})
AHU = TwinNode("ahu", "Equipment", "AHU")


def asserted(node: TwinNode, *, defines: bool = True, hash_: str | None = None) -> Assertion:
    return Assertion(
        node.kind, f"n-{node.twin_id}", f"a-{node.twin_id}", hash_ or node.content_hash(), defines
    )


def test_new_nodes_are_created_and_known_unchanged_ones_are_left_alone():
    diff = diff_nodes(graph(ROOM, AHU), {"room": asserted(ROOM)}, {})
    assert [n.twin_id for n in diff.created] == ["ahu"]
    assert diff.unchanged == 1 and diff.updated == []


def test_a_different_hash_or_a_node_of_another_source_is_an_update():
    diff = diff_nodes(
        graph(ROOM, AHU),
        {"room": asserted(ROOM, hash_="old")},
        {"ahu": ForeignNode("Equipment", "n-ahu")},
    )
    assert sorted(u.node_eid for u in diff.updated) == ["n-ahu", "n-room"]


def test_a_node_only_referred_to_before_and_now_defined_is_an_update():
    diff = diff_nodes(graph(ROOM), {"room": asserted(ROOM, defines=False)}, {})
    assert [u.node.twin_id for u in diff.updated] == ["room"]


def test_a_kind_that_differs_from_the_graph_is_a_conflict():
    with pytest.raises(ConflictingKindError):
        diff_nodes(graph(ROOM), {}, {"room": ForeignNode("Equipment", "n-room")})


def test_nodes_no_longer_defined_are_retracted_and_unused_references_dropped():
    old_ref = TwinNode("other", "Space", "Other")
    diff = diff_nodes(
        graph(ROOM, rels=(TwinRelationship("room", "LOCATED_IN", "ahu"),)),
        {"room": asserted(ROOM), "ahu": asserted(AHU), "other": asserted(old_ref, defines=False)},
        {},
    )
    assert list(diff.retracted) == ["ahu"]  # retracted as a definition, still referred to
    assert diff.references_stale == ["a-other"]
    assert diff.references_new == []  # "ahu" was attached to the source already


def test_endpoints_must_exist_and_not_be_deleted_by_the_same_import():
    g = graph(ROOM, rels=(TwinRelationship("room", "LOCATED_IN", "ahu"),))
    check_endpoints(g, {}, {"ahu": ForeignNode("Equipment", "n-ahu")}, deleted=set())
    with pytest.raises(DanglingRelationshipError):
        check_endpoints(g, {}, {}, deleted=set())
    with pytest.raises(DanglingRelationshipError):
        check_endpoints(g, {"ahu": asserted(AHU)}, {}, deleted={"ahu"})


def test_relationships_of_nodes_created_now_are_not_looked_up():
    rels = (
        TwinRelationship("room", "LOCATED_IN", "ahu"),
        TwinRelationship("ahu", "SERVES", "room"),
    )
    g = graph(ROOM, AHU, rels=rels)
    assert relationships_to_look_up(g, {}, created=[AHU]) == []
    previous = {("room", "LOCATED_IN", "ahu"): PreviousRelationship("r1", None)}
    assert [r.key for r in relationships_to_look_up(g, previous, created=[])] == [
        ("ahu", "SERVES", "room")
    ]


def test_relationships_are_created_updated_unchanged_or_retracted():
    kept = TwinRelationship("room", "LOCATED_IN", "ahu")
    changed = TwinRelationship("ahu", "SAME_AS", "room", {"confidence": 0.9})
    shared = TwinRelationship("ahu", "SERVES", "room")
    new = TwinRelationship("ahu", "HAS_PART", "room")
    previous = {
        kept.key: PreviousRelationship("r-kept", kept.content_hash()),
        changed.key: PreviousRelationship("r-changed", "stale"),
        ("room", "FEEDS", "ahu"): PreviousRelationship("r-gone", None),
    }
    diff = diff_relationships(
        graph(ROOM, AHU, rels=(kept, changed, shared, new)),
        previous,
        elsewhere={shared.key: "r-shared"},
    )
    assert diff.unchanged == 1
    assert sorted(u.rel_eid for u in diff.updated) == ["r-changed", "r-shared"]
    assert diff.created == [new]
    assert diff.retracted == {("room", "FEEDS", "ahu"): "r-gone"}
