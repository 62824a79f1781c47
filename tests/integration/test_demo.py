"""`graphtwin demo`, the main job, against the session's server."""

from __future__ import annotations

import re

import pytest

from importers import IMPORTERS
from importers.brick import BrickImporter
from importers.governance import GovernanceImporter
from importers.ifc import IfcImporter
from importers.twinfile import TwinFileImporter
from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j

EXAMPLES = ROOT / "examples"


def test_the_demo_imports_the_campus_in_every_standard_and_links_what_is_one_thing(cli, store):
    campus = TwinFileImporter().parse(EXAMPLES / "demo-campus.yaml")
    graphs = [
        campus,
        BrickImporter().parse(EXAMPLES / "riverside-building-b.ttl"),
        IfcImporter().parse(EXAMPLES / "riverside-building-b.ifc"),
        TwinFileImporter().parse(EXAMPLES / "riverside-links.yaml"),
        *(IMPORTERS["isa95"].parse(path) for path in sorted(EXAMPLES.glob("*.b2mml.xml"))),
        GovernanceImporter().parse(EXAMPLES / "riverside-governance.yaml"),
    ]
    nodes = len({t for g in graphs for t in g.nodes})
    asserted = len({k for g in graphs for k in g.relationships})

    done = cli("demo", "--examples", EXAMPLES)
    assert done.returncode == 0, done.stderr
    assert "already running" in done.stdout  # it reused the session's server
    counts = store.counts()
    assert counts.nodes == nodes
    shown = re.search(r"The twin now holds (\d+) nodes and (\d+) relationships", done.stdout)
    assert shown and (int(shown[1]), int(shown[2])) == (counts.nodes, counts.relationships)
    links = re.search(r"(\d+) SAME_AS links", done.stdout)
    assert links and int(links[1]) >= 30
    # asserted relationships, the links, and what governance selectors derived
    assert counts.relationships > asserted + int(links[1])
    assert f"from {len(graphs) + 1} source(s)" in done.stdout  # and graphtwin-link
    assert "Riverside Campus" in done.stdout and "Building B" in done.stdout
    assert "B-101 Materials Laboratory" in done.stdout  # the IFC spatial tree is shown
    assert "Air handling unit 2" in done.stdout  # AHU-2's cluster, ISA-95 member included
    assert "graphtwin tree" in done.stdout
    assert {s["format"] for s in counts.sources} == {
        "twin",
        "brick",
        "ifc",
        "isa95",
        "governance",
        "link",
    }
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
    assert store.counts().relationships == counts.relationships


def test_the_demo_names_a_missing_file(cli, tmp_path):
    done = cli("demo", "--examples", tmp_path)
    assert done.returncode == 2
    assert "demo-campus.yaml" in done.stderr
