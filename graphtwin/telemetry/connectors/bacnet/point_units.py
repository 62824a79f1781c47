"""From a BACnet object's `units` to its point's unit: how the object's values are converted.

An object says what its present-value measures in its `units` property, one name of BACnet's
engineering-units enumeration (`degrees-fahrenheit`, `cubic-feet-per-minute`, ...). A twin
point has its own `unit` (`DEG_C`, `degC`, ...). Both are read through graphtwin.units, where
BACnet's names are aliases like any other spelling:

- a point without a unit, an object with `no-units` (or without a `units` property), or the
  same spelling on both sides: values pass as they are;
- two units of one quantity: values are converted into the point's unit;
- two quantities (a flow object bound to a temperature point): `incompatible-units`. Such an
  object's values are not written: the binding is provably wrong.
- a unit graphtwin does not know on either side (`volts` against `V`, `revolutions-per-minute`
  against `RPM`: BMS points measure much that graphtwin.units has no entry for): the values
  pass as they are, `unchecked` (the connector says so once, naming both units). A twin that
  dropped every value it cannot check would lose most of a real BMS's points; one that
  converted a guess would be wrong. Adding an alias to graphtwin.units makes such a pair
  checked.

>>> unit_mapping("degrees-fahrenheit", "DEG_C").convert(68.0)
20.0
>>> unit_mapping("cubic-feet-per-minute", "DEG_C").problem
'incompatible-units'
>>> unit_mapping("no-units", "DEG_C").convert(3)
3
>>> unit_mapping("volts", "V").unchecked
True
"""

from __future__ import annotations

from dataclasses import dataclass

from graphtwin.units import convert, unit

NO_UNITS = "no-units"
INCOMPATIBLE = "incompatible-units"
UNCHECKED = (
    "the units cannot be checked (one is not in graphtwin.units), its values are written as "
    "they are"
)
"""What the connector's warning says of an `unchecked` pair."""


@dataclass(frozen=True, slots=True)
class UnitMapping:
    """How one object's values become its point's: as they are (`source` None), converted from
    `source` to `target` (canonical symbols of graphtwin.units), or not at all (`problem`, a
    reason word). `unchecked`: passed as they are, though a unit could not be read."""

    source: str | None = None
    target: str | None = None
    problem: str | None = None
    unchecked: bool = False

    def convert(self, value: float | int) -> float | int:
        """`value` in the point's unit (as it is when there is nothing to convert)."""
        if self.source is None or self.source == self.target:
            return value
        return convert(value, self.source, self.target)


AS_IS = UnitMapping()


def unit_mapping(object_units: str | None, point_unit: str | None) -> UnitMapping:
    """How values of an object in `object_units` (None: not known) reach a point in
    `point_unit` (None or blank: the point has none); see the module doc."""
    if point_unit is None or not point_unit.strip():
        return AS_IS
    if object_units is None or object_units in (NO_UNITS, point_unit):
        return AS_IS
    source, target = unit(object_units), unit(point_unit)
    if source is None or target is None:
        return UnitMapping(unchecked=True)
    if source.quantity != target.quantity:
        return UnitMapping(problem=INCOMPATIBLE)
    return UnitMapping(source.symbol, target.symbol)
