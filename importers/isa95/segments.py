"""Process segments and operations definitions -> Procedure nodes, with what they need.

A ProcessSegment is `isa95:process-segment:<ID>`; an OperationsDefinition is
`isa95:operations-definition:<ID>` and its OperationsSegments are named by their path below it
(`isa95:operations-segment:<definition ID>/<segment ID>`), because segment IDs are only unique
within their definition. Nested segments are HAS_PART of their parent.

What a segment specifies becomes relationships from the procedure:
- equipment specifications: APPLIES_TO the equipment named by EquipmentID; one naming only an
  EquipmentClassID applies to the equipment of that class this document defines, and the class
  IDs are kept as `equipment_class_ids`
- personnel specifications: REQUIRES the Role (PersonnelClassID) or the Person (PersonID)
- material specifications: REQUIRES the Material (definition, class, or V0700 lot)
REQUIRES carries `use` (Consumed, Produced ...) when the specification states it. Parameters
become `param__<ID>` properties. The hierarchy scope APPLIES_TO the scoped equipment when this
document defines it.
"""

from __future__ import annotations

from collections.abc import Callable

from graphtwin.model import Properties
from importers.isa95.builder import GraphBuilder
from importers.isa95.document import Element, local
from importers.isa95.equipment import EquipmentIndex, equipment_twin_id
from importers.isa95.levels import scope_of, scope_properties
from importers.isa95.materials import (
    material_class_twin_id,
    material_lot_twin_id,
    material_twin_id,
)
from importers.isa95.personnel import person_twin_id, role_twin_id
from importers.isa95.values import description_property, leaf_fields, read_properties

_READ_HERE = frozenset({"ID", "Description"})


def extract_segments(b: GraphBuilder, equipment: EquipmentIndex) -> None:
    names = b.mapping.names
    operations = names("operations_definition") | names("operations_segment")
    for element in b.doc.iter(names("process_segment") | operations):
        name = local(element)
        if name in names("process_segment"):
            if not _inside(b, element, names("process_segment")):
                _segment_tree(b, equipment, element, _process_segment_id, "ProcessSegment")
        elif name in names("operations_definition"):
            _operations_definition(b, equipment, element)
        elif name in names("operations_segment") and not _inside(b, element, operations):
            _segment_tree(b, equipment, element, _operations_segment_id(None), "OperationsSegment")


def _inside(b: GraphBuilder, element: Element, names: frozenset[str]) -> bool:
    """Whether an ancestor is one of `names` (then that ancestor reads this element)."""
    parent = element.getparent()
    while parent is not None:
        if b.doc.mine(parent) and local(parent) in names:
            return True
        parent = parent.getparent()
    return False


def _process_segment_id(segment_id: str) -> str:
    return f"isa95:process-segment:{segment_id}"


def _operations_segment_id(definition_id: str | None) -> Callable[[str], str]:
    def make(path: str) -> str:
        prefix = f"{definition_id}/" if definition_id else ""
        return f"isa95:operations-segment:{prefix}{path}"

    return make


def _operations_definition(b: GraphBuilder, equipment: EquipmentIndex, element: Element) -> None:
    definition_id = b.required_id(element)
    twin_id = f"isa95:operations-definition:{definition_id}"
    _procedure(b, equipment, element, twin_id, definition_id, "OperationsDefinition")
    for segment in b.doc.children(element, b.mapping.names("operations_segment")):
        child = _segment_tree(
            b, equipment, segment, _operations_segment_id(definition_id), "OperationsSegment"
        )
        b.link(twin_id, "HAS_PART", child, segment)


def _segment_tree(
    b: GraphBuilder,
    equipment: EquipmentIndex,
    element: Element,
    make_id: Callable[[str], str],
    isa95_type: str,
    path: str = "",
) -> str:
    segment_id = b.required_id(element)
    own_path = f"{path}/{segment_id}" if path and isa95_type == "OperationsSegment" else segment_id
    twin_id = make_id(own_path)
    _procedure(b, equipment, element, twin_id, segment_id, isa95_type)
    concept = "process_segment" if isa95_type == "ProcessSegment" else "operations_segment"
    for child in b.doc.children(element, b.mapping.names(concept)):
        child_id = _segment_tree(b, equipment, child, make_id, isa95_type, own_path)
        b.link(twin_id, "HAS_PART", child_id, child)
    return twin_id


def _procedure(
    b: GraphBuilder,
    equipment: EquipmentIndex,
    element: Element,
    twin_id: str,
    isa95_id: str,
    isa95_type: str,
) -> None:
    doc, names = b.doc, b.mapping.names
    props: Properties = {}
    texts = doc.texts(element, "Description")
    props["description"] = description_property(texts)
    scope = scope_of(doc, b.mapping, element)
    props.update(scope_properties(scope))
    props.update(leaf_fields(doc, element, exclude=_READ_HERE))
    parameters = doc.children(element, names("segment_parameter"))
    props.update(read_properties(doc, b.values, parameters, prefix="param"))
    b.consume(*parameters, *doc.children(element, "SegmentDependency"))
    class_ids = _specifications(b, equipment, element, twin_id)
    if class_ids:
        props["equipment_class_ids"] = class_ids
    b.add_node(
        element,
        twin_id,
        "Procedure",
        texts[0] if texts else isa95_id,
        props,
        isa95_type=isa95_type,
        isa95_id=isa95_id,
    )
    if scope is not None:
        target = equipment.by_id.get(scope.target.equipment_id)
        if target is not None:
            b.link_if_defined(twin_id, "APPLIES_TO", target, scope.target.element)


def _specifications(
    b: GraphBuilder, equipment: EquipmentIndex, element: Element, twin_id: str
) -> list[str]:
    doc, names = b.doc, b.mapping.names
    segments = names("process_segment") | names("operations_segment")
    class_ids: list[str] = []
    for spec in doc.descendants(element, names("equipment_specification"), stop=segments):
        b.consume(spec)
        for equipment_id in doc.texts(spec, "EquipmentID"):
            b.link(twin_id, "APPLIES_TO", equipment_twin_id(equipment_id), spec)
        for class_id in doc.texts(spec, "EquipmentClassID"):
            class_ids.append(class_id)
            for target in equipment.by_class.get(class_id, []):
                b.link_if_defined(twin_id, "APPLIES_TO", target, spec)
    for spec in doc.descendants(element, names("personnel_specification"), stop=segments):
        b.consume(spec)
        use = _use(b, spec, "PersonnelUse")
        for class_id in doc.texts(spec, "PersonnelClassID"):
            b.link(twin_id, "REQUIRES", role_twin_id(class_id), spec, use)
        for person_id in doc.texts(spec, "PersonID"):
            b.link(twin_id, "REQUIRES", person_twin_id(person_id), spec, use)
    for spec in doc.descendants(element, names("material_specification"), stop=segments):
        b.consume(spec)
        use = _use(b, spec, "MaterialUse")
        for definition_id in doc.texts(spec, "MaterialDefinitionID"):
            b.link(twin_id, "REQUIRES", material_twin_id(definition_id), spec, use)
        for class_id in doc.texts(spec, "MaterialClassID"):
            b.link(twin_id, "REQUIRES", material_class_twin_id(class_id), spec, use)
        for lot_id in doc.texts(spec, "MaterialLotID"):
            b.link(twin_id, "REQUIRES", material_lot_twin_id(lot_id), spec, use)
    return list(dict.fromkeys(class_ids))


def _use(b: GraphBuilder, spec: Element, name: str) -> Properties:
    use = b.doc.texts(spec, name)
    return {"use": sorted(use)} if use else {}
