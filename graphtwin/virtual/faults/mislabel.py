"""Mislabels: the twin's label of a point is wrong while the building is right.

Nothing changes in the run or in what is served; instead the imported twin graph is changed
before it is loaded, so the twin believes something false about the point: its Brick class
(a zone temperature sensor called a supply air temperature sensor) or the entity it hangs on
(`HAS_POINT` from the wrong zone). Detecting that is semantic drift's job; the labels file says
what the truth is.

>>> wrong = apply_mislabels(graph, plan)  # doctest: +SKIP
>>> wrong.nodes["eplus:office/zone/Core_mid/air-temperature"].properties["brick_class"]
'Supply_Air_Temperature_Sensor'  # doctest: +SKIP
"""

from __future__ import annotations

import copy

from graphtwin.model import TwinGraph, TwinRelationship
from graphtwin.virtual.faults.errors import FaultsFileError
from graphtwin.virtual.faults.plan import FaultPlan

HAS_POINT = "HAS_POINT"


def apply_mislabels(graph: TwinGraph, plan: FaultPlan) -> TwinGraph:
    """A copy of `graph` with every mislabel of `plan` applied (the input is left alone): the
    point's `brick_class` replaced, or its `HAS_POINT` moved from its true parent to the wrong
    one. A point or parent missing from the graph is a FaultsFileError naming the entry."""
    wrong = TwinGraph(graph.source)
    wrong.warnings = list(graph.warnings)
    wrong.annotations = dict(graph.annotations)
    nodes = {twin_id: copy.deepcopy(node) for twin_id, node in graph.nodes.items()}
    relationships = dict(graph.relationships)
    for fault in plan.faults:
        for mislabel in fault.mislabels:
            node = nodes.get(mislabel.point)
            missing = [
                twin_id
                for twin_id in (mislabel.point, mislabel.parent)
                if twin_id is not None and twin_id not in nodes
            ]
            if node is None or missing:
                raise FaultsFileError(
                    f"{missing[0]} is not in the twin graph {graph.source.file_name}",
                    location=fault.location,
                    entity=f"fault {fault.id}",
                )
            if mislabel.brick_class is not None:
                node.properties["brick_class"] = mislabel.brick_class
            if mislabel.parent is not None:
                true_key = (mislabel.true_parent, HAS_POINT, mislabel.point)
                true_rel = relationships.pop(true_key, None)
                moved = TwinRelationship(
                    mislabel.parent,
                    HAS_POINT,
                    mislabel.point,
                    dict(true_rel.properties) if true_rel else {},
                    true_rel.location if true_rel else None,
                )
                relationships[moved.key] = moved
    for node in nodes.values():
        wrong.add_node(node)
    for rel in relationships.values():
        wrong.add_relationship(rel)
    return wrong
