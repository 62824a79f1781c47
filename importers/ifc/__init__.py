"""IFC importer (IFC2X3, IFC4, IFC4X3 via ifcopenshell): spatial tree, elements, systems, flows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from graphtwin.gc_pause import gc_paused
from graphtwin.model import SourceInfo, TwinGraph
from importers.base import describe_file


class IfcImporter:
    format = "ifc"
    description = "IFC models (IFC2X3, IFC4, IFC4X3)"

    def parse(self, path: Path, *, source_id: str | None = None) -> TwinGraph:
        from importers.ifc.extract import extract_ifc  # ifcopenshell loads only to parse IFC
        from importers.ifc.ifc_file import open_ifc

        source = describe_file(path, format=self.format, source_id=source_id)
        with gc_paused():
            model = open_ifc(path)
            source = _project_source(model, source, keep_id=source_id is not None)
            extraction = extract_ifc(model, source, file=str(path))
        graph = extraction.graph
        graph.warnings.extend(extraction.warnings)
        graph.annotations.update(
            {"ifc_schema": model.schema_identifier, "ifc_counts": extraction.counts}
        )
        return graph


def _project_source(model: object, source: SourceInfo, *, keep_id: bool) -> SourceInfo:
    """A newer version of the same model (same IfcProject GlobalId) is the same source, whatever
    the file is called, so re-importing it reports what changed; the project is the source's
    lineage, so a file of another model cannot replace it (not even under its source id)."""
    projects = model.by_type("IfcProject")  # type: ignore[attr-defined]
    if len(projects) != 1 or not projects[0].GlobalId:
        return source
    project = f"ifc-project:{projects[0].GlobalId}"
    return replace(source, source_id=source.source_id if keep_id else project, lineage=project)
