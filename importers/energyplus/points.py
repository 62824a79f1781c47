"""The observed points of a model: what a building management system would show.

The rules are data (`points:` in the mapping): per role, which output variable or meter, keyed
by what, with which Brick class and unit, and for which parents (`when`/`unless` flags). The
importer makes a Point node of each; `graphtwin virtual-building` requests the same variables
from a running EnergyPlus and serves them under the same twin ids.

>>> epjson = convert_to_epjson(Path("office.idf"))  # doctest: +SKIP
>>> points = observed_points(epjson, prefix="eplus:office")  # doctest: +SKIP
>>> points[0].variable  # doctest: +SKIP
'Electricity:Facility'
"""

from __future__ import annotations

from typing import Any

from importers.energyplus.extract import build_plan
from importers.energyplus.ids import point_id
from importers.energyplus.mapping import PointRule, energyplus_mapping
from importers.energyplus.objects import EpModel
from importers.energyplus.observed import ObservedPoint
from importers.energyplus.plan import Plan, PlanNode


def observed_points(epjson: dict[str, Any], *, prefix: str) -> list[ObservedPoint]:
    """The observed points of the model `epjson` (as `runtime.convert_to_epjson` returns it),
    with twin ids under `prefix` (`ids.model_prefix(path)`)."""
    plan = build_plan(EpModel(epjson, file=prefix), energyplus_mapping(), prefix=prefix)
    return [point for point, _ in points_of(plan)]


def points_of(plan: Plan) -> list[tuple[ObservedPoint, PointRule]]:
    """The points of every node in the plan, in node order, with the rule that made each."""
    found: list[tuple[ObservedPoint, PointRule]] = []
    for node in plan.nodes.values():
        for rule in plan.mapping.points.get(node.role, ()):
            point = _point(node, rule)
            if point is not None:
                found.append((point, rule))
    return found


def _point(node: PlanNode, rule: PointRule) -> ObservedPoint | None:
    if not rule.when <= node.flags or rule.unless & node.flags:
        return None
    if rule.meter:
        key = ""
    elif rule.key == "name":
        key = node.eplus_name
    elif rule.key in node.keys:
        key = node.keys[rule.key]
    elif rule.key.endswith("_node"):
        return None  # the parent has no such node (an AHU without a supply outlet)
    else:
        key = rule.key
    return ObservedPoint(
        twin_id=point_id(node.twin_id, rule.kind),
        name=f"{node.name} {rule.label}",
        parent=node.twin_id,
        brick_class=rule.brick_class,
        unit=rule.unit,
        variable=rule.variable,
        key=key,
        meter=rule.meter,
        transform="on_off" if rule.transform == "on_off" else "none",
    )
