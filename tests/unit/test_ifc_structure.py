"""IFC files that are broken in ways ifcopenshell accepts are refused before the mapping, each
naming the file, the line and the instance (a small model built here, then damaged)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphtwin.errors import MalformedFileError, SchemaViolationError
from importers.ifc import IfcImporter
from importers.ifc.step_structure import read_step_structure
from tests.conftest import SHARED_DATA
from tests.support.ifc_models import AirSystemModel


@pytest.fixture(scope="module")
def model_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    return AirSystemModel().write(tmp_path_factory.mktemp("ifc") / "air.ifc").read_text()


def damaged(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "damaged.ifc"
    path.write_text(text)
    return path


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def instance_line(text: str, number: int) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"#{number}="))


def test_a_file_cut_in_its_data_with_its_end_written_again_is_refused_as_truncated(
    model_text, tmp_path
):
    lines = model_text.splitlines(keepends=True)
    cut = lines[: lines.index("DATA;\n") + 14]  # through #13, the storey's spaces
    path = damaged(tmp_path, "".join(cut) + "END-ISO-10303-21;\n")
    with pytest.raises(MalformedFileError) as caught:
        IfcImporter().parse(path)
    error = caught.value
    assert "truncated" in error.reason and "ENDSEC" in error.reason
    assert (error.file, error.line, error.entity) == (str(path), len(cut) + 1, "#13")
    assert error.exit_code == 2


def test_a_file_cut_inside_a_string_with_its_end_written_again_is_refused(model_text, tmp_path):
    cut = model_text[: model_text.index("'Diffuser 102'") + 5]
    path = damaged(tmp_path, cut + "\nENDSEC;\nEND-ISO-10303-21;\n")
    with pytest.raises(MalformedFileError) as caught:
        IfcImporter().parse(path)
    assert "truncated" in caught.value.reason and "not complete" in caught.value.reason


def test_an_instance_name_defined_twice_is_refused_naming_both_lines(model_text, tmp_path):
    twice = model_text.replace("#15=", "#14=IFCQUANTITYAREA('Other',$,$,1.,$);\n#15=", 1)
    path = damaged(tmp_path, twice)
    with pytest.raises(MalformedFileError) as caught:
        IfcImporter().parse(path)
    error = caught.value
    first = line_of(twice, "#14=")
    assert error.entity == "#14" and error.line == first + 1
    assert f"defined twice (first at line {first})" in error.reason


def test_an_empty_global_id_is_refused_instead_of_becoming_the_id_ifc_colon(model_text, tmp_path):
    ahu = instance_line(model_text, 17)
    guid = ahu.split("'")[1]
    path = damaged(tmp_path, model_text.replace(f"'{guid}'", "''", 1))
    with pytest.raises(SchemaViolationError) as caught:
        IfcImporter().parse(path)
    error = caught.value
    assert error.entity == "#17 IfcUnitaryEquipment" and error.line == line_of(model_text, ahu)
    assert "GlobalId '' is not an IFC GlobalId" in error.reason


@pytest.mark.parametrize("attributes", [",$,$", ""], ids=["too many", "too few"])
def test_an_instance_with_the_wrong_number_of_attributes_is_refused(
    model_text, tmp_path, attributes
):
    ahu = instance_line(model_text, 17)
    changed = ahu[:-2] + attributes + ");" if attributes else ahu.replace(",.AIRHANDLER.", "")
    path = damaged(tmp_path, model_text.replace(ahu, changed))
    with pytest.raises(SchemaViolationError) as caught:
        IfcImporter().parse(path)
    expected = 11 if attributes else 8
    assert f"IfcUnitaryEquipment has 9 attributes in IFC4, this instance has {expected}" in (
        caught.value.reason
    )
    assert caught.value.line == line_of(model_text, ahu)


def test_a_string_where_an_entity_reference_belongs_is_a_typed_error_not_a_crash(
    model_text, tmp_path
):
    contained = instance_line(model_text, 21)  # IfcRelContainedInSpatialStructure
    broken = contained.rsplit(",", 1)[0] + ",'the storey');"
    path = damaged(tmp_path, model_text.replace(contained, broken))
    with pytest.raises(SchemaViolationError) as caught:
        IfcImporter().parse(path)
    error = caught.value
    assert error.entity == "#21 IfcRelContainedInSpatialStructure"
    assert "attribute 6 (RelatingStructure) must be an entity reference (#N), found a string" in (
        error.reason
    )


def test_an_entity_the_schema_does_not_have_is_named_with_its_line(model_text, tmp_path):
    path = damaged(tmp_path, model_text.replace("=IFCQUANTITYAREA(", "=IFCQUANTITYAREAX(", 1))
    with pytest.raises(SchemaViolationError) as caught:
        IfcImporter().parse(path)
    assert "IFCQUANTITYAREAX is not an entity of IFC4" in caught.value.reason
    assert caught.value.line == line_of(model_text, "=IFCQUANTITYAREA(")


def test_content_after_the_end_of_the_file_is_refused(model_text, tmp_path):
    path = damaged(tmp_path, model_text + "#99=IFCWALL('x');\n")
    with pytest.raises(MalformedFileError, match="content after END-ISO-10303-21"):
        IfcImporter().parse(path)


def test_unbalanced_parentheses_are_refused_naming_the_instance(model_text, tmp_path):
    ahu = instance_line(model_text, 17)
    opened = ahu.replace(".AIRHANDLER.)", "(.AIRHANDLER.)")
    path = damaged(tmp_path, model_text.replace(ahu, opened))
    with pytest.raises(MalformedFileError) as caught:
        IfcImporter().parse(path)
    assert caught.value.entity == "#17" and "parentheses" in caught.value.reason


def test_strings_and_comments_may_hold_semicolons_and_parentheses(model_text, tmp_path):
    text = model_text.replace("'Main duct'", "'Main; duct (north'';)'").replace(
        "DATA;\n", "DATA;\n/* a comment; with (a parenthesis */\n", 1
    )
    graph = IfcImporter().parse(damaged(tmp_path, text))
    assert "Main; duct (north';)" in {node.name for node in graph.nodes.values()}


@pytest.mark.parametrize("name", ["webifc_IfcOpenHouse_IFC4.ifc", "webifc_Office_A_20110811.ifc"])
def test_the_real_ifc_files_pass_the_structural_check(name):
    path = SHARED_DATA / "ifc" / name
    if not path.is_file():
        pytest.skip(f"real-world data not available ({path} is absent)")
    index = read_step_structure(path)
    assert index.instances and index.schema in ("IFC4", "IFC2X3")


def test_a_number_among_the_references_of_a_relationship_is_refused_naming_its_line(
    model_text, tmp_path
):
    """Found by the importer fuzzer: `(#125)` flipped to `(5125)` in an IfcRelAggregates
    reached the mapping as an int and crashed it with AttributeError."""
    rel = next(line for line in model_text.splitlines() if "=IFCRELAGGREGATES(" in line)
    items = rel[rel.rindex("(") :]
    broken = rel.replace(items, items.replace("#", "5", 1), 1)
    path = damaged(tmp_path, model_text.replace(rel, broken, 1))
    with pytest.raises(SchemaViolationError) as caught:
        IfcImporter().parse(path)
    error = caught.value
    assert error.entity.endswith("IfcRelAggregates") and error.line == line_of(model_text, rel)
    assert "RelatedObjects) must be a list of entity references (#N)" in error.reason


def test_lists_of_references_and_lists_of_values_are_told_apart(tmp_path):
    text = (
        "ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n"
        "#1=IFCX('a',(#2,#3),(),(1.,2.),((#4)));\nENDSEC;\nEND-ISO-10303-21;\n"
    )
    index = read_step_structure(damaged(tmp_path, text))
    assert index.instances[1].attributes == b"'@%(("
