"""What the extractors build from one model before it becomes a twin graph: nodes, links, facts.

The plan is pure data about the model, shared by the importer (which turns it into a
`TwinGraph`) and by `observed_points` (which the virtual building calls without importing): a
node's role, flags (`plenum`, `thermostat`, `vav`, `heating`, ...) and keys (an AHU's supply
outlet node, a terminal's outlet node) are what the point rules of the mapping read.

Each EnergyPlus object becomes at most one node (`node_of` finds it again when a coil is met
first on an air loop and later on a plant loop's demand side). Two objects whose ids would
coincide (a fan and a coil both called `Unit 1` are fine: their id kinds differ; a
`FluidCooler:TwoSpeed` and a `CoolingTower:SingleSpeed` of the same name are not) get distinct
ids, and a warning says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from graphtwin.model import PropertyValue
from importers.energyplus.ids import object_id
from importers.energyplus.mapping import EnergyPlusMapping
from importers.energyplus.objects import EpModel, EpObject


@dataclass(slots=True)
class PlanNode:
    twin_id: str
    kind: str
    name: str
    role: str
    eplus_type: str
    eplus_name: str
    properties: dict[str, PropertyValue] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    keys: dict[str, str] = field(default_factory=dict)
    """Point keys by what they are (`supply_outlet_node`, `outlet_node`)."""


@dataclass(slots=True)
class Plan:
    model: EpModel
    mapping: EnergyPlusMapping
    prefix: str
    nodes: dict[str, PlanNode] = field(default_factory=dict)
    links: dict[tuple[str, str, str], None] = field(default_factory=dict)
    """Relationships (start, type, end) in the order they were found."""
    warnings: list[str] = field(default_factory=list)
    unknown: dict[str, list[str]] = field(default_factory=dict)
    """Object type -> names of objects the mapping does not know (imported as Equipment)."""
    left_out: Counter[str] = field(default_factory=Counter)
    """Plumbing met on branches (pipes, ducts) and deliberately not imported, by type."""
    building_id: str = ""
    _by_object: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(
        self,
        role: str,
        obj: EpObject | None,
        *,
        name: str | None = None,
        eplus_type: str | None = None,
        brick_class: str | None = None,
        properties: dict[str, PropertyValue | None] | None = None,
        flags: set[str] | frozenset[str] = frozenset(),
        keys: dict[str, str] | None = None,
        register: bool = True,
    ) -> PlanNode:
        """A node for `obj` (or for something derived, when `obj` is None) in `role`. `name`
        defaults to the object's name and is what the twin id is made of."""
        eplus_name = obj.name if obj else (name or "")
        node_name = name or eplus_name
        twin_id = self._free_id(role, node_name, obj)
        spec = self.mapping.roles[role]
        props: dict[str, PropertyValue] = {
            "eplus_type": eplus_type or (obj.type if obj else ""),
            "eplus_name": eplus_name,
        }
        chosen_brick = brick_class or spec.brick_class
        if chosen_brick:
            props["brick_class"] = chosen_brick
        props.update({k: v for k, v in (properties or {}).items() if v is not None})
        node = PlanNode(
            twin_id=twin_id,
            kind=spec.kind,
            name=node_name,
            role=role,
            eplus_type=str(props["eplus_type"]),
            eplus_name=eplus_name,
            properties=props,
            flags=set(flags),
            keys=dict(keys or {}),
        )
        self.nodes[twin_id] = node
        if obj is not None and register:
            self._by_object[_object_key(obj)] = twin_id
        return node

    def node_of(self, obj: EpObject) -> PlanNode | None:
        """The node already made for `obj`, if any."""
        twin_id = self._by_object.get(_object_key(obj))
        return self.nodes[twin_id] if twin_id else None

    def link(self, start: str, rel_type: str, end: str) -> None:
        if start != end:
            self.links[(start, rel_type, end)] = None

    def unknown_object(self, obj: EpObject) -> None:
        names = self.unknown.setdefault(obj.type, [])
        if obj.name not in names:
            names.append(obj.name)

    def _free_id(self, role: str, name: str, obj: EpObject | None) -> str:
        twin_id = object_id(self.prefix, role, name)
        if twin_id not in self.nodes:
            return twin_id
        taken_by = self.nodes[twin_id]
        candidate, n = twin_id, 1
        while candidate in self.nodes:
            suffix = obj.type if obj and n == 1 else f"{obj.type if obj else role} {n}"
            candidate = object_id(self.prefix, role, f"{name} {suffix}")
            n += 1
        what = obj.describe() if obj else name
        self.warnings.append(
            f"{what} would have the twin id {twin_id} of {taken_by.eplus_type} "
            f"'{taken_by.eplus_name}'; it is imported as {candidate}"
        )
        return candidate


def _object_key(obj: EpObject) -> tuple[str, str]:
    return (obj.type.upper(), obj.name.upper())
