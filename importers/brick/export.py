"""TwinGraph -> Brick Turtle in the current Brick namespace (`graphtwin export brick`).

Nodes keep their IRI (`uri`, else a `urn:graphtwin:` IRI minted from the twin_id) and are typed
with their `brick_class` (and `rec_class`), or with the Brick class of their kind. Units, tags,
time-series and BACnet references are written the Brick way; every other property and the twin
relationship types Brick lacks go into graphtwin's own namespace, so that importing the export
gives back the same nodes, kinds, classes, edges and values.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import rdflib
from rdflib import OWL, RDF, RDFS, BNode, Literal, Namespace, URIRef

from graphtwin.model import TwinGraph, TwinNode
from importers.brick.vocabulary import BrickVocabulary, brick_vocabulary

BACNET = Namespace("http://data.ashrae.org/bacnet/2020#")
TAG = Namespace("https://brickschema.org/schema/BrickTag#")
MINTED = "urn:graphtwin:"

KIND_CLASSES = {
    "Site": "Site",
    "Building": "Building",
    "Floor": "Floor",
    "Space": "Space",
    "Zone": "Zone",
    "Equipment": "Equipment",
    "Point": "Point",
    "System": "System",
}
"""The Brick class of a node that has no brick_class of its own."""

_STRUCTURE = {"uri", "brick_class", "brick_classes", "rec_class", "rdf_types", "labels"}
"""Properties the export writes as RDF structure (IRI, types, labels), not as values."""


@dataclass(slots=True)
class BrickExport:
    turtle: str
    warnings: list[str] = field(default_factory=list)


def render_brick(graph: TwinGraph) -> BrickExport:
    vocab = brick_vocabulary()
    brick = Namespace(vocab.current_namespace)
    rec = Namespace(vocab.rec_namespace)
    ref = Namespace(vocab.ref_namespace)
    unit = Namespace(vocab.unit_namespace)
    gt = Namespace(vocab.graphtwin_namespace)
    rdf = rdflib.Graph()
    for prefix, namespace in (
        ("brick", brick),
        ("rec", rec),
        ("ref", ref),
        ("unit", unit),
        ("tag", TAG),
        ("bacnet", BACNET),
        ("gt", gt),
    ):
        rdf.bind(prefix, namespace)
    notes: Counter[str] = Counter()
    iris = {twin_id: _iri(node) for twin_id, node in graph.nodes.items()}

    for twin_id, node in graph.nodes.items():
        subject = iris[twin_id]
        for cls in _classes(node, brick, rec, notes):
            rdf.add((subject, RDF.type, cls))
        for label in _as_list(node.properties.get("labels", node.name)):
            rdf.add((subject, RDFS.label, Literal(label)))
        for key, value in node.properties.items():
            if key not in _STRUCTURE:
                _write_property(rdf, subject, key, value, vocab, notes)

    terms = {t: _term(term, vocab) for t, term in vocab.export_relations.items()}
    for rel in graph.iter_relationships():
        predicate = terms.get(rel.type)
        if predicate is None:
            notes[f"relationship type {rel.type} has no RDF term; not written"] += 1
            continue
        rdf.add((iris[rel.start], predicate, iris[rel.end]))
        if rel.properties:
            notes["relationship properties cannot be written as plain RDF triples"] += 1
    warnings = [f"{note} ({count}x)" for note, count in sorted(notes.items())]
    return BrickExport(rdf.serialize(format="turtle"), warnings)


def _iri(node: TwinNode) -> URIRef:
    uri = node.properties.get("uri")
    if isinstance(uri, str) and uri:
        return URIRef(uri)
    return URIRef(MINTED + quote(node.twin_id, safe=""))


def _classes(node: TwinNode, brick: Namespace, rec: Namespace, notes: Counter[str]) -> list[URIRef]:
    props = node.properties
    names = props.get("brick_classes") or ([props["brick_class"]] if "brick_class" in props else [])
    classes = [brick[name] for name in names]
    rec_classes = props.get("rec_class")
    if rec_classes:
        classes += [rec[c] for c in _as_list(rec_classes)]
    if not classes and node.kind in KIND_CLASSES:
        classes.append(brick[KIND_CLASSES[node.kind]])
    if not classes and props.get("rdf_types"):
        classes = [URIRef(t) for t in _as_list(props["rdf_types"])]  # kept as the model had it
    if not classes and node.kind != "Entity":
        notes[f"{node.kind} nodes have no Brick class; written with graphtwin's"] += 1
        classes.append(URIRef(brick_vocabulary().graphtwin_namespace + node.kind))
    return classes


def _write_property(
    rdf: rdflib.Graph,
    subject: URIRef,
    key: str,
    value: Any,
    vocab: BrickVocabulary,
    notes: Counter[str],
) -> None:
    brick = Namespace(vocab.current_namespace)
    ref = Namespace(vocab.ref_namespace)
    gt = Namespace(vocab.graphtwin_namespace)
    if key == "unit":
        for u in _as_list(value):
            rdf.add((subject, brick.hasUnit, URIRef(vocab.unit_namespace + str(u))))
    elif key == "tag":
        for t in _as_list(value):
            rdf.add((subject, brick.hasTag, TAG[str(t)]))
    elif key.startswith("timeseries_"):
        if key == "timeseries_id":
            reference = _structured(rdf, subject, ref.hasTimeseriesReference)
            for v in _as_list(value):
                rdf.add((reference, ref.hasTimeseriesId, Literal(v)))
        elif key == "timeseries_stored_at":
            reference = _structured(rdf, subject, ref.hasTimeseriesReference)
            rdf.add((reference, ref.storedAt, _iri_or_literal(value)))
        else:
            _plain(rdf, subject, gt[key], value)
    elif key.startswith("bacnet_"):
        reference = _structured(rdf, subject, ref.hasExternalReference)
        rdf.add((reference, RDF.type, ref.BACnetReference))
        rdf.add((reference, BACNET[key.removeprefix("bacnet_").replace("_", "-")], Literal(value)))
    else:
        _plain(rdf, subject, gt[key], value)
        notes["properties without a Brick term written in graphtwin's namespace"] += 1


def _structured(rdf: rdflib.Graph, subject: URIRef, predicate: URIRef) -> BNode:
    """The blank node behind `predicate`, created once per subject."""
    existing = rdf.value(subject, predicate)
    if isinstance(existing, BNode):
        return existing
    node = BNode()
    rdf.add((subject, predicate, node))
    return node


def _plain(rdf: rdflib.Graph, subject: URIRef, predicate: URIRef, value: Any) -> None:
    for v in _as_list(value):
        rdf.add((subject, predicate, Literal(v)))


def _iri_or_literal(value: Any) -> rdflib.term.Node:
    text = str(value)
    return URIRef(text) if "://" in text or text.startswith("urn:") else Literal(value)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _term(curie: str, vocab: BrickVocabulary) -> URIRef:
    prefix, local = curie.split(":", 1)
    namespaces = {
        "brick": vocab.current_namespace,
        "rec": vocab.rec_namespace,
        "gt": vocab.graphtwin_namespace,
        "owl": str(OWL),
    }
    return URIRef(namespaces[prefix] + local)
