"""A deterministic generated twin of exactly N nodes and R relationships.

The shape is that of a real building portfolio: sites contain buildings, buildings floors, floors
spaces (`CONTAINS`); equipment is `LOCATED_IN` a space and `HAS_POINT` its points. Every node but
a site has exactly one such structural relationship, so R must be at least N - sites; the rest
are cross links: equipment `SERVES` spaces and `FEEDS` other equipment of its building, points are
`LOCATED_IN` the space they measure. The same (nodes, rels, seed) always gives the same graph.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from graphtwin.model import Properties, SourceInfo, TwinGraph, TwinNode, TwinRelationship

SOURCE_ID = "bench-generated"

_SPACE_CLASSES = ("Office", "Conference_Room", "Corridor", "Restroom", "Storage", "Mechanical_Room")
_EQUIPMENT = (  # (brick_class, name prefix, point classes)
    ("AHU", "AHU", ("Supply_Air_Temperature_Sensor", "Return_Air_Temperature_Sensor")),
    ("VAV", "VAV", ("Zone_Air_Temperature_Sensor", "Damper_Position_Command")),
    ("Pump", "P", ("Pump_Speed_Command", "Differential_Pressure_Sensor")),
    ("Chiller", "CH", ("Chilled_Water_Supply_Temperature_Sensor", "Run_Status")),
    ("Fan", "F", ("Fan_Speed_Command", "Fan_Status")),
    ("Electrical_Meter", "EM", ("Active_Power_Sensor", "Energy_Sensor")),
)
_UNITS = {
    "Temperature_Sensor": "degC",
    "Pressure_Sensor": "Pa",
    "Power_Sensor": "kW",
    "Energy_Sensor": "kWh",
    "Command": "percent",
    "Status": "none",
}
_MEDIA = ("air", "chilled_water", "hot_water", "electricity")
_MANUFACTURERS = ("Trane", "Siemens", "Belimo", "Grundfos", "Carrier", "Schneider")


@dataclass(frozen=True, slots=True)
class TwinShape:
    """How many nodes of each kind a generated twin of `nodes` nodes has."""

    sites: int
    buildings: int
    floors: int
    spaces: int
    equipment: int
    points: int

    @classmethod
    def for_nodes(cls, nodes: int) -> TwinShape:
        sites = max(1, nodes // 50_000)
        buildings = max(sites, nodes // 2_000)
        floors = max(buildings, nodes // 250)
        spaces = max(floors, nodes * 12 // 100)
        equipment = max(1, nodes * 15 // 100)
        points = nodes - sites - buildings - floors - spaces - equipment
        if points < 1:
            raise ValueError(f"a generated twin needs at least 6 nodes, not {nodes}")
        return cls(sites, buildings, floors, spaces, equipment, points)

    @property
    def structural_relationships(self) -> int:
        """One parent relationship for every node that is not a site."""
        return self.buildings + self.floors + self.spaces + self.equipment + self.points


def generate_twin(nodes: int, relationships: int, *, seed: int = 42) -> TwinGraph:
    """A twin graph of exactly `nodes` nodes and `relationships` relationships."""
    shape = TwinShape.for_nodes(nodes)
    if relationships < shape.structural_relationships:
        raise ValueError(
            f"{nodes} nodes need at least {shape.structural_relationships} relationships "
            f"(one parent each), not {relationships}"
        )
    digest = hashlib.sha256(f"{nodes}/{relationships}/{seed}".encode()).hexdigest()
    graph = TwinGraph(
        SourceInfo(
            source_id=SOURCE_ID,
            format="bench",
            file_name=f"generated-{nodes}n-{relationships}r-seed{seed}.twin",
            sha256=digest,
        )
    )
    _Builder(graph, random.Random(seed)).build(shape, relationships)
    assert len(graph.nodes) == nodes and len(graph.relationships) == relationships
    return graph


class _Builder:
    def __init__(self, graph: TwinGraph, rng: random.Random) -> None:
        self.graph = graph
        self.rng = rng
        self.spaces_of: dict[str, list[str]] = {}  # building id -> its spaces
        self.equipment_of: dict[str, list[str]] = {}  # building id -> its equipment
        self.building_of: dict[str, str] = {}  # equipment or point id -> building id
        self.space_of: dict[str, str] = {}  # equipment or point id -> its space
        self.point_classes: dict[str, tuple[str, ...]] = {}  # equipment id -> its point classes
        self.equipment: list[str] = []
        self.points: list[str] = []
        self.spaces: list[str] = []

    def build(self, shape: TwinShape, relationships: int) -> None:
        sites = [self._site(i) for i in range(shape.sites)]
        buildings = [self._building(i, sites[i % len(sites)]) for i in range(shape.buildings)]
        floors = [self._floor(i, buildings, shape.floors) for i in range(shape.floors)]
        for i in range(shape.spaces):
            self._space(i, floors[i % len(floors)])
        for i in range(shape.equipment):
            self._equipment(i)
        for i in range(shape.points):
            self._point(i)
        self._cross_links(relationships - len(self.graph.relationships))

    # --- the spatial tree -------------------------------------------------------------------

    def _site(self, i: int) -> str:
        twin_id = f"site-{i + 1}"
        self._node(
            twin_id,
            "Site",
            f"Campus {i + 1}",
            {
                "uri": f"urn:bench:{twin_id}",
                "timezone": "Europe/Berlin",
                "area_m2": round(self.rng.uniform(20_000, 400_000), 1),
            },
        )
        return twin_id

    def _building(self, i: int, site: str) -> str:
        twin_id = f"{site}.bldg-{i + 1}"
        self._node(
            twin_id,
            "Building",
            f"Building {i + 1}",
            {
                "uri": f"urn:bench:{twin_id}",
                "brick_class": "Building",
                "ifc_guid": self._ifc_guid(),
                "year_built": self.rng.randint(1960, 2024),
                "gross_floor_area_m2": round(self.rng.uniform(1_000, 60_000), 1),
            },
        )
        self._rel(site, "CONTAINS", twin_id)
        self.spaces_of[twin_id] = []
        self.equipment_of[twin_id] = []
        return twin_id

    def _floor(self, i: int, buildings: list[str], floors: int) -> str:
        per_building = max(1, floors // len(buildings))
        building = buildings[min(i // per_building, len(buildings) - 1)]
        level = i % per_building if i < per_building * len(buildings) else i
        twin_id = f"{building}.l{level}"
        self._node(
            twin_id,
            "Floor",
            f"Level {level}",
            {
                "uri": f"urn:bench:{twin_id}",
                "brick_class": "Floor",
                "ifc_guid": self._ifc_guid(),
                "level": level,
                "elevation_m": round(level * 3.6, 2),
            },
        )
        self._rel(building, "CONTAINS", twin_id)
        self.building_of[twin_id] = building
        return twin_id

    def _space(self, i: int, floor: str) -> None:
        twin_id = f"{floor}.r{i + 1}"
        self._node(
            twin_id,
            "Space",
            f"Room {i + 1}",
            {
                "uri": f"urn:bench:{twin_id}",
                "brick_class": self.rng.choice(_SPACE_CLASSES),
                "ifc_guid": self._ifc_guid(),
                "area_m2": round(self.rng.uniform(4, 400), 1),
                "occupancy_max": self.rng.randint(0, 60),
            },
        )
        self._rel(floor, "CONTAINS", twin_id)
        self.spaces.append(twin_id)
        self.spaces_of[self.building_of[floor]].append(twin_id)
        self.building_of[twin_id] = self.building_of[floor]

    def _equipment(self, i: int) -> None:
        space = self.rng.choice(self.spaces)
        building = self.building_of[space]
        brick_class, prefix, point_classes = _EQUIPMENT[i % len(_EQUIPMENT)]
        twin_id = f"{building}.{prefix.lower()}-{i + 1}"
        self._node(
            twin_id,
            "Equipment",
            f"{prefix}-{i + 1}",
            {
                "uri": f"urn:bench:{twin_id}",
                "brick_class": brick_class,
                "manufacturer": self.rng.choice(_MANUFACTURERS),
                "model": f"M{self.rng.randint(100, 999)}",
                "serial_number": f"SN{self.rng.getrandbits(40):010x}",
                "install_year": self.rng.randint(1990, 2024),
                "rated_power_kw": round(self.rng.uniform(0.1, 500), 2),
            },
        )
        self._rel(twin_id, "LOCATED_IN", space)
        self.equipment.append(twin_id)
        self.equipment_of[building].append(twin_id)
        self.building_of[twin_id] = building
        self.space_of[twin_id] = space
        self.point_classes[twin_id] = point_classes

    def _point(self, i: int) -> None:
        equipment = self.rng.choice(self.equipment)
        point_class = self.rng.choice(self.point_classes[equipment])
        unit = next((u for suffix, u in _UNITS.items() if point_class.endswith(suffix)), "none")
        twin_id = f"{equipment}.pt-{i + 1}"
        low = round(self.rng.uniform(-20, 10), 1)
        self._node(
            twin_id,
            "Point",
            f"{equipment.rsplit('.', 1)[-1].upper()} {point_class.replace('_', ' ')}",
            {
                "uri": f"urn:bench:{twin_id}",
                "brick_class": point_class,
                "unit": unit,
                "min_value": low,
                "max_value": round(low + self.rng.uniform(10, 100), 1),
                "writable": point_class.endswith("Command"),
                "tags": ["point", point_class.rsplit("_", 1)[-1].lower()],
                "timeseries_id": f"ts-{self.rng.getrandbits(48):012x}",
            },
        )
        self._rel(equipment, "HAS_POINT", twin_id)
        self.points.append(twin_id)
        self.building_of[twin_id] = self.building_of[equipment]
        self.space_of[twin_id] = self.space_of[equipment]

    # --- cross links ------------------------------------------------------------------------

    def _cross_links(self, count: int) -> None:
        """`count` more distinct relationships: SERVES, FEEDS and points LOCATED_IN spaces."""
        attempts = 0
        limit = 50 * count + 1_000
        added = 0
        while added < count:
            attempts += 1
            if attempts > limit:
                raise ValueError(
                    f"could not place {count} cross links between {len(self.graph)} nodes: "
                    "ask for fewer relationships or more nodes"
                )
            kind = self.rng.random()
            if kind < 0.4:
                start = self.rng.choice(self.equipment)
                end = self._nearby(start, self.spaces_of, self.spaces)
                rel_type, props = "SERVES", {}
            elif kind < 0.7:
                start = self.rng.choice(self.equipment)
                end = self._nearby(start, self.equipment_of, self.equipment)
                if end == start:
                    continue
                props = {"medium": self.rng.choice(_MEDIA)}
                rel_type = "FEEDS"
            else:
                start = self.rng.choice(self.points)
                near = self.rng.random() < 0.5
                end = self.space_of[start] if near else self._nearby(start, self.spaces_of, [])
                rel_type, props = "LOCATED_IN", {}
            if (start, rel_type, end) in self.graph.relationships:
                continue
            self._rel(start, rel_type, end, props)
            added += 1

    def _nearby(self, twin_id: str, by_building: dict[str, list[str]], anywhere: list[str]) -> str:
        """Usually something in the same building, sometimes anywhere in the portfolio."""
        local = by_building[self.building_of[twin_id]]
        if local and (not anywhere or self.rng.random() < 0.9):
            return self.rng.choice(local)
        return self.rng.choice(anywhere or local)

    # --- helpers ----------------------------------------------------------------------------

    def _node(self, twin_id: str, kind: str, name: str, properties: Properties) -> None:
        self.graph.add_node(TwinNode(twin_id, kind, name, properties))

    def _rel(
        self, start: str, rel_type: str, end: str, properties: Properties | None = None
    ) -> None:
        self.graph.add_relationship(TwinRelationship(start, rel_type, end, properties or {}))

    def _ifc_guid(self) -> str:
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$"
        return "".join(self.rng.choice(alphabet) for _ in range(22))
