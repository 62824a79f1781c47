"""A closed version's JSON gives back exactly the values the live element had."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import pytz
from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

from graphtwin.store.version_codec import decode, decode_assertions, encode, encode_assertions

UTC_TIME = DateTime(2025, 1, 1, 8, 30, 15, 123456789, tzinfo=UTC)
VALUES = {
    "text_like_a_time": "2025-01-01T00:00:00Z",
    "text_like_a_neo4j_time": "2025-01-01T00:00:00.000000000+00:00",
    "text_like_a_tag": '{"$type": "datetime"}',
    "datetime": UTC_TIME,
    "datetime_offset": DateTime(2025, 6, 1, 10, 0, 0, 5, tzinfo=timezone(timedelta(hours=2))),
    # a named zone as the driver gives it: pytz, the instant converted into the zone
    "datetime_zone": DateTime(2025, 6, 1, 8, 0, 0, 7, tzinfo=pytz.UTC).as_timezone(
        pytz.timezone("Europe/Berlin")
    ),
    "localdatetime": DateTime(2025, 1, 1, 8, 0, 0, 1),
    "date": Date(2025, 2, 28),
    "time": Time(10, 11, 12, 13, tzinfo=timezone(timedelta(hours=-5))),
    "localtime": Time(23, 59, 59, 999999999),
    "duration": Duration(months=14, days=3, seconds=7, nanoseconds=9),
    "int": 42,
    "large_int": 2**63 - 1,
    "negative_int": -(2**63),
    "float": 0.1 + 0.2,
    "large_float": 1.7976931348623157e308,
    "whole_float": 42.0,
    "bool": False,
    "point": CartesianPoint((1.5, -2.0)),
    "point_3d": WGS84Point((13.4, 52.5, 34.0)),
    "bytes": b"\x00\xffgraph",
    "texts": ["2025-01-01", "a"],
    "datetimes": [UTC_TIME, DateTime(2024, 2, 29, tzinfo=UTC)],
    "dates": [Date(2025, 1, 1), Date(1900, 12, 31)],
    "ints": [1, 2**62],
    "floats": [1.5, 1e-300],
    "bools": [True, False],
    "empty": [],
}


@pytest.mark.parametrize("key", sorted(VALUES))
def test_every_neo4j_property_type_comes_back_equal_and_of_the_same_type(key: str) -> None:
    value = VALUES[key]
    back = decode(encode({key: value}))[key]
    assert back == value
    assert type(back) is type(value)
    if isinstance(value, list):
        assert [type(v) for v in back] == [type(v) for v in value]
    if isinstance(value, DateTime | Time) and value.tzinfo is not None:
        assert back.utcoffset() == value.utcoffset()


def test_text_that_looks_like_a_time_stays_text() -> None:
    assert decode(encode({"t": "2025-01-01T00:00:00Z"})) == {"t": "2025-01-01T00:00:00Z"}


def test_a_named_zone_is_kept() -> None:
    back = decode(encode(VALUES["datetime_zone"]))
    assert str(back.tzinfo) == "Europe/Berlin"


@pytest.mark.parametrize("month", [1, 6])  # winter and summer time
def test_a_python_datetime_in_a_zoneinfo_zone_keeps_its_instant_and_zone(month: int) -> None:
    native = datetime(2025, month, 1, 10, 0, 0, 250, tzinfo=ZoneInfo("Europe/Berlin"))
    for _ in range(100):  # the offset must not depend on where the value lies in memory
        back = decode(encode(native))
        assert back.to_native() == native
        assert back.utc_offset() == native.utcoffset()
        assert str(back.tzinfo) == "Europe/Berlin"


def test_python_datetimes_are_kept_as_neo4j_ones() -> None:
    native = datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert decode(encode(native)) == DateTime.from_native(native)


def test_a_value_neo4j_cannot_store_is_an_error() -> None:
    with pytest.raises(TypeError, match="set"):
        encode({"x": {1, 2}})


def test_lineage_keeps_only_the_nodes_own_facts_with_exact_times() -> None:
    at = DateTime(2026, 3, 1, 8, 0, 0, 123456000, tzinfo=UTC)
    later = DateTime(2026, 3, 2, 9, 0, tzinfo=UTC)
    odd = DateTime(2026, 3, 2, 9, 0, 0, 1, tzinfo=UTC)  # not a whole microsecond
    text = encode_assertions(
        [
            {"source_id": "s2", "keys": ["a", "b"], "changed_at": [at, later],
             "first_asserted_at": at, "sha256": "f" * 64, "file_name": "x.ttl"},
            {"source_id": "s1", "keys": ["a", "b", "c"], "changed_at": [at, at, at],
             "first_asserted_at": odd, "imported_at": later},
            {"source_id": "s3", "keys": [], "changed_at": [], "first_asserted_at": at},
        ]
    )  # fmt: skip
    assert "sha256" not in text and "x.ttl" not in text and "imported_at" not in text
    assert decode_assertions(text) == [
        {"source_id": "s1", "keys": ["a", "b", "c"], "changed_at": [at, at, at],
         "first_asserted_at": odd},
        {"source_id": "s2", "keys": ["a", "b"], "changed_at": [at, later],
         "first_asserted_at": at},
        {"source_id": "s3", "keys": [], "changed_at": [], "first_asserted_at": at},
    ]  # fmt: skip
    assert '"changed_at":1772352000123456,' in text  # keys changed together: one number
