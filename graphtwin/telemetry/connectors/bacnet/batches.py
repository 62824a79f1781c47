"""Which properties the connector reads, and how its objects are cut into ReadPropertyMultiple
requests.

An object is read whole once a session (`DESCRIBED`: its units, which do not change, and its
reliability and out-of-service as they are), then polled for `POLLED` only: present-value and
status-flags, whose fault and out-of-service bits are what reliability and out-of-service
would say about the value's quality. Only an object whose fault flag is set has its
reliability (`FAULT_DETAIL`) read again, to say what the fault is.

One request asks a device for some properties of many objects; its answer must fit in one APDU
of the size the device accepts (its I-Am's max-APDU-length-accepted), since a device need not
support segmentation. An answer for one object, encoded, is at most about
`BYTES_PER_OBJECT` bytes plus `BYTES_PER_PROPERTY` per property (its identifier, the
opening and closing tags, and a value no longer than a Double or an error's class and code).

>>> objects_per_request(1476, len(DESCRIBED)), objects_per_request(1476, len(POLLED))
(25, 52)
>>> [len(b) for b in batches(list(range(70)), 480, len(DESCRIBED))]
[8, 8, 8, 8, 8, 8, 8, 8, 6]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

DESCRIBED = ("present-value", "status-flags", "reliability", "out-of-service", "units")
POLLED = ("present-value", "status-flags")
FAULT_DETAIL = ("reliability",)
BYTES_PER_OBJECT = 8  # the object identifier, the list's tags and slack
BYTES_PER_PROPERTY = 10
APDU_HEADER = 12  # the complex-ACK header and slack
MIN_APDU = 50  # BACnet's smallest max-APDU

T = TypeVar("T")


def objects_per_request(max_apdu: int, properties: int) -> int:
    """How many objects' answers of `properties` properties each fit in one APDU of
    `max_apdu` bytes (at least one)."""
    per_object = BYTES_PER_OBJECT + BYTES_PER_PROPERTY * properties
    return max(1, (max(max_apdu, MIN_APDU) - APDU_HEADER) // per_object)


def batches(items: Sequence[T], max_apdu: int, properties: int) -> list[list[T]]:
    """`items` in order, cut into requests whose answers of `properties` properties per
    object fit `max_apdu`."""
    size = objects_per_request(max_apdu, properties)
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
