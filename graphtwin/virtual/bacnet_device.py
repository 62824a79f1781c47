"""A BACnet/IP device on this machine: an analog object per variable, with COV.

It plays a building's controller for the virtual building (`graphtwin virtual-building run
--protocol bacnet`), the tests and the benchmark: a bacpypes3 application on
127.0.0.1:<port> (a free port unless given) whose analog-value (or analog-input) objects hold
the values the engine produces. Each object reports its changes to COV subscribers
(COV increment 0: every change), and can be put out of service or in fault, or refuse COV
(`no_cov`), as a real device might. `stop()` then `start()` is a device that went silent and
came back: same port, same objects and values, and no subscriptions (a restarted device
forgets them). Its `trend_logs` (bacnet_trend_log.py) keep its objects' history: `log(at)`
records their present-values at `at`, and clients read the records by ReadRange; the logs,
like a controller's, outlive a restart.

>>> device = BacnetDevice(1001, [BacnetPoint("analog-value", 1, "AHU-1 SAT", 12.5)])
>>> device.identifier("AHU-1 SAT")
'analog-value,1'
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from graphtwin.virtual.bacnet_trend_log import TrendLog
from graphtwin.virtual.errors import BacnetPortInUseError, UnsupportedBacnetObjectError


@dataclass(frozen=True)
class BacnetPoint:
    """One object the device serves."""

    object_type: str  # analog-value | analog-input
    instance: int
    name: str
    value: float = 0.0
    units: str = "no-units"
    description: str = ""


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class BacnetDevice:
    """The device (see the module doc). Start and stop it inside a running asyncio loop."""

    def __init__(
        self,
        instance: int,
        points: Iterable[BacnetPoint],
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        name: str = "graphtwin virtual device",
        max_apdu: int = 1476,
        no_cov: Iterable[str] = (),
        trend_logs: Iterable[TrendLog] = (),
    ) -> None:
        self.instance = instance
        self.points = {p.name: p for p in points}
        self.host = host
        self.port = port or free_udp_port(host)
        self.name = name
        self.max_apdu = max_apdu
        self.no_cov = set(no_cov)  # names of objects whose COV subscriptions are refused
        self._values = {p.name: float(p.value) for p in self.points.values()}
        self.trend_logs = {log.identifier: log for log in trend_logs}
        self._names = {f"{p.object_type},{p.instance}": p.name for p in self.points.values()}
        self._objects: dict[str, Any] = {}
        self._log_objects: dict[tuple[str, int], Any] = {}
        self.app: Any = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def identifier(self, name: str) -> str:
        point = self.points[name]
        return f"{point.object_type},{point.instance}"

    async def start(self) -> None:
        from bacpypes3.ipv4.app import NormalApplication
        from bacpypes3.local.device import DeviceObject
        from bacpypes3.pdu import Address

        device = DeviceObject(
            objectIdentifier=("device", self.instance),
            objectName=self.name,
            vendorIdentifier=999,
            maxApduLengthAccepted=self.max_apdu,
            segmentationSupported="no-segmentation",
        )
        try:
            app = _device_application(NormalApplication)(device, Address(self.address))
        except OSError as exc:
            raise BacnetPortInUseError(self.address, exc) from exc
        self._objects = {}
        for point in self.points.values():
            obj = _make_object(point, self._values[point.name])
            app.add_object(obj)
            self._objects[point.name] = obj
        self._log_objects = {}
        for log in self.trend_logs.values():
            self._log_objects[log.identifier] = log.make_object(self.instance)
            app.add_object(self._log_objects[log.identifier])
        app.no_cov_ids = {self.identifier(n) for n in self.no_cov if n in self.points}
        app.trend_logs = self.trend_logs
        app.max_apdu = self.max_apdu
        self.app = app

    async def stop(self) -> None:
        if self.app is not None:
            self.app.close()
            self.app = None

    async def __aenter__(self) -> BacnetDevice:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def set(self, name: str, value: float) -> None:
        """A new present-value (subscribers are notified of the change)."""
        self._values[name] = float(value)
        if name in self._objects:
            self._objects[name].presentValue = float(value)

    def set_many(self, values: dict[str, float]) -> None:
        for name, value in values.items():
            self.set(name, value)

    def log(self, at: datetime) -> None:
        """One record in each trend log: its objects' present-values (and, in a single
        object's log, that object's status flags) at `at`."""
        for log in self.trend_logs.values():
            names = [self._names[member] for member in log.members]
            flags: Sequence[int] = (0, 0, 0, 0)
            if not log.multiple and names[0] in self._objects:
                flags = [int(bit) for bit in self._objects[names[0]].statusFlags]
            log.record(at, [self._values[name] for name in names], flags)
            obj = self._log_objects.get(log.identifier)
            if obj is not None:  # what a client reads of the log besides its records
                obj.recordCount, obj.totalRecordCount = log.held, log.total

    def out_of_service(self, name: str, out: bool = True) -> None:
        """The object out of service (or back): out-of-service and its status flag, as the
        standard has a device keep them."""
        obj = self._objects[name]
        obj.outOfService = out
        flags = [int(bit) for bit in obj.statusFlags]
        flags[3] = int(out)
        obj.statusFlags = flags

    def fault(self, name: str, reliability: str = "unreliable-other") -> None:
        """The object reports a fault: reliability set and the fault flag raised."""
        obj = self._objects[name]
        obj.reliability = reliability
        obj.statusFlags = [0, 1, 0, int(obj.outOfService)]


def _make_object(point: BacnetPoint, value: float) -> Any:
    from bacpypes3.local.analog import AnalogInputObject, AnalogValueObject

    cls = {"analog-value": AnalogValueObject, "analog-input": AnalogInputObject}.get(
        point.object_type
    )
    if cls is None:
        raise UnsupportedBacnetObjectError(
            f"a virtual BACnet device serves analog-value and analog-input, "
            f"not {point.object_type}",
            entity=point.name,
        )
    return cls(
        objectIdentifier=(point.object_type, point.instance),
        objectName=point.name,
        presentValue=value,
        statusFlags=[0, 0, 0, 0],
        eventState="normal",
        outOfService=False,
        reliability="no-fault-detected",
        covIncrement=0.0,
        units=point.units,
        description=point.description or point.name,
    )


def _device_application(base: type) -> Any:
    """The device's application class: bacpypes3's, refusing COV for the `no_cov` objects
    as a device without COV for them would, and answering ReadRange from its trend logs
    (which bacpypes3's device does not)."""
    from bacpypes3.errors import ExecutionError, ServicesError

    class _Device(base):  # type: ignore[misc, valid-type]
        # set on the instance by BacnetDevice.start
        no_cov_ids: ClassVar[set[str]] = set()
        trend_logs: ClassVar[dict[tuple[str, int], TrendLog]] = {}
        max_apdu: ClassVar[int] = 1476

        async def do_ReadRangeRequest(self, apdu: Any) -> None:  # noqa: N802 (bacpypes3's name)
            kind, instance = apdu.objectIdentifier
            log = self.trend_logs.get((str(kind), int(instance)))
            if log is None:
                raise ExecutionError(errorClass="object", errorCode="unknownObject")
            if str(apdu.propertyIdentifier) != "log-buffer":
                raise ExecutionError(errorClass="property", errorCode="propertyIsNotAList")
            if apdu.range is not None and apdu.range.byTime is not None:
                raise ServicesError(errorCode="optionalFunctionalityNotSupported")
            await self.response(log.answer(apdu, self.max_apdu))

        async def do_SubscribeCOVRequest(self, apdu: Any) -> None:  # noqa: N802 (bacpypes3's name)
            if str(apdu.monitoredObjectIdentifier) in self.no_cov_ids:
                raise ServicesError(errorCode="optionalFunctionalityNotSupported")
            await super().do_SubscribeCOVRequest(apdu)

    return _Device
