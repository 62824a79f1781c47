"""The virtual BACnet device's trend logs (graphtwin/virtual/bacnet_trend_log.py): which
records a ReadRange gets, how many fit an answer, and what its result flags say, without a
network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bacpypes3.apdu import ReadRangeRequest
from bacpypes3.basetypes import LogMultipleRecord, Range, RangeByPosition, RangeBySequenceNumber
from bacpypes3.constructeddata import ListOf

from graphtwin.virtual.bacnet_trend_log import TrendLog

START = datetime(2025, 7, 7, tzinfo=UTC)


def _log(records: int, members: int = 2, buffer_size: int = 100) -> TrendLog:
    log = TrendLog(
        ("trend-log-multiple", 1),
        [f"analog-value,{i + 1}" for i in range(members)],
        buffer_size=buffer_size,
    )
    for step in range(records):
        log.record(START + timedelta(minutes=15 * step), [float(step)] * members)
    return log


def _by_sequence(reference: int, count: int) -> ReadRangeRequest:
    return ReadRangeRequest(
        objectIdentifier=("trend-log-multiple", 1),
        propertyIdentifier="log-buffer",
        range=Range(
            bySequenceNumber=RangeBySequenceNumber(referenceSequenceNumber=reference, count=count)
        ),
    )


def _flags(ack: object) -> list[int]:
    return [int(bit) for bit in ack.resultFlags]  # type: ignore[attr-defined]


def test_a_read_by_sequence_number_gets_the_records_from_the_reference_on_as_an_apdu_holds():
    log = _log(5, members=126)  # 126 values a record: two records fit 1476 bytes
    assert log.per_answer(1476) == 2
    ack = log.answer(_by_sequence(2, 100), 1476)
    assert (ack.itemCount, ack.firstSequenceNumber) == (2, 2)
    assert _flags(ack) == [0, 0, 1]  # neither the oldest nor the newest; more matched
    last = log.answer(_by_sequence(4, 100), 1476)
    assert (last.itemCount, last.firstSequenceNumber, _flags(last)) == (2, 4, [0, 1, 0])
    assert log.answer(_by_sequence(6, 100), 1476).itemCount == 0  # nothing new


def test_a_full_buffer_drops_its_oldest_records_so_a_reader_sees_where_the_gap_is():
    log = _log(7, buffer_size=4)
    assert log.total == 7
    ack = log.answer(_by_sequence(2, 100), 1476)  # the reader saw record 1 last
    assert (ack.itemCount, ack.firstSequenceNumber, _flags(ack)) == (4, 4, [1, 1, 0])


@pytest.mark.parametrize(
    ("range_", "sequences"),
    [
        (
            Range(bySequenceNumber=RangeBySequenceNumber(referenceSequenceNumber=4, count=-2)),
            [3, 4],
        ),
        (Range(byPosition=RangeByPosition(referenceIndex=2, count=2)), [2, 3]),
        (Range(byPosition=RangeByPosition(referenceIndex=5, count=-3)), [3, 4, 5]),
        (None, [1, 2, 3, 4, 5]),
    ],
)
def test_backward_counts_positions_and_a_read_without_range_pick_their_records(range_, sequences):
    log = _log(5)
    request = _by_sequence(1, 1)
    request.range = range_
    ack = log.answer(request, 1476)
    assert ack.itemCount == len(sequences)
    stamps = [START + timedelta(minutes=15 * (s - 1)) for s in sequences]
    records = ack.itemData.cast_out(ListOf(LogMultipleRecord))
    times = [
        datetime.combine(r.timestamp.date.date, r.timestamp.time.time, tzinfo=UTC) for r in records
    ]
    assert times == stamps


def test_a_single_object_trend_log_logs_one_object():
    with pytest.raises(ValueError, match="a trend-log logs one object"):
        TrendLog(("trend-log", 1), ["analog-value,1", "analog-value,2"])


def test_a_record_of_reals_is_decoded_fast_and_one_with_other_values_whole_with_failures_counted():
    from bacpypes3.basetypes import DateTime, ErrorType, LogData, LogDataLogData
    from bacpypes3.constructeddata import Any as AnyData

    from graphtwin.telemetry.connectors.bacnet.trend_logs import _records, _value
    from graphtwin.telemetry.readings import SourceHealth

    record = LogMultipleRecord(
        timestamp=DateTime(datetime(2025, 7, 7, 8)),
        logData=LogData(
            logData=[
                LogDataLogData(realValue=21.5),
                LogDataLogData(booleanValue=True),
                LogDataLogData(failure=ErrorType(errorClass="object", errorCode="unknownObject")),
            ]
        ),
    )
    data = AnyData(ListOf(LogMultipleRecord)([record]))
    health = SourceHealth("bms")
    (decoded,) = _records(data, multiple=True, count=1)
    values = [_value(datum, health) for datum in decoded.logData.logData]
    assert values == [21.5, 1, None]
    assert health.failures_by_reason == {"trend-log-failure": 1}
    assert isinstance(decoded, LogMultipleRecord)  # decoded whole
    reals = LogMultipleRecord(
        timestamp=DateTime(datetime(2025, 7, 7, 8)),
        logData=LogData(logData=[LogDataLogData(realValue=v) for v in (20.0, 21.0)]),
    )
    (fast,) = _records(AnyData(ListOf(LogMultipleRecord)([reals])), multiple=True, count=1)
    assert not isinstance(fast, LogMultipleRecord)  # the real-values-only type
    assert [_value(datum, health) for datum in fast.logData.logData] == [20.0, 21.0]
