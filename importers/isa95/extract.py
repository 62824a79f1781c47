"""One ISA-95 document -> TwinGraph: checks first, then each kind of object, then what is left.

The level check runs before anything is mapped, so a document with a misspelt equipment level
is refused whole. Equipment is read first because the other extractors resolve references to
it. Last, every element that looks like an entity (it has an ID) but that no extractor read is
counted, so nothing a document defines disappears without the report saying so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graphtwin.errors import NoTwinEntitiesError
from graphtwin.model import SourceInfo, TwinGraph
from importers.isa95.batch_records import extract_batch_records
from importers.isa95.builder import GraphBuilder
from importers.isa95.document import Element, Isa95Document, clean, local
from importers.isa95.documents import extract_documents
from importers.isa95.equipment import extract_equipment
from importers.isa95.levels import check_levels
from importers.isa95.mapping import Isa95Mapping
from importers.isa95.materials import extract_materials
from importers.isa95.personnel import extract_personnel
from importers.isa95.recipes import extract_recipes
from importers.isa95.segments import extract_segments


@dataclass(slots=True)
class Isa95Extraction:
    graph: TwinGraph
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    """Nodes per ISA-95 object type (Equipment, Person, ProductionRequest ...)."""
    left_out: dict[str, int] = field(default_factory=dict)
    """Entity-like elements not mapped, per element name."""


def extract_isa95(
    document: Isa95Document, mapping: Isa95Mapping, source: SourceInfo
) -> Isa95Extraction:
    check_levels(document, mapping)
    b = GraphBuilder(document, mapping, source)
    equipment = extract_equipment(b)
    extract_personnel(b)
    extract_materials(b, equipment)
    extract_segments(b, equipment)
    extract_documents(b, equipment)
    extract_recipes(b, equipment)
    extract_batch_records(b, equipment)
    graph = b.finish()
    if not graph.nodes:
        raise NoTwinEntitiesError(
            f"a {document.message} document that defines nothing the twin can hold (no "
            "equipment, personnel, materials, segments, recipes, batch records or schedule entries "
            "with an ID)",
            location=document.where(document.root),
        )
    _count_unread(b, document.root)
    counts = Counter(str(n.properties["isa95_type"]) for n in graph.nodes.values())
    left_out = dict(sorted(b.left_out.items()))
    return Isa95Extraction(graph, _warnings(b, left_out), dict(sorted(counts.items())), left_out)


def _count_unread(b: GraphBuilder, element: Element) -> None:
    for child in element:
        if not isinstance(child.tag, str) or child in b.consumed:
            continue
        if child in b.entities:
            _count_unread(b, child)
        elif _has_id(child):
            b.left_out[local(child)] += 1
        else:
            _count_unread(b, child)


def _has_id(element: Element) -> bool:
    return any(isinstance(c.tag, str) and local(c) == "ID" and clean(c.text) for c in element)


def _warnings(b: GraphBuilder, left_out: dict[str, int]) -> list[str]:
    warnings = []
    if left_out:
        listed = ", ".join(f"{name} {count}" for name, count in left_out.items())
        warnings.append(
            f"{sum(left_out.values())} elements with an ID are not mapped to the twin and were "
            f"left out: {listed}"
        )
    if b.values.mistyped:
        warnings.append(f"{b.values.mistyped} values did not parse as their DataType; kept as text")
    return warnings
