"""IFC models into the real Neo4j: real files, re-imports, model diffs, the CLI."""

from __future__ import annotations

import json

import ifcopenshell
import ifcopenshell.api as api
import pytest

from graphtwin.store import TwinStore
from importers.ifc import IfcImporter
from tests.conftest import shared_file
from tests.support.ifc_models import AirSystemModel, HydraulicModel, gid, length

pytestmark = pytest.mark.neo4j

COUNTED = ("IfcSpace", "IfcBuildingStorey", "IfcSystem")


@pytest.mark.parametrize("name", ["webifc_IfcOpenHouse_IFC4.ifc", "webifc_Office_A_20110811.ifc"])
def test_real_ifc_files_import_every_product_with_its_ifc_class(name, store: TwinStore, ifc_report):
    path = shared_file(f"ifc/{name}")
    model = ifcopenshell.open(str(path))
    found: dict[str, int] = {}
    for product in model.by_type("IfcProduct"):
        if not product.is_a("IfcPort"):
            found[product.is_a()] = found.get(product.is_a(), 0) + 1
    for system in model.by_type("IfcSystem"):
        found[system.is_a()] = found.get(system.is_a(), 0) + 1

    graph = IfcImporter().parse(path)
    [report] = store.load([graph])
    in_neo4j = store.defined_by(graph.source.source_id, "ifc_class")
    in_neo4j.pop("IfcProject")
    assert in_neo4j == found
    assert report.nodes_created == sum(found.values()) + 1  # and the IfcProject
    [again] = store.load([IfcImporter().parse(path)])
    assert (again.nodes_created, again.nodes_updated, again.rels_created, again.rels_updated) == (
        0,
        0,
        0,
        0,
    )
    ifc_report.append(
        (
            name,
            model.schema,
            *(found.get(c, 0) for c in COUNTED),
            sum(
                v
                for k, v in found.items()
                if k not in ("IfcSpace", "IfcBuildingStorey", "IfcSite", "IfcBuilding")
            ),
            report.nodes_created,
            report.rels_created,
        )
    )


def test_reimporting_a_newer_version_reports_exactly_what_changed_and_retires_the_removed(
    store, tmp_path
):
    air = AirSystemModel()
    v1 = air.write(tmp_path / "air-v1.ifc")
    store.load([IfcImporter().parse(v1)])
    [same] = store.load([IfcImporter().parse(v1)], diff=True)
    assert (same.nodes_created, same.nodes_updated, same.rels_created, same.rels_updated) == (
        0,
        0,
        0,
        0,
    )
    assert same.diff is not None and same.diff.empty

    api.run("root.remove_product", air.file, product=air.terminal2)
    pset = next(
        d.RelatingPropertyDefinition
        for d in air.duct.IsDefinedBy
        if d.RelatingPropertyDefinition.Name == "Pset_DuctDesign"
    )
    api.run("pset.edit_pset", air.file, pset=pset, properties={"Length": length(air, 3000.0)})
    v2 = air.write(tmp_path / "air-v2-renamed.ifc")  # another file name, same project
    [report] = store.load([IfcImporter().parse(v2)], diff=True)
    diff = report.diff
    assert diff is not None
    assert diff.added == []
    assert diff.removed == [gid(air.terminal2)]
    assert diff.changed == {gid(air.duct): ["Pset_DuctDesign__Length"]}
    assert set(diff.relationships_removed) == {
        (gid(air.duct), "FEEDS", gid(air.terminal2)),
        (gid(air.terminal2), "LOCATED_IN", gid(air.office2)),
        (gid(air.terminal2), "MEMBER_OF", gid(air.system)),
    }
    assert diff.relationships_added == [] and diff.relationships_changed == []
    assert (report.nodes_removed, report.nodes_retired) == (1, 1)
    [history] = store.retired(gid(air.terminal2))
    assert history["retired_by"] == f"ifc-project:{air.project.GlobalId}"
    assert history["props"]["ifc_guid"] == air.terminal2.GlobalId
    duct = store.lineage(gid(air.duct))
    assert duct.property("Pset_DuctDesign__Length").value == pytest.approx(3.0)


def test_the_cli_imports_ifc_with_a_diff_and_diffs_two_files_without_writing(cli, tmp_path):
    air = AirSystemModel()
    v1 = air.write(tmp_path / "v1.ifc")
    api.run("root.remove_product", air.file, product=air.terminal1)
    v2 = air.write(tmp_path / "v2.ifc")

    diffed = cli("diff", "ifc", v1, v2, "--json")
    assert diffed.returncode == 0, diffed.stderr
    assert json.loads(diffed.stdout)["removed"] == [gid(air.terminal1)]
    assert json.loads(cli("db", "status", "--json").stdout)["nodes"] == {}

    first = cli("import", "ifc", v1, "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["format"] == "ifc" and report["ifc_schema"] == "IFC4"
    assert report["source_id"] == f"ifc-project:{air.project.GlobalId}"
    assert len(report["diff"]["added"]) == report["nodes_created"]
    second = json.loads(cli("import", "ifc", v2, "--json").stdout)
    assert second["diff"]["removed"] == [gid(air.terminal1)]
    assert (second["nodes_retired"], second["nodes_created"]) == (1, 0)


def test_a_truncated_ifc_file_exits_2_naming_the_entity_and_writes_nothing(cli, tmp_path):
    full = AirSystemModel().write(tmp_path / "full.ifc").read_bytes()
    cut = tmp_path / "cut.ifc"
    cut.write_bytes(full[: len(full) // 2])
    done = cli("import", "ifc", cut, "--json")
    assert done.returncode == 2
    payload = json.loads(done.stdout)
    assert payload["error"] == "MalformedFileError" and payload["entity"].startswith("#")
    assert "truncated" in done.stderr
    assert json.loads(cli("db", "status", "--json").stdout)["nodes"] == {}


def test_the_cli_imports_a_model_with_a_null_relating_type_and_says_what_it_left_out(cli, tmp_path):
    air = AirSystemModel()
    swirl = api.run("root.create_entity", air.file, ifc_class="IfcAirTerminalType", name="Swirl")
    api.run("type.assign_type", air.file, related_objects=[air.terminal1], relating_type=swirl)
    air.file.by_type("IfcRelDefinesByType")[0].RelatingType = None
    done = cli("import", "ifc", air.write(tmp_path / "untyped.ifc"), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["warnings"] == [
        "1 IfcRelDefinesByType has no RelatingType (null in the file, though IFC requires it); "
        "left out"
    ]
    products = [p for p in air.file.by_type("IfcProduct") if not p.is_a("IfcPort")]
    assert report["nodes_created"] == len(products) + 2  # and the system and the project
    plain = cli("import", "ifc", tmp_path / "untyped.ifc")
    assert plain.returncode == 0 and "has no RelatingType" in plain.stdout


def test_an_ifc4_model_with_ifc2x3_style_port_links_feeds_in_the_twin(store, tmp_path):
    hydraulic = HydraulicModel("IFC4", "port-to-element")
    [report] = store.load([IfcImporter().parse(hydraulic.write(tmp_path / "hx.ifc"))])
    assert report.warnings == []
    hx = gid(hydraulic.exchanger)
    feeds = {
        (hx, "FEEDS", r.other) if r.outgoing else (r.other, "FEEDS", hx)
        for r in store.lineage(hx).relationships
        if r.type == "FEEDS"
    }
    assert feeds == hydraulic.expected_feeds()
