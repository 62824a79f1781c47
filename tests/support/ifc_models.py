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
