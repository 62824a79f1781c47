"""Units of measure: one canonical symbol per unit, and conversion between compatible units.

Values reach the twin in the spellings of their sources: QUDT local names from Brick
(`DEG_C`, `M3-PER-SEC`, `KiloPA`), graphtwin's own (`degC`, `m3/s`, `kPa`), BACnet's
engineering units (the enumeration's names: `degrees-celsius`, `cubic-feet-per-minute`) and
what people type (`°C`, `L/s`). Constraints can only be combined and checked once they speak
one unit, so every spelling is normalised to a canonical symbol here and converted through the
SI unit of its quantity (`si = value * scale + offset`; the offset is what makes degC and degF
work). Binding suggestions compare quantities: an address in degC fits a temperature point,
not a flow; the BACnet connector converts an object's values into its point's unit.

Contract: `normalise_unit` returns None for a unit it does not know; `convert` raises
`IncompatibleUnitsError` (a `GraphTwinError`) when either unit is unknown or the two measure
different quantities, so a caller never compares numbers it could not convert by accident.
Bounds are absolute values: a temperature *difference* (2 K) is not what a constraint holds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from graphtwin.errors import IncompatibleUnitsError


@dataclass(frozen=True, slots=True)
class Unit:
    """A canonical unit: its symbol, the quantity it measures and how it maps to SI."""

    symbol: str
    quantity: str
    scale: float
    offset: float = 0.0


_UNITS: tuple[Unit, ...] = (
    Unit("K", "temperature", 1.0),
    Unit("degC", "temperature", 1.0, 273.15),
    Unit("degF", "temperature", 5.0 / 9.0, 273.15 - 32.0 * 5.0 / 9.0),
    Unit("%", "ratio", 0.01),
    Unit("ppm", "concentration", 1e-6),
    Unit("ppb", "concentration", 1e-9),
    Unit("m3/s", "volume_flow", 1.0),
    Unit("l/s", "volume_flow", 1e-3),
    Unit("l/min", "volume_flow", 1e-3 / 60.0),
    Unit("m3/h", "volume_flow", 1.0 / 3600.0),
    Unit("cfm", "volume_flow", 0.3048**3 / 60.0),
    Unit("Pa", "pressure", 1.0),
    Unit("hPa", "pressure", 100.0),
    Unit("kPa", "pressure", 1000.0),
    Unit("bar", "pressure", 1e5),
    Unit("W", "power", 1.0),
    Unit("kW", "power", 1000.0),
    Unit("MW", "power", 1e6),
    Unit("J", "energy", 1.0),
    Unit("kJ", "energy", 1e3),
    Unit("MJ", "energy", 1e6),
    Unit("Wh", "energy", 3600.0),
    Unit("kWh", "energy", 3.6e6),
    Unit("MWh", "energy", 3.6e9),
    Unit("kg/s", "mass_flow", 1.0),
    Unit("kg/min", "mass_flow", 1.0 / 60.0),
    Unit("kg/h", "mass_flow", 1.0 / 3600.0),
)
UNITS: dict[str, Unit] = {u.symbol: u for u in _UNITS}
"""Canonical symbol -> unit."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "K": ("K", "kelvin", "DEG_K", "degrees-kelvin"),
    "degC": ("degC", "DEG_C", "°C", "℃", "celsius", "degree_Celsius", "deg_C", "degrees-celsius"),
    "degF": (
        "degF",
        "DEG_F",
        "°F",
        "℉",
        "fahrenheit",
        "degree_Fahrenheit",
        "deg_F",
        "degrees-fahrenheit",
    ),
    "%": ("%", "percent", "PERCENT", "PERCENT_RH", "%RH", "pct", "percent-relative-humidity"),
    "ppm": ("ppm", "PPM", "PPM_V", "parts-per-million"),
    "ppb": ("ppb", "PPB", "parts-per-billion"),
    "m3/s": ("m3/s", "m³/s", "M3-PER-SEC", "m3s-1", "m^3/s", "cubic-meters-per-second"),
    "l/s": ("l/s", "L/s", "L-PER-SEC", "lps", "liters-per-second"),
    "l/min": ("l/min", "L/min", "L-PER-MIN", "lpm", "liters-per-minute"),
    "m3/h": ("m3/h", "m³/h", "m3/hr", "M3-PER-HR", "m^3/h", "cmh", "cubic-meters-per-hour"),
    "cfm": ("cfm", "CFM", "FT3-PER-MIN", "ft3/min", "cubic-feet-per-minute"),
    "Pa": ("Pa", "PA", "pascal", "pascals"),
    "hPa": ("hPa", "HectoPA", "mbar", "MilliBAR", "hectopascals", "millibars"),
    "kPa": ("kPa", "KiloPA", "kilopascals"),
    "bar": ("bar", "BAR", "bars"),
    "W": ("W", "watt", "watts"),
    "kW": ("kW", "KiloW", "kilowatts"),
    "MW": ("MW", "MegaW", "megawatts"),
    "J": ("J", "joule", "joules"),
    "kJ": ("kJ", "KiloJ", "kilojoules"),
    "MJ": ("MJ", "MegaJ", "megajoules"),
    "Wh": ("Wh", "W-HR", "watt-hours"),
    "kWh": ("kWh", "KiloW-HR", "kW.h", "kilowatt-hours"),
    "MWh": ("MWh", "MegaW-HR", "megawatt-hours"),
    "kg/s": ("kg/s", "KiloGM-PER-SEC", "kilograms-per-second"),
    "kg/min": ("kg/min", "KiloGM-PER-MIN", "kilograms-per-minute"),
    "kg/h": ("kg/h", "kg/hr", "KiloGM-PER-HR", "kilograms-per-hour"),
}
_EXACT: dict[str, str] = {a: symbol for symbol, aliases in _ALIASES.items() for a in aliases}
# Case-insensitive fallback only where the lower-cased spelling is unambiguous: "pa" is pascal,
# but a lone "k" must not become kelvin when someone means kilo of something, nor "mw" (milli)
# megawatts.
_CASE_SENSITIVE = frozenset({"K", "MW", "MJ", "MWh"})
_FOLDED: dict[str, str] = {
    alias.casefold(): symbol
    for alias, symbol in reversed(_EXACT.items())
    if alias not in _CASE_SENSITIVE
}

_QUDT_PREFIXES = ("http://qudt.org/vocab/unit/", "https://qudt.org/vocab/unit/", "unit:")


@functools.lru_cache(maxsize=4096)
def normalise_unit(text: str | None) -> str | None:
    """The canonical symbol of a unit spelling (`DEG_C`, `°C`, `degC` -> `degC`), or None when
    the spelling is unknown (or empty)."""
    if text is None:
        return None
    spelling = text.strip()
    for prefix in _QUDT_PREFIXES:
        if spelling.startswith(prefix):
            spelling = spelling.removeprefix(prefix)
            break
    if not spelling:
        return None
    return _EXACT.get(spelling) or _FOLDED.get(spelling.casefold())


def unit(text: str | None) -> Unit | None:
    """The unit a spelling stands for, or None when unknown."""
    symbol = normalise_unit(text)
    return UNITS[symbol] if symbol else None


def compatible(a: str | None, b: str | None) -> bool:
    """Whether values in `a` can be converted to `b` (both known, same quantity)."""
    ua, ub = unit(a), unit(b)
    return ua is not None and ub is not None and ua.quantity == ub.quantity


def convert(value: float, from_unit: str | None, to_unit: str | None) -> float:
    """`value` in `from_unit`, expressed in `to_unit`.

    Raises `IncompatibleUnitsError` when a unit is unknown or the quantities differ. Results
    are rounded to 12 significant digits, so that 20 degC -> K -> degC is 20.0 again and bounds
    that are equal in different units compare equal.
    """
    source, target = unit(from_unit), unit(to_unit)
    if source is None or target is None:
        unknown = from_unit if source is None else to_unit
        raise IncompatibleUnitsError(from_unit, to_unit, f"unknown unit {unknown!r}")
    if source.quantity != target.quantity:
        raise IncompatibleUnitsError(
            from_unit,
            to_unit,
            f"{source.symbol} is a {source.quantity}, {target.symbol} a {target.quantity}",
        )
    if source is target:
        return float(value)
    si = value * source.scale + source.offset
    return float(f"{(si - target.offset) / target.scale:.12g}")
