"""The history a BACnet device keeps: its trend logs, read by ReadRange into the twin's history.

A building's controller logs its points in Trend Log objects (one object's property each) or
Trend Log Multiple objects (several at once), as records stamped with its own clock. A binding's
`trend_log` names the log that holds its object's history ("trend-log-multiple,1"); once a
session the log's `log-device-object-property` says which of its columns is which object (read
item by item when it does not fit one APDU; an object the log does not hold is counted
`not-in-trend-log` and left out). Then, every
`log_period_s` of the source, each log is read by ReadRange by sequence number from the record
after the last one seen, as many answers as its new records take, and each record's value goes
to the pipeline with the record's time (in the source's `log_time_zone`): what is older than
the point's current value is backfilled into the history in its place in time, what is newer
becomes current. A trend-log record's status flags give its quality (quality.py); a trend log
multiple's records have none (good).

The last sequence number seen outlives a session, so a device that went silent and came back
is read from where the twin left off. Records the device no longer holds (its buffer went round
meanwhile) are a gap: counted `trend-log-gap` in the source's health and their number in
`TrendLogs.missed` (by log). The first read of a log takes what it holds, without a gap.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bacpypes3.apdu import ReadRangeRequest
from bacpypes3.app import Application
from bacpypes3.basetypes import (
    DateTime,
    LogMultipleRecord,
    LogRecord,
    Range,
    RangeBySequenceNumber,
)
from bacpypes3.constructeddata import Choice, ListOf, Sequence, SequenceOf
from bacpypes3.errors import InvalidTag
from bacpypes3.primitivedata import ObjectIdentifier, Real

from graphtwin.telemetry.connectors.bacnet.quality import quality_of
from graphtwin.telemetry.connectors.bacnet.stack import (
    Device,
    ask,
    error_reason,
    is_error,
    number,
    read_list,
)
from graphtwin.telemetry.readings import Reading, ReadingSink, SourceHealth

logger = logging.getLogger(__name__)

MOST_RECORDS = 10_000
"""Records asked for in one ReadRange (the device answers as many as its APDU holds, and says
whether there are more)."""
VALUE_CHOICES = ("realValue", "unsignedValue", "signedValue", "enumValue", "booleanValue")


class _RealDatum(Choice):
    """BACnetLogMultipleRecord's datum, its real-value alternative only."""

    realValue = Real(_context=1)  # noqa: N815 (BACnet's name, as bacpypes3 spells it)


class _RealLogData(Choice):
    logData = SequenceOf(_RealDatum, _context=1)  # noqa: N815


class _RealRecord(Sequence):
    """A trend-log-multiple record of real values only: the standard's LogMultipleRecord
    with the one alternative of each choice that analog objects log. bacpypes3 decodes it
    three times faster than the whole type, whose constructor looks up every alternative of
    every value's choice; a record with anything else is decoded as a LogMultipleRecord."""

    _order = ("timestamp", "logData")
    timestamp = DateTime(_context=0)
    logData = _RealLogData(_context=1)  # noqa: N815


class Logged(Protocol):
    """A bound object as the connector keeps it (connector.py's `_Object`)."""

    device: int | None
    identifier: ObjectIdentifier
    address: str
    trend_log: ObjectIdentifier | None


@dataclass
class _Log:
    """One trend log of one device, and the bound objects it holds, by column."""

    device: int | None
    identifier: ObjectIdentifier
    targets: list[Logged]
    columns: dict[int, Logged] = field(default_factory=dict)  # record column -> object
    last: int | None = None  # the sequence number of the last record read

    @property
    def multiple(self) -> bool:
        return str(self.identifier[0]) == "trend-log-multiple"

    @property
    def key(self) -> str:
        return f"{self.device if self.device is not None else '-'}/{self.identifier}"


class TrendLogs:
    """The trend logs of one source's bound objects (see the module doc)."""

    def __init__(self, source_id: str, targets: Iterable[Logged], time_zone: str) -> None:
        self.source_id = source_id
        self.zone = ZoneInfo(time_zone)
        self.logs: dict[tuple[int | None, str], _Log] = {}
        for target in targets:
            if target.trend_log is not None:
                key = (target.device, str(target.trend_log))
                log = self.logs.get(key) or _Log(target.device, target.trend_log, [])
                self.logs[key] = log
                log.targets.append(target)
        self.missed: dict[str, int] = {}  # log key -> records lost to gaps

    def __bool__(self) -> bool:
        return bool(self.logs)

    async def columns(
        self,
        app: Application,
        devices: dict[int | None, Device],
        health: SourceHealth,
        timeout_s: float,
    ) -> None:
        """Which column of each log holds which bound object (its log-device-object-property),
        once a session."""
        for log in self.logs.values():
            device = devices[log.device]
            answer = await read_list(
                app, device.address, log.identifier, "log-device-object-property", timeout_s
            )
            if is_error(answer):
                health.failure(f"trend-log-{error_reason(answer)}")
                log.columns = {}
                continue
            references = answer if isinstance(answer, list) else [answer]
            logged = {
                (str(r.objectIdentifier), str(r.propertyIdentifier)): i
                for i, r in enumerate(references)
            }
            log.columns = {}
            for target in log.targets:
                column = logged.get((str(target.identifier), "present-value"))
                if column is None:
                    health.failure("not-in-trend-log")
                    continue
                log.columns[column] = target

    async def read(
        self,
        app: Application,
        devices: dict[int | None, Device],
        sink: ReadingSink,
        health: SourceHealth,
        timeout_s: float,
    ) -> None:
        """Every log's new records, as readings of their objects at the records' time."""
        for log in self.logs.values():
            if log.columns:
                await self._read_log(app, devices[log.device], log, sink, health, timeout_s)

    async def _read_log(
        self,
        app: Application,
        device: Device,
        log: _Log,
        sink: ReadingSink,
        health: SourceHealth,
        timeout_s: float,
    ) -> None:
        while True:
            request = ReadRangeRequest(
                objectIdentifier=log.identifier,
                propertyIdentifier="log-buffer",
                range=Range(
                    bySequenceNumber=RangeBySequenceNumber(
                        referenceSequenceNumber=(log.last or 0) + 1, count=MOST_RECORDS
                    )
                ),
            )
            request.pduDestination = device.address
            answer = await ask(app.request(request), timeout_s)
            if is_error(answer):
                health.failure(f"trend-log-{error_reason(answer)}")
                return
            health.success()
            count = int(answer.itemCount)
            if count == 0 or answer.firstSequenceNumber is None:
                return
            first = int(answer.firstSequenceNumber)
            if log.last is not None and first > log.last + 1:
                lost = first - log.last - 1
                logger.info("%s: %s lost %d records", self.source_id, log.key, lost)
                self.missed[log.key] = self.missed.get(log.key, 0) + lost
                health.failure("trend-log-gap")
            log.last = first + count - 1
            for record in _records(answer.itemData, log.multiple, count):
                self._deliver(log, record, sink, health)
            if not answer.resultFlags[2]:  # more-items
                return

    def _deliver(self, log: _Log, record: Any, sink: ReadingSink, health: SourceHealth) -> None:
        at = self._time(record.timestamp)
        if isinstance(record, LogRecord):
            target = log.columns.get(0)
            value = _value(record.logDatum, health)
            if target is not None and value is not None:
                quality = quality_of([int(b) for b in record.statusFlags or ()], None, None)
                sink(Reading(self.source_id, target.address, value, at, quality))
            return
        data = record.logData.logData
        if data is None:  # a log-status or time-change record: no values
            return
        for column, target in log.columns.items():
            if column < len(data):
                value = _value(data[column], health)
                if value is not None:
                    sink(Reading(self.source_id, target.address, value, at))

    def _time(self, stamp: Any) -> datetime:
        return datetime.combine(stamp.date.date, stamp.time.time, tzinfo=self.zone)


def _records(item_data: Any, multiple: bool, count: int) -> list[Any]:
    """A ReadRange answer's `count` records, decoded by bacpypes3 (records of real values
    only by `_RealRecord`: bacpypes3 stops a list at the first record it cannot decode so)."""
    if multiple:
        with contextlib.suppress(InvalidTag, AttributeError, ValueError, TypeError):
            records = list(item_data.cast_out(ListOf(_RealRecord)))
            if len(records) == count:
                return records
    return list(item_data.cast_out(ListOf(LogMultipleRecord if multiple else LogRecord)))


def _value(datum: Any, health: SourceHealth) -> float | int | None:
    """A logged value as a number; None for a log-status record, and for a failure (the
    device could not read the object then: counted `trend-log-failure`)."""
    for choice in VALUE_CHOICES:
        value = getattr(datum, choice, None)
        if value is not None:
            return number(value)
    if getattr(datum, "failure", None) is not None:
        health.failure("trend-log-failure")
    return None
