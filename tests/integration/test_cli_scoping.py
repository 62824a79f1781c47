"""Picking a part of the twin on the command line, through the real console script: nodes by
Brick class (subclasses included), and `--source` beside `--root` in every command that takes
`--root` (a Brick model without a Building has no root to start from)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from graphtwin.store import TwinStore
from importers import IMPORTERS

pytestmark = pytest.mark.neo4j

PLANT = """\
@prefix brick: <https://brickschema.org/schema/Brick#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix p: <urn:plant/> .
p:ahu-1 a brick:Air_Handling_Unit ; rdfs:label "AHU 1" ;
    brick:hasPoint p:ahu-1-sat ; brick:feeds p:vav-1 .
p:rtu-1 a brick:Rooftop_Unit ; rdfs:label "RTU 1" .
p:vav-1 a brick:Variable_Air_Volume_Box ; rdfs:label "VAV 1" .
p:ahu-1-sat a brick:Supply_Air_Temperature_Sensor ; rdfs:label "AHU 1 SAT" .
"""
SITE = """\
graphtwin: 1
source: site
nodes:
  - id: bldg
    kind: Building
    name: Building
    contains:
      - {id: ahu-b, kind: Equipment, name: AHU B, brick_class: AHU}
"""
PLANT_SOURCE = "brick:plant.ttl"
PLANT_IDS = {"urn:plant/ahu-1", "urn:plant/ahu-1-sat", "urn:plant/rtu-1", "urn:plant/vav-1"}


@pytest.fixture
def twin(cli, store: TwinStore, tmp_path: Path):
    """A building from a twin file, and a Brick model of a plant that has no Building, each
    loaded in-process as its own import (`graphtwin import` has its own tests)."""
    (tmp_path / "plant.ttl").write_text(PLANT)
    (tmp_path / "site.yaml").write_text(SITE)
    store.load([IMPORTERS["twin"].parse(tmp_path / "site.yaml")])
    store.load([IMPORTERS["brick"].parse(tmp_path / "plant.ttl")])
    return cli


def listed(cli, *args: str) -> list[str]:
    done = cli("nodes", "--json", *args)
    assert done.returncode == 0, done.stderr
    return [n["twin_id"] for n in json.loads(done.stdout)["nodes"]]


def test_nodes_of_a_brick_class_include_its_subclasses_unless_exact(twin):
    assert listed(twin, "--brick-class", "Air_Handling_Unit") == [
        "ahu-b",  # declared as AHU, Brick's alias of Air_Handling_Unit
        "urn:plant/ahu-1",
        "urn:plant/rtu-1",  # a Rooftop_Unit is an Air_Handling_Unit
    ]
    assert listed(twin, "--brick-class", "Air_Handling_Unit", "--exact") == ["urn:plant/ahu-1"]
    assert listed(twin, "--brick-class", "Rooftop_Unit") == ["urn:plant/rtu-1"]
    table = twin("nodes", "--brick-class", "Air_Handling_Unit").stdout
    assert "3 nodes" in table and "Rooftop_Unit" in table


def test_every_root_command_takes_a_source_and_keeps_to_what_it_defines(twin, tmp_path: Path):
    assert set(listed(twin, "--source", PLANT_SOURCE)) == PLANT_IDS
    assert listed(twin, "--source", PLANT_SOURCE, "--root", "urn:plant/ahu-1") == [
        "urn:plant/ahu-1",
        "urn:plant/ahu-1-sat",
    ]
    assert listed(twin, "--source", PLANT_SOURCE, "--root", "bldg") == []

    exported = twin("export", "twin", "--source", PLANT_SOURCE)
    assert exported.returncode == 0, exported.stderr
    assert {n["id"] for n in yaml.safe_load(exported.stdout)["nodes"]} == PLANT_IDS

    turtle = twin("export", "brick", "--source", PLANT_SOURCE).stdout
    assert "rtu-1" in turtle and "ahu-b" not in turtle

    tree = twin("tree", "--source", PLANT_SOURCE)
    assert tree.returncode == 0, tree.stderr
    assert "RTU 1" in tree.stdout and "AHU 1 SAT" in tree.stdout
    assert "Building" not in tree.stdout

    snapshot = twin("snapshot", "--format", "json", "--source", PLANT_SOURCE)
    assert snapshot.returncode == 0, snapshot.stderr
    document = json.loads(snapshot.stdout)["digital_twin"]
    assert {e["twin_id"] for e in document["entities"]} == PLANT_IDS
    assert document["id"] == f"source:{PLANT_SOURCE}"

    detected = twin("ml", "detect", "--rules-only", "--dry-run", "--json", "--source", PLANT_SOURCE)
    assert detected.returncode == 0, detected.stderr
    assert json.loads(detected.stdout)["nodes"] == len(PLANT_IDS)

    saved = tmp_path / "plant.pt"
    assert twin("ml", "export", "--out", saved, "--source", PLANT_SOURCE).returncode == 0
    import torch

    ids = torch.load(saved, weights_only=False)["twin_ids"]
    assert {t for names in ids.values() for t in names} == PLANT_IDS


@pytest.mark.parametrize(
    "command",
    [
        ["nodes"],
        ["tree"],
        ["export", "twin"],
        ["export", "brick"],
        ["snapshot"],
        ["ml", "detect", "--rules-only", "--dry-run"],
        ["ml", "export", "--out", "OUT"],
        ["export", "twin", "-o", "OUT"],
    ],
)
def test_an_unknown_source_exits_2_naming_it_and_writes_nothing(cli, command, tmp_path):
    out = tmp_path / "never-written"
    done = cli(*[out if a == "OUT" else a for a in command], "--source", "brick:nope.ttl")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "brick:nope.ttl" in done.stderr and "no import source" in done.stderr
    assert not out.exists()
