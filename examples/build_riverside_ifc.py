"""Writes examples/riverside-building-b.ifc: demo Building B as its BIM team models it.

The same building as examples/riverside-building-b.ttl (the building-automation team's Brick
model), named the way architects and MEP designers name things ("B-101 Materials Laboratory",
"AHU-02"), so the twin holds both views side by side. IFC4, lengths in millimetres, areas in
square metres, temperatures in degrees Celsius. GlobalIds are derived from fixed keys, so a
rebuilt file keeps every entity's identity.

Run from the project root: `.venv/bin/python examples/build_riverside_ifc.py`. A test checks
that the committed file holds what this script builds.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import ifcopenshell
import ifcopenshell.api as api
import ifcopenshell.guid

OUTPUT = Path(__file__).with_name("riverside-building-b.ifc")
_NAMESPACE = uuid.UUID("5b1f4f0e-6c1a-4c55-9a57-7f0c2b9d1e21")

Entity = ifcopenshell.entity_instance


def global_id(key: str) -> str:
    """The GlobalId of the entity with this key: the same in every build."""
    return ifcopenshell.guid.compress(uuid.uuid5(_NAMESPACE, key).hex)


class RiversideBuildingB:
    def __init__(self) -> None:
        self.file = api.run("project.create_file", version="IFC4")
        self.project = self._entity("project", "IfcProject", "Riverside Campus - Building B")
        self._units()
        site = self._entity("site", "IfcSite", "Riverside Campus")
        self.building = self._entity("building", "IfcBuilding", "Building B")
        self.level1 = self._entity("level-1", "IfcBuildingStorey", "Level 1")
        self.level2 = self._entity("level-2", "IfcBuildingStorey", "Level 2")
        self.level1.Elevation, self.level2.Elevation = 0.0, 3600.0
        self._aggregate(self.project, site)
        self._aggregate(site, self.building)
        self._aggregate(self.building, self.level1, self.level2)

        self.lab = self._space("space-b101", "B-101", "Materials Laboratory", 85.0)
        self.plant = self._space("space-b102", "B-102", "Plant Room", 40.0)
        self.office201 = self._space("space-b201", "B-201", "Office", 28.0)
        self.office202 = self._space("space-b202", "B-202", "Office", 24.0)
        self._aggregate(self.level1, self.lab, self.plant)
        self._aggregate(self.level2, self.office201, self.office202)
        zone = self._entity("zone-l2", "IfcZone", "Level 2 HVAC zone")
        api.run(
            "group.assign_group", self.file, products=[self.office201, self.office202], group=zone
        )

        self._fabric()
        self._air_system()

    # --- spatial structure and fabric -----------------------------------------------------

    def _units(self) -> None:
        f = self.file
        mm = api.run("unit.add_si_unit", f, unit_type="LENGTHUNIT", prefix="MILLI")
        m2 = api.run("unit.add_si_unit", f, unit_type="AREAUNIT")
        m3 = api.run("unit.add_si_unit", f, unit_type="VOLUMEUNIT")
        celsius = api.run("unit.add_si_unit", f, unit_type="THERMODYNAMICTEMPERATUREUNIT")
        celsius.Name = "DEGREE_CELSIUS"
        api.run("unit.assign_unit", f, units=[mm, m2, m3, celsius])

    def _space(self, key: str, number: str, long_name: str, area_m2: float) -> Entity:
        space = self._entity(key, "IfcSpace", number)
        space.LongName = long_name
        qto = api.run("pset.add_qto", self.file, product=space, name="Qto_SpaceBaseQuantities")
        api.run("pset.edit_qto", self.file, qto=qto, properties={"NetFloorArea": area_m2})
        return space

    def _fabric(self) -> None:
        f = self.file
        partition = self._entity("wall-b101-b102", "IfcWall", "Lab / plant room partition")
        door = self._entity("door-b102", "IfcDoor", "D-B102")
        opening = self._entity("opening-b102", "IfcOpeningElement", "Opening D-B102")
        api.run("feature.add_feature", f, feature=opening, element=partition)
        api.run("feature.add_filling", f, opening=opening, element=door)
        door_pset = api.run("pset.add_pset", f, product=door, name="Pset_DoorCommon")
        api.run(
            "pset.edit_pset",
            f,
            pset=door_pset,
            properties={"FireRating": "EI 60", "IsExternal": False},
        )
        slab1 = self._entity("slab-l1", "IfcSlab", "Level 1 floor slab", predefined_type="FLOOR")
        slab2 = self._entity("slab-l2", "IfcSlab", "Level 2 floor slab", predefined_type="FLOOR")
        self._contain(self.level1, partition, door, slab1)
        self._contain(self.level2, slab2)

    # --- the air system -------------------------------------------------------------------

    def _air_system(self) -> None:
        f = self.file
        ahu = self._entity("ahu-02", "IfcUnitaryEquipment", "AHU-02", predefined_type="AIRHANDLER")
        fan = self._entity(
            "ahu-02-fan", "IfcFan", "AHU-02 supply fan", predefined_type="CENTRIFUGALAIRFOIL"
        )
        coil = self._entity(
            "ahu-02-coil",
            "IfcCoil",
            "AHU-02 chilled water coil",
            predefined_type="WATERCOOLINGCOIL",
        )
        self._aggregate(ahu, fan, coil)
        self._pset(
            ahu,
            "Pset_AirHandlerDesign",
            NominalSupplyAirFlow=f.create_entity("IfcVolumetricFlowRateMeasure", 2.4),
            DesignSupplyAirTemperature=f.create_entity("IfcThermodynamicTemperatureMeasure", 16.0),
        )
        self._pset(
            ahu,
            "Pset_ManufacturerTypeInformation",
            Manufacturer="Riverside HVAC",
            ModelLabel="RX-2400",
        )
        uniclass = api.run("classification.add_classification", f, classification="Uniclass")
        api.run(
            "classification.add_reference",
            f,
            products=[ahu],
            classification=uniclass,
            identification="Pr_60_65_03",
            name="Air handling units",
        )

        riser = self._entity(
            "duct-riser", "IfcDuctSegment", "SA riser", predefined_type="RIGIDSEGMENT"
        )
        branch = self._entity(
            "duct-l2", "IfcDuctSegment", "SA branch L2", predefined_type="RIGIDSEGMENT"
        )
        self._pset(
            riser, "Pset_DuctSegmentDesign", Length=f.create_entity("IfcLengthMeasure", 4200.0)
        )
        self._pset(
            branch, "Pset_DuctSegmentDesign", Length=f.create_entity("IfcLengthMeasure", 18500.0)
        )

        boxes, diffusers = [], []
        diffuser_type = self._entity(
            "type-diffuser", "IfcAirTerminalType", "Swirl diffuser 600", predefined_type="DIFFUSER"
        )
        self._pset(
            diffuser_type,
            "Pset_ManufacturerTypeInformation",
            Manufacturer="Trox",
            ModelLabel="TDV-SilentAIR 600",
        )
        for key, space, airflow in (
            ("b101", self.lab, 0.9),
            ("b201", self.office201, 0.6),
            ("b202", self.office202, 0.5),
        ):
            number = key.upper()
            box = self._entity(
                f"vav-{key}",
                "IfcAirTerminalBox",
                f"VAV-{number}",
                predefined_type="VARIABLEFLOWPRESSUREDEPENDANT",
            )
            self._pset(
                box,
                "Pset_AirTerminalBoxDesign",
                MaxAirFlow=f.create_entity("IfcVolumetricFlowRateMeasure", airflow),
            )
            diffuser = self._entity(
                f"diffuser-{key}", "IfcAirTerminal", f"SD-{number}", predefined_type="DIFFUSER"
            )
            self._contain(space, box, diffuser)
            boxes.append(box)
            diffusers.append(diffuser)
        api.run("type.assign_type", f, related_objects=diffusers, relating_type=diffuser_type)
        self._contain(self.plant, ahu, riser)
        self._contain(self.level2, branch)

        self._connect(ahu, riser)
        self._connect(riser, boxes[0])
        self._connect(riser, branch)
        self._connect(branch, boxes[1])
        self._connect(branch, boxes[2])
        for box, diffuser in zip(boxes, diffusers, strict=True):
            self._connect(box, diffuser)

        system = self._entity(
            "system-sa",
            "IfcDistributionSystem",
            "Building B supply air",
            predefined_type="VENTILATION",
        )
        api.run(
            "system.assign_system",
            f,
            products=[ahu, riser, branch, *boxes, *diffusers],
            system=system,
        )
        f.create_entity(
            "IfcRelServicesBuildings",
            GlobalId=global_id("system-sa-serves"),
            RelatingSystem=system,
            RelatedBuildings=[self.building],
        )

    # --- helpers --------------------------------------------------------------------------

    def _entity(self, key: str, ifc_class: str, name: str, **attributes: str) -> Entity:
        entity = api.run(
            "root.create_entity", self.file, ifc_class=ifc_class, name=name, **attributes
        )
        entity.GlobalId = global_id(key)
        return entity

    def _aggregate(self, whole: Entity, *parts: Entity) -> None:
        api.run("aggregate.assign_object", self.file, relating_object=whole, products=list(parts))

    def _contain(self, structure: Entity, *elements: Entity) -> None:
        api.run(
            "spatial.assign_container",
            self.file,
            relating_structure=structure,
            products=list(elements),
        )

    def _pset(self, product: Entity, name: str, **properties: object) -> None:
        pset = api.run("pset.add_pset", self.file, product=product, name=name)
        api.run("pset.edit_pset", self.file, pset=pset, properties=properties)

    def _connect(self, upstream: Entity, downstream: Entity) -> None:
        out = api.run("system.add_port", self.file, element=upstream)
        into = api.run("system.add_port", self.file, element=downstream)
        api.run("system.connect_port", self.file, port1=out, port2=into, direction="SOURCE")


def build(path: Path = OUTPUT) -> Path:
    RiversideBuildingB().file.write(str(path))
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
