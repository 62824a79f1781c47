"""measuring_classes: the Brick class names reasoning/point_values filters points by must be
exactly those `measured_properties` maps to the wanted properties (a class left out would
drop a point's value from the constraint check without a word)."""

from __future__ import annotations

from graphtwin.reasoning.observations import measured_properties, measuring_classes

CLASSES = [
    "Zone_Air_Temperature_Sensor",
    "Zone_Air_Temperature_Setpoint",
    "Supply_Air_Temperature_Sensor",
    "Supply_Air_Flow_Sensor",
    "Fan_Speed_Command",
    "Lighting_Status",
    "CO2_Sensor",
    "Zone_Air_Temperature",
    "Zone_Air_Temperature_Sensor_Status",
]


def test_the_classes_are_exactly_those_that_measure_a_wanted_property() -> None:
    wanted = {"zone_air_temperature", "supply_air_flow", "co2", "lighting"}
    names = set(measuring_classes(wanted))
    for brick_class in CLASSES:
        measures = bool(measured_properties(None, brick_class) & wanted)
        assert (brick_class.lower() in names) == measures, brick_class


def test_a_property_named_like_a_point_role_is_measured_only_with_a_further_suffix() -> None:
    names = measuring_classes(["fan_status"])
    assert "fan_status" not in names  # Fan_Status measures `fan`
    assert "fan_status_sensor" in names
