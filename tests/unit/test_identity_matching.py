"""Identity matching on hand-made entities (no database)."""

from __future__ import annotations

from graphtwin.identity.config import matching_config
from graphtwin.identity.entities import build_entities
from graphtwin.identity.evaluation import evaluate
from graphtwin.identity.matcher import Link, match
from graphtwin.identity.names import codes_conflict, parse_name, similarity

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
