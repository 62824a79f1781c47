"""Personnel -> Person and Role nodes, MEMBER_OF, and RESPONSIBLE_FOR by convention.

A Person is `isa95:person:<ID>` named by PersonName; a PersonnelClass is a Role,
`isa95:role:<ID>`. A person is MEMBER_OF each personnel class it lists (and each class that
lists it, as V0600 classes may). ISA-95 has no "responsible for" attribute, so graphtwin reads
one convention: a PersonProperty or PersonnelClassProperty with the ID `ResponsibleFor` (see
the mapping) whose values are equipment IDs. Both are links between master data, so they are
made whichever file defines the other end (see builder.py).
"""

from __future__ import annotations

from graphtwin.model import Properties
from importers.isa95.builder import GraphBuilder
from importers.isa95.document import Element, local
from importers.isa95.equipment import equipment_twin_id
from importers.isa95.levels import scope_of, scope_properties
from importers.isa95.values import (
    PropertyConventions,
    description_property,
    leaf_fields,
    read_properties,
)

_READ_HERE = frozenset({"ID", "Description", "PersonName", "PersonnelClassID", "PersonID"})


def person_twin_id(person_id: str) -> str:
    return f"isa95:person:{person_id}"


def role_twin_id(class_id: str) -> str:
    return f"isa95:role:{class_id}"


def extract_personnel(b: GraphBuilder) -> None:
    names = b.mapping.names("personnel_class") | b.mapping.names("person")
    for element in b.doc.iter(names):
        name = local(element)
        if name in b.mapping.names("personnel_class"):
            _personnel_class(b, element)
        elif name in b.mapping.names("person"):
            _person(b, element)


def _personnel_class(b: GraphBuilder, element: Element) -> None:
    class_id = b.required_id(element)
    twin_id = role_twin_id(class_id)
    props, conventions = _common(b, element, "personnel_class_property")
    texts = b.doc.texts(element, "Description")
    b.add_node(
        element,
        twin_id,
        "Role",
        texts[0] if texts else class_id,
        props,
        isa95_type="PersonnelClass",
        isa95_id=class_id,
    )
    for person_id in b.doc.texts(element, "PersonID"):
        b.link(person_twin_id(person_id), "MEMBER_OF", twin_id, element)
    _responsible(b, twin_id, conventions, element)


def _person(b: GraphBuilder, element: Element) -> None:
    person_id = b.required_id(element)
    twin_id = person_twin_id(person_id)
    props, conventions = _common(b, element, "person_property")
    person_name = b.doc.text(element, "PersonName")
    texts = b.doc.texts(element, "Description")
    b.add_node(
        element,
        twin_id,
        "Person",
        person_name or (texts[0] if texts else person_id),
        props,
        isa95_type="Person",
        isa95_id=person_id,
    )
    for class_id in b.doc.texts(element, "PersonnelClassID"):
        b.link(twin_id, "MEMBER_OF", role_twin_id(class_id), element)
    _responsible(b, twin_id, conventions, element)


def _common(
    b: GraphBuilder, element: Element, property_concept: str
) -> tuple[Properties, PropertyConventions]:
    conventions = PropertyConventions()
    props: Properties = {}
    texts = b.doc.texts(element, "Description")
    props["description"] = description_property(texts)
    props.update(scope_properties(scope_of(b.doc, b.mapping, element)))
    props.update(leaf_fields(b.doc, element, exclude=_READ_HERE))
    properties = b.doc.children(element, b.mapping.names(property_concept))
    props.update(read_properties(b.doc, b.values, properties, conventions=conventions))
    b.consume(*properties)
    return props, conventions


def _responsible(
    b: GraphBuilder, twin_id: str, conventions: PropertyConventions, element: Element
) -> None:
    for equipment_id in conventions.responsible_for:
        b.link(twin_id, "RESPONSIBLE_FOR", equipment_twin_id(equipment_id), element)
