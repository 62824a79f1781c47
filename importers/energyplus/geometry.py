"""Zone floor areas, volumes and floor heights from the model's surfaces, as EnergyPlus works
them out.

EnergyPlus's rules, reproduced here (and checked against its own `Zone Information` listing for
all 32 bundled models by the integration test):

- a surface whose outside boundary condition is `Zone` also exists, mirrored, in the other zone
  (a ceiling of the zone below is the floor of the plenum above);
- with `GlobalGeometryRules` coordinates `Relative`, vertices are offset by the zone origin (the
  zone's rotation turns x and y only, so areas, volumes and heights do not need it);
- floor area: the zone's `floor_area` when given, else the summed area of its floor surfaces;
- volume: the zone's `volume` when given, else floor area times `ceiling_height` when that is
  given, else the volume the zone's surfaces enclose (divergence theorem);
- the floor height of a zone is the lowest vertex of its floor surfaces (of any surface when it
  has no floor).

>>> round(polygon_area(np.array([[0, 0, 0], [2, 0, 0], [2, 3, 0], [0, 3, 0]])), 6)
6.0
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from importers.energyplus.objects import EpModel, EpObject

Points = npt.NDArray[np.float64]

# Detailed surface objects -> the surface type they imply (BuildingSurface:Detailed says its own).
SURFACE_TYPES = {
    "BUILDINGSURFACE:DETAILED": None,
    "FLOOR:DETAILED": "Floor",
    "WALL:DETAILED": "Wall",
    "ROOFCEILING:DETAILED": "Ceiling",
}
MIRRORED = {"WALL": "Wall", "FLOOR": "Ceiling", "CEILING": "Floor", "ROOF": "Floor"}


@dataclass(frozen=True, slots=True)
class Surface:
    zone: str
    """Upper-case zone name."""
    space: str | None
    surface_type: str
    """Floor, Wall, Ceiling or Roof."""
    vertices: Points


@dataclass(frozen=True, slots=True)
class ZoneGeometry:
    floor_area_m2: float | None
    volume_m3: float | None
    floor_z_m: float


def polygon_area(vertices: Points) -> float:
    """Area of a planar polygon in 3D (Newell's method)."""
    return float(np.linalg.norm(_area_vector(vertices)))


def surfaces(model: EpModel) -> list[Surface]:
    """Every detailed surface of the model in world z, with the mirrored interzone surfaces
    EnergyPlus adds."""
    relative = _relative_coordinates(model)
    found: list[Surface] = []
    for eplus_type, implied in SURFACE_TYPES.items():
        for obj in model.objects(eplus_type):
            zone = model.get("Zone", obj.text("zone_name"))
            vertices = _vertices(obj)
            if zone is None or len(vertices) < 3:
                continue
            if relative:
                vertices = vertices + _origin(zone)
            surface_type = (implied or obj.text("surface_type") or "Wall").upper()
            space = obj.text("space_name")
            found.append(
                Surface(zone.name.upper(), space and space.upper(), surface_type, vertices)
            )
            other = model.get("Zone", obj.text("outside_boundary_condition_object"))
            if (obj.text("outside_boundary_condition") or "").upper() == "ZONE" and other:
                mirrored = MIRRORED.get(surface_type, "Wall").upper()
                found.append(Surface(other.name.upper(), None, mirrored, vertices[::-1]))
    return found


def zone_geometry(model: EpModel, zone: EpObject, own: list[Surface]) -> ZoneGeometry:
    """Floor area, volume and floor height of `zone` from its surfaces `own`."""
    floors = [s for s in own if s.surface_type == "FLOOR"]
    computed_area = sum(polygon_area(s.vertices) for s in floors)
    given_area = _positive(zone.number("floor_area"))
    area = given_area if given_area is not None else (computed_area if floors else None)
    volume = _positive(zone.number("volume"))
    height = _positive(zone.number("ceiling_height"))
    if volume is None and height is not None and area is not None:
        volume = area * height
    elif volume is None and own:
        enclosed = abs(sum(_divergence_term(s.vertices) for s in own))
        volume = enclosed if enclosed > 0 else None
    lowest = [float(s.vertices[:, 2].min()) for s in (floors or own)]
    floor_z = min(lowest) if lowest else (zone.number("z_origin") or 0.0)
    return ZoneGeometry(area, volume, floor_z)


def surfaces_by_zone(model: EpModel) -> dict[str, list[Surface]]:
    by_zone: dict[str, list[Surface]] = defaultdict(list)
    for surface in surfaces(model):
        by_zone[surface.zone].append(surface)
    return by_zone


def space_floor_areas(all_surfaces: list[Surface]) -> dict[str, float]:
    """Upper-case space name -> the area of the floor surfaces that name it."""
    areas: dict[str, float] = defaultdict(float)
    for s in all_surfaces:
        if s.space and s.surface_type == "FLOOR":
            areas[s.space] += polygon_area(s.vertices)
    return dict(areas)


def _area_vector(vertices: Points) -> Points:
    following = np.roll(vertices, -1, axis=0)
    return np.cross(vertices, following).sum(axis=0) / 2.0


def _divergence_term(vertices: Points) -> float:
    """A polygon's share of the enclosed volume: centroid . area vector / 3."""
    return float(np.dot(vertices.mean(axis=0), _area_vector(vertices)) / 3.0)


def _vertices(obj: EpObject) -> Points:
    rows = [
        [v.get("vertex_x_coordinate"), v.get("vertex_y_coordinate"), v.get("vertex_z_coordinate")]
        for v in obj.items("vertices")
    ]
    rows = [r for r in rows if all(isinstance(c, int | float) for c in r)]
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def _origin(zone: EpObject) -> Points:
    return np.array(
        [
            zone.number("x_origin") or 0.0,
            zone.number("y_origin") or 0.0,
            zone.number("z_origin") or 0.0,
        ]
    )


def _relative_coordinates(model: EpModel) -> bool:
    rules = model.objects("GlobalGeometryRules")
    system = (rules[0].text("coordinate_system") if rules else None) or "Relative"
    return system.upper() == "RELATIVE"


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None
