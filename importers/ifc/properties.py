"""Property sets and quantity sets as node properties: `Pset_Name__Property`, values in SI.

Read in one pass over the model's IfcRelDefinesByProperties and IfcRelDefinesByType, not by
asking each element for its sets (the same sets are shared by many elements). Type objects'
sets come first and the occurrence's own sets override them, as IFC intends. A converted value
keeps its unit in `<key>__unit`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import ifcopenshell

from importers.ifc.units import QUANTITIES, UnitConverter

Properties = dict[str, Any]
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")


def collect_properties(model: ifcopenshell.file, units: UnitConverter) -> dict[int, Properties]:
    """Entity id -> flattened properties of every object that has property or quantity sets."""
    cache: dict[int, Properties] = {}

    def of(definition: ifcopenshell.entity_instance) -> Properties:
        if definition.id() not in cache:
            cache[definition.id()] = dict(_definition(definition, units))
        return cache[definition.id()]

    from_types: dict[int, Properties] = defaultdict(dict)
    for rel in model.by_type("IfcRelDefinesByType"):
        inherited: Properties = {}
        for definition in rel.RelatingType.HasPropertySets or ():
            inherited.update(of(definition))
        if inherited:
            for obj in rel.RelatedObjects:
                from_types[obj.id()].update(inherited)

    own: dict[int, Properties] = defaultdict(dict)
    for rel in model.by_type("IfcRelDefinesByProperties"):
        definitions = rel.RelatingPropertyDefinition
        if not isinstance(definitions, tuple):  # IFC4 allows a set of definitions
            definitions = (definitions,)
        values: Properties = {}
        for definition in definitions:
            values.update(of(definition))
        for obj in rel.RelatedObjects:
            own[obj.id()].update(values)

    merged: dict[int, Properties] = {}
    for entity_id in from_types.keys() | own.keys():
        merged[entity_id] = {**from_types.get(entity_id, {}), **own.get(entity_id, {})}
    return merged


def _definition(
    definition: ifcopenshell.entity_instance, units: UnitConverter
) -> Iterator[tuple[str, Any]]:
    set_name = definition.Name or definition.is_a()
    if definition.is_a("IfcPropertySet"):
        yield from _properties(set_name, definition.HasProperties or (), units)
    elif definition.is_a("IfcElementQuantity"):
        yield from _quantities(set_name, definition.Quantities or (), units)


def _properties(
    prefix: str, properties: Iterable[ifcopenshell.entity_instance], units: UnitConverter
) -> Iterator[tuple[str, Any]]:
    for prop in properties:
        key = _key(prefix, prop.Name)
        kind = prop.is_a()
        if kind == "IfcPropertySingleValue":
            yield from _value(key, prop.NominalValue, getattr(prop, "Unit", None), units)
        elif kind == "IfcPropertyEnumeratedValue":
            values = [_plain(v) for v in prop.EnumerationValues or ()]
            if values:
                yield key, values if len(values) > 1 else values[0]
        elif kind == "IfcPropertyBoundedValue":
            for bound, value in (("upper", prop.UpperBoundValue), ("lower", prop.LowerBoundValue)):
                yield from _value(f"{key}__{bound}", value, prop.Unit, units)
        elif kind == "IfcPropertyListValue":
            values = [_plain(v) for v in prop.ListValues or ()]
            if values and len({type(v) for v in values}) == 1:
                yield key, values
        elif kind == "IfcComplexProperty":
            yield from _properties(f"{prefix}__{prop.Name}", prop.HasProperties or (), units)


def _quantities(
    prefix: str, quantities: Iterable[ifcopenshell.entity_instance], units: UnitConverter
) -> Iterator[tuple[str, Any]]:
    for quantity in quantities:
        known = QUANTITIES.get(quantity.is_a())
        if known is None:
            continue  # complex physical quantities
        attribute, unit_type, symbol = known
        value = getattr(quantity, attribute)
        if value is None or not math.isfinite(value):
            continue
        key = _key(prefix, quantity.Name)
        if unit_type is None or symbol is None:
            yield key, value
        else:
            measured = units.quantity(unit_type, value, quantity.Unit, symbol)
            yield key, measured.value
            yield f"{key}__unit", measured.unit


def _value(
    key: str,
    value: ifcopenshell.entity_instance | None,
    unit: ifcopenshell.entity_instance | None,
    units: UnitConverter,
) -> Iterator[tuple[str, Any]]:
    if value is None:
        return
    raw = value.wrappedValue
    if isinstance(raw, float) and not math.isfinite(raw):
        return
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        measured = units.measure(value.is_a(), raw, unit)
        if measured is not None:
            yield key, measured.value
            yield f"{key}__unit", measured.unit
            return
    yield key, _plain(value)


def _plain(value: ifcopenshell.entity_instance) -> Any:
    raw = value.wrappedValue
    if value.is_a("IfcLogical") and isinstance(raw, str):
        return {"TRUE": True, "FALSE": False}.get(raw.upper(), raw)
    if isinstance(raw, bool | int | float | str):
        return raw
    return str(raw)


def _key(prefix: str, name: str | None) -> str:
    """`Pset_SpaceCommon__IsExternal`: a property name Neo4j and Cypher take as it is."""
    key = _NOT_IDENTIFIER.sub("_", f"{prefix}__{name or 'unnamed'}").strip("_")
    return key if key[:1].isalpha() else f"p_{key}"
