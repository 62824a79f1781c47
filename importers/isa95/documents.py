"""Schedules and performance reports -> Document nodes that say what they are about.

Each request and response with an ID (ProductionRequest, ProductionResponse, and the V0700
Operations... forms) is a Document `isa95:document:<type>:<ID>`; a schedule or performance
with an ID is one too, and HAS_PART its requests or responses. The type is in the twin_id
because a response commonly carries the ID of the request it answers. One without an ID has
nothing to be named by: it is left out and counted.

These messages name equipment, segments, materials and people that usually live in other
systems, so references are kept as sorted ID lists (`equipment_ids`, `material_lot_ids` ...,
from anywhere inside the document, segment requirements and responses included) and become
APPLIES_TO relationships only to what this same file defines: a schedule never fails to import
because it mentions something the twin does not hold.
"""

from __future__ import annotations

from graphtwin.model import Properties
from importers.isa95.builder import GraphBuilder
from importers.isa95.document import Element, clean, local
from importers.isa95.equipment import EquipmentIndex
from importers.isa95.levels import scope_of, scope_properties
from importers.isa95.materials import (
    material_class_twin_id,
    material_lot_twin_id,
    material_sublot_twin_id,
    material_twin_id,
)
from importers.isa95.personnel import person_twin_id, role_twin_id
from importers.isa95.values import description_property, leaf_fields

_READ_HERE = frozenset({"ID", "Description"})

# Reference element -> (property listing the IDs, twin_id the ID maps to, or None).
_REFERENCES = {
    "EquipmentID": ("equipment_ids", None),
    "EquipmentClassID": ("equipment_class_ids", None),
    "ProcessSegmentID": ("process_segment_ids", lambda i: f"isa95:process-segment:{i}"),
    "ProductSegmentID": ("product_segment_ids", None),
    "MaterialDefinitionID": ("material_definition_ids", material_twin_id),
    "MaterialClassID": ("material_class_ids", material_class_twin_id),
    "MaterialLotID": ("material_lot_ids", material_lot_twin_id),
    "MaterialSubLotID": ("material_sublot_ids", material_sublot_twin_id),
    "MaterialSublotID": ("material_sublot_ids", material_sublot_twin_id),
    "PersonnelClassID": ("personnel_class_ids", role_twin_id),
    "PersonID": ("person_ids", person_twin_id),
}
_SEGMENTS = frozenset({"SegmentRequirement", "SegmentResponse"})


def extract_documents(b: GraphBuilder, equipment: EquipmentIndex) -> None:
    documents = b.mapping.documents
    message = _message_properties(b)
    for element in b.doc.iter(documents):
        name = local(element)
        document_id = b.doc.text(element, "ID")
        if document_id is None:
            if name not in b.mapping.document_containers:
                b.leave_out(element, f"{name} without an ID")
            continue
        twin_id = document_twin_id(b, name, document_id)
        _document(b, equipment, element, twin_id, document_id, message)
        container = _container(b, element)
        if container is not None:
            b.link(container, "HAS_PART", twin_id, element)


def document_twin_id(b: GraphBuilder, name: str, document_id: str) -> str:
    return f"isa95:document:{b.mapping.documents[name]}:{document_id}"


def _container(b: GraphBuilder, element: Element) -> str | None:
    parent = element.getparent()
    if parent is None or not b.doc.mine(parent):
        return None
    name = local(parent)
    parent_id = b.doc.text(parent, "ID")
    if name in b.mapping.document_containers and parent_id:
        return document_twin_id(b, name, parent_id)
    return None


def _message_properties(b: GraphBuilder) -> Properties:
    props: Properties = {"isa95_message": b.doc.message}
    area = b.doc.child(b.doc.root, "ApplicationArea")
    if area is not None:
        created = b.doc.text(area, "CreationDateTime")
        if created:
            props["message_created"] = created
        sender = b.doc.child(area, "Sender")
        logical_id = b.doc.text(sender, "LogicalID") if sender is not None else None
        if logical_id:
            props["message_sender"] = logical_id
    return props


def _document(
    b: GraphBuilder,
    equipment: EquipmentIndex,
    element: Element,
    twin_id: str,
    document_id: str,
    message: Properties,
) -> None:
    doc = b.doc
    name = local(element)
    props: Properties = dict(message)
    texts = doc.texts(element, "Description")
    props["description"] = description_property(texts)
    props.update(scope_properties(scope_of(doc, b.mapping, element)))
    props.update(leaf_fields(doc, element, exclude=_READ_HERE))
    found: dict[str, list[str]] = {}
    segments: list[str] = []
    for inner in _inside(b, element):
        inner_name = local(inner)
        text = clean(inner.text) if not len(inner) else None
        if inner_name in _REFERENCES and text:
            key, make_id = _REFERENCES[inner_name]
            found.setdefault(key, []).append(text)
            target = equipment.by_id.get(text) if inner_name == "EquipmentID" else None
            target = target or (make_id(text) if make_id else None)
            if target:
                b.link_if_defined(twin_id, "APPLIES_TO", target, inner)
        elif inner_name in _SEGMENTS:
            segment_id = doc.text(inner, "ID")
            if segment_id:
                segments.append(segment_id)
    for key, values in found.items():
        props[key] = sorted(set(values))
    if segments:
        props["segment_ids"] = sorted(set(segments))
    b.add_node(
        element,
        twin_id,
        "Document",
        texts[0] if texts else f"{name} {document_id}",
        props,
        isa95_type=name,
        isa95_id=document_id,
    )


def _inside(b: GraphBuilder, element: Element) -> list[Element]:
    """Every element inside `element`, not descending into nested documents (they are nodes of
    their own); the children read here are marked as read."""
    found: list[Element] = []
    for child in element:
        if not b.doc.mine(child):
            continue
        if local(child) in b.mapping.documents:
            continue
        b.consume(child)
        found.append(child)
        found.extend(e for e in child.iter() if e is not child and b.doc.mine(e))
    return found
