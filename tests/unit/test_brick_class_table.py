"""The precomputed Brick class table: what the importer reads instead of the Brick ontology."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from graphtwin.vocabulary import vocabulary
from importers.brick import class_table


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    text = resources.files("ontologies").joinpath(class_table.TABLE_FILE).read_text("utf-8")
    return json.loads(text)


@pytest.fixture(scope="module")
def brick_graph() -> Any:
    pytest.importorskip("brickschema", reason="brickschema generates the table")
    return class_table.load_brick_ontology()


@pytest.fixture(scope="module")
def generated(brick_graph: Any) -> dict[str, Any]:
    return class_table.build_class_table(brick_graph)


def test_the_shipped_table_is_what_the_installed_brick_ontology_generates(shipped, generated):
    assert shipped == generated, (
        "ontologies/brick_classes.json is out of date with the installed brickschema; "
        "regenerate it with: python -m importers.brick.class_table"
    )


def test_the_shipped_file_is_rendered_byte_for_byte_as_the_generator_writes_it(generated):
    path = class_table.shipped_table_path()
    assert path.read_text(encoding="utf-8") == class_table.render(generated)


def test_the_rendered_table_is_valid_json_with_one_class_per_line(generated):
    text = class_table.render(generated)
    assert json.loads(text) == generated
    lines = text.splitlines()
    assert '  "Air_Handling_Unit": {' in "\n".join(lines)
    assert sum(1 for line in lines if line.startswith('  "')) == len(generated["classes"]) + len(
        generated["rec_classes"]
    )


def test_check_mode_fails_on_a_stale_file_and_passes_on_a_fresh_one(
    brick_graph, generated, tmp_path: Path, monkeypatch, capsys
):
    from typer.testing import CliRunner

    from graphtwin.cli.main import app

    monkeypatch.setattr(class_table, "load_brick_ontology", lambda: brick_graph)
    target = tmp_path / "brick_classes.json"
    target.write_text("{}\n", encoding="utf-8")
    runner = CliRunner()
    stale = runner.invoke(app, ["schema", "brick-classes", "--check", "--output", str(target)])
    assert stale.exit_code == 1
    assert runner.invoke(app, ["schema", "brick-classes", "--output", str(target)]).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == generated
    fresh = runner.invoke(app, ["schema", "brick-classes", "--check", "--output", str(target)])
    assert fresh.exit_code == 0


def test_the_table_names_the_brick_version_it_was_built_from(shipped):
    assert shipped["brick_version"].startswith(class_table.BRICK_VERSION + ".")
    assert shipped["generated_by"] == "graphtwin schema brick-classes"


@pytest.mark.parametrize(
    ("brick_class", "kind"),
    [
        ("Air_Handling_Unit", "Equipment"),
        ("VAV", "Equipment"),
        ("Chiller", "Equipment"),
        ("Zone_Air_Temperature_Sensor", "Point"),
        ("Supply_Air_Temperature_Setpoint", "Point"),
        ("Site", "Site"),
        ("Building", "Building"),
        ("Floor", "Floor"),
        ("Storey", "Floor"),
        ("HVAC_Zone", "Zone"),
        ("Room", "Space"),
        ("Outdoor_Area", "Space"),
        ("Hot_Water_System", "System"),
        ("Loop", "System"),
        ("Substance", None),
        ("Quantity", None),
        ("Tag", None),
        ("Class", "Entity"),
    ],
)
def test_representative_brick_classes_map_to_their_twin_kind(shipped, brick_class, kind):
    assert shipped["classes"][brick_class]["kind"] == kind


def test_quantities_and_substances_are_values_not_twin_entities(shipped):
    # In Brick 1.5 Temperature and Air are instances (a Quantity, a Substance), not classes.
    for name in ("Temperature", "Air"):
        entry = shipped["classes"].get(name)
        assert entry is None or entry["kind"] is None


def test_a_more_specific_point_class_is_deeper(shipped):
    depth = {name: shipped["classes"][name]["depth"] for name in shipped["classes"]}
    assert (
        depth["Zone_Air_Temperature_Sensor"]
        > depth["Temperature_Sensor"]
        > depth["Sensor"]
        > depth["Point"]
    )


def test_parents_are_the_direct_brick_superclasses(shipped):
    assert shipped["classes"]["Temperature_Sensor"]["parents"] == ["Sensor"]
    assert shipped["classes"]["Entity"]["parents"] == []


def test_an_alias_names_the_class_it_stands_for(shipped):
    ahu = shipped["classes"]["AHU"]
    assert ahu["alias_of"] == "Air_Handling_Unit"
    assert ahu["kind"] == shipped["classes"]["Air_Handling_Unit"]["kind"]


def test_a_brick_location_deprecated_in_favour_of_rec_names_the_rec_class(shipped):
    room = shipped["classes"]["Room"]
    assert room["deprecated"] is True
    assert room["replaced_by"] == "rec:Room"
    assert shipped["rec_classes"]["Room"]["kind"] == "Space"


def test_a_brick_term_renamed_out_of_the_hierarchy_keeps_its_replacement_kind(shipped):
    condenser = shipped["classes"]["Condenser"]
    assert condenser["replaced_by"] == "Condensing_Unit"
    assert condenser["kind"] == shipped["classes"]["Condensing_Unit"]["kind"] == "Equipment"


@pytest.mark.parametrize(
    ("rec_class", "kind"),
    [
        ("Building", "Building"),
        ("Level", "Floor"),
        ("Room", "Space"),
        ("Space", "Space"),
        ("Zone", "Zone"),
        ("HVACZone", "Zone"),
        ("Site", "Site"),
        ("Asset", "Equipment"),
        ("Architecture", "Space"),
        ("Office", "Space"),  # linked to brick:Office
        ("Toilet", "Space"),  # inherited from rec:Room
        ("Controller", "Equipment"),  # replaced by brick:Controller
        ("Portfolio", "System"),
        ("TemperatureObservation", None),
    ],
)
def test_rec_classes_map_to_their_twin_kind(shipped, rec_class, kind):
    assert shipped["rec_classes"][rec_class]["kind"] == kind


def test_every_kind_in_the_table_is_a_twin_node_kind_or_entity(shipped):
    allowed = set(vocabulary().node_kinds) | {"Entity"}
    for section in ("classes", "rec_classes"):
        kinds = {entry["kind"] for entry in shipped[section].values()} - {None}
        assert kinds <= allowed, f"{section}: {sorted(kinds - allowed)}"


def test_every_name_the_table_refers_to_is_in_the_table(shipped):
    classes, rec = shipped["classes"], shipped["rec_classes"]
    for section, own in (("classes", classes), ("rec_classes", rec)):
        for name, entry in own.items():
            assert set(entry["parents"]) <= set(own), f"{section}.{name}"
            for field in ("alias_of", "replaced_by"):
                target = entry.get(field)
                if target is None:
                    continue
                if ":" not in target:
                    assert target in classes, f"{section}.{name}.{field}"
                else:
                    prefix, _, local = target.partition(":")
                    assert prefix == "rec" and local in rec, f"{section}.{name}.{field}"
