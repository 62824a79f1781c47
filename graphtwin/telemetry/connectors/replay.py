"""Replay a recorded CSV or Parquet file as if it were a live source.

One row per instant, a time column and one column per bound series:

    timestamp,sat,zat
    2025-03-14T09:30:00Z,13.1,21.4
    2025-03-14T09:31:00Z,13.0,

Rows are replayed in time order with their original spacing divided by `speed`; each non-empty
cell of a bound column becomes one `Reading` under the address `column:<name>`. Stamped with the
replay time (`restamp`, the default) the values look current to the staleness checks; otherwise
they keep the file's times.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from graphtwin.errors import InputError, MalformedFileError, SchemaViolationError, SourceLocation
from graphtwin.telemetry.bindings import Binding, ReplaySource
from graphtwin.telemetry.readings import Reading, ReadingSink, SourceHealth, utc_now

CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
_YIELD_EVERY = 256  # rows replayed without a pause before the loop gets a turn


@dataclass(frozen=True, slots=True)
class _Series:
    address: str
    values: list[object]  # Python values: float, int, bool, or the cell's text
    present: np.ndarray  # bool per row: False where the cell is empty


@dataclass(frozen=True, slots=True)
class Recording:
    """A replay file in time order, ready to replay without touching pandas again."""

    offsets_s: list[float]  # seconds since the first row, in file time
    times: list[datetime]  # each row's time, UTC
    series: list[_Series]

    def __len__(self) -> int:
        return len(self.times)


class ReplayConnector:
    """Delivers the rows of a recorded file at the pace they were recorded (times `speed`).

    With `loop` the first row follows the last one at once; with `restamp` off every pass
    repeats the file's own times.
    """

    def __init__(self, source: ReplaySource, bindings: list[Binding]) -> None:
        self.source = source
        # a column's address, for each bound column (bindings without a column are not ours)
        self.columns = {b.column: b.source_address for b in bindings if b.column is not None}

    @property
    def source_id(self) -> str:
        return self.source.id

    async def run(self, sink: ReadingSink, health: SourceHealth) -> None:
        """Replay the file once, or forever with `loop`. A file that cannot be replayed is an
        InputError: unlike a device it will not get better by trying again."""
        try:
            recording = await asyncio.to_thread(
                load_recording, self.source.file, self.source.time_column, self.columns
            )
        except InputError:
            health.failure("invalid_file")
            raise
        if not recording:
            return  # nothing to replay, even in a loop
        health.connected = True
        try:
            while True:
                await self._replay(recording, sink, health)
                if not self.source.loop:
                    return
        finally:
            health.connected = False

    async def _replay(self, recording: Recording, sink: ReadingSink, health: SourceHealth) -> None:
        """One pass. Each row is due at its offset from a monotonic start, so the time spent
        delivering does not add up into drift."""
        start = time.monotonic()
        speed = self.source.speed
        for row, offset in enumerate(recording.offsets_s):
            delay = start + offset / speed - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            elif row % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # behind schedule (or fast replay): still let others run
            stamp = utc_now() if self.source.restamp else recording.times[row]
            for series in recording.series:
                if series.present[row]:
                    sink(Reading(self.source_id, series.address, series.values[row], stamp))
            health.success()


# --- reading the file ----------------------------------------------------------------------------


def load_recording(path: Path, time_column: str, columns: dict[str, str]) -> Recording:
    """Read a replay file (CSV or Parquet, by suffix) and put it in time order. `columns` maps
    each bound column to its address. Problems are InputErrors naming the file, and the column
    or the CSV line."""
    is_csv = path.suffix.lower() in CSV_SUFFIXES
    frame = _read_frame(path, is_csv)
    missing = [c for c in (time_column, *columns) if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        have = ", ".join(repr(str(c)) for c in frame.columns)
        raise SchemaViolationError(
            f"no column {names} in the file (it has {have or 'no columns'})",
            location=SourceLocation(str(path)),
            entity=f"column {missing[0]}",
        )
    times_us = _times_us(frame[time_column], path, time_column, is_csv)
    order = np.argsort(times_us, kind="stable")
    times_us = times_us[order]
    return Recording(
        offsets_s=((times_us - times_us[0]) / 1e6).tolist() if len(times_us) else [],
        times=[t.replace(tzinfo=UTC) for t in times_us.astype("datetime64[us]").tolist()],
        series=[_series(frame[column], address, order) for column, address in columns.items()],
    )


def _read_frame(path: Path, is_csv: bool) -> pd.DataFrame:
    where = SourceLocation(str(path))
    if not is_csv and path.suffix.lower() not in PARQUET_SUFFIXES:
        kind = repr(path.suffix) if path.suffix else "a file without a suffix"
        raise InputError(
            f"a replay file is CSV (.csv) or Parquet (.parquet, .pq), not {kind}", location=where
        )
    try:
        return pd.read_csv(path) if is_csv else pd.read_parquet(path)
    except FileNotFoundError as exc:
        raise InputError("no such replay file", location=where) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise MalformedFileError(f"not a readable CSV file: {exc}", location=where) from exc
    except (pa.ArrowException, OSError) as exc:
        raise MalformedFileError(f"not a readable Parquet file: {exc}", location=where) from exc


def _times_us(column: pd.Series, path: Path, name: str, is_csv: bool) -> np.ndarray:
    """A time column as epoch microseconds, UTC (naive times are UTC)."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        times = column.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(column.dtype):
        times = column.dt.tz_localize("UTC")
    elif pd.api.types.is_numeric_dtype(column.dtype):  # epoch numbers: which unit? not guessed
        times = pd.Series(pd.NaT, index=column.index, dtype="datetime64[us, UTC]")
    else:
        times = pd.to_datetime(column, utc=True, format="ISO8601", errors="coerce")
    bad = np.flatnonzero(times.isna().to_numpy())
    if len(bad):
        row = int(bad[0])
        raise SchemaViolationError(
            f"{column.iloc[row]!r} in column {name!r} is not a time "
            "(write ISO 8601, e.g. 2025-03-14T09:30:00Z)",
            location=SourceLocation(str(path), row + 2 if is_csv else None),
            entity=f"column {name}" if is_csv else f"column {name}, row {row + 1}",
        )
    return times.dt.as_unit("us").astype("int64").to_numpy()


def _series(column: pd.Series, address: str, order: np.ndarray) -> _Series:
    """A bound column in time order. Where a text column holds numbers, they are delivered as
    numbers; other text is delivered as it is (the pipeline rejects and counts it)."""
    values = column.tolist()
    if not pd.api.types.is_numeric_dtype(column.dtype):  # bool counts as numeric
        for row, number in enumerate(pd.to_numeric(column, errors="coerce").tolist()):
            if number == number:  # not NaN: the text was a number
                values[row] = number
    present = column.notna().to_numpy()
    return _Series(address, [values[i] for i in order], present[order])
