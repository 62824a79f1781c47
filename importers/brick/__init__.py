"""Brick Schema RDF importer: every era of Brick, BrickFrame and RealEstateCore, to the twin."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graphtwin.errors import NoTwinEntitiesError, SourceLocation, ValidationFailedError
from graphtwin.gc_pause import gc_paused
from graphtwin.model import TwinGraph
from importers.base import describe_file

if TYPE_CHECKING:
    from rdflib.term import Node


@dataclass(frozen=True, slots=True)
class BrickImporter:
    """`graphtwin import brick`: options as on the command line."""

    rdf_format: str | None = None
    infer: bool = False
    validate: bool = False
    strict: bool = False

    format = "brick"
    description = "Brick Schema RDF (Turtle, N-Triples, RDF/XML, JSON-LD)"

    def parse(self, path: Path, *, source_id: str | None = None) -> TwinGraph:
        with gc_paused():
            return self._parse(path, source_id)

    def _parse(self, path: Path, source_id: str | None) -> TwinGraph:
        # rdflib and brickschema load only when a Brick file is read, not with the registry
        from rdflib import URIRef

        from importers.brick.extract import extract
        from importers.brick.inference import infer
        from importers.brick.rdf_file import rdf_format_for, read_rdf
        from importers.brick.subject_lines import SubjectLines
        from importers.brick.validation import validate

        source = describe_file(path, format=self.format, source_id=source_id)
        where = SourceLocation(str(path))
        rdf_format = rdf_format_for(path, self.rdf_format)
        model = read_rdf(path, rdf_format)
        if len(model) == 0:
            raise NoTwinEntitiesError("the file holds no RDF statements", location=where)
        annotations: dict[str, object] = {"rdf_triples": len(model)}
        lines = SubjectLines.scan(path, rdf_format, model.namespaces())

        def locate(subject: Node) -> SourceLocation:
            return SourceLocation(str(path), lines.line(subject))

        if self.validate or self.strict:
            result = validate(model)
            annotations["validation"] = result.to_json()
            if self.strict and not result.conforms:
                first = next(r for r in result.results if r["severity"] == "Violation")
                raise ValidationFailedError(
                    f"{result.violations} SHACL violations, e.g. {first['message']}",
                    location=locate(URIRef(first["focus"])) if first["focus"] else where,
                    entity=first["focus"],
                )
        if self.infer:
            expanded, seconds = infer(model)
            annotations["inference_s"] = round(seconds, 3)
            annotations["rdf_triples_inferred"] = len(expanded) - len(model)
            extraction = extract(expanded, source, asserted=model, locate=locate)
        else:
            extraction = extract(model, source, locate=locate)
        graph = extraction.graph
        if not graph.nodes:
            raise NoTwinEntitiesError(
                "no Brick, BrickFrame or RealEstateCore entities in this file (nothing is typed "
                "with a class of those vocabularies)",
                location=where,
            )
        graph.warnings.extend(extraction.warnings)
        graph.annotations.update(annotations)
        return graph
