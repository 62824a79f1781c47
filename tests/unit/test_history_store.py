"""The history store: Parquet per UTC day, buffered rows visible, retention by whole days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from graphtwin.telemetry.history import HistoryStore, HistoryStoreError

COLUMNS = ["twin_id", "time", "value", "quality", "source"]
EVENING = datetime(2025, 3, 14, 23, 59, 58, tzinfo=UTC)


def ns(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def append(store: HistoryStore, twin_id: str, moments: list[datetime], values: list[float]):
    n = len(moments)
    store.append([twin_id] * n, [ns(m) for m in moments], values, ["good"] * n, ["meters"] * n)


def every_second(start: datetime, count: int) -> list[datetime]:
    return [start + timedelta(seconds=i) for i in range(count)]


def test_rows_written_over_midnight_land_in_two_day_folders_and_read_back(tmp_path: Path):
    store = HistoryStore(tmp_path / "history")
    append(store, "sat", every_second(EVENING, 4), [10.0, 11.0, 12.0, 13.0])
    append(store, "zat", [EVENING + timedelta(milliseconds=500)], [21.5])

    assert store.flush() == 5
    assert store.buffered == 0
    assert sorted(p.name for p in (tmp_path / "history").iterdir()) == [
        "day=2025-03-14",
        "day=2025-03-15",
    ]
    parts = list((tmp_path / "history").glob("day=*/part-*.parquet"))
    assert len(parts) == 2

    frame = store.query("sat")
    assert list(frame.columns) == COLUMNS
    assert str(frame["time"].dtype) == "datetime64[us, UTC]"
    assert frame["value"].dtype == "float64"
    assert frame["value"].tolist() == [10.0, 11.0, 12.0, 13.0]
    assert frame["time"].tolist() == [pd.Timestamp(m) for m in every_second(EVENING, 4)]
    assert set(frame["quality"]) == {"good"} and set(frame["source"]) == {"meters"}

    both = store.query(["sat", "zat"])
    assert both["twin_id"].tolist() == ["sat", "zat", "sat", "sat", "sat"]  # by time


def test_a_time_range_includes_its_start_and_excludes_its_end(tmp_path: Path):
    store = HistoryStore(tmp_path)
    append(store, "sat", every_second(EVENING, 4), [10.0, 11.0, 12.0, 13.0])
    store.flush()

    middle = store.query("sat", EVENING + timedelta(seconds=1), EVENING + timedelta(seconds=3))
    assert middle["value"].tolist() == [11.0, 12.0]
    next_day = store.query("sat", start=datetime(2025, 3, 15))  # naive is UTC
    assert next_day["value"].tolist() == [12.0, 13.0]
    before_midnight = store.query("sat", end=datetime(2025, 3, 15, tzinfo=UTC))
    assert before_midnight["value"].tolist() == [10.0, 11.0]
    assert store.query("sat", limit=3)["value"].tolist() == [10.0, 11.0, 12.0]


def test_a_query_reads_only_the_day_folders_in_its_range(tmp_path: Path):
    store = HistoryStore(tmp_path)
    append(store, "sat", every_second(EVENING, 4), [10.0, 11.0, 12.0, 13.0])
    store.flush()
    # a broken file in the other day's folder is never opened by a query for this day
    (tmp_path / "day=2025-03-14" / "part-0-0-0.parquet").write_bytes(b"not parquet")

    assert store.query("sat", start=datetime(2025, 3, 15, tzinfo=UTC))["value"].tolist() == [
        12.0,
        13.0,
    ]
    with pytest.raises(HistoryStoreError) as caught:
        store.query("sat")
    assert "part-0-0-0.parquet" in caught.value.message


def test_buffered_rows_are_visible_before_they_are_flushed(tmp_path: Path):
    store = HistoryStore(tmp_path, roll_s=3600, roll_rows=2)
    append(store, "sat", every_second(EVENING, 2), [10.0, 11.0])
    store.flush()
    append(store, "sat", [EVENING + timedelta(milliseconds=500)], [10.5])
    assert not store.due()

    frame = store.query("sat")
    assert frame["value"].tolist() == [10.0, 10.5, 11.0]
    append(store, "sat", [EVENING + timedelta(seconds=5)], [15.0])
    assert store.due()  # two rows buffered
    assert store.flush() == 2
    assert store.query("sat")["value"].tolist() == [10.0, 10.5, 11.0, 15.0]


def test_rows_are_due_for_a_flush_once_the_roll_time_has_passed(tmp_path: Path):
    store = HistoryStore(tmp_path, roll_s=0.0)
    assert not store.due()  # nothing to write
    append(store, "sat", [EVENING], [1.0])
    assert store.due()


def test_prune_deletes_whole_days_older_than_the_retention(tmp_path: Path):
    store = HistoryStore(tmp_path, retention_days=2)
    for day in (10, 11, 12, 13):
        append(store, "sat", [datetime(2025, 3, day, 12, tzinfo=UTC)], [float(day)])
    store.flush()

    # 2 days before 13 March 06:00 is 11 March 06:00: only the 10th ended before that
    removed = store.prune(now=datetime(2025, 3, 13, 6, tzinfo=UTC))
    assert [p.name for p in removed] == ["day=2025-03-10"]
    assert store.query("sat")["value"].tolist() == [11.0, 12.0, 13.0]
    assert HistoryStore(tmp_path, retention_days=None).prune() == []


def test_flushed_files_are_complete_and_no_temporary_file_is_left(tmp_path: Path):
    store = HistoryStore(tmp_path)
    for batch in range(3):
        append(
            store, "sat", every_second(EVENING + timedelta(milliseconds=100 * batch), 4), [1.0] * 4
        )
        store.flush()
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert len(names) == 6  # three flushes, each over midnight
    assert all(n.startswith("part-") and n.endswith(".parquet") for n in names)
    assert len(set(names)) == 6
    # a temporary file (being written by a flush) is never read
    (tmp_path / "day=2025-03-14" / ".part-1-1-1.parquet.tmp").write_bytes(b"half")
    assert len(store.query("sat")) == 12


def test_compacting_a_day_merges_its_files_and_keeps_its_rows(tmp_path: Path):
    store = HistoryStore(tmp_path)
    for batch in range(3):
        append(store, "sat", [EVENING - timedelta(seconds=batch)], [float(batch)])
        store.flush()
    day = EVENING.date()
    assert store.compact(day) == 3
    assert len(list(store.day_folder(day).iterdir())) == 1
    assert store.query("sat")["value"].tolist() == [2.0, 1.0, 0.0]
    assert store.compact(day) == 0


def test_a_point_with_no_history_gives_an_empty_frame_with_the_columns(tmp_path: Path):
    store = HistoryStore(tmp_path / "not-yet-created")
    empty = store.query("nothing-here")
    assert empty.empty and list(empty.columns) == COLUMNS
    append(store, "sat", [EVENING], [1.0])
    store.flush()
    assert store.query("nothing-here").empty
    assert list(store.query("nothing-here").columns) == COLUMNS


def test_a_root_that_is_a_file_is_a_typed_error_naming_it(tmp_path: Path):
    path = tmp_path / "history"
    path.write_text("oops")
    with pytest.raises(HistoryStoreError) as caught:
        HistoryStore(path)
    assert str(path) in caught.value.message


def test_columns_of_different_lengths_are_refused_and_nothing_is_buffered(tmp_path: Path):
    store = HistoryStore(tmp_path)
    with pytest.raises(ValueError):
        store.append(["a", "b"], [1], [1.0], ["good"], ["s"])
    with pytest.raises(TypeError):
        store.append(["a"], [1], ["warm"], ["good"], ["s"])  # type: ignore[list-item]
    assert store.buffered == 0
    assert store.flush() == 0


def test_rows_of_a_day_that_cannot_be_written_stay_buffered_for_the_next_flush(tmp_path: Path):
    store = HistoryStore(tmp_path)
    (tmp_path / "day=2025-03-15").write_text("in the way")  # the folder cannot be made
    append(store, "sat", every_second(EVENING, 4), [10.0, 11.0, 12.0, 13.0])

    with pytest.raises(HistoryStoreError) as caught:
        store.flush()
    assert "day=2025-03-15" in caught.value.message
    assert store.buffered == 2  # the 14th was written, the 15th is kept
    append(store, "sat", [EVENING + timedelta(seconds=9)], [19.0])
    assert store.query("sat")["value"].tolist() == [10.0, 11.0, 12.0, 13.0, 19.0]

    (tmp_path / "day=2025-03-15").unlink()
    assert store.flush() == 3
    assert store.query("sat")["value"].tolist() == [10.0, 11.0, 12.0, 13.0, 19.0]


def test_the_value_at_a_time_is_the_last_at_or_before_it_across_days_and_the_buffer(
    tmp_path: Path,
):
    store = HistoryStore(tmp_path)
    append(store, "a", every_second(EVENING, 4), [1.0, 2.0, 3.0, 4.0])  # over midnight
    store.flush()
    append(store, "b", [EVENING], [10.0])  # still buffered
    at = EVENING + timedelta(seconds=2)  # exactly the time of a's third value
    found = store.values_at(["a", "b", "c"], at, timedelta(hours=1))
    assert found == {
        "a": (at, 3.0, "good", "meters"),
        "b": (EVENING, 10.0, "good", "meters"),
    }
    assert store.values_at(["a"], EVENING - timedelta(seconds=1), timedelta(hours=1)) == {}


def test_a_value_older_than_the_lookback_is_not_the_value_at_a_time(tmp_path: Path):
    store = HistoryStore(tmp_path)
    append(store, "a", [EVENING], [1.0])
    store.flush()
    later = EVENING + timedelta(hours=2)
    assert store.values_at(["a"], later, timedelta(hours=1)) == {}
    assert store.values_at(["a"], later, timedelta(hours=3))["a"][1] == 1.0
