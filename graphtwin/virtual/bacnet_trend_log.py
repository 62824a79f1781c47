"""A virtual BACnet device's history: trend logs of its objects' present-values, read by ReadRange.

A building's controller keeps each point's history in a Trend Log (one object's property) or a
Trend Log Multiple (several at once), as records stamped with the device's clock; a client reads
them by ReadRange, by sequence number from the last one it saw, and so misses nothing between
two reads. `TrendLog` is that buffer for `BacnetDevice` (bacnet_device.py): `record(at, values,
flags)` logs one record (sequence numbers count from 1, as BACnet's total-record-count does; a
full buffer drops its oldest record), and `answer(request)` is the ReadRange acknowledgement
of what a request asks for, as many records as `max_apdu` holds.

bacpypes3 has the objects (`TrendLogObject`, `TrendLogMultipleObject`), the ReadRange messages
and their codec, but its device answers ReadRange with NotImplementedError: `answer` is the
device's side of it, records chosen here and encoded by bacpypes3. Timestamps are written in
UTC (the virtual device's clock; a client reads them with the source's `log_time_zone`).

>>> log = TrendLog(("trend-log-multiple", 1), ["analog-value,1", "analog-value,2"])
>>> log.record(datetime(2025, 7, 7, 12, tzinfo=UTC), [21.5, 22.0])
1
>>> log.total
1
"""

from __future__ import annotations

import copy
import functools
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

BUFFER_SIZE = 4096
"""Records a trend log keeps (the oldest go first): a week of 15-minute timesteps is 672."""

ACK_OVERHEAD = 40
"""Bytes of a ReadRange acknowledgement besides its records (APCI, object, property, flags,
count, first sequence number, the item data's tags), rounded up."""
TIMESTAMP_BYTES = 14  # a record's date-time: its opening and closing tags, date and time
VALUE_BYTES = 5  # a context-tagged Real


class TrendLog:
    """One trend log (see the module doc): a single object's present-value (`trend-log`, with
    each record's status flags) or several (`trend-log-multiple`)."""

    def __init__(
        self,
        identifier: tuple[str, int],
        members: Sequence[str],
        *,
        buffer_size: int = BUFFER_SIZE,
    ) -> None:
        if identifier[0] == "trend-log" and len(members) != 1:
            raise ValueError("a trend-log logs one object; use trend-log-multiple for several")
        self.identifier = identifier
        self.members = list(members)  # "analog-value,1": the logged objects, in record order
        self.buffer_size = buffer_size
        self.total = 0  # total-record-count: the sequence number of the newest record
        self._records: deque[tuple[int, datetime, tuple[float, ...], tuple[int, ...]]] = deque(
            maxlen=buffer_size
        )

    @property
    def held(self) -> int:
        """record-count: the records the buffer holds now."""
        return len(self._records)

    @property
    def multiple(self) -> bool:
        return self.identifier[0] == "trend-log-multiple"

    def record(
        self, at: datetime, values: Sequence[float], flags: Sequence[int] = (0, 0, 0, 0)
    ) -> int:
        """Log one record of the members' values at `at`; its sequence number."""
        self.total += 1
        self._records.append((self.total, at, tuple(values), tuple(flags)))
        return self.total

    def make_object(self, device: int) -> Any:
        """The bacpypes3 object the device serves for this log (its properties, not its
        records: those are read by ReadRange through `answer`)."""
        from bacpypes3.basetypes import DeviceObjectPropertyReference
        from bacpypes3.object import TrendLogMultipleObject, TrendLogObject

        references = [
            DeviceObjectPropertyReference(
                objectIdentifier=member,
                propertyIdentifier="present-value",
                deviceIdentifier=("device", device),
            )
            for member in self.members
        ]
        cls = TrendLogMultipleObject if self.multiple else TrendLogObject
        return cls(
            objectIdentifier=self.identifier,
            objectName=f"{self.identifier[0]} {self.identifier[1]}",
            statusFlags=[0, 0, 0, 0],
            eventState="normal",
            reliability="no-fault-detected",
            enable=True,
            stopWhenFull=False,
            bufferSize=self.buffer_size,
            logBuffer=[],
            recordCount=self.held,
            totalRecordCount=self.total,
            loggingType="triggered",
            logInterval=0,
            logDeviceObjectProperty=references if self.multiple else references[0],
        )

    def per_answer(self, max_apdu: int) -> int:
        """How many records one acknowledgement of at most `max_apdu` bytes holds (at least
        one)."""
        record = TIMESTAMP_BYTES + 4 + VALUE_BYTES * len(self.members) + (0 if self.multiple else 3)
        return max(1, (max_apdu - ACK_OVERHEAD) // record)

    def answer(self, request: Any, max_apdu: int) -> Any:
        """The ReadRangeACK for `request` (by sequence number, by position or the whole log),
        at most `per_answer(max_apdu)` records; `resultFlags` say whether the oldest and the
        newest record are in it, and whether more matched."""
        from bacpypes3.apdu import ReadRangeACK
        from bacpypes3.constructeddata import Any as AnyData
        from bacpypes3.constructeddata import ListOf

        records = list(self._records)
        chosen, more = _chosen(records, request.range, self.per_answer(max_apdu))
        built = [self._built(r) for r in chosen]
        record_type = _record_types()[self.multiple]
        ack = ReadRangeACK(
            objectIdentifier=request.objectIdentifier,
            propertyIdentifier=request.propertyIdentifier,
            resultFlags=[
                int(bool(chosen) and chosen[0][0] == records[0][0]),
                int(bool(chosen) and chosen[-1][0] == records[-1][0]),
                int(more),
            ],
            itemCount=len(built),
            itemData=AnyData(ListOf(record_type)(built)),
            context=request,
        )
        if chosen and request.range is not None and request.range.bySequenceNumber is not None:
            ack.firstSequenceNumber = chosen[0][0]
        return ack

    def _built(self, record: tuple[int, datetime, tuple[float, ...], tuple[int, ...]]) -> Any:
        from bacpypes3.basetypes import DateTime, LogData, LogRecordLogDatum

        _sequence, at, values, flags = record
        stamp = DateTime(at.astimezone(UTC).replace(tzinfo=None))
        log_multiple_record, log_record = _record_types()[True], _record_types()[False]
        if self.multiple:
            data = LogData(logData=[_real_datum(v) for v in values])
            return log_multiple_record(timestamp=stamp, logData=data)
        return log_record(
            timestamp=stamp,
            logDatum=LogRecordLogDatum(realValue=values[0]),
            statusFlags=list(flags),
        )


@functools.cache
def _real_prototype() -> Any:
    from bacpypes3.basetypes import LogDataLogData

    return LogDataLogData(realValue=0.0)


def _real_datum(value: float) -> Any:
    """A trend log multiple's real value: a copy of one made once, its value set. The same
    object bacpypes3 makes and encodes, at a twentieth of the cost: its constructor looks up
    every alternative of the choice (`inspect.getattr_static`), 126 values a record."""
    from bacpypes3.primitivedata import Real

    datum = copy.copy(_real_prototype())
    datum.realValue = Real(value)
    return datum


def _record_types() -> dict[bool, Any]:
    from bacpypes3.basetypes import LogMultipleRecord, LogRecord

    return {True: LogMultipleRecord, False: LogRecord}


def _chosen(records: list[Any], range_: Any, most: int) -> tuple[list[Any], bool]:
    """The records a ReadRange's range picks, oldest first, at most `most`, and whether more
    matched than that: by sequence number (from the reference on, or back from it for a
    negative count), by position (1 is the oldest held) or, without a range, all."""
    if range_ is None or (range_.bySequenceNumber is None and range_.byPosition is None):
        index, count = 0, len(records)
    elif range_.bySequenceNumber is not None:
        reference = int(range_.bySequenceNumber.referenceSequenceNumber)
        count = int(range_.bySequenceNumber.count)
        index = next((i for i, r in enumerate(records) if r[0] >= reference), len(records))
        if count < 0 and index < len(records) and records[index][0] == reference:
            index += 1  # back from the reference, the reference included
    else:
        index = int(range_.byPosition.referenceIndex) - 1
        count = int(range_.byPosition.count)
        index += int(count < 0)
    if count < 0:
        start = max(0, index + count)
        matched = records[start:index]
        return matched[-most:], len(matched) > most
    matched = records[index : index + count]
    return matched[:most], len(matched) > most
