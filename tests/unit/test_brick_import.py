"""The Brick importer on small models written here: eras, relations, classes, values, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from graphtwin.errors import InputError, MalformedFileError, NoTwinEntitiesError
from importers.brick import BrickImporter
from importers.brick.export import render_brick

PREFIXES = """\
@prefix brick: <https://brickschema.org/schema/Brick#> .
@prefix b102: <https://brickschema.org/schema/1.0.2/Brick#> .
@prefix bf: <https://brickschema.org/schema/1.0.1/BrickFrame#> .
@prefix old: <http://buildsys.org/ontologies/Brick#> .
@prefix oldbf: <http://buildsys.org/ontologies/BrickFrame#> .
@prefix rec: <https://w3id.org/rec#> .
@prefix ref: <https://brickschema.org/schema/Brick/ref#> .
@prefix bacnet: <http://data.ashrae.org/bacnet/2020#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <urn:ex#> .
"""


def model(tmp_path: Path, body: str, name: str = "model.ttl") -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + textwrap.dedent(body), encoding="utf-8")
    return path


def parse(path: Path, **options: object):
    return BrickImporter(**options).parse(path)  # type: ignore[arg-type]


def test_classes_of_every_brick_era_are_normalised_to_current_names_and_kinds(tmp_path):
    graph = parse(
        model(
            tmp_path,
            """\
            ex:ahu1 a brick:AHU .
            ex:ahu2 a b102:Air_Handling_Unit .
            ex:ahu3 a old:Air_Handling_Unit .
            ex:sat a brick:Discharge_Air_Temperature_Sensor .
            ex:room a rec:Room .
            """,
        )
    )
    nodes = graph.nodes
    for ahu in ("urn:ex#ahu1", "urn:ex#ahu2", "urn:ex#ahu3"):
        assert nodes[ahu].kind == "Equipment"
        assert nodes[ahu].properties["brick_class"] == "Air_Handling_Unit"  # alias resolved
    assert nodes["urn:ex#ahu2"].properties["rdf_types"] == [
        "https://brickschema.org/schema/1.0.2/Brick#Air_Handling_Unit"
    ]
    assert nodes["urn:ex#sat"].properties["brick_class"] == "Supply_Air_Temperature_Sensor"
    assert nodes["urn:ex#sat"].kind == "Point"
    assert nodes["urn:ex#room"].kind == "Space"
    assert nodes["urn:ex#room"].properties["rec_class"] == "Room"
    assert nodes["urn:ex#ahu1"].properties["uri"] == "urn:ex#ahu1"  # twin_id is the IRI


def test_inverse_and_brickframe_relations_fold_into_one_edge_each(tmp_path):
    graph = parse(
        model(
            tmp_path,
            """\
            ex:ahu a brick:AHU ; brick:hasPoint ex:sat ; bf:feeds ex:vav .
            ex:sat a brick:Supply_Air_Temperature_Sensor ; brick:isPointOf ex:ahu .
            ex:vav a brick:VAV ; brick:isFedBy ex:ahu ; oldbf:isLocatedIn ex:room .
            ex:room a brick:Room ; brick:isLocationOf ex:vav .
            """,
        )
    )
    assert set(graph.relationships) == {
        ("urn:ex#ahu", "HAS_POINT", "urn:ex#sat"),
        ("urn:ex#ahu", "FEEDS", "urn:ex#vav"),
        ("urn:ex#vav", "LOCATED_IN", "urn:ex#room"),
    }


def test_has_part_becomes_containment_membership_or_composition_by_what_it_connects(tmp_path):
    graph = parse(
        model(
            tmp_path,
            """\
            ex:bldg a brick:Building ; brick:hasPart ex:floor .
            ex:floor a brick:Floor .
            ex:room a brick:Room ; brick:isPartOf ex:floor ; brick:hasLocation ex:floor .
            ex:sys a brick:Hot_Water_System ; brick:hasPart ex:pump .
            ex:zone a brick:HVAC_Zone ; brick:hasPart ex:room .
            ex:pump a brick:Pump ; brick:hasPart ex:motor .
            ex:motor a brick:Motor .
            """,
        )
    )
    assert set(graph.relationships) == {
        ("urn:ex#bldg", "CONTAINS", "urn:ex#floor"),
        ("urn:ex#floor", "CONTAINS", "urn:ex#room"),  # isPartOf and hasLocation: one edge
        ("urn:ex#pump", "MEMBER_OF", "urn:ex#sys"),
        ("urn:ex#room", "MEMBER_OF", "urn:ex#zone"),
        ("urn:ex#pump", "HAS_PART", "urn:ex#motor"),
    }
    assert graph.nodes["urn:ex#sys"].kind == "System"
    assert graph.nodes["urn:ex#zone"].kind == "Zone"


def test_unknown_classes_are_kept_never_dropped_and_reported(tmp_path):
    graph = parse(
        model(
            tmp_path,
            """\
            ex:p1 a b102:PreHeat_Coil_Leaving_Air_Temperature_Sensor .
            ex:p2 a b102:Unknown .
            ex:p3 a ex:My_Fancy_Setpoint .
            ex:p4 a ex:Gadget .
            ex:ahu a brick:AHU ; brick:feeds ex:untyped .
            ex:thing a ex:Thing .
            ex:Thing rdfs:subClassOf brick:Valve .
            """,
        )
    )
    nodes = graph.nodes
    # the name says which Brick class it is a kind of
    assert nodes["urn:ex#p1"].kind == "Point"
    assert nodes["urn:ex#p1"].properties["brick_class"] == "Air_Temperature_Sensor"
    assert nodes["urn:ex#p3"].kind == "Point"  # the model's own class, named like Brick's
    # nothing known: kept with the generic kind, original class recorded
    assert nodes["urn:ex#p2"].kind == "Entity"
    assert nodes["urn:ex#p2"].properties["rdf_types"] == [
        "https://brickschema.org/schema/1.0.2/Brick#Unknown"
    ]
    assert nodes["urn:ex#p4"].kind == "Entity"
    # the model's own subclass of a Brick class
    assert nodes["urn:ex#thing"].kind == "Equipment"
    assert nodes["urn:ex#thing"].properties["brick_class"] == "Valve"
    # an untyped thing a relation points at
    assert nodes["urn:ex#untyped"].kind == "Entity"
    assert "urn:ex#Thing" not in nodes  # classes are not entities
    joined = "\n".join(graph.warnings)
    assert "Unknown (1)" in joined and "PreHeat_Coil_Leaving_Air_Temperature_Sensor (1)" in joined
    assert "1 things that Brick relations refer to have no class" in joined


def test_literals_units_timeseries_and_bacnet_references_become_properties(tmp_path):
    graph = parse(
        model(
            tmp_path,
            """\
            ex:sat a brick:Supply_Air_Temperature_Sensor ;
                rdfs:label "AHU-1 SAT" ;
                brick:hasUnit unit:DEG_C ;
                brick:area [ brick:value 12.5 ; brick:hasUnit unit:M2 ] ;
                ref:hasTimeseriesReference [ ref:hasTimeseriesId "sat-001" ;
                                             ref:storedAt <urn:db:tsdb> ] ;
                ref:hasExternalReference [ a ref:BACnetReference ;
                                           bacnet:object-identifier "analog-input,3" ] ;
                ex:installed 2019 .
            """,
        )
    )
    node = graph.nodes["urn:ex#sat"]
    assert node.name == "AHU-1 SAT"
    assert node.properties["unit"] == "DEG_C"
    assert node.properties["area"] == 12.5 and node.properties["area_unit"] == "M2"
    assert node.properties["timeseries_id"] == "sat-001"
    assert node.properties["timeseries_stored_at"] == "urn:db:tsdb"
    assert node.properties["bacnet_object_identifier"] == "analog-input,3"
    assert node.properties["installed"] == 2019


def test_a_bacnet_reference_keeps_the_instance_of_the_device_it_is_an_object_of(tmp_path):
    graph = parse(
        model(
            tmp_path,
            """\
            ex:controller a bacnet:BACnetDevice ; bacnet:device-instance 1201 .
            ex:zat a brick:Zone_Air_Temperature_Sensor ;
                ref:hasExternalReference [ a ref:BACnetReference ;
                                           bacnet:object-identifier "analog-value,5" ;
                                           bacnet:objectOf ex:controller ] .
            """,
        )
    )
    props = graph.nodes["urn:ex#zat"].properties
    assert props["bacnet_object_identifier"] == "analog-value,5"
    assert props["bacnet_device_instance"] == 1201  # read from the device's own node
    assert props["bacnet_object_of"] == "urn:ex#controller"


def test_an_export_reads_back_to_the_same_nodes_kinds_classes_edges_and_values(tmp_path):
    original = parse(
        model(
            tmp_path,
            """\
            ex:bldg a brick:Building ; brick:hasPart ex:floor .
            ex:floor a brick:Floor ; brick:isLocationOf ex:ahu .
            ex:ahu a brick:AHU ; brick:hasPoint ex:sat ; brick:feeds ex:vav ;
                   brick:hasPart ex:fan ; ex:maker "Acme" .
            ex:fan a brick:Supply_Fan .
            ex:vav a b102:VAV ; brick:isPartOf ex:sys .
            ex:sys a brick:Air_System .
            ex:sat a brick:Supply_Air_Temperature_Sensor ; brick:hasUnit unit:DEG_C ;
                   ref:hasTimeseriesReference [ ref:hasTimeseriesId "t1" ] .
            ex:odd a b102:Unknown ; brick:isPointOf ex:ahu .
            """,
        )
    )
    exported = tmp_path / "exported.ttl"
    exported.write_text(render_brick(original).turtle)
    again = parse(exported)
    assert {t: (n.kind, n.name) for t, n in again.nodes.items()} == {
        t: (n.kind, n.name) for t, n in original.nodes.items()
    }
    assert set(again.relationships) == set(original.relationships)
    for twin_id, node in original.nodes.items():
        expected = {k: v for k, v in node.properties.items() if k != "rdf_types"}
        got = {k: v for k, v in again.nodes[twin_id].properties.items() if k != "rdf_types"}
        assert got == expected, twin_id
    assert "a brick:Variable_Air_Volume_Box" in exported.read_text()  # current name, namespace


@pytest.mark.parametrize(
    ("name", "content", "error", "line", "fragment"),
    [
        (
            "undeclared.ttl",
            "@prefix ex: <urn:ex#> .\nex:a a brick:AHU .\n",
            MalformedFileError,
            2,
            'Prefix "brick:" not bound',
        ),
        (
            "broken.nt",
            '<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> "open .\n',
            MalformedFileError,
            2,
            "not valid nt",
        ),
        (
            "broken.rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            "<rdf:Description>\n</rdf:RDF>\n",
            MalformedFileError,
            3,
            "RDF/XML",
        ),
        ("broken.jsonld", '{"@context": {},\n "a": [1,\n', MalformedFileError, 3, "JSON-LD"),
        ("empty.ttl", "", NoTwinEntitiesError, None, "no RDF statements"),
        ("nobrick.ttl", "<urn:a> a <urn:Thing> .\n", NoTwinEntitiesError, None, "no Brick"),
        ("model.txt", "<urn:a> a <urn:Thing> .\n", InputError, None, "--rdf-format"),
    ],
)
def test_bad_files_are_typed_errors_naming_file_and_line(
    tmp_path, name, content, error, line, fragment
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error) as caught:
        parse(path)
    assert caught.value.exit_code == 2
    assert caught.value.file == str(path)
    assert caught.value.line == line
    assert fragment in str(caught.value)


def test_a_binary_file_is_malformed(tmp_path):
    path = tmp_path / "picture.ttl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    with pytest.raises(MalformedFileError) as caught:
        parse(path)
    assert "UTF-8" in str(caught.value)


def test_the_rdf_format_option_overrides_the_extension(tmp_path):
    path = tmp_path / "model.txt"
    path.write_text(
        "<urn:ex#a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://brickschema.org/schema/Brick#Chiller> .\n"
    )
    assert parse(path, rdf_format="nt").nodes["urn:ex#a"].kind == "Equipment"
    with pytest.raises(InputError):
        parse(path, rdf_format="yaml")


def test_a_model_over_the_size_limit_is_refused_up_front_naming_the_limit(tmp_path):
    from importers.brick.rdf_file import read_rdf

    path = model(tmp_path, "ex:a a brick:Chiller .\n")
    with pytest.raises(InputError) as caught:
        read_rdf(path, "turtle", max_bytes=100)
    assert "limit" in str(caught.value) and caught.value.file == str(path)
