"""ISA-95 property values -> typed node properties with Cypher-safe names.

Every ISA-95 object carries properties the same way: a `...Property` element with an `ID`, and
one or more `Value`s of `ValueString`, `DataType` and `UnitOfMeasure`. They become node
properties named `prop__<ID>` (characters Cypher would need quoting replaced by `_`; a nested
property is `prop__<Parent>__<Child>`). The DataType decides the type: numbers and booleans
become numbers and booleans, everything else (and a value that does not parse as its declared
type) stays text. Several values become a list; the unit is kept in `<key>__unit`.

Simple child elements of an object (StartTime, PublishedDate, OperationsType ...) become
snake_case properties (`start_time`), so version differences need no code.

Vendor extensions (child elements of an object in another namespace, B2MML's `Extended` groups)
become `ext__<Name>` properties (`ext__<Name>__<Child>` for what they nest, `ext__<Name>__<attr>`
for their attributes), typed by their `xsi:type` (`xsd:decimal` -> a float) and keeping the
type itself in `ext__<Name>__type`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from graphtwin.model import RESERVED_NODE_KEYS, Properties, PropertyValue
from importers.isa95.document import Element, Isa95Document, clean, local
from importers.isa95.mapping import Isa95Mapping, normalise

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
XSI_TYPE = _XSI + "type"
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})

Scalar = str | int | float | bool


def identifier(text: str) -> str:
    """`Ampla.Name` -> `Ampla_Name`: letters, digits and underscores only, never empty."""
    return _NOT_IDENTIFIER.sub("_", text).strip("_") or "_"


def snake(name: str) -> str:
    """`ProductionRequestID` -> `production_request_id`."""
    return identifier(_CAMEL.sub("_", name)).lower()


@dataclass(slots=True)
class TypedValues:
    values: list[Scalar] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    mistyped: int = 0
    """Values whose text did not parse as their declared DataType (kept as text)."""


class ValueReader:
    """Reads `Value` / `Quantity` elements into typed Python values, counting mistyped ones."""

    def __init__(self, document: Isa95Document, mapping: Isa95Mapping) -> None:
        self.doc = document
        self.mapping = mapping
        self.mistyped = 0

    def read(self, values: Iterable[Element], *, text: str = "ValueString") -> TypedValues:
        typed = TypedValues()
        for value in values:
            raw = self.doc.text(value, text)
            if raw is None:
                continue
            data_type = (self.doc.text(value, "DataType") or "").casefold()
            typed.values.append(self._typed(raw, data_type))
            unit = self.doc.text(value, "UnitOfMeasure")
            if unit and unit.casefold() not in self.mapping.no_unit:
                typed.units.append(unit)
        return typed

    def typed(self, raw: str, data_type: str) -> Scalar:
        """`raw` as the DataType (or xsi:type local name, casefolded) says, else as text."""
        return self._typed(raw, data_type.casefold())

    def _typed(self, raw: str, data_type: str) -> Scalar:
        try:
            if data_type in self.mapping.integer_types:
                return int(raw)
            if data_type in self.mapping.number_types:
                return float(raw)
        except ValueError:
            self.mistyped += 1
            return raw
        if data_type in self.mapping.boolean_types:
            folded = raw.casefold()
            if folded in _TRUE or folded in _FALSE:
                return folded in _TRUE
            self.mistyped += 1
        return raw


def as_property(values: list[Scalar]) -> PropertyValue | None:
    """One value as itself, several as a list (as text when their types differ)."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    if len({type(v) for v in values}) > 1:
        return [str(v) for v in values]
    return values  # type: ignore[return-value]


@dataclass(slots=True)
class PropertyConventions:
    """Values of the convention properties (mapping: responsible_for, tag), by property ID."""

    responsible_for: list[str] = field(default_factory=list)
    tag: str | None = None


def read_properties(
    doc: Isa95Document,
    reader: ValueReader,
    elements: Iterable[Element],
    *,
    prefix: str = "prop",
    conventions: PropertyConventions | None = None,
) -> Properties:
    """`...Property` elements -> `prop__<ID>` properties (nested ones recurse with their names).

    With `conventions`, the ResponsibleFor property is collected there instead of becoming a
    property, and the asset tag is collected as well as kept."""
    props: Properties = {}
    for element in elements:
        prop_id = doc.text(element, "ID")
        if prop_id is None:
            continue
        key = _unique(props, f"{prefix}__{identifier(prop_id)}")
        typed = reader.read(doc.children(element, "Value"))
        texts = [str(v) for v in typed.values]
        if conventions is not None and normalise(prop_id) in reader.mapping.responsible_for:
            for text in texts:
                if text not in conventions.responsible_for:
                    conventions.responsible_for.append(text)
            continue
        if conventions is not None and normalise(prop_id) in reader.mapping.tag_properties:
            conventions.tag = conventions.tag or (texts[0] if texts else None)
        value = as_property(typed.values)
        if value is not None:
            props[key] = value
            units = list(dict.fromkeys(typed.units))
            if len(units) == 1:
                props[f"{key}__unit"] = units[0]
            elif units:
                props[f"{key}__unit"] = units
        description = doc.text(element, "Description")
        if description:
            props[f"{key}__description"] = description
        nested = [c for c in element if doc.mine(c) and local(c) == local(element)]
        props.update(read_properties(doc, reader, nested, prefix=key, conventions=conventions))
    return props


def _unique(props: Properties, key: str) -> str:
    """Two IDs that differ only in characters Cypher cannot hold keep apart: `key_2`, ..."""
    if key not in props:
        return key
    n = 2
    while f"{key}_{n}" in props:
        n += 1
    return f"{key}_{n}"


def leaf_fields(doc: Isa95Document, element: Element, *, exclude: frozenset[str]) -> Properties:
    """Simple children (text only, no element children) -> snake_case properties; a repeated
    child becomes a list. Children named in `exclude` are read elsewhere."""
    found: dict[str, list[str]] = {}
    for child in element:
        if not doc.mine(child) or local(child) in exclude or len(child):
            continue
        text = clean(child.text)
        if text is not None:
            key = snake(local(child))
            key = f"isa95_{key}" if key in RESERVED_NODE_KEYS else key  # a <Name> child
            values = found.setdefault(key, [])
            if text not in values:
                values.append(text)
    return {k: v[0] if len(v) == 1 else v for k, v in found.items()}


def description_property(texts: list[str]) -> PropertyValue | None:
    """The description, or all of them when an object has several (languages, short and long)."""
    if not texts:
        return None
    return texts[0] if len(texts) == 1 else texts


def extension_properties(doc: Isa95Document, reader: ValueReader, element: Element) -> Properties:
    """An object's vendor extensions: its child elements in other namespaces, as `ext__...`
    properties (a repeated one becomes a list). The caller marks those children as read."""
    found: dict[str, list[Scalar]] = {}
    for child in extension_children(doc, element):
        _extension(reader, child, f"ext__{identifier(local(child))}", found)
    return {k: as_property(v) for k, v in found.items() if v}  # type: ignore[misc]


def extension_children(doc: Isa95Document, element: Element) -> list[Element]:
    return [c for c in element if isinstance(c.tag, str) and not doc.mine(c)]


def _extension(
    reader: ValueReader, element: Element, key: str, found: dict[str, list[Scalar]]
) -> None:
    declared = element.get(XSI_TYPE)
    if declared:
        found.setdefault(f"{key}__type", []).append(declared)
    for name, value in element.attrib.items():
        if not name.startswith(_XSI):
            found.setdefault(f"{key}__{identifier(local_name(name))}", []).append(value)
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        text = clean(element.text)
        if text is not None:
            data_type = (declared or "").rpartition(":")[2]
            found.setdefault(key, []).append(reader.typed(text, data_type))
        return
    for child in children:
        _extension(reader, child, f"{key}__{identifier(local(child))}", found)


def local_name(name: str) -> str:
    """`{namespace}Risk` -> `Risk`."""
    return name.rpartition("}")[2]
