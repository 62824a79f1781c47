"""Property sets and quantity sets as node properties: `Pset_Name__Property`, values in SI.

Read in one pass over the model's IfcRelDefinesByProperties and IfcRelDefinesByType, not by
asking each element for its sets (the same sets are shared by many elements). Type objects'
sets come first and the occurrence's own sets override them, as IFC intends. A converted value
keeps its unit in `<key>__unit`.

Text values that say nothing are left out and counted: empty strings, and placeholders that only
repeat their property's name (Revit's COBie export writes `Manufacturer = "Manufacturer"` for every
unset field; in a typical Revit model they are four in ten of all property values).
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ifcopenshell

from importers.ifc.relations import Relations
from importers.ifc.units import QUANTITIES, UnitConverter

Properties = dict[str, Any]
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")


@dataclass(slots=True)
class CollectedProperties:
    by_entity: dict[int, Properties]
    """Entity id -> flattened properties, for every object with property or quantity sets."""
    placeholders: int = 0
    """Property values left out as empty or placeholder text (counted once per property set)."""


@dataclass(slots=True)
class _Counter:
    placeholders: int = field(default=0)


def collect_properties(relations: Relations, units: UnitConverter) -> CollectedProperties:
    cache: dict[int, Properties] = {}
    counter = _Counter()

    def of(definition: ifcopenshell.entity_instance) -> Properties:
        if definition.id() not in cache:
            cache[definition.id()] = dict(_definition(definition, units, counter))
        return cache[definition.id()]

    from_types: dict[int, Properties] = defaultdict(dict)
    for type_object, objects in relations.ends(
        "IfcRelDefinesByType", "RelatingType", "RelatedObjects"
    ):
        inherited: Properties = {}
        for definition in getattr(type_object, "HasPropertySets", None) or ():
            inherited.update(of(definition))
        if inherited:
            for obj in objects:
                from_types[obj.id()].update(inherited)

    own: dict[int, Properties] = defaultdict(dict)
    for definitions, objects in relations.ends(
        "IfcRelDefinesByProperties", "RelatingPropertyDefinition", "RelatedObjects"
    ):
        if not isinstance(definitions, tuple):  # IFC4 allows a set of definitions
            definitions = (definitions,)
        values: Properties = {}
        for definition in definitions:
            values.update(of(definition))
        for obj in objects:
            own[obj.id()].update(values)

    merged: dict[int, Properties] = {}
    for entity_id in from_types.keys() | own.keys():
        merged[entity_id] = {**from_types.get(entity_id, {}), **own.get(entity_id, {})}
    return CollectedProperties(merged, counter.placeholders)


def _definition(
    definition: ifcopenshell.entity_instance, units: UnitConverter, counter: _Counter
) -> Iterator[tuple[str, Any]]:
    set_name = definition.Name or definition.is_a()
    if definition.is_a("IfcPropertySet"):
        yield from _properties(set_name, definition.HasProperties or (), units, counter)
    elif definition.is_a("IfcElementQuantity"):
        yield from _quantities(set_name, definition.Quantities or (), units)


def _properties(
    prefix: str,
    properties: Iterable[ifcopenshell.entity_instance],
    units: UnitConverter,
    counter: _Counter,
) -> Iterator[tuple[str, Any]]:
    for prop in properties:
        name = prop[0]  # Name, the first attribute of every IfcProperty
        key = _key(prefix, name)
        kind = prop.is_a()
        if kind == "IfcPropertySingleValue":  # by position, the hot path: (Name, _, Value, Unit)
            value = prop[2]
            if value is not None and _says_nothing(value[0], name):
                counter.placeholders += 1
                continue
            yield from _value(key, value, prop[3], units)
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
            yield from _properties(
                f"{prefix}__{name or 'unnamed'}", prop.HasProperties or (), units, counter
            )


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
    raw = value[0]  # wrappedValue, read by position: tens of thousands per model
    if isinstance(raw, str):
        yield key, _plain(value, raw)
        return
    if isinstance(raw, float) and not math.isfinite(raw):
        return
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        measured = units.measure(value.is_a(), raw, unit)
        if measured is not None:
            yield key, measured.value
            yield f"{key}__unit", measured.unit
            return
    yield key, _plain(value, raw)


def _says_nothing(raw: Any, name: str | None) -> bool:
    """An empty text, or a placeholder that only repeats the property's name."""
    return isinstance(raw, str) and (not raw.strip() or raw == name)


def _plain(value: ifcopenshell.entity_instance, raw: Any = None) -> Any:
    if raw is None:
        raw = value[0]
    if isinstance(raw, str) and value.is_a("IfcLogical"):
        return {"TRUE": True, "FALSE": False}.get(raw.upper(), raw)
    if isinstance(raw, bool | int | float | str):
        return raw
    return str(raw)


@functools.lru_cache(maxsize=65536)
def _key(prefix: str, name: str | None) -> str:
    """`Pset_SpaceCommon__IsExternal`: a property name Neo4j and Cypher take as it is."""
    key = _NOT_IDENTIFIER.sub("_", f"{prefix}__{name or 'unnamed'}").strip("_")
    return key if key[:1].isalpha() else f"p_{key}"
