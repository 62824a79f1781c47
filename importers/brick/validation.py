"""`--validate`: SHACL validation of a Brick model against the Brick shapes.

brickschema's `validate(extra_graphs=...)` ignores the shapes of the data graph when extra graphs
are given, so the model is validated alone with the Brick ontology (whose shapes it needs) passed
as an extra graph. Brick's shapes require units and quantity kinds to be typed by QUDT, which
brickschema does not ship and which cannot be downloaded at run time: a small graph that types
every QUDT unit and quantity kind the ontology and the model mention stands in for it, so a
correct model conforms.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import brickschema
import rdflib
from rdflib import RDF, URIRef
from rdflib.namespace import SH

from importers.brick.reasoner_iris import ReasonerIris

QUDT = rdflib.Namespace("http://qudt.org/schema/qudt/")
_QUANTITY_KINDS = "http://qudt.org/vocab/quantitykind/"
_UNITS = "http://qudt.org/vocab/unit/"
_SHOWN = 50  # violations listed in the report; the count covers all of them


@dataclass(slots=True)
class ValidationResult:
    conforms: bool
    violations: int
    warnings: int
    results: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "results": self.results,
            "seconds": round(self.seconds, 3),
        }


@cache
def _brick_ontology() -> tuple[brickschema.Graph, rdflib.Graph]:
    """The Brick ontology and the QUDT terms it uses (loaded once per process)."""
    brick = brickschema.Graph(load_brick=True)
    return brick, _qudt_stub(brick)


def validate(model: rdflib.Graph) -> ValidationResult:
    started = time.perf_counter()
    iris = ReasonerIris()
    data = brickschema.Graph()
    iris.copy_into(data, model)
    brick, brick_qudt = _brick_ontology()
    conforms, report, _ = data.validate(extra_graphs=[brick, brick_qudt, _qudt_stub(data)])
    results = []
    violations = warnings = 0
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        if severity == SH.Violation:
            violations += 1
        else:
            warnings += 1
        if len(results) < _SHOWN:
            results.append(_result(report, result, iris))
    results.sort(key=lambda r: (r["severity"] != "Violation", r["focus"] or ""))
    return ValidationResult(
        bool(conforms), violations, warnings, results, time.perf_counter() - started
    )


def _result(report: rdflib.Graph, result: rdflib.term.Node, iris: ReasonerIris) -> dict[str, Any]:
    def text(predicate: URIRef) -> str | None:
        value = report.value(result, predicate)
        return None if value is None else str(iris.decode(value))

    severity = report.value(result, SH.resultSeverity)
    return {
        "severity": str(severity).rsplit("#", 1)[-1] if severity else None,
        "focus": text(SH.focusNode),
        "path": text(SH.resultPath),
        "message": text(SH.resultMessage),
    }


def _qudt_stub(graph: rdflib.Graph) -> rdflib.Graph:
    """Type every QUDT quantity kind and unit mentioned, as the QUDT vocabularies would."""
    stub = rdflib.Graph()
    for term in set(graph.objects()):
        if isinstance(term, URIRef):
            if term.startswith(_QUANTITY_KINDS):
                stub.add((term, RDF.type, QUDT.QuantityKind))
            elif term.startswith(_UNITS):
                stub.add((term, RDF.type, QUDT.Unit))
    return stub
