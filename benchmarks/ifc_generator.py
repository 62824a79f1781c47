"""A large IFC4 model for the benchmark, written with ifcopenshell (low-level, for speed).

A building of storeys of spaces; in every space walls, doors, windows, furniture, lights, a
sensor and air terminals; per storey an air handling unit feeding a duct that feeds the
storey's terminals through connected ports, all in the storey's supply-air system. Every
element has a property set with a length in millimetres, a label and a flag, as real models do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import ifcopenshell
import ifcopenshell.guid

Factory = Callable[..., ifcopenshell.entity_instance]
"""Creates an entity with a fresh GlobalId."""

SPACE_ELEMENTS = (
    ("IfcWall", 6),
    ("IfcDoor", 2),
    ("IfcWindow", 3),
    ("IfcFurnishingElement", 4),
    ("IfcLightFixture", 4),
    ("IfcSensor", 1),
    ("IfcAirTerminal", 2),
)
"""Elements per space: 22, plus the storey's AHU and duct."""


def generate_ifc(path: Path, *, elements: int, spaces_per_storey: int = 50) -> dict[str, int]:
    """Write a model with at least `elements` elements; returns what it holds."""
    f = ifcopenshell.file(schema="IFC4")
    ids = _guids()

    def entity(ifc_class: str, **attributes: object) -> ifcopenshell.entity_instance:
        return f.create_entity(ifc_class, GlobalId=next(ids), **attributes)

    mm = f.create_entity("IfcSIUnit", UnitType="LENGTHUNIT", Prefix="MILLI", Name="METRE")
    project = entity("IfcProject", Name="Benchmark campus")
    project.UnitsInContext = f.create_entity("IfcUnitAssignment", Units=[mm])
    site = entity("IfcSite", Name="Site")
    building = entity("IfcBuilding", Name="Tower")
    entity("IfcRelAggregates", RelatingObject=project, RelatedObjects=[site])
    entity("IfcRelAggregates", RelatingObject=site, RelatedObjects=[building])

    per_space = sum(n for _, n in SPACE_ELEMENTS)
    storeys = max(1, -(-elements // (spaces_per_storey * per_space + 2)))
    counts = {"storeys": storeys, "spaces": 0, "elements": 0, "ports": 0}
    storey_entities = []
    for s in range(storeys):
        storey = entity("IfcBuildingStorey", Name=f"Level {s + 1}", Elevation=3500.0 * s)
        storey_entities.append(storey)
        system = entity("IfcDistributionSystem", Name=f"Supply air L{s + 1}")
        ahu = entity("IfcUnitaryEquipment", Name=f"AHU L{s + 1}", PredefinedType="AIRHANDLER")
        duct = entity("IfcDuctSegment", Name=f"Main duct L{s + 1}")
        _connect(entity, ahu, duct)
        counts["ports"] += 2
        spaces = []
        terminals = []
        for k in range(spaces_per_storey):
            space = entity("IfcSpace", Name=f"{s + 1}{k:02d}", LongName=f"Room {s + 1}.{k}")
            spaces.append(space)
            contained = []
            for ifc_class, n in SPACE_ELEMENTS:
                for i in range(n):
                    element = entity(ifc_class, Name=f"{ifc_class[3:]} {s + 1}.{k}.{i}")
                    contained.append(element)
                    if ifc_class == "IfcAirTerminal":
                        terminals.append(element)
                        _connect(entity, duct, element)
                        counts["ports"] += 2
                    _pset(f, entity, element, i)
            entity(
                "IfcRelContainedInSpatialStructure",
                RelatingStructure=space,
                RelatedElements=contained,
            )
            counts["elements"] += len(contained)
        counts["spaces"] += len(spaces)
        entity("IfcRelAggregates", RelatingObject=storey, RelatedObjects=spaces)
        entity(
            "IfcRelContainedInSpatialStructure",
            RelatingStructure=storey,
            RelatedElements=[ahu, duct],
        )
        entity("IfcRelAssignsToGroup", RelatingGroup=system, RelatedObjects=[ahu, duct, *terminals])
        entity("IfcRelServicesBuildings", RelatingSystem=system, RelatedBuildings=[storey])
        counts["elements"] += 2
    entity("IfcRelAggregates", RelatingObject=building, RelatedObjects=storey_entities)
    f.write(str(path))
    return counts


def _connect(
    entity: Factory,
    upstream: ifcopenshell.entity_instance,
    downstream: ifcopenshell.entity_instance,
) -> None:
    out = entity("IfcDistributionPort", FlowDirection="SOURCE")
    into = entity("IfcDistributionPort", FlowDirection="SINK")
    entity("IfcRelNests", RelatingObject=upstream, RelatedObjects=[out])
    entity("IfcRelNests", RelatingObject=downstream, RelatedObjects=[into])
    entity("IfcRelConnectsPorts", RelatingPort=out, RelatedPort=into)


def _pset(
    f: ifcopenshell.file, entity: Factory, element: ifcopenshell.entity_instance, i: int
) -> None:
    def single(name: str, measure: str, value: object) -> ifcopenshell.entity_instance:
        nominal = f.create_entity(measure, value)
        return f.create_entity("IfcPropertySingleValue", Name=name, NominalValue=nominal)

    props = [
        single("Width", "IfcLengthMeasure", 900.0 + i),
        single("Reference", "IfcIdentifier", f"R-{element.id()}"),
        single("IsExternal", "IfcBoolean", i % 2 == 0),
    ]
    pset = entity("IfcPropertySet", Name="Pset_Benchmark", HasProperties=props)
    entity("IfcRelDefinesByProperties", RelatingPropertyDefinition=pset, RelatedObjects=[element])


def _guids() -> Iterator[str]:
    while True:
        yield ifcopenshell.guid.new()
