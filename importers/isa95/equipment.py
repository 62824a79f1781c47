"""Equipment -> Site / Building / System / Zone / Equipment nodes in a CONTAINS hierarchy.

An equipment element is read wherever a message puts it (EquipmentInformation, SyncEquipment,
nested in another equipment, BatchML's EquipmentElement). Its kind comes from its level through
the mapping table; its twin_id is `isa95:<ID>` (ISA-95 equipment IDs such as `PLANT1.HVAC.AHU01`
are unique within an enterprise, and other sources can name the same id).

The hierarchy comes from nesting (V0400-V0600 nest Equipment, V0700 EquipmentChild). Where a
version names the parent instead, it is followed when this document defines it: the path of a
V0400 `Location` (or of a HierarchyScope that names the equipment itself), a HierarchyScope that
names another equipment, and BatchML's `EquipmentElementID` child references. A parent the
document does not define is kept as `isa95_parent_id`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphtwin.errors import SchemaViolationError
from graphtwin.model import Properties
from importers.isa95.builder import GraphBuilder
from importers.isa95.document import Element, local
from importers.isa95.levels import Level, Scope, level_value, read_scope, scope_properties
from importers.isa95.values import (
    PropertyConventions,
    description_property,
    leaf_fields,
    read_properties,
)

_READ_HERE = frozenset(
    {
        "ID",
        "Description",
        "EquipmentClassID",
        "EquipmentLevel",
        "EquipmentElementLevel",
        "EquipmentElementType",
        "EquipmentElementID",
    }
)


def equipment_twin_id(equipment_id: str) -> str:
    return f"isa95:{equipment_id}"


@dataclass(slots=True)
class _Equipment:
    element: Element
    isa95_id: str
    twin_id: str
    nested_parent: str | None
    parent_refs: list[str] = field(default_factory=list)
    """IDs a version names as this equipment's parent, nearest first."""
    self_aliases: list[str] = field(default_factory=list)
    """Other ids the document uses for this equipment (a V0400 Location's EquipmentID)."""
    child_refs: list[str] = field(default_factory=list)
    """IDs of children named by reference (BatchML EquipmentElementID)."""


@dataclass(slots=True)
class EquipmentIndex:
    """What the document defines, for the extractors that resolve references to equipment."""

    by_id: dict[str, str] = field(default_factory=dict)
    """ID (or alias) -> twin_id."""
    by_class: dict[str, list[str]] = field(default_factory=dict)
    """EquipmentClassID -> twin_ids of the equipment of that class."""


def extract_equipment(b: GraphBuilder) -> EquipmentIndex:
    names = b.mapping.names("equipment")
    found: list[_Equipment] = []
    index = EquipmentIndex()
    for element in b.doc.iter(names):
        if local(element) == "EquipmentElement" and _is_class(b, element):
            b.leave_out(element, "EquipmentElement (class)")
            continue
        found.append(_read(b, element, index))
    _hierarchy(b, found, index)
    return index


def _is_class(b: GraphBuilder, element: Element) -> bool:
    return (b.doc.text(element, "EquipmentElementType") or "").casefold() == "class"


def _read(b: GraphBuilder, element: Element, index: EquipmentIndex) -> _Equipment:
    doc, mapping = b.doc, b.mapping
    equipment_id = doc.text(element, "ID")
    if equipment_id is None:
        raise SchemaViolationError(
            f"{local(element)} without an ID", location=doc.where(element), entity=doc.path(element)
        )
    twin_id = equipment_twin_id(equipment_id)
    parent = element.getparent()
    record = _Equipment(element, equipment_id, twin_id, b.entities.get(parent))
    level = _own_level(b, element)
    props: Properties = {}
    for name in ("Location", "HierarchyScope"):
        scope_element = doc.child(element, name)
        scope = read_scope(doc, mapping, scope_element) if scope_element is not None else None
        if scope is None:
            continue
        placed = _place(record, scope, is_location=name == "Location")
        level = level or placed
        if scope.target.equipment_id not in (equipment_id, *record.self_aliases):
            props.update(scope_properties(scope))
        elif name == "Location" and scope.target.equipment_id != equipment_id:
            props["isa95_location_id"] = scope.target.equipment_id
    record.child_refs = doc.texts(element, "EquipmentElementID")  # BatchML
    kind = mapping.levels[level.value] if level else mapping.default_equipment_kind
    classes = doc.texts(element, "EquipmentClassID")
    conventions = PropertyConventions()
    props.update(_identity(level, classes))
    if kind == "Equipment":
        brick = mapping.brick_class(classes)
        if brick:
            props["brick_class"] = brick
    texts = doc.texts(element, "Description")
    props["description"] = description_property(texts)
    props.update(leaf_fields(doc, element, exclude=_READ_HERE))
    properties = doc.children(element, mapping.names("equipment_property"))
    props.update(read_properties(doc, b.values, properties, conventions=conventions))
    if conventions.tag:
        props["tag"] = conventions.tag
    b.consume(*properties)
    b.add_node(
        element,
        twin_id,
        kind,
        texts[0] if texts else equipment_id,
        props,
        isa95_type="Equipment",
        isa95_id=equipment_id,
    )
    for alias in (equipment_id, *record.self_aliases):
        index.by_id.setdefault(alias, twin_id)
    for class_id in classes:
        index.by_class.setdefault(class_id, []).append(twin_id)
    return record


def _own_level(b: GraphBuilder, element: Element) -> Level | None:
    for name in ("EquipmentLevel", "EquipmentElementLevel"):
        found = b.doc.child(element, name)
        if found is not None:
            level = level_value(b.doc, b.mapping, found)
            if level is not None:
                return level
    return None


def _place(record: _Equipment, scope: Scope, *, is_location: bool) -> Level | None:
    """A V0400 Location states the equipment's own place (its level, and its parent above it);
    a HierarchyScope does so only when it names the equipment itself. Returns the level."""
    target = scope.target
    if is_location or target.equipment_id == record.isa95_id:
        if target.equipment_id != record.isa95_id:
            record.self_aliases.append(target.equipment_id)
        if scope.parent is not None:
            record.parent_refs.append(scope.parent.equipment_id)
        return target.level
    record.parent_refs.append(target.equipment_id)  # the scope this equipment belongs to
    return None


def _identity(level: Level | None, classes: list[str]) -> Properties:
    props: Properties = {}
    if level is not None:
        props["isa95_level"] = level.value
        if level.other:
            props["isa95_level_other"] = level.other
    if classes:
        props["isa95_equipment_class"] = classes[0] if len(classes) == 1 else classes
    return props


def _hierarchy(b: GraphBuilder, found: list[_Equipment], index: EquipmentIndex) -> None:
    parents: dict[str, str] = {}
    for record in found:
        if record.nested_parent in b.graph.nodes:
            parents[record.twin_id] = record.nested_parent  # type: ignore[assignment]
            continue
        resolved = [index.by_id[r] for r in record.parent_refs if r in index.by_id]
        resolved = [r for r in resolved if r != record.twin_id]
        if resolved:
            parents[record.twin_id] = resolved[0]
        elif record.parent_refs:
            node = b.graph.nodes[record.twin_id]
            node.properties["isa95_parent_id"] = record.parent_refs[0]
    for record in found:
        for child_id in record.child_refs:
            child = index.by_id.get(child_id)
            if child is not None and child != record.twin_id:
                parents.setdefault(child, record.twin_id)
    elements = {r.twin_id: r.element for r in found}
    _refuse_cycles(b, parents, elements)
    for child, parent in parents.items():
        b.link(parent, "CONTAINS", child, elements[child])


def _refuse_cycles(b: GraphBuilder, parents: dict[str, str], elements: dict[str, Element]) -> None:
    for start in parents:
        seen = [start]
        node = parents.get(start)
        while node is not None:
            if node in seen:
                element = elements[start]
                raise SchemaViolationError(
                    "the equipment hierarchy runs in a circle: "
                    + " -> ".join(t.removeprefix("isa95:") for t in [*seen, node]),
                    location=b.doc.where(element),
                    entity=b.doc.path(element),
                )
            seen.append(node)
            node = parents.get(node)
