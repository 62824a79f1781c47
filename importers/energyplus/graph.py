"""A plan and its observed points -> the `TwinGraph` the store loads.

Every node keeps its EnergyPlus object type and name (`eplus_type`, `eplus_name`); derived nodes
say what they derive from (`derived:Storey`). Each point is a `Point` node that its parent
HAS_POINT, with the Brick class, the twin's unit and the EnergyPlus variable (or meter), key and
transform the virtual building serves it by.
"""

from __future__ import annotations

from collections import Counter

from graphtwin.model import PropertyValue, SourceInfo, TwinGraph, TwinNode, TwinRelationship
from importers.energyplus.mapping import PointRule
from importers.energyplus.observed import ObservedPoint
from importers.energyplus.plan import Plan


def to_graph(
    plan: Plan, points: list[tuple[ObservedPoint, PointRule]], source: SourceInfo
) -> TwinGraph:
    """The twin graph of `plan` and its points, asserted by `source`."""
    graph = TwinGraph(source)
    location = plan.model.location
    for node in plan.nodes.values():
        graph.add_node(
            TwinNode(node.twin_id, node.kind, node.name, dict(node.properties), location)
        )
    for point, rule in points:
        props: dict[str, PropertyValue] = {
            "eplus_type": "Output:Meter" if point.meter else "Output:Variable",
            "eplus_name": point.variable,
            "brick_class": point.brick_class,
            "eplus_variable": point.variable,
            "eplus_key": point.key,
            "eplus_meter": point.meter,
            "eplus_transform": point.transform,
            "eplus_unit": point.unit,
        }
        if rule.twin_unit:
            props["unit"] = rule.twin_unit
        graph.add_node(TwinNode(point.twin_id, "Point", point.name, props, location))
        graph.add_relationship(
            TwinRelationship(point.parent, "HAS_POINT", point.twin_id, {}, location)
        )
    for start, rel_type, end in plan.links:
        graph.add_relationship(TwinRelationship(start, rel_type, end, {}, location))
    return graph


def counts(plan: Plan, points: list[tuple[ObservedPoint, PointRule]]) -> dict[str, int]:
    """Nodes per role, and points, for the import report."""
    found = Counter(node.role for node in plan.nodes.values())
    found["point"] = len(points)
    return dict(sorted(found.items()))
