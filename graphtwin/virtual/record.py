"""A recorded run: every timestep in the history store's Parquet format, and what it was.

`graphtwin virtual-building record --out DIR` writes

- `DIR/day=YYYY-MM-DD/part-*.parquet`: the history store's own files (`HistoryStore`, one file
  per UTC day after compaction), stamped with simulated time (UTC), quality `good`, source
  `virtual:<model>`; `HistoryStore(DIR).query(twin_id)` reads them back;
- `DIR/run.json`: the model, weather, days, timestep, EnergyPlus version, wall time and
  timesteps per second, and how the run ended;
- `DIR/labels.json`: the faults' labels (`FaultHooks.labels()`), the ground truth evaluations
  score against (an empty list for a run without faults);
- `DIR/energyplus/`: the model EnergyPlus ran (`run.epJSON`) and its `eplusout.err`.

>>> recorder = HistoryRecorder(Path("runs/office-july"), source="virtual:office_medium")
>>> recorder(datetime(2025, 7, 1, 7, 15, tzinfo=UTC), {"eplus:m/zone/Core_bottom/t": 24.0})
>>> recorder.close()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.errors import OutputFolderNotEmptyError

QUALITY = "good"
RUN_FILE = "run.json"
LABELS_FILE = "labels.json"
ENERGYPLUS_FOLDER = "energyplus"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def source_of(model: str) -> str:
    """The history's `source` of a recorded run (`virtual:office_medium`)."""
    return f"virtual:{model}"


def check_out_folder(folder: Path) -> None:
    """Refuse a folder that exists and is not an empty folder: two runs must not mix."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputFolderNotEmptyError(folder)


class HistoryRecorder:
    """A sample sink that appends every timestep to a `HistoryStore` at `folder`."""

    def __init__(self, folder: Path, *, source: str) -> None:
        self.store = HistoryStore(folder, retention_days=None)
        self.source = source
        self.rows = 0

    def __call__(self, now: datetime, values: dict[str, float]) -> None:
        count = len(values)
        at_ns = (now - _EPOCH) // timedelta(microseconds=1) * 1_000
        self.store.append(
            list(values),
            [at_ns] * count,
            [float(v) for v in values.values()],
            [QUALITY] * count,
            [self.source] * count,
        )
        self.rows += count
        if self.store.due():
            self.store.flush()

    def close(self) -> None:
        """Write what is buffered, then merge each day's files into one."""
        self.store.close()
        for day in self.store.days():
            self.store.compact(day)


def write_run_files(
    folder: Path,
    run: dict[str, Any],
    labels: list[dict[str, Any]],
    *,
    energyplus: Path | None = None,
) -> None:
    """Write `run.json`, `labels.json` and, from the EnergyPlus work folder `energyplus`, the
    model it ran and its `eplusout.err`."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / RUN_FILE, run)
    _write_json(folder / LABELS_FILE, labels)
    if energyplus is not None:
        kept = folder / ENERGYPLUS_FOLDER
        kept.mkdir(exist_ok=True)
        for name in ("run.epJSON", "eplusout.err"):
            if (energyplus / name).is_file():
                shutil.copy2(energyplus / name, kept / name)


def _write_json(path: Path, payload: Any) -> None:
    text = json.dumps(payload, indent=2, default=_plain, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def _plain(value: Any) -> Any:
    """JSON for what labels and run records hold besides JSON types: times and paths."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
