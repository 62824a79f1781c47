"""BatchML batch production records -> a Document for each record, and what the batch ran.

A BatchProductionRecord (ISA-88 part 4: the record of one batch, as an MES or batch system
exports it) is a Document `isa95:batch-record:<ID>`. It HAS_PART the executed control recipes
it holds (read by the recipe extractor: `isa95:executed-control-recipe:<ID>` and its tree of
runtime recipe elements, with their equipment, parameters, recorded values and times) and any
record nested in it. The record's own simple fields and those of its Header (CreationDate,
RecordStatus, BatchID, LotID, MaterialDefinitionID, EquipmentID ...) become properties; the
batch IDs of the record and of every control recipe it executed are gathered in `batch_ids`,
so a record is found by its batch.

A record names equipment and materials that other documents define, as a schedule does: the
IDs stay properties, and become APPLIES_TO only to what this same document defines. Events,
comments and signatures (PersonnelIdentification) are not mapped yet; they have IDs, so the
report counts them as left out.
"""

from __future__ import annotations

from graphtwin.model import Properties
from importers.isa95.builder import GraphBuilder
from importers.isa95.document import Element, local
from importers.isa95.equipment import EquipmentIndex
from importers.isa95.materials import material_lot_twin_id, material_twin_id
from importers.isa95.values import description_property, leaf_fields

_READ_HERE = frozenset({"ID", "Description", "Header"})


def extract_batch_records(b: GraphBuilder, equipment: EquipmentIndex) -> None:
    """After the recipes: a record links the executed control recipes already extracted."""
    for element in b.doc.iter(b.mapping.batch_records):
        _record(b, equipment, element)


def batch_record_twin_id(b: GraphBuilder, name: str, record_id: str) -> str:
    return f"isa95:{b.mapping.batch_records[name]}:{record_id}"


def _record(b: GraphBuilder, equipment: EquipmentIndex, element: Element) -> None:
    doc = b.doc
    name = local(element)
    record_id = b.required_id(element)
    twin_id = batch_record_twin_id(b, name, record_id)
    texts = doc.texts(element, "Description")
    props: Properties = {"description": description_property(texts)}
    props.update(leaf_fields(doc, element, exclude=_READ_HERE))
    header = doc.child(element, "Header")
    if header is not None:
        props.update(leaf_fields(doc, header, exclude=frozenset()))
        b.consume(header)
    parts = list(doc.descendants(element, _part_names(b), stop=_part_names(b)))
    batches = [_text(props.get("batch_id"))]
    batches += [doc.text(part, "BatchID") for part in parts]
    batch_ids = sorted({batch for batch in batches if batch})
    if batch_ids:
        props["batch_ids"] = batch_ids
    b.add_node(
        element,
        twin_id,
        "Document",
        texts[0] if texts else _default_name(name, record_id, batch_ids),
        props,
        isa95_type=name,
        isa95_id=record_id,
    )
    for part in parts:
        part_id = b.entities.get(part)
        if part_id is not None:
            b.link(twin_id, "HAS_PART", part_id, part)
    _references(b, equipment, twin_id, element, header)


def _part_names(b: GraphBuilder) -> frozenset[str]:
    """What a record holds as parts: the recipes it executed, and records nested in it."""
    return frozenset(b.mapping.recipes) | frozenset(b.mapping.batch_records)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _default_name(name: str, record_id: str, batch_ids: list[str]) -> str:
    if len(batch_ids) == 1:
        return f"Batch {batch_ids[0]}"
    return f"{name} {record_id}"


def _references(
    b: GraphBuilder,
    equipment: EquipmentIndex,
    twin_id: str,
    element: Element,
    header: Element | None,
) -> None:
    """The equipment, product and lot a record states, linked when this document defines them."""
    doc = b.doc
    for holder in (element, header):
        if holder is None:
            continue
        for equipment_id in doc.texts(holder, "EquipmentID"):
            target = equipment.by_id.get(equipment_id)
            if target is not None:
                b.link_if_defined(twin_id, "APPLIES_TO", target, holder)
        for material_id in doc.texts(holder, "MaterialDefinitionID"):
            b.link_if_defined(twin_id, "APPLIES_TO", material_twin_id(material_id), holder)
        for lot_id in [*doc.texts(holder, "LotID"), *doc.texts(holder, "MaterialLotID")]:
            b.link_if_defined(twin_id, "APPLIES_TO", material_lot_twin_id(lot_id), holder)
