"""Detection per building, names judged against what the source said, habits summarised once per
building, and findings grouped by shape."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from graphtwin.drift.findings import Finding
from graphtwin.drift.issues import DriftType, Severity
from graphtwin.ml.data_quality import summarise
from graphtwin.ml.dataset import building
from graphtwin.ml.detection import rule_findings
from graphtwin.ml.groups import groups, with_groups
from graphtwin.ml.rules import semantic_findings
from graphtwin.ml.scopes import building_scopes, scoped_arrays
from graphtwin.ml.tensors import GraphArrays, relationship_types
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from importers.brick import BrickImporter
from tests.support.ml_buildings import building_file


def _graph(*nodes: tuple[str, str], links: tuple[tuple[str, str, str], ...] = ()) -> TwinGraph:
    graph = TwinGraph(SourceInfo("twin:test.yaml", "twin", "test.yaml", "0" * 64))
    for twin_id, kind in nodes:
        graph.add_node(TwinNode(twin_id, kind, twin_id))
    for start, rel, end in links:
        graph.add_relationship(TwinRelationship(start, rel, end))
    return graph


def _arrays(tmp_path: Path, vavs: int = 4) -> GraphArrays:
    return building(building_file(tmp_path, "alpha", vavs=vavs)).arrays


def test_each_building_is_a_scope_and_a_file_without_one_is_scoped_by_its_source() -> None:
    graph = _graph(
        ("site", "Site"), ("a", "Building"), ("a.ahu", "Equipment"), ("a.ahu.sat", "Point"),
        ("b", "Building"), ("b-ifc", "Building"), ("b.fan", "Equipment"),
        ("loose", "Point"), ("reg", "Regulation"), ("nobody", "Point"),
        links=(
            ("site", "CONTAINS", "a"), ("a", "HAS_PART", "a.ahu"),
            ("a.ahu", "HAS_POINT", "a.ahu.sat"),
            ("b.fan", "LOCATED_IN", "b-ifc"), ("b", "SAME_AS", "b-ifc"),
            ("a.ahu", "FEEDS", "b.fan"),  # across buildings: it does not join them
        ),
    )  # fmt: skip
    defined_by = {
        "twin:a.yaml": {"site", "a", "a.ahu", "a.ahu.sat", "loose"},
        "governance:regs.yaml": {"reg"},
    }
    scopes = {s.name: set(s.twin_ids) for s in building_scopes(graph, defined_by)}
    assert scopes == {
        "a": {"a", "a.ahu", "a.ahu.sat", "site", "loose"},  # its source's stray nodes with it
        "b": {"b", "b-ifc", "b.fan"},  # one building described twice (SAME_AS)
        "source governance:regs.yaml": {"reg"},
        "no source": {"nobody"},
    }
    arrays = scoped_arrays(graph, building_scopes(graph, defined_by))
    assert arrays.graph_of[arrays.index["a.ahu"]] != arrays.graph_of[arrays.index["b.fan"]]
    assert arrays.names[arrays.graph_of[arrays.index["b.fan"]]] == "b"


def test_a_class_the_importer_normalised_is_judged_as_the_source_said_it(tmp_path: Path) -> None:
    path = tmp_path / "ahu.ttl"
    path.write_text(
        "@prefix brick: <https://brickschema.org/schema/Brick#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix ex: <http://example.org/b#> .\n"
        'ex:ahu a brick:AHU ; rdfs:label "AHU-1" ; brick:hasPoint ex:dat, ex:rat .\n'
        'ex:dat a brick:Discharge_Air_Temperature_Sensor ; rdfs:label "AHU-1 DAT" .\n'
        'ex:rat a brick:Discharge_Air_Temperature_Sensor ; rdfs:label "AHU-1 Return Air Temp" .\n'
    )
    graph = BrickImporter().parse(path)
    assert graph.nodes["http://example.org/b#dat"].properties["brick_class"] == (
        "Supply_Air_Temperature_Sensor"  # the importer normalised it
    )
    arrays = scoped_arrays(graph, building_scopes(graph, {}))
    found = {arrays.twin_ids[f.row]: f for f in semantic_findings(arrays)}
    assert set(found) == {"http://example.org/b#rat"}  # "DAT" is no contradiction, "Return" is
    assert found["http://example.org/b#rat"].description == (
        "name says return, class Discharge_Air_Temperature_Sensor says discharge"
    )


def test_words_brick_renames_into_one_another_do_not_contradict(tmp_path: Path) -> None:
    arrays = _arrays(tmp_path)
    row = arrays.index["alpha.vav0.p1"]  # a Supply_Air_Flow_Sensor
    pieces = list(arrays.name_pieces)
    pieces[row] = frozenset({"vav", "100", "discharge", "air", "flow"})
    assert semantic_findings(replace(arrays, name_pieces=pieces)) == []
    pieces[row] = frozenset({"vav", "100", "return", "air", "flow"})
    assert len(semantic_findings(replace(arrays, name_pieces=pieces))) == 1


def _without_type(arrays: GraphArrays, rel: str, keep_first: int = 0) -> GraphArrays:
    """Every relationship of `rel` removed, but the first `keep_first`."""
    of_type = np.flatnonzero(arrays.edges[:, 1] == relationship_types().index(rel))
    drop = np.zeros(len(arrays.edges), dtype=bool)
    drop[of_type[keep_first:]] = True
    return arrays.with_edges(arrays.edges[~drop])


def test_a_gap_most_of_a_building_shares_is_one_data_quality_summary(tmp_path: Path) -> None:
    arrays = _arrays(tmp_path, vavs=6)
    placed_nowhere = _without_type(arrays, "LOCATED_IN", keep_first=1)  # 6 of 7 unplaced
    findings = summarise(placed_nowhere, rule_findings(placed_nowhere))
    assert [f.rule for f in findings] == ["data_quality"]
    [summary] = findings
    assert summary.twin_id == "alpha"  # on the building
    [gap] = summary.evidence["gaps"]
    assert (gap["rule"], gap["count"], gap["of"]) == ("equipment_without_location", 6, 7)
    assert set(gap["sample"]) <= set(placed_nowhere.twin_ids)

    one_unplaced = _without_type(arrays, "LOCATED_IN", keep_first=6)  # the exception: a finding
    kept = summarise(one_unplaced, rule_findings(one_unplaced))
    assert [f.rule for f in kept] == ["equipment_without_location"]


def test_findings_of_one_shape_are_one_group_most_important_first(tmp_path: Path) -> None:
    arrays = _arrays(tmp_path)
    pieces = list(arrays.name_pieces)
    for twin_id in ("alpha.vav0.p0", "alpha.vav1.p0"):  # zone air temperature sensors
        pieces[arrays.index[twin_id]] = frozenset({"vav", "rat"})
    arrays = _without_type(replace(arrays, name_pieces=pieces), "FEEDS", keep_first=3)
    findings = with_groups(arrays, rule_findings(arrays))
    critical = Finding("alpha.ahu", DriftType.SEMANTIC, "gnn_semantic", Severity.CRITICAL, "...")
    found = groups([*findings, replace(critical, evidence={"group": "gnn_semantic: x"})])
    assert [(g.key, len(g.findings)) for g in found] == [
        ("gnn_semantic: x", 1),
        ("name_contradicts_class: name says return, class says zone", 2),
        ("vav_fed_by_nothing: Equipment", 1),
    ]


def test_equipment_is_placed_by_a_twin_of_it_or_by_the_one_place_it_serves() -> None:
    graph = _graph(
        ("b", "Building"), ("room", "Space"), ("ahu", "Equipment"), ("ahu-erp", "Equipment"),
        ("vav", "Equipment"), ("fan", "Equipment"),
        links=(
            ("b", "CONTAINS", "room"), ("ahu", "LOCATED_IN", "room"), ("ahu", "SAME_AS", "ahu-erp"),
            ("vav", "SERVES", "room"), ("ahu", "FEEDS", "vav"), ("fan", "FEEDS", "vav"),
        ),
    )  # fmt: skip
    arrays = scoped_arrays(graph, building_scopes(graph, {}))
    unplaced = [f.twin_id for f in rule_findings(arrays) if f.rule == "equipment_without_location"]
    assert unplaced == ["fan"]  # ahu-erp is the AHU; the VAV is at the room it serves


def test_a_habit_is_one_sources_even_in_a_building_several_describe() -> None:
    units = [f"erp.unit{i}" for i in range(4)]
    graph = _graph(
        ("b", "Building"), ("room", "Space"), ("erp", "Building"),
        *((f"bms.ahu{i}", "Equipment") for i in range(4)), *((u, "Equipment") for u in units),
        links=(
            ("b", "CONTAINS", "room"), ("b", "SAME_AS", "erp"),
            *((f"bms.ahu{i}", "LOCATED_IN", "room") for i in range(4)),
        ),
    )  # fmt: skip
    defined_by = {"bms": {"b", "room", *(f"bms.ahu{i}" for i in range(4))}, "erp": {"erp", *units}}
    arrays = scoped_arrays(graph, building_scopes(graph, defined_by), defined_by)
    assert len(set(arrays.graph_of.tolist())) == 1  # one building described twice, its units
    # below no Building but defined by a source of that building
    [summary] = summarise(arrays, rule_findings(arrays))
    assert summary.twin_id == "erp"  # the ERP's own top node: its habit, not the building's
    assert summary.evidence["source"] == "erp"
    assert (summary.evidence["gaps"][0]["count"], summary.evidence["gaps"][0]["of"]) == (4, 4)
