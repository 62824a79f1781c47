"""The ISA-95 importer on B2MML and BatchML documents written here, the examples and real files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from lxml import etree

from graphtwin.errors import (
    DuplicateEntityError,
    InputError,
    InvalidEnumerationError,
    MalformedFileError,
    NoTwinEntitiesError,
    SchemaViolationError,
    UnknownNamespaceError,
    UnsupportedMessageError,
)
from graphtwin.twin_diff import diff_graphs
from importers import IMPORTERS
from importers.isa95 import Isa95Importer
from importers.isa95.mapping import isa95_mapping
from tests.conftest import ROOT, SHARED_DATA

EXAMPLES = ROOT / "examples"
V0600 = "http://www.mesa.org/xml/B2MML-V0600"
V0700 = "http://www.mesa.org/xml/B2MML"
V0400 = "http://www.wbf.org/xml/b2mml-v0400"
BATCHML = "http://www.wbf.org/xml/BatchML-V02"
B = "isa95:RIVERSIDE.CAMPUS.BLDGB"


def message(
    tmp_path: Path,
    body: str,
    *,
    root: str = "SyncEquipmentInformation",
    ns: str = V0600,
    verb: str = "Sync",
    name: str = "doc.xml",
) -> Path:
    """A B2MML message: ApplicationArea, then a DataArea with the verb and `body`."""
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="{ns}">
  <ApplicationArea>
    <Sender><LogicalID>tests</LogicalID></Sender>
    <CreationDateTime>2025-01-01T00:00:00Z</CreationDateTime>
  </ApplicationArea>
  <DataArea>
    <{verb}/>
{textwrap.indent(textwrap.dedent(body).strip(), "    ")}
  </DataArea>
</{root}>
"""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parse(path: Path):
    return Isa95Importer().parse(path)


def rels(graph, rel_type: str) -> set[tuple[str, str]]:
    return {(r.start, r.end) for r in graph.iter_relationships() if r.type == rel_type}


def equipment(eid: str, level: str, inner: str = "", level_tag: str = "EquipmentLevel") -> str:
    return f"""<Equipment><ID>{eid}</ID>
      <{level_tag}><EquipmentID>{eid}</EquipmentID>
        <EquipmentElementLevel>{level}</EquipmentElementLevel></{level_tag}>
      {inner}</Equipment>"""


# --- the examples ---------------------------------------------------------------------------------


def test_the_example_building_b_equipment_forms_the_role_based_hierarchy():
    graph = parse(EXAMPLES / "riverside-building-b.b2mml.xml")
    kinds = {t: n.kind for t, n in graph.nodes.items()}
    assert kinds == {
        "isa95:RIVERSIDE": "Site",
        "isa95:RIVERSIDE.CAMPUS": "Site",
        B: "Building",
        f"{B}.HVAC": "System",
        f"{B}.HVAC.AHU02": "Equipment",
        f"{B}.HVAC.AHU02.SF": "Equipment",
        f"{B}.HVAC.AHU02.CC": "Equipment",
        f"{B}.HVAC.VAV101": "Equipment",
        f"{B}.HVAC.VAV201": "Equipment",
        f"{B}.HVAC.VAV202": "Equipment",
        f"{B}.LAB": "System",
        f"{B}.LAB.UTM01": "Equipment",
    }
    assert rels(graph, "CONTAINS") == {
        ("isa95:RIVERSIDE", "isa95:RIVERSIDE.CAMPUS"),
        ("isa95:RIVERSIDE.CAMPUS", B),
        (B, f"{B}.HVAC"),
        (B, f"{B}.LAB"),
        (f"{B}.HVAC", f"{B}.HVAC.AHU02"),
        (f"{B}.HVAC", f"{B}.HVAC.VAV101"),
        (f"{B}.HVAC", f"{B}.HVAC.VAV201"),
        (f"{B}.HVAC", f"{B}.HVAC.VAV202"),
        (f"{B}.HVAC.AHU02", f"{B}.HVAC.AHU02.SF"),
        (f"{B}.HVAC.AHU02", f"{B}.HVAC.AHU02.CC"),
        (f"{B}.LAB", f"{B}.LAB.UTM01"),
    }
    assert len(graph.relationships) == 11
    names = {t: n.name for t, n in graph.nodes.items()}
    assert names["isa95:RIVERSIDE"] == "Riverside Estates"
    assert names[f"{B}.HVAC.VAV201"] == "Terminal unit office 201"
    ahu = graph.nodes[f"{B}.HVAC.AHU02"].properties
    assert ahu["isa95_id"] == "RIVERSIDE.CAMPUS.BLDGB.HVAC.AHU02"
    assert ahu["isa95_level"] == "Unit"
    assert ahu["isa95_equipment_class"] == "AirHandlingUnit"
    assert ahu["brick_class"] == "Air_Handling_Unit"
    assert ahu["prop__NominalAirFlow"] == pytest.approx(2.4)
    assert ahu["prop__NominalAirFlow__unit"] == "m3/s"
    assert ahu["tag"] == "AHU-2"
    brick = {t: n.properties.get("brick_class") for t, n in graph.nodes.items()}
    assert brick[f"{B}.HVAC.AHU02.SF"] == "Fan"
    assert brick[f"{B}.HVAC.AHU02.CC"] == "Cooling_Coil"
    assert brick[f"{B}.HVAC.VAV101"] == "Variable_Air_Volume_Box"
    assert brick[f"{B}.LAB.UTM01"] is None  # TestingMachine: no Brick class
    assert brick[B] is None  # only equipment gets one
    assert graph.annotations["isa95_version"] == "B2MML V0600"
    assert graph.annotations["isa95_counts"] == {"Equipment": 12}
    assert graph.warnings == []


def test_the_example_personnel_are_members_of_their_roles_and_responsible_for_equipment():
    graph = parse(EXAMPLES / "riverside-building-b-personnel.b2mml.xml")
    people = {t: (n.kind, n.name) for t, n in graph.nodes.items()}
    assert people == {
        "isa95:person:P-0042": ("Person", "Ada Keller"),
        "isa95:person:P-0107": ("Person", "Lin Okafor"),
        "isa95:role:HVAC_TECHNICIAN": ("Role", "HVAC technician"),
        "isa95:role:LAB_MANAGER": ("Role", "Laboratory manager"),
    }
    assert rels(graph, "RESPONSIBLE_FOR") == {
        ("isa95:person:P-0042", f"{B}.HVAC.AHU02"),
        ("isa95:person:P-0107", f"{B}.LAB"),
    }
    assert rels(graph, "MEMBER_OF") == {
        ("isa95:person:P-0042", "isa95:role:HVAC_TECHNICIAN"),
        ("isa95:person:P-0107", "isa95:role:LAB_MANAGER"),
    }
    # the convention property becomes the relationship, not a property as well
    assert not any("ResponsibleFor" in k for n in graph.nodes.values() for k in n.properties)
    equipment_ids = set(parse(EXAMPLES / "riverside-building-b.b2mml.xml").nodes)
    assert {end for _, end in rels(graph, "RESPONSIBLE_FOR")} <= equipment_ids


def test_the_example_maintenance_segment_applies_to_ahu_2_and_needs_an_hvac_technician():
    graph = parse(EXAMPLES / "riverside-building-b-maintenance.b2mml.xml")
    [segment] = graph.nodes.values()
    assert (segment.twin_id, segment.kind, segment.name) == (
        "isa95:process-segment:AHU02-FILTER-CHANGE",
        "Procedure",
        "AHU-2 filter change",
    )
    assert segment.properties["operations_type"] == "Maintenance"
    assert segment.properties["param__IntervalMonths"] == 6
    assert segment.properties["param__IntervalMonths__unit"] == "month"
    assert set(graph.relationships) == {
        (segment.twin_id, "APPLIES_TO", f"{B}.HVAC.AHU02"),
        (segment.twin_id, "REQUIRES", "isa95:role:HVAC_TECHNICIAN"),
    }


def test_importing_an_unchanged_document_again_gives_the_same_graph():
    path = EXAMPLES / "riverside-building-b.b2mml.xml"
    assert diff_graphs(parse(path), parse(path)).empty


def test_the_importer_is_registered_for_the_command_line():
    assert isinstance(IMPORTERS["isa95"], Isa95Importer)


# --- versions and reading -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("namespace", "version"),
    [
        ("http://www.wbf.org/xml/b2mml-v0400", "B2MML V0400"),
        ("http://www.wbf.org/xml/B2MML-V0400", "B2MML V0400"),
        ("http://www.wbf.org/xml/B2MML-V0401", "B2MML V0401"),
        ("http://www.wbf.org/xml/b2mml-v0401", "B2MML V0401"),
        ("http://www.wbf.org/xml/B2MML-V05", "B2MML V0500"),
        ("http://www.mesa.org/xml/B2MML-V0600", "B2MML V0600"),
        ("http://www.mesa.org/xml/B2MML-V0601", "B2MML V0601"),
        ("http://www.mesa.org/xml/B2MML", "B2MML V0700"),
    ],
)
def test_the_version_is_read_from_the_root_namespace_whatever_its_case(
    tmp_path, namespace, version
):
    path = message(tmp_path, equipment("E1", "Site"), ns=namespace)
    assert parse(path).annotations["isa95_version"] == version


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.mesa.org/xml/B2MML-V0900",
        "urn:example:not-b2mml",
        "http://www.w3.org/1999/xhtml",
    ],
)
def test_a_document_in_another_namespace_is_refused(tmp_path, namespace):
    path = message(tmp_path, equipment("E1", "Site"), ns=namespace)
    with pytest.raises(UnknownNamespaceError) as caught:
        parse(path)
    assert caught.value.exit_code == 2 and caught.value.file == str(path)
    assert namespace in str(caught.value) and caught.value.line == 2


def test_a_document_without_a_namespace_is_refused(tmp_path):
    path = tmp_path / "bare.xml"
    path.write_text(
        "<EquipmentInformation><Equipment><ID>E</ID></Equipment></EquipmentInformation>"
    )
    with pytest.raises(UnknownNamespaceError, match="has no namespace"):
        parse(path)


@pytest.mark.parametrize(
    ("content", "fragment", "line"),
    [
        (b"", "empty file", None),
        (b"   \n", "empty file", None),
        (b"@prefix brick: <https://brickschema.org/schema/Brick#> .\n", "not well-formed", 1),
        (b'<?xml version="1.0"?>\n<Sync xmlns="http://www.mesa.org/xml/B2MML">\n  <Data', None, 3),
        (b"PK\x03\x04\x14\x00\x00\x00binary zip", "not well-formed", 1),
    ],
)
def test_files_that_are_not_xml_or_are_cut_off_are_refused_with_the_line(
    tmp_path, content, fragment, line
):
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(MalformedFileError) as caught:
        parse(path)
    assert caught.value.exit_code == 2 and caught.value.file == str(path)
    if fragment:
        assert fragment in str(caught.value)
    assert caught.value.line == line


def test_a_truncated_real_sized_document_names_where_it_stops(tmp_path):
    full = (EXAMPLES / "riverside-building-b.b2mml.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(full[: len(full) // 2])
    with pytest.raises(MalformedFileError) as caught:
        parse(cut)
    assert "truncated" in str(caught.value)
    assert caught.value.line and caught.value.line > 50


def test_a_utf8_byte_order_mark_is_skipped(tmp_path):
    path = message(tmp_path, equipment("E1", "Site"))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert set(parse(path).nodes) == {"isa95:E1"}


def test_entity_declarations_are_refused_before_anything_is_expanded(tmp_path):
    path = tmp_path / "laughs.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        f'<EquipmentInformation xmlns="{V0600}"><Equipment><ID>&lol2;</ID></Equipment>'
        "</EquipmentInformation>\n"
    )
    with pytest.raises(MalformedFileError, match="entities"):
        parse(path)


@pytest.mark.parametrize("verb", ["Get", "Cancel"])
def test_queries_and_deletions_are_not_imported_as_data(tmp_path, verb):
    path = message(tmp_path, equipment("E1", "Site"), verb=verb, root=f"{verb}Equipment")
    with pytest.raises(UnsupportedMessageError) as caught:
        parse(path)
    assert verb in str(caught.value) and caught.value.exit_code == 2


def test_a_document_that_defines_nothing_is_refused(tmp_path):
    path = message(tmp_path, "<EquipmentInformation/>")
    with pytest.raises(NoTwinEntitiesError):
        parse(path)


# --- equipment levels and the hierarchy -----------------------------------------------------------


def test_an_invalid_equipment_level_names_the_element_and_its_line(tmp_path):
    path = message(
        tmp_path,
        """
        <ProductionSchedule>
          <ProductionRequest><ID>R1</ID>
            <HierarchyScope>
              <EquipmentID>psc2</EquipmentID>
              <EquipmentElementLevel>ProcessCedfll</EquipmentElementLevel>
            </HierarchyScope>
          </ProductionRequest>
        </ProductionSchedule>
        """,
        root="ProcessProductionSchedule",
        verb="Process",
    )
    with pytest.raises(InvalidEnumerationError) as caught:
        parse(path)
    error = caught.value
    assert isinstance(error, SchemaViolationError) and error.exit_code == 2
    lines = path.read_text().splitlines()
    assert error.line == next(i for i, text in enumerate(lines, 1) if "ProcessCedfll" in text)
    assert (
        error.entity == "ProductionSchedule/ProductionRequest/HierarchyScope/EquipmentElementLevel"
    )
    assert "'ProcessCedfll'" in str(error) and "ProcessCell" in str(error)


def test_an_empty_equipment_level_is_invalid_too(tmp_path):
    path = message(tmp_path, "<Equipment><ID>E</ID><EquipmentLevel/></Equipment>")
    with pytest.raises(InvalidEnumerationError, match="empty value"):
        parse(path)


def test_levels_are_matched_without_regard_to_case_and_other_keeps_its_value(tmp_path):
    path = message(
        tmp_path,
        """
        <Equipment><ID>C1</ID><EquipmentLevel>processcell</EquipmentLevel></Equipment>
        <Equipment><ID>X1</ID>
          <EquipmentLevel OtherValue="Skid">Other</EquipmentLevel></Equipment>
        """,
        ns=V0700,
    )
    graph = parse(path)
    assert graph.nodes["isa95:C1"].kind == "System"
    assert graph.nodes["isa95:C1"].properties["isa95_level"] == "ProcessCell"
    assert graph.nodes["isa95:X1"].properties["isa95_level_other"] == "Skid"


def test_every_level_of_the_enumeration_maps_to_a_kind_of_the_vocabulary():
    from graphtwin.vocabulary import vocabulary

    mapping = isa95_mapping()
    assert set(mapping.levels) >= {
        "Enterprise",
        "Site",
        "Area",
        "ProcessCell",
        "ProductionUnit",
        "ProductionLine",
        "WorkCell",
        "StorageZone",
        "Unit",
        "EquipmentModule",
        "ControlModule",
        "Other",
    }
    assert all(vocabulary().is_kind(kind) for kind in mapping.levels.values())
    assert (mapping.levels["Area"], mapping.levels["StorageZone"]) == ("Building", "Zone")


def test_v0700_nests_equipment_child_with_a_plain_level(tmp_path):
    path = message(
        tmp_path,
        """
        <EquipmentInformation>
          <Equipment><ID>S</ID><EquipmentLevel>Site</EquipmentLevel>
            <EquipmentChild><ID>S.Z</ID><EquipmentLevel>StorageZone</EquipmentLevel>
              <EquipmentChild><ID>S.Z.T1</ID><EquipmentLevel>StorageUnit</EquipmentLevel>
                <EquipmentClassID>tank</EquipmentClassID>
              </EquipmentChild>
            </EquipmentChild>
          </Equipment>
        </EquipmentInformation>
        """,
        ns=V0700,
    )
    graph = parse(path)
    assert [graph.nodes[t].kind for t in ("isa95:S", "isa95:S.Z", "isa95:S.Z.T1")] == [
        "Site",
        "Zone",
        "Equipment",
    ]
    assert rels(graph, "CONTAINS") == {("isa95:S", "isa95:S.Z"), ("isa95:S.Z", "isa95:S.Z.T1")}
    assert graph.nodes["isa95:S.Z.T1"].properties["brick_class"] == "Tank"


def test_a_v0400_location_gives_the_level_and_a_parent_named_by_its_hierarchy_id(tmp_path):
    path = message(
        tmp_path,
        """
        <EquipmentInformation>
          <Equipment><ID>Acme.North</ID>
            <Location><EquipmentID>site-1</EquipmentID>
              <EquipmentElementLevel>Site</EquipmentElementLevel></Location>
          </Equipment>
          <Equipment><ID>Acme.North.Crusher</ID>
            <Location><EquipmentID>site-1</EquipmentID>
              <EquipmentElementLevel>Site</EquipmentElementLevel>
              <Location><EquipmentID>area-1</EquipmentID>
                <EquipmentElementLevel>Area</EquipmentElementLevel></Location>
            </Location>
          </Equipment>
          <Equipment><ID>Acme.South.Mill</ID>
            <Location><EquipmentID>site-2</EquipmentID>
              <EquipmentElementLevel>Site</EquipmentElementLevel>
              <Location><EquipmentID>area-9</EquipmentID>
                <EquipmentElementLevel>Area</EquipmentElementLevel></Location>
            </Location>
          </Equipment>
        </EquipmentInformation>
        """,
        ns=V0400,
        root="ShowEquipmentInformation",
        verb="Show",
    )
    graph = parse(path)
    crusher = graph.nodes["isa95:Acme.North.Crusher"]
    assert (crusher.kind, crusher.properties["isa95_location_id"]) == ("Building", "area-1")
    assert rels(graph, "CONTAINS") == {("isa95:Acme.North", "isa95:Acme.North.Crusher")}
    mill = graph.nodes["isa95:Acme.South.Mill"].properties
    assert mill["isa95_parent_id"] == "site-2"  # not in this document: kept, no edge


def test_a_hierarchy_scope_naming_other_equipment_is_the_parent_only_when_not_nested(tmp_path):
    path = message(
        tmp_path,
        f"""
        <EquipmentInformation>
          {equipment("P", "ProductionLine", equipment("P.C", "WorkCell"))}
          <Equipment><ID>U</ID>
            <HierarchyScope><EquipmentID>P</EquipmentID>
              <EquipmentElementLevel>ProductionLine</EquipmentElementLevel></HierarchyScope>
            <EquipmentLevel><EquipmentID>U</EquipmentID>
              <EquipmentElementLevel>Unit</EquipmentElementLevel></EquipmentLevel>
          </Equipment>
        </EquipmentInformation>
        """,
    )
    graph = parse(path)
    assert rels(graph, "CONTAINS") == {("isa95:P", "isa95:P.C"), ("isa95:P", "isa95:U")}
    assert graph.nodes["isa95:U"].properties["isa95_scope"] == "P"


def test_parent_references_that_run_in_a_circle_are_refused(tmp_path):
    scope = (
        "<HierarchyScope><EquipmentID>{}</EquipmentID>"
        "<EquipmentElementLevel>Unit</EquipmentElementLevel></HierarchyScope>"
    )
    path = message(
        tmp_path,
        f"""
        <Equipment><ID>A</ID>{scope.format("B")}</Equipment>
        <Equipment><ID>B</ID>{scope.format("A")}</Equipment>
        """,
    )
    with pytest.raises(SchemaViolationError, match="circle"):
        parse(path)


def test_equipment_without_an_id_and_equipment_defined_twice_are_refused(tmp_path):
    with pytest.raises(SchemaViolationError, match="without an ID") as caught:
        parse(message(tmp_path, "<Equipment><Description>x</Description></Equipment>"))
    assert caught.value.line == 9
    with pytest.raises(DuplicateEntityError):
        parse(message(tmp_path, equipment("E", "Unit") + equipment("E", "Unit")))


def test_batchml_equipment_elements_form_a_hierarchy_and_classes_are_left_out(tmp_path):
    path = tmp_path / "equipment.batchml.xml"
    path.write_text(
        f"""<BatchInformation xmlns="{BATCHML}">
          <EquipmentElement><ID>CELL1</ID><EquipmentElementType>Element</EquipmentElementType>
            <EquipmentElementLevel>ProcessCell</EquipmentElementLevel>
            <EquipmentElementID>REACTOR1</EquipmentElementID>
          </EquipmentElement>
          <EquipmentElement><ID>REACTOR1</ID>
            <EquipmentElementLevel>Unit</EquipmentElementLevel></EquipmentElement>
          <EquipmentElement><ID>REACTORS</ID><EquipmentElementType>Class</EquipmentElementType>
            <EquipmentElementLevel>Unit</EquipmentElementLevel></EquipmentElement>
        </BatchInformation>"""
    )
    graph = parse(path)
    assert set(graph.nodes) == {"isa95:CELL1", "isa95:REACTOR1"}
    assert rels(graph, "CONTAINS") == {("isa95:CELL1", "isa95:REACTOR1")}
    assert graph.annotations["isa95_left_out"] == {"EquipmentElement (class)": 1}


# --- properties -----------------------------------------------------------------------------------


def test_property_values_are_typed_by_their_data_type_with_units_and_safe_names(tmp_path):
    def prop(pid: str, *values: tuple[str, str | None, str | None], inner: str = "") -> str:
        rendered = "".join(
            f"<Value><ValueString>{v}</ValueString>"
            + (f"<DataType>{t}</DataType>" if t else "")
            + (f"<UnitOfMeasure>{u}</UnitOfMeasure>" if u is not None else "")
            + "</Value>"
            for v, t, u in values
        )
        return f"<EquipmentProperty><ID>{pid}</ID>{rendered}{inner}</EquipmentProperty>"

    props = "".join(
        [
            prop("Max Throughput", ("850", "int", "")),
            prop("Flow", ("2.40", "double", "m3/s")),
            prop("Running", ("true", "boolean", None)),
            prop("Serial", ("0042", None, None)),
            prop("Indice", ("0010", "string", None)),
            prop("Broken", ("n/a", "integer", None)),
            prop("Hazards", ("C", "Text", ""), ("XN", "Text", "")),
            prop("Rating", ("3", "decimal", "kW"), inner=prop("Peak", ("4.5", "decimal", "kW"))),
            prop("Asset-Tag", ("AHU-9", "string", None)),
        ]
    )
    path = message(tmp_path, f"<Equipment><ID>E</ID>{props}</Equipment>")
    graph = parse(path)
    p = graph.nodes["isa95:E"].properties
    assert p["prop__Max_Throughput"] == 850 and "prop__Max_Throughput__unit" not in p
    assert p["prop__Flow"] == pytest.approx(2.4) and p["prop__Flow__unit"] == "m3/s"
    assert p["prop__Running"] is True
    assert p["prop__Serial"] == "0042"  # no DataType: the text as it is
    assert p["prop__Indice"] == "0010"
    assert p["prop__Broken"] == "n/a"  # declared integer, is not: kept as text and counted
    assert p["prop__Hazards"] == ["C", "XN"]
    assert p["prop__Rating"] == pytest.approx(3.0) and p["prop__Rating__Peak"] == 4.5
    assert p["prop__Rating__Peak__unit"] == "kW"
    assert p["tag"] == "AHU-9"  # AssetTag, whatever its punctuation
    assert graph.warnings == ["1 values did not parse as their DataType; kept as text"]


def test_simple_fields_become_snake_case_properties_and_never_take_a_reserved_name(tmp_path):
    path = message(
        tmp_path,
        """
        <Equipment><ID>E</ID><Name>Pump one</Name><PublishedDate>2025-01-01</PublishedDate>
          <MaintenanceRequestID>MR1</MaintenanceRequestID>
          <MaintenanceRequestID>MR2</MaintenanceRequestID></Equipment>
        """,
        ns=V0700,
    )
    node = parse(path).nodes["isa95:E"]
    assert node.name == "E"
    assert node.properties["isa95_name"] == "Pump one"
    assert node.properties["published_date"] == "2025-01-01"
    assert node.properties["maintenance_request_id"] == ["MR1", "MR2"]


def test_equipment_classes_map_to_brick_ignoring_case_and_punctuation(tmp_path):
    path = message(
        tmp_path,
        """
        <Equipment><ID>A</ID><EquipmentClassID>air_handling-unit</EquipmentClassID></Equipment>
        <Equipment><ID>B</ID><EquipmentClassID>Skid</EquipmentClassID>
          <EquipmentClassID>AHU</EquipmentClassID></Equipment>
        <Equipment><ID>C</ID><EquipmentClassID>Crusher.JawCrusher</EquipmentClassID></Equipment>
        """,
    )
    graph = parse(path)
    assert graph.nodes["isa95:A"].properties["brick_class"] == "Air_Handling_Unit"
    b = graph.nodes["isa95:B"].properties
    assert (b["brick_class"], b["isa95_equipment_class"]) == ("Air_Handling_Unit", ["Skid", "AHU"])
    assert "brick_class" not in graph.nodes["isa95:C"].properties


def test_every_brick_class_in_the_isa95_table_is_a_current_brick_equipment_class():
    from importers.brick.vocabulary import brick_vocabulary

    classes = brick_vocabulary().classes
    table = isa95_mapping().brick_table
    assert {"AirHandlingUnit", "AHU", "VAVBox", "VAV", "Fan", "CoolingCoil", "Pump"} <= set(table)
    for class_id, brick_class in table.items():
        info = classes.get(brick_class)
        assert info is not None, (class_id, brick_class)
        assert info["kind"] == "Equipment", (class_id, brick_class)
        assert "alias_of" not in info and not info.get("deprecated"), (class_id, brick_class)


# --- personnel, materials, segments ---------------------------------------------------------------


def test_personnel_classes_list_their_members_and_responsibility_can_sit_on_a_class(tmp_path):
    path = message(
        tmp_path,
        """
        <PersonnelInformation>
          <Person><ID>P1</ID><Description>no name given</Description>
            <PersonProperty><ID>Shift</ID><Value><ValueString>2</ValueString>
              <DataType>integer</DataType></Value></PersonProperty>
          </Person>
          <PersonnelClass><ID>OPS</ID>
            <PersonnelClassProperty><ID>responsible_for</ID>
              <Value><ValueString>LINE1</ValueString></Value>
              <Value><ValueString>LINE2</ValueString></Value>
            </PersonnelClassProperty>
            <PersonID>P1</PersonID>
          </PersonnelClass>
        </PersonnelInformation>
        """,
        root="SyncPersonnelInformation",
    )
    graph = parse(path)
    person = graph.nodes["isa95:person:P1"]
    assert (person.name, person.properties["prop__Shift"]) == ("no name given", 2)
    assert rels(graph, "MEMBER_OF") == {("isa95:person:P1", "isa95:role:OPS")}
    assert rels(graph, "RESPONSIBLE_FOR") == {
        ("isa95:role:OPS", "isa95:LINE1"),
        ("isa95:role:OPS", "isa95:LINE2"),
    }
    # equipment named but not defined here: the store checks that it exists
    assert graph.external_endpoints() == {"isa95:LINE1", "isa95:LINE2"}


def test_materials_classes_definitions_lots_and_sublots(tmp_path):
    path = message(
        tmp_path,
        """
        <MaterialInformation>
          <MaterialClass><ID>API</ID><Description>Active ingredients</Description></MaterialClass>
          <MaterialDefinition><ID>DXM</ID><Description>Dextromethorphan</Description>
            <MaterialDefinitionProperty><ID>Purity</ID><Value><ValueString>99.5</ValueString>
              <DataType>decimal</DataType><UnitOfMeasure>%</UnitOfMeasure></Value>
            </MaterialDefinitionProperty>
            <MaterialClassID>API</MaterialClassID>
          </MaterialDefinition>
          <MaterialLot><ID>LOT7</ID><MaterialDefinitionID>DXM</MaterialDefinitionID>
            <Status>Released</Status>
            <MaterialSubLot><ID>LOT7-A</ID></MaterialSubLot>
            <StorageLocation>TANK1</StorageLocation>
            <Quantity><QuantityString>12.5</QuantityString><DataType>double</DataType>
              <UnitOfMeasure>kg</UnitOfMeasure></Quantity>
          </MaterialLot>
        </MaterialInformation>
        """,
        root="SyncMaterialInformation",
    )
    graph = parse(path)
    assert {t: n.kind for t, n in graph.nodes.items()} == {
        "isa95:material-class:API": "Material",
        "isa95:material:DXM": "Material",
        "isa95:material-lot:LOT7": "Material",
        "isa95:material-sublot:LOT7-A": "Material",
    }
    assert set(graph.relationships) == {
        ("isa95:material:DXM", "MEMBER_OF", "isa95:material-class:API"),
        ("isa95:material-lot:LOT7", "MEMBER_OF", "isa95:material:DXM"),
        ("isa95:material-lot:LOT7", "HAS_PART", "isa95:material-sublot:LOT7-A"),
    }
    lot = graph.nodes["isa95:material-lot:LOT7"].properties
    assert lot["isa95_material_definition"] == "DXM" and lot["status"] == "Released"
    assert (lot["quantity"], lot["quantity__unit"]) == (12.5, "kg")
    assert lot["storage_location"] == "TANK1"
    purity = graph.nodes["isa95:material:DXM"].properties
    assert (purity["prop__Purity"], purity["prop__Purity__unit"]) == (99.5, "%")


def test_an_operations_definition_has_its_segments_as_parts_named_by_their_path(tmp_path):
    path = message(
        tmp_path,
        """
        <OperationsDefinitionInformation>
          <OperationsDefinition><ID>OD1</ID><Description>Make syrup</Description>
            <HierarchyScope><EquipmentID>SITE9</EquipmentID>
              <EquipmentElementLevel>Site</EquipmentElementLevel></HierarchyScope>
            <OperationsSegment><ID>10</ID><ProcessSegmentID>MIX</ProcessSegmentID>
              <PersonnelSpecification><PersonID>P7</PersonID>
                <PersonnelUse>Operator</PersonnelUse></PersonnelSpecification>
              <EquipmentSpecification><EquipmentClassID>Mixer</EquipmentClassID>
              </EquipmentSpecification>
              <MaterialSpecification><MaterialDefinitionID>SUGAR</MaterialDefinitionID>
                <MaterialUse>Consumed</MaterialUse></MaterialSpecification>
              <MaterialSpecification><MaterialDefinitionID>SUGAR</MaterialDefinitionID>
                <MaterialUse>Produced</MaterialUse></MaterialSpecification>
              <OperationsSegment><ID>10</ID><Description>Sub step</Description>
              </OperationsSegment>
            </OperationsSegment>
          </OperationsDefinition>
          <OperationsDefinition><ID>OD2</ID>
            <OperationsSegment><ID>10</ID></OperationsSegment>
          </OperationsDefinition>
        </OperationsDefinitionInformation>
        """,
        root="SyncOperationsDefinitionInformation",
    )
    graph = parse(path)
    seg = "isa95:operations-segment:OD1/10"
    assert set(graph.nodes) == {
        "isa95:operations-definition:OD1",
        "isa95:operations-definition:OD2",
        seg,
        f"{seg}/10",
        "isa95:operations-segment:OD2/10",
    }
    assert rels(graph, "HAS_PART") == {
        ("isa95:operations-definition:OD1", seg),
        (seg, f"{seg}/10"),
        ("isa95:operations-definition:OD2", "isa95:operations-segment:OD2/10"),
    }
    requires = {r.end: r.properties for r in graph.iter_relationships() if r.type == "REQUIRES"}
    assert requires == {
        "isa95:person:P7": {"use": ["Operator"]},
        "isa95:material:SUGAR": {"use": ["Consumed", "Produced"]},
    }
    segment = graph.nodes[seg].properties
    assert segment["process_segment_id"] == "MIX"
    assert segment["equipment_class_ids"] == ["Mixer"]
    definition = graph.nodes["isa95:operations-definition:OD1"].properties
    assert definition["isa95_scope"] == "SITE9"  # not in this document: no APPLIES_TO
    assert rels(graph, "APPLIES_TO") == set()


def test_a_segment_specifying_an_equipment_class_applies_to_the_equipment_of_that_class(tmp_path):
    path = message(
        tmp_path,
        """
        <EquipmentInformation>
          <Equipment><ID>M1</ID><EquipmentClassID>Mixer</EquipmentClassID></Equipment>
          <Equipment><ID>M2</ID><EquipmentClassID>Mixer</EquipmentClassID></Equipment>
          <Equipment><ID>P1</ID><EquipmentClassID>Pump</EquipmentClassID></Equipment>
        </EquipmentInformation>
        <ProcessSegmentInformation>
          <ProcessSegment><ID>MIX</ID>
            <HierarchyScope><EquipmentID>P1</EquipmentID>
              <EquipmentElementLevel>Unit</EquipmentElementLevel></HierarchyScope>
            <EquipmentSegmentSpecification><EquipmentClassID>Mixer</EquipmentClassID>
            </EquipmentSegmentSpecification>
            <ProcessSegment><ID>MIX.FILL</ID></ProcessSegment>
          </ProcessSegment>
        </ProcessSegmentInformation>
        """,
    )
    graph = parse(path)
    assert rels(graph, "APPLIES_TO") == {
        ("isa95:process-segment:MIX", "isa95:M1"),
        ("isa95:process-segment:MIX", "isa95:M2"),
        ("isa95:process-segment:MIX", "isa95:P1"),  # its hierarchy scope, defined here
    }
    assert rels(graph, "HAS_PART") == {
        ("isa95:process-segment:MIX", "isa95:process-segment:MIX.FILL")
    }


# --- schedules and performance --------------------------------------------------------------------


def test_schedule_references_outside_the_document_are_kept_as_ids_without_relationships(tmp_path):
    path = message(
        tmp_path,
        """
        <ProductionSchedule><ID>S1</ID>
          <ProductionRequest><ID>258456</ID><StartTime>2025-01-02T06:00:00Z</StartTime>
            <HierarchyScope><EquipmentID>BOX9</EquipmentID>
              <EquipmentElementLevel>WorkCell</EquipmentElementLevel></HierarchyScope>
            <SegmentRequirement><ID>0010</ID><ProcessSegmentID>Weighing</ProcessSegmentID>
              <MaterialRequirement><MaterialDefinitionID>CRBN2</MaterialDefinitionID>
                <MaterialDefinitionID>CRBN1</MaterialDefinitionID>
                <Location><EquipmentID>BOX3</EquipmentID>
                  <EquipmentElementLevel>WorkCell</EquipmentElementLevel></Location>
              </MaterialRequirement>
            </SegmentRequirement>
          </ProductionRequest>
          <ProductionRequest><Description>no ID</Description></ProductionRequest>
        </ProductionSchedule>
        """,
        root="SyncProductionSchedule",
    )
    graph = parse(path)
    request = "isa95:document:production-request:258456"
    assert set(graph.nodes) == {"isa95:document:production-schedule:S1", request}
    assert set(graph.relationships) == {
        ("isa95:document:production-schedule:S1", "HAS_PART", request)
    }
    p = graph.nodes[request].properties
    assert p["equipment_ids"] == ["BOX3", "BOX9"]
    assert p["material_definition_ids"] == ["CRBN1", "CRBN2"]
    assert p["process_segment_ids"] == ["Weighing"]
    assert p["segment_ids"] == ["0010"]
    assert (p["isa95_scope"], p["isa95_scope_level"]) == ("BOX9", "WorkCell")
    assert p["start_time"] == "2025-01-02T06:00:00Z"
    assert p["isa95_message"] == "SyncProductionSchedule" and p["message_sender"] == "tests"
    assert graph.nodes[request].kind == "Document"
    assert graph.annotations["isa95_left_out"] == {"ProductionRequest without an ID": 1}
    assert graph.external_endpoints() == set()


def test_a_schedule_applies_to_the_equipment_and_segments_its_document_defines(tmp_path):
    path = message(
        tmp_path,
        f"""
        <EquipmentInformation>{equipment("BOX3", "WorkCell")}</EquipmentInformation>
        <ProcessSegmentInformation><ProcessSegment><ID>Weighing</ID></ProcessSegment>
        </ProcessSegmentInformation>
        <ProductionSchedule>
          <ProductionRequest><ID>R1</ID>
            <SegmentRequirement><ProcessSegmentID>Weighing</ProcessSegmentID>
              <EquipmentRequirement><EquipmentID>BOX3</EquipmentID></EquipmentRequirement>
              <EquipmentRequirement><EquipmentID>BOX4</EquipmentID></EquipmentRequirement>
            </SegmentRequirement>
          </ProductionRequest>
        </ProductionSchedule>
        """,
    )
    graph = parse(path)
    assert rels(graph, "APPLIES_TO") == {
        ("isa95:document:production-request:R1", "isa95:BOX3"),
        ("isa95:document:production-request:R1", "isa95:process-segment:Weighing"),
    }
    assert graph.nodes["isa95:document:production-request:R1"].properties["equipment_ids"] == [
        "BOX3",
        "BOX4",
    ]


def test_a_response_and_the_request_it_answers_keep_apart_despite_one_id(tmp_path):
    path = message(
        tmp_path,
        """
        <ProductionSchedule><ProductionRequest><ID>53107</ID></ProductionRequest>
        </ProductionSchedule>
        <ProductionPerformance><ProductionResponse><ID>53107</ID>
          <ProductionRequestID>53107</ProductionRequestID></ProductionResponse>
        </ProductionPerformance>
        """,
    )
    graph = parse(path)
    assert set(graph.nodes) == {
        "isa95:document:production-request:53107",
        "isa95:document:production-response:53107",
    }


# --- what is not mapped ---------------------------------------------------------------------------


def test_entity_like_elements_nobody_maps_are_counted_and_the_rest_is_ignored(tmp_path):
    path = message(
        tmp_path,
        """
        <EquipmentInformation>
          <PublishedDate>2025-01-01T00:00:00Z</PublishedDate>
          <Equipment><ID>E1</ID>
            <EquipmentAssetMapping><PhysicalAssetID>PA7</PhysicalAssetID></EquipmentAssetMapping>
          </Equipment>
          <EquipmentClass><ID>Pump</ID>
            <EquipmentClassProperty><ID>Head</ID></EquipmentClassProperty></EquipmentClass>
          <EquipmentClass><ID>Fan</ID></EquipmentClass>
          <EquipmentCapabilityTestSpecification><ID>T1</ID></EquipmentCapabilityTestSpecification>
        </EquipmentInformation>
        """,
    )
    graph = parse(path)
    assert set(graph.nodes) == {"isa95:E1"}
    assert graph.annotations["isa95_left_out"] == {
        "EquipmentCapabilityTestSpecification": 1,
        "EquipmentClass": 2,
    }
    assert graph.warnings == [
        "3 elements with an ID are not mapped to the twin and were left out: "
        "EquipmentCapabilityTestSpecification 1, EquipmentClass 2"
    ]


# --- BatchML recipes ------------------------------------------------------------------------------


def test_a_batchml_master_recipe_becomes_a_procedure_tree_with_parameters(tmp_path):
    def element(eid: str, kind: str, inner: str = "", description: str | None = None) -> str:
        text = f"<Description>{description}</Description>" if description else ""
        return (
            f"<RecipeElement><ID>{eid}</ID>{text}<RecipeElementType>{kind}</RecipeElementType>"
            f"{inner}</RecipeElement>"
        )

    parameter = """
      <Parameter><ID>2</ID><Description>QUANTITY 1</Description>
        <ParameterType>ProcessParameter</ParameterType>
        <Value><ValueString>20</ValueString><DataType>positiveInteger</DataType>
          <UnitOfMeasure>kilogram</UnitOfMeasure></Value></Parameter>
      <Parameter><ID>1</ID><Description>MATERIAL 1</Description>
        <Value><ValueString>menthol
        </ValueString><DataType>Enumeration</DataType><UnitOfMeasure>NULL</UnitOfMeasure>
        </Value></Parameter>"""
    logic = "<ProcedureLogic><Step><ID>S1</ID><RecipeElementID>OP1</RecipeElementID></Step>"
    logic += "</ProcedureLogic>"
    phase = element("PH1", "Phase", parameter, "Mix")
    operation = element("OP1", "Operation", logic + element("B1", "Begin") + phase, "Mix slurry")
    procedure = element("PR1", "Procedure", operation, "Cough syrup")
    path = tmp_path / "recipe.xml"
    path.write_text(
        f"""<?xml version="1.0"?>
<b:BatchInformation xmlns:b="{BATCHML}"><b:MasterRecipe xmlns="{BATCHML}">
  <ID>7</ID><Description>MasterRecipe</Description>
  <Header><ProductName>Cough Syrup Demo</ProductName>
    <BatchSize><Nominal>5000</Nominal><Min>1000</Min><UnitOfMeasure>Kilolitres</UnitOfMeasure>
    </BatchSize></Header>
  {procedure}{element("E1", "End")}
</b:MasterRecipe>
<b:EnumerationSet><b:ID>1</b:ID></b:EnumerationSet></b:BatchInformation>"""
    )
    graph = parse(path)
    root = "isa95:master-recipe:7"
    assert rels(graph, "HAS_PART") == {
        (root, f"{root}/PR1"),
        (f"{root}/PR1", f"{root}/PR1/OP1"),
        (f"{root}/PR1/OP1", f"{root}/PR1/OP1/PH1"),
    }
    recipe = graph.nodes[root]
    assert (recipe.kind, recipe.name) == ("Procedure", "Cough Syrup Demo")
    assert recipe.properties["batch_size_nominal"] == 5000
    assert recipe.properties["batch_size__unit"] == "Kilolitres"
    phase_props = graph.nodes[f"{root}/PR1/OP1/PH1"].properties
    assert phase_props["recipe_element_type"] == "Phase"
    assert phase_props["param__QUANTITY_1"] == 20
    assert phase_props["param__QUANTITY_1__unit"] == "kilogram"
    assert phase_props["param__QUANTITY_1__type"] == "ProcessParameter"
    assert phase_props["param__MATERIAL_1"] == "menthol"
    assert "param__MATERIAL_1__unit" not in phase_props  # NULL is no unit
    assert graph.annotations["isa95_version"] == "BatchML V02"
    assert graph.annotations["isa95_left_out"] == {
        "EnumerationSet": 1,
        "ProcedureLogic (step order)": 1,
        "RecipeElement Begin/End marker": 2,
    }


def test_batchml_in_a_b2mml_namespace_is_read_as_that_release(tmp_path):
    path = tmp_path / "recipe-v0600.xml"
    path.write_text(
        f"""<BatchInformation xmlns="{V0600}"><MasterRecipe><ID>R</ID>
          <Description>Syrup</Description>
          <RecipeElement><ID>P</ID><RecipeElementType>Procedure</RecipeElementType></RecipeElement>
        </MasterRecipe></BatchInformation>"""
    )
    graph = parse(path)
    assert graph.annotations["isa95_version"] == "B2MML V0600"
    assert rels(graph, "HAS_PART") == {("isa95:master-recipe:R", "isa95:master-recipe:R/P")}


BATCH_RECORD = ROOT / "tests" / "data" / "batchml_v0401_batch_production_record.xml"
V0401 = "http://www.wbf.org/xml/B2MML-V0401"
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def test_a_batchml_v0401_batch_production_record_maps_the_batch_and_what_it_executed():
    graph = parse(BATCH_RECORD)
    record = graph.nodes["isa95:batch-record:BPR-2024-0117"]
    assert (record.kind, record.name) == ("Document", "Batch B-0117")
    assert record.properties["batch_ids"] == ["B-0117"]
    assert record.properties["record_status"] == "Complete"
    assert record.properties["creation_date"] == "2024-03-12T06:00:00+01:00"
    assert record.properties["lot_id"] == "LOT-SYR-0117"  # the lot the batch made
    assert record.properties["material_definition_id"] == "SYRUP-CS-5000"
    assert record.properties["equipment_id"] == "PLANT1.SYRUP.CELL1"
    executed = "isa95:executed-control-recipe:CR-0117"
    unit = f"{executed}/PROC-01/UP-MIX"
    assert rels(graph, "HAS_PART") == {
        ("isa95:batch-record:BPR-2024-0117", executed),
        (executed, f"{executed}/PROC-01"),
        (f"{executed}/PROC-01", unit),
        (unit, f"{unit}/OP-CHARGE"),
        (f"{unit}/OP-CHARGE", f"{unit}/OP-CHARGE/PH-ADD-WATER"),
        (unit, f"{unit}/OP-MIX"),
        (f"{unit}/OP-MIX", f"{unit}/OP-MIX/PH-AGITATE"),
    }
    recipe = graph.nodes[executed]
    assert (recipe.kind, recipe.properties["batch_id"]) == ("Procedure", "B-0117")
    assert recipe.properties["ext__BatchStartTime"] == "2024-03-12T07:00:00+01:00"
    assert recipe.properties["ext__BatchEndTime"] == "2024-03-12T18:00:00+01:00"
    assert graph.nodes[unit].properties["recipe_element_type"] == "UnitProcedure"
    assert graph.nodes[unit].properties["actual_equipment_id"] == "PLANT1.SYRUP.MIXER1"
    phase = graph.nodes[f"{unit}/OP-CHARGE/PH-ADD-WATER"]
    assert (phase.name, phase.properties["isa95_type"]) == (
        "Add purified water",
        "RuntimeRecipeElement",
    )
    props = phase.properties
    assert props["recipe_element_type"] == "Phase"
    assert props["actual_equipment_id"] == "PLANT1.SYRUP.MIXER1.INLET"
    assert props["ext__ActualStartTime"] == "2024-03-12T07:05:00+01:00"
    assert props["completion_time"] == "2024-03-12T07:42:10+01:00"
    assert props["performer"] == "akeller"
    assert (props["param__WATER_QUANTITY"], props["param__WATER_QUANTITY__type"]) == (
        2000.0,
        "ProcessInput",
    )
    assert (props["info__ActualQuantity"], props["info__ActualQuantity__unit"]) == (1998.5, "L")
    assert props["ext__MaterialConsumed__MaterialLotID"] == "LOT-PW-0311"
    assert props["ext__MaterialConsumed__Quantity"] == 1998.5  # typed by its xsi:type
    assert props["ext__MaterialConsumed__type"] == "mes:MaterialConsumedType"
    assert props["ext__MaterialConsumed__unit"] == "L"
    assert graph.annotations["isa95_version"] == "B2MML V0401"
    assert graph.annotations["isa95_counts"] == {
        "BatchProductionRecord": 1,
        "ExecutedControlRecipe": 1,
        "RuntimeRecipeElement": 6,
    }
    assert graph.annotations["isa95_left_out"] == {"Event": 1, "PersonnelIdentification": 1}


def test_a_batch_record_gets_the_same_ids_each_time_it_is_read():
    first, second = parse(BATCH_RECORD), parse(BATCH_RECORD)
    assert set(first.nodes) == set(second.nodes)
    assert diff_graphs(first, second).empty


def test_vendor_extensions_of_any_object_become_properties_typed_by_their_xsi_type(tmp_path):
    extensions = f"""
      <v:Commissioned xmlns:v="urn:vendor:ext" {XSI} xsi:type="xsd:boolean">true</v:Commissioned>
      <v:Rating xmlns:v="urn:vendor:ext" {XSI} xsi:type="v:RatingType" basis="nameplate">
        <v:ID>R1</v:ID><v:Power xsi:type="xsd:double">7.5</v:Power>
        <v:Power xsi:type="xsd:double">9</v:Power><v:Count xsi:type="xsd:int">many</v:Count>
      </v:Rating>"""
    graph = parse(message(tmp_path, equipment("AHU1", "Unit", extensions)))
    props = graph.nodes["isa95:AHU1"].properties
    assert props["ext__Commissioned"] is True
    assert props["ext__Commissioned__type"] == "xsd:boolean"
    assert props["ext__Rating__type"] == "v:RatingType"
    assert props["ext__Rating__basis"] == "nameplate"
    assert props["ext__Rating__ID"] == "R1"
    assert props["ext__Rating__Power"] == [7.5, 9.0]
    assert props["ext__Rating__Count"] == "many"  # not an int: kept as text, and said
    assert graph.annotations["isa95_left_out"] == {}  # read, so not counted as left out
    assert any("did not parse as their DataType" in w for w in graph.warnings)


def test_a_batch_record_applies_to_the_equipment_and_material_its_document_defines(tmp_path):
    path = tmp_path / "record.xml"
    path.write_text(
        f"""<BatchInformation xmlns="{V0401}">
          <EquipmentElement><ID>MIXER1</ID>
            <EquipmentElementLevel>Unit</EquipmentElementLevel></EquipmentElement>
          <BatchProductionRecord><ID>R1</ID><Description>Batch 7 record</Description>
            <ObjectType>BatchProductionRecordType</ObjectType>
            <Header><CreationDate>2024-01-01T00:00:00Z</CreationDate>
              <LastChangedDate>2024-01-01T00:00:00Z</LastChangedDate>
              <BatchID>7</BatchID><EquipmentID>MIXER1</EquipmentID>
              <MaterialDefinitionID>SYRUP</MaterialDefinitionID></Header>
            <ExecutedControlRecipes><ExecutedControlRecipe><ID>CR7</ID>
              <ObjectType>ExecutedControlRecipeType</ObjectType><BatchID>7</BatchID>
              <RuntimeRecipeElement><ID>UP1</ID><RecipeElementType>UnitProcedure</RecipeElementType>
                <ActualEquipmentID>MIXER1</ActualEquipmentID></RuntimeRecipeElement>
            </ExecutedControlRecipe></ExecutedControlRecipes>
          </BatchProductionRecord>
        </BatchInformation>"""
    )
    graph = parse(path)
    assert rels(graph, "APPLIES_TO") == {
        ("isa95:batch-record:R1", "isa95:MIXER1"),
        ("isa95:executed-control-recipe:CR7/UP1", "isa95:MIXER1"),
    }  # SYRUP is not defined here: kept as material_definition_id only
    record = graph.nodes["isa95:batch-record:R1"]
    assert (record.name, record.properties["material_definition_id"]) == ("Batch 7 record", "SYRUP")


def test_a_v0700_batch_record_has_the_control_recipes_it_holds_as_parts(tmp_path):
    path = message(
        tmp_path,
        """
        <BatchProductionRecord><ID>R9</ID><EntryID>1</EntryID>
          <ObjectType>Batch Production Record</ObjectType><BatchID>B9</BatchID>
          <ControlRecipes><ControlRecipeRecord><EntryID>2</EntryID>
            <ObjectType>Control Recipe</ObjectType>
            <ControlRecipe><ID>CR9</ID><BatchID>B9</BatchID></ControlRecipe>
          </ControlRecipeRecord></ControlRecipes>
        </BatchProductionRecord>""",
        root="ProcessBatchProductionRecord",
        ns=V0700,
        verb="Process",
    )
    graph = parse(path)
    assert rels(graph, "HAS_PART") == {("isa95:batch-record:R9", "isa95:control-recipe:CR9")}
    assert graph.nodes["isa95:batch-record:R9"].name == "Batch B9"


def test_a_batch_record_or_executed_recipe_without_an_id_is_refused(tmp_path):
    path = tmp_path / "record.xml"
    path.write_text(
        f"""<BatchProductionRecord xmlns="{V0401}"><ID>R1</ID>
          <ExecutedControlRecipes><ExecutedControlRecipe><BatchID>7</BatchID>
          </ExecutedControlRecipe></ExecutedControlRecipes></BatchProductionRecord>"""
    )
    with pytest.raises(SchemaViolationError, match="ExecutedControlRecipe without an ID") as e:
        parse(path)
    assert e.value.location is not None and e.value.location.line == 2


# --- real files -----------------------------------------------------------------------------------

REAL = SHARED_DATA / "b2mml"
EQUIPMENT_XPATH = (
    "//*[local-name()='Equipment' or local-name()='EquipmentChild' or "
    "local-name()='EquipmentElement'][*[local-name()='ID' and normalize-space()]]"
)


def real_file(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real-world data not available ({path} is absent)")
    return path


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("amplab2mml_ShowEquipmentInformation_expected.xml", "B2MML V0400"),
        ("batchml_v02_cough_syrup_master_recipe.xml", "BatchML V02"),
        ("cocop_ProcessProductionSchedule_V0600.xml", "B2MML V0600"),
        ("courbon_SyncMaterialDefinition_CRBN0001.xml", "B2MML V0401"),
        ("courbon_SyncProductionPerformance_PES-53107.xml", "B2MML V0401"),
        ("courbon_SyncProductionSchedule_PRO-27942.xml", "B2MML V0401"),
    ],
)
def test_real_files_import_every_equipment_element_lxml_finds(name, version):
    path = real_file(name)
    found = len(etree.parse(str(path)).xpath(EQUIPMENT_XPATH))
    graph = parse(path)
    assert graph.annotations["isa95_version"] == version
    assert graph.annotations["isa95_counts"].get("Equipment", 0) == found
    assert graph.external_endpoints() == set()  # nothing in them points outside the file


def test_the_real_amplab_hierarchy_runs_enterprise_site_area():
    graph = parse(real_file("amplab2mml_ShowEquipmentInformation_expected.xml"))
    assert ("isa95:AcmeMining.NorthMine", "isa95:AcmeMining.NorthMine.CrusherPlant") in rels(
        graph, "CONTAINS"
    )
    crusher = graph.nodes["isa95:AcmeMining.NorthMine.CrusherPlant"]
    assert (crusher.kind, crusher.properties["prop__MaxThroughput"]) == ("Building", 850)
    assert graph.nodes["isa95:AcmeMining"].kind == "Site"


def test_the_real_cough_syrup_recipe_has_a_procedure_for_every_recipe_element_but_markers():
    path = real_file("batchml_v02_cough_syrup_master_recipe.xml")
    types = etree.parse(str(path)).xpath(
        "//*[local-name()='RecipeElement']/*[local-name()='RecipeElementType']/text()"
    )
    graph = parse(path)
    steps = [t for t in types if t not in ("Begin", "End")]
    assert graph.annotations["isa95_counts"] == {"MasterRecipe": 1, "RecipeElement": len(steps)}
    assert len(rels(graph, "HAS_PART")) == len(steps)  # a tree: one parent each


def test_the_real_negative_file_is_refused_naming_the_level_element_and_line():
    path = real_file("cocop_Neg_ProcessProductionSchedule_InvalidEqElemLevel.xml")
    with pytest.raises(InvalidEnumerationError) as caught:
        parse(path)
    assert caught.value.line == 47
    assert caught.value.entity is not None
    assert caught.value.entity.endswith("HierarchyScope/EquipmentElementLevel")
    assert "ProcessCedfll" in str(caught.value)
    assert isinstance(caught.value, InputError)
