"""Identity matching on hand-made entities (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ifcopenshell.api as api
import pytest

from graphtwin.identity.config import matching_config
from graphtwin.identity.entities import Entity, build_entities
from graphtwin.identity.evaluation import evaluate
from graphtwin.identity.matcher import Link, match
from graphtwin.identity.names import codes_conflict, parse_name, similarity
from graphtwin.model import TwinGraph
from importers.ifc import IfcImporter
from tests.support.ifc_models import DisciplineModel, architecture_and_electrical, gid

CONFIG = matching_config()


def node(twin_id: str, kind: str, name: str, source: str, **props: object) -> dict:
    return {"twin_id": twin_id, "kind": kind, "name": name, "props": props, "sources": [source]}


def edge(start: str, rel: str, end: str) -> dict:
    return {"start": start, "type": rel, "end": end}


def test_abbreviations_synonyms_and_leading_zeros_meet():
    def sim(a: str, b: str) -> float:
        return similarity(parse_name(a, CONFIG), parse_name(b, CONFIG))

    assert sim("AHU-02", "Air handling unit 2") == 1.0
    assert sim("Office B201", "B-201 Office") == 1.0
    assert sim("Materials Lab", "Materials Laboratory") == 1.0
    assert codes_conflict(parse_name("AHU-1", CONFIG), parse_name("AHU-2", CONFIG))
    assert codes_conflict(parse_name("Building A", CONFIG), parse_name("Building B", CONFIG))
    assert not codes_conflict(parse_name("B Level 1", CONFIG), parse_name("Level 1", CONFIG))


def two_buildings() -> tuple[list[dict], list[dict]]:
    nodes = [
        node("b:bldg", "Building", "Building B", "brick"),
        node("b:l1", "Floor", "B Level 1", "brick"),
        node("b:ahu", "Equipment", "AHU-2", "brick", brick_class="Air_Handling_Unit"),
        node("b:room", "Space", "Plant Room", "brick"),
        node("i:bldg", "Building", "Building B", "ifc"),
        node("i:l1", "Floor", "Level 1", "ifc"),
        node("i:room", "Space", "B-102 Plant Room", "ifc"),
        node("i:ahu", "Equipment", "AHU-02", "ifc", brick_class="Air_Handling_Unit"),
        node("t:bldg", "Building", "Building A", "twin"),
        node("t:l1", "Floor", "Level 1", "twin"),
    ]
    edges = [
        edge("b:bldg", "CONTAINS", "b:l1"),
        edge("b:l1", "CONTAINS", "b:room"),
        edge("b:ahu", "LOCATED_IN", "b:room"),
        edge("i:bldg", "CONTAINS", "i:l1"),
        edge("i:l1", "CONTAINS", "i:room"),
        edge("i:ahu", "LOCATED_IN", "i:room"),
        edge("t:bldg", "CONTAINS", "t:l1"),
    ]
    return nodes, edges


def test_evidence_links_down_the_tree_and_keeps_other_buildings_apart():
    nodes, edges = two_buildings()
    result = match(build_entities(nodes, edges, CONFIG), CONFIG)
    pairs = {k.pair for k in result.links}
    assert pairs == {
        ("b:bldg", "i:bldg"),
        ("b:l1", "i:l1"),
        ("b:room", "i:room"),
        ("b:ahu", "i:ahu"),
    }
    ahu = next(k for k in result.links if k.pair == ("b:ahu", "i:ahu"))
    assert ahu.method == "evidence" and ahu.evidence["place"] == 1.0
    # Building A's "Level 1" has the same name as the IFC one, but is in another building
    assert ("i:l1", "t:l1") not in pairs


def test_an_explicit_reference_links_whatever_the_names_say():
    nodes = [
        node("b:x", "Equipment", "Unit on the roof", "brick", external_ifc_global_id="G1"),
        node("i:y", "Equipment", "RTU", "ifc", ifc_guid="G1"),
    ]
    (link,) = match(build_entities(nodes, [], CONFIG), CONFIG).links
    assert (link.pair, link.method, link.confidence) == (("b:x", "i:y"), "explicit:ifc", 0.99)


def test_a_rejected_pair_is_never_linked_and_given_links_are_not_repeated():
    nodes, edges = two_buildings()
    entities = build_entities(nodes, edges, CONFIG)
    result = match(entities, CONFIG, rejected={("b:ahu", "i:ahu")}, given=[("b:l1", "i:l1")])
    pairs = {k.pair for k in result.links}
    assert ("b:ahu", "i:ahu") not in pairs
    assert ("b:l1", "i:l1") not in pairs  # known already: not a new link
    assert ("b:room", "i:room") in pairs  # and still used as evidence


def test_unrelated_classes_veto_a_link_however_alike_the_names():
    nodes = [
        node("b:x", "Equipment", "SD-101", "brick", brick_class="Air_Diffuser"),
        node("i:y", "Equipment", "SD-101", "ifc", brick_class="Pump"),
    ]
    assert match(build_entities(nodes, [], CONFIG), CONFIG).links == []


def test_precision_and_recall_count_pairs_within_clusters():
    links = [Link("a", "b", 0.9, "evidence"), Link("b", "c", 0.9, "evidence")]
    scores = evaluate(links, [{"a", "b"}, {"c", "d"}])
    # predicted pairs ab, bc, ac; true pairs ab, cd
    assert (scores.true_positives, scores.precision, scores.recall) == (1, 0.3333, 0.5)
    assert scores.false_positives == [("a", "c"), ("b", "c")]
    assert scores.missed == [("c", "d")]


def test_a_rejected_pair_is_not_joined_through_a_third_source_either():
    nodes = [
        node("b:x", "Building", "Building B", "brick"),
        node("i:x", "Building", "Building B", "ifc"),
        node("s:x", "Building", "Building B", "isa95"),
    ]
    result = match(build_entities(nodes, [], CONFIG), CONFIG, rejected={("b:x", "i:x")})
    clusters = {k.pair for k in result.links}
    assert ("b:x", "i:x") not in clusters
    assert not {("b:x", "s:x"), ("i:x", "s:x")} <= clusters  # not both: that joins b:x and i:x


def ifc_entities(*graphs: TwinGraph) -> dict[str, Entity]:
    """IFC models as linking reads them from the twin (identity/entities, identity/structure)."""
    nodes, edges = [], []
    for graph in graphs:
        for n in graph.nodes.values():
            if n.kind in CONFIG.compatible_kinds:
                nodes.append(
                    node(n.twin_id, n.kind, n.name, graph.source.source_id, **n.properties)
                )
        edges += [edge(r.start, r.type, r.end) for r in graph.iter_relationships()]
    return build_entities(nodes, edges, CONFIG)


def discipline_graphs(
    building_name: str | None = None, **electrical: Any
) -> tuple[DisciplineModel, DisciplineModel]:
    """Architecture and electrical models; the electrical storeys 4 mm higher (export noise)."""
    architecture, _ = architecture_and_electrical(building_name=building_name)
    electrical_model = DisciplineModel(
        "Elec",
        (("IfcLightFixture", "Light"),),
        **{"building_name": building_name, "level_shift": 0.004, **electrical},
    )
    return architecture, electrical_model


def parse(model: DisciplineModel, path: Path) -> TwinGraph:
    return IfcImporter().parse(model.write(path))


@pytest.mark.parametrize("building_name", [None, "Riverside B"])
def test_discipline_models_link_their_whole_spatial_tree_named_or_not(tmp_path, building_name):
    architecture, electrical = discipline_graphs(building_name)
    graphs = parse(architecture, tmp_path / "arch.ifc"), parse(electrical, tmp_path / "elec.ifc")
    assert graphs[0].source.source_id != graphs[1].source.source_id  # two projects
    result = match(ifc_entities(*graphs), CONFIG)
    links = {link.pair: link for link in result.links}
    expected = {
        tuple(sorted(pair))
        for pair in zip(architecture.spatial_tree(), electrical.spatial_tree(), strict=True)
    }
    assert set(links) == expected  # project, site, building, three storeys, and nothing else
    building = links[tuple(sorted((gid(architecture.building), gid(electrical.building))))]
    assert building.method == "evidence" and building.confidence >= CONFIG.auto
    if building_name is None:  # shown by its GlobalId, which is no name
        assert building.evidence == {"place": 1.0}
    level_2 = links[tuple(sorted((gid(architecture.storeys[1]), gid(electrical.storeys[1]))))]
    assert level_2.evidence == {"name": 1.0, "place": 1.0, "elevation": 1.0}


def test_storeys_of_one_name_at_other_elevations_stay_apart(tmp_path):
    architecture, electrical = discipline_graphs(level_shift=1.2)
    graphs = parse(architecture, tmp_path / "arch.ifc"), parse(electrical, tmp_path / "elec.ifc")
    linked = {link.pair for link in match(ifc_entities(*graphs), CONFIG).links}
    assert tuple(sorted((gid(architecture.building), gid(electrical.building)))) in linked
    assert not any(
        tuple(sorted((gid(a), gid(b)))) in linked
        for a, b in zip(architecture.storeys, electrical.storeys, strict=True)
    )


def test_a_nameless_building_does_not_link_to_one_of_two_buildings_in_the_other_site(tmp_path):
    architecture, electrical = discipline_graphs()
    second = api.run("root.create_entity", electrical.file, ifc_class="IfcBuilding")
    api.run(
        "aggregate.assign_object",
        electrical.file,
        relating_object=electrical.site,
        products=[second],
    )
    graphs = parse(architecture, tmp_path / "arch.ifc"), parse(electrical, tmp_path / "elec.ifc")
    linked = {link.pair for link in match(ifc_entities(*graphs), CONFIG).links}
    buildings = {gid(electrical.building), gid(second)}
    assert not any(gid(architecture.building) in pair and set(pair) & buildings for pair in linked)
    assert tuple(sorted((gid(architecture.site), gid(electrical.site)))) in linked
