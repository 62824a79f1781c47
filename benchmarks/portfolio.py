"""A generated portfolio for the scale benchmark: a portfolio `CONTAINS` sites `CONTAINS`
buildings, each building the API benchmark's generated one (`benchmarks/api_building.py`) with
its HVAC systems and the air that flows between its equipment.

One source (one import) per building, plus one for the portfolio and its sites, as a user
importing a file per building would have it. Per building, beside the API benchmark's tree:
- per floor an HVAC `System` (the building `HAS_PART` it) and its air-handling unit (an
  `Equipment` the system `HAS_PART`, located nowhere in the spatial tree, so the building query
  answers the same tree as on the API benchmark's building), which `FEEDS` every VAV and fan
  coil of the floor; each of those is `MEMBER_OF` the floor's system and `FEEDS` its space;
- one electrical `System` the building `HAS_PART`, which every meter is `MEMBER_OF`.

Building `b` (1-based) is `site-<s>.bldg-<b>` on site `s = (b - 1) // buildings_per_site + 1`,
generated with seed `seed + b - 1`: building 1 is the API benchmark's building (same ids, same
properties), whatever the portfolio's size. The same arguments always give the same graphs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from benchmarks.api_building import BuildingShape, GeneratedBuilding, generate_building
from graphtwin.model import SourceInfo, TwinGraph, TwinNode, TwinRelationship

PORTFOLIO_ID = "portfolio"
PORTFOLIO_SOURCE = "bench-scale-portfolio"
DEFAULT_BUILDING = BuildingShape(points_per_equipment=24)
"""The API benchmark's tree (10 floors x 25 spaces x 4 equipment) with 24 points per equipment:
40 of them make the issue's million nodes (40 buildings of 10,000 points would be 450,000)."""
_FED = ("vav", "fcu")
"""Equipment the floor's air-handling unit feeds (name prefixes of api_building's equipment)."""


@dataclass(frozen=True, slots=True)
class PortfolioShape:
    buildings: int = 40
    buildings_per_site: int = 5
    building: BuildingShape = field(default_factory=lambda: DEFAULT_BUILDING)

    @property
    def sites(self) -> int:
        return -(-self.buildings // self.buildings_per_site)

    @property
    def nodes_per_building(self) -> int:
        """The building's tree (its site left out) plus 2 per floor (system, AHU) + 1."""
        return self.building.nodes - 1 + 2 * self.building.floors + 1

    @property
    def nodes(self) -> int:
        return 1 + self.sites + self.buildings * self.nodes_per_building

    @property
    def relationships_per_building(self) -> int:
        b = self.building
        fed = b.spaces * sum(1 for e in range(b.equipment_per_space) if e % 4 < len(_FED))
        meters = b.spaces * sum(1 for e in range(b.equipment_per_space) if e % 4 == 3)
        tree = b.nodes - 1  # one parent each: CONTAINS, LOCATED_IN or HAS_POINT
        systems = 2 * b.floors + 1  # building HAS_PART system, system HAS_PART AHU
        return tree + systems + 3 * fed + meters  # FEEDS in, MEMBER_OF, FEEDS its space

    @property
    def relationships(self) -> int:
        return self.sites + self.buildings * self.relationships_per_building

    def counts(self) -> dict[str, int]:
        return {
            "buildings": self.buildings,
            "sites": self.sites,
            "points": self.buildings * self.building.points,
            "nodes": self.nodes,
            "relationships": self.relationships,
        }


def site_id(site: int) -> str:
    return f"site-{site}"


def building_id(shape: PortfolioShape, number: int) -> str:
    return f"{site_id((number - 1) // shape.buildings_per_site + 1)}.bldg-{number}"


def portfolio_graph(shape: PortfolioShape) -> TwinGraph:
    """The portfolio and its sites (the buildings' graphs attach to the sites)."""
    digest = hashlib.sha256(f"{shape}".encode()).hexdigest()
    graph = TwinGraph(SourceInfo(PORTFOLIO_SOURCE, "bench", "scale-portfolio.twin", digest))
    graph.add_node(TwinNode(PORTFOLIO_ID, "Site", "Portfolio", {"uri": "urn:bench:portfolio"}))
    for s in range(1, shape.sites + 1):
        properties = {"uri": f"urn:bench:{site_id(s)}", "timezone": "Europe/Berlin"}
        graph.add_node(TwinNode(site_id(s), "Site", f"Campus {s}", properties))
        graph.add_relationship(TwinRelationship(PORTFOLIO_ID, "CONTAINS", site_id(s)))
    return graph


def portfolio_buildings(shape: PortfolioShape, *, seed: int = 42) -> Iterator[GeneratedBuilding]:
    """The buildings, one at a time (a million nodes need not be in memory at once)."""
    for number in range(1, shape.buildings + 1):
        yield portfolio_building(shape, number, seed=seed)


def portfolio_building(shape: PortfolioShape, number: int, *, seed: int = 42) -> GeneratedBuilding:
    """Building `number` (1-based) with its systems, as its own source."""
    building = building_id(shape, number)
    generated = generate_building(
        shape.building,
        seed=seed + number - 1,
        site_id=building.split(".", 1)[0],
        building_id=building,
        source_id=f"bench-scale-{building}",
        with_site=False,
    )
    _add_systems(generated.graph, building, shape.building.floors, generated.equipment_ids)
    return generated


def _add_systems(graph: TwinGraph, building: str, floors: int, equipment: list[str]) -> None:
    def node(twin_id: str, kind: str, name: str, brick_class: str) -> None:
        properties = {"uri": f"urn:bench:{twin_id}", "brick_class": brick_class}
        graph.add_node(TwinNode(twin_id, kind, name, properties))

    def rel(start: str, rel_type: str, end: str) -> None:
        graph.add_relationship(TwinRelationship(start, rel_type, end))

    for f in range(floors):
        floor = f"{building}.l{f:02d}"
        system, ahu = f"{floor}.hvac", f"{floor}.ahu"
        node(system, "System", f"HVAC L{f:02d}", "HVAC_System")
        node(ahu, "Equipment", f"AHU-L{f:02d}", "Air_Handling_Unit")
        rel(building, "HAS_PART", system)
        rel(system, "HAS_PART", ahu)
    electrical = f"{building}.electrical"
    node(electrical, "System", "Electrical", "Electrical_System")
    rel(building, "HAS_PART", electrical)
    for item in equipment:
        space, name = item.rsplit(".", 1)
        floor = space.rsplit(".", 1)[0]
        prefix = name.split("-", 1)[0]
        if prefix in _FED:
            rel(f"{floor}.ahu", "FEEDS", item)
            rel(item, "MEMBER_OF", f"{floor}.hvac")
            rel(item, "FEEDS", space)
        elif prefix == "em":
            rel(item, "MEMBER_OF", electrical)
