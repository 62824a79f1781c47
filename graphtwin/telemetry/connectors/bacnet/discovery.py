"""What a BACnet device offers to bind (`graphtwin bind --suggest`): its objects with a
numeric present-value, each with its object-name, description and units.

The device is found by Who-Is / I-Am (sent to the source's `address` when it has one, else
broadcast, which needs a fixed local port); its object-list is read whole, or item by item
when the device cannot send it in one APDU; names, descriptions and units come by
ReadPropertyMultiple in batches that fit the device's APDU.
"""

from __future__ import annotations

from typing import Any

from bacpypes3.app import Application
from bacpypes3.primitivedata import ObjectIdentifier

from graphtwin.errors import DiscoveryError
from graphtwin.telemetry.bindings import BacnetSource
from graphtwin.telemetry.connectors.bacnet.batches import DESCRIBED, batches
from graphtwin.telemetry.connectors.bacnet.reference import reference
from graphtwin.telemetry.connectors.bacnet.stack import (
    Device,
    NoAnswerError,
    ask,
    find_device,
    is_error,
    local_application,
    read_list,
)
from graphtwin.telemetry.discovery import DiscoveredAddress

VALUE_TYPES = frozenset(
    {
        "analog-input",
        "analog-output",
        "analog-value",
        "binary-input",
        "binary-output",
        "binary-value",
        "multi-state-input",
        "multi-state-output",
        "multi-state-value",
        "integer-value",
        "positive-integer-value",
        "large-analog-value",
        "accumulator",
        "pulse-converter",
    }
)
"""Object types whose present-value is a number: what a point can be bound to."""

DESCRIBING = ["object-name", "description", "units"]


async def discover_addresses(source: BacnetSource, *, timeout_s: float) -> list[DiscoveredAddress]:
    """The bindable objects of the source's device, in object-list order; a DiscoveryError
    when the device does not answer within `timeout_s` (per request)."""
    app = local_application(source.local, source.id, timeout_s=timeout_s, bbmd=source.bbmd)
    checked = source.model_copy(update={"timeout_s": timeout_s})
    try:
        device = await find_device(app, checked, source.device)
        identifiers = [
            i for i in await _object_list(app, device, timeout_s) if str(i[0]) in VALUE_TYPES
        ]
        described = await _describe(app, device, identifiers, timeout_s)
    except NoAnswerError as exc:
        where = source.address or f"device {source.device} (Who-Is)"
        raise DiscoveryError(source.id, f"{where} did not answer: {exc}") from exc
    finally:
        app.close()
    found = []
    for identifier in identifiers:
        object_type, instance = str(identifier[0]), int(identifier[1])
        about = described.get(str(identifier), {})
        found.append(
            DiscoveredAddress(
                {"object_type": object_type, "instance": instance},
                name=str(about.get("object-name") or f"{object_type},{instance}"),
                description=str(about.get("description") or ""),
                units=None if about.get("units") is None else str(about["units"]),
                reference=reference(device.instance, object_type, instance),
                # no path: the device instance (1001) would read as an equipment number
            )
        )
    return found


async def _object_list(app: Application, device: Device, timeout_s: float) -> list[Any]:
    me = ObjectIdentifier(("device", device.instance))
    items = await read_list(app, device.address, me, "object-list", timeout_s)
    if is_error(items):
        raise NoAnswerError(f"object-list unreadable: {items}")
    return list(items)


async def _describe(
    app: Application, device: Device, identifiers: list[Any], timeout_s: float
) -> dict[str, dict[str, Any]]:
    """object-name, description and units of each object (a property it lacks is left out)."""
    found: dict[str, dict[str, Any]] = {}
    # names and descriptions are longer than values: sized as five properties in half an APDU
    for batch in batches(identifiers, device.max_apdu // 2, len(DESCRIBED)):
        request: list[Any] = []
        for identifier in batch:
            request += [identifier, DESCRIBING]
        answer = await ask(app.read_property_multiple(device.address, request), timeout_s)
        if is_error(answer) or answer is None:
            continue
        for identifier, prop, _index, value in answer:
            if value is not None and not is_error(value):
                found.setdefault(str(identifier), {})[str(prop)] = value
    return found
