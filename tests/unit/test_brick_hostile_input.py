"""Hostile Brick files: bombs, depth, truncation, outside references, and errors with a place.

Each bomb is measured in this process: refused in under 2 s with a Python allocation peak
(tracemalloc) under 300 MB.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from graphtwin.errors import (
    EntityExpansionError,
    ExternalReferenceError,
    InputError,
    InvalidPropertyError,
    MalformedFileError,
    NestingTooDeepError,
    SchemaViolationError,
)
from importers.brick import BrickImporter

PREFIXES = (
    "@prefix brick: <https://brickschema.org/schema/Brick#> .\n"
    "@prefix ex: <urn:ex#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
RDF_XML = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:brick="https://brickschema.org/schema/Brick#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
)


def refused_quickly(parse: Callable[[], object], error: type[InputError]) -> InputError:
    """The parse fails with `error` in under 2 s and 300 MB of Python allocations."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(error) as caught:
            parse()
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seconds < 2, f"took {seconds:.1f} s"
    assert peak < 300 * 2**20, f"peaked at {peak / 2**20:.0f} MB"
    return caught.value


def parse(path: Path) -> Callable[[], object]:
    return lambda: BrickImporter().parse(path)


def test_an_rdf_xml_billion_laughs_is_refused_at_once_naming_file_and_line(tmp_path):
    entities = ['<!ENTITY a0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    ]
    bomb = tmp_path / "laughs.rdf"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(entities)
        + "\n]>\n"
        + RDF_XML
        + '<brick:AHU rdf:about="urn:ex#ahu"><rdfs:label>&a9;</rdfs:label></brick:AHU>\n'
        "</rdf:RDF>\n"
    )
    assert bomb.stat().st_size < 1200
    error = refused_quickly(parse(bomb), EntityExpansionError)
    assert (error.file, error.line) == (str(bomb), 4)  # the first entity that nests another
    assert "a1" in error.reason


def test_many_flat_entity_references_that_expand_too_far_are_refused(tmp_path):
    bomb = tmp_path / "wide.rdf"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY big "'
        + "x" * 100_000
        + '"> ]>\n'
        + RDF_XML
        + '<brick:AHU rdf:about="urn:ex#ahu"><rdfs:label>'
        + "&big;" * 200
        + "</rdfs:label></brick:AHU>\n</rdf:RDF>\n"
    )
    error = refused_quickly(parse(bomb), EntityExpansionError)
    assert error.file == str(bomb) and error.line == 4


def test_namespace_entities_as_ontology_editors_write_them_still_import(tmp_path):
    model = tmp_path / "protege.owl"
    model.write_text(
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE rdf:RDF [ <!ENTITY brick "https://brickschema.org/schema/Brick#"> ]>\n'
        + RDF_XML
        + '<rdf:Description rdf:about="urn:ex#ahu"><rdf:type rdf:resource="&brick;AHU"/>'
        "</rdf:Description>\n</rdf:RDF>\n"
    )
    graph = BrickImporter().parse(model)
    assert graph.nodes["urn:ex#ahu"].properties["brick_class"] == "Air_Handling_Unit"


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>',
        '<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/rdf.dtd">',
        '<!DOCTYPE rdf:RDF [ <!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p; ]>',
    ],
)
def test_xml_entities_and_dtds_that_load_from_elsewhere_are_refused(tmp_path, doctype):
    model = tmp_path / "xxe.rdf"
    model.write_text(
        f'<?xml version="1.0"?>\n{doctype}\n{RDF_XML}<brick:AHU rdf:about="urn:ex#a"/>\n'
        "</rdf:RDF>\n"
    )
    with pytest.raises((ExternalReferenceError, EntityExpansionError)) as caught:
        BrickImporter().parse(model)
    assert (caught.value.file, caught.value.line) == (str(model), 2)


def test_a_hundred_thousand_nested_blank_nodes_are_a_typed_error_with_file_and_line(tmp_path):
    depth = 100_000
    deep = tmp_path / "deep.ttl"
    deep.write_text(
        PREFIXES
        + "ex:ok a brick:AHU .\n"
        + "ex:a a brick:AHU ; brick:hasPart "
        + "[ brick:hasPart " * depth
        + "ex:b"
        + " ]" * depth
        + " .\n"
    )
    error = refused_quickly(parse(deep), NestingTooDeepError)
    assert (error.file, error.line) == (str(deep), 5)


def test_json_ld_nested_beyond_what_json_can_follow_is_a_typed_error(tmp_path):
    deep = tmp_path / "deep.jsonld"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    error = refused_quickly(parse(deep), NestingTooDeepError)
    assert error.file == str(deep)


def test_a_truncated_turtle_file_names_the_line_where_it_stops(tmp_path):
    cut = tmp_path / "cut.ttl"
    cut.write_text(PREFIXES + "ex:ahu a brick:AHU .\nex:sensor a brick:Temperatu")
    with pytest.raises(MalformedFileError) as caught:
        BrickImporter().parse(cut)
    assert (caught.value.file, caught.value.line) == (str(cut), 5)
    assert "IndexError" in caught.value.reason and "complete" in caught.value.reason


def test_every_cut_of_a_real_model_is_a_typed_error_or_a_smaller_model(tmp_path):
    model = Path(__file__).parents[2] / "examples" / "riverside-building-b.ttl"
    text = model.read_bytes()
    cut = tmp_path / "cut.ttl"
    for share in range(5, 100, 5):
        cut.write_bytes(text[: len(text) * share // 100])
        try:
            BrickImporter().parse(cut)
        except InputError as error:
            assert error.file == str(cut)


def jsonld(tmp_path: Path, context: object, name: str = "model.jsonld") -> Path:
    path = tmp_path / name
    document = {"@context": context, "@id": "urn:ex#ahu", "@type": "brick:AHU"}
    path.write_text(json.dumps(document, indent=2))
    return path


def test_a_json_ld_context_from_a_file_is_refused_and_the_file_not_read(tmp_path):
    secret = tmp_path / "context.jsonld"
    secret.write_text('{"@context": {"brick": "https://brickschema.org/schema/Brick#"}}')
    for reference in (secret.as_uri(), "context.jsonld"):
        model = jsonld(tmp_path, reference)
        with pytest.raises(ExternalReferenceError) as caught:
            BrickImporter().parse(model)
        assert (caught.value.file, caught.value.line) == (str(model), 2)
        assert reference in caught.value.reason


def test_context_references_anywhere_in_a_json_ld_document_are_refused(tmp_path):
    elsewhere = "http://127.0.0.1:9/context.jsonld"
    brick = {"brick": "https://brickschema.org/schema/Brick#"}
    for context in (
        [brick, elsewhere],  # in a list
        {"@version": 1.1, "@import": elsewhere, **brick},  # imported
        {**brick, "p": {"@id": "urn:p", "@context": elsewhere}},  # scoped to a term
    ):
        with pytest.raises(ExternalReferenceError):
            BrickImporter().parse(jsonld(tmp_path, context))
    nested = tmp_path / "nested.jsonld"
    nested.write_text(
        json.dumps({"@context": brick, "@graph": [{"@context": elsewhere, "@id": "urn:ex#a"}]})
    )
    with pytest.raises(ExternalReferenceError):
        BrickImporter().parse(nested)


def test_the_shipped_brick_context_resolves_locally(tmp_path):
    model = jsonld(tmp_path, "https://brickschema.org/schema/Brick.jsonld")
    graph = BrickImporter().parse(model)
    assert graph.nodes["urn:ex#ahu"].properties["brick_class"] == "Air_Handling_Unit"


def brick(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "model.ttl"
    path.write_text(PREFIXES + body)
    return path


@pytest.mark.parametrize(
    ("body", "error", "line"),
    [
        (
            "ex:ahu a brick:AHU .\n\nex:p a brick:Temperature_Sensor ;\n"
            '  brick:value "NaN"^^xsd:double .\n',
            InvalidPropertyError,
            6,
        ),
        (
            "ex:ahu a brick:AHU .\nex:p a brick:Temperature_Sensor ;\n"
            "  brick:value 123456789012345678901234567890 .\n",
            InvalidPropertyError,
            5,
        ),
        (
            "ex:ahu a brick:AHU .\n<urn:ex#p\\u0007q> a brick:Temperature_Sensor .\n",
            SchemaViolationError,
            5,
        ),
    ],
    ids=["nan", "integer-over-64-bits", "control-character-in-iri"],
)
def test_values_the_graph_cannot_hold_name_the_file_and_the_subjects_line(
    tmp_path, body, error, line
):
    model = brick(tmp_path, body)
    with pytest.raises(error) as caught:
        BrickImporter().parse(model)
    assert (caught.value.file, caught.value.line) == (str(model), line)


def test_every_entity_knows_its_file_and_line_in_every_rdf_format(tmp_path):
    turtle = brick(
        tmp_path,
        "ex:ahu a brick:AHU ;\n  brick:hasPoint ex:t .\nex:t a brick:Temperature_Sensor .\n",
    )
    graph = BrickImporter().parse(turtle)
    assert graph.nodes["urn:ex#t"].location.line == 6
    assert graph.relationships[("urn:ex#ahu", "HAS_POINT", "urn:ex#t")].location.line == 4
    xml = tmp_path / "model.rdf"
    xml.write_text(
        f'<?xml version="1.0"?>\n{RDF_XML}<brick:AHU rdf:about="urn:ex#ahu"/>\n'
        '<brick:Room rdf:about="urn:ex#room"/>\n</rdf:RDF>\n'
    )
    assert BrickImporter().parse(xml).nodes["urn:ex#room"].location.line == 4
    nt = tmp_path / "model.nt"
    nt.write_text(
        "<urn:ex#a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://brickschema.org/schema/Brick#AHU> .\n"
        "<urn:ex#b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://brickschema.org/schema/Brick#Room> .\n"
    )
    assert BrickImporter().parse(nt).nodes["urn:ex#b"].location.line == 2


def test_identical_anonymous_points_get_distinct_ids_that_are_stable_across_reimports(tmp_path):
    point = "[ a brick:Temperature_Sensor ; brick:hasUnit <http://qudt.org/vocab/unit/DEG_C> ]"
    model = brick(
        tmp_path,
        f"ex:ahu a brick:AHU ;\n  brick:hasPoint {point} ,\n    {point} .\n"
        f"ex:vav a brick:VAV ;\n  brick:hasPoint {point} .\n",
    )
    first = BrickImporter().parse(model)
    anonymous = sorted(i for i in first.nodes if i.startswith("_:"))
    assert len(anonymous) == 3  # two under the AHU, one under the VAV: all kept
    assert {(s, e) for s, _t, e in first.relationships if e.startswith("_:")} == {
        (s, e) for s, _t, e in first.relationships if s in ("urn:ex#ahu", "urn:ex#vav")
    }
    again = BrickImporter().parse(model)
    assert set(again.relationships) == set(first.relationships)
    assert sorted(i for i in again.nodes if i.startswith("_:")) == anonymous
