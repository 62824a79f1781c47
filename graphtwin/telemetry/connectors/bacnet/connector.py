"""BACnet/IP connector: one source's devices, read by ReadPropertyMultiple or followed by COV.

A session finds each bound device (a Who-Is for its instance, sent to the source's `address`
when it has one, else broadcast: a broadcast needs a fixed local port, since bacpypes3 does not
broadcast from port 0), learns its max APDU from the I-Am, then:

- subscribes to COV for every object whose rule's mode is `subscribe` (lifetime
  `cov_lifetime_s`, renewed by the connector at 3/4 of it). A device that refuses COV for an
  object (an error answer) has that object polled instead, every `period_s` of its rule;
- reads every object whole once a session (present-value, status-flags, reliability,
  out-of-service and units), then polls the other objects every `period_s` of their rule by
  ReadPropertyMultiple of present-value and status-flags only, as many objects per request as
  the device's max APDU holds (batches.py). The status-flags' fault and out-of-service bits
  say what reliability and out-of-service would; an object whose fault flag is set has its
  reliability read too (`BacnetConnector.faults`, by source address), and units do not change;
- maps status-flags (and reliability and out-of-service where read) to the reading's quality
  (quality.py) and keeps each object's `units` (`BacnetConnector.units`, by source address);
- converts each value from its object's `units` into its point's unit (point_units.py; the
  point's unit comes with the bindings' routes, `points`). An object in another quantity than
  its point's (`incompatible-units`) has none of its values written: it is counted under that
  reason once per session and left out until the next, like an unknown object, and the binding
  is named in one warning (point, object and both units), not one per value. A unit graphtwin
  does not know, on either side, cannot be checked: the values pass as they are, and one
  warning says so. The objects whose
  trend logs are read are read whole before the logs, so that no record arrives before its
  object's units are known; a COV notification that does (one a device sends as it accepts a
  subscription) is dropped for a point with a unit: the read that follows gives its value;
- reads the trend logs the bindings name (`trend_log`) every `log_period_s` of the source by
  ReadRange, from the record after the last one seen, each value with its record's time
  (trend_logs.py): the device's history, every value it logged, not only those a poll or a
  COV notification happened to see. `BacnetConnector.trend_logs.missed` counts what a gap lost.

Failures are counted in the source's health, never raised. An object the device does not know
(or a property it lacks, or any other error it answers for one object) is counted under the
device's error code (`unknown-object`, `unknown-property`, ...) once per session and left out
until the next session. No answer within `timeout_s` is `timeout`: the session ends (the source
is not connected), and the next one, after a backoff from 0.2 s doubling to `reconnect_max_s`,
finds the device again, subscribes again and polls again. With nothing to poll, the device
object's system-status is read every `HEARTBEAT_S` so that a silent device is noticed before a
subscription's renewal.

When the sync stops, subscriptions are abandoned, not cancelled: the device drops them when
their lifetime ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bacpypes3.app import Application
from bacpypes3.primitivedata import ObjectIdentifier
from bacpypes3.service.cov import SubscriptionContextManager
from bacpypes3.vendor import get_vendor_info

from graphtwin.errors import GraphTwinError
from graphtwin.telemetry.bindings import BacnetSource, Binding, SyncRule
from graphtwin.telemetry.connectors import every, require_addresses, until_first_ends
from graphtwin.telemetry.connectors.bacnet.batches import (
    DESCRIBED,
    FAULT_DETAIL,
    POLLED,
    batches,
)
from graphtwin.telemetry.connectors.bacnet.point_units import (
    UNCHECKED,
    UnitMapping,
    unit_mapping,
)
from graphtwin.telemetry.connectors.bacnet.quality import FAULT, NO_FAULT, quality_of
from graphtwin.telemetry.connectors.bacnet.stack import (
    Device,
    NoAnswerError,
    ask,
    error_reason,
    find_device,
    is_error,
    local_application,
    number,
)
from graphtwin.telemetry.connectors.bacnet.trend_logs import TrendLogs
from graphtwin.telemetry.readings import Reading, ReadingSink, SourceHealth

if TYPE_CHECKING:
    from graphtwin.telemetry.routing import Route

logger = logging.getLogger(__name__)

BACKOFF_START_S = 0.2
HEARTBEAT_S = 5.0
RENEW_AT = 0.75  # of the lifetime


@dataclass
class _Object:
    """One bound object: where it is and the address its readings are reported under."""

    device: int | None
    identifier: ObjectIdentifier
    address: str  # Binding.source_address
    subscribe: bool
    period_s: float
    trend_log: ObjectIdentifier | None = None  # the trend log holding its history
    point: str | None = None  # the bound point's twin_id, where the routes are known
    point_unit: str | None = None  # the bound point's unit (None: values are taken as-is)
    units: UnitMapping | None = None  # from its `units` to point_unit; None: not read yet
    flags: list[int] = field(default_factory=list)
    reliability: str | None = None
    out_of_service: bool | None = None
    described: bool = False  # read whole (DESCRIBED) this session

    @property
    def in_fault(self) -> bool:
        return len(self.flags) > FAULT and bool(self.flags[FAULT])


class BacnetConnector:
    """Reads and follows the bound objects of one BACnet source until cancelled."""

    def __init__(
        self,
        source: BacnetSource,
        bindings: list[Binding],
        rules: Callable[[Binding], SyncRule],
        *,
        points: Mapping[str, Route] | None = None,
        subscriber_base: int = 1,
    ) -> None:
        """`points`: the bound point of each source address (the sync's routes), whose unit
        the object's values are converted into; without them values are taken as-is."""
        require_addresses(source.id, bindings, "bacnet", "BACnet (object_type, instance)")
        self.source = source
        self.source_id = source.id
        points = points or {}
        self.objects = [
            _target(source, b, rules(b), points.get(b.source_address)) for b in bindings
        ]
        self._by_address = {o.address: o for o in self.objects}
        self._warned: set[tuple[str, str | None, str | None]] = set()  # unit problems told
        self.trend_logs = TrendLogs(source.id, self.objects, source.log_time_zone)
        self.units: dict[str, str] = {}  # source address -> the object's engineering units
        self.faults: dict[
            str, str
        ] = {}  # source address -> reliability, of a polled object in fault
        self.app: Application | None = None
        self._subscriber_base = subscriber_base
        self._was_up = False

    async def run(self, sink: ReadingSink, health: SourceHealth) -> None:
        sink = self._in_point_units(sink)
        delay = BACKOFF_START_S
        try:
            self.app = local_application(
                self.source.local,
                self.source_id,
                timeout_s=self.source.timeout_s,
                bbmd=self.source.bbmd,
                ttl_s=self.source.ttl_s,
            )
            while True:
                reason = "timeout"
                try:
                    await self._session(self.app, sink, health)
                except NoAnswerError as exc:
                    logger.debug("%s: no answer: %s", self.source_id, exc)
                except GraphTwinError:
                    raise
                except Exception:  # a device's odd answer must not end the connector
                    logger.warning("%s: unexpected BACnet failure", self.source_id, exc_info=True)
                    reason = "unexpected"
                finally:
                    health.connected = False
                health.failure(reason)
                if self._was_up:  # a session that worked: the next try starts the backoff anew
                    delay, self._was_up = BACKOFF_START_S, False
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.source.reconnect_max_s)
        finally:
            if self.app is not None:
                self.app.close()

    async def _session(self, app: Application, sink: ReadingSink, health: SourceHealth) -> None:
        """Find the devices, subscribe, poll; ends only by raising."""
        devices = await self._find_devices(app)
        for target in self.objects:
            target.described = False
        health.connected = True
        health.success()
        self._was_up = True
        skipped: set[str] = set()  # objects left out this session (an error answer)
        subscriptions = await self._subscribe(app, devices, sink, health, skipped)
        followed = {s.target.address for s in subscriptions}
        polled = [o for o in self.objects if o.address not in skipped | followed]
        # a subscription's first values: one read, as a poll would; and the units of objects
        # whose trend logs are read, before any record of theirs
        first = [s.target for s in subscriptions] + [o for o in polled if o.trend_log]
        await self._read(app, devices, first, sink, health, skipped)
        by_period: dict[float, list[_Object]] = {}
        for target in polled:
            by_period.setdefault(target.period_s, []).append(target)
        tasks = [
            asyncio.create_task(self._poll(app, devices, period, members, sink, health, skipped))
            for period, members in by_period.items()
        ]
        if subscriptions:
            tasks.append(asyncio.create_task(self._renew(subscriptions, health)))
        if self.trend_logs:
            tasks.append(asyncio.create_task(self._read_trend_logs(app, devices, sink, health)))
        if not by_period:
            tasks.append(asyncio.create_task(self._heartbeat(app, devices)))
        try:
            await until_first_ends(tasks)
            raise NoAnswerError("session ended")
        finally:
            for subscription in subscriptions:
                await subscription.abandon()

    async def _find_devices(self, app: Application) -> dict[int | None, Device]:
        """Each bound device by Who-Is / I-Am (key None: the source's device when the source
        names only its address)."""
        found: dict[int | None, Device] = {}
        for instance in {o.device for o in self.objects} | {self.source.device}:
            if instance not in found:
                found[instance] = await find_device(app, self.source, instance)
        return found

    async def _subscribe(
        self,
        app: Application,
        devices: dict[int | None, Device],
        sink: ReadingSink,
        health: SourceHealth,
        skipped: set[str],
    ) -> list[_Subscription]:
        made: list[_Subscription] = []
        for i, target in enumerate(o for o in self.objects if o.subscribe):
            device = devices[target.device]
            subscription = _Subscription(
                app,
                device.address,
                target.identifier,
                self._subscriber_base + i,
                False,
                self.source.cov_lifetime_s,
            )
            subscription.target = target
            subscription.deliver = lambda values, t=target: self._notified(t, values, sink)
            answer = await ask(subscription.__aenter__(), self.source.timeout_s)
            if is_error(answer):
                # refused: the device cannot report changes of this object; poll it
                logger.debug("%s: COV refused for %s: %s", self.source_id, target.address, answer)
                health.failure(f"cov-{error_reason(answer)}")
                continue
            made.append(subscription)
        return made

    async def _renew(self, subscriptions: list[_Subscription], health: SourceHealth) -> None:
        every = max(1.0, self.source.cov_lifetime_s * RENEW_AT)
        while True:
            await asyncio.sleep(every)
            for subscription in subscriptions:
                answer = await ask(subscription.renew(), self.source.timeout_s)
                if is_error(answer):
                    # the device forgot the object: end the session, which polls it instead
                    raise NoAnswerError(f"renewal refused: {error_reason(answer)}")
            health.success()

    async def _read_trend_logs(
        self,
        app: Application,
        devices: dict[int | None, Device],
        sink: ReadingSink,
        health: SourceHealth,
    ) -> None:
        timeout_s = self.source.timeout_s
        await self.trend_logs.columns(app, devices, health, timeout_s)
        async for _ in every(self.source.log_period_s):
            await self.trend_logs.read(app, devices, sink, health, timeout_s)

    async def _heartbeat(self, app: Application, devices: dict[int | None, Device]) -> None:
        device = devices[self.source.device]
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            await ask(
                app.read_property(
                    device.address, ObjectIdentifier(("device", device.instance)), "system-status"
                ),
                self.source.timeout_s,
            )

    async def _poll(
        self,
        app: Application,
        devices: dict[int | None, Device],
        period_s: float,
        targets: list[_Object],
        sink: ReadingSink,
        health: SourceHealth,
        skipped: set[str],
    ) -> None:
        due = [t for t in targets if not t.described]  # the session's first read did those
        async for _ in every(period_s):
            await self._read(app, devices, due, sink, health, skipped)
            due = targets

    async def _read(
        self,
        app: Application,
        devices: dict[int | None, Device],
        targets: list[_Object],
        sink: ReadingSink,
        health: SourceHealth,
        skipped: set[str],
    ) -> None:
        """One ReadPropertyMultiple per batch of each device's objects."""
        by_device: dict[int, list[_Object]] = {}
        for target in targets:
            if target.address not in skipped:
                by_device.setdefault(devices[target.device].instance, []).append(target)
        for instance, members in by_device.items():
            device = devices[instance]
            whole = [t for t in members if not t.described]
            polled = [t for t in members if t.described]
            for properties, group in ((DESCRIBED, whole), (POLLED, polled)):
                for batch in batches(group, device.max_apdu, len(properties)):
                    await self._read_batch(app, device, batch, properties, sink, health, skipped)

    async def _read_batch(
        self,
        app: Application,
        device: Device,
        batch: list[_Object],
        properties: tuple[str, ...],
        sink: ReadingSink,
        health: SourceHealth,
        skipped: set[str],
    ) -> None:
        """One ReadPropertyMultiple of `properties` of each object in `batch`, and of the
        reliability of those found in fault; their readings."""
        answer = await self._read_many(app, device, batch, properties)
        if is_error(answer) or answer is None:
            if len(batch) > 1:  # one bad object fails the whole request on some devices
                for target in batch:
                    await self._read_batch(app, device, [target], properties, sink, health, skipped)
                return
            self._skip(batch[0], error_reason(answer), health, skipped)
            return
        health.success()
        values = _by_object(answer)
        read: list[tuple[_Object, float | int]] = []
        for target in batch:
            key = str(target.identifier)
            present = values.get((key, "present-value"))
            if present is None or is_error(present):
                self._skip(target, error_reason(present), health, skipped)
                continue
            self._remember(target, values, key)
            if target.units is not None and target.units.problem is not None:
                self._unit_problem(target, target.units.problem, health, skipped)
                continue
            if target.units is not None and target.units.unchecked:
                self._tell_units(target, UNCHECKED)
            value = number(present)
            if value is None:
                self._skip(target, "not-a-number", health, skipped)
                continue
            read.append((target, value))
        faulted = [t for t, _ in read if t.in_fault and "reliability" not in properties]
        if faulted:
            await self._read_faults(app, device, faulted)
        for target, value in read:
            self._fault(target)
            quality = quality_of(target.flags, target.reliability, target.out_of_service)
            sink(Reading(self.source_id, target.address, value, None, quality))

    async def _read_many(
        self, app: Application, device: Device, batch: list[_Object], properties: tuple[str, ...]
    ) -> Any:
        request: list[Any] = []
        for target in batch:
            request += [target.identifier, list(properties)]
        return await ask(app.read_property_multiple(device.address, request), self.source.timeout_s)

    async def _read_faults(self, app: Application, device: Device, faulted: list[_Object]) -> None:
        """The reliability of objects whose fault flag is set (an error answer leaves it
        unknown: the flag alone makes their values bad)."""
        for batch in batches(faulted, device.max_apdu, len(FAULT_DETAIL)):
            answer = await self._read_many(app, device, batch, FAULT_DETAIL)
            values = {} if is_error(answer) or answer is None else _by_object(answer)
            for target in batch:
                reliability = values.get((str(target.identifier), "reliability"))
                if reliability is not None and not is_error(reliability):
                    target.reliability = str(reliability)

    def _remember(self, target: _Object, values: dict[tuple[str, str], Any], key: str) -> None:
        """The object's status from a read; reliability and out-of-service only from a
        whole read (a poll's status-flags carry their bits), units whenever read."""
        flags = values.get((key, "status-flags"))
        target.flags = [] if flags is None or is_error(flags) else [int(b) for b in flags]
        reliability = values.get((key, "reliability"))
        target.reliability = (
            None if reliability is None or is_error(reliability) else str(reliability)
        )
        oos = values.get((key, "out-of-service"))
        target.out_of_service = None if oos is None or is_error(oos) else bool(oos)
        units = values.get((key, "units"))
        if units is not None and not is_error(units):
            self.units[target.address] = str(units)
        if not target.described:  # a whole read: its units, or none (no units property)
            known = None if units is None or is_error(units) else str(units)
            target.units = unit_mapping(known, target.point_unit)
        target.described = True

    def _fault(self, target: _Object) -> None:
        """Keep `faults` up to date with the object's reliability (logged when it changes)."""
        if target.reliability is not None and target.reliability != NO_FAULT:
            if self.faults.get(target.address) != target.reliability:
                logger.info(
                    "%s: %s in fault: %s", self.source_id, target.address, target.reliability
                )
            self.faults[target.address] = target.reliability
        elif not target.in_fault:
            self.faults.pop(target.address, None)

    def _unit_problem(
        self, target: _Object, reason: str, health: SourceHealth, skipped: set[str]
    ) -> None:
        """An object whose values cannot be put in its point's unit: skipped like an unknown
        object, and the binding named in a warning once (per units seen), not per value."""
        self._tell_units(
            target, f"{reason}, its values are not written; fix the binding, or the point's unit"
        )
        self._skip(target, reason, health, skipped)

    def _tell_units(self, target: _Object, what: str) -> None:
        """A warning naming the binding and both units, once per units seen (not per value)."""
        told = (target.address, self.units.get(target.address), target.point_unit)
        if told not in self._warned:
            self._warned.add(told)
            logger.warning(
                "%s: %s (units %s) is bound to point %s (unit %s): %s",
                self.source_id,
                target.address,
                told[1],
                target.point,
                target.point_unit,
                what,
            )

    def _in_point_units(self, sink: ReadingSink) -> ReadingSink:
        """`sink` for readings of the objects' values, that hands it each value in its point's
        unit, and nothing of an object whose units cannot be (or are not read yet)."""

        def deliver(reading: Reading) -> None:
            target = self._by_address[reading.address]
            if target.point_unit is None:
                sink(reading)
                return
            units = target.units
            if units is None or units.problem is not None:
                return
            if units.source is not None and isinstance(reading.value, int | float):
                reading.value = units.convert(reading.value)
            sink(reading)

        return deliver

    def _skip(self, target: _Object, reason: str, health: SourceHealth, skipped: set[str]) -> None:
        logger.debug("%s: %s: %s", self.source_id, target.address, reason)
        health.failure(reason)
        skipped.add(target.address)

    def _notified(self, target: _Object, values: dict[str, Any], sink: ReadingSink) -> None:
        """One COV notification's values (present-value with status-flags, as the standard
        has every notification carry both)."""
        flags = values.get("status-flags")
        if flags is not None:
            target.flags = [int(b) for b in flags]
        # what the whole read said is superseded by the flags (or by the notification's own)
        oos = values.get("out-of-service")
        target.out_of_service = None if oos is None else bool(oos)
        reliability = values.get("reliability")
        target.reliability = None if reliability is None else str(reliability)
        value = number(values.get("present-value"))
        if value is None:
            return
        quality = quality_of(target.flags, target.reliability, target.out_of_service)
        sink(Reading(self.source_id, target.address, value, None, quality))


class _Subscription(SubscriptionContextManager):
    """A COV subscription renewed by the connector (not by bacpypes3's own timer, whose
    failure nobody would see), whose notifications go straight to the connector."""

    target: _Object
    deliver: Callable[[dict[str, Any]], None]
    _batch: dict[str, Any] | None = None

    def create_refresh_task(self) -> None:
        """Renewals are the connector's (`renew`)."""

    async def renew(self) -> None:
        await self.refresh_subscription()
        if self.refresh_subscription_handle is not None:
            self.refresh_subscription_handle.cancel()

    async def abandon(self) -> None:
        if (self.address, self.subscriber_process_identifier) in self.app._cov_contexts:
            await self.__aexit__(GraphTwinError, GraphTwinError("abandoned"), None)

    async def put(self, property_value: Any) -> None:
        """bacpypes3 hands a notification's values one by one, in one go: gather them and
        deliver them together once the notification is read."""
        if self._batch is None:
            self._batch = {}
            asyncio.get_running_loop().call_soon(self._deliver)
        prop = str(property_value.propertyIdentifier)
        kind = _property_type(self.monitored_object_identifier, prop)
        if kind is not None:
            self._batch[prop] = property_value.value.cast_out(kind)

    def _deliver(self) -> None:
        batch, self._batch = self._batch or {}, None
        self.deliver(batch)


def _by_object(answer: Any) -> dict[tuple[str, str], Any]:
    """A ReadPropertyMultiple answer by (object identifier, property)."""
    return {(str(identifier), str(prop)): value for identifier, prop, _index, value in answer}


def _property_type(identifier: ObjectIdentifier, prop: str) -> Any:
    object_class = get_vendor_info(0).get_object_class(identifier[0])
    return None if object_class is None else object_class.get_property_type(prop)


def _target(source: BacnetSource, binding: Binding, rule: SyncRule, point: Route | None) -> _Object:
    device = binding.device if binding.device is not None else source.device
    return _Object(
        device,
        ObjectIdentifier((binding.object_type, binding.instance)),
        binding.source_address,
        rule.mode == "subscribe",
        rule.period_s,
        None if binding.trend_log is None else ObjectIdentifier(binding.trend_log),
        None if point is None else point.twin_id,
        None if point is None or not point.unit else point.unit,
    )
