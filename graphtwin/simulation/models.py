"""The zone thermal models of the twin: fitted by `graphtwin calibrate`, stored on
`(:ZoneModel)-[:MODELS]->(zone)` nodes, loaded by every what-if run.

`calibrate_zones` fits every zone of a building (or of every building) on the history store's
last `history_days` and stores the models; `load_models` reads them for a run, falling back to
geometry priors for a zone that has none (flagged, never passed off as calibrated). The
snapshot reads how calibrated the twin is itself (`cypher/snapshot/calibration.cypher`).

>>> uses = await calibrate_zones(driver, database="neo4j", root=None, history=history,
...                              now=datetime.now(UTC))  # doctest: +SKIP
>>> [u.calibrated for u in uses][:2]  # doctest: +SKIP
[True, True]
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import neo4j
import pandas as pd

from graphtwin.simulation.overlay import read_overlay
from graphtwin.simulation.result import ModelUse
from graphtwin.simulation.thermal.calibrate import MIN_DAYS, calibrate, prior_model
from graphtwin.simulation.thermal.points import NodeInfo, ZonePoints, zone_points
from graphtwin.simulation.thermal.priors import Prior, prior
from graphtwin.simulation.thermal.series import zone_series
from graphtwin.simulation.thermal.zone_model import DEFAULT_STALE_AFTER, ZoneModel
from graphtwin.store import statement_runner as runner
from graphtwin.telemetry.history import HistoryStore

HISTORY_DAYS = 14.0
"""How much history a calibration fits on (the validation benchmark's window)."""
CALIBRATION_STEP_S = 900.0
"""The grid a calibration resamples the history to (the virtual buildings' timestep)."""


@dataclass(frozen=True, slots=True)
class LoadedModels:
    models: Mapping[str, ZoneModel]
    warnings: tuple[str, ...]


async def load_models(
    driver: neo4j.AsyncDriver,
    zones: Mapping[str, ZonePoints],
    *,
    database: str,
    now: datetime,
) -> LoadedModels:
    """Each zone's stored model; a zone without one gets its geometry prior (flagged)."""
    records = await runner.query_async(
        driver, "simulation/zone_models_read", zones=sorted(zones), database_=database, read_=True
    )
    stored = {r["zone"]: ZoneModel.from_record(json.loads(r["record"])) for r in records}
    models: dict[str, ZoneModel] = {}
    missing = []
    for zone, points in zones.items():
        if zone in stored:
            models[zone] = stored[zone]
        else:
            missing.append(zone)
            models[zone] = prior_model(zone, _prior(points), fitted_at=now, note="no stored model")
    warnings = (
        (f"{len(missing)} zone(s) have no stored model (graphtwin calibrate): geometry priors",)
        if missing
        else ()
    )
    return LoadedModels(models=models, warnings=warnings)


async def calibrate_zones(
    driver: neo4j.AsyncDriver,
    *,
    database: str,
    root: str | None,
    history: HistoryStore,
    now: datetime | None = None,
    history_days: float = HISTORY_DAYS,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    min_days: float = MIN_DAYS,
) -> list[ModelUse]:
    """Fit and store the model of every zone below `root` (every building when None) on the
    history before `now`. A zone with less than `min_days` of usable history gets its prior,
    stored as such (flagged, never passed off as calibrated)."""
    now = now or datetime.now(UTC)
    roots = [root] if root else await _buildings(driver, database)
    fitted: list[ZoneModel] = []
    for scope in roots:
        overlay = await read_overlay(driver, scope=scope, database=database)
        nodes = {
            i: NodeInfo(n.kind or "", n.brick_class, n.name or i, dict(n.properties))
            for i, n in overlay.nodes.items()
        }
        zones = zone_points(nodes, overlay.edges)
        if not zones:
            continue
        start = now - timedelta(days=history_days)
        ids = sorted({p for z in zones.values() for p in z.point_ids()})
        frame = await asyncio.to_thread(history.query, ids, start, now)
        fitted += await asyncio.to_thread(
            _fit_all, list(zones.values()), frame, start, now, stale_after, min_days
        )
    await _store(driver, fitted, database=database)
    return [model_use(m, now) for m in fitted]


def model_use(model: ZoneModel, now: datetime) -> ModelUse:
    """What a run or a calibration reports of a zone model: its id and fit metadata."""
    return ModelUse(
        zone=model.zone,
        model_id=model.model_id,
        calibrated=model.calibrated,
        rmse_k=model.rmse_k,
        samples=model.samples,
        fitted_from=model.fitted_from,
        fitted_to=model.fitted_to,
        stale=model.is_stale(now),
    )


def _fit_all(
    zones: list[ZonePoints],
    frame: pd.DataFrame,
    start: datetime,
    end: datetime,
    stale_after: timedelta,
    min_days: float = MIN_DAYS,
) -> list[ZoneModel]:
    """Fit each zone on the history between `start` and `end` (CPU-bound: a worker thread)."""
    fitted = []
    for points in zones:
        series = zone_series(frame, points, start, end, CALIBRATION_STEP_S)
        fitted.append(
            calibrate(
                series,
                prior=_prior(points),
                min_days=min_days,
                stale_after=stale_after,
                now=end,
                minimum_flow=points.variable_air_volume,
            )
        )
    return fitted


async def _store(driver: neo4j.AsyncDriver, models: list[ZoneModel], *, database: str) -> None:
    if not models:
        return
    rows = []
    for m in models:
        rows.append(
            {
                "zone": m.zone,
                "model_id": m.model_id,
                "record": json.dumps(m.to_record(), sort_keys=True),
                "calibrated": m.calibrated,
                "rmse_k": m.rmse_k,
                "samples": m.samples,
                "fitted_from": _iso(m.fitted_from),
                "fitted_to": _iso(m.fitted_to),
                "fitted_at": _iso(m.fitted_at),
                "stale_after": _iso(m.fitted_at + m.stale_after),
            }
        )
    await runner.query_async(driver, "simulation/zone_models_write", rows=rows, database_=database)


async def _buildings(driver: neo4j.AsyncDriver, database: str) -> list[str]:
    records = await runner.query_async(
        driver, "simulation/buildings", database_=database, read_=True
    )
    return [r["twin_id"] for r in records]


def _prior(points: ZonePoints) -> Prior:
    area = float(points.floor_area_m2 or 0.0) or 50.0
    return prior(area, points.volume_m3)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()
