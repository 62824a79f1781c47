"""Every instance of an IFC file against its schema: known entity, attribute count, attribute
kinds, GlobalId.

ifcopenshell reads an instance with too many or too few attributes, and hands a string to the
importer where the schema wants an entity reference (which then failed deep in the mapping with
an AttributeError). `ifcopenshell.validate` finds these, but takes about six times as long as
the import itself on a 4 MB model; the structural pass (`step_structure`) has already noted the
first character of each attribute, which is enough to tell a reference (`#12`) from a string
(`'x'`), a list (`(...)`), an enumeration (`.X.`) or a number, so this check costs almost
nothing. The GlobalId of every IfcRoot must be 22 characters of IFC's base-64 alphabet (an
empty one would have become the twin id `ifc:`); a null GlobalId (`$`) stays a counted
warning of the extraction, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import ifcopenshell.ifcopenshell_wrapper as wrapper

from graphtwin.errors import SchemaViolationError, SourceLocation
from importers.ifc.step_structure import Instance, StepIndex

_GLOBAL_ID = re.compile(r"[0-3][0-9A-Za-z_$]{21}")
_ANY = b"$*"  # null, and derived (a subtype's redeclaration)
_NUMBER = b"0123456789+-."
_LETTERS = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
_SHOWN = {
    b"#": "an entity reference (#N)",
    b"'": "a string",
    b"(": "a list",
    b"@": "a list of entity references",
    b"%": "an empty list",
    b".": "an enumeration or boolean (.X.)",
    b'"': "a binary value",
}


@dataclass(frozen=True, slots=True)
class _Attribute:
    name: str
    allowed: bytes
    """Characters an attribute value of this type may start with (besides $ and *)."""
    wants: str


@dataclass(frozen=True, slots=True)
class _EntityPlan:
    name: str
    attributes: tuple[_Attribute, ...]
    global_id: bool
    """Whether the first attribute is IfcRoot's GlobalId."""


def check_attributes(index: StepIndex, schema_name: str, file: str) -> None:
    """Raise SchemaViolationError at the first instance the schema does not allow."""
    for number, instance in index.instances.items():
        if instance.entity is None:
            continue  # a complex instance (#N=(A()B())); ifcopenshell checks its parts
        plan = _plan(schema_name, instance.entity)
        problem = _problem(instance, plan, schema_name)
        if problem:
            raise SchemaViolationError(
                problem,
                location=SourceLocation(file, instance.line),
                entity=f"#{number} {plan.name if plan else instance.entity}",
            )


def _problem(instance: Instance, plan: _EntityPlan | None, schema_name: str) -> str | None:
    """What is wrong with one instance, or None."""
    if plan is None:
        return f"{instance.entity} is not an entity of {schema_name}"
    found = instance.attributes
    if len(found) != len(plan.attributes):
        return (
            f"{plan.name} has {len(plan.attributes)} attributes in {schema_name}, this instance "
            f"has {len(found)}"
        )
    for position, (start, attribute) in enumerate(zip(found, plan.attributes, strict=True)):
        if start in _ANY or start in attribute.allowed:
            continue
        char = bytes((start,))
        shown = _SHOWN.get(char, "a number" if start in _NUMBER else repr(char.decode("latin-1")))
        return (
            f"attribute {position + 1} ({attribute.name}) must be {attribute.wants}, found {shown}"
        )
    guid = instance.first_string
    if plan.global_id and guid is not None and not _GLOBAL_ID.fullmatch(guid):
        return (
            f"GlobalId {guid!r} is not an IFC GlobalId (22 characters of 0-9, A-Z, a-z, _ and $, "
            "the first one 0-3)"
        )
    return None


@cache
def _plan(schema_name: str, entity: str) -> _EntityPlan | None:
    """What the schema says of an entity (None: no such entity), once per schema and name."""
    schema = wrapper.schema_by_name(schema_name)
    try:
        declaration = schema.declaration_by_name(entity)
    except (RuntimeError, IndexError):
        return None
    definition = declaration.as_entity()
    if definition is None:
        return None
    attributes = tuple(
        _attribute(a.name(), a.type_of_attribute()) for a in definition.all_attributes()
    )
    global_id = bool(attributes) and attributes[0].name == "GlobalId"
    return _EntityPlan(definition.name(), attributes, global_id)


def _attribute(name: str, kind: object) -> _Attribute:
    allowed, wants = _allowed(kind)
    return _Attribute(name, allowed, wants)


def _allowed(kind: object) -> tuple[bytes, str]:
    """The characters a value of `kind` may start with, and how to say what it must be."""
    if isinstance(kind, wrapper.named_type):
        return _allowed(kind.declared_type())
    if isinstance(kind, wrapper.entity):
        return b"#", "an entity reference (#N)"
    if isinstance(kind, wrapper.select_type):
        return b"#" + _LETTERS, "an entity reference (#N) or a typed value"
    if isinstance(kind, wrapper.type_declaration):
        return _allowed(kind.declared_type())
    if isinstance(kind, wrapper.enumeration_type):
        return b".", "an enumeration (.X.)"
    if isinstance(kind, wrapper.aggregation_type):
        element = kind.type_of_element()
        while isinstance(element, wrapper.named_type):
            element = element.declared_type()
        if isinstance(element, wrapper.entity):
            # every item a reference (#N): a number or a string there would reach the mapping
            return b"@%", "a list of entity references (#N)"
        return b"(@%", "a list"
    if isinstance(kind, wrapper.simple_type):
        simple = kind.declared_type()
        if simple == "string":
            return b"'", "a string"
        if simple == "binary":
            return b'"', "a binary value"
        if simple in ("boolean", "logical"):
            return b".", "a boolean (.T. or .F.)"
        return _NUMBER, "a number"
    return bytes(range(256)), "a value"  # a kind this check does not know: ifcopenshell's
