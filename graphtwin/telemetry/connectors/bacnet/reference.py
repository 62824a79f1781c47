"""BACnet object identities as the twin spells them, without a network.

A BACnet object is named by its device instance, object type and instance. The twin spells it:

- in a binding: `object_type: analog-value`, `instance: 5`, optional `device: 1001`;
- as a reference (what discovery reports and a point's properties can spell):
  `bacnet:1001:analog-value,5`;
- on a point imported from Brick (`ref:BACnetReference`): `bacnet_object_identifier:
  "analog-value,5"` and `bacnet_device_instance: 1001` (the device's `bacnet:device-instance`,
  which Brick keeps on the device node `bacnet:objectOf` points at).

>>> bacnet_reference({"bacnet_object_identifier": "analog-value,5", "bacnet_device_instance": 1001})
'bacnet:1001:analog-value,5'
>>> object_type_name("analogInput")
'analog-input'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

MAX_INSTANCE = 4_194_302  # 22 bits; 4194303 is the "unconfigured" wildcard
_OBJECT_ID = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*)\s*[,:]\s*(\d+)\s*$")


@cache
def object_type_name(text: str) -> str:
    """BACnet's hyphenated name of an object type given hyphenated or camelCase, or a
    ValueError for a name BACnet does not define (vendor types are numbers, not names)."""
    from bacpypes3.primitivedata import ObjectType  # a second to import: only when needed

    try:
        return str(ObjectType(text))
    except (ValueError, TypeError, KeyError):
        raise ValueError(f"{text!r} is not a BACnet object type") from None


def parse_object_identifier(text: str) -> tuple[str, int]:
    """`"analog-value,5"` (or `analogValue:5`) as `("analog-value", 5)`; a ValueError otherwise."""
    match = _OBJECT_ID.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a BACnet object identifier like 'analog-value,5'")
    instance = int(match.group(2))
    if instance > MAX_INSTANCE:
        raise ValueError(f"instance {instance} is above BACnet's {MAX_INSTANCE}")
    return object_type_name(match.group(1)), instance


def reference(device: int, object_type: str, instance: int) -> str:
    """The reference of one object: `bacnet:<device>:<object-type>,<instance>`."""
    return f"bacnet:{device}:{object_type},{instance}"


def bacnet_reference(properties: Mapping[str, object]) -> str | None:
    """The reference a twin point's `bacnet_*` properties spell, or None when they name no
    whole object (see `bacnet_object`)."""
    found = bacnet_object(properties)
    return None if found is None else reference(*found)


def bacnet_object(properties: Mapping[str, object]) -> tuple[int, str, int] | None:
    """(device, object type, instance) from a point's `bacnet_*` properties, or None when they
    name no whole object (no identifier, no device instance, or one that is not BACnet's).

    The device comes from `bacnet_device_instance` (or `bacnet_device`); the object from
    `bacnet_object_identifier`, or from `bacnet_object_type` and `bacnet_object_instance`."""
    device = _integer(properties.get("bacnet_device_instance", properties.get("bacnet_device")))
    if device is None or not 0 <= device <= MAX_INSTANCE:
        return None
    identifier = properties.get("bacnet_object_identifier")
    kind = properties.get("bacnet_object_type")
    number = _integer(properties.get("bacnet_object_instance"))
    try:
        if isinstance(identifier, str):
            return (device, *parse_object_identifier(identifier))
        if isinstance(kind, str) and number is not None and 0 <= number <= MAX_INSTANCE:
            return device, object_type_name(kind), number
    except ValueError:
        pass
    return None


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
