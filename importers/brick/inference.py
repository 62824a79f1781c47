"""`--infer`: Brick inference (class hierarchy, inverse relations) before mapping."""

from __future__ import annotations

import time

import brickschema
import rdflib

from importers.brick.reasoner_iris import ReasonerIris


def infer(model: rdflib.Graph) -> tuple[rdflib.Graph, float]:
    """The model expanded with the Brick ontology and OWL-RL inference, and the seconds it
    took."""
    started = time.perf_counter()
    iris = ReasonerIris()
    expanded = brickschema.Graph(load_brick=True)
    iris.copy_into(expanded, model)
    expanded.expand(profile="brick")
    restored = rdflib.Graph()
    for prefix, namespace in model.namespaces():
        restored.bind(prefix, namespace)
    for s, p, o in expanded:
        restored.add((iris.decode(s), iris.decode(p), iris.decode(o)))
    return restored, time.perf_counter() - started
