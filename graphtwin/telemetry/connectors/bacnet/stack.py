"""Our end of BACnet/IP: a bacpypes3 application on a local interface, and what its answers
mean to the twin (numbers, error reasons, timeouts)."""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from typing import Any

from bacpypes3.apdu import AbortPDU, ErrorRejectAbortNack
from bacpypes3.app import Application
from bacpypes3.basetypes import ErrorType
from bacpypes3.ipv4.app import ForeignApplication, NormalApplication
from bacpypes3.local.device import DeviceObject
from bacpypes3.pdu import Address

from graphtwin.errors import GraphTwinError
from graphtwin.telemetry.bindings import BacnetSource

VENDOR_ID = 999  # BACnet's number for "not assigned"; we speak only standard objects


def client_device_instance(name: str) -> int:
    """A device instance for our own end, stable per source, high in the range where
    building devices rarely are."""
    return 4_194_000 + zlib.crc32(name.encode()) % 300


def local_application(
    local: str,
    name: str,
    *,
    timeout_s: float,
    bbmd: str | None = None,
    ttl_s: int = 300,
) -> Application:
    """Our BACnet/IP interface at `local` ("address[/prefix]:port", port 0 for a free one):
    a device object of our own whose confirmed requests wait `timeout_s` once, never retried
    (the connector retries, with its backoff and its counts)."""
    device = DeviceObject(
        objectIdentifier=("device", client_device_instance(name)),
        objectName=f"graphtwin {name}"[:64],
        vendorIdentifier=VENDOR_ID,
        maxApduLengthAccepted=1476,
        segmentationSupported="segmented-both",
        apduTimeout=max(1, int(timeout_s * 1000)),
        numberOfApduRetries=0,
    )
    if bbmd is None:
        return NormalApplication(device, Address(local))
    app = ForeignApplication(device, Address(local))
    app.register(Address(bbmd), ttl_s)
    return app


class NoAnswerError(GraphTwinError):
    """The device did not answer in time (the connector counts it and reconnects)."""


def is_no_answer(answer: object) -> bool:
    return isinstance(answer, AbortPDU) and str(answer.apduAbortRejectReason) in (
        "no-response",
        "noResponse",
    )


def error_reason(answer: object) -> str:
    """A short stable word for an error a device answered: its error code (unknown-object,
    unknown-property, ...), reject or abort reason."""
    code = getattr(answer, "errorCode", None)
    if code is not None:
        return str(code)
    reason = getattr(answer, "apduAbortRejectReason", None)
    if reason is not None:
        return f"{'abort' if isinstance(answer, AbortPDU) else 'reject'}-{reason}"
    return type(answer).__name__.lower()


def is_error(value: object) -> bool:
    return isinstance(value, ErrorType | ErrorRejectAbortNack)


async def ask(request: Any, timeout_s: float) -> Any:
    """A confirmed request's answer; NoAnswerError when none comes. bacpypes3 raises an error,
    reject or abort as an exception: it is returned here, as an answer.

    `asyncio.timeout`, not `wait_for`: on Python 3.11, `wait_for` swallows a cancellation that
    arrives as the answer does, and a connector polling back to back would then never stop
    (`sync` waits for it when it ends)."""
    try:
        async with asyncio.timeout(timeout_s + 1.0):
            answer = await request
    except TimeoutError as exc:
        raise NoAnswerError("no answer") from exc
    except ErrorRejectAbortNack as exc:
        answer = exc
    if is_no_answer(answer):
        raise NoAnswerError("no answer")
    return answer


async def read_list(
    app: Application, address: Address, identifier: Any, prop: str, timeout_s: float
) -> Any:
    """A property read whole or, when the device cannot send it whole (an error answer, as
    an array too long for one APDU without segmentation), item by item: its length (index 0),
    then each item. The first error answer when neither works."""
    whole = await ask(app.read_property(address, identifier, prop), timeout_s)
    if not is_error(whole):
        return whole
    count = await ask(app.read_property(address, identifier, prop, 0), timeout_s)
    if is_error(count):
        return whole
    items = []
    for index in range(1, int(count) + 1):
        item = await ask(app.read_property(address, identifier, prop, index), timeout_s)
        if not is_error(item):
            items.append(item)
    return items


def number(value: object) -> float | int | None:
    """A present-value as a number (Real, Unsigned, Boolean, an enumeration such as
    BinaryPV's inactive/active as 0/1), or None for what is not one."""
    if isinstance(value, bool | int | float):
        return value if isinstance(value, float) else int(value)
    return None


@dataclass
class Device:
    """A device found by Who-Is: its instance, address and the largest APDU it accepts."""

    instance: int
    address: Address
    max_apdu: int


async def find_device(app: Application, source: BacnetSource, instance: int | None) -> Device:
    """A device's address and max APDU from its I-Am; NoAnswerError when none answers."""
    own = instance is None or instance == source.device
    to = Address(source.address) if own and source.address else None
    low = high = instance
    answers = await ask(app.who_is(low, high, to, timeout=source.timeout_s), source.timeout_s)
    for i_am in answers or ():
        found = i_am.iAmDeviceIdentifier[1]
        if instance is None or found == instance:
            return Device(found, i_am.pduSource, int(i_am.maxAPDULengthAccepted))
    raise NoAnswerError(f"no I-Am from device {instance if instance is not None else to}")
