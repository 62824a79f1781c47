"""Relations between points from the twin graph: a zone's points belong to the AHU that feeds
its terminal, as do the AHU's fans' points; siblings share a group and a kind."""

from __future__ import annotations

from graphtwin.behaviour.relations import Relations
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.prediction.kinds import PointKind


def graph() -> TwinGraph:
    g = TwinGraph(SourceInfo("s", "test", "plant.yaml", "0" * 64))
    for twin_id, kind in [("ahu", "Equipment"), ("fan", "Equipment"), ("vav-1", "Equipment"),
                          ("vav-2", "Equipment"), ("z1", "Zone"), ("z2", "Zone")]:  # fmt: skip
        g.add_node(TwinNode(twin_id, kind, twin_id))
    points = {
        "fan.status": ("fan", "Fan_Status"),
        "z1.t": ("z1", "Zone_Air_Temperature_Sensor"),
        "z2.t": ("z2", "Zone_Air_Temperature_Sensor"),
        "z1.sp": ("z1", "Zone_Air_Cooling_Temperature_Setpoint"),
    }
    for point, (parent, cls) in points.items():
        g.add_node(TwinNode(point, "Point", point, {"brick_class": cls}))
        g.add_relationship(TwinRelationship(parent, "HAS_POINT", point))
    for start, rel, end in [("ahu", "HAS_PART", "fan"), ("ahu", "FEEDS", "vav-1"),
                            ("ahu", "FEEDS", "vav-2"), ("vav-1", "FEEDS", "z1"),
                            ("vav-2", "FEEDS", "z2")]:  # fmt: skip
        g.add_relationship(TwinRelationship(start, rel, end))
    return g


def test_a_zone_point_belongs_to_the_ahu_that_feeds_its_terminal():
    rel = Relations.from_graph(graph())
    assert {p: rel.points[p].group for p in rel.points} == {
        "fan.status": "ahu", "z1.t": "ahu", "z2.t": "ahu", "z1.sp": "ahu",
    }  # fmt: skip
    assert rel.kind("z1.t") is PointKind.ZONE_TEMPERATURE
    assert rel.siblings("z1.t") == ["z2.t"]
    assert rel.context("z1.t") == ["fan.status", "z1.sp", "z2.t"]
    assert rel.in_group_of_kind("fan.status", PointKind.ZONE_TEMPERATURE) == ["z1.t", "z2.t"]
    assert rel.parents_like("z1.t") == ["z1", "z2"]


def test_rows_as_the_cypher_read_gives_them_relate_the_same_as_the_graph():
    from_graph = Relations.from_graph(graph())
    rows = [
        {"twin_id": p.twin_id, "brick_class": p.brick_class, "unit": None, "name": p.twin_id,
         "parent": p.parent, "parent_kind": p.parent_kind, "group": p.group}
        for p in from_graph.points.values()
    ]  # fmt: skip
    assert Relations.from_rows(rows).points == from_graph.points


def test_a_point_without_a_parent_is_its_own_group_of_none():
    rel = Relations.from_rows([{"twin_id": "lonely", "brick_class": None, "name": "power"}])
    assert rel.points["lonely"].group is None and rel.kind("lonely") is PointKind.POWER
    assert rel.peers("lonely") == [] and rel.context("lonely") == []
