import pytest

from graphtwin.prediction.kinds import PointKind, point_kind, policy


@pytest.mark.parametrize(
    ("brick_class", "unit", "name", "kind"),
    [
        ("Zone_Air_Temperature_Sensor", "degC", "zone air temp", PointKind.ZONE_TEMPERATURE),
        ("Discharge_Air_Temperature_Sensor", None, "", PointKind.SUPPLY_TEMPERATURE),
        ("Heating_Zone_Air_Temperature_Setpoint", "degC", "", PointKind.SETPOINT),
        ("Electrical_Energy_Usage_Sensor", "J", "electricity", PointKind.METER),
        ("Heating_Thermal_Power_Sensor", "W", "", PointKind.POWER),
        ("Fan_Status", None, "", PointKind.STATUS),
        ("Damper_Position_Sensor", None, "", PointKind.POSITION),
        (None, "kWh", "main meter", PointKind.METER),
        (None, None, "AHU-1 supply air temperature", PointKind.SUPPLY_TEMPERATURE),
        ("Not_A_Brick_Class", None, "mystery", PointKind.OTHER),
    ],
)
def test_a_point_s_kind_comes_from_its_class_then_unit_then_name(brick_class, unit, name, kind):
    assert point_kind(brick_class, unit, name) is kind


def test_only_meters_are_differenced_and_binary_states_stay_within_0_and_1():
    assert [k for k in PointKind if policy(k).counter] == [PointKind.METER]
    assert policy(PointKind.STATUS).clip == (0.0, 1.0)
    assert not policy(PointKind.OUTDOOR_TEMPERATURE).day_types
