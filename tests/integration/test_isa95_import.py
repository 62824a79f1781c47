"""ISA-95 documents into the real Neo4j through the CLI: real files, re-imports, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from graphtwin.store import TwinStore
from tests.conftest import ROOT, SHARED_DATA

pytestmark = pytest.mark.neo4j

EXAMPLES = ROOT / "examples"
REAL = SHARED_DATA / "b2mml"
EQUIPMENT_XPATH = (
    "//*[local-name()='Equipment' or local-name()='EquipmentChild' or "
    "local-name()='EquipmentElement'][*[local-name()='ID' and normalize-space()]]"
)
REAL_FILES = [
    "amplab2mml_ShowEquipmentInformation_expected.xml",
    "batchml_v02_cough_syrup_master_recipe.xml",
    "cocop_ProcessProductionSchedule_V0600.xml",
    "courbon_SyncMaterialDefinition_CRBN0001.xml",
    "courbon_SyncProductionPerformance_PES-53107.xml",
    "courbon_SyncProductionSchedule_PRO-27942.xml",
]
NEGATIVE = "cocop_Neg_ProcessProductionSchedule_InvalidEqElemLevel.xml"


class _Isa95Table:
    """Prints the per-file table at the end of the run, whatever `-s` says."""

    def __init__(self) -> None:
        self.rows: list[tuple[object, ...]] = []

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.rows:
            return
        write = terminalreporter.write_line
        terminalreporter.section("real ISA-95 documents: what lxml finds vs what the twin holds")
        write(
            f"{'file':<50} {'version':<12} {'BOM':>3} {'eq lxml':>7} {'eq twin':>7} "
            f"{'nodes':>5} {'edges':>5} {'left out':>8}"
        )
        for name, version, bom, found, in_twin, nodes, edges, left in sorted(self.rows):
            write(
                f"{name:<50} {version:<12} {bom:>3} {found:>7} {in_twin:>7} {nodes:>5} "
                f"{edges:>5} {left:>8}"
            )
        write(
            "eq lxml: Equipment / EquipmentChild / EquipmentElement elements with an ID "
            "(namespace-agnostic XPath); eq twin: nodes with isa95_type Equipment the import "
            "asserts in Neo4j; left out: entity-like elements counted in the import's warnings"
        )


@pytest.fixture(scope="session")
def isa95_report(request: pytest.FixtureRequest) -> list[tuple[object, ...]]:
    manager = request.config.pluginmanager
    table = manager.get_plugin("isa95-table")
    if table is None:
        table = _Isa95Table()
        manager.register(table, "isa95-table")
    return table.rows


def _real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real-world data not available ({path} is absent)")
    return path


def _import(cli, *paths: Path) -> list[dict]:
    done = cli("import", "isa95", *paths, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def _unchanged(report: dict) -> bool:
    keys = ("nodes_created", "nodes_updated", "rels_created", "rels_updated")
    return all(report[k] == 0 for k in keys)


def _empty(cli) -> bool:
    return json.loads(cli("db", "status", "--json").stdout)["nodes"] == {}


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_documents_import_every_equipment_element_and_reimport_changes_nothing(
    name, cli, store: TwinStore, isa95_report
):
    path = _real(name)
    found = len(etree.parse(str(path)).xpath(EQUIPMENT_XPATH))
    [report] = _import(cli, path)
    assert report["format"] == "isa95" and report["nodes_created"] > 0
    in_twin = store.defined_by(report["source_id"], "isa95_type")
    assert in_twin.get("Equipment", 0) == found
    assert sum(in_twin.values()) == report["nodes_created"]
    assert in_twin == report["isa95_counts"]
    [again] = _import(cli, path)
    assert _unchanged(again), again
    assert again["nodes_unchanged"] == report["nodes_created"]
    bom = path.read_bytes().startswith(b"\xef\xbb\xbf")
    isa95_report.append(
        (
            name,
            report["isa95_version"],
            "yes" if bom else "no",
            found,
            in_twin.get("Equipment", 0),
            report["nodes_created"],
            report["rels_created"],
            sum(report["isa95_left_out"].values()),
        )
    )


def test_the_lowercase_v0400_namespace_and_the_byte_order_marks_of_real_files_are_read(cli):
    amplab = _real("amplab2mml_ShowEquipmentInformation_expected.xml")
    courbon = _real("courbon_SyncMaterialDefinition_CRBN0001.xml")
    assert b"http://www.wbf.org/xml/b2mml-v0400" in amplab.read_bytes()
    assert courbon.read_bytes().startswith(b"\xef\xbb\xbf")
    reports = _import(cli, amplab, courbon)
    assert [r["isa95_version"] for r in reports] == ["B2MML V0400", "B2MML V0401"]
    assert reports[1]["isa95_counts"] == {"MaterialDefinition": 1}


def test_the_real_document_with_an_invalid_level_exits_2_naming_it_and_writes_nothing(cli):
    path = _real(NEGATIVE)
    done = cli("import", "isa95", path, "--json")
    assert done.returncode == 2
    payload = json.loads(done.stdout)
    assert payload["error"] == "InvalidEnumerationError"
    assert payload["entity"].endswith("HierarchyScope/EquipmentElementLevel")
    assert f"{NEGATIVE}:47" in done.stderr and "ProcessCedfll" in done.stderr
    assert _empty(cli)


def test_a_good_file_named_with_the_bad_one_is_not_written_either(cli):
    done = cli("import", "isa95", EXAMPLES / "riverside-building-b.b2mml.xml", _real(NEGATIVE))
    assert done.returncode == 2
    assert _empty(cli)


def test_the_building_b_examples_link_people_and_procedures_to_the_equipment(cli, store: TwinStore):
    files = [
        EXAMPLES / "riverside-building-b.b2mml.xml",
        EXAMPLES / "riverside-building-b-personnel.b2mml.xml",
        EXAMPLES / "riverside-building-b-maintenance.b2mml.xml",
    ]
    reports = _import(cli, *files)
    assert [r["nodes_created"] for r in reports] == [12, 4, 1]
    graph = store.export().graph
    b = "isa95:RIVERSIDE.CAMPUS.BLDGB"
    links = {(r.start, r.type, r.end) for r in graph.iter_relationships()}
    assert {
        ("isa95:person:P-0042", "RESPONSIBLE_FOR", f"{b}.HVAC.AHU02"),
        ("isa95:person:P-0107", "RESPONSIBLE_FOR", f"{b}.LAB"),
        ("isa95:person:P-0042", "MEMBER_OF", "isa95:role:HVAC_TECHNICIAN"),
        ("isa95:process-segment:AHU02-FILTER-CHANGE", "APPLIES_TO", f"{b}.HVAC.AHU02"),
        ("isa95:process-segment:AHU02-FILTER-CHANGE", "REQUIRES", "isa95:role:HVAC_TECHNICIAN"),
        (f"{b}.HVAC", "CONTAINS", f"{b}.HVAC.AHU02"),
    } <= links
    ahu = graph.nodes[f"{b}.HVAC.AHU02"]
    assert (ahu.kind, ahu.properties["brick_class"], ahu.properties["tag"]) == (
        "Equipment",
        "Air_Handling_Unit",
        "AHU-2",
    )
    assert ahu.properties["isa95_level"] == "Unit"
    assert all(_unchanged(r) for r in _import(cli, *files))


def test_personnel_responsible_for_equipment_the_twin_does_not_hold_is_refused(cli):
    done = cli("import", "isa95", EXAMPLES / "riverside-building-b-personnel.b2mml.xml", "--json")
    assert done.returncode == 2
    payload = json.loads(done.stdout)
    assert payload["error"] == "DanglingRelationshipError"
    assert "RESPONSIBLE_FOR" in payload["entity"]
    assert _empty(cli)


@pytest.mark.parametrize(
    ("content", "error", "fragment"),
    [
        (
            b'<?xml version="1.0"?>\n<SyncEquipment xmlns="urn:example:mes">'
            b"<DataArea><Sync/></DataArea></SyncEquipment>\n",
            "UnknownNamespaceError",
            "urn:example:mes",
        ),
        (b"ID,Description\nAHU-1,Air handling unit\n", "MalformedFileError", "not well-formed"),
        (None, "MalformedFileError", "truncated"),
    ],
)
def test_documents_graphtwin_cannot_read_exit_2_with_a_typed_error_and_write_nothing(
    cli, tmp_path, content, error, fragment
):
    path = tmp_path / "bad.xml"
    if content is None:  # a real message cut off in the middle
        full = (EXAMPLES / "riverside-building-b.b2mml.xml").read_bytes()
        content = full[: len(full) // 3]
    path.write_bytes(content)
    done = cli("import", "isa95", path, "--json")
    assert done.returncode == 2
    payload = json.loads(done.stdout)
    assert payload["error"] == error
    assert fragment in done.stderr and str(path) in done.stderr
    assert _empty(cli)


def test_a_document_with_a_byte_order_mark_imports_like_one_without(cli, tmp_path):
    plain = EXAMPLES / "riverside-building-b-maintenance.b2mml.xml"
    marked = tmp_path / "with-bom.xml"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert cli("import", "isa95", EXAMPLES / "riverside-building-b.b2mml.xml").returncode == 0
    assert (
        cli("import", "isa95", EXAMPLES / "riverside-building-b-personnel.b2mml.xml").returncode
        == 0
    )
    [report] = _import(cli, marked)
    assert report["nodes_created"] == 1 and report["rels_created"] == 2


def test_a_batchml_v0401_batch_production_record_imports_once_and_reimports_unchanged(
    cli, store: TwinStore
):
    path = ROOT / "tests" / "data" / "batchml_v0401_batch_production_record.xml"
    [report] = _import(cli, path)
    assert report["isa95_message"] == "BatchProductionRecord"
    assert report["nodes_created"] == 8 and report["rels_created"] == 7
    assert report["isa95_left_out"] == {"Event": 1, "PersonnelIdentification": 1}
    graph = store.export().graph
    record = "isa95:batch-record:BPR-2024-0117"
    executed = "isa95:executed-control-recipe:CR-0117"
    phase = f"{executed}/PROC-01/UP-MIX/OP-CHARGE/PH-ADD-WATER"
    links = {(r.start, r.type, r.end) for r in graph.iter_relationships()}
    assert (record, "HAS_PART", executed) in links
    assert graph.nodes[record].properties["batch_ids"] == ["B-0117"]
    props = graph.nodes[phase].properties
    assert props["actual_equipment_id"] == "PLANT1.SYRUP.MIXER1.INLET"
    assert props["ext__ActualStartTime"] == "2024-03-12T07:05:00+01:00"
    assert props["ext__MaterialConsumed__Quantity"] == 1998.5
    [again] = _import(cli, path)
    assert _unchanged(again), again
    assert again["nodes_unchanged"] == 8
