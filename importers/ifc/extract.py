"""ifcopenshell model -> TwinGraph: spatial tree, elements, systems, zones, flow connections.

Only semantics go into the twin, never geometry: every object keeps its GlobalId (`ifc_guid`)
so geometry can be read from the file (its sha256 is on the Source) when it is needed.

- IfcRelAggregates between spatial elements: CONTAINS
- IfcRelAggregates between elements, IfcRelNests (but ports), IfcRelVoidsElement (wall to
  opening), IfcRelFillsElement (opening to door): HAS_PART
- IfcRelContainedInSpatialStructure, IfcRelReferencedInSpatialStructure: LOCATED_IN
- IfcRelAssignsToGroup (to an IfcSystem or IfcZone): MEMBER_OF
- IfcRelServicesBuildings: SERVES
- IfcRelConnectsPorts between ports of two elements (attached by IfcRelNests or
  IfcRelConnectsPortToElement, in any schema): FEEDS from the element of the SOURCE port to that
  of the SINK port

IFC requires the ends of every relationship and the GlobalId of every object, but real files
leave some null: those are left out, counted and named in the warnings (relations.py), never a
crash. So is a port connection whose ports cannot be traced to two elements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ifcopenshell

from graphtwin.errors import DuplicateEntityError, SourceLocation
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship
from importers.ifc.classes import IfcMapping, ifc_mapping
from importers.ifc.ports import port_owners
from importers.ifc.properties import collect_properties
from importers.ifc.relations import Relations
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
    return f"ifc:{entity[0]}"


class _Extractor:
    def __init__(self, model: ifcopenshell.file, source: SourceInfo, file: str) -> None:
        self.model = model
        self.source = source
        self.where = SourceLocation(file)
        self.mapping: IfcMapping = ifc_mapping()
        self.units = UnitConverter(model)
        self.relations = Relations(model)
        self.kinds: dict[int, str] = {}  # entity id -> kind, for the nodes of the twin
        self._class_kind: dict[str, str | None] = {}
        self.graph = TwinGraph(source)
        self.skipped: dict[str, int] = {}
        self._readers: dict[str, _AttributeReader] = {}
        self.placeholders = 0
        self.without_guid = 0
        self.unresolved_ports: dict[str, int] = {}

    def kind_of(self, entity: ifcopenshell.entity_instance) -> str | None:
        cls = entity.is_a()
        if cls not in self._class_kind:  # is_a() walks the schema: once per class is enough
            self._class_kind[cls] = self.mapping.kind(entity)
        return self._class_kind[cls]

    # --- nodes ----------------------------------------------------------------------------

    def add_nodes(self) -> None:
        collected = collect_properties(self.relations, self.units)
        self.placeholders = collected.placeholders
        properties = collected.by_entity
        types = _types(self.relations)
        classifications = _classifications(self.relations)
        seen: dict[str, ifcopenshell.entity_instance] = {}
        for entity in self._objects():
            kind = self.kind_of(entity)
            if kind is None:
                continue
            guid = entity[0]  # GlobalId, the first attribute of every IfcRoot
            if not guid:  # no identity to give it: left out, and what refers to it with it
                self.without_guid += 1
                continue
            if guid in seen:
                raise DuplicateEntityError(
                    f"GlobalId {guid} is used twice (also by #{seen[guid].id()})",
                    location=self.where,
                    entity=f"#{entity.id()} {entity.is_a()}",
                )
            seen[guid] = entity
            type_object = types.get(entity.id())
            props = self._attributes(entity, kind, type_object)
            if entity.id() in classifications:
                props["classification"] = sorted(classifications[entity.id()])
            props.update(properties.get(entity.id(), {}))
            self.graph.add_node(
                TwinNode(f"ifc:{guid}", kind, _name(props, guid), props, self.where)
            )
            self.kinds[entity.id()] = kind

    def _objects(self) -> Iterable[ifcopenshell.entity_instance]:
        yield from self.model.by_type("IfcProject")
        yield from self.model.by_type("IfcProduct")
        yield from self.model.by_type("IfcGroup")

    def _attributes(
        self,
        entity: ifcopenshell.entity_instance,
        kind: str,
        type_object: ifcopenshell.entity_instance | None,
    ) -> dict[str, Any]:
        cls = entity.is_a()
        props: dict[str, Any] = {"ifc_guid": entity[0], "ifc_class": cls}
        read = self._reader(entity)
        for attribute, key in _TEXT_ATTRIBUTES:
            value = read(entity, attribute)
            if isinstance(value, str) and value:
                props[key] = value
        predefined = read(entity, "PredefinedType")
        if predefined and predefined not in ("NOTDEFINED", "USERDEFINED"):
            props["predefined_type"] = str(predefined)
        elevation = read(entity, "Elevation")
        if isinstance(elevation, float):
            props["elevation"] = self.units.quantity("LENGTHUNIT", elevation, None, "m").value
            props["elevation__unit"] = "m"
        if type_object is not None:
            props["ifc_type_class"] = type_object.is_a()
            if type_object.Name:
                props["ifc_type_name"] = type_object.Name
        if kind == "Equipment":
            brick_class = self.mapping.brick_class(entity, type_object)
            if brick_class:
                props["brick_class"] = brick_class
        return props

    def _reader(self, entity: ifcopenshell.entity_instance) -> _AttributeReader:
        cls = entity.is_a()
        if cls not in self._readers:
            self._readers[cls] = _AttributeReader(entity)
        return self._readers[cls]

    # --- relationships --------------------------------------------------------------------

    def add_relationships(self) -> None:
        ends = self.relations.ends
        for whole, parts in ends("IfcRelAggregates", "RelatingObject", "RelatedObjects"):
            for part in parts:
                self._structural(whole, part)
        for whole, parts in ends("IfcRelNests", "RelatingObject", "RelatedObjects"):
            for part in parts:
                if not part.is_a("IfcPort"):  # nested ports are read as flows, below
                    self._structural(whole, part)
        for wall, openings in ends(
            "IfcRelVoidsElement", "RelatingBuildingElement", "RelatedOpeningElement"
        ):
            self._link(wall, "HAS_PART", openings[0])
        for opening, fillings in ends(
            "IfcRelFillsElement", "RelatingOpeningElement", "RelatedBuildingElement"
        ):
            self._link(opening, "HAS_PART", fillings[0])
        for rel_type in ("IfcRelContainedInSpatialStructure", "IfcRelReferencedInSpatialStructure"):
            for structure, elements in ends(rel_type, "RelatingStructure", "RelatedElements"):
                for element in elements:
                    self._link(element, "LOCATED_IN", structure)
        for group, members in ends("IfcRelAssignsToGroup", "RelatingGroup", "RelatedObjects"):
            for member in members:
                self._link(member, "MEMBER_OF", group)
        for system, served in ends("IfcRelServicesBuildings", "RelatingSystem", "RelatedBuildings"):
            for building in served:
                self._link(system, "SERVES", building)
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
        owners = port_owners(self.relations)
        for a, (b,) in self.relations.ends("IfcRelConnectsPorts", "RelatingPort", "RelatedPort"):
            owner_a, owner_b = owners.owner(a), owners.owner(b)
            if owner_a is None or owner_b is None:
                ambiguous = {a.id(), b.id()} & owners.ambiguous
                self._unresolved(_PORT_OF_TWO if ambiguous else _PORT_OF_NONE)
                continue
            if owner_a == owner_b:
                self._unresolved(_PORTS_OF_ONE)
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

    def _unresolved(self, why: str) -> None:
        self.unresolved_ports[why] = self.unresolved_ports.get(why, 0) + 1


_PORT_OF_NONE = (
    "a port that belongs to no element (neither IfcRelNests nor IfcRelConnectsPortToElement "
    "attaches it)"
)
_PORT_OF_TWO = "a port attached to two different elements"
_PORTS_OF_ONE = "two ports of one element"


def extract_ifc(model: ifcopenshell.file, source: SourceInfo, *, file: str) -> IfcExtraction:
    extractor = _Extractor(model, source, file)
    extractor.add_nodes()
    extractor.add_relationships()
    counts: dict[str, int] = {}
    for node in extractor.graph.nodes.values():
        cls = str(node.properties["ifc_class"])
        counts[cls] = counts.get(cls, 0) + 1
    warnings = extractor.relations.warnings()
    if extractor.without_guid:
        count = extractor.without_guid
        warnings.append(
            f"{count} {'object has' if count == 1 else 'objects have'} no GlobalId (null in the "
            "file, though IFC requires it); left out, with what refers to them"
        )
    warnings.extend(
        f"{count} IfcRelConnectsPorts connect {why}; no FEEDS for them"
        for why, count in sorted(extractor.unresolved_ports.items())
    )
    warnings.extend(
        f"{count} {rel_type} relationships refer to objects that are not twin nodes; left out"
        for rel_type, count in sorted(extractor.skipped.items())
    )
    if extractor.placeholders:
        warnings.append(
            f"{extractor.placeholders} property values were empty or only repeated their "
            "property's name (placeholders); left out"
        )
    return IfcExtraction(extractor.graph, warnings, counts)


_TEXT_ATTRIBUTES = (
    ("Name", "ifc_name"),
    ("LongName", "long_name"),
    ("Description", "description"),
    ("ObjectType", "object_type"),
    ("Tag", "tag"),
)


class _AttributeReader:
    """Reads attributes by position: `entity[i]` is several times faster than `entity.Name`,
    which matters at a hundred thousand elements. Positions are looked up once per class."""

    def __init__(self, example: ifcopenshell.entity_instance) -> None:
        self._index = {example.attribute_name(i): i for i in range(len(example))}

    def __call__(self, entity: ifcopenshell.entity_instance, attribute: str) -> Any:
        i = self._index.get(attribute)
        return None if i is None else entity[i]


def _name(props: dict[str, Any], guid: str) -> str:
    """Spaces and storeys carry a number in Name and a name in LongName: show both."""
    name = props.get("ifc_name", "")
    long_name = props.get("long_name", "")
    if long_name and name and long_name != name:
        return f"{name} {long_name}"
    return name or long_name or guid


def _types(relations: Relations) -> dict[int, ifcopenshell.entity_instance]:
    """Object id -> its type object, from one pass over IfcRelDefinesByType."""
    return {
        obj.id(): type_object
        for type_object, objects in relations.ends(
            "IfcRelDefinesByType", "RelatingType", "RelatedObjects"
        )
        for obj in objects
    }


def _classifications(relations: Relations) -> dict[int, list[str]]:
    """Object id -> its classification references as `System: Code Name`."""
    found: dict[int, list[str]] = {}
    for reference, objects in relations.ends(
        "IfcRelAssociatesClassification", "RelatingClassification", "RelatedObjects"
    ):
        code = getattr(reference, "Identification", None) or getattr(
            reference, "ItemReference", None
        )
        system = getattr(getattr(reference, "ReferencedSource", None), "Name", None)
        name = getattr(reference, "Name", None)
        label = " ".join(filter(None, [f"{system}:" if system else None, code, name]))
        if not label:
            continue
        for obj in objects:
            found.setdefault(obj.id(), []).append(label)
    return found
