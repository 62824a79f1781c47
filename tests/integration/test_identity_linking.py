"""`graphtwin link` on the sample building in all its standards, against its known truth."""

from __future__ import annotations

import json

import pytest

from graphtwin.identity.evaluation import load_truth
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import ROOT
from tests.support.ifc_models import architecture_and_electrical, gid

pytestmark = pytest.mark.neo4j

EXAMPLES = ROOT / "examples"
SOURCES = [
    ("twin", "demo-campus.yaml"),
    ("brick", "riverside-building-b.ttl"),
    ("ifc", "riverside-building-b.ifc"),
    ("twin", "riverside-links.yaml"),
    ("isa95", "riverside-building-b.b2mml.xml"),
    ("isa95", "riverside-building-b-personnel.b2mml.xml"),
    ("governance", "riverside-governance.yaml"),
]
TRUTH = EXAMPLES / "riverside-identity.yaml"


@pytest.fixture
def sample_building(cli, store: TwinStore):
    """`graphtwin` over the sample building, each file loaded in-process as its own import, in
    the order the CLI would import them (`graphtwin import` has its own tests)."""
    for fmt, name in SOURCES:
        store.load([IMPORTERS[fmt].parse(EXAMPLES / name)])
    return cli


def link(cli, *args: str) -> dict:
    done = cli("link", "--json", "--truth", TRUTH, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_linking_the_sample_building_reaches_the_precision_and_recall_targets(
    sample_building, store, capsys
):
    run = link(sample_building)
    scores = run["evaluation"]
    with capsys.disabled():
        print(
            f"\n  graphtwin link on the sample building: {len(run['links'])} links, "
            f"precision {scores['precision']:.3f}, recall {scores['recall']:.3f} "
            f"({scores['true_positives']} of {scores['true_pairs']} true pairs; "
            f"false: {scores['false_positives']}; missed: {scores['missed']})"
        )
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.9
    # entities named differently across sources are among them
    linked = {(k["a"], k["b"]) for k in run["links"]}
    assert ("ifc:3WcmCrpXvOlOCPji9vIsws", "urn:riverside:bldg-b/vav-lab") in linked  # VAV-B101
    assert (
        "isa95:RIVERSIDE.CAMPUS.BLDGB.HVAC.AHU02",
        "urn:riverside:bldg-b/ahu-2",
    ) in linked  # "Air handling unit 2" and "AHU-2", by the ISA-95 asset tag
    explicit = next(k for k in run["links"] if k["b"] == "urn:riverside:bldg-b/ahu-2")
    assert explicit["confidence"] >= 0.95
    # the links are edges with confidence and method, and their cluster is one thing
    edge = next(
        r
        for r in store.lineage("urn:riverside:bldg-b/ahu-2").relationships
        if r.type == "SAME_AS" and r.other == "ifc:2Q4auTp0XV9fgog94kBN45"
    )
    assert edge.properties["method"] == "explicit:ifc" and edge.sources == ("graphtwin-link",)
    members = json.loads(
        sample_building("link", "cluster", "urn:riverside:bldg-b/ahu-2", "--json").stdout
    )
    assert {m["twin_id"] for m in members} == next(
        c for c in load_truth(TRUTH) if "urn:riverside:bldg-b/ahu-2" in c
    )


def test_relinking_changes_nothing_and_a_rejection_stays_rejected(sample_building, store):
    first = link(sample_building)
    again = link(sample_building)
    assert again["load"]["rels_created"] == 0 and again["load"]["rels_removed"] == 0
    assert len(again["links"]) == len(first["links"])

    a, b = "ifc:0TrVd9slvPWORERRms4J3p", "urn:riverside:bldg-b/air-system"
    done = sample_building("link", "reject", a, b, "--reason", "IFC system is supply air only")
    assert done.returncode == 0, done.stderr
    after = link(sample_building)
    pairs = {(k["a"], k["b"]) for k in after["links"]}
    assert (a, b) not in pairs
    # not joined through ISA-95 either: the two are in different clusters now
    members = json.loads(sample_building("link", "cluster", b, "--json").stdout)
    assert a not in {m["twin_id"] for m in members}
    assert after["evaluation"]["precision"] == 1.0  # rejecting a true pair costs recall only
    assert (a, b) in {tuple(p) for p in after["evaluation"]["missed"]}


def test_rejecting_an_unknown_entity_is_an_input_error(sample_building):
    done = sample_building("link", "reject", "campus", "no-such-thing")
    assert done.returncode == 2
    assert "no-such-thing" in done.stderr


def test_discipline_models_of_one_building_link_their_spatial_tree_with_evidence(
    cli, store, tmp_path
):
    architecture, electrical = architecture_and_electrical()
    for model, name in ((architecture, "arch.ifc"), (electrical, "elec.ifc")):
        done = cli("import", "ifc", model.write(tmp_path / name))
        assert done.returncode == 0, done.stderr
    run = json.loads(cli("link", "--json").stdout)
    linked = {(k["a"], k["b"]): k for k in run["links"]}
    tree = {
        tuple(sorted(pair))
        for pair in zip(architecture.spatial_tree(), electrical.spatial_tree(), strict=True)
    }
    assert set(linked) == tree
    building = gid(architecture.building)
    edge = next(
        r
        for r in store.lineage(building).relationships
        if r.type == "SAME_AS" and r.other == gid(electrical.building)
    )
    assert edge.sources == ("graphtwin-link",) and edge.properties["method"] == "evidence"
    assert edge.properties["confidence"] >= 0.7 and edge.properties["evidence"] == ["place=1"]
    members = json.loads(cli("link", "cluster", gid(electrical.storeys[2]), "--json").stdout)
    assert {m["twin_id"] for m in members} == {
        gid(s) for s in (architecture.storeys[2], electrical.storeys[2])
    }
