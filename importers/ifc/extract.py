"""ifcopenshell model -> TwinGraph: spatial tree, elements, systems, zones, flow connections.

Only semantics go into the twin, never geometry: every object keeps its GlobalId (`ifc_guid`)
so geometry can be read from the file (its sha256 is on the Source) when it is needed.

- IfcRelAggregates between spatial elements: CONTAINS
- IfcRelAggregates between elements, IfcRelNests (but ports), IfcRelVoidsElement (wall to
  opening), IfcRelFillsElement (opening to door): HAS_PART
- IfcRelContainedInSpatialStructure, IfcRelReferencedInSpatialStructure: LOCATED_IN
- IfcRelAssignsToGroup (to an IfcSystem or IfcZone): MEMBER_OF
- IfcRelServicesBuildings: SERVES
- IfcRelConnectsPorts between ports of two elements (nested in IFC4, IfcRelConnectsPortToElement
  in IFC2X3): FEEDS from the element of the SOURCE port to that of the SINK port
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ifcopenshell
import ifcopenshell.util.element as ifc_elements
import ifcopenshell.util.system as ifc_systems

from graphtwin.errors import DuplicateEntityError, SourceLocation
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from importers.ifc.classes import IfcMapping, ifc_mapping
from importers.ifc.properties import collect_properties
from importers.ifc.units import UnitConverter

SPATIAL = frozenset({"Site", "Building", "Floor", "Space"})
_DIRECTIONS = ("SOURCE", "SINK")


@dataclass(slots=True)
class IfcExtraction:
    graph: TwinGraph
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    """Nodes per IFC class, as imported (the tests compare them with ifcopenshell's)."""


def twin_id(entity: ifcopenshell.entity_instance) -> str:
    return f"ifc:{entity.GlobalId}"


class _Extractor:
    def __init__(self, model: ifcopenshell.file, source: SourceInfo, file: str) -> None:
        self.model = model
        self.source = source
        self.where = SourceLocation(file)
        self.mapping: IfcMapping = ifc_mapping()
        self.units = UnitConverter(model)
        self.kinds: dict[int, str] = {}  # entity id -> kind, for the nodes of the twin
        self._class_kind: dict[str, str | None] = {}
        self.graph = TwinGraph(source)
        self.skipped: dict[str, int] = {}

    def kind_of(self, entity: ifcopenshell.entity_instance) -> str | None:
        cls = entity.is_a()
        if cls not in self._class_kind:  # is_a() walks the schema: once per class is enough
            self._class_kind[cls] = self.mapping.kind(entity)
        return self._class_kind[cls]

    # --- nodes ----------------------------------------------------------------------------

    def add_nodes(self) -> None:
        properties = collect_properties(self.model, self.units)
        seen: dict[str, ifcopenshell.entity_instance] = {}
        for entity in self._objects():
            kind = self.kind_of(entity)
            if kind is None:
                continue
            guid = entity.GlobalId
            if guid in seen:
                raise DuplicateEntityError(
                    f"GlobalId {guid} is used twice (also by #{seen[guid].id()})",
                    location=self.where,
                    entity=f"#{entity.id()} {entity.is_a()}",
                )
            seen[guid] = entity
            props = self._attributes(entity, kind)
            props.update(properties.get(entity.id(), {}))
            self.graph.add_node(TwinNode(twin_id(entity), kind, _name(entity), props, self.where))
            self.kinds[entity.id()] = kind

    def _objects(self) -> Iterable[ifcopenshell.entity_instance]:
        yield from self.model.by_type("IfcProject")
        yield from self.model.by_type("IfcProduct")
        yield from self.model.by_type("IfcGroup")

    def _attributes(self, entity: ifcopenshell.entity_instance, kind: str) -> dict[str, Any]:
        props: dict[str, Any] = {"ifc_guid": entity.GlobalId, "ifc_class": entity.is_a()}
        for attribute, key in (
            ("Name", "ifc_name"),
            ("LongName", "long_name"),
            ("Description", "description"),
            ("ObjectType", "object_type"),
            ("Tag", "tag"),
        ):
            value = getattr(entity, attribute, None)
            if isinstance(value, str) and value:
                props[key] = value
        predefined = getattr(entity, "PredefinedType", None)
        if predefined and predefined not in ("NOTDEFINED", "USERDEFINED"):
            props["predefined_type"] = str(predefined)
        elevation = getattr(entity, "Elevation", None)
        if isinstance(elevation, float):
            props["elevation"] = self.units.quantity("LENGTHUNIT", elevation, None, "m").value
            props["elevation__unit"] = "m"
        type_object = ifc_elements.get_type(entity) if entity.is_a("IfcObject") else None
        if type_object is not None:
            props["ifc_type_class"] = type_object.is_a()
            if type_object.Name:
                props["ifc_type_name"] = type_object.Name
        if kind == "Equipment":
            brick_class = self.mapping.brick_class(entity, type_object)
            if brick_class:
                props["brick_class"] = brick_class
        classifications = _classifications(entity)
        if classifications:
            props["classification"] = classifications
        return props

    # --- relationships --------------------------------------------------------------------

    def add_relationships(self) -> None:
        for rel in self.model.by_type("IfcRelAggregates"):
            for part in rel.RelatedObjects:
                self._structural(rel.RelatingObject, part)
        for rel in self.model.by_type("IfcRelNests"):
            for part in rel.RelatedObjects:
                self._structural(rel.RelatingObject, part)
        for rel in self.model.by_type("IfcRelVoidsElement"):
            self._link(rel.RelatingBuildingElement, "HAS_PART", rel.RelatedOpeningElement)
        for rel in self.model.by_type("IfcRelFillsElement"):
            self._link(rel.RelatingOpeningElement, "HAS_PART", rel.RelatedBuildingElement)
        for rel_type in ("IfcRelContainedInSpatialStructure", "IfcRelReferencedInSpatialStructure"):
            for rel in self.model.by_type(rel_type):
                for element in rel.RelatedElements:
                    self._link(element, "LOCATED_IN", rel.RelatingStructure)
        for rel in self.model.by_type("IfcRelAssignsToGroup"):
            for member in rel.RelatedObjects:
                self._link(member, "MEMBER_OF", rel.RelatingGroup)
        for rel in self.model.by_type("IfcRelServicesBuildings"):
            for served in rel.RelatedBuildings:
                self._link(rel.RelatingSystem, "SERVES", served)
        self._flows()

    def _structural(
        self, whole: ifcopenshell.entity_instance, part: ifcopenshell.entity_instance
    ) -> None:
        spatial = self.kinds.get(whole.id()) in SPATIAL and self.kinds.get(part.id()) in SPATIAL
        self._link(whole, "CONTAINS" if spatial else "HAS_PART", part)

    def _link(
        self,
        start: ifcopenshell.entity_instance,
        rel_type: str,
        end: ifcopenshell.entity_instance,
        properties: dict[str, Any] | None = None,
    ) -> None:
        if start.id() not in self.kinds or end.id() not in self.kinds:
            self.skipped[rel_type] = self.skipped.get(rel_type, 0) + 1
            return
        self.graph.add_relationship(
            TwinRelationship(twin_id(start), rel_type, twin_id(end), properties or {}, self.where)
        )

    def _flows(self) -> None:
        """FEEDS from the element whose port is the SOURCE to the one whose port is the SINK;
        connections without a clear direction are kept, flagged `directed: false`."""
        directed: set[tuple[int, int]] = set()
        undirected: list[tuple[ifcopenshell.entity_instance, ifcopenshell.entity_instance]] = []
        for rel in self.model.by_type("IfcRelConnectsPorts"):
            a, b = rel.RelatingPort, rel.RelatedPort
            owner_a, owner_b = ifc_systems.get_port_element(a), ifc_systems.get_port_element(b)
            if owner_a is None or owner_b is None or owner_a == owner_b:
                continue
            flow = (a.FlowDirection, b.FlowDirection)
            if flow == _DIRECTIONS:
                directed.add((owner_a.id(), owner_b.id()))
                self._link(owner_a, "FEEDS", owner_b)
            elif flow == _DIRECTIONS[::-1]:
                directed.add((owner_b.id(), owner_a.id()))
                self._link(owner_b, "FEEDS", owner_a)
            else:
                undirected.append((owner_a, owner_b))
        seen: set[frozenset[int]] = set()
        for owner_a, owner_b in undirected:
            pair = frozenset((owner_a.id(), owner_b.id()))
            if pair in seen or (owner_a.id(), owner_b.id()) in directed:
                continue
            if (owner_b.id(), owner_a.id()) in directed:
                continue
            seen.add(pair)
            self._link(owner_a, "FEEDS", owner_b, {"directed": False})


def extract_ifc(model: ifcopenshell.file, source: SourceInfo, *, file: str) -> IfcExtraction:
    extractor = _Extractor(model, source, file)
    extractor.add_nodes()
    extractor.add_relationships()
    counts: dict[str, int] = {}
    for node in extractor.graph.nodes.values():
        cls = str(node.properties["ifc_class"])
        counts[cls] = counts.get(cls, 0) + 1
    warnings = [
        f"{count} {rel_type} relationships refer to objects that are not twin nodes; left out"
        for rel_type, count in sorted(extractor.skipped.items())
    ]
    return IfcExtraction(extractor.graph, warnings, counts)


def _name(entity: ifcopenshell.entity_instance) -> str:
    """Spaces and storeys carry a number in Name and a name in LongName: show both."""
    name = getattr(entity, "Name", None) or ""
    long_name = getattr(entity, "LongName", None) or ""
    if long_name and name and long_name != name:
        return f"{name} {long_name}"
    return name or long_name or entity.GlobalId


def _classifications(entity: ifcopenshell.entity_instance) -> list[str]:
    found = []
    for rel in getattr(entity, "HasAssociations", ()) or ():
        if not rel.is_a("IfcRelAssociatesClassification"):
            continue
        reference = rel.RelatingClassification
        code = getattr(reference, "Identification", None) or getattr(
            reference, "ItemReference", None
        )
        system = getattr(getattr(reference, "ReferencedSource", None), "Name", None)
        label = " ".join(filter(None, [f"{system}:" if system else None, code, reference.Name]))
        if label:
            found.append(label)
    return sorted(found)
