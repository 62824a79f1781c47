"""BACnet references spelled by a point's bacnet_* properties (pure, no network)."""

from __future__ import annotations

import pytest

from graphtwin.telemetry.connectors.bacnet.reference import (
    bacnet_reference,
    object_type_name,
    parse_object_identifier,
)


def test_a_brick_points_identifier_and_device_instance_spell_its_reference():
    props = {"bacnet_object_identifier": "analog-value,5", "bacnet_device_instance": 1001}
    assert bacnet_reference(props) == "bacnet:1001:analog-value,5"


def test_camel_case_types_and_separate_type_and_instance_spell_the_same_reference():
    assert (
        bacnet_reference(
            {"bacnet_object_identifier": "analogInput:3", "bacnet_device_instance": "7"}
        )
        == "bacnet:7:analog-input,3"
    )
    assert (
        bacnet_reference(
            {"bacnet_object_type": "binary-value", "bacnet_object_instance": 2, "bacnet_device": 7}
        )
        == "bacnet:7:binary-value,2"
    )


@pytest.mark.parametrize(
    "props",
    [
        {"bacnet_object_identifier": "analog-value,5"},  # no device
        {"bacnet_object_identifier": "analog-value,5", "bacnet_device_instance": True},
        {"bacnet_object_identifier": "no-such-type,5", "bacnet_device_instance": 1},
        {"bacnet_object_identifier": "analog-value,99999999", "bacnet_device_instance": 1},
        {"bacnet_object_identifier": "analog-value", "bacnet_device_instance": 1},
        {"bacnet_device_instance": 1},
        {},
    ],
)
def test_properties_that_name_no_whole_object_spell_no_reference(props):
    assert bacnet_reference(props) is None


def test_object_types_must_be_bacnets_own():
    assert object_type_name("multiStateValue") == "multi-state-value"
    assert parse_object_identifier(" analog-output , 12 ") == ("analog-output", 12)
    with pytest.raises(ValueError, match="not a BACnet object type"):
        object_type_name("analog-valve")
