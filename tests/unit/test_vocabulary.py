"""The vocabulary shipped in ontologies/ holds the graph contract's kinds and types."""

from __future__ import annotations

from graphtwin.vocabulary import vocabulary

CONTRACT_KINDS = {
    "Site",
    "Building",
    "Floor",
    "Space",
    "Zone",
    "Equipment",
    "Point",
    "System",
    "Person",
    "Role",
    "Procedure",
    "Regulation",
    "Document",
    "Material",
}
CONTRACT_TYPES = {
    "CONTAINS",
    "HAS_PART",
    "FEEDS",
    "HAS_POINT",
    "LOCATED_IN",
    "SERVES",
    "MEMBER_OF",
    "RESPONSIBLE_FOR",
    "APPLIES_TO",
    "SAME_AS",
}


def test_the_vocabulary_has_every_kind_and_relationship_type_of_the_contract():
    vocab = vocabulary()
    assert set(vocab.node_kinds) >= CONTRACT_KINDS
    assert set(vocab.relationship_types) >= CONTRACT_TYPES


def test_labels_and_types_are_safe_identifiers():
    vocab = vocabulary()
    for name in [*vocab.node_kinds, *vocab.relationship_types]:
        assert name.isidentifier() and name.isascii(), name


def test_containment_runs_down_contains_has_part_has_point_and_up_located_in():
    vocab = vocabulary()
    assert vocab.hierarchy_types("down") == ["CONTAINS", "HAS_PART", "HAS_POINT"]
    assert vocab.hierarchy_types("up") == ["LOCATED_IN"]
