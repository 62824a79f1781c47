"""Material classes, definitions, lots and sublots -> Material nodes.

Twin ids: `isa95:material-class:<ID>`, `isa95:material:<ID>` (a definition: what the material
is), `isa95:material-lot:<ID>`, `isa95:material-sublot:<ID>`. A definition is MEMBER_OF its
classes and a lot MEMBER_OF its definition (the lots of a definition are its stock, not its
parts; the lot also keeps `isa95_material_definition`). A sublot is a part of its lot (HAS_PART).
These are links between master data, made whichever file defines the other end. A lot's
`Quantity` becomes `quantity` with `quantity__unit`; a StorageLocation that names equipment this
document defines becomes LOCATED_IN.
"""

from __future__ import annotations

from collections.abc import Callable

from graphtwin.errors import SchemaViolationError
from graphtwin.model import Properties
from importers.isa95.builder import GraphBuilder
from importers.isa95.document import Element, local
from importers.isa95.equipment import EquipmentIndex
from importers.isa95.levels import scope_of, scope_properties
from importers.isa95.values import (
    as_property,
    description_property,
    leaf_fields,
    read_properties,
)

_READ_HERE = frozenset(
    {"ID", "Description", "MaterialClassID", "MaterialDefinitionID", "MaterialLotID"}
)


def material_class_twin_id(class_id: str) -> str:
    return f"isa95:material-class:{class_id}"


def material_twin_id(definition_id: str) -> str:
    return f"isa95:material:{definition_id}"


def material_lot_twin_id(lot_id: str) -> str:
    return f"isa95:material-lot:{lot_id}"


def material_sublot_twin_id(sublot_id: str) -> str:
    return f"isa95:material-sublot:{sublot_id}"


def extract_materials(b: GraphBuilder, equipment: EquipmentIndex) -> None:
    names = b.mapping.names
    wanted = (
        names("material_class")
        | names("material_definition")
        | names("material_lot")
        | names("material_sublot")
    )
    for element in b.doc.iter(wanted):
        name = local(element)
        if name in names("material_class"):
            twin_id = _material(b, equipment, element, material_class_twin_id, "MaterialClass")
            for definition_id in b.doc.texts(element, "MaterialDefinitionID"):
                b.link(material_twin_id(definition_id), "MEMBER_OF", twin_id, element)
        elif name in names("material_definition"):
            twin_id = _material(b, equipment, element, material_twin_id, "MaterialDefinition")
            for class_id in b.doc.texts(element, "MaterialClassID"):
                b.link(twin_id, "MEMBER_OF", material_class_twin_id(class_id), element)
            for lot_id in b.doc.texts(element, "MaterialLotID"):
                b.link(material_lot_twin_id(lot_id), "MEMBER_OF", twin_id, element)
        elif name in names("material_lot"):
            _lot(b, equipment, element)
        elif name in names("material_sublot"):
            _sublot(b, equipment, element)


def _lot(b: GraphBuilder, equipment: EquipmentIndex, element: Element) -> None:
    twin_id = _material(b, equipment, element, material_lot_twin_id, "MaterialLot")
    definitions = b.doc.texts(element, "MaterialDefinitionID")
    if definitions:
        node = b.graph.nodes[twin_id]
        node.properties["isa95_material_definition"] = as_property(definitions)  # type: ignore[assignment]
    for definition_id in definitions:
        b.link(twin_id, "MEMBER_OF", material_twin_id(definition_id), element)


def _sublot(b: GraphBuilder, equipment: EquipmentIndex, element: Element) -> None:
    twin_id = _material(b, equipment, element, material_sublot_twin_id, "MaterialSubLot")
    parent = element.getparent()
    parent_name = local(parent) if parent is not None and b.doc.mine(parent) else ""
    parent_id = b.doc.text(parent, "ID") if parent is not None else None
    if parent_id and parent_name in b.mapping.names("material_lot"):
        b.link(material_lot_twin_id(parent_id), "HAS_PART", twin_id, element)
    elif parent_id and parent_name in b.mapping.names("material_sublot"):
        b.link(material_sublot_twin_id(parent_id), "HAS_PART", twin_id, element)
    else:
        for lot_id in b.doc.texts(element, "MaterialLotID"):
            b.link(material_lot_twin_id(lot_id), "HAS_PART", twin_id, element)


def _material(
    b: GraphBuilder,
    equipment: EquipmentIndex,
    element: Element,
    make_id: Callable[[str], str],
    isa95_type: str,
) -> str:
    doc = b.doc
    material_id = doc.text(element, "ID")
    if material_id is None:
        raise SchemaViolationError(
            f"{local(element)} without an ID", location=doc.where(element), entity=doc.path(element)
        )
    twin_id = make_id(material_id)
    props: Properties = {}
    texts = doc.texts(element, "Description")
    props["description"] = description_property(texts)
    props.update(scope_properties(scope_of(doc, b.mapping, element)))
    props.update(leaf_fields(doc, element, exclude=_READ_HERE))
    properties = doc.children(element, b.mapping.names("material_property"))
    props.update(read_properties(doc, b.values, properties))
    b.consume(*properties)
    quantity = b.values.read(doc.children(element, "Quantity"), text="QuantityString")
    if quantity.values:
        props["quantity"] = as_property(quantity.values)  # type: ignore[assignment]
        if len(set(quantity.units)) == 1:
            props["quantity__unit"] = quantity.units[0]
    b.add_node(
        element,
        twin_id,
        "Material",
        texts[0] if texts else material_id,
        props,
        isa95_type=isa95_type,
        isa95_id=material_id,
    )
    location = doc.text(element, "StorageLocation")
    if location and location in equipment.by_id:
        b.link_if_defined(twin_id, "LOCATED_IN", equipment.by_id[location], element)
    return twin_id
