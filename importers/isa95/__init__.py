"""ISA-95 importer: B2MML (V0400 to V0700) and BatchML documents, read with lxml.

Equipment hierarchies, personnel, materials, process segments and operations definitions,
schedules and performance reports, and BatchML recipes; the mapping is in
`ontologies/isa95_mapping.yaml` and explained in docs/isa95.md.
"""

from __future__ import annotations

from pathlib import Path

from graphtwin.model import TwinGraph
from importers.base import describe_file
from importers.isa95.document import read_document
from importers.isa95.extract import extract_isa95
from importers.isa95.mapping import isa95_mapping


class Isa95Importer:
    format = "isa95"
    description = "ISA-95 documents (B2MML V0400 to V0700, BatchML)"

    def parse(self, path: Path, *, source_id: str | None = None) -> TwinGraph:
        source = describe_file(path, format=self.format, source_id=source_id)
        mapping = isa95_mapping()
        document = read_document(path, mapping)
        extraction = extract_isa95(document, mapping, source)
        graph = extraction.graph
        graph.warnings.extend(extraction.warnings)
        graph.annotations.update(
            {
                "isa95_version": document.version,
                "isa95_message": document.message,
                "isa95_counts": extraction.counts,
                "isa95_left_out": extraction.left_out,
            }
        )
        return graph


__all__ = ["Isa95Importer"]
