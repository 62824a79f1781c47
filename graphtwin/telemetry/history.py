"""The history store: every accepted value, kept as Parquet files in one folder per UTC day.

    root/day=2025-03-14/part-<epoch_ns>-<pid>-<seq>.parquet

The pipeline appends columns of values (cheap: it runs at tens of thousands of rows a second)
and flushes the buffer every few seconds or rows. A flush writes each day's rows to a temporary
file whose name starts with a dot (readers skip those) and renames it into place, so a reader in
another process never sees half a file. A day is the unit of retention: `prune` deletes whole
day folders, and a query reads only the folders of the days it asks for.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from graphtwin.config import Settings
from graphtwin.errors import GraphTwinError

TIME_TYPE = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        # Plain strings in Arrow: Parquet dictionary-encodes the repeated ids on disk anyway.
        pa.field("twin_id", pa.string()),
        pa.field("time", TIME_TYPE),
        pa.field("value", pa.float64()),
        pa.field("quality", pa.string()),
        pa.field("source", pa.string()),
    ]
)
COMPRESSION = "zstd"

_US_PER_DAY = 86_400 * 1_000_000
_NS_PER_DAY = _US_PER_DAY * 1_000
_DAY_FOLDER = re.compile(r"^day=(\d{4}-\d{2}-\d{2})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.date()


class HistoryStoreError(GraphTwinError):
    """The history folder cannot be used: it is not a folder, or a file in it cannot be read or
    written. The message names the path."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass
class _Buffer:
    """Rows not yet written, as columns: appending extends them, no object per row."""

    twin_ids: list[str] = field(default_factory=list)
    times_ns: array[int] = field(default_factory=lambda: array("q"))
    values: array[float] = field(default_factory=lambda: array("d"))
    qualities: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.twin_ids)

    def copy(self) -> _Buffer:
        return _Buffer(
            self.twin_ids.copy(),
            array("q", self.times_ns),
            array("d", self.values),
            self.qualities.copy(),
            self.sources.copy(),
        )

    def table(self) -> pa.Table:
        """The rows as an Arrow table of the store's schema (times cut to microseconds).

        numpy copies the arrays rather than viewing them: an array whose buffer is viewed
        cannot grow, and `append` must always be able to grow the live buffer.
        """
        times_us = np.array(self.times_ns, dtype=np.int64) // 1_000
        return pa.table(
            [
                pa.array(self.twin_ids, pa.string()),
                pa.array(times_us, TIME_TYPE),
                pa.array(np.array(self.values, dtype=np.float64), pa.float64()),
                pa.array(self.qualities, pa.string()),
                pa.array(self.sources, pa.string()),
            ],
            schema=SCHEMA,
        )


class HistoryStore:
    """Append-mostly history of point values, partitioned by UTC day.

    One process writes (the sync process); any number may read. `append` and `flush` may be
    called from different threads (the pipeline flushes in a worker thread).
    """

    def __init__(
        self,
        root: Path,
        retention_days: int | None = 30,
        roll_s: float = 2.0,
        roll_rows: int = 250_000,
    ) -> None:
        if root.exists() and not root.is_dir():
            raise HistoryStoreError("the history store needs a folder; this is a file", root)
        if retention_days is not None and retention_days < 1:
            raise ValueError(f"retention_days must be at least 1, got {retention_days}")
        self.root = root
        self.retention_days = retention_days
        self.roll_s = roll_s
        self.roll_rows = roll_rows
        self._buffer = _Buffer()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._seq = 0

    # --- writing ----------------------------------------------------------------------------

    def append(
        self,
        twin_ids: Sequence[str],
        times_ns: Sequence[int],
        values: Sequence[float],
        qualities: Sequence[str],
        sources: Sequence[str],
    ) -> None:
        """Buffer rows given as columns of equal length; times are epoch nanoseconds (UTC)."""
        if not len(twin_ids) == len(times_ns) == len(values) == len(qualities) == len(sources):
            raise ValueError("append needs columns of equal length")
        with self._lock:
            buf = self._buffer
            rows = len(buf.twin_ids)
            try:  # the typed arrays first: they reject a wrong type, maybe halfway through
                buf.times_ns.extend(times_ns)
                buf.values.extend(values)
            except TypeError:
                del buf.times_ns[rows:], buf.values[rows:]
                raise
            buf.twin_ids.extend(twin_ids)
            buf.qualities.extend(qualities)
            buf.sources.extend(sources)

    @property
    def buffered(self) -> int:
        """Rows appended and not yet flushed."""
        return len(self._buffer)

    def due(self) -> bool:
        """Whether the buffer should be flushed now: it is big enough, or old enough."""
        rows = len(self._buffer)
        if rows >= self.roll_rows:
            return True
        return rows > 0 and time.monotonic() - self._last_flush >= self.roll_s

    def flush(self) -> int:
        """Write the buffer, one new file per UTC day it spans; the number of rows written.

        If a day cannot be written its rows (and those of the days after it) go back to the
        buffer before the error is raised, so a full disk loses nothing a later flush can write.
        """
        with self._lock:
            pending, self._buffer = self._buffer, _Buffer()
            self._last_flush = time.monotonic()
        if not pending:
            return 0
        table = pending.table()
        days = np.array(pending.times_ns, dtype=np.int64) // _NS_PER_DAY
        written = 0
        for day_number in np.unique(days):
            rows = np.flatnonzero(days == day_number)
            try:
                self._write_file(_day_of(int(day_number)), table.take(rows))
            except HistoryStoreError:
                self._requeue(pending, np.flatnonzero(days >= day_number))
                raise
            written += len(rows)
        return written

    def close(self) -> None:
        """Write what is buffered."""
        self.flush()

    def _requeue(self, pending: _Buffer, rows: np.ndarray) -> None:
        """Put rows of a failed flush back in front of what was appended since."""
        back = _Buffer(
            [pending.twin_ids[i] for i in rows],
            array("q", (pending.times_ns[i] for i in rows)),
            array("d", (pending.values[i] for i in rows)),
            [pending.qualities[i] for i in rows],
            [pending.sources[i] for i in rows],
        )
        with self._lock:
            newer = self._buffer
            for name in ("twin_ids", "times_ns", "values", "qualities", "sources"):
                getattr(back, name).extend(getattr(newer, name))
            self._buffer = back

    def _write_file(self, day: date, rows: pa.Table) -> Path:
        """Write rows (sorted by time) as a new file of a day, atomically."""
        folder = self.day_folder(day)
        with self._lock:
            self._seq += 1
            name = f"part-{time.time_ns()}-{os.getpid()}-{self._seq}.parquet"
        final = folder / name
        temporary = folder / f".{name}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(rows.sort_by("time"), temporary, compression=COMPRESSION)
            temporary.replace(final)
        except OSError as exc:
            with contextlib.suppress(OSError):  # the write failed; the clean-up may too
                temporary.unlink(missing_ok=True)
            raise HistoryStoreError(f"cannot write history file: {exc}", final) from exc
        return final

    # --- reading ----------------------------------------------------------------------------

    def query(
        self,
        twin_id: str | Sequence[str],
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Values of one or more points from `start` (inclusive) to `end` (exclusive), oldest
        first, flushed or still buffered; the first `limit` of them when given.

        Columns: twin_id, time (datetime64 UTC), value (float64), quality, source. Naive
        datetimes are taken as UTC. Days are read in order and reading stops once `limit` rows
        are found, so a small limit on a long range reads little.
        """
        ids = [twin_id] if isinstance(twin_id, str) else list(twin_id)
        if not ids or (limit is not None and limit <= 0):
            return SCHEMA.empty_table().to_pandas()
        start_ns = _to_ns(start) if start is not None else None
        end_ns = _to_ns(end) if end is not None else None
        first_day = _day_of(start_ns // _NS_PER_DAY) if start_ns is not None else None
        last_day = _day_of((end_ns - 1) // _NS_PER_DAY) if end_ns is not None else None

        wanted = _row_filter(ids, start_ns, end_ns)
        buffered = self._buffered_rows(wanted)
        buffered_days = buffered["time"].cast(pa.int64()).to_numpy() // _US_PER_DAY
        by_day: dict[date, pa.Table] = {
            _day_of(int(d)): buffered.take(np.flatnonzero(buffered_days == d))
            for d in np.unique(buffered_days)
        }
        on_disk = self._day_folders(first_day, last_day)
        found: list[pa.Table] = []
        rows = 0
        for day in sorted(by_day.keys() | on_disk.keys()):
            parts = [by_day[day]] if day in by_day else []
            if day in on_disk:
                parts.insert(0, _read_day(on_disk[day], wanted))
            day_rows = pa.concat_tables(parts).sort_by("time")
            found.append(day_rows)
            rows += day_rows.num_rows
            if limit is not None and rows >= limit:
                break
        if not found:
            return SCHEMA.empty_table().to_pandas()
        result = pa.concat_tables(found)
        if limit is not None:
            result = result.slice(0, limit)
        return result.to_pandas()

    def values_at(
        self, twin_ids: Sequence[str], at: datetime, lookback: timedelta
    ) -> dict[str, tuple[datetime, float, str, str]]:
        """Each point's value as it stood at `at`: the last value with time <= `at` and after
        `at - lookback`, as (time, value, quality, source); points with none are left out.

        Only the days of the window are read, filtered in Arrow, and the last row per point is
        picked in one vectorised pass (naive `at` means UTC). The twin as it was uses it for
        points' values (docs/history.md).

        >>> store.values_at(["urn:b1:zone-1-temp"], datetime(2026, 3, 1, 8, tzinfo=UTC),
        ...                 timedelta(hours=24))
        {'urn:b1:zone-1-temp': (datetime(2026, 3, 1, 7, 55, tzinfo=UTC), 21.4, 'good', 'opcua')}
        """
        ids = list(dict.fromkeys(twin_ids))
        if not ids or lookback <= timedelta(0):
            return {}
        end_ns = _to_ns(at) + 1_000  # `at` itself included (times are kept to the microsecond)
        start_ns = end_ns - lookback // timedelta(microseconds=1) * 1_000
        wanted = _row_filter(ids, start_ns, end_ns)
        days = self._day_folders(_day_of(start_ns // _NS_PER_DAY), _day_of(end_ns // _NS_PER_DAY))
        parts = [self._buffered_rows(wanted)]
        parts += [_read_day(folder, wanted) for _, folder in sorted(days.items())]
        table = pa.concat_tables(parts)
        if table.num_rows == 0:
            return {}
        # Latest first within each point; the first row of each point is its value at `at`.
        table = table.sort_by([("twin_id", "ascending"), ("time", "descending")])
        _, first = np.unique(table["twin_id"].to_numpy(zero_copy_only=False), return_index=True)
        latest = table.take(first).to_pydict()
        return {
            twin_id: (time_, value, quality, source)
            for twin_id, time_, value, quality, source in zip(
                latest["twin_id"],
                latest["time"],
                latest["value"],
                latest["quality"],
                latest["source"],
                strict=True,
            )
        }

    def _buffered_rows(self, wanted: ds.Expression) -> pa.Table:
        with self._lock:
            snapshot = self._buffer.copy()  # copy under the lock, filter outside it
        if not snapshot:
            return SCHEMA.empty_table()
        return ds.dataset(snapshot.table()).to_table(filter=wanted)

    def day_folder(self, day: date) -> Path:
        return self.root / f"day={day.isoformat()}"

    def days(self) -> list[date]:
        """The days that have a folder, oldest first."""
        return sorted(self._day_folders(None, None))

    def _day_folders(self, first: date | None, last: date | None) -> dict[date, Path]:
        if not self.root.is_dir():
            return {}
        folders: dict[date, Path] = {}
        for entry in self.root.iterdir():
            match = _DAY_FOLDER.match(entry.name)
            if not match or not entry.is_dir():
                continue
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                continue
            if (first is None or day >= first) and (last is None or day <= last):
                folders[day] = entry
        return folders

    # --- upkeep -----------------------------------------------------------------------------

    def prune(self, now: datetime | None = None) -> list[Path]:
        """Delete the day folders whose every value is older than the retention period; the
        folders deleted. With no retention (None) nothing is deleted."""
        if self.retention_days is None:
            return []
        cutoff = _as_utc(now or datetime.now(UTC)) - timedelta(days=self.retention_days)
        removed = []
        for day, folder in sorted(self._day_folders(None, None).items()):
            day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
            if day_end > cutoff:
                break
            try:
                shutil.rmtree(folder)
            except OSError as exc:
                raise HistoryStoreError(f"cannot delete old history: {exc}", folder) from exc
            removed.append(folder)
        return removed

    def compact(self, day: date) -> int:
        """Merge a day's files into one; the number of files merged (0 when there was at most
        one). Meant for past days no longer written: a reader listing the folder in the instant
        between the new file's rename and the old files' deletion sees those rows twice."""
        folder = self.day_folder(day)
        files = _data_files(folder)
        if len(files) <= 1:
            return 0
        merged = _read_files(files, folder, None)
        self._write_file(day, merged)
        for path in files:
            try:
                path.unlink(missing_ok=True)  # a concurrent compaction may have taken it
            except OSError as exc:
                raise HistoryStoreError(f"cannot delete a compacted file: {exc}", path) from exc
        return len(files)


# --- helpers ----------------------------------------------------------------------------------


def _row_filter(ids: list[str], start_ns: int | None, end_ns: int | None) -> ds.Expression:
    wanted = ds.field("twin_id").isin(ids)
    if start_ns is not None:
        wanted &= ds.field("time") >= pa.scalar(start_ns // 1_000, TIME_TYPE)
    if end_ns is not None:
        wanted &= ds.field("time") < pa.scalar(end_ns // 1_000, TIME_TYPE)
    return wanted


def _data_files(folder: Path) -> list[Path]:
    """The finished files of a day folder (temporary files start with a dot)."""
    try:
        return sorted(
            p for p in folder.iterdir() if p.suffix == ".parquet" and not p.name.startswith(".")
        )
    except FileNotFoundError:
        return []  # pruned meanwhile
    except OSError as exc:
        raise HistoryStoreError(f"cannot list history files: {exc}", folder) from exc


def _read_day(folder: Path, wanted: ds.Expression) -> pa.Table:
    """A day's matching rows. A file can vanish between listing and reading (compact, prune),
    so a failed read is retried once on a fresh listing before it is an error."""
    try:
        return _read_files(_data_files(folder), folder, wanted)
    except FileNotFoundError:
        return _read_files(_data_files(folder), folder, wanted)


def _read_files(files: list[Path], folder: Path, wanted: ds.Expression | None) -> pa.Table:
    if not files:
        return SCHEMA.empty_table()
    try:
        dataset = ds.dataset([str(p) for p in files], schema=SCHEMA, format="parquet")
        return dataset.to_table(columns=SCHEMA.names, filter=wanted)
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError) as exc:
        bad = _first_unreadable(files) or folder
        raise HistoryStoreError(f"cannot read history: {exc}", bad) from exc


def _first_unreadable(files: list[Path]) -> Path | None:
    """Which of several files broke a read, so the error can name it."""
    for path in files:
        try:
            pq.read_table(path, schema=SCHEMA)
        except (pa.ArrowException, OSError):
            return path
    return None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _to_ns(moment: datetime) -> int:
    """Epoch nanoseconds of a datetime (naive means UTC), exact to the microsecond."""
    return (_as_utc(moment) - _EPOCH) // timedelta(microseconds=1) * 1_000


def _day_of(day_number: int) -> date:
    return _EPOCH_DAY + timedelta(days=day_number)


def open_history(settings: Settings, folder: Path | None = None) -> HistoryStore:
    """The history store a reader uses (forecasts, what-ifs, the twin as it was): `folder`, else
    the one the API's pipeline writes (TELEMETRY_DIR/history); a reader never prunes it."""
    return HistoryStore(folder or settings.telemetry_root / "history", retention_days=None)
