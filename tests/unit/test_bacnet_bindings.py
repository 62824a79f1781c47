"""A bindings file's BACnet source and bindings, and the pure parts of the BACnet connector
(quality from an object's status, ReadPropertyMultiple batches), without a network."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from graphtwin.errors import SchemaViolationError
from graphtwin.telemetry.bindings import BindingsFile
from graphtwin.telemetry.connectors.bacnet.batches import (
    DESCRIBED,
    POLLED,
    batches,
    objects_per_request,
)
from graphtwin.telemetry.connectors.bacnet.quality import quality_of


def spec(source: dict, *bindings: dict) -> BindingsFile:
    return BindingsFile.model_validate(
        {
            "graphtwin-bindings": 1,
            "sources": [{"id": "bms", "type": "bacnet", **source}],
            "bindings": [{"source": "bms", "point": {"twin_id": "p"}, **b} for b in bindings],
        }
    ).checked()


def test_a_bacnet_binding_is_reported_under_its_object_and_device_when_it_names_one():
    file = spec(
        {"device": 1001, "address": "10.0.0.5:47808"},
        {"object_type": "analog-input", "instance": 3},
        {"object_type": "analog-value", "instance": 3, "device": 1002},
    )
    assert [b.source_address for b in file.bindings] == ["analog-input,3", "1002:analog-value,3"]
    assert {b.address_kind for b in file.bindings} == {"bacnet"}
    assert file.sources[0].cov_lifetime_s == 300 and not file.sources[0].bind_references


@pytest.mark.parametrize(
    ("binding", "message"),
    [
        ({"object_type": "analogInput", "instance": 3}, "hyphenated name 'analog-input'"),
        ({"object_type": "analog-inpt", "instance": 3}, "not a BACnet object type"),
        ({"object_type": "analog-input"}, "needs both object_type and instance"),
        ({"object_type": "analog-input", "instance": 4_194_303}, "less than or equal"),
        ({"object_type": "analog-input", "instance": 1, "column": "x"}, "one address"),
        (
            {"object_type": "analog-input", "instance": 1, "trend_log": "trend-log-many,1"},
            "should match pattern",
        ),
        ({"trend_log": "trend-log,1", "column": "x"}, "trend_log belong to a BACnet binding"),
    ],
)
def test_a_bacnet_binding_names_a_real_object_type_and_instance(binding, message):
    with pytest.raises(ValidationError, match=message):
        spec({"device": 1}, binding)


def test_a_bacnet_source_names_its_device_or_address_and_binds_references_by_device():
    with pytest.raises(ValidationError, match="names its device, its address or both"):
        spec({"local": "127.0.0.1:47808"})
    with pytest.raises(ValidationError, match="bind_references needs the source's device"):
        spec({"address": "127.0.0.1:47809", "bind_references": True})
    with pytest.raises(ValidationError, match="local"):
        spec({"device": 1, "local": "not an address!"})
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        spec({"device": 1, "log_time_zone": "Mars/Olympus"})


def test_a_binding_to_a_bacnet_source_needs_a_bacnet_address():
    with pytest.raises(SchemaViolationError, match="needs a bacnet address"):
        spec({"device": 1}, {"node_id": "ns=2;s=x"})


@pytest.mark.parametrize(
    ("flags", "reliability", "out_of_service", "quality"),
    [
        ([0, 0, 0, 0], "no-fault-detected", False, "good"),
        ([1, 0, 0, 0], "no-fault-detected", False, "good"),  # in alarm: the value is real
        ([0, 0, 0, 1], "no-fault-detected", True, "uncertain"),
        ([0, 0, 1, 0], None, None, "uncertain"),  # overridden
        ([0, 1, 0, 0], None, False, "bad"),
        ([0, 0, 0, 0], "open-loop", False, "bad"),
        ([0, 1, 0, 1], "over-range", True, "bad"),  # a fault outweighs out of service
        (None, None, None, "good"),  # a device that reports none of them
    ],
)
def test_status_flags_reliability_and_out_of_service_set_the_quality(
    flags, reliability, out_of_service, quality
):
    assert quality_of(flags, reliability, out_of_service) == quality


def test_read_requests_are_cut_to_fit_the_devices_max_apdu():
    whole = len(DESCRIBED)
    assert objects_per_request(50, whole) == 1  # BACnet's smallest APDU still reads one object
    assert (
        objects_per_request(1476, whole)
        > objects_per_request(480, whole)
        > objects_per_request(206, whole)
    )
    cut = batches(list(range(100)), 480, whole)
    assert [x for b in cut for x in b] == list(range(100))
    assert max(len(b) for b in cut) == objects_per_request(480, whole)


def test_a_poll_reads_fewer_properties_and_so_more_objects_per_request():
    assert set(POLLED) < set(DESCRIBED) and "units" not in POLLED
    assert objects_per_request(1476, len(POLLED)) >= 2 * objects_per_request(1476, len(DESCRIBED))
