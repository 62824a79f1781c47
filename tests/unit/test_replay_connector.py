"""The replay connector: a recorded file delivered as live readings, in time order and pace."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from graphtwin.errors import InputError, SchemaViolationError
from graphtwin.telemetry.bindings import Binding, PointRef, ReplaySource
from graphtwin.telemetry.connectors.replay import ReplayConnector
from graphtwin.telemetry.readings import Reading, SourceHealth

T0 = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

# rows out of order on purpose; zat has an empty cell and a cell that is not a number
CSV = """timestamp,sat,zat,unbound
2025-03-14T09:30:02Z,13.2,warm,x
2025-03-14T09:30:00Z,13.0,21.0,x
2025-03-14 09:30:01,13.1,,x
"""


def source(path: Path, **options) -> ReplaySource:
    return ReplaySource(id="last-week", type="replay", file=path, **{"speed": 1000.0, **options})


def bind(*columns: str) -> list[Binding]:
    return [
        Binding(source="last-week", column=c, point=PointRef(twin_id=f"urn:t:{c}")) for c in columns
    ]


class CountingHealth(SourceHealth):
    successes: int = 0

    def success(self) -> None:
        super().success()
        self.successes += 1


def replay(connector: ReplayConnector) -> tuple[list[Reading], CountingHealth]:
    readings: list[Reading] = []
    health = CountingHealth(connector.source_id)
    asyncio.run(connector.run(readings.append, health))
    return readings, health


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "readings.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_a_csv_file_is_replayed_in_time_order_with_its_own_times(csv_file: Path):
    connector = ReplayConnector(source(csv_file, restamp=False), bind("sat", "zat"))
    readings, health = replay(connector)

    assert [(r.address, r.value, r.source_time) for r in readings] == [
        ("column:sat", 13.0, T0),
        ("column:zat", 21.0, T0),
        ("column:sat", 13.1, T0 + timedelta(seconds=1)),  # naive time: UTC
        ("column:sat", 13.2, T0 + timedelta(seconds=2)),
        ("column:zat", "warm", T0 + timedelta(seconds=2)),  # as it is: the pipeline rejects it
    ]
    assert {(r.source_id, r.quality) for r in readings} == {("last-week", "good")}
    assert all(type(r.value) in (float, str) for r in readings)  # Python values, not numpy
    assert health.successes == 3 and health.reliability == 1.0  # one success per row
    assert not health.connected  # done


def test_restamped_readings_carry_the_time_they_were_replayed(csv_file: Path):
    before = datetime.now(UTC)
    readings, _ = replay(ReplayConnector(source(csv_file), bind("sat")))
    after = datetime.now(UTC)
    assert [r.value for r in readings] == [13.0, 13.1, 13.2]
    stamps = [r.source_time for r in readings]
    assert all(s is not None and before <= s <= after for s in stamps)
    assert stamps == sorted(stamps)  # type: ignore[type-var]


def test_rows_are_spaced_by_their_time_difference_divided_by_the_speed(csv_file: Path):
    connector = ReplayConnector(source(csv_file, speed=20.0), bind("sat"))  # 2 s of file: 0.1 s
    started = time.monotonic()
    readings, _ = replay(connector)
    elapsed = time.monotonic() - started
    assert len(readings) == 3
    assert 0.09 <= elapsed < 1.0


def test_a_parquet_file_with_naive_times_replays_like_a_csv(tmp_path: Path):
    path = tmp_path / "readings.pq"
    pd.DataFrame(
        {
            "when": pd.to_datetime(["2025-03-14 09:30:01", "2025-03-14 09:30:00"]),
            "flow": [2.5, None],
            "count": [7, 8],
        }
    ).to_parquet(path)
    connector = ReplayConnector(
        source(path, time_column="when", restamp=False), bind("flow", "count")
    )
    readings, _ = replay(connector)
    assert [(r.address, r.value, r.source_time) for r in readings] == [
        ("column:count", 8, T0),
        ("column:flow", 2.5, T0 + timedelta(seconds=1)),
        ("column:count", 7, T0 + timedelta(seconds=1)),
    ]
    assert type(readings[0].value) is int


def test_a_missing_bound_column_is_a_typed_error_naming_the_file_and_column(csv_file: Path):
    connector = ReplayConnector(source(csv_file), bind("sat", "rat"))
    health = SourceHealth(connector.source_id)
    with pytest.raises(SchemaViolationError) as caught:
        asyncio.run(connector.run(lambda reading: None, health))
    assert caught.value.file == str(csv_file)
    assert "'rat'" in caught.value.message
    assert health.failures_by_reason == {"invalid_file": 1}


def test_a_time_that_cannot_be_read_is_an_error_naming_its_csv_line(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "timestamp,sat\n2025-03-14T09:30:00Z,1\nyesterday,2\n2025-03-14T09:30:02Z,3\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaViolationError) as caught:
        replay(ReplayConnector(source(path), bind("sat")))
    assert (caught.value.file, caught.value.line) == (str(path), 3)
    assert "'yesterday'" in caught.value.message and "'timestamp'" in caught.value.message


def test_a_file_that_is_neither_csv_nor_parquet_is_refused(tmp_path: Path):
    path = tmp_path / "readings.xlsx"
    path.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        replay(ReplayConnector(source(path), bind("sat")))
    assert caught.value.file == str(path) and "'.xlsx'" in caught.value.message


def test_a_looping_replay_starts_again_at_the_first_row(csv_file: Path):
    connector = ReplayConnector(source(csv_file, loop=True, restamp=False), bind("sat"))
    readings: list[Reading] = []

    async def two_passes() -> None:
        task = asyncio.create_task(connector.run(readings.append, SourceHealth("last-week")))
        deadline = time.monotonic() + 5
        while len(readings) < 7 and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(two_passes())
    assert [r.value for r in readings[:7]] == [13.0, 13.1, 13.2, 13.0, 13.1, 13.2, 13.0]
