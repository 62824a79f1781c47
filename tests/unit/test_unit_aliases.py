"""BACnet's engineering-unit names normalise like any other spelling (graphtwin.units), and
how a BACnet object's values reach a point in another unit (bacnet/point_units.py)."""

from __future__ import annotations

import pytest

from graphtwin.telemetry.connectors.bacnet.point_units import (
    INCOMPATIBLE,
    unit_mapping,
)
from graphtwin.units import convert, normalise_unit


@pytest.mark.parametrize(
    ("bacnet", "symbol"),
    [
        ("degrees-celsius", "degC"),
        ("degrees-fahrenheit", "degF"),
        ("degrees-kelvin", "K"),
        ("percent", "%"),
        ("percent-relative-humidity", "%"),
        ("parts-per-million", "ppm"),
        ("cubic-feet-per-minute", "cfm"),
        ("liters-per-second", "l/s"),
        ("cubic-meters-per-hour", "m3/h"),
        ("pascals", "Pa"),
        ("kilopascals", "kPa"),
        ("watts", "W"),
        ("kilowatts", "kW"),
        ("megawatts", "MW"),
        ("joules", "J"),
        ("kilowatt-hours", "kWh"),
        ("kilograms-per-second", "kg/s"),
        ("kilograms-per-hour", "kg/h"),
    ],
)
def test_bacnet_engineering_unit_names_are_aliases(bacnet: str, symbol: str):
    assert normalise_unit(bacnet) == symbol
    assert normalise_unit(bacnet.upper()) == symbol  # case-insensitive where unambiguous


def test_no_units_and_bacnet_names_graphtwin_lacks_are_not_units():
    assert normalise_unit("no-units") is None
    assert normalise_unit("lumens") is None


def test_a_lower_case_m_is_not_mega():
    assert normalise_unit("MW") == "MW" and normalise_unit("mw") is None
    assert normalise_unit("MWh") == "MWh" and normalise_unit("mwh") is None


def test_energy_and_mass_flow_convert_within_their_quantity():
    assert convert(2.5, "kilowatt-hours", "J") == 9_000_000.0
    assert convert(3600.0, "kilograms-per-hour", "kg/s") == 1.0
    assert convert(1.0, "KiloW-HR", "Wh") == 1000.0


def test_an_object_value_is_converted_into_its_points_unit():
    assert unit_mapping("degrees-fahrenheit", "DEG_C").convert(212.0) == 100.0
    assert unit_mapping("kilopascals", "PA").convert(0.25) == 250.0
    assert unit_mapping("cubic-feet-per-minute", "L-PER-SEC").convert(1.0) == pytest.approx(
        0.4719474432
    )


@pytest.mark.parametrize(
    ("object_units", "point_unit"),
    [
        ("no-units", "DEG_C"),  # the object does not say
        (None, "DEG_C"),  # no units property
        ("degrees-fahrenheit", None),  # the point does not say
        ("degrees-fahrenheit", " "),
        ("lumens", "lumens"),  # one spelling, even unknown
        ("degrees-celsius", "degC"),  # one unit
    ],
)
def test_values_pass_as_they_are_when_there_is_nothing_to_convert(
    object_units: str | None, point_unit: str | None
):
    mapping = unit_mapping(object_units, point_unit)
    assert mapping.problem is None
    assert mapping.convert(21) == 21 and isinstance(mapping.convert(21), int)


@pytest.mark.parametrize(
    ("object_units", "point_unit", "problem"),
    [
        ("cubic-feet-per-minute", "DEG_C", INCOMPATIBLE),
        ("percent", "PA", INCOMPATIBLE),
    ],
)
def test_units_that_cannot_be_converted_are_a_problem(
    object_units: str, point_unit: str, problem: str
):
    assert unit_mapping(object_units, point_unit).problem == problem


@pytest.mark.parametrize(
    ("object_units", "point_unit"),
    [
        ("lumens", "DEG_C"),  # an object unit graphtwin does not know
        ("degrees-celsius", "furlongs"),  # a point unit graphtwin does not know
        ("volts", "V"),  # neither
    ],
)
def test_a_unit_graphtwin_does_not_know_is_unchecked_and_its_values_pass_as_they_are(
    object_units: str, point_unit: str
):
    mapping = unit_mapping(object_units, point_unit)
    assert mapping.unchecked and mapping.problem is None
    assert mapping.convert(230.5) == 230.5
