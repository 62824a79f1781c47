"""Property and quantity values in SI, with the unit recorded.

IFC values are in the project's units (millimetres, square feet, degrees Fahrenheit, ...) unless
the property names its own. The twin stores SI (degrees Celsius for temperatures, which are an
SI derived unit and what building people read) and keeps the unit symbol next to the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import ifcopenshell
import ifcopenshell.util.unit as ifc_units

# measure class -> (IFC unit type, SI symbol)
MEASURES: dict[str, tuple[str, str]] = {
    "IfcLengthMeasure": ("LENGTHUNIT", "m"),
    "IfcPositiveLengthMeasure": ("LENGTHUNIT", "m"),
    "IfcNonNegativeLengthMeasure": ("LENGTHUNIT", "m"),
    "IfcAreaMeasure": ("AREAUNIT", "m2"),
    "IfcVolumeMeasure": ("VOLUMEUNIT", "m3"),
    "IfcMassMeasure": ("MASSUNIT", "kg"),
    "IfcTimeMeasure": ("TIMEUNIT", "s"),
    "IfcPowerMeasure": ("POWERUNIT", "W"),
    "IfcEnergyMeasure": ("ENERGYUNIT", "J"),
    "IfcPressureMeasure": ("PRESSUREUNIT", "Pa"),
    "IfcElectricCurrentMeasure": ("ELECTRICCURRENTUNIT", "A"),
    "IfcElectricVoltageMeasure": ("ELECTRICVOLTAGEUNIT", "V"),
    "IfcElectricResistanceMeasure": ("ELECTRICRESISTANCEUNIT", "ohm"),
    "IfcFrequencyMeasure": ("FREQUENCYUNIT", "Hz"),
    "IfcIlluminanceMeasure": ("ILLUMINANCEUNIT", "lx"),
    "IfcLuminousFluxMeasure": ("LUMINOUSFLUXUNIT", "lm"),
    "IfcPlaneAngleMeasure": ("PLANEANGLEUNIT", "rad"),
    "IfcPositivePlaneAngleMeasure": ("PLANEANGLEUNIT", "rad"),
    "IfcThermodynamicTemperatureMeasure": ("THERMODYNAMICTEMPERATUREUNIT", "degC"),
    "IfcVolumetricFlowRateMeasure": ("VOLUMETRICFLOWRATEUNIT", "m3/s"),
    "IfcMassFlowRateMeasure": ("MASSFLOWRATEUNIT", "kg/s"),
    "IfcLinearVelocityMeasure": ("LINEARVELOCITYUNIT", "m/s"),
    "IfcMassDensityMeasure": ("MASSDENSITYUNIT", "kg/m3"),
    "IfcThermalTransmittanceMeasure": ("THERMALTRANSMITTANCEUNIT", "W/(m2.K)"),
    "IfcThermalConductivityMeasure": ("THERMALCONDUCTANCEUNIT", "W/(m.K)"),
    "IfcHeatFluxDensityMeasure": ("HEATFLUXDENSITYUNIT", "W/m2"),
    "IfcSoundPowerMeasure": ("SOUNDPOWERUNIT", "W"),
    "IfcSoundPressureMeasure": ("SOUNDPRESSUREUNIT", "Pa"),
}
# quantity class -> (value attribute, IFC unit type or None, SI symbol or None)
QUANTITIES: dict[str, tuple[str, str | None, str | None]] = {
    "IfcQuantityLength": ("LengthValue", "LENGTHUNIT", "m"),
    "IfcQuantityArea": ("AreaValue", "AREAUNIT", "m2"),
    "IfcQuantityVolume": ("VolumeValue", "VOLUMEUNIT", "m3"),
    "IfcQuantityWeight": ("WeightValue", "MASSUNIT", "kg"),
    "IfcQuantityTime": ("TimeValue", "TIMEUNIT", "s"),
    "IfcQuantityCount": ("CountValue", None, None),
    "IfcQuantityNumber": ("NumberValue", None, None),
}
_TEMPERATURE = "THERMODYNAMICTEMPERATUREUNIT"


@dataclass(frozen=True, slots=True)
class Measured:
    value: float
    unit: str


class UnitConverter:
    """Converts one model's values to SI; the project's unit scales are computed once each."""

    def __init__(self, model: ifcopenshell.file) -> None:
        self._model = model
        self._scales: dict[str, float] = {}

    def measure(
        self, measure_class: str, value: float, unit: ifcopenshell.entity_instance | None = None
    ) -> Measured | None:
        """`value` of an IFC measure class in SI, or None for measures that carry no unit."""
        known = MEASURES.get(measure_class)
        if known is None:
            return None
        unit_type, symbol = known
        return Measured(self._to_si(unit_type, float(value), unit), symbol)

    def quantity(
        self, unit_type: str, value: float, unit: ifcopenshell.entity_instance | None, symbol: str
    ) -> Measured:
        return Measured(self._to_si(unit_type, float(value), unit), symbol)

    def _to_si(
        self, unit_type: str, value: float, unit: ifcopenshell.entity_instance | None
    ) -> float:
        if unit_type == _TEMPERATURE:
            return _celsius(value, unit or self._project_units.get(_TEMPERATURE))
        if unit is not None:
            return value * ifc_units.get_unit_scale(unit)
        if unit_type not in self._scales:
            project_unit = self._project_units.get(unit_type)
            scale = ifc_units.get_unit_scale(project_unit) if project_unit is not None else 1.0
            self._scales[unit_type] = scale
        return value * self._scales[unit_type]

    @cached_property
    def _project_units(self) -> dict[str, ifcopenshell.entity_instance]:
        projects = self._model.by_type("IfcProject")
        context = projects[0].UnitsInContext if projects else None
        units = (context.Units if context else None) or ()  # both may be null in real files
        return {u.UnitType: u for u in units if getattr(u, "UnitType", None)}


def _celsius(value: float, unit: ifcopenshell.entity_instance | None) -> float:
    """Degrees Celsius from the model's temperature unit (SI default: Kelvin per IFC)."""
    if unit is None:
        return value - 273.15
    name = (getattr(unit, "Name", "") or "").upper()
    if unit.is_a("IfcSIUnit"):
        return value if name == "DEGREE_CELSIUS" else value - 273.15
    if "FAHRENHEIT" in name:
        return (value - 32.0) * 5.0 / 9.0
    return value - 273.15 if "KELVIN" in name else value
