"""`graphtwin import brick` and `graphtwin export brick` through the real console script."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j

BUILDING_B = ROOT / "examples" / "riverside-building-b.ttl"


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_import_brick_reports_per_file_with_warnings_and_reimports_unchanged(cli):
    first = cli("import", "brick", BUILDING_B, "--json")
    assert first.returncode == 0, first.stderr
    [report] = json_lines(first.stdout)
    assert report["format"] == "brick"
    assert report["source_id"] == "brick:riverside-building-b.ttl"
    assert report["nodes_created"] == 25 and report["rels_created"] == 31
    assert report["rdf_triples"] > 100
    assert report["warnings"] == []
    again = json_lines(cli("import", "brick", BUILDING_B, "--json").stdout)[0]
    assert (again["nodes_created"], again["nodes_updated"], again["nodes_unchanged"]) == (0, 0, 25)
    assert (again["rels_created"], again["rels_updated"]) == (0, 0)


def test_an_edited_model_updates_in_place_and_reports_what_left(cli, tmp_path):
    model = tmp_path / "bldg.ttl"
    model.write_text(BUILDING_B.read_text())
    assert cli("import", "brick", model).returncode == 0
    edited = BUILDING_B.read_text().replace(
        'rdfs:label "AHU-2" ;', 'rdfs:label "AHU-2 (renewed)" ;'
    )
    edited = edited.replace(
        "brick:feeds b:vav-lab, b:vav-201, b:vav-202 .", "brick:feeds b:vav-lab ."
    )
    model.write_text(edited)
    [report] = json_lines(cli("import", "brick", model, "--json").stdout)
    assert (report["nodes_created"], report["nodes_updated"]) == (0, 1)
    assert (report["rels_removed"], report["rels_deleted"]) == (2, 2)
    shown = json.loads(cli("show", "urn:riverside:bldg-b/ahu-2", "--json").stdout)
    name = next(p for p in shown["properties"] if p["key"] == "name")
    assert name["value"] == "AHU-2 (renewed)"


def test_a_syntax_error_exits_2_with_file_and_line_and_writes_nothing(cli, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        textwrap.dedent(
            """\
            @prefix brick: <https://brickschema.org/schema/Brick#> .
            <urn:a> a brick:Chiller .
            <urn:b> a exampleserver:Thing .
            """
        )
    )
    done = cli("import", "brick", BUILDING_B, broken, "--json")
    assert done.returncode == 2
    [error] = json_lines(done.stdout)
    assert error["error"] == "MalformedFileError"
    assert error["line"] == 3 and error["file"] == str(broken)
    assert f"{broken}:3" in done.stderr and "exampleserver" in done.stderr
    assert json.loads(cli("db", "status", "--json").stdout)["nodes"] == {}


def test_strict_validation_refuses_a_model_with_violations_and_writes_nothing(cli, tmp_path):
    model = tmp_path / "bad.ttl"
    model.write_text(
        textwrap.dedent(
            """\
            @prefix brick: <https://brickschema.org/schema/Brick#> .
            <urn:x#ahu> a brick:Air_Handling_Unit ; brick:feeds <urn:x#sensor> .
            <urn:x#sensor> a brick:Zone_Air_Temperature_Sensor .
            """
        )
    )
    report = json_lines(cli("import", "brick", model, "--validate", "--json").stdout)[0]
    assert report["validation"]["conforms"] is False
    assert report["nodes_created"] == 2  # validation alone reports, it does not refuse
    assert cli("db", "reset", "--yes").returncode == 0
    strict = cli("import", "brick", model, "--strict")
    assert strict.returncode == 2
    assert "SHACL violations" in strict.stderr and "urn:x#ahu" in strict.stderr
    assert json.loads(cli("db", "status", "--json").stdout)["nodes"] == {}


def test_export_brick_writes_turtle_that_imports_back_to_the_same_twin(cli, tmp_path):
    assert cli("import", "brick", BUILDING_B).returncode == 0
    before = cli("export", "twin").stdout
    out = tmp_path / "export.ttl"
    done = cli("export", "brick", "-o", out)
    assert done.returncode == 0, done.stderr
    assert "brick:Air_Handling_Unit" in out.read_text()
    assert cli("db", "reset", "--yes").returncode == 0
    assert (
        cli("import", "brick", out, "--source-id", "brick:riverside-building-b.ttl").returncode == 0
    )
    assert cli("export", "twin").stdout == before
