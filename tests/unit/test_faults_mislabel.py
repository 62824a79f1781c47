"""Mislabels change the twin graph that is loaded, never the building or what it serves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from graphtwin.virtual.faults import FaultsFileError, apply_mislabels
from tests.unit.test_faults_file import entry, load
from tests.unit.test_faults_model import PREFIX, tiny_points

Z1 = f"{PREFIX}/zone/Z1"
Z2 = f"{PREFIX}/zone/Z2"


def twin_graph(points=None) -> TwinGraph:
    """The tiny model as the importer would give it: zones, the AHU, the points on them."""
    graph = TwinGraph(SourceInfo("eplus:tiny", "energyplus", "tiny.epJSON", "0" * 64))
    for twin_id, kind in ((Z1, "Zone"), (Z2, "Zone"), (f"{PREFIX}/ahu/AHU-1", "Equipment"),
                          (f"{PREFIX}/fan/AHU-1_Fan", "Equipment"),
                          (f"{PREFIX}/building/tiny", "Building")):  # fmt: skip
        graph.add_node(TwinNode(twin_id, kind, twin_id.rsplit("/", 1)[-1]))
    for point in points or tiny_points():
        graph.add_node(
            TwinNode(point.twin_id, "Point", point.name, {"brick_class": point.brick_class})
        )
        graph.add_relationship(TwinRelationship(point.parent, "HAS_POINT", point.twin_id))
    return graph


MISLABELS = (
    "  - {type: mislabel, target: zone/Z1/air-temperature,"
    " brick_class: Supply_Air_Temperature_Sensor}\n"
    "  - {type: mislabel, target: zone/Z2/air-temperature, parent: Z1}\n"
)


def test_a_mislabel_changes_the_points_class_or_parent_in_a_copy_of_the_graph(tmp_path):
    plan = load(tmp_path, entry(MISLABELS))
    graph = twin_graph()
    wrong = apply_mislabels(graph, plan)
    assert wrong.nodes[f"{Z1}/air-temperature"].properties["brick_class"] == (
        "Supply_Air_Temperature_Sensor"
    )
    moved = f"{Z2}/air-temperature"
    assert (Z1, "HAS_POINT", moved) in wrong.relationships
    assert (Z2, "HAS_POINT", moved) not in wrong.relationships
    changed = {k for k in wrong.nodes if wrong.nodes[k].properties != graph.nodes[k].properties}
    assert changed == {f"{Z1}/air-temperature"}
    assert set(wrong.relationships) ^ set(graph.relationships) == {
        (Z1, "HAS_POINT", moved),
        (Z2, "HAS_POINT", moved),
    }
    # the input graph is left as it was
    assert graph.nodes[f"{Z1}/air-temperature"].properties["brick_class"] == (
        "Zone_Air_Temperature_Sensor"
    )
    assert (Z2, "HAS_POINT", moved) in graph.relationships


def test_a_mislabel_serves_the_truth_and_sets_no_actuator(tmp_path):
    plan = load(tmp_path, entry(MISLABELS))
    now = datetime(2025, 7, 2, 12, tzinfo=UTC)
    values = {p.twin_id: 20.0 + i for i, p in enumerate(tiny_points())}
    assert plan.served(now, values) == values
    assert plan.actuators() == []
    assert plan.actuations(now) == []
    assert [m.point for m in plan.mislabels()] == [f"{Z1}/air-temperature", f"{Z2}/air-temperature"]


def test_a_mislabel_of_a_point_the_graph_lacks_names_the_entry(tmp_path):
    plan = load(tmp_path, entry(MISLABELS))
    without = [p for p in tiny_points() if p.twin_id != f"{Z2}/air-temperature"]
    with pytest.raises(FaultsFileError) as caught:
        apply_mislabels(twin_graph(without), plan)
    assert (caught.value.line, caught.value.entity) == (4, "fault mislabel-2")
    assert f"{Z2}/air-temperature is not in the twin graph" in caught.value.reason
