"""IFC models built with ifcopenshell.api for the tests (no files checked in)."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import ifcopenshell.api as api


class AirSystemModel:
    """One storey, two offices, an AHU feeding a duct feeding two air terminals (one per
    office), all in one supply-air system that serves the building. Lengths in millimetres and
    temperatures in degrees Celsius, to show the conversion to SI."""

    def __init__(self) -> None:
        f = api.run("project.create_file", version="IFC4")
        self.file = f
        self.project = api.run("root.create_entity", f, ifc_class="IfcProject", name="Air demo")
        mm = api.run("unit.add_si_unit", f, unit_type="LENGTHUNIT", prefix="MILLI")
        celsius = api.run("unit.add_si_unit", f, unit_type="THERMODYNAMICTEMPERATUREUNIT")
        celsius.Name = "DEGREE_CELSIUS"
        api.run("unit.assign_unit", f, units=[mm, celsius])
        self.site = self._entity("IfcSite", "Site")
        self.building = self._entity("IfcBuilding", "Building A")
        self.storey = self._entity("IfcBuildingStorey", "Level 1")
        self.storey.Elevation = 3500.0
        api.run("aggregate.assign_object", f, relating_object=self.project, products=[self.site])
        api.run("aggregate.assign_object", f, relating_object=self.site, products=[self.building])
        api.run("aggregate.assign_object", f, relating_object=self.building, products=[self.storey])
        self.office1 = self._entity("IfcSpace", "101", long_name="Office 101")
        self.office2 = self._entity("IfcSpace", "102", long_name="Office 102")
        api.run(
            "aggregate.assign_object",
            f,
            relating_object=self.storey,
            products=[self.office1, self.office2],
        )
        qto = api.run("pset.add_qto", f, product=self.office1, name="Qto_SpaceBaseQuantities")
        api.run("pset.edit_qto", f, qto=qto, properties={"NetFloorArea": 42.5})

        self.ahu = self._entity("IfcUnitaryEquipment", "AHU-1", predefined_type="AIRHANDLER")
        self.duct = self._entity("IfcDuctSegment", "Main duct")
        self.terminal1 = self._entity("IfcAirTerminal", "Diffuser 101", predefined_type="DIFFUSER")
        self.terminal2 = self._entity("IfcAirTerminal", "Diffuser 102", predefined_type="DIFFUSER")
        api.run(
            "spatial.assign_container",
            f,
            relating_structure=self.storey,
            products=[self.ahu, self.duct],
        )
        api.run(
            "spatial.assign_container",
            f,
            relating_structure=self.office1,
            products=[self.terminal1],
        )
        api.run(
            "spatial.assign_container",
            f,
            relating_structure=self.office2,
            products=[self.terminal2],
        )
        self._connect(self.ahu, self.duct)
        self._connect(self.duct, self.terminal1)
        self._connect(self.duct, self.terminal2)

        self.system = api.run("system.add_system", f, ifc_class="IfcDistributionSystem")
        self.system.Name = "Supply air"
        api.run(
            "system.assign_system",
            f,
            products=[self.ahu, self.duct, self.terminal1, self.terminal2],
            system=self.system,
        )
        f.create_entity(
            "IfcRelServicesBuildings",
            GlobalId=ifcopenshell.guid.new(),
            RelatingSystem=self.system,
            RelatedBuildings=[self.building],
        )
        pset = api.run("pset.add_pset", f, product=self.duct, name="Pset_DuctDesign")
        api.run(
            "pset.edit_pset",
            f,
            pset=pset,
            properties={
                "Length": f.create_entity("IfcLengthMeasure", 2500.0),
                "SupplyTemperature": f.create_entity("IfcThermodynamicTemperatureMeasure", 16.0),
                "Insulated": True,
            },
        )
        ahu_pset = api.run("pset.add_pset", f, product=self.ahu, name="Pset_AhuDesign")
        api.run(
            "pset.edit_pset",
            f,
            pset=ahu_pset,
            properties={"NominalAirFlow": f.create_entity("IfcVolumetricFlowRateMeasure", 1.2)},
        )

    def _entity(self, ifc_class: str, name: str, **attributes: str) -> ifcopenshell.entity_instance:
        long_name = attributes.pop("long_name", None)
        entity = api.run(
            "root.create_entity", self.file, ifc_class=ifc_class, name=name, **attributes
        )
        if long_name:
            entity.LongName = long_name
        return entity

    def _connect(
        self, upstream: ifcopenshell.entity_instance, downstream: ifcopenshell.entity_instance
    ) -> None:
        out = api.run("system.add_port", self.file, element=upstream)
        into = api.run("system.add_port", self.file, element=downstream)
        api.run("system.connect_port", self.file, port1=out, port2=into, direction="SOURCE")

    def write(self, path: Path) -> Path:
        self.file.write(str(path))
        return path


def gid(entity: ifcopenshell.entity_instance) -> str:
    return f"ifc:{entity.GlobalId}"


def length(model: AirSystemModel, millimetres: float) -> ifcopenshell.entity_instance:
    return model.file.create_entity("IfcLengthMeasure", millimetres)


def _root(
    f: ifcopenshell.file, ifc_class: str, **attributes: object
) -> ifcopenshell.entity_instance:
    return f.create_entity(ifc_class, GlobalId=ifcopenshell.guid.new(), **attributes)


class HydraulicModel:
    """A heat exchanger and four pipes (primary and secondary circuit, in and out), each pipe
    joined to the exchanger by an IfcRelConnectsPorts, 16 ports in all (each pipe has its far
    end open). `attach` says how ports belong to their element: "nests" (IfcRelNests, IFC4's
    way) or "port-to-element" (IfcRelConnectsPortToElement, IFC2X3's way, still valid in IFC4).
    Built with plain entities, which every schema takes (ifcopenshell.api needs an owner
    history in IFC2X3)."""

    def __init__(self, schema: str = "IFC4", attach: str = "port-to-element") -> None:
        f = ifcopenshell.file(schema=schema)
        self.file = f
        self.attach = attach
        self.project = _root(f, "IfcProject", Name="Plant room")
        self.site = _root(f, "IfcSite", Name="Site")
        self.building = _root(f, "IfcBuilding", Name="Plant")
        self.storey = _root(f, "IfcBuildingStorey", Name="Basement", Elevation=-3.0)
        for whole, part in ((self.project, self.site), (self.site, self.building)):
            _root(f, "IfcRelAggregates", RelatingObject=whole, RelatedObjects=[part])
        _root(f, "IfcRelAggregates", RelatingObject=self.building, RelatedObjects=[self.storey])
        exchanger_class = "IfcHeatExchanger" if schema != "IFC2X3" else "IfcEnergyConversionDevice"
        pipe_class = "IfcPipeSegment" if schema != "IFC2X3" else "IfcFlowSegment"
        self.exchanger = _root(f, exchanger_class, Name="HX-1")
        self.pipes = [
            _root(f, pipe_class, Name=name)
            for name in ("Primary flow", "Primary return", "Secondary flow", "Secondary return")
        ]
        _root(
            f,
            "IfcRelContainedInSpatialStructure",
            RelatingStructure=self.storey,
            RelatedElements=[self.exchanger, *self.pipes],
        )
        self.connections: list[ifcopenshell.entity_instance] = []
        # primary flow and secondary return run into the exchanger, the other two out of it
        for pipe, into_exchanger in zip(self.pipes, (True, False, False, True), strict=True):
            hx_port = self.port(self.exchanger, "SINK" if into_exchanger else "SOURCE")
            near = self.port(pipe, "SOURCE" if into_exchanger else "SINK")
            self.port(pipe, "SINK" if into_exchanger else "SOURCE")  # the far end, open
            self.connections.append(self.connect(near, hx_port))
        for extra in ("SINK", "SOURCE", "SINK", "SOURCE"):  # drains and vents, open
            self.port(self.exchanger, extra)

    def port(
        self, element: ifcopenshell.entity_instance, direction: str
    ) -> ifcopenshell.entity_instance:
        port = _root(self.file, "IfcDistributionPort", FlowDirection=direction)
        if self.attach == "nests":
            _root(self.file, "IfcRelNests", RelatingObject=element, RelatedObjects=[port])
        else:
            _root(
                self.file, "IfcRelConnectsPortToElement", RelatingPort=port, RelatedElement=element
            )
        return port

    def connect(
        self, a: ifcopenshell.entity_instance, b: ifcopenshell.entity_instance
    ) -> ifcopenshell.entity_instance:
        return _root(self.file, "IfcRelConnectsPorts", RelatingPort=a, RelatedPort=b)

    def expected_feeds(self) -> set[tuple[str, str, str]]:
        hx = gid(self.exchanger)
        flow, back, secondary, secondary_back = (gid(p) for p in self.pipes)
        return {
            (flow, "FEEDS", hx),
            (hx, "FEEDS", back),
            (hx, "FEEDS", secondary),
            (secondary_back, "FEEDS", hx),
        }

    def write(self, path: Path) -> Path:
        self.file.write(str(path))
        return path


REVIT_LEVELS = (("Level 1", 0.0), ("Level 2", 4.267220999999476), ("Roof", 7.924820999999477))


class DisciplineModel:
    """One discipline's model of a building, as an authoring tool exports each discipline of a
    federated project: its own project GlobalId (so its own source), the same project, site,
    building and storey names and elevations (the IfcBuilding without a Name, as Revit writes
    it, unless `building_name` is given), and the discipline's own elements on Level 1.
    `level_shift` (metres) moves every storey, as a model that placed its levels elsewhere."""

    def __init__(
        self,
        discipline: str,
        elements: tuple[tuple[str, str], ...],
        *,
        building_name: str | None = None,
        level_shift: float = 0.0,
    ) -> None:
        f = api.run("project.create_file", version="IFC4")
        self.file = f
        self.project = api.run(
            "root.create_entity", f, ifc_class="IfcProject", name="Project Number"
        )
        metre = api.run("unit.add_si_unit", f, unit_type="LENGTHUNIT")
        api.run("unit.assign_unit", f, units=[metre])
        self.site = api.run("root.create_entity", f, ifc_class="IfcSite", name="Default")
        self.building = api.run("root.create_entity", f, ifc_class="IfcBuilding")
        self.building.Name = building_name
        api.run("aggregate.assign_object", f, relating_object=self.project, products=[self.site])
        api.run("aggregate.assign_object", f, relating_object=self.site, products=[self.building])
        self.storeys: list[ifcopenshell.entity_instance] = []
        for name, elevation in REVIT_LEVELS:
            storey = api.run("root.create_entity", f, ifc_class="IfcBuildingStorey", name=name)
            storey.Elevation = elevation + level_shift
            self.storeys.append(storey)
        api.run("aggregate.assign_object", f, relating_object=self.building, products=self.storeys)
        self.elements = [
            api.run("root.create_entity", f, ifc_class=ifc_class, name=f"{discipline} {name}")
            for ifc_class, name in elements
        ]
        api.run(
            "spatial.assign_container",
            f,
            relating_structure=self.storeys[0],
            products=self.elements,
        )

    def spatial_tree(self) -> list[str]:
        return [gid(e) for e in (self.project, self.site, self.building, *self.storeys)]

    def write(self, path: Path) -> Path:
        self.file.write(str(path))
        return path


def architecture_and_electrical(**options: object) -> tuple[DisciplineModel, DisciplineModel]:
    architecture = DisciplineModel(
        "Arch",
        (("IfcWall", "Wall"), ("IfcDoor", "Door")),
        **options,  # type: ignore[arg-type]
    )
    electrical = DisciplineModel(
        "Elec",
        (("IfcLightFixture", "Light"), ("IfcElectricDistributionBoard", "Board")),
        **options,  # type: ignore[arg-type]
    )
    return architecture, electrical


def with_every_relationship(model: AirSystemModel) -> AirSystemModel:
    """The air model plus what it lacks of the relationships the importer reads: a type with a
    property set, a classification, a wall with an opening filled by a door, an element
    referenced in a second storey."""
    f = model.file
    terminal_type = api.run("root.create_entity", f, ifc_class="IfcAirTerminalType", name="Swirl")
    api.run("type.assign_type", f, related_objects=[model.terminal1], relating_type=terminal_type)
    pset = api.run("pset.add_pset", f, product=terminal_type, name="Pset_Maker")
    api.run("pset.edit_pset", f, pset=pset, properties={"Manufacturer": "Acme"})
    reference = f.create_entity("IfcClassificationReference", Identification="Pr_60", Name="AHU")
    _root(
        f,
        "IfcRelAssociatesClassification",
        RelatedObjects=[model.ahu],
        RelatingClassification=reference,
    )
    wall = _root(f, "IfcWall", Name="Wall 1")
    opening = _root(f, "IfcOpeningElement", Name="Opening 1")
    door = _root(f, "IfcDoor", Name="Door 1")
    _root(
        f,
        "IfcRelVoidsElement",
        RelatingBuildingElement=wall,
        RelatedOpeningElement=opening,
    )
    _root(
        f,
        "IfcRelFillsElement",
        RelatingOpeningElement=opening,
        RelatedBuildingElement=door,
    )
    api.run("spatial.assign_container", f, relating_structure=model.storey, products=[wall])
    _root(
        f,
        "IfcRelReferencedInSpatialStructure",
        RelatingStructure=model.office2,
        RelatedElements=[wall],
    )
    return model
