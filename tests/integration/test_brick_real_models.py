"""Real Brick models from ../shared/data into the real Neo4j (skipped when the folder is absent).

For every file the expected twin is computed here independently of the importer, with SPARQL
over the raw RDF: the subjects rdflib finds typed with a Brick (any era) or RealEstateCore
class, plus the entities typed with the model's own classes and the untyped things Brick
relations point at (the importer keeps both, never drops them). The per-file table is printed at
the end of the test run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
import yaml
from rdflib import RDF

from graphtwin.store import TwinStore
from importers.brick import BrickImporter
from importers.brick.export import render_brick
from importers.brick.relations import refine
from tests.conftest import ROOT, SHARED_DATA, shared_file

pytestmark = pytest.mark.neo4j

CLASS_NS = re.compile(
    r"^https?://brickschema\.org/schema/(\d+(\.\d+)*/)?Brick#"
    r"|^https?://buildsys\.org/ontologies/Brick#|^https://w3id\.org/rec#"
)
RELATION_NS = re.compile(
    r"^https?://brickschema\.org/schema/(\d+(\.\d+)*/)?Brick(Frame)?#"
    r"|^https?://buildsys\.org/ontologies/BrickFrame#|^https://w3id\.org/rec#"
)
MAPPING = yaml.safe_load((ROOT / "ontologies" / "brick_mapping.yaml").read_text())["relations"]
NOT_BRICK = {"buildingmotif_s223_model.ttl"}  # ASHRAE 223P only: refused, nothing written
MODELS = sorted(
    str(p.relative_to(SHARED_DATA))
    for p in [*SHARED_DATA.glob("brick/*.ttl"), *SHARED_DATA.glob("rec/*.ttl")]
)

BRICK_TYPED = """
SELECT DISTINCT ?s WHERE {
  ?s a ?c .
  FILTER NOT EXISTS { ?s a owl:Class }
  FILTER NOT EXISTS { ?s rdfs:subClassOf ?any }
  FILTER (regex(str(?c), "^https?://brickschema\\\\.org/schema/([0-9.]+/)?Brick#|^https?://buildsys\\\\.org/ontologies/Brick#|^https://w3id\\\\.org/rec#"))
}
"""


def document(iri: str) -> str:
    return iri.split("#", 1)[0] if "#" in iri else iri.rsplit("/", 1)[0]


def expected_twin(path: Path) -> tuple[set[str], set[str], set[str], list[tuple[str, str, str]]]:
    """(Brick/REC-typed, own-class-typed, untyped-but-related, relation triples) of a model."""
    rdf = rdflib.Graph()
    rdf.parse(path)
    brick_typed = {str(row.s) for row in rdf.query(BRICK_TYPED)}
    classes = {str(s) for s in rdf.subjects(rdflib.RDFS.subClassOf, None)}
    classes |= {str(s) for s in rdf.subjects(RDF.type, rdflib.OWL.Class)}
    own_typed = {
        str(s)
        for s, c in rdf.subject_objects(RDF.type)
        if isinstance(s, rdflib.URIRef)
        and str(s) not in brick_typed
        and str(s) not in classes
        and document(str(s)) == document(str(c))
    }
    typed = brick_typed | own_typed
    relations = []
    for s, p, o in rdf:
        namespace, _, local = str(p).rpartition("#")
        if not RELATION_NS.match(namespace + "#") or local not in MAPPING:
            continue
        if isinstance(o, rdflib.URIRef) and (str(s) in typed or str(o) in typed):
            relations.append((str(s), local, str(o)))
    related = {e for s, _, o in relations for e in (s, o)} - typed - classes
    return brick_typed, own_typed, related, relations


@pytest.mark.parametrize("relative", MODELS or ["brick/absent.ttl"])
def test_every_real_brick_model_imports_completely_and_reimports_unchanged(
    relative, store: TwinStore, brick_report
):
    path = shared_file(relative)
    if path.name in NOT_BRICK:
        pytest.skip("not a Brick model: covered by the refusal test below")
    brick_typed, own_typed, related, relations = expected_twin(path)
    graph = BrickImporter().parse(path)
    [first] = store.load([graph])
    [again] = store.load([BrickImporter().parse(path)])

    expected_nodes = brick_typed | own_typed | related
    assert set(graph.nodes) == expected_nodes
    assert first.nodes_created == len(expected_nodes)
    [source] = store.counts().sources
    assert source["nodes"] == len(expected_nodes)  # nodes asserted by that source, in Neo4j

    kinds = {t: n.kind for t, n in graph.nodes.items()}
    expected_edges = set()
    for s, local, o in relations:
        rule = MAPPING[local]
        start, end = (o, s) if rule.get("inverse") else (s, o)
        expected_edges.add(refine(start, kinds[start], rule["type"], end, kinds[end]))
    assert set(graph.relationships) == expected_edges
    assert first.rels_created == len(expected_edges)
    assert store.counts().relationships == len(expected_edges)

    assert (again.nodes_created, again.nodes_updated, again.nodes_unchanged) == (
        0,
        0,
        len(expected_nodes),
    )
    assert (again.rels_created, again.rels_updated) == (0, 0)
    brick_report.append(
        (
            path.name,
            len(brick_typed),
            len(own_typed),
            len(related),
            first.nodes_created,
            len(relations),
            first.rels_created,
            sum(k == "Entity" for k in kinds.values()),
        )
    )


def test_a_model_without_brick_entities_is_refused_and_nothing_is_written(store):
    from graphtwin.errors import NoTwinEntitiesError

    path = shared_file("brick/buildingmotif_s223_model.ttl")
    with pytest.raises(NoTwinEntitiesError) as caught:
        BrickImporter().parse(path)
    assert caught.value.file == str(path)
    assert store.counts().nodes == 0


def test_the_invalid_model_imports_plainly_is_reported_by_validation_and_refused_when_strict(
    store,
):
    from graphtwin.errors import ValidationFailedError

    bad = shared_file("brick/pybrickschema_badBuilding_invalid.ttl")
    good = shared_file("brick/pybrickschema_goodBuilding.ttl")
    assert BrickImporter().parse(bad).nodes  # what users have: a plain import takes it
    validated = BrickImporter(validate=True).parse(bad).annotations["validation"]
    assert validated["conforms"] is False and validated["violations"] > 0
    assert any("feed" in r["message"] for r in validated["results"])
    with pytest.raises(ValidationFailedError) as caught:
        BrickImporter(strict=True).parse(bad)
    assert caught.value.exit_code == 2 and caught.value.entity
    assert BrickImporter(validate=True).parse(good).annotations["validation"]["conforms"] is True


def test_export_then_import_of_the_largest_model_is_a_fixed_point(store, tmp_path):
    path = shared_file("brick/groundtruth_gtc_brick.ttl")
    store.load([BrickImporter().parse(path)])
    before = store.export().graph
    out = tmp_path / "gtc-export.ttl"
    out.write_text(render_brick(before).turtle)
    store.reset()
    store.load([BrickImporter().parse(out)])
    after = store.export().graph

    def shape(graph):
        nodes = {
            t: (n.kind, n.properties.get("brick_class"), n.properties.get("rec_class"))
            for t, n in graph.nodes.items()
        }
        return nodes, set(graph.relationships)

    assert shape(after) == shape(before)
    assert len(after.nodes) > 2000


def test_inference_adds_no_entities_and_folds_inferred_inverses(store):
    path = shared_file("brick/brickrepo_g36_g36-combined-ahu-vav.ttl")
    plain = BrickImporter().parse(path)
    inferred = BrickImporter(infer=True).parse(path)
    assert set(inferred.nodes) == set(plain.nodes)
    assert set(plain.relationships) <= set(inferred.relationships)
    assert inferred.annotations["inference_s"] > 0
    assert inferred.annotations["rdf_triples_inferred"] > 0
