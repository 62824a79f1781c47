"""One generated building for the API benchmark: a full tree down to points with live values.

Site `CONTAINS` Building `CONTAINS` floors `CONTAINS` spaces; equipment `LOCATED_IN` a space
`HAS_POINT` its points. Every level has a fixed fan-out, so the counts are exact and known in
advance (10 floors x 25 spaces x 4 equipment x 10 points = 10,000 points by default). Nodes carry
the properties real ones do (uri, classes, ratings, point metadata), since the API reads whole
nodes and their size is part of its cost. The same arguments always give the same graph.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graphtwin.model import Properties, SourceInfo, TwinGraph, TwinNode, TwinRelationship

SOURCE_ID = "bench-api-building"
SITE_ID = "site-1"
BUILDING_ID = "site-1.bldg-1"

_SPACE_CLASSES = ("Office", "Conference_Room", "Corridor", "Restroom", "Storage", "Mechanical_Room")
_EQUIPMENT = (  # (brick_class, name prefix, point classes)
    ("VAV", "VAV", ("Zone_Air_Temperature_Sensor", "Damper_Position_Command", "Airflow_Sensor")),
    ("Fan_Coil_Unit", "FCU", ("Supply_Air_Temperature_Sensor", "Fan_Speed_Command")),
    ("Lighting", "LT", ("Luminance_Sensor", "Lighting_Status", "Dimming_Command")),
    ("Electrical_Meter", "EM", ("Active_Power_Sensor", "Energy_Sensor")),
)
_UNITS = {
    "Temperature_Sensor": "degC",
    "Airflow_Sensor": "m3/h",
    "Luminance_Sensor": "lx",
    "Power_Sensor": "kW",
    "Energy_Sensor": "kWh",
    "Command": "percent",
    "Status": "none",
}
_QUALITIES = ("good", "good", "good", "good", "uncertain")
_HEALTH = ("ok",) * 18 + ("stale", "fault")


@dataclass(frozen=True, slots=True)
class BuildingShape:
    floors: int = 10
    spaces_per_floor: int = 25
    equipment_per_space: int = 4
    points_per_equipment: int = 10

    @property
    def spaces(self) -> int:
        return self.floors * self.spaces_per_floor

    @property
    def equipment(self) -> int:
        return self.spaces * self.equipment_per_space

    @property
    def points(self) -> int:
        return self.equipment * self.points_per_equipment

    @property
    def nodes(self) -> int:
        return 2 + self.floors + self.spaces + self.equipment + self.points

    def counts(self) -> dict[str, int]:
        return {
            "sites": 1,
            "buildings": 1,
            "floors": self.floors,
            "spaces": self.spaces,
            "equipment": self.equipment,
            "points": self.points,
            "nodes": self.nodes,
        }


@dataclass(slots=True)
class GeneratedBuilding:
    shape: BuildingShape
    graph: TwinGraph
    point_ids: list[str]
    equipment_ids: list[str]


def generate_building(
    shape: BuildingShape,
    *,
    seed: int = 42,
    site_id: str = SITE_ID,
    building_id: str = BUILDING_ID,
    source_id: str = SOURCE_ID,
    with_site: bool = True,
) -> GeneratedBuilding:
    """The building `building_id` on the site `site_id`, imported as `source_id`.

    Without `with_site` the graph holds the building's `CONTAINS` from the site but not the
    site itself: another source defines it (the scale benchmark's portfolio).
    Example: ``generate_building(BuildingShape(2, 5, 4, 10), building_id="site-1.bldg-2")``
    """
    which = "" if building_id == BUILDING_ID else f"/{building_id}"  # the default's as before
    digest = hashlib.sha256(f"{shape}/{seed}{which}".encode()).hexdigest()
    graph = TwinGraph(
        SourceInfo(
            source_id=source_id,
            format="bench",
            file_name=f"api-building-{shape.points}p-seed{seed}.twin",
            sha256=digest,
        )
    )
    rng = random.Random(seed)
    points: list[str] = []
    equipment: list[str] = []

    def node(twin_id: str, kind: str, name: str, properties: Properties) -> None:
        graph.add_node(TwinNode(twin_id, kind, name, {"uri": f"urn:bench:{twin_id}", **properties}))

    def rel(start: str, rel_type: str, end: str) -> None:
        graph.add_relationship(TwinRelationship(start, rel_type, end))

    if with_site:
        node(site_id, "Site", "Campus 1", {"timezone": "Europe/Berlin", "area_m2": 120_000.0})
    node(
        building_id,
        "Building",
        "Building " + building_id.rsplit("-", 1)[-1],
        {"brick_class": "Building", "year_built": 2004, "gross_floor_area_m2": 38_500.0},
    )
    rel(site_id, "CONTAINS", building_id)
    for f in range(shape.floors):
        floor = f"{building_id}.l{f:02d}"
        node(
            floor,
            "Floor",
            f"Level {f:02d}",
            {"brick_class": "Floor", "level": f, "elevation_m": round(f * 3.6, 2)},
        )
        rel(building_id, "CONTAINS", floor)
        for s in range(shape.spaces_per_floor):
            space = f"{floor}.r{s + 1:03d}"
            node(
                space,
                "Space",
                f"Room {f:02d}.{s + 1:03d}",
                {
                    "brick_class": rng.choice(_SPACE_CLASSES),
                    "area_m2": round(rng.uniform(4, 400), 1),
                    "occupancy_max": rng.randint(0, 60),
                },
            )
            rel(floor, "CONTAINS", space)
            for e in range(shape.equipment_per_space):
                brick_class, prefix, point_classes = _EQUIPMENT[e % len(_EQUIPMENT)]
                number = len(equipment) + 1
                item = f"{space}.{prefix.lower()}-{number}"
                node(
                    item,
                    "Equipment",
                    f"{prefix}-{number:04d}",
                    {
                        "brick_class": brick_class,
                        "manufacturer": rng.choice(("Belimo", "Siemens", "Trane", "Schneider")),
                        "model": f"M{rng.randint(100, 999)}",
                        "serial_number": f"SN{rng.getrandbits(40):010x}",
                        "rated_power_kw": round(rng.uniform(0.1, 50), 2),
                    },
                )
                rel(item, "LOCATED_IN", space)
                equipment.append(item)
                for p in range(shape.points_per_equipment):
                    point_class = point_classes[p % len(point_classes)]
                    unit = next((u for k, u in _UNITS.items() if point_class.endswith(k)), "none")
                    point = f"{item}.pt-{p + 1:02d}"
                    low = round(rng.uniform(-20, 10), 1)
                    node(
                        point,
                        "Point",
                        f"{prefix}-{number:04d} {point_class.replace('_', ' ')} {p + 1:02d}",
                        {
                            "brick_class": point_class,
                            "unit": unit,
                            "min_value": low,
                            "max_value": round(low + rng.uniform(10, 100), 1),
                            "writable": point_class.endswith("Command"),
                            "tags": ["point", point_class.rsplit("_", 1)[-1].lower()],
                            "timeseries_id": f"ts-{rng.getrandbits(48):012x}",
                        },
                    )
                    rel(item, "HAS_POINT", point)
                    points.append(point)
    assert len(graph.nodes) == shape.nodes - (not with_site) and len(points) == shape.points
    return GeneratedBuilding(shape, graph, points, equipment)


def point_value_rows(point_ids: list[str], *, seed: int = 42) -> list[dict[str, Any]]:
    """A current value for every point, with the API's contract: value, value_at (a datetime),
    value_quality, value_source and health."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    return [
        {
            "twin_id": twin_id,
            "value": round(rng.uniform(-10, 500), 3),
            "at": now - timedelta(seconds=rng.randint(0, 900)),
            "quality": rng.choice(_QUALITIES),
            "source": "bench:bacnet-gateway",
            "health": rng.choice(_HEALTH),
        }
        for twin_id in point_ids
    ]


def open_issue_rows(point_ids: list[str], count: int) -> list[dict[str, Any]]:
    """`count` open threshold issues, a minute apart, spread over the points, as
    `drift/issues_open` writes them."""
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    rows = []
    for n in range(count):
        point, at_ms = point_ids[(n * 7) % len(point_ids)], now_ms - n * 60_000
        rows.append({
            "issue_id": f"drift:threshold:{point}:{at_ms}", "twin_id": point, "type": "threshold",
            "severity": "critical" if n % 5 == 0 else "warning", "description": f"bench issue {n}",
            "at_ms": at_ms, "status": "open", "strategy": "alert", "rule": "bench", "value": 1.0,
            "evidence": "{}",
        })  # fmt: skip
    return rows
