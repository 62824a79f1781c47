"""How the objects a connector polls are cut into ReadPropertyMultiple requests.

One request asks a device for the five properties of many objects; its answer must fit in
one APDU of the size the device accepts (its I-Am's max-APDU-length-accepted), since a device
need not support segmentation. An answer for one object, encoded, is at most about
`BYTES_PER_OBJECT` bytes (object identifier and tags, a Real present-value, the status-flags
bit string, reliability and units enumerations, a Boolean out-of-service).

>>> objects_per_request(1476)
29
>>> [len(b) for b in batches(list(range(70)), 480)]
[9, 9, 9, 9, 9, 9, 9, 7]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

PROPERTIES = ("present-value", "status-flags", "reliability", "out-of-service", "units")
BYTES_PER_OBJECT = 50
APDU_HEADER = 12  # the complex-ACK header and slack
MIN_APDU = 50  # BACnet's smallest max-APDU

T = TypeVar("T")


def objects_per_request(max_apdu: int) -> int:
    """How many objects' answers fit in one APDU of `max_apdu` bytes (at least one)."""
    return max(1, (max(max_apdu, MIN_APDU) - APDU_HEADER) // BYTES_PER_OBJECT)


def batches(items: Sequence[T], max_apdu: int) -> list[list[T]]:
    """`items` in order, cut into requests whose answers fit `max_apdu`."""
    size = objects_per_request(max_apdu)
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
