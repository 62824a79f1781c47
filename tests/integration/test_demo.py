"""`graphtwin demo`, the main job, against the session's server."""

from __future__ import annotations

import pytest

from importers.brick import BrickImporter
from importers.twinfile import TwinFileImporter
from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j

EXAMPLES = ROOT / "examples"


def test_the_demo_imports_the_campus_from_a_twin_file_and_a_brick_model(cli, store):
    campus = TwinFileImporter().parse(EXAMPLES / "demo-campus.yaml")
    building_b = BrickImporter().parse(EXAMPLES / "riverside-building-b.ttl")
    links = TwinFileImporter().parse(EXAMPLES / "riverside-links.yaml")
    nodes = len(campus.nodes) + len(building_b.nodes) + len(links.nodes)
    rels = sum(len(g.relationships) for g in (campus, building_b, links))

    done = cli("demo", "--examples", EXAMPLES)
    assert done.returncode == 0, done.stderr
    assert "already running" in done.stdout  # it reused the session's server
    assert f"The twin now holds {nodes} nodes and {rels} relationships" in done.stdout
    assert "from 3 source(s)" in done.stdout
    assert "Riverside Campus" in done.stdout and "Building B" in done.stdout
    assert "graphtwin tree" in done.stdout
    counts = store.counts()
    assert counts.nodes == nodes
    assert {s["format"] for s in counts.sources} == {"twin", "brick"}
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
