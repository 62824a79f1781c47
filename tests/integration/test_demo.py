"""`graphtwin demo`, the main job, against the session's server."""

from __future__ import annotations

import pytest

from importers.brick import BrickImporter
from importers.ifc import IfcImporter
from importers.twinfile import TwinFileImporter
from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j

EXAMPLES = ROOT / "examples"


def test_the_demo_imports_the_campus_from_a_twin_file_a_brick_and_an_ifc_model(cli, store):
    campus = TwinFileImporter().parse(EXAMPLES / "demo-campus.yaml")
    building_b = BrickImporter().parse(EXAMPLES / "riverside-building-b.ttl")
    bim = IfcImporter().parse(EXAMPLES / "riverside-building-b.ifc")
    links = TwinFileImporter().parse(EXAMPLES / "riverside-links.yaml")
    graphs = (campus, building_b, bim, links)
    nodes = sum(len(g.nodes) for g in graphs)
    rels = sum(len(g.relationships) for g in graphs)

    done = cli("demo", "--examples", EXAMPLES)
    assert done.returncode == 0, done.stderr
    assert "already running" in done.stdout  # it reused the session's server
    assert f"The twin now holds {nodes} nodes and {rels} relationships" in done.stdout
    assert "from 4 source(s)" in done.stdout
    assert "Riverside Campus" in done.stdout and "Building B" in done.stdout
    assert "B-101 Materials Laboratory" in done.stdout  # the IFC spatial tree is shown
    assert "graphtwin tree" in done.stdout
    counts = store.counts()
    assert counts.nodes == nodes
    assert {s["format"] for s in counts.sources} == {"twin", "brick", "ifc"}
    # Building B's point came from Brick with its telemetry id, and the campus contains it
    sat = store.lineage("urn:riverside:bldg-b/ahu-2-sat")
    assert sat.property("timeseries_id").value == "bldg-b/ahu-2/sat"
    assert sat.property("timeseries_id").source_id == "brick:riverside-building-b.ttl"
    assert (
        "campus",
        "CONTAINS",
        "urn:riverside:bldg-b/building",
    ) in store.export().graph.relationships

    again = cli("demo", "--examples", EXAMPLES)  # idempotent: nothing changes the second time
    assert again.returncode == 0, again.stderr
    assert f"0/0/{len(campus.nodes)}/0" in again.stdout
    assert store.counts().nodes == nodes


def test_the_demo_names_a_missing_file(cli, tmp_path):
    done = cli("demo", "--examples", tmp_path)
    assert done.returncode == 2
    assert "demo-campus.yaml" in done.stderr
