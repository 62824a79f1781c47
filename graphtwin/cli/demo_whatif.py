"""The demo's what-if: once the medium office's scripted AHU trip is seen, calibrate the office's
zone models on the history recorded so far, run the scenario "AHU trips"
(examples/office-medium-whatif.yaml: inaction, raising the other floors' airflow, relaxing the
setpoints of the zones the facility manager names as unoccupied, sending the tripped floor's
staff home) from the trip's time, record
the run, and print the comparison.

Three things differ from `graphtwin calibrate` and `graphtwin simulate`:

- The demo's history is stamped with served times: the virtual building's clock mapped to the
  wall clock at the demo's speed (an hour a second), so a simulated day lasts half a minute of
  history. `office_history` copies the office's points from the sync's history store into one
  of its own, restamped in the office's clock (`StoryPace.simulated_ns`, the inverse of the
  pace), so the zone models see the hours they are about. The what-if starts at the trip's
  moment in that clock and reads the history up to it.
- The office serves a value only when it changes, so the copy holds each value until its next
  change (`held_at_every_moment`), as a trend log sampling every timestep would. The copy is
  flushed under `telemetry/demo/office-history`, where `graphtwin simulate --history` finds it
  after the demo.
- The demo has about a simulated day and a half of history when the trip comes, under the three
  days a calibration asks for, so it asks for `MIN_DAYS` (one day). A zone with less than that
  is simulated from its geometry priors and flagged, as in every run.

>>> whatif = await run_whatif(driver, "neo4j", scenario=scenario, start=trip, history=copy,
...     settings=settings, root=BUILDING, file=Path("examples/office-medium-whatif.yaml"))
... # doctest: +SKIP
>>> print_whatif(whatif)  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import neo4j
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from graphtwin.audit import ChangeAudit
from graphtwin.cli.output import out
from graphtwin.config import Settings
from graphtwin.simulation.models import calibrate_zones
from graphtwin.simulation.records import record_json, record_run
from graphtwin.simulation.run import run_scenario
from graphtwin.simulation.scenario import Scenario, load_scenario
from graphtwin.telemetry.history import HistoryStore

WHATIF = "office-medium-whatif.yaml"
MIN_DAYS = 1.0
"""Days of history a zone model is fitted on in the demo (a calibration's default is 3)."""
HISTORY_FOLDER = "office-history"
"""The restamped copy of the office's history, under the demo's telemetry folder."""


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A what-if the demo ran: the recorded run (`record_json`) and what it took."""

    run: dict[str, Any]
    calibrated: int
    zones: int
    calibrate_s: float
    run_s: float
    history: Path
    file: Path


def load_whatif(examples: Path) -> Scenario:
    """The demo's scenario file, checked before the demo goes live (a mistake is an InputError
    naming the file, line and field)."""
    return load_scenario(examples / WHATIF)


def office_history(
    served: HistoryStore,
    point_ids: Sequence[str],
    *,
    since: datetime,
    until: datetime,
    to_simulated: Callable[[NDArray[np.int64]], NDArray[np.int64]],
    root: Path,
) -> HistoryStore:
    """The office's points served from `since` to `until` (inclusive; served times), copied
    from `served` into a new history store at `root`, their times mapped by `to_simulated`
    (epoch ns to epoch ns) and each value held at every later moment (`held_at_every_moment`),
    then flushed. Whatever `root` held is replaced. Blocking."""
    rows = served.query(list(point_ids), since, until + timedelta(microseconds=1))
    shutil.rmtree(root, ignore_errors=True)
    copy = HistoryStore(root, retention_days=None)
    if not len(rows):
        return copy
    simulated = to_simulated(_epoch_ns(rows["time"]))
    held = held_at_every_moment(rows.assign(time=pd.to_datetime(simulated, utc=True)))
    copy.append(
        held["twin_id"].tolist(),
        _epoch_ns(held["time"]).tolist(),
        held["value"].tolist(),
        held["quality"].tolist(),
        held["source"].tolist(),
    )
    copy.flush()
    return copy


def held_at_every_moment(rows: pd.DataFrame) -> pd.DataFrame:
    """History rows (twin_id, time, value, quality, source) with each point's value repeated at
    every moment (to the second) any point of `rows` has one, from its own first value on.

    The virtual building serves a value only when it changes, as a device that reports on
    change does, so a point that is not reported again has kept its value: a fan off all
    night, a reheat coil idle all summer. Held, they are on the grid a trend log sampling every
    timestep would show, which is what the zone models read (they take a gap of over an hour
    as missing data).

    >>> rows = pd.DataFrame({"twin_id": ["t", "fan", "t"], "value": [20.0, 1.0, 21.0],
    ...     "time": pd.to_datetime(["2025-07-07 00:15", "2025-07-07 00:15", "2025-07-07 00:30"],
    ...                            utc=True), "quality": "good", "source": "office"})
    >>> held_at_every_moment(rows)[["twin_id", "value"]].values.tolist()
    [['fan', 1.0], ['t', 20.0], ['fan', 1.0], ['t', 21.0]]
    """
    if rows.empty:
        return rows[["twin_id", "time", "value", "quality", "source"]]
    moments = rows.assign(time=pd.to_datetime(rows["time"], utc=True).dt.round("s"))
    wide = moments.pivot_table(
        index="time",
        columns="twin_id",
        values=["value", "quality", "source"],
        aggfunc="last",
    ).ffill()
    long = wide.stack(future_stack=True).dropna(subset=["value"]).reset_index()
    return long[["twin_id", "time", "value", "quality", "source"]].astype(
        {"value": float, "quality": str, "source": str}
    )


async def run_whatif(
    driver: neo4j.AsyncDriver,
    database: str,
    *,
    scenario: Scenario,
    start: datetime,
    history: HistoryStore,
    settings: Settings,
    root: str,
    file: Path,
) -> WhatIf:
    """Calibrate the zones below `root` on `history` up to `start` (`MIN_DAYS`), run `scenario`
    from `start` and record it (Scenario and SimulationRun nodes, trajectories in Parquet, an
    audit record as the CLI user). The CPU-bound parts run in worker threads."""
    audit = ChangeAudit.for_cli(settings)
    began = time.perf_counter()
    models = await calibrate_zones(
        driver, database=database, root=root, history=history, now=start, min_days=MIN_DAYS
    )
    calibrated = time.perf_counter()
    at_start = scenario.model_copy(update={"start": start.astimezone(scenario.local_tz)})
    result = await run_scenario(
        driver, at_start, database=database, history=history, settings=settings,
        actor=audit.actor, now=start,
    )  # fmt: skip
    ran = time.perf_counter()
    record = await record_run(
        driver,
        result,
        at_start,
        database=database,
        runs_dir=settings.simulation_runs_root,
        audit=audit,
    )
    return WhatIf(
        run=record_json(record),
        calibrated=sum(m.calibrated for m in models),
        zones=len(models),
        calibrate_s=calibrated - began,
        run_s=ran - calibrated,
        history=history.root,
        file=file,
    )


def print_whatif(whatif: WhatIf) -> None:
    """What the calibration found, the comparison side by side (`simulation_view.print_run`),
    and how to see the run again."""
    from graphtwin.cli.simulation_view import print_run

    priors = whatif.zones - whatif.calibrated
    out.print(
        f"  Zone models: {whatif.calibrated} of {whatif.zones} calibrated on the history "
        f"recorded so far (the demo asks for {MIN_DAYS:g} day of it, where a calibration asks "
        "for 3 by default: it has about a day and a half)"
        + (f"; {priors} from geometry priors, flagged, with a wide band" if priors else "")
        + f". Calibration {whatif.calibrate_s:.1f} s, simulation {whatif.run_s:.1f} s.",
        markup=False,
    )
    print_run(whatif.run, recorded=True)
    out.print(f"  .venv/bin/graphtwin simulation show {whatif.run['run_id']}", markup=False)
    out.print(
        f"  .venv/bin/graphtwin simulate {whatif.file} --history {whatif.history}", markup=False
    )


def _epoch_ns(times: pd.Series) -> NDArray[np.int64]:
    """Aware pandas times as epoch nanoseconds."""
    naive = pd.to_datetime(times, utc=True).dt.tz_convert(None).to_numpy()
    return naive.astype("datetime64[ns]").astype(np.int64)
