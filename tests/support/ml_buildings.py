"""Small synthetic buildings for the ML tests: an AHU feeding VAVs, each VAV with three points
named the way BMS exports name them, located in rooms on floors. Written as twin files, so the
tests go through the same importer as users' files."""

from __future__ import annotations

from pathlib import Path

import yaml

POINTS = (
    ("ZN-T", "Zone_Air_Temperature_Sensor", "DEG_C"),
    ("SA-FLOW", "Supply_Air_Flow_Sensor", "L-PER-SEC"),
    ("DMPR-POS", "Damper_Position_Command", "PERCENT"),
    ("ZN-T-SP", "Zone_Air_Temperature_Setpoint", "DEG_C"),
)


def building_file(tmp_path: Path, name: str, vavs: int, floors: int = 2) -> Path:
    nodes: list[dict] = [
        {
            "id": f"{name}",
            "kind": "Building",
            "name": name.title(),
            "links": {"CONTAINS": [f"{name}.f{f}" for f in range(floors)]},
        },
        {
            "id": f"{name}.ahu",
            "kind": "Equipment",
            "name": f"{name} AHU-1",
            "brick_class": "Air_Handling_Unit",
            "links": {
                "FEEDS": [f"{name}.vav{i}" for i in range(vavs)],
                "HAS_POINT": [f"{name}.ahu.sat"],
                "LOCATED_IN": [f"{name}.f0"],
            },
        },
        {
            "id": f"{name}.ahu.sat",
            "kind": "Point",
            "name": f"{name} AHU-1 SAT",
            "brick_class": "Supply_Air_Temperature_Sensor",
            "properties": {"unit": "DEG_C"},
        },
    ]
    for f in range(floors):
        rooms = [f"{name}.r{i}" for i in range(vavs) if i % floors == f]
        nodes.append(
            {
                "id": f"{name}.f{f}",
                "kind": "Floor",
                "name": f"Floor {f}",
                "links": {"CONTAINS": rooms},
            }
        )
    for i in range(vavs):
        room = f"{100 * (i % floors + 1) + i}"
        vav = f"{name}.vav{i}"
        nodes.append(
            {"id": f"{name}.r{i}", "kind": "Space", "name": f"Room {room}", "brick_class": "Room"}
        )
        nodes.append(
            {
                "id": vav,
                "kind": "Equipment",
                "name": f"VAV-{room}",
                "brick_class": "Variable_Air_Volume_Box",
                "links": {
                    "HAS_POINT": [f"{vav}.p{j}" for j in range(len(POINTS))],
                    "LOCATED_IN": [f"{name}.r{i}"],
                },
            }
        )
        for j, (suffix, cls, unit) in enumerate(POINTS):
            nodes.append(
                {
                    "id": f"{vav}.p{j}",
                    "kind": "Point",
                    "name": f"VAV-{room} {suffix}",
                    "brick_class": cls,
                    "properties": {"unit": unit},
                }
            )
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"graphtwin": 1, "source": name, "nodes": nodes}))
    return path
