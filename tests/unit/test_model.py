"""The in-memory twin graph validates what importers put into it."""

from __future__ import annotations

import re

import pytest

from graphtwin.errors import (
    ConflictingKindError,
    DuplicateEntityError,
    InvalidPropertyError,
    SchemaViolationError,
    SourceLocation,
    UnknownKindError,
    UnknownRelationshipTypeError,
    ValueTooLargeError,
)
from graphtwin.model import (
    INDEXED_NODE_KEYS,
    MAX_INDEXED_BYTES,
    SourceInfo,
    TwinGraph,
    TwinNode,
    TwinRelationship,
)
from tests.conftest import ROOT

SOURCE = SourceInfo("twin:test.yaml", "twin", "test.yaml", "0" * 64)
HERE = SourceLocation("test.yaml", 7)


def graph() -> TwinGraph:
    return TwinGraph(SOURCE)


def test_a_node_with_a_kind_outside_the_vocabulary_is_refused_naming_file_line_and_entity():
    with pytest.raises(UnknownKindError) as caught:
        graph().add_node(TwinNode("ahu-1", "Gizmo", "AHU-1", location=HERE))
    assert caught.value.file == "test.yaml"
    assert caught.value.line == 7
    assert caught.value.entity == "ahu-1"
    assert "Gizmo" in str(caught.value)
    assert str(caught.value).startswith("test.yaml:7: ahu-1:")


def test_the_same_twin_id_with_another_kind_is_a_conflicting_kind_error():
    g = graph()
    g.add_node(TwinNode("x", "Space", "X", location=SourceLocation("f", 1)))
    with pytest.raises(ConflictingKindError) as caught:
        g.add_node(TwinNode("x", "Equipment", "X", location=SourceLocation("f", 9)))
    assert caught.value.line == 9
    assert "Space" in caught.value.reason and "Equipment" in caught.value.reason


def test_the_same_twin_id_twice_with_the_same_kind_is_a_duplicate():
    g = graph()
    g.add_node(TwinNode("x", "Space", "X"))
    with pytest.raises(DuplicateEntityError):
        g.add_node(TwinNode("x", "Space", "X again"))


@pytest.mark.parametrize(
    ("props", "fragment"),
    [
        ({"1st": 1}, "must start with a letter"),
        ({"has space": 1}, "must start with a letter"),
        ({"kind": "Space"}, "reserved"),
        ({"nested": {"a": 1}}, "not dict"),
        ({"mixed": [1, "a"]}, "one type"),
        ({"nan": float("nan")}, "finite"),
        ({"huge": 2**64}, "64-bit"),
    ],
)
def test_properties_neo4j_cannot_store_are_refused(props, fragment):
    with pytest.raises(InvalidPropertyError) as caught:
        graph().add_node(TwinNode("n", "Space", "N", props, HERE))
    assert fragment in caught.value.reason
    assert caught.value.entity == "n"


def test_plain_values_and_homogeneous_lists_are_accepted():
    node = graph().add_node(
        TwinNode("n", "Space", "N", {"a": 1, "b": 2.5, "c": "x", "d": True, "e": [1, 2], "f": []})
    )
    assert node.properties["e"] == [1, 2]


def test_an_empty_name_or_twin_id_is_a_schema_violation():
    with pytest.raises(SchemaViolationError):
        graph().add_node(TwinNode("n", "Space", "  "))
    with pytest.raises(SchemaViolationError):
        graph().add_node(TwinNode("", "Space", "N"))


def test_unknown_relationship_types_are_refused():
    with pytest.raises(UnknownRelationshipTypeError) as caught:
        graph().add_relationship(TwinRelationship("a", "POWERS", "b", location=HERE))
    assert caught.value.entity == "(a)-[:POWERS]->(b)"


def test_a_repeated_identical_relationship_is_kept_once_and_a_contradicting_one_is_refused():
    g = graph()
    g.add_relationship(TwinRelationship("a", "SAME_AS", "b", {"confidence": 0.9}))
    g.add_relationship(TwinRelationship("a", "SAME_AS", "b", {"confidence": 0.9}))
    assert len(g.relationships) == 1
    with pytest.raises(DuplicateEntityError):
        g.add_relationship(TwinRelationship("a", "SAME_AS", "b", {"confidence": 0.5}))


def test_relationships_cannot_set_the_properties_the_store_keeps_for_lineage():
    with pytest.raises(InvalidPropertyError):
        graph().add_relationship(TwinRelationship("a", "FEEDS", "b", {"sources": ["x"]}))


def test_content_hash_changes_with_any_asserted_value_and_not_with_key_order():
    base = TwinNode("n", "Space", "N", {"a": 1, "b": "x"})
    assert base.content_hash() == TwinNode("n", "Space", "N", {"b": "x", "a": 1}).content_hash()
    assert base.content_hash() != TwinNode("n", "Space", "N", {"a": 2, "b": "x"}).content_hash()
    assert base.content_hash() != TwinNode("n", "Space", "M", {"a": 1, "b": "x"}).content_hash()
    # 1 and True and 1.0 are different values in the graph
    assert (
        TwinNode("n", "Space", "N", {"a": 1}).content_hash()
        != TwinNode("n", "Space", "N", {"a": True}).content_hash()
    )


def test_external_endpoints_are_the_relationship_ends_the_graph_does_not_define():
    g = graph()
    g.add_node(TwinNode("a", "Space", "A"))
    g.add_relationship(TwinRelationship("a", "LOCATED_IN", "b"))
    g.add_relationship(TwinRelationship("c", "SERVES", "a"))
    assert g.external_endpoints() == {"b", "c"}


# --- values Neo4j cannot index ---------------------------------------------------------------


def test_an_id_too_long_for_the_index_is_refused_naming_a_readable_entity_and_the_line():
    long_id = "x" * 10_000
    with pytest.raises(ValueTooLargeError) as caught:
        graph().add_node(TwinNode(long_id, "Space", "Room", location=HERE))
    assert (caught.value.file, caught.value.line) == ("test.yaml", 7)
    assert caught.value.entity == "x" * 60 + "... (10,000 characters)"
    assert "twin_id is 10,000 bytes long" in caught.value.reason
    assert len(str(caught.value)) < 300
    assert caught.value.exit_code == 2


def test_the_limit_counts_utf8_bytes_not_characters():
    at_limit = "é" * (MAX_INDEXED_BYTES // 2)  # two bytes each
    graph().add_node(TwinNode(at_limit, "Space", "Room"))
    with pytest.raises(ValueTooLargeError, match="4,098 bytes"):
        graph().add_node(TwinNode(at_limit + "é", "Space", "Room"))


@pytest.mark.parametrize(
    ("name", "props", "fragment"),
    [
        ("n" * 20_000_000, {}, "name is 20,000,000 bytes"),
        ("Room", {"uri": "urn:" + "u" * 5000}, "property 'uri' is 5,004 bytes"),
        ("Room", {"ifc_guid": ["g" * 3000, "h" * 3000]}, "property 'ifc_guid' is 6,000 bytes"),
    ],
)
def test_a_name_or_indexed_property_too_long_for_the_index_is_refused(name, props, fragment):
    with pytest.raises(ValueTooLargeError) as caught:
        graph().add_node(TwinNode("room-1", "Space", name, props, location=HERE))
    assert caught.value.entity == "room-1"
    assert fragment in caught.value.reason


def test_a_long_property_nothing_indexes_is_kept():
    node = graph().add_node(TwinNode("room-1", "Space", "Room", {"description": "d" * 100_000}))
    assert len(node.properties["description"]) == 100_000


def test_a_relationship_to_an_id_too_long_for_the_index_is_refused():
    with pytest.raises(ValueTooLargeError) as caught:
        graph().add_relationship(TwinRelationship("a", "CONTAINS", "b" * 9000, location=HERE))
    assert caught.value.line == 7


def test_a_source_id_too_long_for_the_index_is_refused_naming_the_file():
    with pytest.raises(ValueTooLargeError) as caught:
        TwinGraph(SourceInfo("s" * 9000, "twin", "big.yaml", "0" * 64))
    assert caught.value.file == "big.yaml"
    assert "source_id is 9,000 bytes" in caught.value.reason


def test_every_node_property_the_migrations_index_is_held_to_the_limit():
    indexed: set[str] = set()
    for migration in (ROOT / "cypher" / "migrations").glob("*.cypher"):
        text = migration.read_text()
        for labels, props in re.findall(r"FOR \(\w+:(\w+)\) (?:ON|REQUIRE)\s*(.*)", text):
            if labels in ("Twin", "Retired"):
                indexed.update(re.findall(r"\w+\.(\w+)", props))
    assert indexed, "no index found in the migrations"
    assert indexed <= INDEXED_NODE_KEYS | {"twin_id", "kind", "name"}, indexed
