"""The state the ISA-95 extractors share while they turn one document into a twin graph.

Two kinds of links, because ISA-95 has two kinds of references:

- `link`: a definition naming another definition by ID (a person's personnel class, a segment's
  equipment specification, a lot's material definition). ISA-95 IDs are enterprise-wide and
  B2MML sends one kind of master data per message, so these links span files: the relationship
  is made to the twin_id the ID maps to, and the store refuses it if that node exists nowhere.
- `link_if_defined`: a reference that may well point outside the twin (a schedule's hierarchy
  scope, the equipment a production request names). It becomes a relationship only when this
  document defines the target; the ID is kept as a property either way.

It also records which elements were read, so the extractor can count the entity-like elements
(those with an ID) that nothing read: they are reported, never dropped silently. Every node
keeps the vendor extensions of its element (children in other namespaces) as `ext__` properties.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graphtwin.errors import SchemaViolationError
from graphtwin.model import Properties, SourceInfo, TwinGraph, TwinNode, TwinRelationship
from importers.isa95.document import Element, Isa95Document, local
from importers.isa95.mapping import Isa95Mapping
from importers.isa95.values import (
    XSI_TYPE,
    ValueReader,
    extension_children,
    extension_properties,
)


@dataclass(slots=True)
class _Deferred:
    start: str
    type: str
    end: str
    element: Element


@dataclass(slots=True)
class GraphBuilder:
    doc: Isa95Document
    mapping: Isa95Mapping
    source: SourceInfo
    graph: TwinGraph = field(init=False)
    values: ValueReader = field(init=False)
    entities: dict[Element, str] = field(default_factory=dict)
    """Elements that became nodes -> their twin_id."""
    consumed: set[Element] = field(default_factory=set)
    """Elements read as part of an entity (properties, specifications): not entities."""
    left_out: Counter[str] = field(default_factory=Counter)
    """Entity-like elements deliberately not mapped, by what they are."""
    _deferred: list[_Deferred] = field(default_factory=list)
    _links: dict[tuple[str, str, str], tuple[Element, Properties]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.graph = TwinGraph(self.source)
        self.values = ValueReader(self.doc, self.mapping)

    def add_node(
        self,
        element: Element,
        twin_id: str,
        kind: str,
        name: str,
        properties: Properties,
        *,
        isa95_type: str,
        isa95_id: str,
    ) -> TwinNode:
        props: Properties = {"isa95_type": isa95_type, "isa95_id": isa95_id}
        props.update({k: v for k, v in properties.items() if v is not None})
        declared = element.get(XSI_TYPE)
        if declared:
            props["isa95_xsi_type"] = declared  # a vendor's type derived from the B2MML one
        props.update(extension_properties(self.doc, self.values, element))
        self.consume(*extension_children(self.doc, element))
        node = self.graph.add_node(TwinNode(twin_id, kind, name, props, self.doc.where(element)))
        self.entities[element] = twin_id
        return node

    def required_id(self, element: Element) -> str:
        """The element's ID child; an object without one cannot be identified."""
        found = self.doc.text(element, "ID")
        if found is None:
            raise SchemaViolationError(
                f"{local(element)} without an ID",
                location=self.doc.where(element),
                entity=self.doc.path(element),
            )
        return found

    def consume(self, *elements: Element) -> None:
        self.consumed.update(elements)

    def leave_out(self, element: Element, what: str | None = None) -> None:
        """Count an entity-like element that is deliberately not mapped."""
        self.left_out[what or local(element)] += 1
        self.consumed.add(element)

    def link(
        self,
        start: str,
        rel_type: str,
        end: str,
        element: Element,
        properties: Properties | None = None,
    ) -> None:
        """A relationship to whatever node `end` names, here or in the graph already. Repeats
        merge their list properties (a material both consumed and produced)."""
        key = (start, rel_type, end)
        merged = dict(properties or {})
        if key in self._links:
            first, before = self._links[key]
            for k, v in before.items():
                if isinstance(v, list) and isinstance(merged.get(k), list):
                    merged[k] = sorted({*v, *merged[k]})  # type: ignore[type-var]
                else:
                    merged.setdefault(k, v)
            element = first
        self._links[key] = (element, merged)

    def link_if_defined(self, start: str, rel_type: str, end: str, element: Element) -> None:
        self._deferred.append(_Deferred(start, rel_type, end, element))

    def finish(self) -> TwinGraph:
        for (start, rel_type, end), (element, props) in self._links.items():
            self.graph.add_relationship(
                TwinRelationship(start, rel_type, end, props, self.doc.where(element))
            )
        for d in self._deferred:
            if (d.start, d.type, d.end) in self.graph.relationships:
                continue
            if d.end in self.graph.nodes and d.start != d.end:
                self.graph.add_relationship(
                    TwinRelationship(d.start, d.type, d.end, {}, self.doc.where(d.element))
                )
        return self.graph
