"""The recorded virtual-building runs as forecasting data: every point's history on the 15-minute
grid, its kind (from the Brick class and unit the EnergyPlus importer gives it), the window
(`history_days` of history, then the evaluation days) and the faults' labels.

>>> run = load_run(default_datasets_dir() / "office_medium-denver-summer-clean")  # doctest: +SKIP
>>> run.building, run.climate, run.season, run.variant, len(run.series)  # doctest: +SKIP
('office_medium', 'denver', 'summer', 'clean', 126)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from graphtwin.prediction.kinds import PointKind, point_kind
from graphtwin.prediction.series import PreparedSeries, prepare
from graphtwin.virtual.datasets import default_datasets_dir, plan_runs, standard_spec
from importers.energyplus.ids import model_prefix
from importers.energyplus.points import observed_points

STEP = timedelta(minutes=15)
HISTORY_DAYS = 14
DATASET_COMMAND = "graphtwin virtual-building datasets --jobs 2   # or: make datasets"

__all__ = [
    "DATASET_COMMAND",
    "HISTORY_DAYS",
    "STEP",
    "Run",
    "default_datasets_dir",
    "load_run",
    "missing_runs",
    "unrecorded",
]


@dataclass(slots=True)
class Run:
    name: str
    building: str
    climate: str
    season: str
    variant: str
    utc_offset: timedelta
    start: datetime
    history_end: datetime
    end: datetime
    series: dict[str, PreparedSeries]
    kinds: dict[str, PointKind]
    labels: list[dict[str, Any]] = field(default_factory=list)


def missing_runs(root: Path) -> list[str]:
    """The standard set's runs with no complete recording under `root`."""
    return [
        r.name
        for r in plan_runs(standard_spec())
        if not (root / r.name / "complete.json").is_file()
    ]


def unrecorded(root: Path) -> str | None:
    """Why a benchmark on the standard set must skip (its runs not all recorded), else None."""
    missing = missing_runs(root)
    if not missing:
        return None
    return (
        f"{len(missing)} runs of the data set are not recorded under {root} "
        f"({', '.join(missing[:3])}, ...): record them with `{DATASET_COMMAND}` "
        "(about 4 minutes, needs graphtwin[energyplus])"
    )


def load_run(folder: Path, *, only: set[PointKind] | None = None) -> Run:
    """One recorded run (points of the kinds `only`, all when None)."""
    info = json.loads((folder / "run.json").read_text())
    building, climate, season, variant = folder.name.split("-")
    epjson = json.loads((folder / "energyplus" / "run.epJSON").read_text())
    prefix = model_prefix(Path(info["model_file"]))
    kinds = {
        p.twin_id: point_kind(p.brick_class, p.unit, p.name)
        for p in observed_points(epjson, prefix=prefix)
    }
    if only is not None:
        kinds = {k: v for k, v in kinds.items() if v in only}
    files = sorted(folder.glob("day=*/*.parquet"))
    table = pa.concat_tables(
        [pq.read_table(f, columns=["twin_id", "time", "value"]) for f in files]
    )
    frame = table.to_pandas()
    frame = frame[frame["twin_id"].isin(kinds)]
    series = {}
    for twin_id, rows in frame.groupby("twin_id", sort=True):
        times = rows["time"].to_numpy(dtype="datetime64[ns]")
        series[str(twin_id)] = prepare(times, rows["value"].to_numpy(np.float64), step=STEP)
    start = datetime.fromisoformat(info["start_utc"])
    labels_file = folder / "labels.json"
    return Run(
        name=folder.name,
        building=building,
        climate=climate,
        season=season,
        variant=variant,
        utc_offset=timedelta(hours=float(info["time_zone_h"])),
        start=start,
        history_end=start + timedelta(days=HISTORY_DAYS),
        end=datetime.fromisoformat(info["end_utc"]),
        series=series,
        kinds={k: kinds[k] for k in series},
        labels=json.loads(labels_file.read_text()) if labels_file.is_file() else [],
    )
